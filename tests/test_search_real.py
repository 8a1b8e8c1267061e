"""Search on the database built from the real release files (../shared/data)."""

from __future__ import annotations

import pytest

from medcodes.search import autocomplete, search
from medcodes.store import Store


@pytest.fixture(scope="module")
def store(real_db) -> Store:
    return Store(real_db)


@pytest.mark.parametrize(
    "q, system, display",
    [
        ("E11.9", "icd10cm", "E11.9"),
        ("e119", "icd10cm", "E11.9"),
        ("0dtj4zz", "icd10pcs", "0DTJ4ZZ"),
        ("J1745", "hcpcs", "J1745"),
        ("99213", "cpt", "99213"),
        ("85230", "cpt", "85230"),
    ],
)
def test_real_codes_first(store, q, system, display):
    top = search(store, q).results[0]
    assert (top.system, top.display) == (system, display)


def test_real_prefix_and_range(store):
    assert [h.display for h in search(store, "E11").results[:2]] == ["E11", "E11.0"]
    res = search(store, "85002-85999", limit=100)
    assert res.total > 50 and all(h.system == "cpt" and "85002" <= h.code <= "85999" for h in res.results)


@pytest.mark.parametrize(
    "q, prefix",
    [
        ("heart attack", "I21"),
        ("pink eye", "H10"),
        ("kidney stones", "N20"),
        ("high blood pressure", "I10"),
        ("broken wrist", "S52.5"),
    ],
)
def test_real_lay_terms(store, q, prefix):
    assert any(h.display.startswith(prefix) for h in search(store, q, limit=10).results)


@pytest.mark.parametrize(
    "q, fixed",
    [
        ("diabetis", "diabetes"),
        ("pnuemonia", "pneumonia"),
        ("hypertention", "hypertension"),
        ("colonscopy", "colonoscopy"),
    ],
)
def test_real_typos(store, q, fixed):
    res = search(store, q)
    assert res.corrected_query == fixed and res.total > 0


def test_real_autocomplete(store):
    hits = autocomplete(store, "pneumo")
    assert 0 < len(hits) <= 8
    assert any("pneumo" in h.title.lower() for h in hits)


def test_autocomplete_completes_the_last_word_to_what_people_mean(store):
    """Suggestions are the results page's top hits for the likeliest completion of the typed text."""

    def top(q, n=3):
        return [h.display for h in autocomplete(store, q)][:n]

    assert "85230" in top("factor vii", 1)  # a complete word stays itself: VII is not VIII
    assert "I10" in top("hyperten")
    assert any(c.startswith("I21") for c in top("heart att", 1))  # a lay phrase completes
    assert any(c.startswith("E1") for c in top("diab", 1))  # not the rare abbreviation "diab"


# Common words and phrases with bonuses (exact names, vocabulary phrases, an intent), paged.
SPLIT_QUERIES = [
    "approach",
    "with right",
    "drainage",
    "replacement",
    "removal",
    "fluttering in chest",
    "open left",
    "injection",
    "diabetes",
    "knee replacement",
    "mammogram",
    "physical therapy",
    "fracture",
    "pain",
]


@pytest.mark.parametrize("q", SPLIT_QUERIES)
def test_queries_run_in_parts_rank_exactly_as_one_query(store, q, monkeypatch):
    """A query matching tens of thousands of documents is run in parts (words; bonus documents per
    boosted system): the hits, their order and scores, and the total are those of the one query."""
    import medcodes.search.service as service

    for limit, offset in ((20, 0), (10, 30)):
        monkeypatch.setattr(service, "SPLIT_ABOVE", 10**9)
        whole = search(store, q, limit=limit, offset=offset)
        monkeypatch.setattr(service, "SPLIT_ABOVE", 0)
        parts = search(store, q, limit=limit, offset=offset)
        assert parts.total == whole.total > 0
        assert [(h.system, h.code, h.score) for h in parts.results] == [
            (h.system, h.code, h.score) for h in whole.results
        ]

"""search() and autocomplete() over a small database built from hand-made records (real SQLite,
real tantivy index built by the post-build step)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from medcodes.models import CodeRecord, Note, Source
from medcodes.search import QueryTooLong, autocomplete, search
from medcodes.search.index import build_index
from medcodes.store import Store
from medcodes.store.build import build


def _cm(code, title, kind="code", billable=True, parent=None, notes=(), terms=(), term_date=None):
    disp = code if "-" in code or len(code) <= 3 else f"{code[:3]}.{code[3:]}"
    return CodeRecord(
        system="icd10cm",
        code=code,
        display=disp,
        kind=kind,
        title=title,
        billable=billable,
        parent=parent,
        notes=[Note("inclusion", n) for n in notes],
        terms=list(terms),
        termination_date=term_date,
    )


def records() -> dict[str, list[CodeRecord]]:
    cm = [
        _cm("E00-E89", "Endocrine, nutritional and metabolic diseases", "chapter", False),
        _cm("E08-E13", "Diabetes mellitus", "section", False, "E00-E89"),
        _cm("E11", "Type 2 diabetes mellitus", "category", False, "E08-E13", notes=["diabetes NOS"]),
        _cm("E112", "Type 2 diabetes mellitus with kidney complications", "subcategory", False, "E11"),
        _cm("E1121", "Type 2 diabetes mellitus with diabetic nephropathy", parent="E112"),
        _cm("E1122", "Type 2 diabetes mellitus with diabetic chronic kidney disease", parent="E112"),
        _cm("E1129", "Type 2 diabetes mellitus with other diabetic kidney complication", parent="E112"),
        _cm("E119", "Type 2 diabetes mellitus without complications", parent="E11"),
        _cm("I00-I99", "Diseases of the circulatory system", "chapter", False),
        _cm("I10", "Essential (primary) hypertension", parent="I00-I99", notes=["high blood pressure"]),
        _cm("I270", "Primary pulmonary hypertension", parent="I00-I99"),
        _cm("I21", "Acute myocardial infarction", "category", False, "I00-I99"),
        _cm(
            "I219",
            "Acute myocardial infarction, unspecified",
            parent="I21",
            notes=["Myocardial infarction (acute) NOS"],
        ),
        _cm("I214", "Non-ST elevation (NSTEMI) myocardial infarction", parent="I21"),
        _cm("H10", "Conjunctivitis", "category", False),
        _cm("H109", "Unspecified conjunctivitis", parent="H10"),
        _cm("N200", "Calculus of kidney", notes=["Renal stone", "Nephrolithiasis NOS"]),
        _cm("J189", "Pneumonia, unspecified organism"),
        _cm("J0120", "Acute ethmoidal sinusitis, unspecified", term_date="2020-09-30"),
        # Ends after any build: hidden only once the day has passed (see test_deleted_after_the_build).
        _cm("J0121", "Acute ethmoidal sinusitis, recurrent", term_date="2999-12-31"),
        _cm("S525", "Fracture of lower end of radius", "subcategory", False),
        _cm("S5250", "Unspecified fracture of the lower end of radius", "subcategory", False, "S525"),
        _cm(
            "S52501A",
            "Unspecified fracture of the lower end of right radius, initial encounter for closed fracture",
            parent="S5250",
        ),
        _cm(
            "S52501D",
            "Unspecified fracture of the lower end of right radius, subsequent encounter for closed fracture with routine healing",
            parent="S5250",
        ),
    ]
    hcpcs = [
        CodeRecord(
            "hcpcs", "E1130", "E1130", "code", "Standard wheelchair, fixed full length arms", billable=True
        ),
        CodeRecord("hcpcs", "J0120", "J0120", "code", "Injection, tetracycline, up to 250 mg", billable=True),
        CodeRecord("hcpcs", "J0130", "J0130", "code", "Injection abciximab, 10 mg", billable=True),
        CodeRecord(
            "hcpcs",
            "J1745",
            "J1745",
            "code",
            "Injection, infliximab, excludes biosimilar, 10 mg",
            billable=True,
        ),
        CodeRecord(
            "hcpcs", "G0008", "G0008", "code", "Administration of influenza virus vaccine", billable=True
        ),
    ]
    # CPT descriptors are AMA copyright: these titles are the project's own test wording.
    cpt = [
        CodeRecord("cpt", "85002", "85002", "code", "Test wording: bleeding time lab test", billable=True),
        CodeRecord("cpt", "85610", "85610", "code", "Test wording: prothrombin time", billable=True),
        CodeRecord(
            "cpt", "85999", "85999", "code", "Test wording: unlisted hematology procedure", billable=True
        ),
        CodeRecord(
            "cpt", "99213", "99213", "code", "Test wording: office visit, established patient", billable=True
        ),
        CodeRecord("cpt", "0042T", "0042T", "code", "Test wording: perfusion imaging", billable=True),
        CodeRecord("cpt", "1111F", "1111F", "code", "Test wording: medication reconciliation", billable=True),
    ]
    pcs = [
        CodeRecord("icd10pcs", "0DT", "0DT", "category", "Gastrointestinal System, Resection"),
        CodeRecord(
            "icd10pcs",
            "0DTJ4ZZ",
            "0DTJ4ZZ",
            "code",
            "Resection of Appendix, Percutaneous Endoscopic Approach",
            billable=True,
            parent="0DT",
        ),
        CodeRecord(
            "icd10pcs",
            "0DTJ0ZZ",
            "0DTJ0ZZ",
            "code",
            "Resection of Appendix, Open Approach",
            billable=True,
            parent="0DT",
        ),
    ]
    return {"icd10cm": cm, "hcpcs": hcpcs, "cpt": cpt, "icd10pcs": pcs}


def make_db(folder: Path) -> Path:
    recs = records()
    path = folder / "medcodes.sqlite"
    sources = [Source(system=s, name=f"hand-made {s}", version="test") for s in recs]
    build(path, sources, read=lambda src: recs[src.system], steps=[("search", build_index)])
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    return Store(make_db(tmp_path_factory.mktemp("searchdb")))


def codes(res) -> list[str]:
    return [h.display for h in res.results]


@pytest.mark.parametrize("q", ["E11.9", "e119", "E11 9", " e11.9 ", "E11\u20129"[:3] + ".9"])
def test_icd_code_spellings_hit_first_and_exact(store, q):
    res = search(store, q)
    assert res.results[0].display == "E11.9"
    assert res.exact is not None and res.exact.code == "E119"


@pytest.mark.parametrize(
    "q, system, display",
    [
        ("0dtj4zz", "icd10pcs", "0DTJ4ZZ"),
        ("J1745", "hcpcs", "J1745"),
        ("99213", "cpt", "99213"),
        ("1111f", "cpt", "1111F"),
        ("0042T", "cpt", "0042T"),
    ],
)
def test_codes_of_every_system(store, q, system, display):
    res = search(store, q)
    assert (res.results[0].system, res.results[0].display) == (system, display)


def test_prefix_lists_node_then_children_in_release_order(store):
    res = search(store, "E11")
    assert codes(res)[:6] == ["E11", "E11.2", "E11.21", "E11.22", "E11.29", "E11.9"]
    # The ICD-10-CM node's own descendants come before the HCPCS E11xx codes that share the spelling.
    assert "E1130" in codes(res)
    assert codes(res).index("E1130") > codes(res).index("E11.9")
    assert res.total == len(codes(res))


def test_prefix_without_node(store):
    res = search(store, "S52.5")
    assert codes(res)[0] == "S52.5"
    assert res.results[1].display == "S52.50"


def test_ambiguous_code_shows_each_system(store):
    res = search(store, "J0120")
    systems = {h.system for h in res.results if h.code == "J0120"}
    assert systems == {"hcpcs", "icd10cm"}
    assert res.exact is None


def test_range(store):
    res = search(store, "85002-85999")
    assert codes(res) == ["85002", "85610", "85999"]
    res = search(store, "J0120\u2013J0130")
    assert [h.code for h in res.results if h.system == "hcpcs"] == ["J0120", "J0130"]


def test_mixed_code_and_words(store):
    res = search(store, "E11 kidney")
    assert res.results and all(h.code.startswith("E11") for h in res.results)
    assert "E11.22" in codes(res)[:2]


def test_general_query_prefers_the_general_code(store):
    assert codes(search(store, "hypertension"))[0] == "I10"
    top = codes(search(store, "myocardial infarction"))[:2]
    assert "I21.9" in top or "I21" in top


def test_lay_terms(store):
    assert codes(search(store, "heart attack"))[0] in ("I21.9", "I21")
    assert codes(search(store, "pink eye"))[0] in ("H10", "H10.9")
    assert codes(search(store, "kidney stones"))[0] == "N20.0"
    assert codes(search(store, "high blood pressure"))[0] == "I10"
    assert "G0008" in codes(search(store, "flu shot"))[:3]


@pytest.mark.parametrize(
    "q, fixed, code",
    [
        ("diabetis", "diabetes", "E11"),
        ("pnuemonia", "pneumonia", "J18.9"),
        ("hypertention", "hypertension", "I10"),
    ],
)
def test_typos_are_corrected_and_reported(store, q, fixed, code):
    res = search(store, q)
    assert res.corrected_query == fixed
    assert code in codes(res)[:10]


def test_correct_words_are_not_corrected(store):
    assert search(store, "hypertension").corrected_query is None


def test_filters_and_paging(store):
    everything = search(store, "diabetes", limit=100)
    assert everything.total == len(everything.results) > 3
    only_billable = search(store, "diabetes", billable=True, limit=100)
    assert only_billable.results and all(h.billable for h in only_billable.results)
    assert only_billable.total < everything.total
    page2 = search(store, "diabetes", limit=2, offset=2)
    assert codes(page2) == codes(everything)[2:4]
    assert page2.total == everything.total
    assert all(h.system == "hcpcs" for h in search(store, "injection", system="hcpcs").results)
    assert (
        search(store, "E11.9", system="hcpcs").total == 0
        or search(store, "E11.9", system="hcpcs").results[0].system == "hcpcs"
    )


def test_active_on_drops_terminated_codes(store):
    before = search(store, "ethmoidal sinusitis", active_on=date(2019, 1, 1))
    after = search(store, "ethmoidal sinusitis", active_on=date(2024, 1, 1))
    assert "J01.20" in codes(before)
    assert "J01.20" not in codes(after)


def test_hit_fields(store):
    hit = search(store, "E11.22").results[0]
    assert hit.breadcrumb == [
        "Endocrine, nutritional and metabolic diseases",
        "Diabetes mellitus",
        "Type 2 diabetes mellitus",
        "Type 2 diabetes mellitus with kidney complications",
    ]
    hit = search(store, "kidney calculus").results[0]
    assert hit.highlight == "<mark>Calculus</mark> of <mark>kidney</mark>"


def test_highlight_escapes_html(store):
    for h in search(store, "<script>alert(1)</script> diabetes").results:
        assert "<script>" not in (h.highlight or "")


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        '"',
        "*",
        "NEAR",
        "a AND b",
        "-",
        "(",
        ")",
        "diabetes)",
        "' OR 1=1 --",
        "DROP TABLE codes;",
        "<script>alert(1)</script>",
        "\U0001f600",
        "\u0000\u0007\u001b",
        "title:foo",
        "E11*",
        "[",
        "{}",
        "~2",
        "^",
    ],
)
def test_bad_input_never_raises(store, q):
    res = search(store, q)
    assert res.total >= 0


def test_too_long_query_names_the_limit(store):
    with pytest.raises(QueryTooLong, match="200"):
        search(store, "x" * 10_000)


@pytest.mark.parametrize("kw", [{"limit": 0}, {"limit": 1000}, {"offset": -1}, {"system": "nope"}])
def test_bad_paging_and_system_raise_value_error(store, kw):
    with pytest.raises(ValueError):
        search(store, "diabetes", **kw)


def test_autocomplete(store):
    assert autocomplete(store, "E11")[0].display == "E11"
    hits = autocomplete(store, "conjunc")
    assert hits and hits[0].display in ("H10", "H10.9")
    assert len(autocomplete(store, "diabetes", limit=3)) <= 3
    assert autocomplete(store, "") == []


def test_codes_terminated_before_today_are_left_out_unless_asked_for(store):
    assert "J01.20" not in codes(search(store, "ethmoidal sinusitis"))
    assert "J01.20" in codes(search(store, "ethmoidal sinusitis", include_deleted=True))
    assert "J01.21" in codes(search(store, "ethmoidal sinusitis"))
    typed = search(store, "J01.20").results  # typed exactly, it is still shown
    assert ("icd10cm", "J0120") in [(h.system, h.code) for h in typed]


def test_deleted_after_the_build(store, monkeypatch):
    """A code whose termination date passes after the index was built drops out on that day."""
    import medcodes.search.service as service

    class Later(date):
        @classmethod
        def today(cls):
            return date(3000, 1, 1)

    monkeypatch.setattr(service, "date", Later)
    found = codes(search(store, "ethmoidal sinusitis"))
    assert "J01.21" not in found and "J01.20" not in found
    assert {"J01.20", "J01.21"} <= set(codes(search(store, "ethmoidal sinusitis", include_deleted=True)))


def test_highlight_marks_every_form_of_the_query_words(store):
    from medcodes.search.service import _context, highlight

    engine = _context(store).engine
    stems = {st for w in ("lying", "artery", "cafe", "kidneys") for st in engine.stems(w)}
    long_tail = " plain" * 3000
    text = "Pain when Lying down; arteries & <kidney> at the Café" + long_tail
    marked = highlight(engine, text, stems)
    assert marked.startswith(
        "Pain when <mark>Lying</mark> down; <mark>arteries</mark> &amp; &lt;<mark>kidney</mark>&gt;"
        " at the <mark>Café</mark>"
    )
    assert marked.endswith(long_tail) and marked.count("<mark>") == 4

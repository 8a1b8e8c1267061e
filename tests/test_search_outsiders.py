"""Search as outsiders word things (issue 13): each failure named in the issue, on the database built
from the real release files, plus pasted code lists, query syntax and bad input through a real server.

These assertions are written for this file; the held-out rows of bench/queries.tsv are not used here.
"""

from __future__ import annotations

import pytest
from live import LiveServer

from medcodes.search import search
from medcodes.search.query import parse
from medcodes.store import Store


@pytest.fixture(scope="module")
def store(real_db) -> Store:
    return Store(real_db)


def top(store: Store, q: str, n: int = 10) -> list[tuple[str, str]]:
    return [(h.system, h.display) for h in search(store, q, limit=n).results]


# -- plain service names: what is on an outpatient bill comes first -------------------------------


@pytest.mark.parametrize(
    "q, want, within",
    [
        ("cataract surgery", ("cpt", "66984"), 1),
        ("mammogram", ("cpt", "77067"), 3),
        ("chest x-ray", ("cpt", "71045"), 3),
        ("chest xray", ("cpt", "71045"), 3),
        ("x-ray, lower back, minimum four views", ("cpt", "72110"), 3),
        ("psychotherapy, 60 min", ("cpt", "90837"), 1),
        ("office visit", ("cpt", "99213"), 3),
        ("tonsils out", ("cpt", "42820"), 5),
        ("stitches", ("cpt", "12001"), 5),
    ],
)
def test_plain_service_names_find_the_billed_code(store, q, want, within):
    assert want in top(store, q, within), top(store, q)


@pytest.mark.parametrize(
    "q",
    ["flu shot", "office visit", "physical therapy", "covid vaccine", "chest x-ray", "mammogram",
     "colonoscopy", "knee replacement", "cataract surgery", "upper endoscopy"],
)  # fmt: skip
def test_service_queries_put_cpt_or_hcpcs_first(store, q):
    system, display = top(store, q, 1)[0]
    assert system in ("cpt", "hcpcs"), (q, system, display)
    assert "-" not in display  # a code, not a range heading


def test_range_headings_rank_below_codes_for_service_names(store):
    hits = top(store, "screening mammogram", 10)
    firsts = [i for i, (_, d) in enumerate(hits) if "-" in d]
    codes = [i for i, (_, d) in enumerate(hits) if "-" not in d]
    assert codes and (not firsts or min(firsts) > min(codes))


def test_a_code_prefix_still_lists_headings_and_codes_below_it(store):
    assert ("cpt", "77067") in top(store, "7706", 20)


# -- consumer words for conditions --------------------------------------------------------------


@pytest.mark.parametrize(
    "q, prefix",
    [
        ("ringing in ears", "H93.1"),
        ("passing out", "R55"),
        ("water on the knee", "M25.4"),
        ("blood clot in lung", "I26"),
        ("tooth abscess", "K04.7"),
        ("loss of energy", "R53"),
        ("degenerative joint disease", "M1"),
        ("blood sugar - high", "R73"),
        ("back ache", "M54"),
        ("backache", "M54"),
        ("head ache", "R51"),
    ],
)
def test_consumer_condition_words(store, q, prefix):
    hits = top(store, q, 3)
    assert any(s == "icd10cm" and d.startswith(prefix) for s, d in hits), (q, hits)


def test_split_words_do_not_match_blood_group_tests(store):
    for q in ("back ache", "head ache"):
        assert top(store, q, 1)[0][0] == "icd10cm"


def test_type_2_diabetes_puts_the_unspecified_code_near_the_top(store):
    assert ("icd10cm", "E11.9") in top(store, "type 2 diabetes", 3)


# -- brand drugs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("q, code", [("remicade", "J1745"), ("prolia", "J0897"), ("avastin", "J9035")])
def test_brand_names_find_their_drug_codes_uncorrected(store, q, code):
    res = search(store, q, limit=5)
    assert res.results and (res.results[0].system, res.results[0].display) == ("hcpcs", code)
    assert res.corrected_query is None  # "prolia" is not "prolif", "avastin" is not "atlastin"


def test_a_brand_inside_a_longer_query_still_counts(store):
    assert ("hcpcs", "J1745") in top(store, "remicade infusion", 3)


@pytest.mark.parametrize(("q", "drug"), [("remicade infusion", "J1745"), ("rituxan infusion", "J9312")])
def test_the_brand_outweighs_the_way_it_is_given(store, q, drug):
    # The brand names the drug; "infusion" names the administration code, which follows it.
    got = top(store, q, 3)
    assert got[0] == ("hcpcs", drug) and ("cpt", "96365") in got


# -- query syntax is text -------------------------------------------------------------------------


def test_a_dash_between_words_is_not_a_range_or_an_exclusion(store):
    assert parse("Abuse - alcohol").range is None
    hits = top(store, "Abuse - alcohol", 5)
    assert any(d.startswith("F10.1") for _, d in hits), hits


def test_words_in_parentheses_do_not_have_to_match(store):
    assert ("icd10cm", "E11.9") in top(store, "Diabetes mellitus (DM)", 3)
    assert top(store, "High blood pressure (hypertension (HTN))", 1) == [("icd10cm", "I10")]


@pytest.mark.parametrize(
    "q", ['"heart failure"', "asthma AND copd", "fracture: wrist", "+pneumonia -viral", "migraine*",
          "sciatica~", "gout^2", "a OR b NOT c", "(((", "-", "*", "~^:\"'+"],
)  # fmt: skip
def test_operator_characters_are_plain_text(store, q):
    res = search(store, q)  # never raises
    assert res.total >= 0


def test_operator_words_still_find_the_condition(store):
    assert any(d.startswith("I50") for _, d in top(store, '"heart failure"', 3))
    assert any(d.startswith("G43") for _, d in top(store, "migraine*", 3))


# -- pasted codes ---------------------------------------------------------------------------------


def test_pasted_codes_come_back_exactly_in_order(store):
    res = search(store, "99213 36415 85025 E11.9")
    assert [(h.system, h.display) for h in res.results] == [
        ("cpt", "99213"),
        ("cpt", "36415"),
        ("cpt", "85025"),
        ("icd10cm", "E11.9"),
    ]
    assert res.total == 4 and res.unknown == [] and res.exact is None


@pytest.mark.parametrize("q", ["99213, 36415", "99213;36415", "99213\n36415", " 99213 ,\t36415; "])
def test_pasted_codes_with_any_separator(store, q):
    assert top(store, q) == [("cpt", "99213"), ("cpt", "36415")]


def test_unknown_pasted_codes_are_reported(store):
    res = search(store, "99213, ZZ999, E11.9, 99999")
    assert [h.display for h in res.results] == ["99213", "E11.9"]
    assert res.unknown == ["ZZ999", "99999"]


def test_a_dotted_code_is_read_as_icd10cm_and_neighbours_decide_the_rest(store):
    # J11.00 (ICD-10-CM) and J1100 (HCPCS) share their dot-less spelling.
    assert top(store, "J11.00 I10") == [("icd10cm", "J11.00"), ("icd10cm", "I10")]
    assert top(store, "J1100 99213") == [("hcpcs", "J1100"), ("cpt", "99213")]
    assert top(store, "J1100 E11.9 I10")[0] == ("icd10cm", "J11.00")


# -- bad input through a real server --------------------------------------------------------------


@pytest.fixture(scope="module")
def client(real_db):
    with LiveServer(real_db) as server, server.client() as c:
        yield c


BAD = [
    "",
    "x" * 10_000,
    "heart\x00attack\x07\x1b[31m",
    "<script>alert(1)</script>",
    "Abuse - alcohol",
    '"()[]{}:+-*~^!\\/AND OR NOT',
    "99213 36415 85025 E11.9",
    "\u202e\ufeff\u200b",
    "%%%",
]


@pytest.mark.parametrize("q", BAD)
def test_bad_input_is_200_or_a_named_422_never_5xx(client, q):
    for path in ("/api/v1/search", "/api/v1/autocomplete", "/search"):
        r = client.get(path, params={"q": q})
        assert r.status_code in (200, 302, 422), (path, q[:40], r.status_code)
        if r.status_code == 422 and path.startswith("/api"):
            assert "characters" in r.text or "query" in r.text.lower()
        if path == "/search" and r.status_code == 200:
            assert "<script>alert(1)</script>" not in r.text


def test_invalid_utf8_is_not_a_5xx(client):
    for path in ("/api/v1/search", "/search"):
        r = client.get(f"{path}?q=%FF%FE%C3%28heart")
        assert r.status_code in (200, 400, 422), (path, r.status_code)


def test_api_reports_unknown_pasted_codes(client):
    doc = client.get("/api/v1/search", params={"q": "99213, ZZ999"}).json()
    assert [r["code"] for r in doc["results"]] == ["99213"]
    assert doc["unknown_codes"] == ["ZZ999"]


def test_search_page_shows_unknown_pasted_codes(client):
    r = client.get("/search", params={"q": "99213 ZZ999"})
    assert r.status_code == 200
    assert "Not found in any code system" in r.text and "ZZ999" in r.text


# -- pasted codes as bills print them --------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "want"),
    [
        ("99213|36415|85025", [("cpt", "99213"), ("cpt", "36415"), ("cpt", "85025")]),
        ("99213/36415", [("cpt", "99213"), ("cpt", "36415")]),
        ("E11.9; I10 | Z00.00", [("icd10cm", "E11.9"), ("icd10cm", "I10"), ("icd10cm", "Z00.00")]),
        ("CPT: 99213, 36415", [("cpt", "99213"), ("cpt", "36415")]),
        ("J1745 x3, 96365", [("hcpcs", "J1745"), ("cpt", "96365")]),
        ("99213-25 36415", [("cpt", "99213"), ("cpt", "36415")]),
        # A HCPCS modifier typed with its code follows the code; CPT's own (25) is not in the data.
        ("27447-RT, 20610-LT-25", [("cpt", "27447"), ("hcpcs", "RT"), ("cpt", "20610"), ("hcpcs", "LT")]),
        ("1. 99213 (25) $150.00  2. 36415 (1) $25.00", [("cpt", "99213"), ("cpt", "36415")]),
        ("E0601 -NU & A7030 x 2", [("hcpcs", "E0601"), ("hcpcs", "NU"), ("hcpcs", "A7030")]),
    ],
)
def test_pasted_codes_as_bills_print_them(store, q, want):
    res = search(store, q)
    assert [(h.system, h.display) for h in res.results] == want
    assert res.unknown == []


@pytest.mark.parametrize("q", ["Rev 0300 CPT 85025", "Code: 85025", "85025 x 1"])
def test_one_code_in_bill_layout_is_that_code(store, q):
    res = search(store, q)
    assert res.exact is not None and (res.exact.system, res.exact.code) == ("cpt", "85025")


def test_one_code_with_a_modifier_is_that_code(store):
    res = search(store, "99213-25")
    assert res.exact is not None and (res.exact.system, res.exact.code) == ("cpt", "99213")
    assert [h.code for h in res.results] == ["99213"]


def test_a_service_code_among_services_and_diagnoses_stays_a_service(store):
    # G0439 (HCPCS wellness visit) is also ICD-10-CM G04.39 without its dot: the CPT codes beside it
    # count for HCPCS too, so three services outvote two diagnoses.
    got = top(store, "99213 36415 85025 E11.9 Z00.00 G0439")
    assert got[-1] == ("hcpcs", "G0439") and got[3:5] == [("icd10cm", "E11.9"), ("icd10cm", "Z00.00")]


@pytest.mark.parametrize("q", ["covid-19", "x-ray chest", "vitamin b12", "E11-E13"])
def test_words_and_ranges_with_dashes_are_not_pasted_codes(store, q):
    assert search(store, q).unknown == [] and search(store, q).total > 1


# -- chart shorthand and either/or ----------------------------------------------------------------


def test_either_side_of_a_slash(store):
    assert {c for _, c in top(store, "BMP/CMP", 2)} == {"80048", "80053"}
    assert top(store, "EKG/ECG", 1) == [("cpt", "93000")]


@pytest.mark.parametrize(
    ("q", "code", "within"),
    [
        ("colonoscopy w/ biopsy", "45380", 3),
        ("CT abd & pelvis w/o contrast", "74176", 1),
        ("r/o pneumonia", "J18.9", 1),
        ("c/o chest pain", "R07.9", 1),
        ("I&D abscess", "10060", 1),
    ],
)
def test_chart_shorthand(store, q, code, within):
    assert code in [c for _, c in top(store, q, within)]


@pytest.mark.parametrize(("q", "code"), [("free t3", "84481"), ("total t4", "84436"), ("hla b27", "86812")])
def test_lab_names_that_look_like_code_fragments(store, q, code):
    assert top(store, q, 3)[0] == ("cpt", code)

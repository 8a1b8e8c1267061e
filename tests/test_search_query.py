"""Query shapes: what parse() reads as pasted codes, and what stays words or a range."""

from __future__ import annotations

import pytest

from medcodes.search.query import parse


@pytest.mark.parametrize(
    ("q", "codes", "modifiers"),
    [
        ("99213 36415", ["99213", "36415"], {}),
        ("99213|36415 / 85025", ["99213", "36415", "85025"], {}),
        ("CPT: 99213; ICD-10: E11.9", ["99213", "E11.9"], {}),
        ("J1745 x3, 96365 2x", ["J1745", "96365"], {}),
        ("99213-25", ["99213"], {"99213": ["25"]}),
        ("27447-rt-59 20610:LT", ["27447", "20610"], {"27447": ["RT", "59"], "20610": ["LT"]}),
        # Bill layout around the codes: counts, amounts, line numbers, revenue codes, labels, joins.
        ("J1745 x3", ["J1745"], {}),
        ("CPT\u00ae 99213, 36415", ["99213", "36415"], {}),
        ("36415 (1) 85025 (1)", ["36415", "85025"], {}),
        ("85025 x 1, 36415 x 1", ["85025", "36415"], {}),
        ("Rev 0300 CPT 85025", ["85025"], {}),
        ("1. 99213 2. 36415", ["99213", "36415"], {}),
        ("99213 $150.00 36415 $1,025.00", ["99213", "36415"], {}),
        ("#99213 & 36415 and 85025", ["99213", "36415", "85025"], {}),
        ("Code: 99213", ["99213"], {}),
        # Modifiers in brackets, after a dash of any kind, alone, or after "mod".
        ("99213 (25) 36415", ["99213", "36415"], {"99213": ["25"]}),
        ("99213\u201325 E0601 -NU", ["99213", "E0601"], {"99213": ["25"], "E0601": ["NU"]}),
        ("99213 mod 25, 36415", ["99213", "36415"], {"99213": ["25"]}),
    ],
)
def test_pasted_codes(q, codes, modifiers):
    pq = parse(q)
    assert pq.pasted == codes and pq.modifiers == modifiers


@pytest.mark.parametrize(
    "q",
    [
        "covid-19",
        "x-ray chest",
        "type 2 diabetes",
        "vitamin b12",
        "vitamin d 25",
        "CPT",
        "99213",
        "E11 9",  # E11.9 typed with a space
        "99213 office visit",
        "Diabetes mellitus (DM)",
        "85002-85999",
        "x 3",
    ],
)
def test_not_pasted(q):
    assert parse(q).pasted is None


def test_a_range_is_still_a_range():
    assert parse("85002-85999").range is not None and parse("E11-E13").range is not None


@pytest.mark.parametrize(
    ("q", "words"),
    [
        ("colonoscopy w/ biopsy", ["colonoscopy", "with", "biopsy"]),
        ("CT abd W/O contrast", ["ct", "abd", "without", "contrast"]),
        ("f/u visit", ["follow", "up", "visit"]),
        ("r/o pneumonia", ["pneumonia"]),  # "rule out" frames the condition; it is not searched
        ("c/o chest pain", ["chest", "pain"]),
        ("I&D abscess", ["incision", "and", "drainage", "abscess"]),
        ("knee w/out pain", ["knee", "w", "out", "pain"]),  # only the listed shorthand is read
    ],
)
def test_chart_shorthand_is_read_as_words(q, words):
    assert parse(q).words == words


def test_slash_between_words_gives_each_side():
    assert parse("BMP/CMP").sides == [["bmp"], ["cmp"]]
    assert parse("pap smear / pelvic exam").sides == [["pap", "smear"], ["pelvic", "exam"]]
    assert parse("colonoscopy w/ biopsy").sides == []  # shorthand is not a side
    assert parse("E11/kidney").sides == []  # a code prefix filters the words instead


@pytest.mark.parametrize(
    ("q", "prefix"), [("free t3", None), ("t4 total", None), ("E11 kidney", "E11"), ("kidney J45", "J45")]
)
def test_two_characters_are_a_word_not_a_code_prefix(q, prefix):
    assert parse(q).prefix == prefix


@pytest.mark.parametrize(
    ("q", "words"),
    [
        ("T&A", ["tonsillectomy", "and", "adenoidectomy"]),
        ("N/V/D", ["nausea", "vomiting", "diarrhea"]),
        ("B/L knee OA", ["bilateral", "knee", "oa"]),
    ],
)
def test_more_chart_shorthand(q, words):
    assert parse(q).words == words and parse(q).sides == []

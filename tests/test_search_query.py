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
    ],
)
def test_pasted_codes(q, codes, modifiers):
    pq = parse(q)
    assert pq.pasted == codes and pq.modifiers == modifiers


@pytest.mark.parametrize(
    "q",
    ["covid-19", "x-ray chest", "type 2 diabetes", "vitamin b12", "CPT", "99213", "J1745 x3", "85002-85999"],
)
def test_not_pasted(q):
    assert parse(q).pasted is None


def test_a_range_is_still_a_range():
    assert parse("85002-85999").range is not None and parse("E11-E13").range is not None

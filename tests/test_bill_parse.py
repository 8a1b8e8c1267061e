"""The bill parser on sample bills and EOBs written for this project (tests/fixtures/bill/*.txt), each
with its expected lines in a JSON file beside it: the exact set of codes, their systems, modifiers,
units and dates, and the tokens reported as unrecognised. The traps in them (revenue codes, account,
claim and member numbers, NPIs, phone numbers, ZIP codes, dates, dollar amounts, page numbers) must
never come out as codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medcodes.bill import parse

BILLS = Path(__file__).resolve().parent / "fixtures" / "bill"
SAMPLES = sorted(BILLS.glob("*.txt"))


def _lines(text: str) -> list[dict]:
    return [
        {
            "kind": ln.kind,
            "system": ln.systems[0],
            "code": ln.code,
            "modifiers": ln.modifiers,
            "units": ln.units,
            "date": ln.date,
        }
        for ln in parse(text).lines
    ]


def test_there_are_at_least_fifteen_samples():
    assert len(SAMPLES) >= 15


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_bill_gives_exactly_its_expected_lines(path):
    expected = json.loads(path.with_suffix(".json").read_text())
    parsed = parse(path.read_text())
    assert _lines(path.read_text()) == expected["lines"]
    assert [t.text for t in parsed.unrecognised] == expected["unrecognised"]


def test_traps_never_come_out_as_codes():
    found = {ln.code for p in SAMPLES for ln in parse(p.read_text()).lines}
    traps = {
        "62704",  # ZIP after a state abbreviation
        "55512",  # "Account 55512"
        "40512",  # "Group #: 40512"
        "68103",  # ZIP+4
        "33606",
        "80216",
        "45402",
        "60601",
        "30301",  # "ZIP 30301"
        "97201",
        "44817",  # "Account number: 44817"
        "71230",  # "Acct 71230"
        "24010",  # phone extension
        "88120",  # "Group: 88120"
        "0450",  # revenue codes
        "0300",
        "0636",
    }
    assert not found & traps


def test_modifiers_units_and_dates_on_one_line():
    bill = parse(
        "Date       Code   Mod   Units  Charge\n"
        "03/05/2026 97140  GP 59 2      $130.00\n"
        "Service on 2026-03-05: 99214-25 office visit $210.00\n"
        "J1885 x4 ketorolac $48.00\n"
    )
    assert [(b.code, b.modifiers, b.units) for b in bill.lines] == [
        ("97140", ["GP", "59"], 2),
        ("99214", ["25"], 1),
        ("J1885", [], 4),
    ]
    assert bill.lines[0].date == "2026-03-05"


def test_a_five_digit_number_is_a_code_only_on_a_service_line():
    text = "Remit to PO Box 12345\nSpringfield, IL 62704\nReference 99213\n99213 office visit $95.00\n"
    assert [b.code for b in parse(text).lines] == ["99213"]


def test_diagnosis_contexts_and_the_shared_shape():
    bill = parse("Dx: E11.9, I10\nDIAGNOSES\n1. J45.901 Asthma\n\nE0114 crutches 02/02/2026 $84.00\n")
    assert [(b.kind, b.systems, b.code) for b in bill.lines] == [
        ("diagnosis", ["icd10cm"], "E119"),
        ("diagnosis", ["icd10cm"], "I10"),
        ("diagnosis", ["icd10cm"], "J45901"),
        ("service", ["hcpcs", "icd10cm"], "E0114"),
    ]
    assert "service line" in bill.lines[-1].reason


def test_malformed_diagnosis_is_reported_not_dropped():
    bill = parse("Diagnosis codes: E11.9, E1.19X\n")
    assert [b.code for b in bill.lines] == ["E119"]
    assert [t.text for t in bill.unrecognised] == ["E1.19X"]


def test_nothing_on_an_empty_or_code_free_text():
    assert parse("").lines == []
    assert parse((BILLS / "11_no_codes.txt").read_text()).lines == []

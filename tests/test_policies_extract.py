"""Code extraction and dispositions over a small hand-made code database."""

from __future__ import annotations

import sqlite3

import pytest
from policies_support import make_db

from medcodes.policies.codeindex import CodeIndex
from medcodes.policies.disposition import assign
from medcodes.policies.documents import Page
from medcodes.policies.extract import Extractor, codes_of


@pytest.fixture(scope="module")
def extractor(tmp_path_factory):
    path = make_db(tmp_path_factory.mktemp("pol") / "medcodes.sqlite")
    return Extractor(CodeIndex.from_conn(sqlite3.connect(path)))


def found(extractor, text: str) -> set[tuple[str, str]]:
    return codes_of(extractor.extract([Page(1, text)]))


def test_single_codes_of_every_system(extractor):
    text = "Use CPT 81235 or 0239U; HCPCS J0585; diagnosis E11.65 or C61 with Z19.2; PCS 0DV64CZ."
    assert found(extractor, text) == {
        ("cpt", "81235"), ("cpt", "0239U"), ("hcpcs", "J0585"), ("icd10cm", "E1165"), ("icd10cm", "C61"),
        ("icd10cm", "Z192"), ("icd10pcs", "0DV64CZ"),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Codes 0001U\u20130017U apply", {"0001U", "0016U", "0017U"}),
        ("J0120 - J0130", {"J0120", "J0121", "J0129", "J0130"}),
        ("85002 through 85999", {"85002", "85230", "85999"}),
        ("81105 to 81111", {"81105", "81106", "81110", "81111"}),
        ("ICD-10: E11.00-E11.9", {"E1100", "E1101", "E1165", "E119"}),
    ],
)
def test_ranges_expand_against_the_database(extractor, text, expected):
    assert {c for _, c in found(extractor, text)} == expected


def test_lists_and_codes_split_across_lines_and_cells(extractor):
    text = "CPT codes:\n81105, 81106,\n81110\n| E11.\n65 | Type 2 diabetes |\n"
    assert found(extractor, text) == {("cpt", "81105"), ("cpt", "81106"), ("cpt", "81110"), ("icd10cm", "E1165")}


@pytest.mark.parametrize(
    "text",
    [
        "Page 85230 of 85999",  # page-like numbers in a citation-free line still need a code context...
        "Mail to PO Box 100, Detroit, MI 85230",  # ZIP code
        "Call 1-800-555-1234 or fax 412-544-2475",  # phone numbers
        "NDC 81235-0001-01 vial",  # NDC
        "The charge is $85,230 or $85230.00",  # dollar amounts
        "J Clin Oncol. 2018;36(16):85230-85240. doi:10.1200/JCO",  # citation pages
        "Policy Number: 85230",  # policy number
        "A study of 85230 patients",  # head count
        "In 2019 and 2020 the rate was 12345",  # years; 12345 is no code in the database
        "BRAF V600 mutation and T790M",  # gene variants shaped like ICD codes
    ],
)
def test_false_positives_rejected(extractor, text):
    got = found(extractor, text)
    if text.startswith("Page"):
        # Bare page-like numbers that are real codes are kept: the database alone cannot tell them apart.
        assert got <= {("cpt", "85230"), ("cpt", "85999")}
    else:
        assert got == set()


def test_context_and_page_are_kept(extractor):
    mentions = extractor.extract([Page(1, "Intro text\n"), Page(2, "81235 EGFR gene analysis, common variants\n")])
    (m,) = mentions
    assert m.page == 2 and "EGFR" in m.context and m.line == 3


@pytest.mark.parametrize(
    ("text", "disposition"),
    [
        ("CPT codes covered if selection criteria are met:\n81235 EGFR\n", "covered"),
        ("Investigational and Not Medically Necessary:\n81210 BRAF\n", "investigational"),
        ("CPT codes not covered for indications listed in the CPB:\n81235\n", "not_medically_necessary"),
        ("Prior authorization is required for the following codes:\nJ0585\n", "prior_auth"),
        ("The test (81235) is considered medically necessary when all criteria are met.", "covered"),
        ("The test (81235) is not medically necessary.", "not_medically_necessary"),
        ("Other CPT codes related to the CPB:\n81235\n", "listed"),
    ],
)
def test_disposition_from_heading_or_sentence(extractor, text, disposition):
    pages = [Page(1, text)]
    mentions = extractor.extract(pages)
    assign(pages, mentions)
    assert mentions and {m.disposition for m in mentions} == {disposition}
    if disposition != "listed":
        assert all(m.evidence for m in mentions)

"""Dispositions on small hand-written policy snippets (own wording): each class, negation, headings and
lead-in statements that carry over to the codes below them, table-row status cells, revision logs."""

from __future__ import annotations

import sqlite3

import pytest
from policies_support import make_db

from medcodes.policies.codeindex import CodeIndex
from medcodes.policies.disposition import assign, classify
from medcodes.policies.documents import Page
from medcodes.policies.extract import Extractor


@pytest.fixture(scope="module")
def extractor(tmp_path_factory):
    path = make_db(tmp_path_factory.mktemp("disp") / "medcodes.sqlite")
    return Extractor(CodeIndex.from_conn(sqlite3.connect(path)))


def decide(extractor, *pages: str) -> dict[str, list[tuple[str, str | None]]]:
    """code -> [(disposition, evidence)] in document order."""
    doc = [Page(i + 1, text) for i, text in enumerate(pages)]
    mentions = extractor.extract(doc)
    assign(doc, mentions)
    out: dict[str, list[tuple[str, str | None]]] = {}
    for m in mentions:
        out.setdefault(m.code, []).append((m.disposition, m.evidence))
    return out


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Lab test X is deemed medically necessary when the plan's criteria are met.", "covered"),
        ("Lab test X is not medically necessary for routine screening.", "not_medically_necessary"),
        ("The plan will not cover lab test X.", None),  # "will not cover" is no stock phrase: undecided
        ("Lab test X is not covered.", "not_medically_necessary"),
        ("Lab test X remains experimental for every indication.", "investigational"),
        ("Lab test X is unproven and not medically necessary.", "investigational"),
        ("Members need prior authorization is required before lab test X.", "prior_auth"),
        ("Lab test X requires prior authorization.", "prior_auth"),
        ("Lab test X is considered for coverage when two criteria hold.", "covered"),
        ("Current evidence does not support lab test X.", "not_medically_necessary"),
        ("Lab test X is described in the background section.", None),
    ],
)
def test_classify_sentences_and_negation(text, expected):
    found = classify(text)
    assert (found[0] if found else None) == expected
    if found:
        assert found[1].lower() in text.lower()  # the evidence is the phrase that decided


def test_negated_necessity_never_reads_as_covered():
    for text in ("not medically necessary", "NOT considered medically necessary", "not medically appropriate"):
        assert classify(f"This service is {text}.")[0] == "not_medically_necessary"


def test_each_heading_class_reaches_the_codes_below_it(extractor):
    text = (
        "Codes payable once the criteria above are met:\n81235 gene test one\n81210 gene test two\n"
        "Codes the plan views as investigational:\n0016U assay three\n"
        "Codes that are not medically necessary:\n0017U assay four\n"
        "Prior authorization is required for these codes:\nJ0585 drug five\n"
        "Other related codes\n85230 factor test\n"
    )
    got = decide(extractor, text)
    assert got["81235"][0][0] == got["81210"][0][0] == "covered"
    assert got["0016U"][0][0] == "investigational"
    assert got["0017U"][0][0] == "not_medically_necessary"
    assert got["J0585"][0][0] == "prior_auth"
    assert got["85230"] == [("listed", None)]  # a neutral heading ends the reach of the one before
    assert got["0016U"][0][1] == 'heading: "Codes the plan views as investigational:"'


def test_heading_carries_over_a_page_footer(extractor):
    got = decide(
        extractor,
        "Coding\nThe codes below are not medically necessary for any member:\n\n",
        "Plan name, street address | page 2\n81235 gene test\n81210 gene test\n",
    )
    assert [d for d, _ in got["81235"] + got["81210"]] == ["not_medically_necessary"] * 2


def test_wrapped_lead_in_sentence_decides_its_list(extractor):
    text = (
        "Criteria\nA blood-based gene panel is considered medically\nnecessary when each of these holds:\n"
        "1. the tumour is advanced (81235);\n2. tissue is unavailable.\n"
        "Members may not be eligible for the panel in any other case, including but\nnot limited to:\n"
        "- repeat testing (81210)\n"
    )
    got = decide(extractor, text)
    assert got["81235"][0][0] == "covered"
    assert got["81210"][0][0] == "not_medically_necessary"
    assert got["81235"][0][1].startswith("heading:") and "medically necessary" in got["81235"][0][1]


def test_trailing_statement_restates_the_list_above(extractor):
    text = (
        "Limits\nThe plan may not be eligible to pay for these panels, including:\n"
        "- panel one (0016U)\n- panel two (0017U)\n"
        "These are considered experimental because evidence is thin.\n"
    )
    got = decide(extractor, text)
    assert got["0016U"][0][0] == got["0017U"][0][0] == "investigational"


def test_table_row_status_cell_and_marker(extractor):
    text = (
        "Coding Information\nCode Description Comments\n"
        "81235\nGene analysis, common variants\nNot Covered\n"
        "81210\nGene analysis, one variant\n\n"
        "0016U (E/I) Assay with an algorithm\n"
        "0017U (NMN) Another assay\n"
    )
    got = decide(extractor, text)
    assert got["81235"] == [("not_medically_necessary", 'table row: "Not Covered"')]
    assert got["81210"] == [("listed", None)]  # an empty Comments cell says nothing
    assert got["0016U"][0][0] == "investigational"
    assert got["0017U"][0][0] == "not_medically_necessary"


def test_caption_over_a_table_is_not_a_row_cell(extractor):
    text = (
        "Coding\nCovered when criteria are met\nCode Description\n81235 EGFR gene analysis\n81105 HPA-1 gene\n"
        "Not Medically Necessary\nCode Description\n81210 BRAF gene analysis\n81106 HPA-2 gene\n"
    )
    got = decide(extractor, text)
    assert got["81105"][0][0] == "covered"  # neither the column headers nor the next caption end it early
    assert got["81106"][0][0] == "not_medically_necessary"


def test_revision_history_decides_nothing(extractor):
    text = (
        "Policy statement\nThe panel (81235) is not medically necessary.\n"
        "Policy History\nDate Action\n01/01/24 Added 81210 as investigational.\n"
        "Investigational, not medically\nnecessary.\n02/01/25 Moved 81235 to covered.\n"
    )
    got = decide(extractor, text)
    assert got["81235"][0][0] == "not_medically_necessary"
    assert got["81235"][1] == ("listed", None)
    assert got["81210"] == [("listed", None)]


def test_own_sentence_beats_the_heading(extractor):
    text = "Investigational services:\n81210 gene test\nThe gene test 81235 is medically necessary when criteria are met.\n"
    got = decide(extractor, text)
    assert got["81210"][0][0] == "investigational"
    assert got["81235"][0] == ("covered", 'sentence: "is medically necessary"')

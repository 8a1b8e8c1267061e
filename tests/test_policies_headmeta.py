"""Policy metadata read from the document itself: each layout payers use, written here in our own words."""

from __future__ import annotations

from pathlib import Path

from medcodes.policies import docmeta, headmeta
from medcodes.policies.documents import Document, Page


def test_dot_leaders_and_next_review_is_not_last_reviewed():
    m = headmeta.read(
        "Page 1 of 9\nMedical Coverage Policy: 0123\n   Medical Coverage Policy\n\n"
        "Effective Date .................. 04/15/2026\nNext Review Date ............ 04/15/2027\n"
        "Coverage Policy Number ............. 0123\n\nWidget Therapy and Related\nProcedures\nTable of Contents\n"
    )
    assert (m.number, m.effective_date, m.next_review, m.last_reviewed) == (
        "0123",
        "2026-04-15",
        "2027-04-15",
        None,
    )
    assert m.title == "Widget Therapy and Related Procedures"


def test_two_digit_years_and_revised_date_is_current_for_original_plus_revised_layout():
    m = headmeta.read(
        "02-12345-67\nOriginal Effective Date: 02/15/02\nReviewed: 07/24/25\nRevised: 08/15/25\n"
        "Subject: Treatments for Widget\nDisorders\nTHIS GUIDELINE IS NOT AN AUTHORIZATION OF ANY KIND AT ALL\n"
    )
    assert m.number == "02-12345-67"
    assert m.current_effective == "2025-08-15" and m.last_reviewed == "2025-07-24"
    assert m.title == "Treatments for Widget Disorders"  # not cut at the line break


def test_publish_date_glued_to_the_number_and_labelled_subject():
    m = headmeta.read(
        "Medical Policy\nSubject: Widget Testing for Cancer\nDocument #: GENE.00099Publish Date: 07/06/2022\n"
        "Status: NewLast Review Date:\n05/12/2022\n"
    )
    assert (m.title, m.number, m.current_effective) == (
        "Widget Testing for Cancer",
        "GENE.00099",
        "2022-07-06",
    )


def test_reference_number_and_bare_number_layouts():
    assert (
        headmeta.read(
            "Clinical Policy: Widget Panels\nReference Number: CP.MP.999 Coding Implications\n"
        ).number
        == "CP.MP.999"
    )
    assert (
        headmeta.read(
            "Widget Testing\nClinical Policy Bulletins\n\nNumber: 0999\n\nTable Of Contents\n"
        ).number
        == "0999"
    )
    flat = (
        "Medical Policy: L-999-001 Topic: WidgetDx Section: Laboratory Effective Date: January 29, 2024 "
        "Issued Date: January 29, 2024 " + "words " * 80
    )
    m = headmeta.read(flat)
    assert (m.number, m.title, m.effective_date) == ("L-999-001", "WidgetDx", "2024-01-29")


def test_cross_referenced_guideline_number_is_not_the_documents_number():
    m = headmeta.read(
        "09-J0000-99\nRevised: 01/01/26\nSubject: Widgetumab Injection\n"
        "NOTE: for eye indications see MCG # 09-J1000-78, Another Guideline.\n"
    )
    assert m.number == "09-J0000-99"


def test_title_is_not_the_plan_address_or_product_line():
    m = headmeta.read(
        "Widget Surgery Page 1 of 9\nAcme Health Commercial and Individual Exchange Medical Policy\n"
        "Proprietary Information of Acme. Copyright 2025\n\nAcmeHealthcare® Commercial and Individual Exchange\n"
        "Medical Policy\nWidget Surgery\nPolicy Number: 2025T0999PP\nEffective Date: May 1, 2025  Instructions for Use\n"
    )
    assert (m.title, m.number, m.effective_date) == ("Widget Surgery", "2025T0999PP", "2025-05-01")
    m = headmeta.read(
        "500 MAIN STREET, SPRINGFIELD 01234 MEDICAL COVERAGE POLICY | 1\nEFFECTIVE DATE: 01|01|2024\n"
        "POLICY LAST REVIEWED: 01|07|2026\nOVERVIEW\ntext\nMedical Coverage Policy | Widget Testing\n"
        "for Cancer Management\n\n"
    )
    assert (m.title, m.effective_date, m.last_reviewed) == (
        "Widget Testing for Cancer Management",
        "2024-01-01",
        "2026-01-07",
    )


def test_effective_date_from_the_source_url():
    assert (
        headmeta.effective_from_url("https://x.test/MOL_Widget_V1.0.2026_Eff01.01.2026_Pub09.26.2025.pdf")
        == "2026-01-01"
    )
    assert headmeta.effective_from_url("https://x.test/plain.pdf") is None


def test_only_http_urls_become_links_and_file_name_guesses_are_marked(tmp_path: Path):
    from medcodes.policies import metadata as md

    doc = Document(
        path="x",
        kind="text",
        pages=[Page(None, "Widget\n\nsome text without fields\n")],
        checksum="0",
        size=1,
    )
    path = tmp_path / "acme_widget-policy.txt"
    path.write_text("x")
    meta = docmeta.resolve(doc, path, md.Meta(url="github:owner/repo data/x.pdf @abc123"))
    assert meta.url is None and meta.origin == "github:owner/repo data/x.pdf @abc123"
    assert "payer" in meta.guessed and meta.attrs()["guessed_from_file_name"]
    meta = docmeta.resolve(doc, path, md.Meta(url="https://acme.test/widget.pdf", payer="acme"))
    assert meta.url == "https://acme.test/widget.pdf" and "payer" not in meta.guessed

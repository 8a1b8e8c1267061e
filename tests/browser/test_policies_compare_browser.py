"""The payer comparison table in Debian's Chromium: 81479 (unlisted molecular pathology) is cited by four
payers' policies with different stances; the code page shows one row per policy with payer, linked policy,
stance, prior authorization, effective date and the deciding sentence as plain text."""

from __future__ import annotations

import re

import pytest
from live import SCREENSHOTS, LiveServer
from playwright.sync_api import expect
from policies_support import ingested_copy

pytestmark = pytest.mark.browser

DOCS = [
    "openonco_text_extracts/anthem_anthem-gene-59_2026-03-22_404195f9e6bf.pdf.txt",
    "openonco_text_extracts/highmark_highmark-l123_2026-03-22_68af5f8c67c3.html.txt",
    "openonco_text_extracts/wellcare_wellcare-ctdna-liquid-biopsy_2026-03-22_ba1b50a65ccd.pdf.txt",
    "openonco_text_extracts/evicore_evicore-mced-2026_2026-03-22_c7436f8f60e4.pdf.txt",
    "original/bcbsnc_preferred-injectable-oncology-program.pdf",
]


@pytest.fixture(scope="module")
def server(real_db, shared_data, tmp_path_factory):
    docs = [shared_data / "policies" / d for d in DOCS]
    with LiveServer(ingested_copy(real_db, tmp_path_factory.mktemp("policies-compare"), docs)) as srv:
        yield srv


@pytest.fixture(scope="module")
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_comparison_table_of_payers_citing_81479(page, server):
    page.goto(f"{server.url}/codes/cpt/81479")
    table = page.locator("section.policies table.payer-compare")
    expect(table).to_be_visible()
    headers = table.locator("thead th")
    expect(headers).to_have_text(
        ["Payer", "Policy", "Stance", "Prior authorization", "Effective", "What the policy says"]
    )
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(4)
    payers = [t.strip() for t in table.locator("tbody td.payer").all_inner_texts()]
    assert payers == sorted(payers, key=str.lower) and {"Anthem", "Highmark", "WellCare", "eviCore"} <= set(
        payers
    )

    anthem = rows.filter(has=page.locator("td.payer", has_text="Anthem"))
    expect(anthem.locator("td.stance .badge")).to_have_text("Investigational / experimental")
    expect(anthem.locator("td.policy a[href^='/policies/']")).to_have_text(
        "Hybrid Personalized Molecular Residual Disease Testing for Cancer"
    )
    expect(anthem.locator("td.effective")).to_have_text("2022-07-06")
    expect(anthem.locator("td.prior-auth")).to_have_text("Not stated")
    # the deciding sentence is text: no markup survives into the cell
    for cell in table.locator("tbody td.deciding").all():
        assert cell.locator("*:not(span)").count() == 0
        assert "<" not in cell.inner_text() and "&nbsp;" not in cell.inner_text()
    expect(
        rows.filter(has=page.locator("td.payer", has_text="Highmark")).locator("td.deciding")
    ).to_contain_text(re.compile("experimental/investigational", re.I))
    # every link in the table is a policy page or an http(s) original
    for href in table.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))"):
        assert href.startswith("/policies/") or re.match(r"^https?://", href), href
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("section.policies").screenshot(path=str(SCREENSHOTS / "policies-compare-81479.png"))


def test_prior_authorization_column_and_policy_page_criteria(page, server):
    page.goto(f"{server.url}/codes/hcpcs/J9035")
    row = page.locator("table.payer-compare tbody tr", has=page.locator("td.payer", has_text="Blue Cross NC"))
    expect(row.locator("td.prior-auth")).to_have_text("Required")
    row.locator("td.policy a[href^='/policies/']").click()
    page.wait_for_url(re.compile(r"/policies/[^/]+$"))
    expect(page.locator("h1")).to_have_text("Preferred Injectable Oncology Program")
    expect(page.locator("section[aria-labelledby='disp-prior_auth']")).to_contain_text("J9035")
    # a file that came from a repository path has no "original" link
    expect(page.locator("a.button", has_text="Read the original policy")).to_have_count(0)

"""Policies in Debian's Chromium: real payer documents ingested into a copy of the real database, the code
page lists the citing policy with payer and disposition, and the policy page lists the code under it."""

from __future__ import annotations

import re

import pytest
from live import SCREENSHOTS, LiveServer
from playwright.sync_api import expect
from policies_support import ingested_copy

pytestmark = pytest.mark.browser

# Three payers, three layouts; 81327 sits in Carelon's "Not Medically Necessary" code table.
DOCS = [
    "openonco_text_extracts/carelon_carelon-liquid-biopsy-2025_2026-03-22_7b656afb3d46.pdf.txt",
    "openonco_text_extracts/bcbsri_bcbsri-ctdna-2026_2026-03-22_c8bef01960b3.pdf.txt",
    "original/cigna_0070_allergy-testing_mm_0070.pdf",
]


@pytest.fixture(scope="module")
def server(real_db, shared_data, tmp_path_factory):
    docs = [shared_data / "policies" / d for d in DOCS]
    with LiveServer(ingested_copy(real_db, tmp_path_factory.mktemp("policies-browser"), docs)) as srv:
        yield srv


@pytest.fixture(scope="module")
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_code_page_lists_policy_with_payer_and_disposition_then_policy_page(page, server):
    page.goto(f"{server.url}/codes/cpt/81327")
    section = page.locator("section.policies")
    expect(section.locator("h2")).to_contain_text("Medical Policies and Guidelines")
    item = section.locator("table.payer-compare tbody tr", has=page.locator("a[href*='carelon']")).first
    expect(item).to_be_visible()
    expect(item.locator("td.payer")).to_contain_text(re.compile("carelon", re.I))
    expect(item.locator("td.stance .badge")).to_have_text("Not medically necessary")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(SCREENSHOTS / "policies-code-81327.png"))

    item.locator("td.policy a[href^='/policies/']").click()
    page.wait_for_url(re.compile(r"/policies/[^/]+$"))
    group = page.locator("section[aria-labelledby='disp-not_medically_necessary']")
    expect(group.locator("h2")).to_contain_text("Not medically necessary")
    expect(group).to_contain_text("81327")
    covered = page.locator("section[aria-labelledby='disp-covered']")
    expect(covered.locator("h2")).to_contain_text("Medically necessary")
    expect(covered).to_contain_text("81462")
    page.screenshot(path=str(SCREENSHOTS / "policies-policy-page.png"), full_page=True)

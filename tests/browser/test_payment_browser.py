"""The "What Medicare pays" panel in Chromium with JavaScript off: pick a locality with the plain form,
submit, and see the Manhattan amount replace the national one (and the choice kept in the URL)."""

from __future__ import annotations

import re

import pytest
from live import SCREENSHOTS, LiveServer
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.shared]


@pytest.fixture(scope="module")
def server(real_db):
    with LiveServer(real_db) as srv:
        yield srv


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_pick_a_locality_without_javascript(server, browser, viewport):
    context = browser.new_context(java_script_enabled=False, viewport=viewport)
    page = context.new_page()
    page.goto(server.url + "/codes/cpt/99213")
    panel = page.locator("section.payment")
    expect(panel.get_by_role("heading", name="What Medicare pays")).to_be_visible()
    expect(panel).to_contain_text(
        "Medicare's fee schedule amount for 2025; what your plan or the hospital charges can differ"
    )
    row = panel.locator('tr[data-modifier="global"]')
    expect(row.locator("td.nf")).to_have_text("$88.95")
    expect(row.locator("td.fac")).to_have_text("$63.72")
    expect(page.locator("section.limits")).to_contain_text("Practitioner services")
    expect(page.locator("footer")).to_contain_text("American Medical Association")

    page.get_by_label("Medicare locality").select_option("13202-01")
    page.get_by_role("button", name="Show amounts").click()
    page.wait_for_url(re.compile(r"/codes/cpt/99213\?locality=13202-01"))
    expect(row.locator("td.nf")).to_have_text("$101.06")
    expect(panel.locator("caption")).to_contain_text("MANHATTAN, NY (13202-01)")
    expect(page.get_by_label("Medicare locality")).to_have_value("13202-01")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"payment-99213-{viewport['width']}.png"), full_page=True)
    context.close()

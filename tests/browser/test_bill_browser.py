"""/bill in Chromium with JavaScript off: paste a bill, submit the plain form, see every line with its
Medicare amount, then the print view (print media) without the form; no request leaves the server."""

from __future__ import annotations

from pathlib import Path

import pytest
from live import SCREENSHOTS, LiveServer
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.shared]

BILL = Path(__file__).resolve().parents[1] / "fixtures" / "bill" / "01_physician_eob.txt"


@pytest.fixture(scope="module")
def server(real_db):
    with LiveServer(real_db) as srv:
        yield srv


def test_paste_a_bill_and_print_it(server, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda req: hosts.add(req.url.split("/")[2]))
    page.goto(server.url + "/bill")
    expect(page.locator(".privacy")).to_contain_text("never stored, logged or sent anywhere")
    page.get_by_label("Paste the text of your bill").fill(BILL.read_text())
    page.get_by_label("Medicare locality").select_option("13202-01")
    page.get_by_role("button", name="Explain my bill").click()
    page.wait_for_load_state()
    rows = page.locator("tr.bill-line")
    expect(rows).to_have_count(6)
    for code in ("99214", "20610", "73562"):
        amount = page.locator(f'tr.bill-line[data-code="{code}"] td.amount')
        expect(amount).to_contain_text("$")
    expect(page.locator('tr.bill-line[data-code="73562"] td.mods')).to_have_text("26 RT")
    expect(page.locator('tr.bill-line[data-code="E119"] th')).to_contain_text("E11.9")
    expect(page.locator("tfoot td.total")).to_contain_text("$")
    expect(page.get_by_label("Paste the text of your bill")).to_have_value(BILL.read_text())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "bill-screen.png"), full_page=True)

    page.emulate_media(media="print")
    expect(page.locator("form.bill-form")).to_be_hidden()
    expect(page.locator(".privacy")).to_be_hidden()
    expect(rows.first).to_be_visible()
    expect(page.locator('tr.bill-line[data-code="99214"] td.amount')).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "bill-print.png"), full_page=True)
    pdf = page.pdf(format="Letter")
    assert pdf[:4] == b"%PDF"
    assert hosts == {server.url.split("/")[2]}, f"third-party requests: {hosts}"
    context.close()

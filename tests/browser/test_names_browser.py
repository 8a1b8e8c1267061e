"""Common names in Chromium: the search box's suggestions and the code page show the plain name."""

from __future__ import annotations

import re

import pytest
from live import LiveServer
from playwright.sync_api import expect

from medcodes.store import Store

pytestmark = pytest.mark.browser


def test_autocomplete_and_page_show_the_common_name(real_db, browser):
    rec = Store(real_db).get("cpt", "66984")
    assert rec is not None and rec.common_name
    with LiveServer(real_db) as server:
        page = browser.new_page()
        page.goto(server.url + "/")
        box = page.get_by_role("combobox", name="Search all medical codes")
        box.press_sequentially("6698", delay=40)
        option = page.get_by_role("option").filter(has_text="66984")
        expect(option).to_be_visible(timeout=10_000)
        expect(option.locator(".ac-common")).to_have_text(rec.common_name)
        option.click()
        page.wait_for_url(re.compile(r"/codes/cpt/66984$"))
        expect(page.locator("h1")).to_have_text(rec.heading)
        expect(page.locator(".code-head .common-name")).to_contain_text(rec.common_name)
        page.close()

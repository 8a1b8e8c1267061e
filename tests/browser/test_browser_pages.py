"""The website in Debian's Chromium: autocomplete to a CPT page, ICD-10-CM excludes notes, phone width."""

from __future__ import annotations

import re

import pytest
from live import SCREENSHOTS, LiveServer
from playwright.sync_api import Page, expect

from medcodes.store import Store

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def server(real_db):
    with LiveServer(real_db) as srv:
        yield srv


@pytest.fixture(scope="module")
def store(real_db):
    return Store(real_db)


@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser):
    context = browser.new_context(viewport=VIEWPORTS[request.param], device_scale_factor=1)
    p = context.new_page()
    p.viewport_name = request.param
    yield p
    context.close()


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{page.viewport_name}.png"), full_page=True)


def fits_width(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def heading_texts(page: Page, level: str) -> list[str]:
    return [t.strip() for t in page.locator(f"main {level}").all_inner_texts()]


def test_autocomplete_to_85230_and_its_page(page: Page, server, store):
    rec = store.get("cpt", "85230")
    assert rec is not None, "85230 must be in the database built from ../shared/data"
    page.goto(server.url + "/")
    box = page.get_by_role("combobox", name="Search all medical codes")
    expect(box).to_be_focused()
    box.press_sequentially("factor vii", delay=40)
    option = page.get_by_role("option").filter(has_text="85230")
    expect(option).to_be_visible(timeout=10_000)
    shot(page, "home-autocomplete")
    if page.viewport_name == "desktop":
        # Keyboard only: move down the list to 85230, then Enter.
        options = page.get_by_role("option")
        index = next(i for i, t in enumerate(options.all_inner_texts()) if "85230" in t)
        for _ in range(index + 1):
            box.press("ArrowDown")
        expect(option).to_have_attribute("aria-selected", "true")
        box.press("Enter")
    else:
        option.click()
    page.wait_for_url(re.compile(r"/codes/cpt/85230$"))

    expect(page.locator("h1")).to_have_text(rec.title)
    expect(page.locator("main .sys-label")).to_have_text("CPT4 code")
    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    expect(crumbs).to_be_visible()
    for ancestor in store.breadcrumb("cpt", "85230"):
        expect(crumbs.locator(f'a[href$="/codes/cpt/{ancestor.display}"]')).to_have_count(1)
    h2 = heading_texts(page, "h2")
    assert "Medical Policies and Guidelines for 85230" in h2
    assert "Similar Codes" in h2
    assert "Plain-language explanation" in h2
    from medcodes.explain import explanation_for

    explanation = explanation_for(store, "cpt", "85230")
    if explanation is not None:
        h3 = heading_texts(page, ".explanation h3")
        assert h3 == [s.heading for s in explanation.sections]
    expect(page.locator("footer")).to_contain_text(
        "CPT® is a registered trademark of the American Medical Association"
    )
    assert fits_width(page)
    shot(page, "cpt-85230")


def _code_with_excludes(store: Store) -> tuple[str, str, str]:
    """A billable ICD-10-CM code with an Excludes1 note of its own or inherited from its category."""
    (code, display, text) = store.conn.execute(
        """SELECT c.code, c.display, n.text FROM notes n JOIN codes c
           ON c.system = n.system AND (c.code = n.code OR c.parent = n.code)
           WHERE n.system = 'icd10cm' AND n.type = 'excludes1' AND c.billable = 1 AND c.code LIKE 'E11%'
           ORDER BY c.sort LIMIT 1"""
    ).fetchone()
    return code, display, text


def test_icd10cm_page_shows_excludes_notes(page: Page, server, store):
    code, display, text = _code_with_excludes(store)
    page.goto(f"{server.url}/codes/icd10cm/{code.lower()}")  # a non-canonical spelling redirects
    page.wait_for_url(re.compile(rf"/codes/icd10cm/{re.escape(display)}$"))
    expect(page.locator("main .sys-label")).to_have_text("ICD-10-CM code")
    notes = page.locator("section.notes")
    expect(notes.get_by_role("heading", name=re.compile("Excludes1"))).to_be_visible()
    expect(notes).to_contain_text(text)
    expect(page.locator("footer")).not_to_contain_text("American Medical Association")
    assert fits_width(page)
    shot(page, f"icd10cm-{display}")
    page.emulate_media(media="print")
    expect(page.locator("header .search-form")).to_be_hidden()
    expect(page.locator("section.notes")).to_be_visible()


def test_search_results_and_inert_script(page: Page, server):
    page.goto(server.url + "/search?q=" + "%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E%20fracture")
    assert page.evaluate("window.pwned === undefined")
    expect(page.locator("h1")).to_contain_text("<script>")
    page.goto(server.url + "/search?q=broken+hip")
    expect(page.locator("ol.results li").first).to_be_visible()
    assert fits_width(page)
    shot(page, "search-broken-hip")


def test_keyboard_focus_is_visible(page: Page, server):
    page.goto(server.url + "/codes/icd10cm")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    shot(page, "browse-icd10cm")

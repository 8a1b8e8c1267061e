"""Under the Content-Security-Policy, in Debian's Chromium: Swagger UI (served by the app, started from a
static file) renders the API, and the home page's autocomplete script runs, with no policy violation."""

from __future__ import annotations

from pathlib import Path

import pytest
from live import LiveServer

from medcodes import codesets, pipeline

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("csp") / "m.sqlite"
    pipeline.build(db, codesets.choose(FIXTURES, packaged=False), codesets.read, data_dir=FIXTURES)
    with LiveServer(db) as srv:
        yield srv


def test_swagger_ui_and_pages_run_under_the_policy(server, browser):
    page = browser.new_page()
    try:
        violations: list[str] = []
        outside: list[str] = []
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server.url) else None)
        page.goto(f"{server.url}/api/docs")
        page.wait_for_selector(".opblock-summary-path", timeout=15_000)
        assert page.locator(".opblock-summary-path").count() > 5
        assert "/api/v1/search" in page.content()

        page.goto(f"{server.url}/")
        page.fill("input[name=q]", "diab")
        page.wait_for_selector("[role=option]", timeout=10_000)
        assert violations == [], violations
        assert outside == [], outside
    finally:
        page.close()

"""NLM's autocomplete-lhc widget, unmodified from npm and bundled with esbuild from npm at test set-up,
pointed at /api/icd10cm/v3/search and /api/cpt/v3/search on a real server (real data), in Chromium:
type, see medcodes' results in the widget's list, pick one, get its code.

`make install-test` runs `npm ci` in tests/browser/widget, which fetches both packages."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest
from live import SCREENSHOTS, LiveServer
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

WIDGET = Path(__file__).resolve().parent / "widget"
ESBUILD = WIDGET / "node_modules" / ".bin" / "esbuild"
PAGE = "/widget-test/index.html"  # answered by the test itself (page.route), on the server's origin

HTML = """<!doctype html><html><head><meta charset="utf-8"><style>{css}</style></head><body>
<label for="icd">Diagnosis</label> <input id="icd" type="text" style="width:40em">
<label for="cpt">Procedure</label> <input id="cpt" type="text" style="width:40em">
<script>{js}</script>
<script>
  window.picked = {{}};
  new Def.Autocompleter.Search('icd', '/api/icd10cm/v3/search',
    {{tableFormat: true, valueCols: [0, 1], colHeaders: ['Code', 'Name']}});
  new Def.Autocompleter.Search('cpt', '/api/cpt/v3/search', {{}});
  for (const id of ['icd', 'cpt'])
    Def.Autocompleter.Event.observeListSelections(id, d => {{ window.picked[id] = d.item_code; }});
</script></body></html>"""


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> tuple[str, str]:
    assert ESBUILD.exists(), (
        "the widget is not installed: `make install-test` runs npm ci in tests/browser/widget"
    )
    out = tmp_path_factory.mktemp("widget")
    common = ["--bundle", "--loader:.png=dataurl", "--log-level=warning"]
    subprocess.run(
        [str(ESBUILD), "entry.js", "--format=iife", f"--outfile={out / 'widget.js'}", *common],
        cwd=WIDGET,
        check=True,
    )
    css = WIDGET / "node_modules" / "autocomplete-lhc" / "source" / "auto_completion.css"
    subprocess.run(
        [str(ESBUILD), str(css), f"--outfile={out / 'widget.css'}", *common], cwd=WIDGET, check=True
    )
    return (out / "widget.js").read_text(), (out / "widget.css").read_text()


@pytest.fixture(scope="module")
def server(real_db):
    with LiveServer(real_db) as srv:
        yield srv


@pytest.fixture
def page(browser, server, bundle) -> Page:
    js, css = bundle
    html = HTML.format(js=js.replace("</script", "<\\/script"), css=css)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    p.route(server.url + PAGE, lambda route: route.fulfill(status=200, content_type="text/html", body=html))
    p.goto(server.url + PAGE)
    yield p
    context.close()


def _api(server, table: str, terms: str) -> list:
    r = httpx.get(f"{server.url}/api/{table}/v3/search", params={"terms": terms, "maxList": 7}, timeout=20)
    assert r.status_code == 200
    return r.json()


def _pick(page: Page, field: str, typed: str, want: str) -> str:
    box = page.locator(f"#{field}")
    box.click()
    box.press_sequentially(typed, delay=60)
    rows = page.locator("#completionOptions tbody tr, #completionOptions li")
    expect(rows.filter(has_text=want).first).to_be_visible(timeout=15_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"nlm-widget-{field}.png"))
    rows.filter(has_text=want).first.click()
    page.wait_for_function(f"window.picked[{json.dumps(field)}]")
    return page.evaluate(f"window.picked[{json.dumps(field)}]")


def test_widget_diab_in_icd10cm(page: Page, server):
    total, codes, _, rows = _api(server, "icd10cm", "diab")
    assert total > 7 and all(c.startswith("E") for c in codes[:3])
    code = _pick(page, "icd", "diab", codes[1])
    assert code == codes[1]
    value = page.locator("#icd").input_value()  # valueCols: the code and the name
    assert value.startswith(codes[1]) and rows[1][1] in value


def test_widget_colonoscopy_in_cpt(page: Page, server, shared_data):
    total, codes, _, rows = _api(server, "cpt", "colonoscopy")
    assert total >= 7 and "45378" in codes  # diagnostic colonoscopy, from the user's CPT files
    name = rows[codes.index("45378")][1]
    code = _pick(page, "cpt", "colonoscopy", name)
    assert code == "45378"
    assert name in page.locator("#cpt").input_value()

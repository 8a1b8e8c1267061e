"""Readable titles and common names wherever a code is shown (issue 11 items 4 and 5).

Unit tests on records written here in the project's own words; real-data tests on a build from
../shared/data, served by a real server on loopback. No descriptor wording appears in this file:
the tests read descriptors from the build and assert single plain words.
"""

from __future__ import annotations

import html
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from live import LiveServer

from medcodes.models import CMS_WORDING_NOTE, CodeRecord
from medcodes.similar.differences import difference, word_phrases
from medcodes.store import Store

MEDCODES = str(Path(sys.executable).parent / "medcodes")
NAMED = ("66984", "99213", "99214", "36904", "36905", "36906", "90686", "70551", "77299")


def _rec(code: str, title: str, common: str | None = None, system: str = "cpt", short: str | None = None):
    return CodeRecord(system, code, code, "code", title, short_title=short, common_name=common, billable=True)


# -- the record's heading and the note ----------------------------------------------------------


def test_heading_never_empty_and_the_note_marks_cms_wording():
    bare = _rec("Z0001", "", short="Plain text only")
    assert bare.heading == "Plain text only" and bare.plain_name_missing
    coded = _rec("Z0002", "Z0002", short=None)
    assert coded.heading == "Z0002" and coded.plain_name_missing
    same = _rec("Z0003", "Foo bar", short="Foo bar")
    assert same.heading == "Foo bar" and same.plain_name_missing
    named = _rec("Z0004", "Foo bar", "Everyday foo", short="Foo bar")
    assert not named.plain_name_missing
    expanded = _rec("Z0005", "Foo with bar", short="Foo w/ bar")
    assert not expanded.plain_name_missing
    # ICD-10 titles are official long text even when the short one is the same
    icd = _rec("A000", "Cholera thing", system="icd10cm", short="Cholera thing")
    assert not icd.plain_name_missing


# -- how two codes differ -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "other", "want"),
    [
        (("Knee X-ray, left", None), ("Knee X-ray, right", None), "other side"),
        (("Head CT without contrast", None), ("Head CT with contrast", None), "with contrast"),
        (("Head CT with contrast", None), ("Head CT without and with contrast", None), "without and then"),
        (
            ("Clinic visit, new patient", None),
            ("Clinic visit, established patient", None),
            "established instead of new",
        ),
        (
            ("Gallbladder removal, laparoscopic", None),
            ("Gallbladder removal, open", None),
            "open instead of laparoscopic",
        ),
        (
            ("Clot removal from a graft", None),
            ("Clot removal from a graft, with balloon widening", None),
            "adds balloon widening",
        ),
        (
            ("Skin lesion removal, first lesion", None),
            ("Skin lesion removal, each additional lesion", None),
            "each additional",
        ),
    ],
)
def test_difference_phrases(base, other, want):
    a = _rec("Z0010", base[0], base[1])
    b = _rec("Z0011", other[0], other[1])
    said = difference(a, b)
    assert said is not None and want in said, said


def test_unrelated_names_give_no_word_phrase():
    assert word_phrases("Knee replacement", "Eye pressure test with dilation of pupils") == []
    assert difference(_rec("Z1", "Knee replacement"), _rec("Z2", "Eye pressure test")) is None


# -- real data ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(real_db) -> Store:
    return Store(real_db)


@pytest.fixture(scope="module")
def server(real_db):
    with LiveServer(real_db) as srv:
        yield srv


@pytest.fixture(scope="module")
def cms_only(real_db) -> tuple[str, str]:
    """A CPT or HCPCS code whose heading can only be its CMS wording (no plain name, nothing expanded)."""
    conn = sqlite3.connect(f"file:{real_db}?mode=ro", uri=True)
    row = conn.execute(
        "SELECT system, code FROM codes WHERE system IN ('cpt', 'hcpcs') AND kind = 'code'"
        " AND common_name IS NULL AND title = short_title ORDER BY system, code LIMIT 1"
    ).fetchone()
    conn.close()
    assert row, "the real build has codes with no plain name"
    return row


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def test_named_codes_have_plain_headings_and_names(store):
    recs = {c: store.get("cpt", c) for c in NAMED}
    assert all(recs.values())
    for code, rec in recs.items():
        assert rec.common_name, code
        assert rec.short_title and rec.heading != rec.short_title, f"{code} heading is still the CMS wording"
        assert not rec.plain_name_missing
    assert "cataract" in _words(recs["66984"].heading) and "cataract" in _words(recs["66984"].common_name)
    for code in ("99213", "99214"):
        assert "established" in _words(recs[code].heading) and "established" in _words(recs[code].common_name)
    assert recs["99213"].common_name != recs["99214"].common_name
    assert "influenza" in _words(recs["90686"].heading) and "flu" in _words(recs["90686"].common_name)
    assert "brain" in _words(recs["70551"].common_name) and "without" in _words(recs["70551"].heading)
    assert "radiation" in _words(recs["77299"].common_name) and "treatment" in _words(recs["77299"].heading)
    trio = [recs[c] for c in ("36904", "36905", "36906")]
    assert len({(r.heading, r.common_name) for r in trio}) == 3
    assert len({r.common_name for r in trio}) == 3


def test_store_reads_common_names_in_bulk(store):
    names = store.common_names([("cpt", "66984"), ("cpt", "99213"), ("icd10cm", "E119")])
    assert set(names) == {("cpt", "66984"), ("cpt", "99213")}


def test_code_page_shows_every_name(server, store):
    rec = store.get("cpt", "66984")
    page = httpx.get(f"{server.url}/codes/cpt/66984", timeout=30)
    assert page.status_code == 200
    text = html.unescape(page.text)
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S).group(1).strip()
    assert h1 == rec.heading
    # the plain name right beneath the heading, then the CMS wording labelled as such
    after = text[text.index("</h1>") :]
    assert after.index(rec.common_name) < after.index("CMS short descriptor")
    assert rec.short_title in after
    title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
    assert rec.common_name in title
    meta = re.search(r'<meta name="description" content="([^"]*)"', text).group(1)
    assert rec.common_name in meta and rec.heading in meta
    assert "Common name: " + rec.common_name in text  # the explanation's Name section
    assert "Medical term: " in text
    assert CMS_WORDING_NOTE not in text


def test_lists_crumbs_and_similar_show_names(server, store):
    parent = store.get("cpt", "36904").parent
    page = html.unescape(httpx.get(f"{server.url}/codes/cpt/{parent}", timeout=30).text)
    for code in ("36904", "36905", "36906"):  # the child list
        assert store.get("cpt", code).common_name in page
    page = html.unescape(httpx.get(f"{server.url}/codes/cpt/36904", timeout=30).text)
    similar = page[page.index('id="similar-h"') :]
    assert store.get("cpt", "36905").common_name in similar
    assert "adds balloon widening" in similar
    crumbs = page[page.index('class="crumbs"') : page.index("</nav>", page.index('class="crumbs"'))]
    assert store.get("cpt", parent).heading[:20] in crumbs


def test_search_page_and_autocomplete_show_names(server, store):
    api = httpx.get(
        f"{server.url}/api/v1/search", params={"q": "cataract", "system": "cpt"}, timeout=30
    ).json()
    named = [h for h in api["results"] if h["common_name"]]
    assert named, "some cataract hits have a plain name"
    page = html.unescape(
        httpx.get(f"{server.url}/search", params={"q": "cataract", "system": "cpt"}, timeout=30).text
    )
    for h in named:
        assert h["common_name"] in page
    ac = httpx.get(f"{server.url}/api/v1/autocomplete", params={"q": "6698"}, timeout=30).json()
    hit = next(h for h in ac if h["code"] == "66984")
    assert hit["common_name"] == store.get("cpt", "66984").common_name
    script = httpx.get(f"{server.url}/static/autocomplete.js", timeout=30).text
    assert "common_name" in script


def test_api_fields_and_cli_json_equal_api(server, store, real_db):
    rec = store.get("cpt", "66984")
    doc = httpx.get(f"{server.url}/api/v1/codes/cpt/66984", timeout=30).json()
    assert doc["title"] == rec.heading and doc["common_name"] == rec.common_name
    assert doc["short_title"] == rec.short_title != doc["title"]
    assert doc["title_note"] is None
    cli = subprocess.run(
        [MEDCODES, "show", "66984", "--system", "cpt", "--db", str(real_db), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    import json

    assert json.loads(cli.stdout) == doc
    text = subprocess.run(
        [MEDCODES, "show", "66984", "--system", "cpt", "--db", str(real_db)], capture_output=True, text=True
    ).stdout
    assert rec.common_name in text and "CMS short descriptor" in text


def test_code_with_no_plain_name_shows_cms_wording_and_the_note(server, store, cms_only):
    system, code = cms_only
    rec = store.get(system, code)
    assert rec.plain_name_missing
    text = html.unescape(httpx.get(f"{server.url}/codes/{system}/{rec.display}", timeout=30).text)
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S).group(1).strip()
    assert h1 == rec.short_title
    assert CMS_WORDING_NOTE in text
    doc = httpx.get(f"{server.url}/api/v1/codes/{system}/{rec.display}", timeout=30).json()
    assert (
        doc["title"] == rec.short_title
        and doc["title_note"] == CMS_WORDING_NOTE
        and doc["common_name"] is None
    )


def test_similar_api_says_how_codes_differ(server, store):
    def diff(a: str, b: str, system: str = "cpt") -> str:
        said = difference(store.get(system, a), store.get(system, b))
        assert said, (a, b)
        return said

    assert "with contrast" in diff("70450", "70460")  # head CT without, then with contrast
    assert "established instead of new patient" in diff("99203", "99213")
    assert "new instead of established patient" in diff("99213", "99203")
    assert diff("BQ07ZZZ", "BQ08ZZZ", "icd10pcs") == "other side"  # right and left knee X-ray
    assert "open instead of laparoscopic" in diff("44970", "44950")  # appendix removal
    doc = httpx.get(f"{server.url}/api/v1/codes/cpt/36904/similar", timeout=30).json()
    items = {s["code"]: s for s in doc["similar"]}
    assert doc["common_name"] == store.get("cpt", "36904").common_name
    assert items["36905"]["difference"].startswith("adds ")
    assert items["36905"]["common_name"] == store.get("cpt", "36905").common_name
    assert all(s["difference"] for s in doc["similar"])

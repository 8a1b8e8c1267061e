"""Every HTML route through a real server: 200, 301, 304, 404 and 422, never a 500."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from live import LiveServer

from medcodes import pipeline
from medcodes.models import CodeRecord, Note, Source
from medcodes.store import build

N = Note


def _records() -> dict[str, list[CodeRecord]]:
    cm = [
        CodeRecord(
            "icd10cm",
            "E00-E89",
            "E00-E89",
            "chapter",
            "Endocrine, nutritional and metabolic diseases",
            notes=[
                N("excludes2", "transitory endocrine disorders of newborn (P70-P74)"),
                N("note", "All neoplasms are classified in chapter 2"),
            ],
        ),
        CodeRecord("icd10cm", "E08-E13", "E08-E13", "section", "Diabetes mellitus", parent="E00-E89"),
        CodeRecord(
            "icd10cm",
            "E11",
            "E11",
            "category",
            "Type 2 diabetes mellitus",
            parent="E08-E13",
            notes=[
                N("includes", "diabetes (mellitus) due to insulin secretory defect"),
                N("excludes1", "diabetes mellitus due to underlying condition (E08.-)"),
                N("use_additional", "Use additional code to identify control using insulin (Z79.4)"),
            ],
        ),
        CodeRecord(
            "icd10cm",
            "E113",
            "E11.3",
            "subcategory",
            "Type 2 diabetes mellitus with ophthalmic complications",
            parent="E11",
        ),
        CodeRecord(
            "icd10cm",
            "E1130",
            "E11.30",
            "code",
            "Type 2 diabetes mellitus with unspecified diabetic retinopathy without macular edema",
            billable=True,
            parent="E113",
        ),
        CodeRecord(
            "icd10cm",
            "E119",
            "E11.9",
            "code",
            "Type 2 diabetes mellitus without complications",
            billable=True,
            parent="E11",
            notes=[N("inclusion", "Type 2 diabetes mellitus NOS")],
            effective_date="2015-10-01",
        ),
        CodeRecord(
            "icd10cm",
            "E08",
            "E08",
            "category",
            "Diabetes mellitus due to underlying condition",
            parent="E08-E13",
        ),
    ]
    pcs = [
        CodeRecord(
            "icd10pcs",
            "0DT",
            "0DT",
            "category",
            "Gastrointestinal System, Resection",
            notes=[N("includes", "Total nephrectomy, total lobectomy of lung")],
        ),
        CodeRecord(
            "icd10pcs",
            "0DTJ4ZZ",
            "0DTJ4ZZ",
            "code",
            "Resection of Appendix, Percutaneous Endoscopic Approach",
            billable=True,
            parent="0DT",
            attrs={
                "axes": [
                    {"pos": 1, "name": "Section", "value": "0", "label": "Medical and Surgical"},
                    {"pos": 2, "name": "Body System", "value": "D", "label": "Gastrointestinal System"},
                    {
                        "pos": 3,
                        "name": "Operation",
                        "value": "T",
                        "label": "Resection",
                        "definition": "Cutting out or off, without replacement, all of a body part",
                    },
                    {"pos": 4, "name": "Body Part", "value": "J", "label": "Appendix"},
                    {"pos": 5, "name": "Approach", "value": "4", "label": "Percutaneous Endoscopic"},
                    {"pos": 6, "name": "Device", "value": "Z", "label": "No Device"},
                    {"pos": 7, "name": "Qualifier", "value": "Z", "label": "No Qualifier"},
                ]
            },
        ),
    ]
    hcpcs = [
        CodeRecord("hcpcs", "E0100-E8002", "E0100-E8002", "section", "Durable medical equipment"),
        CodeRecord(
            "hcpcs",
            "E1130",
            "E1130",
            "code",
            "Standard wheelchair, fixed full length arms",
            billable=True,
            parent="E0100-E8002",
        ),
        CodeRecord(
            "hcpcs",
            "E1140",
            "E1140",
            "code",
            "Wheelchair, detachable arms",
            billable=True,
            parent="E0100-E8002",
            termination_date="2020-01-01",
        ),
    ]
    # Synthetic CPT rows: real CPT descriptors are never committed.
    cpt = [
        CodeRecord("cpt", "90000-90099", "90000-90099", "section", "Synthetic test section"),
        CodeRecord(
            "cpt",
            "90001",
            "90001",
            "code",
            "Synthetic test procedure one",
            billable=True,
            parent="90000-90099",
        ),
        CodeRecord(
            "cpt",
            "90002",
            "90002",
            "code",
            "Synthetic test procedure two",
            billable=True,
            parent="90000-90099",
        ),
    ]
    return {"icd10cm": cm, "icd10pcs": pcs, "hcpcs": hcpcs, "cpt": cpt}


@pytest.fixture(scope="module")
def small_db(tmp_path_factory) -> Path:
    recs = _records()
    path = tmp_path_factory.mktemp("webdb") / "medcodes.sqlite"
    sources = [Source(s, f"test {s}", "T1") for s in recs]
    pipeline.build(path, sources, lambda src: iter(recs[src.system]))
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO policies (id, source, payer, title, number, type, effective_date, url, ingested_at)"
            " VALUES ('acme-dm-1', 'payer-document', 'Acme Health', 'Diabetes <management> policy', 'DM-1',"
            " 'medical policy', '2025-01-01', 'https://example.org/dm1.pdf', '2025-01-02')"
        )
        conn.executemany(
            "INSERT INTO policy_codes (policy_id, system, code, disposition, evidence, context, page) VALUES (?,?,?,?,?,?,?)",
            [
                (
                    "acme-dm-1",
                    "icd10cm",
                    "E119",
                    "covered",
                    "Covered",
                    "E11.9 is covered when <criteria> are met",
                    3,
                ),
                ("acme-dm-1", "icd10cm", "E1199", "investigational", "Experimental", "E11.99 gone", 4),
            ],
        )
    return path


@pytest.fixture(scope="module")
def server(small_db):
    with LiveServer(small_db) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server):
    with server.client() as c:
        yield c


def test_home_lists_systems_with_sizes_and_ama_notice(client, small_db):
    from medcodes.store import Store

    sizes = {s: v["codes"] for s, v in Store(small_db).stats().items()}
    r = client.get("/")
    assert r.status_code == 200
    assert "Search all medical codes" in r.text
    assert 'href="/codes/icd10cm"' in r.text and 'href="/codes/icd10pcs"' in r.text
    for system, n in sizes.items():
        card = r.text[r.text.index(f'href="/codes/{system}"') :][:400]
        assert f"{n} codes" in card
    assert "American Medical Association" in r.text
    assert "test icd10cm T1" in r.text  # footer states the data versions


def test_code_page_sections_in_seed_order(client):
    r = client.get("/codes/icd10cm/E11.9")
    assert r.status_code == 200
    html = r.text
    main = html.index("<main")
    marks = [
        "E11.9",
        "ICD-10-CM code",
        "Type 2 diabetes mellitus without complications",
        'aria-label="Breadcrumb"',
        "Billable",
        "Coding notes",
        "Plain-language explanation",
        "Medical Policies and Guidelines for E11.9",
        "Similar Codes",
    ]
    order = [html.index(m, main) for m in marks]
    assert order == sorted(order)
    assert "<title>E11.9 – Type 2 diabetes mellitus without complications" in html
    assert '<link rel="canonical" href="http://127.0.0.1' in html and "/codes/icd10cm/E11.9" in html
    assert '<meta name="description" content="E11.9: Type 2 diabetes mellitus without complications.' in html
    assert "American Medical Association" not in html  # no CPT content on this page


def test_inherited_notes_are_marked_with_their_origin(client):
    html = client.get("/codes/icd10cm/E11.9").text
    notes = html[html.index('id="notes-h"') : html.index('id="explain-h"')]
    assert "Type 2 diabetes mellitus NOS" in notes  # its own inclusion term
    assert "diabetes mellitus due to underlying condition" in notes
    assert 'Applies from <a href="/codes/icd10cm/E11">E11' in notes
    assert 'Applies from <a href="/codes/icd10cm/E00-E89">' in notes  # chapter excludes2
    assert "All neoplasms" not in notes  # chapter guideline notes stay on the chapter page
    assert '<a href="/codes/icd10cm/E08">E08.-</a>' in notes  # code references become links


def test_header_node_lists_children_and_is_not_billable(client):
    html = client.get("/codes/icd10cm/E11").text
    assert "Not billable" in html
    assert 'href="/codes/icd10cm/E11.9"' in html and 'href="/codes/icd10cm/E11.3"' in html


def test_pcs_axes_table(client):
    html = client.get("/codes/icd10pcs/0DTJ4ZZ").text
    assert "What each character means" in html
    assert "Percutaneous Endoscopic" in html and "Cutting out or off" in html
    assert "Total nephrectomy" not in html  # a PCS table's examples do not flow down to its codes


def test_cpt_page_carries_ama_notice(client):
    html = client.get("/codes/cpt/90001").text
    assert "CPT4 code" in html
    assert "CPT® is a registered trademark of the American Medical Association." in html


def test_same_code_in_two_systems_links_across(client):
    html = client.get("/codes/hcpcs/E1130").text
    assert "HCPCS Level II code" in html
    assert 'href="/codes/icd10cm/E11.30">an ICD-10-CM code: ' in html
    assert "Deleted" in client.get("/codes/hcpcs/E1140").text


@pytest.mark.parametrize(
    "path, target",
    [
        ("/codes/icd10cm/e119", "/codes/icd10cm/E11.9"),
        ("/codes/icd10cm/E119", "/codes/icd10cm/E11.9"),
        ("/codes/icd10cm/e11.9", "/codes/icd10cm/E11.9"),
        ("/codes/ICD-10-CM/E11.9", "/codes/icd10cm/E11.9"),
        ("/codes/icd10pcs/0dtj4zz", "/codes/icd10pcs/0DTJ4ZZ"),
        ("/codes/ICD-10-CM", "/codes/icd10cm"),
    ],
)
def test_non_canonical_spellings_redirect(client, path, target):
    r = client.get(path)
    assert r.status_code == 301
    assert r.headers["location"] == target


def test_policy_page_and_code_page_section(client):
    r = client.get("/policies/acme-dm-1")
    assert r.status_code == 200
    html = r.text
    assert "Diabetes &lt;management&gt; policy" in html and "<management>" not in html
    assert "Acme Health" in html and 'href="https://example.org/dm1.pdf"' in html
    assert html.index("Medically necessary") < html.index('href="/codes/icd10cm/E11.9"')
    assert "E11.99" in html and 'href="/codes/icd10cm/E11.99"' not in html  # cited but not in the database
    code = client.get("/codes/icd10cm/E11.9").text
    section = code[code.index('id="policies-h"') : code.index('id="similar-h"')]
    assert 'href="/policies/acme-dm-1"' in section and "Medically necessary" in section
    assert "&lt;criteria&gt;" in section


def test_browse_pages(client):
    r = client.get("/codes/icd10cm")
    assert r.status_code == 200
    assert "ICD-10-CM codes" in r.text and 'href="/codes/icd10cm/E00-E89"' in r.text
    r = client.get("/codes/icd10cm/E00-E89")
    assert r.status_code == 200 and 'href="/codes/icd10cm/E08-E13"' in r.text
    assert client.get("/codes/icd10cm?page=99").status_code == 404
    assert client.get("/codes/cpt").status_code == 200
    assert client.get("/codes").status_code == 302


def test_search_page_results_filters_and_exact_redirect(client):
    r = client.get("/search", params={"q": "diabetes"})
    assert r.status_code == 200
    assert 'href="/codes/icd10cm/E11.9"' in r.text
    assert "<mark>" in r.text.lower()
    assert "system=icd10pcs" in r.text  # per-system filter links
    r = client.get("/search", params={"q": "e11.9"})
    assert r.status_code in (302, 303, 307)
    assert r.headers["location"] == "/codes/icd10cm/E11.9"
    r = client.get("/search", params={"q": "diabetes", "system": "hcpcs"})
    assert r.status_code == 200 and "/codes/icd10cm/E11.9" not in r.text
    assert client.get("/search").status_code == 200


def test_script_in_query_is_inert(client):
    evil = '<script>alert("x")</script>'
    r = client.get("/search", params={"q": evil})
    assert r.status_code in (200, 422)
    assert "<script>alert" not in r.text
    assert "&lt;script&gt;" in r.text
    r = client.get("/codes/icd10cm/" + "%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert r.status_code in (404, 422) and "<script>alert" not in r.text


@pytest.mark.parametrize(
    "path, status",
    [
        ("/codes/icd10cm/E11.99999", 404),
        ("/codes/icd10cm/Q99.9", 404),
        ("/codes/nosuch/E11.9", 404),
        ("/codes/nosuch", 404),
        ("/no/such/page", 404),
        ("/policies/no-such-policy", 404),
        ("/sitemaps/nosuch-1.xml", 404),
        ("/codes/icd10cm/" + "A" * 300, 422),
        ("/codes/icd10cm/E11%25%27%22", 422),
        ("/policies/%3Cbad%3E", 422),
        ("/search?q=" + "x" * 5000, 422),
        ("/search?q=" + "x" * 20000, 422),
        ("/search?q=E11&page=abc", 422),
        ("/search?q=E11&page=0", 422),
        ("/search?q=E11&system=nosuch", 422),
        ("/codes/icd10cm/E11?page=-1", 422),
        ("/codes/icd10cm?page=abc", 422),
    ],
)
def test_bad_input_gets_an_html_error_page(client, path, status):
    r = client.get(path)
    assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    assert "<h1>" in r.text and "Search all medical codes" in r.text


def test_404_for_unknown_code_suggests_neighbours(client):
    r = client.get("/codes/icd10cm/E11.99999")
    assert r.status_code == 404
    assert "Did you mean" in r.text and 'href="/codes/icd10cm/E11.9"' in r.text
    assert "E11.99999 is not an ICD-10-CM code" in r.text


def test_api_errors_stay_json(client):
    r = client.get("/api/v1/no-such-endpoint")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/json")


def test_etag_and_gzip(client):
    r = client.get("/codes/icd10cm/E11.9", headers={"Accept-Encoding": "gzip"})
    assert r.headers.get("content-encoding") == "gzip"
    assert "max-age" in r.headers["cache-control"]
    etag = r.headers["etag"]
    r2 = client.get("/codes/icd10cm/E11.9", headers={"If-None-Match": etag})
    assert r2.status_code == 304 and r2.content == b""
    other = client.get("/codes/icd10cm/E11").headers["etag"]
    assert other != etag


def test_etag_changes_with_the_database(small_db, tmp_path):
    import shutil

    copy = tmp_path / "copy.sqlite"
    shutil.copy(small_db, copy)
    with LiveServer(copy) as srv, srv.client() as c:
        before = c.get("/codes/icd10cm/E11.9").headers["etag"]
        with sqlite3.connect(copy) as conn:
            conn.execute("UPDATE meta SET value = 'rebuilt' WHERE key = 'build_id'")
        # A new build is a new file (atomic rename); the server's view changes with its mtime.
        after = c.get("/codes/icd10cm/E11.9").headers["etag"]
    assert before != after


def test_static_assets_and_robots(client):
    css = client.get("/static/site.css")
    assert css.status_code == 200 and "immutable" in css.headers["cache-control"]
    assert "@media print" in css.text
    assert client.get("/static/autocomplete.js").status_code == 200
    assert client.get("/static/nope.css").status_code == 404
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and "Sitemap: http://127.0.0.1" in robots.text


def test_sitemap_index_and_files(client):
    r = client.get("/sitemap.xml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    files = re.findall(r"<loc>http://127\.0\.0\.1:\d+(/sitemaps/[^<]+)</loc>", r.text)
    assert "/sitemaps/pages-1.xml" in files and "/sitemaps/icd10cm-1.xml" in files
    cm = client.get("/sitemaps/icd10cm-1.xml").text
    assert "/codes/icd10cm/E11.9</loc>" in cm
    assert client.get("/sitemaps/icd10cm-2.xml").status_code == 404


def test_sitemap_splits_at_50000(tmp_path):
    recs = [
        CodeRecord("icd10pcs", f"0{i:06d}", f"0{i:06d}", "code", f"Synthetic {i}", billable=True)
        for i in range(50_001)
    ]
    path = tmp_path / "big.sqlite"
    build.build(path, [Source("icd10pcs", "big", "T")], lambda s: iter(recs), steps=[])
    with LiveServer(path) as srv, srv.client() as c:
        index = c.get("/sitemap.xml").text
        assert "/sitemaps/icd10pcs-1.xml" in index and "/sitemaps/icd10pcs-2.xml" in index
        first = c.get("/sitemaps/icd10pcs-1.xml").text
        second = c.get("/sitemaps/icd10pcs-2.xml").text
    assert first.count("<url>") == 50_000
    assert second.count("<url>") == 1


def test_every_page_has_unique_title_and_landmarks(client):
    titles = set()
    for path in [
        "/",
        "/codes/icd10cm",
        "/codes/icd10cm/E11",
        "/codes/icd10cm/E11.9",
        "/codes/cpt/90001",
        "/search?q=diabetes",
    ]:
        html = client.get(path).text
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert title not in titles
        titles.add(title)
        assert '<meta name="description"' in html
        assert "<main" in html and "<header" in html and "<footer" in html and 'role="search"' in html
        levels = [int(h) for h in re.findall(r"<h([1-6])[ >]", html)]
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))  # no skipped levels

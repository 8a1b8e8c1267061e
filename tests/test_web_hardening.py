"""Issue 14 on the web side, each through a real server on loopback: rebuilds swap cleanly under load,
every request is bounded, links are checked, security headers, no leaks, read-only index, one error shape."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
from live import LiveServer
from policies_support import make_db

from medcodes import codesets, pipeline
from medcodes.cli.codes import SERVER_LIMITS
from medcodes.policies.ingest import Ingester
from medcodes.store import Store
from medcodes.web.app import create_app

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _build(path: Path, *, cpt: bool) -> str:
    sources = [s for s in codesets.choose(FIXTURES, packaged=False) if cpt or s.system != "cpt"]
    pipeline.build(path, sources, codesets.read, data_dir=FIXTURES)
    return Store(path).build_id


# -- 1. a rebuild under a live server -------------------------------------------------------------


@pytest.mark.parametrize("searched_first", [False, True], ids=["before-first-search", "after-searching"])
def test_rebuild_under_load_switches_as_a_whole_with_no_failed_request(tmp_path, searched_first):
    db = tmp_path / "m.sqlite"
    with_cpt = {_build(db, cpt=True): True}
    word = Store(db).get("cpt", "99213").title.split()[0].lower()
    results: list[tuple[float, str, str, int, bool]] = []  # (start, route, build, status, shows CPT)
    stop, rebuilt = threading.Event(), threading.Event()

    def client_loop() -> None:
        with httpx.Client(base_url=server.url, timeout=10) as c:
            for i in range(100_000):  # bounded; `stop` ends it long before
                if stop.is_set():
                    return
                t0 = time.monotonic()
                route = ("code", "search", "autocomplete")[i % 3]
                if not searched_first and not rebuilt.is_set():
                    route = "code"  # nothing touches the search index before the rebuild
                if route == "code":
                    r = c.get("/api/v1/codes/cpt/99213")
                    shows = r.status_code == 200
                elif route == "search":
                    r = c.get("/api/v1/search", params={"q": word, "system": "cpt"})
                    shows = r.status_code == 200 and r.json()["total"] > 0
                else:
                    r = c.get("/api/v1/autocomplete", params={"q": word, "limit": 20})
                    shows = r.status_code == 200 and any(h["system"] == "cpt" for h in r.json())
                results.append((t0, route, r.headers.get("x-medcodes-build", ""), r.status_code, shows))

    with LiveServer(db) as server:
        if searched_first:
            assert httpx.get(f"{server.url}/api/v1/search", params={"q": word}).status_code == 200
        threads = [threading.Thread(target=client_loop) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            time.sleep(0.5)
            with_cpt[_build(db, cpt=False)] = False  # in place, different content: no CPT at all
            rebuilt.set()
            time.sleep(0.5)
            with_cpt[_build(db, cpt=True)] = True  # and back: the first build's artefacts are gone now
            switched = time.monotonic()
            time.sleep(1.5)
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=30)

    assert len(results) > 100
    failures = [r for r in results if r[3] not in (200, 404)]
    assert failures == [], failures[:5]
    for _t0, route, build, status, shows in results:
        assert build in with_cpt, (route, build, status)
        # One build per response: what it shows matches the build its header names.
        assert shows == with_cpt[build], (route, build, status)
        if route == "code":
            assert status == (200 if with_cpt[build] else 404)
        else:
            assert status == 200
    builds = list(with_cpt)
    seen = {r[2] for r in results}
    assert builds[1] in seen, "the server never switched to the rebuilt database"
    late = [r for r in results if r[0] > switched + 0.5]
    assert late and {r[2] for r in late} == {builds[2]}, (
        "after the switch every answer comes from the new build"
    )


# -- 3. every request bounded ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The fixture database with one policy whose stored link is a script, served on loopback."""
    folder = tmp_path_factory.mktemp("hardening")
    db = folder / "m.sqlite"
    _build(db, cpt=True)
    docs = folder / "docs"
    docs.mkdir()
    (docs / "p1.txt").write_text(
        "CPT codes covered if selection criteria are met:\n99213\nICD-10 codes:\nE11.9\n"
    )
    (docs / "p2.txt").write_text("CPT codes covered if selection criteria are met:\n99213\n")
    (docs / "manifest.csv").write_text(
        "file,payer,title,number,effective_date,url\n"
        "p1.txt,Blue Plan,Tumor testing,BP-7,2024-03-01,javascript:alert(document.domain)\n"
        "p2.txt,Blue Plan,Office visits 100%,BP-8,2024-03-01,https://example.org/bp-8\n"
    )
    store = Store(db, readonly=False)
    try:
        report = Ingester(store.conn).ingest([str(docs)], None)
    finally:
        store.close()
    assert {f.status for f in report.files} == {"added"}, report.files
    with LiveServer(db, **SERVER_LIMITS) as server:
        yield server


@pytest.fixture()
def client(world):
    with world.client() as c:
        yield c


@pytest.mark.parametrize(
    "params",
    [
        {"offset": "9223372036854775808"},
        {"offset": "99999999999999999999999"},
        {"limit": "9223372036854775808"},
        {"offset": "-1"},
    ],
)
def test_numeric_parameters_are_bounded(client, params):
    for path in ("/api/v1/policies", "/api/v1/search", "/api/v1/changes?since=2020-01-01"):
        r = client.get(path, params=params)
        assert r.status_code == 422, (path, r.status_code, r.text[:200])
        assert r.json()["status"] == 422


CODE_ROUTES = [
    "/api/v1/codes/icd10cm/{c}",
    "/api/v1/codes/icd10cm/{c}/explanation",
    "/api/v1/codes/icd10cm/{c}/similar",
    "/api/v1/codes/icd10cm/{c}/policies",
    "/api/v1/codes/cpt/{c}/payment",
    "/codes/icd10cm/{c}",
]


@pytest.mark.parametrize("route", CODE_ROUTES)
def test_overlong_path_codes_are_refused_at_once(client, route):
    code = "A" * 20_000
    client.get(route.format(c="E11.9"))  # warm up
    t0 = time.perf_counter()
    r = client.get(route.format(c=code))
    took = time.perf_counter() - t0
    assert r.status_code == 422, (route, r.status_code)
    assert took < 0.05, f"{route} took {took * 1000:.0f} ms"
    assert code not in r.text


def test_like_wildcards_in_text_filters_are_literal(client):
    everything = client.get("/api/v1/policies").json()["total"]
    assert everything == 2
    assert client.get("/api/v1/policies", params={"q": "%"}).json()["total"] == 1  # "Office visits 100%"
    assert client.get("/api/v1/policies", params={"q": "_"}).json()["total"] == 0
    assert client.get("/api/v1/policies", params={"payer": "%"}).json()["total"] == 0
    assert client.get("/api/v1/policies", params={"q": "100%"}).json()["total"] == 1


def test_a_huge_request_header_is_refused(world):
    """64 MB of header: the server stops reading long before the end and refuses it."""
    with socket.create_connection(("127.0.0.1", world.port), timeout=10) as s:
        s.sendall(b"GET /api/v1/search?q=x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
        sent, chunk = 0, b"a" * (1 << 20)
        try:
            while sent < 64 << 20:
                s.sendall(chunk)
                sent += len(chunk)
            s.sendall(b"\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            reply = s.recv(200)
        except ConnectionResetError:
            reply = b""
    assert sent < 64 << 20 or reply.split(b" ")[1] in (b"400", b"431"), reply[:80]
    assert not reply.startswith(b"HTTP/1.1 200")


def test_a_large_header_is_refused_by_the_app_on_any_server(tmp_path):
    db = make_db(tmp_path / "m.sqlite")
    with LiveServer(db) as server:  # uvicorn's default HTTP parser
        r = httpx.get(f"{server.url}/api/v1/search", headers={"X-Big": "a" * 100_000})
        assert r.status_code == 431 and r.json()["status"] == 431


def _get_routes(routes, prefix: str = "") -> list[str]:
    """Every GET path of the app, through mounts and included routers."""
    paths = []
    for route in routes:
        path = getattr(route, "path", None)
        if "GET" in (getattr(route, "methods", None) or ()):
            paths.append(prefix + path)
        elif path == "/api/v1":
            paths += _get_routes(route.routes, path)
        elif (inner := getattr(route, "original_router", None)) is not None:
            paths += _get_routes(inner.routes, prefix)
    return paths


SAMPLES = {
    "system": "icd10cm",
    "code": "E11.9",
    "table": "icd10cm",
    "policy_id": "blue-plan-bp-8",
    "name": "pages-1.xml",
}


def test_head_is_answered_on_every_get_route(world, client):
    paths = _get_routes(create_app(world.server.config.app.state.live.path).routes)
    assert len(paths) > 15
    for template in paths:
        path = template
        for key, value in SAMPLES.items():
            path = path.replace("{" + key + "}", value)
        if "{" in path:
            continue
        if path.endswith("/changes"):
            path += "?since=2020-01-01"
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code != 405, (path, head.status_code, get.status_code)
        assert head.content == b""
    assert client.head("/static/site.css").status_code == 200


# -- 4. links --------------------------------------------------------------------------------------


def test_only_http_links_become_links(client):
    page = client.get("/policies/blue-plan-bp-7")
    assert page.status_code == 200
    assert 'href="javascript:' not in page.text and "javascript:alert" in page.text  # shown as text
    code_page = client.get("/codes/cpt/99213")
    assert code_page.status_code == 200
    assert 'href="javascript:' not in code_page.text
    assert 'href="https://example.org/bp-8"' in code_page.text


# -- 7. headers and leaks --------------------------------------------------------------------------


def test_security_headers_on_every_response(client):
    for path in ("/", "/codes/icd10cm/E11.9", "/api/v1/search?q=x", "/no/such", "/api/v1/nope", "/api/docs"):
        r = client.get(path)
        csp = r.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, path
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"]
    home = client.get("/").text
    assert "<script>" not in home and "<script >" not in home


def test_swagger_ui_is_served_by_the_app(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    for src in (
        "/api/docs-assets/swagger-ui-bundle.js",
        "/api/docs-assets/swagger-ui.css",
        "/static/swagger-init.js",
    ):
        assert src in page.text
        assert client.get(src).status_code == 200, src
    assert "<script>" not in page.text  # nothing inline: the policy forbids it


def test_a_foreign_host_is_refused(client):
    for path in ("/", "/robots.txt", "/sitemap.xml", "/api/v1/search?q=x"):
        r = client.get(path, headers={"Host": "evil.example.com"})
        assert r.status_code == 400, path
        assert "evil.example.com" not in r.text
    assert client.get("/robots.txt", headers={"Host": "localhost:8000"}).status_code == 200


def test_base_url_makes_absolute_links_whatever_the_host(tmp_path):
    db = make_db(tmp_path / "m.sqlite")
    app = create_app(db, base_url="https://codes.example.org/")
    with LiveServer(app=app) as server, server.client() as c:
        for host in ("evil.example.com", "127.0.0.1"):
            robots = c.get("/robots.txt", headers={"Host": host})
            assert robots.status_code == 200
            assert "Sitemap: https://codes.example.org/sitemap.xml" in robots.text
            assert "evil" not in c.get("/sitemap.xml", headers={"Host": host}).text
            page = c.get("/codes/cpt/81235", headers={"Host": host}).text
            assert 'rel="canonical" href="https://codes.example.org/codes/cpt/81235"' in page


def test_allowed_host_option(tmp_path):
    db = make_db(tmp_path / "m.sqlite")
    with LiveServer(app=create_app(db, allowed=["codes.internal"])) as server, server.client() as c:
        assert c.get("/", headers={"Host": "codes.internal:8000"}).status_code == 200
        assert c.get("/", headers={"Host": "other.internal"}).status_code == 400


def test_no_absolute_server_path_in_any_response(world, client):
    root = str(Path(world.server.config.app.state.live.path).parent)
    for path in (
        "/api/v1/policies/blue-plan-bp-8",
        "/api/v1/policies",
        "/api/v1/codes/cpt/99213/policies",
        "/api/v1/codes/cpt/99213",
        "/policies/blue-plan-bp-8",
    ):
        r = client.get(path)
        assert r.status_code == 200, path
        assert root not in r.text and "/tmp/" not in r.text, path
    assert client.get("/api/v1/policies/blue-plan-bp-8").json()["file"] == "p2.txt"


# -- 8. read-only deployments ----------------------------------------------------------------------


def test_search_works_on_a_read_only_mount(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _build(src / "m.sqlite", cpt=True)
    target = tmp_path / "ro"
    shutil.copytree(src, target)
    for lock in target.rglob(".tantivy-*.lock"):
        lock.unlink()  # as an image or a copy without them would be
    ok = subprocess.run(["mount", "--bind", str(target), str(target)], capture_output=True).returncode == 0
    ok = ok and (
        subprocess.run(["mount", "-o", "remount,ro,bind", str(target)], capture_output=True).returncode == 0
    )
    if not ok:
        if os.environ.get("CI"):
            pytest.fail("CI runs as root and must be able to make a read-only bind mount")
        pytest.skip("needs root to make a read-only bind mount")
    try:
        with LiveServer(target / "m.sqlite") as server, server.client() as c:
            r = c.get("/api/v1/search", params={"q": "diabetes"})
            assert r.status_code == 200, r.text[:300]
            assert r.json()["total"] > 0
            assert c.get("/api/v1/autocomplete", params={"q": "diab"}).status_code == 200
            assert c.get("/search", params={"q": "diabetes"}).status_code == 200
    finally:
        # Lazily: the process keeps the index files mapped after the server stops.
        subprocess.run(["umount", "-l", str(target)], check=False)


# -- 9. one error shape, one status per failure kind --------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/codes/snomed/E11.9",
        "/api/v1/codes/snomed/E11.9/explanation",
        "/api/v1/codes/snomed/E11.9/similar",
        "/api/v1/codes/snomed/E11.9/policies",
        "/api/v1/codes/snomed/E11.9/payment",
        "/api/v1/search?q=diabetes&system=snomed",
        "/api/v1/policies?system=snomed",
        "/api/v1/changes?since=2020-01-01&system=snomed",
    ],
)
def test_unknown_system_is_404_everywhere_in_one_shape(client, path):
    r = client.get(path)
    assert r.status_code == 404, (path, r.status_code)
    body = r.json()
    assert body["status"] == 404 and "unknown system" in body["detail"]


def test_every_api_error_has_status_and_detail(client):
    for path, status in (
        ("/api/v1/codes/icd10cm/Q99.99", 404),
        ("/api/v1/codes/icd10cm/Q99.99/explanation", 404),
        ("/api/v1/codes/icd10cm/Q99.99/similar", 404),
        ("/api/v1/policies/nope", 404),
        ("/api/v1/nope", 404),
        ("/api/v1/search?limit=0", 422),
        ("/api/v1/codes/icd10cm/" + "9" * 41, 422),
    ):
        r = client.get(path)
        assert r.status_code == status, path
        body = r.json()
        assert body["status"] == status and isinstance(body["detail"], str) and body["detail"], path

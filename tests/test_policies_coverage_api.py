"""The Coverage API client against a loopback server replaying responses shaped as the v1.5 OpenAPI says."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from policies_support import make_db

from medcodes.policies import get_policy
from medcodes.policies.coverage_api import CoverageApiError, CoverageClient
from medcodes.policies.ingest import Ingester, fetch_mcd_codes
from medcodes.store import Store

META = {"status": {"id": 200, "message": "OK"}, "notes": "", "fields": [], "children": []}


class Replay(BaseHTTPRequestHandler):
    hits: list[str] = []
    fail_once: set[str] = set()

    def log_message(self, *args):
        pass

    def _send(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802 - http.server API
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        Replay.hits.append(url.path + ("?" + url.query if url.query else ""))
        if url.path in Replay.fail_once:
            Replay.fail_once.discard(url.path)
            return self._send(429, {"message": "Too many requests", "code": 429}, {"Retry-After": "0"})
        if url.path == "/v1/metadata/license-agreement/":
            return self._send(200, {"meta": META, "data": [{"token": "tok-1"}]})
        if "hcpc" in url.path and self.headers.get("Authorization") != "Bearer tok-1":
            return self._send(401, {"message": "licence token required", "code": 401})
        if url.path == "/v1/data/article/hcpc-code":
            if q.get("next_token") != "p2":
                rows = [{"article_id": 52458, "article_version": 3, "hcpc_code_id": "81235", "hcpc_code_version": 1,
                         "hcpc_code_group": 1, "long_description": "EGFR analysis", "short_description": "EGFR",
                         "range": "", "last_updated": "01/01/2025"}]
                return self._send(200, {"meta": {**META, "next_token": "p2"}, "data": rows})
            rows = [{"article_id": 52458, "article_version": 3, "hcpc_code_id": "J0120", "hcpc_code_version": 1,
                     "hcpc_code_group": 1, "long_description": "range", "short_description": "",
                     "range": "J0120-J0130", "last_updated": "01/01/2025"}]
            return self._send(200, {"meta": META, "data": rows})
        if url.path == "/v1/data/article/hcpc-code-group":
            return self._send(200, {"meta": META, "data": [
                {"article_id": 52458, "article_version": 3, "hcpc_code_group": 1, "paragraph": "Group 1 codes",
                 "last_updated": "01/01/2025"}]})
        if url.path == "/v1/data/article/icd10-covered":
            return self._send(200, {"meta": META, "data": [
                {"article_id": 52458, "article_version": 3, "icd10_code_id": "E11.65", "icd10_code_version": 1,
                 "icd10_covered_group": 1, "range": "", "sort_order": 1, "description": "T2DM hyperglycemia",
                 "asterisk": "", "last_updated": "01/01/2025"},
                {"article_id": 52458, "article_version": 3, "icd10_code_id": "Q99.9", "icd10_code_version": 1,
                 "icd10_covered_group": 1, "range": "", "sort_order": 2, "description": "not in our db",
                 "asterisk": "", "last_updated": "01/01/2025"}]})
        if url.path == "/v1/data/article/icd10-noncovered":
            return self._send(200, {"meta": META, "data": [
                {"article_id": 52458, "article_version": 3, "icd10_code_id": "C61", "icd10_code_version": 1,
                 "icd10_noncovered_group": 1, "range": "", "sort_order": 1, "description": "prostate",
                 "last_updated": "01/01/2025"}]})
        if url.path.startswith("/v1/data/article/"):
            return self._send(200, {"meta": META, "data": []})
        return self._send(400, {"message": f"unknown endpoint {url.path}", "code": 400})


@pytest.fixture()
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    Replay.hits = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_paging_token_throttle_and_cache(server, tmp_path):
    sleeps = []
    client = CoverageClient(server, cache_dir=tmp_path / "cache", min_interval=0.05, sleep=sleeps.append)
    rows = client.get("/v1/data/article/hcpc-code", {"articleid": "52458"})
    assert [r["hcpc_code_id"] for r in rows] == ["81235", "J0120"]  # two pages followed
    assert any("next_token=p2" in h for h in Replay.hits)
    assert Replay.hits[0] == "/v1/metadata/license-agreement/"  # licensed endpoint fetched the token first
    n = client.requests
    assert client.get("/v1/data/article/hcpc-code", {"articleid": "52458"}) == rows
    assert client.requests == n  # served from the cache
    assert sleeps and all(s <= 0.05 for s in sleeps)  # requests were spaced


def test_retry_after_429_and_clear_errors(server):
    Replay.fail_once = {"/v1/data/article/icd10-covered"}
    client = CoverageClient(server, min_interval=0, sleep=lambda s: None)
    assert len(client.get("/v1/data/article/icd10-covered", {"articleid": "1"})) == 2
    with pytest.raises(CoverageApiError, match="HTTP 400: unknown endpoint"):
        client.get("/v1/data/nope/")


def test_fetch_fills_an_mcd_policy_with_its_code_tables(server, tmp_path):
    db = make_db(tmp_path / "medcodes.sqlite")
    (tmp_path / "docs.csv").write_text(
        "contractor_name_type,document_display_id,document_id,document_type,document_version,effective_date,note,"
        "retirement_date,title,updated_on,updated_on_sort,url\n"
        '"Acme GBA\n(MAC - Part B)",A52458,52458,Article,3,01/01/2025,,N/A,Billing and Coding: Test,12/01/2024,'
        "20241201,https://www.cms.gov/x\n"
    )
    store = Store(db, readonly=False)
    ing = Ingester(store.conn)
    ing.ingest([str(tmp_path / "docs.csv")])
    client = CoverageClient(server, min_interval=0, sleep=lambda s: None)
    report = fetch_mcd_codes(ing, client, ["article-a52458", "article-nope"])
    ok, bad = report.files[-2:]
    assert ok.status == "updated" and "1 codes not in the database" in ok.reason
    assert bad.status == "failed"
    detail = get_policy(store, "article-a52458")
    assert detail.payer == "Medicare (Acme GBA)"
    assert {c["code"] for c in detail.codes["covered"]} == {"E1165"}
    assert {c["code"] for c in detail.codes["not_medically_necessary"]} == {"C61"}
    assert {c["code"] for c in detail.codes["listed"]} == {"81235", "J0120", "J0121", "J0129", "J0130"}

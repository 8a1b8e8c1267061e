"""The core JSON API through a real uvicorn server on loopback."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from live import LiveServer
from test_search_engine import make_db

from medcodes.web.app import create_app


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return make_db(tmp_path_factory.mktemp("apidb"))


@pytest.fixture(scope="module")
def base_url(db):
    with LiveServer(app=create_app(db, cors_origins=["https://example.org"])) as server:
        yield server.url


@pytest.fixture(scope="module")
def client(base_url):
    with httpx.Client(base_url=base_url, timeout=10) as c:
        yield c


def test_search_shape(client):
    r = client.get("/api/v1/search", params={"q": "heart attack"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {"query", "total", "corrected_query", "results"}
    first = body["results"][0]
    assert set(first) >= {"system", "code", "title", "kind", "billable", "breadcrumb", "score"}
    assert first["display"] in ("I21.9", "I21") and first["code"] == first["display"].replace(".", "")
    assert first["url"] == f"/codes/icd10cm/{first['display']}"


def test_search_exact_code_and_filters(client):
    body = client.get("/api/v1/search", params={"q": "e119"}).json()
    assert body["exact"]["display"] == "E11.9"
    body = client.get(
        "/api/v1/search", params={"q": "diabetes", "billable": "true", "limit": 2, "offset": 1}
    ).json()
    assert len(body["results"]) <= 2 and all(h["billable"] for h in body["results"])
    body = client.get("/api/v1/search", params={"q": "injection", "system": "hcpcs"}).json()
    assert body["results"] and all(h["system"] == "hcpcs" for h in body["results"])


def test_search_typo_reports_correction(client):
    body = client.get("/api/v1/search", params={"q": "hypertention"}).json()
    assert body["corrected_query"] == "hypertension"
    assert body["results"][0]["display"] == "I10"


def test_autocomplete(client):
    r = client.get("/api/v1/autocomplete", params={"q": "E11"})
    assert r.status_code == 200
    hits = r.json()
    assert 0 < len(hits) <= 8 and hits[0]["display"] == "E11"


def test_code_record(client):
    r = client.get("/api/v1/codes/icd10cm/E11.22")
    assert r.status_code == 200
    doc = r.json()
    assert doc["display"] == "E11.22" and doc["label"] == "ICD-10-CM code" and doc["billable"] is True
    assert [b["display"] for b in doc["breadcrumb"]] == ["E00-E89", "E08-E13", "E11", "E11.2"]
    # Notes of ancestors are inherited and say where they come from.
    assert {"type": "inclusion", "text": "diabetes NOS", "inherited_from": "E11"} in doc["notes"]
    assert doc["data_version"] == "hand-made icd10cm test"
    parent = client.get("/api/v1/codes/icd10cm/E11.2").json()
    assert [c["display"] for c in parent["children"]] == ["E11.21", "E11.22", "E11.29"]


def test_code_any_spelling_resolves(client):
    assert client.get("/api/v1/codes/icd10cm/e1122").json()["display"] == "E11.22"
    assert client.get("/api/v1/codes/icd10pcs/0dtj4zz").json()["code"] == "0DTJ4ZZ"


def test_unknown_code_404_with_nearest(client):
    r = client.get("/api/v1/codes/icd10cm/E11.99")
    assert r.status_code == 404
    body = r.json()
    assert "not a ICD-10-CM code" in body["error"]
    assert body["nearest"] and body["nearest"][0]["display"].startswith("E11")


def test_unknown_system_404(client):
    r = client.get("/api/v1/codes/snomed/123")
    assert r.status_code == 404
    assert "choose from" in r.json()["error"]


def test_openapi(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/search", "/api/v1/autocomplete", "/api/v1/codes/{system}/{code}"):
        assert path in spec["paths"]


def test_cors(client):
    r = client.get("/api/v1/search", params={"q": "x"}, headers={"Origin": "https://example.org"})
    assert r.headers.get("access-control-allow-origin") == "https://example.org"


BAD_QUERIES = [
    "",
    " ",
    "\t\n",
    '"',
    '"unclosed',
    "*",
    "diab*",
    "NEAR",
    "heart NEAR attack",
    "AND",
    "a AND b OR",
    "-",
    "-diabetes",
    "(",
    ")",
    "((diabetes",
    "' OR 1=1 --",
    "1; DROP TABLE codes",
    "<script>alert(1)</script>",
    "\U0001f600\U0001f494",
    "\u0000",
    "\u0007\u001b[31m",
    "caf\u00e9",
    "\u0414\u0438\u0430\u0431\u0435\u0442",
    "\u7cd6\u5c3f\u75c5",
    "title:x",
    "x^2",
    "~",
    "\\",
    "%",
    "%25",
    "E11-",
    "-E11",
    "99999-00000",
    "A" * 200,
]


@pytest.mark.parametrize("q", BAD_QUERIES)
def test_bad_queries_200(client, q):
    for path in ("/api/v1/search", "/api/v1/autocomplete"):
        r = client.get(path, params={"q": q})
        assert r.status_code == 200, (q, r.text)
    body = client.get("/api/v1/search", params={"q": q}).json()
    assert isinstance(body["results"], list)


def test_too_long_query_422_names_limit(client):
    for path in ("/api/v1/search", "/api/v1/autocomplete"):
        r = client.get(path, params={"q": "x" * 10_000})
        assert r.status_code == 422
        assert "200" in r.json()["error"]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "abc"},
        {"limit": "0"},
        {"limit": "-5"},
        {"limit": "100000"},
        {"offset": "-1"},
        {"offset": "1e9"},
        {"offset": "99999999999999999999999"},
        {"billable": "maybe"},
        {"active_on": "yesterday"},
    ],
)
def test_bad_parameters_422(client, params):
    r = client.get("/api/v1/search", params={"q": "diabetes", **params})
    assert r.status_code == 422
    body = r.json()
    assert body["error"] and body["status"] == 422


def test_query_missing_is_empty_result(client):
    body = client.get("/api/v1/search").json()
    assert body["total"] == 0 and body["results"] == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=250))
def test_fuzz_no_query_gives_5xx(client, q):
    r = client.get("/api/v1/search", params={"q": q})
    assert r.status_code in (200, 422), (q, r.status_code, r.text[:200])
    r = client.get("/api/v1/autocomplete", params={"q": q})
    assert r.status_code in (200, 422)


@pytest.mark.parametrize(("system", "display"), [("icd10cm", "E11.9"), ("icd10cm", "E11")])
def test_cli_show_json_is_the_api_document(client, db, system, display):
    """One document shape: `medcodes show --json` prints what GET /api/v1/codes/{system}/{code} answers."""
    from typer.testing import CliRunner

    from medcodes.cli import app

    shown = CliRunner().invoke(app, ["show", "--db", str(db), "--json", "--system", system, display])
    assert shown.exit_code == 0, shown.output
    api = client.get(f"/api/v1/codes/{system}/{display}").json()
    assert json.loads(shown.stdout) == api
    assert isinstance(api["children"], list) and api["code"] == display.replace(".", "")


def test_unknown_api_path_is_json(client):
    for path in ("/api/v1/nothing/here", "/api/v2/search"):
        r = client.get(path)
        assert r.status_code == 404 and r.json()["status"] == 404, path

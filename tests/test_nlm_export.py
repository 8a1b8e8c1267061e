"""The NLM Clinical Tables-compatible search (/api/{table}/v3/search) and the bulk export
(/api/v1/export/{system}.jsonl and .csv) through a real server on loopback."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest
from live import LiveServer

from medcodes.store import Store


@pytest.fixture(scope="module")
def client(fixture_db):
    with LiveServer(fixture_db) as srv, httpx.Client(base_url=srv.url, timeout=20) as c:
        yield c


def nlm(client, table, **params):
    r = client.get(f"/api/{table}/v3/search", params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body, list) and len(body) == 4
    total, codes, extra, rows = body
    assert isinstance(total, int) and len(codes) == len(rows)
    return total, codes, extra, rows


def test_nlm_array_shape_and_default_fields(client):
    total, codes, extra, rows = nlm(client, "icd10cm", terms="fracture radius")
    assert "S52.501A" in codes and extra is None
    assert rows[codes.index("S52.501A")] == [
        "S52.501A",
        "Unspecified fracture of the lower end of right radius, initial encounter for closed fracture",
    ]
    assert total >= len(codes)


def test_nlm_paging_maxlist_and_count(client):
    total, codes, _, _ = nlm(client, "icd10cm", terms="type 2 diabetes", maxList=500)
    assert total == len(codes) > 2
    _, page1, _, _ = nlm(client, "icd10cm", terms="type 2 diabetes", count=2)
    _, page2, _, _ = nlm(client, "icd10cm", terms="type 2 diabetes", count=2, offset=2)
    assert page1 + page2 == codes[:4]
    _, seven, _, _ = nlm(client, "icd10cm", terms="type 2 diabetes")
    assert len(seven) == min(7, total)


def test_nlm_display_extra_and_code_fields(client):
    _, codes, extra, rows = nlm(
        client,
        "hcpcs",
        terms="wheelchair",
        df="code,short_desc",
        ef="billable:b,term_date,parent",
        cf="canonical",
    )
    i = codes.index("K0001")
    assert rows[i] == ["K0001", "Standard wheelchair"]
    assert extra["b"][i] is True and extra["term_date"][i] is None and extra["parent"][i] == "K0000-K9999"


def test_nlm_every_table_typos_and_constraints(client):
    assert "E11" in nlm(client, "icd10cm", terms="diabetis")[1]
    assert "0DTJ4ZZ" in nlm(client, "icd10pcs", terms="resection appendix")[1]
    assert "85230" in nlm(client, "cpt", terms="factor VII")[1]
    total, codes, _, _ = nlm(client, "icd10cm", terms="diabetes", q="is_billable:true")
    assert codes and "E11" not in codes
    assert nlm(client, "icd10cm", terms="")[0] == 0


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/loinc/v3/search?terms=x", 404),
        ("/api/icd10cm/v3/search?terms=x&df=nope", 400),
        ("/api/icd10cm/v3/search?terms=x&maxList=501", 422),
        ("/api/icd10cm/v3/search?terms=x&offset=7499&count=7", 400),
        ("/api/icd10cm/v3/search?terms=x&q=name:foo", 400),
    ],
)
def test_nlm_errors_are_json(client, path, status):
    r = client.get(path)
    assert r.status_code == status and r.json()["status"] == status and r.json()["error"]


def test_export_jsonl_every_code(client, fixture_db):
    store = Store(fixture_db)
    r = client.get("/api/v1/export/icd10cm.jsonl")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in r.text.splitlines()]
    assert len(rows) == store.node_counts()["icd10cm"]
    by_code = {row["code"]: row for row in rows}
    assert by_code["S52501A"] == {
        "system": "icd10cm",
        "code": "S52501A",
        "display": "S52.501A",
        "title": store.get("icd10cm", "S52501A").title,
        "common_name": None,
        "short_title": "Unsp fracture of the lower end of right radius, init",
        "kind": "code",
        "billable": True,
        "parent": "S52.501",
        "effective_date": None,
        "termination_date": None,
    }


def test_export_csv_and_cpt_notice(client, fixture_db):
    r = client.get("/api/v1/export/hcpcs.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == Store(fixture_db).node_counts()["hcpcs"]
    g = next(row for row in rows if row["code"] == "G8891")
    assert g["termination_date"] == "2014-12-31" and g["billable"] == "true"
    cpt = client.get("/api/v1/export/cpt.csv")
    assert "American Medical Association" in cpt.headers["x-copyright"]
    assert client.get("/api/v1/export/snomed.jsonl").status_code == 404

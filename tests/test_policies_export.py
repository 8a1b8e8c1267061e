"""Export and change feed on a small hand-made database: `medcodes policies export`, the streamed JSONL
endpoint, `changes?since=` and its Atom form, over a real HTTP server."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import httpx
import pytest
from live import LiveServer
from policies_support import make_db
from typer.testing import CliRunner

from medcodes.cli import app
from medcodes.policies.ingest import Ingester
from medcodes.store import Store

POLICY = """Acme Health Medical Policy
Subject: Widget Surgery for Weight Loss
Policy Number: AC-0042
Effective Date: 03/01/2026

Coverage Policy
Widget surgery is considered medically necessary when the criteria below are met.

CPT Codes
43644 procedure row as printed by the plan
43775 procedure row as printed by the plan

ICD-10-CM codes that support medical necessity:
E11.9 Type 2 diabetes mellitus without complications

Prior authorization is required for 0239U.
"""


@pytest.fixture()
def world(tmp_path):
    db = make_db(tmp_path / "medcodes.sqlite")
    doc = tmp_path / "docs" / "acme_widget-surgery.txt"
    doc.parent.mkdir()
    doc.write_text(POLICY)
    store = Store(db, readonly=False)
    report = Ingester(store.conn).ingest([str(doc)])
    store.close()
    assert [f.status for f in report.files] == ["added"], report.files
    return db, doc


def _lines(text: str) -> list[dict]:
    return [json.loads(ln) for ln in text.splitlines() if ln.strip()]


def test_cli_export_writes_one_policy_per_line(world, tmp_path):
    db, doc = world
    out = tmp_path / "policies.jsonl"
    result = CliRunner().invoke(app, ["policies", "export", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    (policy,) = _lines(out.read_text())
    assert set(policy) == {
        "id",
        "payer",
        "title",
        "number",
        "effective_date",
        "last_reviewed",
        "source",
        "url",
        "codes",
    }
    assert (policy["title"], policy["number"], policy["effective_date"]) == (
        "Widget Surgery for Weight Loss",
        "AC-0042",
        "2026-03-01",
    )
    assert policy["source"] == str(doc) and policy["url"] is None
    by_code = {(c["system"], c["code"]): c for c in policy["codes"]}
    assert (
        by_code[("cpt", "43644")]["context"] is None
    )  # a CPT table row carries the descriptor: never exported
    assert by_code[("icd10cm", "E119")]["disposition"] == "covered"
    assert by_code[("cpt", "0239U")]["disposition"] == "prior_auth"
    assert set(by_code[("cpt", "0239U")]) == {"system", "code", "disposition", "evidence", "context", "page"}
    # standard output when no --out is given, same document
    result = CliRunner().invoke(app, ["policies", "export", "--db", str(db)])
    assert _lines(result.stdout) == _lines(out.read_text())


def test_cli_export_to_an_unwritable_path_is_a_clear_error(world, tmp_path):
    db, _ = world
    result = CliRunner().invoke(
        app, ["policies", "export", "--db", str(db), "--out", str(tmp_path / "no" / "x.jsonl")]
    )
    assert result.exit_code == 2 and "cannot write" in result.output and "Traceback" not in result.output


def test_api_export_changes_and_atom(world):
    db, doc = world
    with LiveServer(db) as srv:
        r = httpx.get(f"{srv.url}/api/v1/policies/export")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
        (policy,) = _lines(r.text)
        assert policy["number"] == "AC-0042" and len(policy["codes"]) >= 4

        r = httpx.get(f"{srv.url}/api/v1/policies/changes", params={"since": "2000-01-01"})
        assert r.status_code == 200
        body = r.json()
        assert body["count"] == 1 and body["changes"][0]["policy_id"] == policy["id"]
        assert body["changes"][0]["summary"].startswith("new policy")
        assert body["changes"][0]["url"] == f"/policies/{policy['id']}"
        assert (
            httpx.get(f"{srv.url}/api/v1/policies/changes", params={"since": "2999-01-01"}).json()["count"]
            == 0
        )

        bad = httpx.get(f"{srv.url}/api/v1/policies/changes", params={"since": "last tuesday"})
        assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["error"]

        atom = httpx.get(f"{srv.url}/api/v1/policies/changes.atom", params={"since": "2000-01-01"})
        assert atom.status_code == 200 and atom.headers["content-type"].startswith("application/atom+xml")
        ns = {"a": "http://www.w3.org/2005/Atom"}
        entries = ET.fromstring(atom.text).findall("a:entry", ns)
        assert len(entries) == 1
        assert entries[0].find("a:link", ns).get("href").endswith(f"/policies/{policy['id']}")
        assert "Widget Surgery" in entries[0].find("a:title", ns).text

    # a new version of the document is a change with a summary
    doc.write_text(POLICY.replace("43775 procedure row", "81105 procedure row"))
    store = Store(db, readonly=False)
    Ingester(store.conn).ingest([str(doc)])
    store.close()
    with LiveServer(db) as srv:
        body = httpx.get(f"{srv.url}/api/v1/policies/changes", params={"since": "2000-01-01"}).json()
        assert body["changes"][0]["summary"] == "1 codes added, 1 removed, 3 kept"

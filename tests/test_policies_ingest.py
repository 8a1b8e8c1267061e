"""Ingestion end to end over a hand-made database: documents, manifests, bad input, versions, the API."""

from __future__ import annotations

import io
import sqlite3

import httpx
import pytest
from policies_support import Server, make_db

from medcodes.policies import get_policy, list_policies, policies_for
from medcodes.policies.ingest import Ingester
from medcodes.store import Store

POLICY = """Acme Health Medical Policy
Policy Number: AH-123
Effective Date: 01/15/2025
Last Reviewed: 12/01/2024

Coverage Rationale
Genetic testing (81235) is considered medically necessary when criteria are met.

CPT codes considered experimental/investigational:
81210 BRAF gene analysis
ICD-10 codes:
E11.65, C61
"""


def _pdf(text: str | None) -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(612, 792)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


@pytest.fixture()
def db(tmp_path):
    return make_db(tmp_path / "medcodes.sqlite")


def ingest(db, *targets, manifest=None):
    store = Store(db, readonly=False)
    try:
        return Ingester(store.conn).ingest([str(t) for t in targets], manifest)
    finally:
        store.close()


def test_document_is_stored_with_metadata_links_and_dispositions(db, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "acme_policy.txt").write_text(POLICY)
    report = ingest(db, tmp_path / "docs")
    assert [f.status for f in report.files] == ["added"]
    store = Store(db)
    (link,) = policies_for(store, "cpt", "81235")
    assert link.policy_id == "acme-ah-123" and link.disposition == "covered" and link.payer == "acme"
    assert policies_for(store, "cpt", "81210")[0].disposition == "investigational"
    detail = get_policy(store, "acme-ah-123")
    assert detail.effective_date == "2025-01-15" and detail.last_reviewed == "2024-12-01"
    assert {c["code"] for c in detail.codes["listed"]} == {"E1165", "C61"}


def test_reingest_same_file_changes_nothing_and_new_version_replaces_links(db, tmp_path):
    doc = tmp_path / "acme_policy.txt"
    doc.write_text(POLICY)
    ingest(db, doc)
    assert [f.status for f in ingest(db, doc).files] == ["unchanged"]
    doc.write_text(POLICY.replace("81210 BRAF", "43644 Gastric bypass"))
    (res,) = ingest(db, doc).files
    assert res.status == "updated" and "1 codes added, 1 removed" in res.reason
    store = Store(db)
    assert policies_for(store, "cpt", "81210") == [] and len(policies_for(store, "cpt", "43644")) == 1
    changes = store.conn.execute("SELECT policy_id, summary FROM policy_changes").fetchall()
    assert changes == [("acme-ah-123", res.reason)]


def test_bad_inputs_fail_one_by_one_and_the_rest_goes_in(db, tmp_path):
    from pypdf import PdfReader, PdfWriter

    good = tmp_path / "acme_policy.txt"
    good.write_text(POLICY)
    ingest(db, good)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.pdf").write_bytes(b"")
    (bad / "image_only.pdf").write_bytes(_pdf(None))
    (bad / "nocodes.html").write_text("<html><body><h1>Policy</h1><p>Nothing billable here.</p></body></html>")
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.encrypt("secret")
    buf = io.BytesIO()
    writer.write(buf)
    (bad / "encrypted.pdf").write_bytes(buf.getvalue())
    assert PdfReader(io.BytesIO(buf.getvalue())).is_encrypted
    (bad / "truncated.pdf").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    (bad / "changed.csv").write_text("code,what\n81235,x\n")
    (bad / "other_policy.txt").write_text(POLICY.replace("AH-123", "AH-999"))
    (bad / "manifest.yaml").write_text("- file: missing.pdf\n  payer: acme\n")
    report = ingest(db, bad)
    reasons = {f.path.rsplit("/", 1)[-1]: (f.status, f.reason) for f in report.files}
    assert reasons["empty.pdf"] == ("failed", "empty file")
    assert "image-only" in reasons["image_only.pdf"][1]
    assert "encrypted" in reasons["encrypted.pdf"][1]
    assert "truncated" in reasons["truncated.pdf"][1]
    assert "no CPT, HCPCS or ICD-10 codes" in reasons["nocodes.html"][1]
    assert "header not recognised" in reasons["changed.csv"][1]
    assert "does not exist" in reasons["missing.pdf"][1]
    assert reasons["other_policy.txt"][0] == "added"
    total, _ = list_policies(Store(db))
    assert total == 2  # the earlier policy is intact, the good file of the batch went in


def test_manifest_supplies_what_the_document_lacks(db, tmp_path):
    (tmp_path / "p1.txt").write_text("CPT codes covered if selection criteria are met:\n81235\n")
    (tmp_path / "manifest.csv").write_text(
        "file,payer,title,number,effective_date,url\np1.txt,Blue Plan,Tumor testing,BP-7,2024-03-01,https://x.test/p1\n"
    )
    (res,) = ingest(db, tmp_path).files
    assert res.status == "added" and res.policy_id == "blue-plan-bp-7"
    d = get_policy(Store(db), "blue-plan-bp-7")
    assert (d.payer, d.title, d.effective_date, d.url) == ("Blue Plan", "Tumor testing", "2024-03-01", "https://x.test/p1")


def test_rebuild_carries_policies_over_and_dangling_links_are_marked(db, tmp_path):
    from policies_support import records

    from medcodes.models import Source
    from medcodes.store import build

    (tmp_path / "acme_policy.txt").write_text(POLICY)
    ingest(db, tmp_path / "acme_policy.txt")
    # Rebuild without C61: the link survives, flagged as no longer in the code set.
    def read(s):
        return [r for r in records(s.system) if r.code != "C61"]

    build.build(db, [Source(s, s, "2") for s in ("cpt", "hcpcs", "icd10cm", "icd10pcs")], read=read, steps=[])
    detail = get_policy(Store(db), "acme-ah-123")
    c61 = next(c for c in detail.codes["listed"] if c["code"] == "C61")
    assert c61["exists"] is False and c61["title"] is None


def test_json_api_through_a_real_server(db, tmp_path):
    from medcodes.web.app import create_app

    (tmp_path / "acme_policy.txt").write_text(POLICY)
    ingest(db, tmp_path / "acme_policy.txt")
    with Server(create_app(db)) as srv:
        r = httpx.get(f"{srv.url}/api/v1/codes/cpt/81235/policies")
        assert r.status_code == 200 and r.json()["policies"][0]["policy_id"] == "acme-ah-123"
        r = httpx.get(f"{srv.url}/api/v1/policies/acme-ah-123")
        assert r.status_code == 200 and "covered" in r.json()["codes"]
        r = httpx.get(f"{srv.url}/api/v1/policies", params={"payer": "acm", "q": "ah-123"})
        assert r.json()["total"] == 1
        assert httpx.get(f"{srv.url}/api/v1/policies", params={"code": "81210"}).json()["total"] == 1
        assert httpx.get(f"{srv.url}/api/v1/policies/nope").status_code == 404
        assert httpx.get(f"{srv.url}/api/v1/codes/xyz/81235/policies").status_code == 404
        assert httpx.get(f"{srv.url}/api/v1/policies", params={"limit": 0}).status_code == 422


def test_policies_for_is_one_indexed_query(db):
    conn = sqlite3.connect(db)
    plan = " ".join(r[3] for r in conn.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM policy_codes pc JOIN policies p ON p.id = pc.policy_id"
        " WHERE pc.system = 'cpt' AND pc.code = '81235'"))
    assert "policy_codes_code" in plan

"""Real data: ingest every policy source under ../shared/data into a copy of the real database, then
check counts, failures with reasons, and that a cited code's HTML page lists the policy (real server)."""

from __future__ import annotations

import httpx
import pytest
from policies_support import Server, copy_db

from medcodes.policies import get_policy, policies_for
from medcodes.policies.ingest import Ingester
from medcodes.store import Store


@pytest.fixture(scope="module")
def ingested(real_db, shared_data, tmp_path_factory):
    db = copy_db(real_db, tmp_path_factory.mktemp("policies-real"))
    store = Store(db, readonly=False)
    report = Ingester(store.conn).ingest([shared_data / "policies", shared_data / "mcd"])
    store.close()
    return db, report


def test_every_source_is_ingested_with_counts_and_reasons(ingested):
    db, report = ingested
    by = report.by_source()
    assert by["payer-document"]["policies"] >= 45 and by["payer-document"]["links"] > 1000
    assert by["cms-ncd-lab"]["policies"] == 26 and by["cms-ncd-lab"]["links"] > 60000
    assert by["cms-mcd"]["policies"] > 3000
    assert all(f.reason for f in report.failures)
    store = Store(db)
    uhc = get_policy(store, "uhc-2025t0362pp")
    assert uhc is not None and uhc.payer == "UnitedHealthcare"
    assert any(c["code"] == "43644" for codes in uhc.codes.values() for c in codes)
    ncd = get_policy(store, "ncd-190.12")
    assert {c["code"] for c in ncd.codes["covered"]} >= {"87086", "A021"}


def test_reingest_changes_nothing(ingested, shared_data):
    db, _ = ingested
    store = Store(db, readonly=False)
    before = store.conn.execute("SELECT COUNT(*) FROM policy_codes").fetchone()[0]
    report = Ingester(store.conn).ingest([shared_data / "policies" / "pdf"])
    assert [f.status for f in report.files] == ["unchanged"]
    assert store.conn.execute("SELECT COUNT(*) FROM policy_codes").fetchone()[0] == before


def test_code_page_lists_the_citing_policy(ingested):
    from medcodes.web.app import create_app

    db, _ = ingested
    links = policies_for(Store(db), "cpt", "43644")
    assert any(link.policy_id == "uhc-2025t0362pp" for link in links)
    with Server(create_app(db)) as srv:
        api = httpx.get(f"{srv.url}/api/v1/codes/cpt/43644/policies").json()
        assert "uhc-2025t0362pp" in {p["policy_id"] for p in api["policies"]}
        page = httpx.get(f"{srv.url}/codes/cpt/43644")
        assert page.status_code == 200
        assert "/policies/uhc-2025t0362pp" in page.text
        detail = httpx.get(f"{srv.url}/policies/uhc-2025t0362pp")
        assert detail.status_code == 200 and "43644" in detail.text

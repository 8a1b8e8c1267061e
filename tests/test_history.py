"""Code history: importers on small fixtures in the official layouts, then the real release files
(MCE edits, 30233AZ -> 3E033AZ, D71 / D71.1 as of 2025-06-01, terminated HCPCS codes, 99441)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from live import LiveServer
from typer.testing import CliRunner

from medcodes.codesets import icd10_addenda, icd10pcs_conversion, mce, scan
from medcodes.history import status as st
from medcodes.history.build import build_history
from medcodes.history.storage import Event
from medcodes.models import CodeRecord, ReleaseFileError

HERE = Path(__file__).resolve().parent / "fixtures" / "history"


# -- importers on fixtures -----------------------------------------------------------------------


def test_mce_fixture_lists_and_exception():
    mp = mce.recognise(HERE / "Definitions of Medicare Code Edits_v_99_1.txt")
    assert (mp.version, mp.released) == ("99.1", "April 2031")
    rows = list(mce.read(mp))
    got = {(r.code, r.edit.key, r.exception) for r in rows}
    # The example quoted in the edit text and the chapter 2 change list are not edits.
    assert got == {
        ("P0001", "newborn", False),
        ("Q0001", "pediatric", False),
        ("M0002", "manifestation", False),
        ("Z0001", "unacceptable_principal", True),
        ("0TEST00", "noncovered", False),
    }
    assert {r.system for r in rows if r.code == "0TEST00"} == {"icd10pcs"}


def test_mce_unknown_list_names_file_and_line(tmp_path):
    bad = tmp_path / "Definitions of Medicare Code Edits_v_1_0.txt"
    bad.write_text(
        "v1.0 April 2031\nChapter 1: Edit code lists\n42. A new edit\nX0001\tSomething\n", encoding="cp1252"
    )
    with pytest.raises(ReleaseFileError, match=r"line 4.*X0001"):
        list(mce.read(mce.recognise(bad)))


def test_cm_addenda_dates_and_rows():
    (af,) = icd10_addenda.find(HERE / "icd10cm_order_addenda_2031.txt")
    assert (af.system, af.fiscal_year, af.effective_date) == ("icd10cm", 2031, "2030-10-01")
    rows = list(icd10_addenda.read(af))
    assert [(r.action, r.code, r.valid) for r in rows[:3]] == [
        ("delete", "A999", True),
        ("add", "A999", False),
        ("add", "A9991", True),
    ]
    assert rows[-1].long_title == "Test title after"


def test_pcs_addenda_april_update_and_conversion():
    (af,) = icd10_addenda.find(HERE / "order_addenda_2031.txt")
    assert af.effective_date == "2031-04-01"  # same year on both summary lines: an April update
    cf = icd10pcs_conversion.find(HERE / "icd10pcs_conversion_table.txt")
    rows = list(icd10pcs_conversion.read(cf))
    assert (rows[0].previous, rows[0].current, rows[0].effective_date) == ("0TEST01", "0TEST02", "2031-04-01")
    assert rows[1].previous is None and rows[1].effective_date == "2029-10-01"
    assert rows[2].current is None


def test_bad_addenda_line_names_file_and_line(tmp_path):
    bad = tmp_path / "icd10cm_order_addenda_2031.txt"
    text = (
        (HERE / "icd10cm_order_addenda_2031.txt")
        .read_text("latin-1")
        .replace("Add:         1 A9991", "Add:         x A9991")
    )
    bad.write_text(text, "latin-1")
    (af,) = icd10_addenda.find(bad)
    with pytest.raises(ReleaseFileError, match=r"icd10cm_order_addenda_2031.txt line 3"):
        list(icd10_addenda.read(af))


def test_build_history_on_fixtures(tmp_path):
    conn = sqlite3.connect(tmp_path / "h.sqlite")
    conn.execute(
        "CREATE TABLE codes (system TEXT, code TEXT, kind TEXT, title TEXT, effective_date TEXT, termination_date TEXT, attrs TEXT)"
    )
    conn.execute(
        "INSERT INTO codes VALUES ('hcpcs','Z9001','code','Old supply','2001-01-01','2017-12-31',?)",
        (json.dumps({"cross_references": ["Z9002"]}),),
    )
    conn.execute("INSERT INTO codes VALUES ('hcpcs','Z9002','code','New supply','2018-01-01',NULL,NULL)")
    rep = build_history(conn, scan(HERE))
    assert rep.edits == 5 and len(rep.files) == 4
    events = {(r[0], r[1], r[3]): r for r in conn.execute("SELECT * FROM code_events")}
    assert events[("icd10cm", "A999", "revised")][7:9] == (1, 0)  # was billable, became a heading
    assert ("icd10cm", "B9990", "deleted") in events
    assert ("hcpcs", "Z9001", "terminated") in events
    succ = set(conn.execute("SELECT system, old, new_system, new FROM code_successors"))
    assert {
        ("icd10pcs", "0TEST01", "icd10pcs", "0TEST02"),
        ("icd10cm", "A999", "icd10cm", "A9991"),
        ("hcpcs", "Z9001", "hcpcs", "Z9002"),
    } <= succ


# -- status logic --------------------------------------------------------------------------------


def _rec(**kw) -> CodeRecord:
    base = {
        "system": "hcpcs",
        "code": "Z9001",
        "display": "Z9001",
        "kind": "code",
        "title": "t",
        "billable": True,
    }
    return CodeRecord(**(base | kw))


def test_never_billable_after_termination():
    rec = _rec(effective_date="2001-01-01", termination_date="2017-12-31")
    s = st.current(rec, [], date(2026, 1, 1))
    assert (s.status, s.billable) == ("terminated", False)
    assert st.as_of(rec, [], date(2017, 12, 31)).billable
    assert not st.as_of(rec, [], date(2018, 1, 1)).billable


def test_possibly_outdated_from_source_years():
    years = st.source_years(
        {
            "pfs": "PPRRVU2025_Oct.csv",
            "opps": "2023_January_Web_Addendum_B.xlsx",
            "clfs": "PUF_CLFS_CY2026_Q2V1.csv",
        }
    )
    assert (
        st.current(_rec(system="cpt", attrs={"sources": ["opps"]}), [], years=years).status
        == "possibly_outdated"
    )
    assert (
        st.current(_rec(system="cpt", attrs={"sources": ["opps", "pfs"]}), [], years=years).status == "active"
    )
    assert st.current(_rec(system="cpt", attrs={"sources": ["clfs"]}), [], years=years).status == "active"


def test_as_of_undoes_later_events():
    added = Event("icd10cm", "A9991", "2030-10-01", "added", None, "t", None, None, True, "s")
    rec = _rec(system="icd10cm", code="A9991")
    assert not st.as_of(rec, [added], date(2030, 6, 1)).exists
    assert st.as_of(rec, [added], date(2030, 10, 1)).billable
    gone = Event("icd10pcs", "0TEST01", "2031-04-01", "deleted", None, "Old", None, True, None, "s")
    assert st.current(None, [gone], date(2031, 5, 1)).label == "Deleted on 2031-04-01"
    assert st.as_of(None, [gone], date(2031, 1, 1)).billable


# -- real release files --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def history_db(real_db) -> Path:
    """The real build: `medcodes build` runs the history step over the release folder."""
    return real_db


@pytest.fixture(scope="module")
def server(history_db):
    with LiveServer(history_db) as srv:
        yield srv


@pytest.mark.shared
def test_mce_edits_on_api(server):
    with server.client() as c:
        newborn = c.get("/api/v1/codes/icd10cm/Z00.110").json()
        manif = c.get("/api/v1/codes/icd10cm/D63.1").json()
    assert {"name": "Newborn diagnosis: age 0"}.items() <= newborn["edits"][0].items()
    assert any(e["name"] == "Manifestation code: not allowed as principal diagnosis" for e in manif["edits"])
    assert all(e["meaning"] and e["source"].startswith("Medicare Code Editor v43.1") for e in manif["edits"])


@pytest.mark.shared
def test_deleted_pcs_code_page_and_api(server):
    with server.client() as c:
        doc = c.get("/api/v1/codes/icd10pcs/30233AZ")
        page = c.get("/codes/icd10pcs/30233AZ")
        found = c.get("/search", params={"q": "30233AZ"})
    assert doc.status_code == 200
    d = doc.json()
    assert d["status"] == "deleted" and d["status_date"] == "2026-04-01" and not d["billable"]
    assert [r["code"] for r in d["replaced_by"]] == ["3E033AZ"]
    assert "Transfusion of Embryonic Stem Cells" in d["title"]
    assert page.status_code == 200
    assert "Deleted on 2026-04-01" in page.text and 'href="/codes/icd10pcs/3E033AZ"' in page.text
    assert found.status_code == 302 and found.headers["location"] == "/codes/icd10pcs/30233AZ"


@pytest.mark.shared
def test_d71_as_of_2025_06_01(server):
    with server.client() as c:
        d71 = c.get("/api/v1/codes/icd10cm/D71", params={"date": "2025-06-01"}).json()
        d711 = c.get("/api/v1/codes/icd10cm/D71.1", params={"date": "2025-06-01"}).json()
        later = c.get("/api/v1/codes/icd10cm/D71.1", params={"date": "2025-10-01"}).json()
        hits = c.get(
            "/api/v1/search", params={"q": "leukocyte adhesion deficiency", "date": "2025-06-01"}
        ).json()
    assert d71["as_of"]["exists"] and d71["as_of"]["billable"]
    assert not d71["billable"]  # today D71 is a heading
    assert not d711["as_of"]["exists"] and not d711["as_of"]["billable"]
    assert later["as_of"]["billable"]
    assert "D711" not in [h["code"] for h in hits["results"]]


@pytest.mark.shared
@pytest.mark.parametrize(("code", "query"), [("G0202", "screening mammography"), ("G6020", "colonoscopy")])
def test_terminated_hcpcs_never_billable_nor_in_default_search(server, code, query):
    with server.client() as c:
        doc = c.get(f"/api/v1/codes/hcpcs/{code}").json()
        page = c.get(f"/codes/hcpcs/{code}").text
        default = c.get("/api/v1/search", params={"q": query, "limit": 50}).json()
        wide = c.get("/api/v1/search", params={"q": query, "limit": 50, "include_deleted": "true"}).json()
        typed = c.get("/api/v1/search", params={"q": code}).json()
        auto = c.get("/api/v1/autocomplete", params={"q": query}).json()
    assert doc["status"] == "terminated" and not doc["billable"]
    assert '<span class="badge ok">Billable</span>' not in page.split('id="history-h"')[0]
    assert code not in [h["code"] for h in default["results"]]
    assert code not in [h["code"] for h in auto]
    flagged = [h for h in wide["results"] if h["code"] == code]
    assert flagged and flagged[0]["status"] == "terminated" and not flagged[0]["billable"]
    assert typed["exact"]["code"] == code and typed["exact"]["status"] == "terminated"


@pytest.mark.shared
def test_c9014_successor_and_99441_possibly_outdated(server):
    with server.client() as c:
        c9014 = c.get("/api/v1/codes/hcpcs/C9014").json()
        page = c.get("/codes/hcpcs/C9014").text
        cpt = c.get("/api/v1/codes/cpt/99441").json()
    assert [r["code"] for r in c9014["replaced_by"]] == ["J0567"]
    assert 'href="/codes/hcpcs/J0567"' in page
    assert cpt["status"] == "possibly_outdated" and not cpt["billable"]


@pytest.mark.shared
def test_change_feed(server):
    with server.client() as c:
        feed = c.get(
            "/api/v1/changes",
            params={"system": "icd10cm", "since": "2025-10-01", "until": "2025-10-01", "limit": 5000},
        ).json()
        bad = c.get("/api/v1/changes", params={"since": "yesterday"})
        bad_system = c.get("/api/v1/changes", params={"since": "2025-01-01", "system": "nope"})
    kinds = {e["event"] for e in feed["changes"]}
    assert kinds == {"added", "deleted", "revised"}
    added = [e for e in feed["changes"] if e["event"] == "added" and e["code"] == "D711"]
    assert added and added[0]["source"].startswith("icd10cm_order_addenda_2026.txt")
    # FY2026 addenda: 28 codes deleted = 12 removed + 16 turned into headings.
    assert len([e for e in feed["changes"] if e["event"] == "deleted"]) == 12
    assert bad.status_code == 422 and bad_system.status_code == 404  # an unknown system is a 404 everywhere


@pytest.mark.shared
def test_cli_history_and_changes_json(history_db):
    from medcodes.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["history", "30233AZ", "--db", str(history_db), "--json"])
    assert res.exit_code == 0, res.output
    (doc,) = json.loads(res.stdout)
    assert doc["status"] == "deleted" and doc["replaced_by"][0]["code"] == "3E033AZ"
    res = runner.invoke(app, ["history", "D71.1", "--date", "2025-06-01", "--db", str(history_db), "--json"])
    assert json.loads(res.stdout)[0]["as_of"]["exists"] is False
    res = runner.invoke(
        app, ["changes", "--since", "2026-04-01", "--system", "icd10pcs", "--db", str(history_db), "--json"]
    )
    assert res.exit_code == 0, res.output
    feed = json.loads(res.stdout)
    assert {"code": "30233AZ", "event": "deleted"}.items() <= next(
        e for e in feed["changes"] if e["code"] == "30233AZ"
    ).items()
    res = runner.invoke(app, ["changes", "--since", "soon", "--db", str(history_db)])
    assert res.exit_code == 2

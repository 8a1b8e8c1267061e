"""The bill explainer on the real database (built from ../shared/data, with the CMS lab NCD spreadsheet
ingested into a copy): every sample bill through POST /api/v1/bill on a real server, the flags that
matter, bad input, the page without JavaScript and `medcodes bill`."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from live import LiveServer
from policies_support import copy_db
from typer.testing import CliRunner

from medcodes.cli import app
from medcodes.policies.ingest import Ingester
from medcodes.store import Store

pytestmark = pytest.mark.shared
BILLS = Path(__file__).resolve().parent / "fixtures" / "bill"


@pytest.fixture(scope="module")
def bill_db(real_db, shared_data, tmp_path_factory):
    db = copy_db(real_db, tmp_path_factory.mktemp("bill-real"))
    store = Store(db, readonly=False)
    Ingester(store.conn).ingest([shared_data / "mcd" / "ncd_lab_icd10"])
    store.close()
    return db


@pytest.fixture(scope="module")
def server(bill_db):
    with LiveServer(bill_db) as srv:
        yield srv


def _post(server, body, **kw) -> httpx.Response:
    with server.client() as c:
        return c.post("/api/v1/bill", json=body, **kw) if body is not None else c.post("/api/v1/bill", **kw)


@pytest.mark.parametrize("path", sorted(BILLS.glob("*.txt")), ids=lambda p: p.stem)
def test_every_sample_line_is_explained(server, path):
    expected = json.loads(path.with_suffix(".json").read_text())
    r = _post(server, {"text": path.read_text(), "locality": "13202-01"})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    doc = r.json()
    got = [(ln["code"], ln["modifiers"], ln["units"]) for ln in doc["lines"]]
    unknown = {u["text"] for u in doc["unrecognised"]}
    for ln in expected["lines"]:
        key = (ln["code"], ln["modifiers"] if ln["kind"] == "service" else [], ln["units"])
        assert key in got or ln["code"] in {"99999", "X99999"}, ln
    for ln in doc["lines"]:
        assert ln["title"], ln["code"]
        assert set(ln) >= {"system", "code", "display", "title", "common_name", "modifiers", "units", "date"}
        assert set(ln) >= {"status", "summary", "payment", "flags"}
        if ln["system"] in ("cpt", "hcpcs"):
            assert ln["payment"]["label"].startswith("Medicare's fee schedule amount")
    assert unknown >= set(expected["unrecognised"])
    if not expected["lines"]:
        assert doc["lines"] == [] and "Paste the lines" in doc["message"]


def test_amounts_status_and_flags(server):
    doc = _post(
        server, {"text": (BILLS / "08_physical_therapy.txt").read_text(), "locality": "13202-01"}
    ).json()
    by = {ln["code"]: ln for ln in doc["lines"]}
    assert by["97110"]["units"] == 8 and by["97110"]["payment"]["amount"] > 0
    assert by["97110"]["payment"]["total"] == pytest.approx(by["97110"]["payment"]["amount"] * 8)
    mue = [f for f in by["97110"]["flags"] if f["type"] == "mue"]
    assert mue and mue[0]["severity"] == "warning" and mue[0]["detail"]["limit"] < 8
    assert not [f for f in by["97140"]["flags"] if f["type"] == "mue"]
    national = _post(server, {"text": "99213 office visit $100.00"}).json()["lines"][0]["payment"]["amount"]
    manhattan = _post(server, {"text": "99213 office visit $100.00", "locality": "13202-01"}).json()
    assert manhattan["lines"][0]["payment"]["amount"] > national

    dme = _post(server, {"text": (BILLS / "04_dme_bill.txt").read_text()}).json()
    old = next(ln for ln in dme["lines"] if ln["code"] == "A4466")
    assert old["status"] in ("terminated", "deleted")
    assert [s["code"] for s in old["replaced_by"]] == ["A4467"]
    assert any(f["type"] == "status" and "A4467" in f["message"] for f in old["flags"])


def test_mce_edits_follow_age_and_sex(server):
    text = "Dx: O92.79, Z00.129"
    old = {ln["code"]: ln for ln in _post(server, {"text": text, "age": 67, "sex": "M"}).json()["lines"]}
    assert any(f["type"] == "mce" for f in old["O9279"]["flags"])
    assert any(f["type"] == "mce" and "male" in f["message"] for f in old["O9279"]["flags"])
    assert any(f["type"] == "mce" for f in old["Z00129"]["flags"])
    young = {ln["code"]: ln for ln in _post(server, {"text": text, "age": 30, "sex": "F"}).json()["lines"]}
    assert not any(f["type"] == "mce" for f in young["O9279"]["flags"])
    assert any(f["type"] == "mce" for f in young["Z00129"]["flags"])


def test_lab_ncd_reads_the_bills_diagnoses(server):
    doc = _post(server, {"text": (BILLS / "03_lab_bill.txt").read_text()}).json()
    lipid = next(ln for ln in doc["lines"] if ln["code"] == "80061")
    ncd = [f for f in lipid["flags"] if f["type"] == "lab_ncd"]
    assert ncd and "E78.5" in ncd[0]["detail"]["covered"]
    assert "Z00.00" in ncd[0]["detail"]["not_covered"] + ncd[0]["detail"]["not_listed"]


def test_a_code_in_two_systems_is_shown_both_ways(server):
    doc = _post(server, {"text": "Billing codes: A5055\nDx: A50.55"}).json()
    svc = next(ln for ln in doc["lines"] if ln["kind"] == "service")
    assert svc["system"] == "hcpcs" and svc["also"]["system"] == "icd10cm" and svc["also"]["reason"]
    assert any(ln["system"] == "icd10cm" and ln["code"] == "A5055" for ln in doc["lines"])


def test_bad_input(server):
    big = _post(server, {"text": "x" * 1_000_050})
    assert big.status_code == 413 and "1,000,000 bytes" in big.json()["error"]
    binary = _post(
        server,
        None,
        content=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        headers={"content-type": "application/json"},
    )
    assert binary.status_code == 400
    nul = _post(server, {"text": "99213\x00\x00\x01\x02"})
    assert nul.status_code == 400 and "binary" in nul.json()["error"]
    assert _post(server, {"nope": 1}).status_code == 400
    assert _post(server, {"text": "99213 visit $1.00", "locality": "99999-99"}).status_code == 422
    empty = _post(server, {"text": (BILLS / "11_no_codes.txt").read_text()})
    assert empty.status_code == 200 and empty.json()["lines"] == [] and empty.json()["message"]


def test_page_form_without_javascript_and_privacy(server):
    with server.client() as c:
        form = c.get("/bill")
        assert form.status_code == 200 and "never stored, logged or sent anywhere" in form.text
        assert 'method="post" action="/bill"' in form.text
        assert "http://" not in form.text.replace(server.url, "") and "https://" not in form.text
        r = c.post(
            "/bill", data={"text": (BILLS / "01_physician_eob.txt").read_text(), "locality": "national"}
        )
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
        for code in ("99214", "20610", "J1030", "73562", "M17.11", "E11.9"):
            assert f">{code}</a>" in r.text
        assert "American Medical Association" in r.text
        empty = c.post("/bill", data={"text": "Account 55512, Springfield, IL 62704"})
        assert "No medical codes were found" in empty.text
        big = c.post("/bill", data={"text": "x" * 1_000_100})
        assert big.status_code == 413


def test_cli(bill_db, tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["bill", str(BILLS / "08_physical_therapy.txt"), "--db", str(bill_db), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [ln["code"] for ln in doc["lines"]][:2] == ["97161", "97110"]
    res = runner.invoke(
        app, ["bill", "-", "--db", str(bill_db), "--locality", "13202-01"], input="99213 visit $90.00\n"
    )
    assert res.exit_code == 0 and "99213" in res.stdout and "$" in res.stdout
    (tmp_path / "b.bin").write_bytes(b"\x00\x01\x02" * 100)
    assert runner.invoke(app, ["bill", str(tmp_path / "b.bin"), "--db", str(bill_db)]).exit_code == 2

"""Payment on the hand-written fixtures (tests/fixtures/cpt PPRRVU and CLFS, tests/fixtures/payment GPCI,
LOCCO, ANES and MUE, all made-up values): amounts computed here by hand, the API, the page, the CLI,
bad files and a build with no payment files."""

from __future__ import annotations

import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from live import LiveServer
from typer.testing import CliRunner

from medcodes import codesets
from medcodes.cli import app as cli_app
from medcodes.codesets import mue as mue_files
from medcodes.codesets import pfs_rvu
from medcodes.models import ReleaseFileError
from medcodes.payment import compute
from medcodes.payment.build import import_payment
from medcodes.store import build

CF = Decimal("32.3465")


def dollars(x: Decimal) -> float:
    return float(x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def server(fixture_db):
    with LiveServer(fixture_db) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server):
    with server.client() as c:
        yield c


# 99213 in the fixture: work 1.30, PE 1.35 office / 0.57 facility, MP 0.10. TEST CITY GPCIs 1.1 / 1.2 / 1.7.
@pytest.mark.parametrize(
    ("locality", "gpci"),
    [
        (None, (1, 1, 1)),
        ("13202-01", ("1.1", "1.2", "1.7")),
        ("10112-00", ("1", "0.9", "0.5")),
        ("01182-18", ("1.05", "1.25", "0.75")),
    ],
)
def test_amounts_by_locality(client, locality, gpci):
    w, pe, mp = (Decimal(str(g)) for g in gpci)
    office = (Decimal("1.30") * w + Decimal("1.35") * pe + Decimal("0.10") * mp) * CF
    facility = (Decimal("1.30") * w + Decimal("0.57") * pe + Decimal("0.10") * mp) * CF
    r = client.get("/api/v1/codes/cpt/99213/payment", params={"locality": locality} if locality else {})
    assert r.status_code == 200
    pfs = r.json()["pfs"]
    assert pfs["non_facility_amount"] == dollars(office)
    assert pfs["facility_amount"] == dollars(facility)
    assert pfs["locality"]["id"] == (locality or "national")
    assert pfs["year"] == 2031 and pfs["source"]["file"] == "PPRRVU2031_Jan.csv"
    assert pfs["status"]["code"] == "A" and pfs["status"]["meaning"].startswith("Active")


def test_national_99213_matches_the_published_worked_example(client):
    # The fixture carries 99213's real 2025 RVUs, so the national figures are the issue's $88.95 / $63.72.
    pfs = client.get("/api/v1/codes/cpt/99213/payment").json()["pfs"]
    assert (pfs["non_facility_amount"], pfs["facility_amount"]) == (88.95, 63.72)


def test_codes_without_a_fee_schedule_amount_say_why(client):
    carrier = client.get("/api/v1/codes/cpt/76496/payment").json()["pfs"]
    assert carrier["available"] is False and carrier["non_facility_amount"] is None
    assert carrier["reason"] == "carrier-priced"
    assert {m["modifier"] for m in carrier["modifiers"]} == {"26", "TC"}
    assert all(m["reason"] == "carrier-priced" and m["facility_amount"] is None for m in carrier["modifiers"])
    lab = client.get("/api/v1/codes/cpt/85230/payment").json()
    assert (
        lab["pfs"]["reason"] == "not on the physician fee schedule"
        and lab["pfs"]["non_facility_amount"] is None
    )
    assert lab["clfs"]["rate"] == 17.90 and lab["clfs"]["year"] == 2031
    assert lab["clfs"]["source"]["file"] == "PUF_CLFS_CY2031_Q1V1.csv"


def test_anesthesia_part(client):
    a = client.get("/api/v1/codes/cpt/00100/payment", params={"locality": "13202-01"}).json()["anesthesia"]
    assert a["available"] and a["conversion_factor"] == 22.5 and a["national_conversion_factor"] == 20.0
    assert a["time_unit_minutes"] == 15 and "15 minutes" in a["explanation"]
    assert client.get("/api/v1/codes/cpt/99213/payment").json()["anesthesia"]["available"] is False


def test_mue_limits(client):
    doc = client.get("/api/v1/codes/hcpcs/J1745/payment").json()
    assert [(m["setting"], m["value"], m["indicator"]) for m in doc["mue"]] == [
        ("practitioner", 150, "3"),
        ("dme", 0, "3"),
    ]
    assert doc["mue"][0]["source"]["file"].startswith("MCR_MUE_Practitioner")
    assert doc["mue"][0]["indicator_meaning"].startswith("Date-of-service edit")
    assert doc["pfs"]["reason"] == "not on the physician fee schedule"  # J1745 has no row in the fixture
    page = client.get("/codes/hcpcs/J1745").text
    assert "Units per day (MUE)" in page and '<td class="mue-value">150</td>' in page


def test_unknown_locality_is_a_422_naming_the_format(client):
    for bad in ("99999-99", "13202", "x" * 30):
        r = client.get("/api/v1/codes/cpt/99213/payment", params={"locality": bad})
        assert r.status_code == 422
        assert "MAC-LOCALITY" in r.json()["error"]


def test_bad_code_and_system(client):
    assert client.get("/api/v1/codes/cpt/12345/payment").status_code == 404
    assert client.get("/api/v1/codes/icd10cm/E11.9/payment").status_code == 404
    assert client.get("/api/v1/codes/nope/99213/payment").status_code == 404


def test_localities_list_states_and_counties(client):
    doc = client.get("/api/v1/localities").json()
    assert "MAC-LOCALITY" in doc["format"]
    by_id = {loc["id"]: loc for loc in doc["localities"]}
    assert set(by_id) == {"10112-00", "13202-01", "01182-18"}
    assert by_id["01182-18"]["name"] == "TEST COAST" and by_id["01182-18"]["state"] == "CA"
    assert by_id["01182-18"]["counties"] == [
        {"state_name": "Test Coast State", "area": "TEST COAST", "counties": "NORTH, SOUTH AND EAST"}
    ]
    assert by_id["13202-01"]["gpci"] == {"work": 1.1, "pe": 1.2, "mp": 1.7}


def test_page_panel_and_locality_in_the_url(client):
    national = client.get("/codes/cpt/99213").text
    assert "What Medicare pays" in national and "$88.95" in national and "Limits" in national
    assert (
        "Medicare&#39;s fee schedule amount for 2031; what your plan or the hospital charges can differ"
        in national
    )
    assert "AMA" in national  # the CPT notice stays on the page
    local = client.get("/codes/cpt/99213", params={"locality": "13202-01"}).text
    office = (
        Decimal("1.30") * Decimal("1.1") + Decimal("1.35") * Decimal("1.2") + Decimal("0.10") * Decimal("1.7")
    ) * CF
    assert f"${dollars(office):,.2f}" in local and 'value="13202-01" selected' in local
    bad = client.get("/codes/cpt/99213", params={"locality": "nowhere"})
    assert bad.status_code == 200 and "MAC-LOCALITY" in bad.text and "$88.95" in bad.text
    assert "What Medicare pays" not in client.get("/codes/icd10cm/E11.9").text


def test_cli_price(fixture_db):
    runner = CliRunner()
    r = runner.invoke(cli_app, ["price", "99213", "--db", str(fixture_db), "--json"])
    assert r.exit_code == 0, r.output
    assert '"non_facility_amount": 88.95' in r.output
    r = runner.invoke(cli_app, ["price", "99213", "--locality", "bad", "--db", str(fixture_db)])
    assert r.exit_code == 2 and "MAC-LOCALITY" in r.output
    r = runner.invoke(cli_app, ["price", "99213", "--locality", "13202-01", "--db", str(fixture_db)])
    assert r.exit_code == 0 and "TEST CITY" in r.output


def test_compute_rounds_once_at_the_end():
    row = next(r for r in pfs_rvu.read(_fixture("cpt/PPRRVU2031_Jan.csv"), "csv") if r.code == "36904")
    a = compute.amounts(row, compute.Gpci(Decimal("1.1"), Decimal("1.2"), Decimal("1.7")))
    exact = (
        Decimal("7.50") * Decimal("1.1")
        + Decimal("40.00") * Decimal("1.2")
        + Decimal("1.00") * Decimal("1.7")
    ) * CF
    assert a.non_facility == Decimal(str(dollars(exact)))
    # Rounding each product first would give another cent here.
    assert compute.cents(Decimal("0.125") + Decimal("0.125")) == Decimal("0.25")


def _fixture(rel: str):
    return Path(__file__).resolve().parent / "fixtures" / rel


def test_no_payment_files_gives_empty_tables_and_says_so(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(_fixture("cpt/LONGULT.txt"), data)
    db = tmp_path / "m.sqlite"
    build.build(
        db,
        codesets.choose(data, ["cpt"], packaged=False),
        codesets.read,
        data_dir=data,
        steps=[("payment", __import__("medcodes.payment.build", fromlist=["x"]).build_step)],
    )
    with LiveServer(db) as srv, srv.client() as c:
        code = next(
            line.split("\t")[0]
            for line in _fixture("cpt/LONGULT.txt").read_text().splitlines()
            if line[:5].isdigit()
        )
        doc = c.get(f"/api/v1/codes/cpt/{code}/payment").json()
        assert doc["pfs"]["available"] is False and doc["pfs"]["reason"] == "no payment data in this build"
        assert doc["mue"] == [] and doc["mue_reason"] == "no payment data in this build"
        assert c.get("/api/v1/localities").json()["localities"] == []
        assert "no payment data" in c.get(f"/codes/cpt/{code}").text.lower()


def test_malformed_rvu_file_stops_the_build_naming_file_and_line(tmp_path):
    lines = _fixture("cpt/PPRRVU2031_Jan.csv").read_text().splitlines()
    lines[13] = lines[13].replace("7.50", "7.5O")  # a letter O in a number, line 14
    bad = tmp_path / "PPRRVU2031_Jan.csv"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(ReleaseFileError, match=r"PPRRVU2031_Jan\.csv \(line 14\).*work rvu"):
        import sqlite3

        import_payment(sqlite3.connect(":memory:"), tmp_path)
    truncated = tmp_path / "t" / "PPRRVU2031_Jan.csv"
    truncated.parent.mkdir()
    truncated.write_text("\n".join(lines[:12] + [lines[12][:40]]) + "\n")
    with pytest.raises(ReleaseFileError, match=r"\(line 13\).*expected 31 fields"):
        list(pfs_rvu.read(truncated, "csv"))


def test_malformed_mue_file_stops_the_build(tmp_path):
    src = _fixture("payment/MCR_MUE_PractitionerServices_Eff_01-01-2031.csv").read_text()
    bad = tmp_path / "MCR_MUE_PractitionerServices_Eff_01-01-2031.csv"
    bad.write_text(src.replace("99213,2,", "99213,two,"))
    with pytest.raises(
        ReleaseFileError, match=r"MCR_MUE_PractitionerServices_Eff_01-01-2031\.csv \(line 7\).*whole number"
    ):
        list(mue_files.read(bad, "csv"))
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(bad, data)
    db = tmp_path / "m.sqlite"
    with pytest.raises(ReleaseFileError, match="line 7"):
        build.build(
            db,
            [],
            codesets.read,
            data_dir=data,
            steps=[("payment", __import__("medcodes.payment.build", fromlist=["x"]).build_step)],
        )
    assert not db.exists()

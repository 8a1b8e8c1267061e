"""Payment on the real CMS files in ../shared/data: every amount recomputed here straight from the CSV
files with the test's own parsing and arithmetic (not the importer), and compared with the API to the cent.
CMS's own OPPSCAP file (amounts after the imaging cap, per locality) is a second, independent check."""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal

import pytest
from live import LiveServer

from medcodes.codesets import pfs_rvu
from medcodes.models import ReleaseFileError

pytestmark = pytest.mark.shared

LOCALITIES = [None, "13202-01", "01182-18", "10112-00", "02102-01", "05302-99", "03602-21"]


def _pfs_csv(shared_data) -> dict[tuple[str, str], list[str]]:
    path = shared_data / "cpt_cms" / "rvu25d" / "PPRRVU2025_Oct.csv"
    rows = list(csv.reader(path.open(encoding="cp1252", newline="")))
    start = next(i for i, r in enumerate(rows) if r[:3] == ["HCPCS", "MOD", "DESCRIPTION"]) + 1
    return {(r[0], r[1]): r for r in rows[start:] if r and r[0]}


def _gpci_csv(shared_data) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    out = {}
    with (shared_data / "cpt_cms" / "rvu25d" / "GPCI2025.csv").open(encoding="cp1252", newline="") as f:
        for r in csv.reader(f):
            if r and r[0].isdigit():
                out[f"{r[0]}-{r[2]}"] = (Decimal(r[4]), Decimal(r[5]), Decimal(r[6]))
    return out


def _expected(row: list[str], g: tuple[Decimal, Decimal, Decimal]) -> tuple[float | None, float | None]:
    """(office, facility) from columns of the RVU file: work 5, PE 6/8 with NA flags 7/9, MP 10, CF 24,
    OPPS-cap PE 28/29 and MP 30; the lower of the fee schedule and the OPPS-based amount is paid."""
    work, mp, cf = Decimal(row[5]), Decimal(row[10]), Decimal(row[24])
    opps = [Decimal(row[28]), Decimal(row[29]), Decimal(row[30])]
    out = []
    for pe, na, opps_pe in ((row[6], row[7], opps[0]), (row[8], row[9], opps[1])):
        if na.strip() == "NA":
            out.append(None)
            continue
        amount = (work * g[0] + Decimal(pe) * g[1] + mp * g[2]) * cf
        if any(opps):
            amount = min(amount, (work * g[0] + opps_pe * g[1] + opps[2] * g[2]) * cf)
        out.append(float(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)))
    return out[0], out[1]


@pytest.fixture(scope="module")
def client(real_db):
    with LiveServer(real_db) as srv, srv.client() as c:
        yield c


def _sample(pfs: dict) -> list[tuple[str, str]]:
    """Paid rows spread over the file, with every 26/TC split among them and a few named ones."""
    paid = sorted(
        k
        for k, r in pfs.items()
        if r[3] in ("A", "T", "R") and r[4] != "+" and (Decimal(r[11]) or Decimal(r[12]))
    )
    sample = paid[:: max(1, len(paid) // 30)]
    split = [k for k in paid if k[1] in ("26", "TC")]
    sample += split[:: max(1, len(split) // 12)]
    sample += [("99213", ""), ("70450", ""), ("70450", "26"), ("70450", "TC"), ("45378", "53"), ("11055", "")]
    return sorted(set(sample))


def test_amounts_match_the_csv_files_to_the_cent(client, shared_data):
    pfs, gpci = _pfs_csv(shared_data), _gpci_csv(shared_data)
    sample = _sample(pfs)
    assert (
        len({c for c, _ in sample}) >= 30
        and any(m == "26" for _, m in sample)
        and any(m == "TC" for _, m in sample)
    )
    checked = 0
    for code, mod in sample:
        system = "cpt" if code[0].isdigit() or code[-1] in "FTMU" and code[:4].isdigit() else "hcpcs"
        for loc in LOCALITIES:
            g = gpci[loc] if loc else (Decimal(1), Decimal(1), Decimal(1))
            r = client.get(f"/api/v1/codes/{system}/{code}/payment", params={"locality": loc} if loc else {})
            assert r.status_code == 200, (code, loc, r.text[:200])
            doc = r.json()["pfs"]
            line = doc if not mod else next(m for m in doc["modifiers"] if m["modifier"] == mod)
            assert (line["non_facility_amount"], line["facility_amount"]) == _expected(pfs[(code, mod)], g), (
                code,
                mod,
                loc,
            )
            checked += 1
    assert checked >= 30 * len(LOCALITIES)


def test_worked_examples(client):
    nat = client.get("/api/v1/codes/cpt/99213/payment").json()["pfs"]
    assert (nat["non_facility_amount"], nat["facility_amount"]) == (88.95, 63.72)
    assert nat["year"] == 2025 and nat["conversion_factor"] == 32.3465
    manhattan = client.get("/api/v1/codes/cpt/99213/payment", params={"locality": "13202-01"}).json()["pfs"]
    assert manhattan["non_facility_amount"] == 101.06
    assert manhattan["locality"] == {"id": "13202-01", "name": "MANHATTAN", "state": "NY"}


def test_mue_clfs_and_opps(client):
    j = client.get("/api/v1/codes/hcpcs/J1745/payment").json()
    practitioner = next(m for m in j["mue"] if m["setting"] == "practitioner")
    assert practitioner["value"] == 150 and practitioner["indicator"] == "3"
    assert practitioner["source"]["file"] == "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv"
    assert j["pfs"]["reason"] == "not on the physician fee schedule"  # status E
    assert j["opps"]["status_indicator"] == "K" and j["opps"]["year"] == 2023
    assert "older than the other payment files" in j["opps"]["note"]
    lab = client.get("/api/v1/codes/cpt/85230/payment").json()
    assert lab["clfs"]["rate"] == 17.90 and lab["clfs"]["year"] == 2026
    assert [m["value"] for m in lab["mue"]] == [2, 2]
    carrier = client.get("/api/v1/codes/cpt/76496/payment").json()["pfs"]
    assert carrier["reason"] == "carrier-priced" and carrier["non_facility_amount"] is None


def test_opps_capped_amounts_match_cms_oppscap(client, shared_data):
    """OPPSCAP lists, per locality, the amount after the imaging cap for the codes it binds."""
    with (shared_data / "cpt_cms" / "rvu25d" / "OPPSCAP_Oct.csv").open(newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["PROCSTAT"] == "A" and r["LOCALITY"] == "01"]
    known = {loc["id"] for loc in client.get("/api/v1/localities").json()["localities"]}
    rows = [r for r in rows if f"{r['CARRIER']}-{r['LOCALITY']}" in known][:60]
    assert len(rows) >= 30
    for r in rows:
        doc = client.get(
            f"/api/v1/codes/cpt/{r['HCPCS']}/payment", params={"locality": f"{r['CARRIER']}-{r['LOCALITY']}"}
        ).json()["pfs"]
        line = doc if not r["MOD"] else next(m for m in doc["modifiers"] if m["modifier"] == r["MOD"])
        assert line["non_facility_amount"] == float(r["NON-FACILTY PRICE"]), r
        assert line["opps_cap_applied"] == ["non_facility"]


def test_localities_have_counties(client):
    locs = {loc["id"]: loc for loc in client.get("/api/v1/localities").json()["localities"]}
    assert len(locs) == 109
    assert any("BRONX" in c["counties"] for c in locs["13202-02"]["counties"])
    assert locs["13202-01"]["anesthesia_conversion_factor"] == 22.76


def test_three_formats_of_the_rvu_file_agree(shared_data):
    folder = shared_data / "cpt_cms" / "rvu25d"
    csv_rows = list(pfs_rvu.read(folder / "PPRRVU2025_Oct.csv", "csv"))
    for fmt in ("txt", "xlsx"):
        other = list(pfs_rvu.read(folder / f"PPRRVU2025_Oct.{fmt}", fmt))
        assert len(other) == len(csv_rows) == 19090
        for a, b in zip(csv_rows, other, strict=True):
            for name in a.__slots__:
                va, vb = getattr(a, name), getattr(b, name)
                if isinstance(va, str) and va.replace(".", "").isdigit() and vb.replace(".", "").isdigit():
                    assert Decimal(va) == Decimal(vb), (fmt, a.code, a.modifier, name)
                else:
                    assert va == vb, (fmt, a.code, a.modifier, name)


def test_truncated_real_files_name_the_line(shared_data, tmp_path):
    from medcodes.codesets import mue

    src = (shared_data / "cpt_cms" / "rvu25d" / "PPRRVU2025_Oct.csv").read_bytes()
    cut = tmp_path / "PPRRVU2025_Oct.csv"
    cut.write_bytes(src[: src.index(b"\n99213") + 20])
    with pytest.raises(ReleaseFileError, match=r"PPRRVU2025_Oct\.csv \(line \d+\): expected 31 fields"):
        list(pfs_rvu.read(cut, "csv"))
    m = (shared_data / "ncci" / "mue_2026q2" / "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv").read_bytes()
    bad = tmp_path / "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv"
    bad.write_bytes(m.replace(b"J1745,150,", b"J1745,1x0,"))
    with pytest.raises(ReleaseFileError, match=r"\(line \d+\): MUE value is not a whole number"):
        list(mue.read(bad, "csv"))

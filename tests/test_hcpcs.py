"""HCPCS Level II importer: fixed-width TXT, ANWEB xlsx, release choice, outline and bad files."""

from __future__ import annotations

import shutil
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from medcodes.codesets import hcpcs, scan
from medcodes.models import ReleaseFileError, Source
from medcodes.store import Store
from medcodes.store import build as store_build

FIXTURE_TXT = Path(__file__).parent / "fixtures" / "hcpcs" / "HCPC2019_CONTR_ANWEB.txt"

# The 48 ANWEB columns, as in the CMS header row.
ANWEB_HEADER = (
    ["HCPC", "SEQNUM", "RECID", "LONG DESCRIPTION", "SHORT DESCRIPTION"]
    + [f"PRICE{i}" for i in range(1, 5)]
    + ["MULT_PI", "CIM1", "CIM2", "CIM3", "MCM1", "MCM2", "MCM3", "STATUTE"]
    + [f"LABCERT{i}" for i in range(1, 9)]
    + [f"XREF{i}" for i in range(1, 6)]
    + ["COV", "ASC_GRP", "ASC_DT", "OPPS", "OPPS_PI", "OPPS_DT", "PROCNOTE", "BETOS"]
    + [f"TOS{i}" for i in range(1, 6)]
    + ["ANEST_BU", "ADD DT", "ACT EFF DT", "TERM DT", "ACTION CD"]
)


def anweb_row(code, recid, long, short, **cols):
    row = dict.fromkeys(ANWEB_HEADER, "")
    row.update({"HCPC": code, "SEQNUM": "0010", "RECID": recid, "LONG DESCRIPTION": long, "SHORT DESCRIPTION": short})
    row.update(cols)
    return [row[h] for h in ANWEB_HEADER]


def write_anweb(path: Path, rows, header=ANWEB_HEADER) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = path.stem
    ws.append(list(header))
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def small_anweb(path: Path) -> Path:
    return write_anweb(
        path,
        [
            anweb_row("   GA", "7", "Waiver of liability statement issued as required by payer policy, individual case",
                      "Liability waiver ind case", COV="C", **{"ADD DT": "19950101", "ACTION CD": "N"}),
            anweb_row("A0021", "3", "Ambulance service, outside state per mile, transport (medicaid only)",
                      "Outside state ambulance serv", PRICE1="00", COV="I", BETOS="O1A", TOS1="D", XREF1="A0030",
                      **{"ADD DT": "19850101", "ACT EFF DT": "19960910", "ACTION CD": "N"}),
            anweb_row("J1745", "3", "Injection, infliximab, excludes biosimilar, 10 mg", "Infliximab not biosimil 10mg",
                      PRICE1="51", COV="D", ASC_GRP="YY", ASC_DT="20080101", BETOS="O1E", TOS1="1", TOS2="P",
                      **{"ADD DT": "20000101", "ACTION CD": "N"}),
            anweb_row("A2001", "3", "Innovamatrix ac, per square centimeter", "Innovamatrix ac, per sq cm",
                      COV="C", **{"ADD DT": "20220101", "TERM DT": "20241231", "ACTION CD": "D"}),
        ],
    )


def by_code(records):
    return {r.code: r for r in records}


# ---------------------------------------------------------------------------------------------------
# fixed-width TXT fixture


def test_txt_fixture_is_selected_with_default_layout():
    src = hcpcs.select([FIXTURE_TXT])
    assert src is not None and src.system == "hcpcs"
    assert src.version == "2019" and src.release_date == "2019-01-01"
    assert src.files["release"] == FIXTURE_TXT
    assert any("chose" in n for n in src.notes)


def test_txt_fixture_records():
    records = list(hcpcs.read(hcpcs.select([FIXTURE_TXT])))
    recs = by_code(records)
    codes = [r.code for r in records if r.kind == "code"]
    mods = [r.code for r in records if r.kind == "modifier"]
    assert codes == ["A0021", "A4206", "E1130", "G8891", "J1745", "K0001", "L3000", "V5010"]
    assert mods == ["GA", "LT"]  # the numeric (Level I) modifier is skipped
    assert "99999" not in recs and "25" not in recs
    # RIC 4 and RIC 8 continuations are joined onto the record before them
    assert recs["E1130"].title.endswith("swing away detachable footrests")
    assert recs["GA"].title == "Waiver of liability statement issued as required by payer policy, individual case"
    assert recs["G8891"].title.endswith("is not clinically appropriate)")
    assert "and its continuation" not in " ".join(r.title for r in records)
    a = recs["A0021"]
    assert (a.billable, a.short_title, a.effective_date) == (True, "Outside state ambulance serv", "1985-01-01")
    assert a.attrs["betos"] == "O1A" and a.attrs["cross_references"] == ["A0030"]
    assert a.attrs["coverage_code"] == "I" and a.attrs["coverage"] == "Not payable by Medicare"
    assert a.attrs["type_of_service"] == ["D"] and "anesthesia_base_units" not in a.attrs
    assert recs["J1745"].attrs["asc_group_effective_date"] == "2008-01-01"
    assert recs["J1745"].attrs["type_of_service"] == ["1", "P"]
    assert recs["V5010"].attrs["statute"] == "1862A7"
    # a terminated code is kept, billable for dates before its termination
    g = recs["G8891"]
    assert g.termination_date == "2014-12-31" and g.billable
    assert recs["GA"].billable is False and recs["GA"].parent == "MODIFIERS"


def test_outline_parents_come_first_and_every_code_has_one():
    records = list(hcpcs.read(hcpcs.select([FIXTURE_TXT])))
    seen: set[str] = set()
    for r in records:
        assert r.parent is None or r.parent in seen, f"{r.code}: parent {r.parent} not yet yielded"
        seen.add(r.code)
    recs = by_code(records)
    assert recs["A0021"].parent == "A0000-A0999" and recs["A0000-A0999"].parent == "A0000-A9999"
    assert recs["A4206"].parent == "A4000-A8999"
    assert recs["E1130"].parent == "E0000-E9999"
    assert recs["J1745"].parent == "J0000-J8999"
    assert recs["L3000"].parent == "L0000-L4999"
    assert recs["V5010"].parent == "V5000-V5999"
    assert recs["A0000-A9999"].kind == "chapter" and recs["J0000-J8999"].kind == "section"
    # only outline nodes that hold codes are emitted
    assert "B0000-B9999" not in recs and "J9000-J9999" not in recs


def test_layout_parser_reads_the_rif_report_format():
    text = "\n".join(
        [
            "       NAME                   LENGTH   BEG  END        CONTENTS",
            "  ***  HCPCS Contractor Record - 2031",
            "                               100      1    100    REC",
            "  1.   Healthcare Common Procedure Coding System Code",
            "                                 5      1      5    CHAR",
            "  2.   HCPCS Sequence Number",
            "                                 5      6     10    NUM",
            "  3.   HCPCS Record Identification Code",
            "                                 1     11     11    CHAR",
            "  4.   HCPCS Long Description",
            "                                40     12     51    CHAR",
            "  5.   HCPCS Short Description",
            "                                20     52     71    CHAR",
            "  6.   HCPCS Type Of Service Code",
            "                                 1     72     72    CHAR",
            "                                                    OCCURS MIN: 1 OCCURS MAX: 3",
            "  7.   HCPCS Code Added Date",
            "                                 8     75     82    NUM",
            "  8.   FILLER                                       CHAR",
            "                                18     83    100",
        ]
    )
    layout = hcpcs.parse_layout(text)
    assert layout.year == 2031 and layout.record_length == 100
    fields = {f.key: f for f in layout.fields}
    assert set(fields) == {"sequence", "ric", "long", "short", "type_of_service", "added_date"}
    assert (fields["long"].start, fields["long"].length) == (11, 40)
    assert fields["type_of_service"].occurs == 3
    with pytest.raises(ReleaseFileError, match="not a HCPCS record layout"):
        hcpcs.parse_layout("hello\n  1.   Something\n      5 1 5 CHAR\n")


def test_layout_of_another_record_length_is_rejected(tmp_path):
    data = tmp_path / "HCPC2019_CONTR_ANWEB.txt"
    shutil.copy(FIXTURE_TXT, data)
    layout = tmp_path / "HCPCS2019_recordlayout.txt"
    layout.write_text(
        "  ***  HCPCS Contractor Record - 2019\n"
        "                               293      1    293    REC\n"
        "  1.   HCPCS Record Identification Code\n                                 1     11     11    CHAR\n"
        "  2.   HCPCS Long Description\n                                80     12     91    CHAR\n"
        "  3.   HCPCS Short Description\n                                28     92    119    CHAR\n"
    )
    src = hcpcs.select([data, layout])
    assert src.files["layout"] == layout
    with pytest.raises(ReleaseFileError, match=r"line 9\).*320 characters.*293"):
        list(hcpcs.read(src))


def test_truncated_txt_names_the_line(tmp_path):
    data = tmp_path / "HCPC2019_CONTR_ANWEB.txt"
    lines = FIXTURE_TXT.read_bytes().split(b"\r\n")
    lines[13] = lines[13][:150]  # cut the A4206 record
    data.write_bytes(b"\r\n".join(lines))
    with pytest.raises(ReleaseFileError, match=r"line 14\): record is truncated"):
        list(hcpcs.read(hcpcs.select([data])))


def test_unknown_record_id_and_orphan_continuation(tmp_path):
    data = tmp_path / "HCPC2019_CONTR_ANWEB.txt"
    lines = FIXTURE_TXT.read_bytes().decode("latin-1").split("\r\n")
    lines[12] = lines[12][:10] + "5" + lines[12][11:]
    data.write_bytes("\r\n".join(lines).encode("latin-1"))
    with pytest.raises(ReleaseFileError, match=r"line 13\): unknown record id '5'"):
        list(hcpcs.read(hcpcs.select([data])))
    lines = FIXTURE_TXT.read_bytes().decode("latin-1").split("\r\n")
    data.write_bytes("\r\n".join(lines[:8] + lines[9:]).encode("latin-1"))  # drop GA's first line
    with pytest.raises(ReleaseFileError, match=r"line 9\): continuation record with no record"):
        list(hcpcs.read(hcpcs.select([data])))


def test_wrong_format_files_are_clear_errors(tmp_path):
    html = tmp_path / "HCPC2025_OCT_ANWEB.txt"
    html.write_text("<html><body>Page not found</body></html>\n" * 50)
    with pytest.raises(ReleaseFileError, match="HCPC2025_OCT_ANWEB.txt.*no fixed-width HCPCS records"):
        hcpcs.select([html])
    xlsx = write_anweb(tmp_path / "HCPC2025_JUL_ANWEB.xlsx", [["A0021", "x"]], header=["CODE", "TEXT"])
    with pytest.raises(ReleaseFileError, match="not the ANWEB header"):
        hcpcs.select([xlsx])
    fake = tmp_path / "HCPC2025_APR_ANWEB.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ReleaseFileError, match="not an xlsx workbook"):
        hcpcs.select([fake])
    # a broken newer file is passed over (and said so) when a good release is present
    src = hcpcs.select([fake, FIXTURE_TXT])
    assert src.files["release"] == FIXTURE_TXT
    assert any("passed over HCPC2025_APR_ANWEB.xlsx" in n for n in src.notes)
    # unrelated files are not HCPCS at all
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    assert hcpcs.select([other]) is None and hcpcs.select([]) is None


def test_missing_file_raises():
    src = Source(system="hcpcs", name="x", version="2025", files={"release": Path("nowhere/HCPC2025_ANWEB.xlsx")})
    with pytest.raises(ReleaseFileError, match="file not found"):
        list(hcpcs.read(src))


# ---------------------------------------------------------------------------------------------------
# ANWEB xlsx


def test_anweb_xlsx_reads_text_cells(tmp_path):
    path = small_anweb(tmp_path / "HCPC2025_OCT_ANWEB.xlsx")
    src = hcpcs.select([path])
    assert src.version == "2025-10" and src.release_date == "2025-10-01"
    recs = by_code(hcpcs.read(src))
    assert recs["GA"].kind == "modifier" and recs["GA"].parent == "MODIFIERS"
    assert recs["A0021"].attrs["pricing_indicators"] == ["00"]  # leading zero kept
    assert recs["J1745"].attrs["type_of_service"] == ["1", "P"]
    assert recs["A2001"].parent == "A2000-A2999"
    assert recs["A2001"].termination_date == "2024-12-31" and recs["A2001"].attrs["action"].startswith("Discontinue")


def test_bad_date_in_xlsx_names_the_row(tmp_path):
    path = write_anweb(
        tmp_path / "HCPC2025_OCT_ANWEB.xlsx",
        [
            anweb_row("A0021", "3", "Ambulance", "Amb", **{"ADD DT": "19850101"}),
            anweb_row("A0080", "3", "Volunteer", "Vol", **{"ADD DT": "1985-13"}),
        ],
    )
    with pytest.raises(ReleaseFileError, match=r"row 3\): add date '1985-13' is not a YYYYMMDD date"):
        list(hcpcs.read(hcpcs.select([path])))


def test_newest_release_wins(tmp_path):
    xlsx = small_anweb(tmp_path / "HCPC2025_OCT_ANWEB.xlsx")
    src = hcpcs.select([FIXTURE_TXT, xlsx])
    assert src.files["release"] == xlsx and src.version == "2025-10"
    assert any("passed over HCPC2019_CONTR_ANWEB.txt" in n for n in src.notes)


def test_fixture_build_gives_breadcrumbs(tmp_path):
    db = tmp_path / "h.sqlite"
    store_build.build(db, [hcpcs.select([FIXTURE_TXT])], hcpcs.read)
    store = Store(db)
    crumbs = [b.code for b in store.breadcrumb("hcpcs", "A0021")]
    assert crumbs[:2] == ["A0000-A9999", "A0000-A0999"]
    assert store.get("hcpcs", "G8891").termination_date == "2014-12-31"
    assert store.stats()["hcpcs"]["billable_current"] == 7  # 8 codes, one terminated


# ---------------------------------------------------------------------------------------------------
# real CMS files


@pytest.fixture(scope="module")
def real_2025(shared_data):
    src = hcpcs.select(scan(shared_data))
    t0 = time.perf_counter()
    records = list(hcpcs.read(src))
    return src, records, time.perf_counter() - t0


def test_real_newest_release_is_chosen(real_2025):
    src, _, seconds = real_2025
    assert src.files["release"].name == "HCPC2025_OCT_ANWEB.xlsx" and src.version == "2025-10"
    assert any("2019-Alpha-Numeric-HCPCS-File.zip" in n and "passed over" in n for n in src.notes)
    assert src.files["noc"].name == "NOC codes_JUL2025.xlsx"
    assert seconds < 15


def test_real_2025_counts_match_the_readme(real_2025):
    _, records, _ = real_2025
    kinds = [r.kind for r in records]
    assert kinds.count("code") == 8463 and kinds.count("modifier") == 383
    codes = {r.code for r in records}
    assert all(r.parent in codes for r in records if r.parent), "every record's parent is imported"
    assert all(r.parent for r in records if r.kind in ("code", "modifier", "section"))


def test_real_2025_check_codes(real_2025):
    _, records, _ = real_2025
    recs = by_code(records)
    a, e, j = recs["A0021"], recs["E1130"], recs["J1745"]
    assert a.title.startswith("Ambulance service, outside state per mile") and a.parent == "A0000-A0999"
    assert e.title.endswith("detachable footrests") and e.parent == "E0000-E9999"
    assert j.short_title == "Infliximab not biosimil 10mg" and j.parent == "J0000-J8999"
    assert j.attrs["betos"] == "O1E" and j.attrs["pricing_indicators"] == ["51"]
    assert recs["A9999"].attrs.get("not_otherwise_classified") is True
    terminated = [r for r in records if r.termination_date]
    assert len(terminated) > 1000 and all(r.billable or r.kind == "modifier" for r in terminated)


def test_real_2019_zip_with_its_layout(shared_data):
    folder = shared_data / "hcpcs" / "2019"
    src = hcpcs.select(scan(folder))
    assert src.version == "2019" and src.files["layout"].name == "2019-HCPCS-Record-Layout.zip"
    with zipfile.ZipFile(src.files["layout"]) as zf:
        layout = hcpcs.parse_layout(zf.read("HCPCS2019_recordlayout.txt").decode("latin-1"))
    assert layout.record_length == 320 and layout.fields == hcpcs.DEFAULT_LAYOUT.fields
    records = list(hcpcs.read(src))
    codes = [r for r in records if r.kind == "code"]
    mods = [r for r in records if r.kind == "modifier"]
    # README: 6,440 RIC 3 + 360 RIC 7 = 6,800; every RIC 3 row is shaped like a Level II code
    assert (len(codes), len(mods)) == (6440, 360)
    recs = by_code(records)
    assert recs["G8891"].termination_date == "2014-12-31"
    assert recs["E1130"].title.endswith("detachable footrests")


def test_real_2019_layout_rejected_for_a_2025_file(shared_data, tmp_path):
    data = tmp_path / "HCPC2025_JAN_ANWEB.txt"
    shutil.copy(FIXTURE_TXT, data)
    layout = shared_data / "hcpcs" / "2019" / "2019-HCPCS-Record-Layout.zip"
    src = hcpcs.select([data])
    src.files["layout"] = layout
    with pytest.raises(ReleaseFileError, match="layout is for 2019 but the data file is 2025"):
        list(hcpcs.read(src))


def test_real_build_breadcrumbs(real_2025, tmp_path):
    src, _, _ = real_2025
    db = tmp_path / "real-hcpcs.sqlite"
    store_build.build(db, [src], hcpcs.read)
    store = Store(db)
    for code, section in [("A0021", "A0000-A0999"), ("E1130", "E0000-E9999"), ("J1745", "J0000-J8999")]:
        crumbs = [b.code for b in store.breadcrumb("hcpcs", code)]
        assert section in crumbs and crumbs[0].endswith("9999")
    stats = store.stats()["hcpcs"]
    assert stats["billable"] == 8463 and stats["billable_current"] < 8463

"""CPT importer: recognising CMS/AMA files, merging them per code, and the section outline."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import openpyxl
import pytest

from medcodes.codesets import cpt
from medcodes.models import ReleaseFileError
from medcodes.store import build
from medcodes.store.db import Store

FIX = Path(__file__).resolve().parent / "fixtures" / "cpt"
PFS = FIX / "PPRRVU2031_Jan.csv"
CLFS = FIX / "PUF_CLFS_CY2031_Q1V1.csv"
AMA = FIX / "LONGULT.txt"

# Made-up descriptors: the layout of Addendum B is the official one, the text is not.
OPPS_ROWS = [
    ("0001A", "Test vaccine admin first", "S", "9397", 0.4851, 41.52, 0, 0, None, None, None),
    ("36904", "Test clot removal access", "J1", "5192", 60.1, 5215.4, ".", 1043.08, None, None, None),
    ("76496", "Test unlisted xray movie", "Q1", "5521", 1.0, 86.88, ".", ".", None, None, None),
    ("85230", "Test clot factor 7", "Q4", ".", ".", ".", ".", ".", None, None, None),
    ("99213", "Test office visit low (older)", "B", None, None, None, None, None, None, None, None),
    ("0003T", "Test retired emerging code", "E1", None, None, None, None, None, None, None, None),
    ("C1713", "Test anchor for joint", "N", None, None, None, None, None, None, None, None),
]


def write_addendum_b(path: Path, rows=OPPS_ROWS, header=None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2030 January Addendum B"
    ws.append([None, "Addendum B.- OPPS Payment by HCPCS Code (test fixture)"])
    ws.append([None, "Descriptors here are made up."])
    ws.append([None, "Not a real release."])
    ws.append(header or ["HCPCS Code", "Short Descriptor", " SI", "APC ", "Relative Weight ", "Payment Rate",
                         "National Unadjusted Copayment ", "Minimum Unadjusted Copayment ", "Note", "Pass-Through",
                         "* Indicates a Change "])
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


@pytest.fixture()
def opps(tmp_path) -> Path:
    return write_addendum_b(tmp_path / "2030_January_Web_Addendum_B.xlsx")


@pytest.fixture()
def all_files(tmp_path, opps) -> list[Path]:
    for f in (PFS, CLFS, AMA):
        shutil.copy(f, tmp_path / f.name)
    return sorted(tmp_path.iterdir())


def records(files):
    source = cpt.select(files)
    return source, {r.code: r for r in cpt.read(source)}


# ---------------------------------------------------------------------------------------------
# select


def test_select_recognises_each_kind_by_content(all_files):
    source = cpt.select(all_files)
    assert set(source.files) == {"pfs", "clfs", "opps", "ama"}
    assert source.files["opps"].name == "2030_January_Web_Addendum_B.xlsx"
    assert source.release_date == "2031-01-01"  # the newest of PFS 2031-01, CLFS 2031-Q1, OPPS 2030-01
    assert "PFS 2031-01" in source.version and "CLFS 2031-Q1" in source.version
    assert "OPPS 2030-01" in source.version


def test_select_returns_none_without_cpt_files(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here\n")
    (tmp_path / "other.csv").write_text("a,b,c\n1,2,3\n")
    assert cpt.select([tmp_path / "notes.txt", tmp_path / "other.csv"]) is None
    assert cpt.select([], packaged=True) is None  # nothing is packaged: CPT text is AMA copyright


def test_renamed_file_is_still_recognised_by_its_header(tmp_path):
    renamed = tmp_path / "fee_schedule_export.csv"
    shutil.copy(PFS, renamed)
    source = cpt.select([renamed])
    assert source.files == {"pfs": renamed}


def test_name_alone_is_not_enough(tmp_path):
    fake = tmp_path / "PPRRVU2031_Jan.csv"
    fake.write_text("something,else\n1,2\n")
    assert cpt.select([fake]) is None


def test_newest_release_wins_per_kind_and_csv_is_preferred(tmp_path):
    old = tmp_path / "PPRRVU2030_Jul.csv"
    new = tmp_path / "PPRRVU2031_Jan.csv"
    shutil.copy(PFS, old)
    shutil.copy(PFS, new)
    txt = tmp_path / "PPRRVU2031_Jan.txt"
    txt.write_text(_pfs_txt(["85230  Test clot factor seven", "99213  Test office visit low"]))
    source = cpt.select([old, txt, new])
    assert source.files["pfs"] == new
    assert any("2030-07" in n and "newest" in n for n in source.notes)
    assert any("PPRRVU2031_Jan.txt" in n for n in source.notes)


# ---------------------------------------------------------------------------------------------
# read and merge


def test_merge_prefers_ama_then_clfs_then_short_descriptors(all_files):
    source, recs = records(all_files)
    assert recs["99213"].title.startswith("Test office or outpatient visit")
    assert recs["99213"].attrs["title_source"] == "ama"
    # The short title is the newest short descriptor (PFS 2031 over OPPS 2030).
    assert recs["99213"].short_title == "Test office visit low"
    # CLFS extended descriptor, with the case of "VII" taken back from the long descriptor.
    assert recs["85230"].title == "Test clotting; factor VII level"
    assert recs["85230"].attrs["title_source"] == "clfs"
    assert recs["85230"].attrs["clfs"]["rate"] == "17.90"
    assert recs["85230"].attrs["clfs"]["modifiers"] == ["QW"]
    assert recs["36904"].title == "Test clot removal access"
    assert recs["36904"].attrs["title_source"] == "pfs"


def test_per_file_facts_are_kept(all_files):
    _, recs = records(all_files)
    r = recs["36904"]
    assert r.attrs["pfs"]["status"] == "A"
    assert r.attrs["pfs"]["work_rvu"] == "7.50"
    assert r.attrs["pfs"]["global"] == "000"
    assert r.attrs["opps"] == {"si": "J1", "apc": "5192", "rate": "5215.40"}
    # "." in Addendum B means blank.
    assert recs["85230"].attrs["opps"] == {"si": "Q4"}
    assert recs["76496"].attrs["pfs"]["modifiers"] == ["26", "TC"]
    assert recs["76496"].attrs["pfs"]["status"] == "C"  # from the global row, not the TC row


def test_only_cpt_codes_are_kept_and_older_only_codes_still_imported(all_files):
    source, recs = records(all_files)
    assert not {"G0008", "G0103", "C1713"} & set(recs)
    leaves = {c for c, r in recs.items() if r.kind == "code"}
    assert {"0001A", "0003T", "99999", "0001U", "0002M", "0001F", "0042T"} <= leaves
    assert recs["0003T"].attrs["sources"] == ["opps"]  # only in the older OPPS file
    assert all(r.billable and r.display == r.code for r in recs.values() if r.kind == "code")
    notes = "\n".join(source.notes)
    assert "PPRRVU2031_Jan.csv (pfs): 9 CPT codes, 1 rows of other systems skipped" in notes
    assert "reconciled" in notes


def test_records_come_parents_first_and_every_code_has_a_parent(all_files):
    source = cpt.select(all_files)
    seen: set[str] = set()
    for rec in cpt.read(source):
        assert rec.parent is None or rec.parent in seen, rec.code
        seen.add(rec.code)
        if rec.kind == "code":
            assert rec.parent
    assert "70010-79999" in seen and "10004-69990" in seen
    assert "00100-00222" in seen  # the anesthesia code sits under its body region
    assert "38100-38999" not in seen  # sections without codes are left out


def test_code_outside_every_range_goes_to_its_top_section_and_is_counted(all_files):
    source, recs = records(all_files)
    assert recs["99999"].parent == "90281-99607"
    assert any("outside every outline range" in n and "99999" in n for n in source.notes)


def test_outline_placement_of_the_check_codes(all_files):
    _, recs = records(all_files)
    outline = cpt.Outline(cpt.load_outline())

    def crumbs(code):
        return [outline.by_code[c].title for c in outline.path(recs[code].parent)]

    assert crumbs("85230") == ["Pathology and Laboratory", "Hematology and Coagulation"]
    assert crumbs("85999") == ["Pathology and Laboratory", "Hematology and Coagulation"]
    assert crumbs("36904") == ["Surgery", "Cardiovascular System", "Arteries and Veins", "Dialysis Circuit"]
    assert crumbs("77299") == ["Radiology", "Radiation Oncology", "Clinical Treatment Planning"]
    assert crumbs("76496")[:2] == ["Radiology", "Diagnostic Radiology (Diagnostic Imaging)"]
    assert "Fluoroscopy" in crumbs("76496")[2]


def test_fixture_build_gives_breadcrumbs(tmp_path, all_files):
    db = tmp_path / "cpt.sqlite"
    source = cpt.select(all_files)
    report = build.build(db, [source], cpt.read, steps=[])
    assert report.systems[0].orphans == 0 and report.systems[0].duplicates == 0
    store = Store(db)
    assert [r.code for r in store.breadcrumb("cpt", "36904")][:3] == ["10004-69990", "33016-37799", "34001-37799"]
    assert store.get("cpt", "85230").title == "Test clotting; factor VII level"


# ---------------------------------------------------------------------------------------------
# The outline itself


def test_outline_is_well_formed():
    nodes = cpt.load_outline()
    by_code = {n.code: n for n in nodes}
    assert len(by_code) == len(nodes), "node codes must be unique"
    seen: set[str] = set()
    for n in nodes:
        lo, _, hi = n.code.partition("-")
        assert cpt.CPT_CODE.match(lo) and cpt.CPT_CODE.match(hi), n.code
        assert n.kind in ("chapter", "section", "category", "subcategory")
        assert (n.parent is None) == (n.kind == "chapter")
        assert n.parent is None or n.parent in seen, f"{n.code}: parent listed after child"
        seen.add(n.code)
        for g, a, b in n.ranges:
            assert a <= b
            if n.parent:
                # Every range of a child lies inside some range of its parent.
                assert any(g == pg and pa <= a and b <= pb for pg, pa, pb in by_code[n.parent].ranges), n.code
        # The node code names the span of its first range.
        assert cpt.code_key(lo)[1] == n.ranges[0][1]


def test_outline_siblings_do_not_overlap():
    nodes = cpt.load_outline()
    groups: dict[str | None, list] = {}
    for n in nodes:
        groups.setdefault(n.parent, []).extend((g, a, b, n.code) for g, a, b in n.ranges)
    for parent, ranges in groups.items():
        ranges.sort()
        for (g1, _a1, b1, c1), (g2, a2, _b2, c2) in zip(ranges, ranges[1:], strict=False):
            assert g1 != g2 or b1 < a2, f"{c1} and {c2} overlap under {parent}"


def test_outline_places_codes_in_the_most_specific_node():
    outline = cpt.Outline(cpt.load_outline())
    assert outline.place("99140").parent == "99100-99140"  # Anesthesia, not Medicine
    assert outline.place("99213").parent == "99202-99215"
    assert outline.place("0002M").parent == "81490-81599"
    assert outline.place("0001A").parent == "90460-90480"
    assert outline.place("0500T") == cpt.Placement("0042T-0999T", False)
    assert outline.place("0001T").fallback  # below the Category III range


# ---------------------------------------------------------------------------------------------
# Bad files


def test_missing_file_is_a_clear_error(all_files):
    source = cpt.select(all_files)
    source.files["pfs"].unlink()
    with pytest.raises(ReleaseFileError, match="PPRRVU2031_Jan.csv.*not found"):
        list(cpt.read(source))


def test_truncated_pfs_csv_names_the_line(tmp_path):
    path = tmp_path / "PPRRVU2031_Jan.csv"
    data = PFS.read_bytes()
    path.write_bytes(data[: data.index(b"85230") + 30])
    source = cpt.select([path])
    with pytest.raises(ReleaseFileError) as err:
        list(cpt.read(source))
    assert err.value.where == "line 19" and "truncated" in str(err.value)


def test_changed_header_names_the_missing_column(tmp_path):
    path = tmp_path / "PPRRVU2031_Jan.csv"
    path.write_text(PFS.read_text().replace(",STATUS,", ",STATE,").replace("DESCRIPTION,CODE,", "DESCRIPTION,KODE,"))
    with pytest.raises(ReleaseFileError, match="STATUS CODE"):
        cpt.read_pfs(path, "csv")
    clfs = tmp_path / "PUF_CLFS_CY2031_Q1V1.csv"
    clfs.write_text(CLFS.read_text().replace(",MOD,", ",MODIFIER,"))
    with pytest.raises(ReleaseFileError, match="'MOD'"):
        cpt.read_clfs(clfs, "csv")


def test_wrong_format_and_damaged_xlsx(tmp_path):
    bad = tmp_path / "2030_January_Web_Addendum_B.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ReleaseFileError, match="xlsx"):
        cpt.read_opps(bad, "xlsx")
    no_header = write_addendum_b(tmp_path / "Addendum_B_x.xlsx", header=["Code", "Text"])
    with pytest.raises(ReleaseFileError, match="header"):
        cpt.read_opps(no_header, "xlsx")
    ama = tmp_path / "LONGULT.txt"
    ama.write_text("99213\tTest visit\nthis line is not a code line\n")
    with pytest.raises(ReleaseFileError) as err:
        cpt.read_ama(ama, "txt")
    assert err.value.where == "line 2"


def test_pfs_fixed_width_txt(tmp_path):
    path = tmp_path / "PPRRVU2031_Jan.txt"
    path.write_text(_pfs_txt(["85230  Test clot factor seven", "7649626Test unlisted xray movie",
                              "G0008  Test flu admin"]))
    read = cpt.read_pfs(path, "txt")
    assert set(read.entries) == {"85230", "76496"} and read.skipped == 1
    assert read.entries["85230"].facts == {"status": "X", "work_rvu": "1.25", "pctc": "9", "global": "XXX"}
    assert read.entries["76496"].facts == {"modifiers": ["26"]}


def _pfs_txt(starts: list[str]) -> str:
    """Fixed-width PFS records: code+mod+descriptor (57), status, work RVU at 60-65, PCTC at 103, global days."""
    lines = ["HDR TEST FIXTURE, NOT A REAL RELEASE".ljust(50)]
    for start in starts:
        rec = start.ljust(57) + "X" + " " + "  1.25" + " " * 37 + "9" + "XXX" + "0" * 10
        lines.append(rec.ljust(171))
    return "\r\n".join(lines) + "\r\n"


# ---------------------------------------------------------------------------------------------
# Real CMS files (AMA text: read at test time, never committed)


@pytest.fixture(scope="module")
def real(shared_data):
    from medcodes import codesets

    t0 = time.perf_counter()
    source = cpt.select(codesets.scan(shared_data))
    recs = list(cpt.read(source))
    return source, recs, time.perf_counter() - t0


def test_real_files_are_chosen_and_read_quickly(real):
    source, recs, seconds = real
    names = {k: p.name for k, p in source.files.items()}
    assert names == {"pfs": "PPRRVU2025_Oct.csv", "clfs": "PUF_CLFS_CY2026_Q2V1.csv",
                     "opps": "2023_January_Web_Addendum_B.12212022.xlsx"}
    assert source.release_date == "2026-04-01"
    assert seconds < 20, f"selecting and reading took {seconds:.1f}s"


def test_real_pprrvu_cpt_code_count(shared_data):
    # 16,852 distinct HCPCS in PPRRVU2025_Oct; 10,881 of them are CPT (9,726 five-digit, 565 F, 590 T).
    read = cpt.read_pfs(shared_data / "cpt_cms" / "rvu25d" / "PPRRVU2025_Oct.csv", "csv")
    assert len(read.entries) == 10881
    assert sum(c.endswith("F") for c in read.entries) == 565
    assert sum(c.endswith("T") for c in read.entries) == 590


def test_real_seed_codes(real, tmp_path):
    source, recs, _ = real
    by = {r.code: r for r in recs}
    assert by["85230"].title == "Clotting; factor VII (proconvertin, stable factor)"
    assert by["85230"].attrs["title_source"] == "clfs"
    assert by["85230"].attrs["clfs"]["long"] == "Clotting factor VII (proconvertin, stable factor)"
    assert by["85230"].short_title == "Clot factor vii proconvertin"
    assert by["76496"].title == "Unlisted fluoroscopic px"
    assert by["36904"].attrs["pfs"]["global"] == "000" and by["36904"].attrs["opps"]["apc"]
    assert not any(r.code[0].isalpha() for r in recs if r.kind == "code")  # no HCPCS Level II
    db = tmp_path / "real_cpt.sqlite"
    build.build(db, [source], lambda s: iter(recs), steps=[])
    store = Store(db)

    def crumbs(code):
        return [r.title for r in store.breadcrumb("cpt", code)]

    assert crumbs("85230")[:2] == ["Pathology and Laboratory", "Hematology and Coagulation"]
    assert crumbs("85999")[:2] == ["Pathology and Laboratory", "Hematology and Coagulation"]
    assert crumbs("36904")[:4] == ["Surgery", "Cardiovascular System", "Arteries and Veins", "Dialysis Circuit"]
    assert crumbs("77299")[:3] == ["Radiology", "Radiation Oncology", "Clinical Treatment Planning"]
    assert crumbs("76496")[:3] == ["Radiology", "Diagnostic Radiology (Diagnostic Imaging)",
                                   "Fluoroscopy and Other Procedures"]
    with sqlite3.connect(db) as conn:
        orphans = conn.execute(
            "SELECT COUNT(*) FROM codes c WHERE system='cpt' AND kind='code' AND NOT EXISTS"
            " (SELECT 1 FROM codes p WHERE p.system='cpt' AND p.code=c.parent)").fetchone()[0]
    assert orphans == 0


def test_real_pfs_formats_agree(shared_data):
    folder = shared_data / "cpt_cms" / "rvu25d"
    from_csv = cpt.read_pfs(folder / "PPRRVU2025_Oct.csv", "csv")
    from_txt = cpt.read_pfs(folder / "PPRRVU2025_Oct.txt", "txt")
    assert from_txt.entries.keys() == from_csv.entries.keys()
    differ = [c for c, e in from_csv.entries.items()
              if (e.short, e.facts) != (from_txt.entries[c].short, from_txt.entries[c].facts)]
    assert not differ, differ[:5]
    assert from_csv.entries["22526"].facts["not_used_for_medicare"] is True


def test_real_clfs_formats_agree(shared_data):
    folder = shared_data / "cpt_cms" / "clfs_26clabq2"
    from_csv = cpt.read_clfs(folder / "PUF_CLFS_CY2026_Q2V1.csv", "csv")
    from_xlsx = cpt.read_clfs(folder / "PUF_CLFS_CY2026_Q2V1.xlsx", "xlsx")
    from_txt = cpt.read_clfs(folder / "PUF_CLFS_CY2026_Q2V1.txt", "txt")
    assert from_csv.entries.keys() == from_xlsx.entries.keys() == from_txt.entries.keys()
    assert all(e.long == from_xlsx.entries[c].long for c, e in from_csv.entries.items())
    # The ~ txt has only short descriptors.
    assert from_txt.entries["85230"].long is None
    assert from_txt.entries["85230"].short == from_csv.entries["85230"].short

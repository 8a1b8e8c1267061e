"""ICD-10-CM importer: hand-written fixtures in each official format, then the real releases."""

from __future__ import annotations

import shutil
import time
import zipfile
from pathlib import Path

import pytest

from medcodes.codesets import icd10cm, icd10cm_index, icd10cm_order, scan
from medcodes.models import NOTE_TYPES, ReleaseFileError

FIX = Path(__file__).resolve().parent / "fixtures" / "icd10cm"


def _records(source):
    return {r.code: r for r in icd10cm.read(source)}


@pytest.fixture(scope="module")
def fixture_records():
    source = icd10cm.select(scan(FIX), packaged=False)
    return source, _records(source)


def test_select_fixture_prefers_xml_on_tie_and_keeps_supplements():
    source = icd10cm.select(scan(FIX), packaged=False)
    assert source.files["tabular"].name == "icd10cm-tabular-2026.xml"
    assert source.files["order"].name == "icd10cm_order_2026.txt"
    # The April 2025 CSV is newer than the FY2025 (October 2024) XML.
    assert source.files["drug"].name == "icd10cm-drug-April-2025.csv"
    assert {"eindex", "neoplasm"} <= set(source.files)
    assert source.release_date == "2025-10-01"
    assert "chosen over" in source.notes[0] and "icd10cm_order_2026.txt" in source.notes[0]


def test_select_nothing_without_files_or_package():
    assert icd10cm.select([], packaged=False) is None


def test_hierarchy_kinds_and_ranges(fixture_records):
    _, recs = fixture_records
    order = list(recs)
    assert recs["A00-B99"].kind == "chapter" and recs["A00-B99"].attrs == {"chapter": 1}
    assert recs["A00-B99"].title == "Certain infectious and parasitic diseases"
    assert recs["E08-E13"].kind == "section" and recs["E08-E13"].parent == "E00-E89"
    assert recs["C50-C50"].kind == "section"  # a one-category block keeps a range code, unlike category C50
    assert recs["E11"].kind == "category" and recs["E11"].parent == "E08-E13"
    assert recs["E112"].kind == "subcategory" and not recs["E112"].billable
    e119 = recs["E119"]
    assert (e119.kind, e119.billable, e119.parent, e119.display) == ("code", True, "E11", "E11.9")
    for code, rec in recs.items():  # parents first
        if rec.parent:
            assert order.index(rec.parent) < order.index(code)


def test_seventh_characters_and_placeholder(fixture_records):
    _, recs = fixture_records
    rec = recs["S52501A"]
    assert rec.parent == "S52501" and rec.billable and rec.kind == "code"
    assert (
        rec.title
        == "Unspecified fracture of the lower end of right radius, initial encounter for closed fracture"
    )
    assert rec.attrs["seventh"] == {"char": "A", "meaning": "initial encounter for closed fracture"}
    assert recs["S52501"].kind == "subcategory" and not recs["S52501"].billable
    assert {"T1500XA", "T1500XD", "T1500XS"} <= set(recs)  # padded with X to six characters
    assert recs["T1500XA"].parent == "T1500"
    # The prose rule "7th characters D and S do not apply ... 6th character 8" is honoured.
    assert "T158X8A" in recs and "T158X8D" not in recs and "T158X8S" not in recs
    assert recs["T158X"].attrs.get("placeholder") is True
    # Billable codes are exactly the order file's valid codes present in the XML.
    valid = {
        r.code for r in icd10cm_order.read(icd10cm_order.recognise(FIX / "icd10cm_order_2026.txt")) if r.valid
    }
    assert {c for c, r in recs.items() if r.billable} == valid - {"E11A"}


def test_notes_and_inclusion_terms(fixture_records):
    _, recs = fixture_records
    types = {n.type for r in recs.values() for n in r.notes}
    assert types == {
        "inclusion",
        "includes",
        "excludes1",
        "excludes2",
        "code_first",
        "use_additional",
        "code_also",
        "note",
    }
    assert types <= set(NOTE_TYPES)
    e11 = recs["E11"]
    assert [n.type for n in e11.notes] == ["includes", "use_additional", "excludes1"]
    assert ("Classical cholera", "inclusion") in recs["A000"].terms
    # Mixed content: the <nemod> text stays in the inclusion term.
    assert recs["E1121"].notes[0].text == "Type 2 diabetes mellitus with (intercapillary) glomerulosclerosis"
    assert recs["S52"].notes[-1].type == "note"  # sevenChrNote


def test_short_titles_from_order_file(fixture_records):
    _, recs = fixture_records
    assert recs["S52501A"].short_title == "Unsp fracture of the lower end of right radius, init"
    assert recs["A00-B99"].short_title is None


def test_index_supplements_attach_terms(fixture_records):
    source, recs = fixture_records
    assert ("Foreign body, entering eye", "eindex") in recs["T15"].terms  # "T15.-" -> the category
    assert ("Foreign body, entering eye, cornea", "eindex") in recs["T1500"].terms
    assert ("Neoplasm, neoplastic, breast: malignant primary", "neoplasm") in recs["C509"].terms
    drug = [t for t, origin in recs["T39011"].terms if origin == "drug"]
    assert (
        "Acetylsalicylic acid (salts), enteric coated, buffered: poisoning accidental (unintentional)" in drug
    )
    assert "Aspirin: poisoning accidental (unintentional)" in drug
    # W22.8, C79.81, T39.012 ... are not in the fixture release: skipped and counted.
    assert any("skipped" in n for n in source.notes)


def test_drug_xml_and_csv_agree_on_shape():
    xml = list(icd10cm_index.read("drug", FIX / "icd-10-cm-drug-2025.xml"))
    assert ("T39.011", "Aspirin: poisoning accidental (unintentional)") in xml
    assert ("T39.011", "Aspirin, buffered: poisoning accidental (unintentional)") in xml
    assert all(target.strip("-") for target, _ in xml)
    csv_rows = list(icd10cm_index.read("drug", FIX / "icd10cm-drug-April-2025.csv"))
    assert ("T49.3X1", "Salicylate, methyl: poisoning accidental (unintentional)") in csv_rows


def test_newer_order_file_gives_codes_xml_gives_structure(tmp_path):
    xml = (
        (FIX / "icd10cm-tabular-2026.xml")
        .read_text()
        .replace("<version>2026</version>", "<version>2025</version>")
    )
    (tmp_path / "icd10cm-tabular-2025.xml").write_text(xml)
    shutil.copy(FIX / "icd10cm_order_2026.txt", tmp_path)
    source = icd10cm.select(scan(tmp_path), packaged=False)
    assert source.files["order"].name == "icd10cm_order_2026.txt"
    assert source.files["tabular"].name == "icd10cm-tabular-2025.xml"
    assert "newer than" in " ".join(source.notes)
    recs = _records(source)
    order = list(recs)
    assert recs["E11A"].parent == "E11" and recs["E11A"].billable  # new code: longest existing prefix
    assert order.index("E119") < order.index("E11A") < order.index("S50-S59")  # in order-file position
    assert recs["E11"].notes and recs["E11"].parent == "E08-E13"  # notes still from the XML
    assert recs["S52501A"].short_title.startswith("Unsp fracture")
    assert "A00-B99" in recs


def test_order_file_alone_and_inside_zip(tmp_path):
    z = tmp_path / "2026-code-descriptions-tabular-order.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(FIX / "icd10cm_order_2026.txt", "icd10cm_order_2026.txt")
    source = icd10cm.select([z], packaged=False)
    recs = _records(source)
    assert source.release_date == "2025-10-01"
    valid = {
        r.code for r in icd10cm_order.read(icd10cm_order.recognise(FIX / "icd10cm_order_2026.txt")) if r.valid
    }
    assert len(valid) == 14 and {c for c, r in recs.items() if r.billable} == valid
    assert recs["E119"].parent == "E11" and recs["E11"].parent is None
    assert recs["S52501A"].title.endswith("initial encounter for closed fracture")


def test_truncated_xml_names_the_file(tmp_path):
    bad = tmp_path / "icd10cm-tabular-2026.xml"
    bad.write_bytes((FIX / "icd10cm-tabular-2026.xml").read_bytes()[:3000])
    source = icd10cm.select([bad], packaged=False)
    with pytest.raises(ReleaseFileError) as err:
        list(icd10cm.read(source))
    assert err.value.path == bad and "icd10cm-tabular-2026.xml" in str(err.value)
    assert err.value.where and err.value.where.startswith("line ")


def test_wrong_format_order_file(tmp_path):
    bad = tmp_path / "icd10cm_order_2026.txt"
    bad.write_text("code,title\nE119,Type 2 diabetes\n")
    with pytest.raises(ReleaseFileError, match="icd10cm_order_2026.txt.*line 1"):
        icd10cm.select([bad], packaged=False)
    broken = tmp_path / "x" / "icd10cm_order_2026.txt"
    broken.parent.mkdir()
    lines = (FIX / "icd10cm_order_2026.txt").read_text().splitlines(keepends=True)
    broken.write_text("".join(lines[:4]) + "garbage line\r\n")
    source = icd10cm.select([broken], packaged=False)
    with pytest.raises(ReleaseFileError, match="line 5"):
        list(icd10cm.read(source))


def test_wrong_year_is_refused(tmp_path):
    bad = tmp_path / "icd10cm-tabular-2025.xml"
    shutil.copy(FIX / "icd10cm-tabular-2026.xml", bad)  # says <version>2026</version>
    with pytest.raises(ReleaseFileError, match="wrong year"):
        icd10cm.select([bad], packaged=False)
    z = tmp_path / "2025-code-descriptions-tabular-order.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(FIX / "icd10cm_order_2026.txt", "icd10cm_order_2026.txt")
    with pytest.raises(ReleaseFileError, match="wrong year"):
        icd10cm.select([z], packaged=False)


def test_wrong_root_is_not_a_tabular(tmp_path):
    other = tmp_path / "icd10cm-tabular-2026.xml"
    other.write_text('<?xml version="1.0"?>\n<ICD10PCS.tabular><version>2026</version></ICD10PCS.tabular>\n')
    assert icd10cm.select([other], packaged=False) is None


# --- real releases -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(shared_data):
    source = icd10cm.select(scan(shared_data / "icd10cm"), packaged=True)
    t0 = time.perf_counter()
    recs = _records(source)
    return source, recs, time.perf_counter() - t0


def test_real_order_file_counts(shared_data):
    of = icd10cm_order.recognise(
        shared_data / "icd10cm" / "fy2026" / "2026-code-descriptions-tabular-order.zip"
    )
    assert (of.fiscal_year, of.release_date) == (2026, "2025-10-01")
    rows = list(icd10cm_order.read(of))
    assert len(rows) == 98186
    assert sum(r.valid for r in rows) == 74719


def test_real_packaged_release(real, shared_data):
    source, recs, seconds = real
    assert source.files["tabular"].name.startswith("icd10c") and source.release_date == "2026-04-01"
    assert "packaged tabular XML 2026-04-01 chosen over" in source.notes[0]
    code_list = next(source.files["tabular"].parent.glob("code-list-*.txt"))
    listed = {line.strip().replace(".", "") for line in code_list.read_text().splitlines() if line.strip()}
    ours = {c for c, r in recs.items() if r.kind not in ("chapter", "section")}
    # The list also names chapters (by number) and blocks (by range, or by the category for one-category blocks).
    assert ours == {c for c in listed if "-" not in c and not c.isdigit()}
    assert len(recs) == sum(1 for line in code_list.read_text().splitlines() if line.strip())
    # The package's release has the same valid codes as the CMS FY2026 order file.
    rows = list(icd10cm_order.read(icd10cm_order.recognise(source.files["order"])))
    valid = {r.code for r in rows if r.valid}
    assert {c for c, r in recs.items() if r.billable} == valid
    assert sum(r.kind == "chapter" for r in recs.values()) == 22
    assert seconds < 15


def test_real_check_codes(real):
    _, recs, _ = real
    assert recs["I214"].parent == "I21" and recs["I214"].billable
    assert recs["E1121"].parent == "E112" and recs["E1121"].billable
    assert recs["S52501A"].parent == "S52501" and recs["S52501A"].short_title
    chain, code = [], "E119"
    while code:
        chain.append(code)
        code = recs[code].parent
    assert chain == ["E119", "E11", "E08-E13", "E00-E89"]
    assert recs["E00-E89"].attrs == {"chapter": 4}


def test_real_index_terms_attach(real):
    source, recs, _ = real
    assert {"eindex", "neoplasm", "drug"} <= set(source.files)
    drug = [t for t, origin in recs["T39011"].terms if origin == "drug"]
    assert any(t.startswith("Aspirin") for t in drug)
    assert any(origin == "neoplasm" for _, origin in recs["C509"].terms)
    assert sum(origin == "eindex" for r in recs.values() for _, origin in r.terms) > 1000


def test_real_build_breadcrumb(real, tmp_path):
    from medcodes.store import build
    from medcodes.store.db import Store

    source, _, _ = real
    db = tmp_path / "icd.sqlite"
    build.build(db, [source], icd10cm.read, steps=[])
    store = Store(db)
    try:
        crumbs = [r.code for r in store.breadcrumb("icd10cm", "E11.9")]
        assert crumbs == ["E00-E89", "E08-E13", "E11"]
        rec = store.get("icd10cm", "E11.9")
        assert rec.billable and rec.display == "E11.9"
    finally:
        store.close()

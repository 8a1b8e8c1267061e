"""The store: atomic builds, carried-over tables, the read API and the code normaliser."""

from __future__ import annotations

import sqlite3

import pytest

from medcodes.codes import canonical, display, looks_like
from medcodes.models import CodeRecord, Note, ReleaseFileError, Source
from medcodes.store import Store
from medcodes.store import build as store_build


def _records():
    yield CodeRecord("icd10cm", "E00-E89", "E00-E89", "chapter", "Endocrine, nutritional and metabolic diseases")
    yield CodeRecord("icd10cm", "E08-E13", "E08-E13", "section", "Diabetes mellitus", parent="E00-E89")
    yield CodeRecord(
        "icd10cm",
        "E11",
        "E11",
        "category",
        "Type 2 diabetes mellitus",
        parent="E08-E13",
        notes=[Note("excludes1", "type 1 diabetes mellitus (E10.-)")],
    )
    yield CodeRecord(
        "icd10cm",
        "E119",
        "E11.9",
        "code",
        "Type 2 diabetes mellitus without complications",
        billable=True,
        parent="E11",
        terms=[("diabetes NOS", "inclusion")],
    )
    yield CodeRecord(
        "icd10cm", "E1121", "E11.21", "code", "Type 2 diabetes mellitus with diabetic nephropathy", billable=True, parent="E11"
    )


SOURCE = Source(system="icd10cm", name="test", version="1")


def _build(path, records=_records, **kw):
    return store_build.build(path, [SOURCE], lambda s: records(), steps=[], **kw)


def test_canonical_accepts_any_spelling():
    assert canonical(" e11.9 ") == "E119"
    assert canonical("E11 9") == "E119"
    assert canonical("0dtj4zz") == "0DTJ4ZZ"
    assert canonical("85002 \u2013 85999") == "85002-85999"
    assert canonical("") == ""
    assert display("icd10cm", "E119") == "E11.9"
    assert display("icd10cm", "E11") == "E11"
    assert display("hcpcs", "J1745") == "J1745"
    assert set(looks_like("E1130")) == {"hcpcs", "icd10cm"}
    assert looks_like("85230") == ["cpt"]


def test_build_and_read_back(tmp_path):
    db = tmp_path / "m.sqlite"
    report = _build(db)
    assert report.systems[0].count == 5
    store = Store(db)
    rec = store.get("icd10cm", "e11.9")
    assert rec is not None and rec.display == "E11.9" and rec.billable and rec.depth == 3
    assert [b.code for b in store.breadcrumb("icd10cm", "E11.9")] == ["E00-E89", "E08-E13", "E11"]
    assert [c.code for c in store.children("icd10cm", "E11")] == ["E119", "E1121"]
    assert [c.code for c in store.prefix("E11")] == ["E11", "E119", "E1121"]
    assert store.notes("icd10cm", "E11")[0].type == "excludes1"
    assert store.terms("icd10cm", "E119") == [("diabetes NOS", "inclusion")]
    assert store.stats()["icd10cm"]["billable"] == 2
    assert [r.code for r in store.nearest("E11.99")] == ["E119"]
    assert store.artefacts.is_dir()


def test_failed_build_leaves_existing_database_untouched(tmp_path):
    db = tmp_path / "m.sqlite"
    _build(db)
    before = db.read_bytes()

    def broken():
        yield from list(_records())[:2]
        raise ReleaseFileError("bad.txt", "truncated record", where="line 3")

    with pytest.raises(ReleaseFileError, match=r"bad.txt \(line 3\): truncated record"):
        _build(db, records=broken)
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("m-")) == ["m.sqlite"]
    assert len([p for p in tmp_path.iterdir() if p.is_dir()]) == 1  # only the good build's artefacts


def test_rebuild_carries_over_policies_and_explanations(tmp_path):
    db = tmp_path / "m.sqlite"
    _build(db)
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO policies (id, source, title, ingested_at) VALUES ('p1', 'payer-document', 'A policy', 'now')"
    )
    conn.execute(
        "INSERT INTO policy_codes (policy_id, system, code, disposition) VALUES ('p1', 'icd10cm', 'E119', 'covered')"
    )
    conn.commit()
    conn.close()
    report = _build(db)
    assert any("policies" in w for w in report.warnings)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM policy_codes").fetchone()[0] == 1


def test_duplicates_are_reported_and_first_row_kept(tmp_path):
    def dupes():
        yield from _records()
        yield CodeRecord("icd10cm", "E119", "E11.9", "code", "An older title", billable=True, parent="E11")

    report = _build(tmp_path / "m.sqlite", records=dupes)
    assert report.systems[0].duplicates == 1
    assert any("more than once" in w for w in report.warnings)
    assert Store(tmp_path / "m.sqlite").get("icd10cm", "E119").title.startswith("Type 2")


def test_store_is_read_only_by_default(tmp_path):
    db = tmp_path / "m.sqlite"
    _build(db)
    with pytest.raises(sqlite3.OperationalError):
        Store(db).conn.execute("DELETE FROM codes")

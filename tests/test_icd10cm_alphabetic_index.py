"""The ICD-10-CM Alphabetic Index (CDC's icd10cm_index_*.xml) as search terms, on a fixture written
in its schema: main terms, subterms joined to their parents, and resolved "see" references."""

from __future__ import annotations

import shutil
from pathlib import Path

from medcodes.codesets import icd10cm, icd10cm_index, scan

FIX = Path(__file__).resolve().parent / "fixtures"
INDEX = FIX / "icd10cm_index" / "icd10cm_index_2026.xml"


def test_the_index_file_is_recognised_apart_from_the_other_supplements():
    assert icd10cm_index.role_of(INDEX) == "index"
    assert icd10cm_index.role_of(FIX / "icd10cm" / "icd10cm-eindex-April-2024.xml") == "eindex"
    assert icd10cm_index.role_of(FIX / "icd10cm" / "icd10cm-neoplasm-April-2024.xml") == "neoplasm"
    assert icd10cm_index.role_of(FIX / "icd10cm" / "icd10cm-tabular-2026.xml") is None


def test_main_terms_and_joined_subterms():
    pairs = list(icd10cm_index.read("index", INDEX))
    assert ("A00.9", "Cholera") in pairs  # the non-essential modifier is not part of the term
    assert ("A00.0", "Cholera, classical") in pairs
    assert ("E11.21", "Diabetes, diabetic, type 2, with, nephropathy") in pairs


def test_see_references_point_the_referring_term_at_the_target_codes():
    pairs = list(icd10cm_index.read("index", INDEX))
    assert ("E11.9", "Sugar diabetes") in pairs
    assert ("S52.50-", "Wrist, broken") in pairs
    # "Smash, see Crush": no entry "Crush" in the file, so nothing is made up.
    assert not [p for p in pairs if p[1] == "Smash"]
    # "see also" is a hint to look elsewhere, not a synonym.
    assert not [p for p in pairs if p[1] == "Wrist"]


def test_build_attaches_index_terms_to_codes_of_the_release(tmp_path):
    for f in (FIX / "icd10cm").iterdir():
        shutil.copy(f, tmp_path / f.name)
    shutil.copy(INDEX, tmp_path / INDEX.name)
    source = icd10cm.select(scan(tmp_path), packaged=False)
    assert source.files["index"].name == INDEX.name
    recs = {r.code: r for r in icd10cm.read(source)}
    assert ("Sugar diabetes", "index") in recs["E119"].terms
    assert ("Diabetes, diabetic, type 2, with, kidney complications", "index") in recs["E112"].terms
    assert ("Wrist, broken", "index") in recs["S5250"].terms  # "S52.50-" -> the subcategory

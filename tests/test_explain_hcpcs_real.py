"""Issue 12, third pass, on the database built from ../shared/data: HCPCS supplies read their item family
and HCPCS-file entries, reporting codes their measure action and topic, drugs their class, S codes their
payer and unit, ICD-10-CM codes their notes in plain words, and lab codes their Medicare lab NCD once the
CMS spreadsheet is ingested. Every supply family is run through the checker on every real code it fits."""

from __future__ import annotations

import shutil

import pytest

from medcodes.explain.service import explanation_for
from medcodes.explain.supply_families import FAMILIES, family_of
from medcodes.store import Store

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def store(real_db) -> Store:
    return Store(real_db)


def _sec(store: Store, system: str, code: str, key: str) -> str:
    expl = explanation_for(store, system, code)
    assert expl.status == "ok", expl.reason
    sec = next((s for s in expl.sections if s.key == key), None)
    assert sec is not None, f"{system} {code} has no {key} section"
    return " ".join([sec.text, *sec.items])


def test_supply_families_and_hcpcs_file_entries(store):
    assert "capped rental" in _sec(store, "hcpcs", "K0001", "medicare")
    assert "wheelchair" in _sec(store, "hcpcs", "K0001", "uses")
    assert "rented" in _sec(store, "hcpcs", "E0601", "supplier")
    assert "sleep apnea" in _sec(store, "hcpcs", "E0601", "uses")
    assert "ostomy" in _sec(store, "hcpcs", "A4404", "uses")
    assert "drains urine" in _sec(store, "hcpcs", "A4338", "uses")
    assert "latex allergy" in _sec(store, "hcpcs", "A4338", "how_it_is_used")
    assert "knee brace" in _sec(store, "hcpcs", "L1832", "uses")
    assert "artificial arm" in _sec(store, "hcpcs", "L6500", "uses")
    assert "per lens" in _sec(store, "hcpcs", "V2207", "billing") or "two units" in _sec(
        store, "hcpcs", "V2207", "billing"
    )
    assert "Coverage Issues Manual" in _sec(store, "hcpcs", "A4253", "medicare")


def test_family_patterns_stay_in_their_lane(store):
    assert (
        family_of("K0739", store.get("hcpcs", "K0739").title).id == "equipment-repair"
    )  # "other than oxygen"
    assert family_of("A4575", store.get("hcpcs", "A4575").title) is None or (
        family_of("A4575", store.get("hcpcs", "A4575").title).id != "oxygen"
    )  # topical oxygen for wounds is not oxygen for low blood oxygen
    assert family_of("E1224", store.get("hcpcs", "E1224").title).id == "wheelchair"  # a chair, not a part
    assert family_of("L6960", store.get("hcpcs", "L6960").title).id == "upper-limb-prosthesis"


def test_every_supply_family_passes_the_checker_on_its_real_codes(store):
    seen = {f.id: 0 for f in FAMILIES}
    for rec in store.iter_codes("hcpcs", leaves_only=True):
        if rec.kind != "code":
            continue
        fam = family_of(rec.code, rec.title)
        if fam is None:
            continue
        expl = explanation_for(store, "hcpcs", rec.code)
        if expl.kind != "supply":
            continue
        seen[fam.id] += 1
        assert expl.status == "ok", f"{rec.code} ({fam.id}): {expl.reason}"
    assert sum(seen.values()) > 1000
    assert seen["power-wheelchair"] and seen["ostomy"] and seen["eyeglass-lens"]


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("G8735", ["no reason was recorded", "abuse or neglect"]),
        ("G9691", ["left out of (excluded from) the measure"]),
        ("M1313", ["tobacco"]),
        ("G9772", ["medical reason"]),
        ("G0061", ["group of quality measures"]),
    ],
)
def test_reporting_codes_say_what_they_record(store, code, words):
    expl = explanation_for(store, "hcpcs", code)
    assert expl.kind == "reporting" and expl.status == "ok", expl.reason
    text = " ".join(" ".join([s.text, *s.items]) for s in expl.sections if s.key not in ("name", "summary"))
    for w in words:
        assert w in text, (code, w)
    assert "not paid on its own" in _sec(store, "hcpcs", code, "billing")


def test_drug_classes_from_the_generic_name(store):
    assert "antibiotic" in _sec(store, "hcpcs", "J0121", "what_it_treats")
    assert "monoclonal antibody" in _sec(store, "hcpcs", "J3262", "what_it_treats")
    assert "chemotherapy" in _sec(store, "hcpcs", "J9171", "what_it_treats")
    assert "nebulizer" in _sec(store, "hcpcs", "J7609", "setting")
    assert "How many units of" in _sec(store, "hcpcs", "J2250", "questions")
    assert "of omadacycline" not in _sec(store, "hcpcs", "J0121", "what_it_treats")


def test_s_and_t_codes_name_their_payer_and_unit(store):
    assert "Medicare does not pay" in _sec(store, "hcpcs", "S5100", "payer")
    assert "15-minute units" in _sec(store, "hcpcs", "S5100", "unit")
    assert "state Medicaid" in _sec(store, "hcpcs", "T1041", "payer")


def test_icd10cm_notes_in_plain_words(store):
    diag = _sec(store, "icd10cm", "A4181", "diagnosis")
    assert "tell it apart" in diag and "(A" not in diag  # code references left out of the plain words
    assert "coded first" in _sec(store, "icd10cm", "A4181", "causes")


def test_lab_ncd_coverage_after_ingesting_the_spreadsheet(real_db, shared_data, tmp_path):
    from medcodes.policies.ingest import Ingester

    sheets = sorted((shared_data / "mcd" / "ncd_lab_icd10").glob("*.xlsx"))
    assert sheets
    db = tmp_path / "ncd.sqlite"
    shutil.copy(real_db, db)
    store = Store(db, readonly=False)
    Ingester(store.conn).ingest([str(p) for p in sheets], None)
    store.close()
    store = Store(db)
    pt = _sec(store, "cpt", "85610", "coverage")
    assert "NCD 190.17" in pt and "Medicare covers the test when the claim shows one of the" in pt
    assert "NCD 190.15" in _sec(store, "cpt", "85025", "coverage")
    assert store.lab_ncds("cpt", "99213") == []
    # Before ingesting, lab pages have no coverage section and nothing fails.
    before = explanation_for(Store(real_db), "cpt", "85610")
    assert before.status == "ok" and all(s.key != "coverage" for s in before.sections)

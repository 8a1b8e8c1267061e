"""Issue 12, second pass, on the database built from ../shared/data: sections say what this code's own facts
say (PFS follow-up period and surgery indicators, office rate, lab method and waived status, HCPCS pricing
indicator, ICD-10-CM injury and healing words), delivery codes get delivery care, and the checker stays clean."""

from __future__ import annotations

import pytest

from medcodes.codesets import descriptor_facts as df
from medcodes.explain.service import explanation_for
from medcodes.store import Store

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def store(real_db) -> Store:
    return Store(real_db)


def _sec(store: Store, system: str, code: str, key: str) -> str:
    expl = explanation_for(store, system, code)
    assert expl.status == "ok", expl.reason
    sec = next(s for s in expl.sections if s.key == key)
    return " ".join([sec.text, *sec.items])


def test_knee_replacement_reads_its_pfs_indicators(store):
    assert "90 days" in _sec(store, "cpt", "27447", "recovery")
    assert "replacement of the knee" in _sec(store, "cpt", "27447", "recovery")
    assert "Medicare pays for an assistant at surgery" in _sec(store, "cpt", "27447", "personnel")
    assert "no office rate" in _sec(store, "cpt", "27447", "setting")
    assert "bring back use of the knee" in _sec(store, "cpt", "27447", "benefits")


def test_debridement_has_a_same_day_follow_up_and_an_office_rate(store):
    assert "0 days" in _sec(store, "cpt", "11042", "recovery")
    assert "provider's office" in _sec(store, "cpt", "11042", "setting")
    assert "does not pay for an assistant" in _sec(store, "cpt", "11042", "personnel")


def test_lab_method_and_waived_status(store):
    assert "machine counts" in _sec(store, "cpt", "85025", "results")
    assert "CLIA-waived test" in _sec(store, "cpt", "85025", "setting")
    culture = _sec(store, "cpt", "87086", "results")
    assert "culture shows whether germs grow" in culture
    assert "goes to a laboratory" in _sec(store, "cpt", "87086", "setting")


def test_hcpcs_pricing_indicator_and_descriptor_words(store):
    assert "capped rental" in _sec(store, "hcpcs", "E0601", "medicare")
    assert "How long will I rent it" in _sec(store, "hcpcs", "E0601", "questions")
    assert "made to fit you" in _sec(store, "hcpcs", "L3000", "how_it_is_used")
    assert "surgical dressing" in _sec(store, "hcpcs", "A6021", "medicare")


def test_fracture_words_in_plain_language(store):
    assert "Nondisplaced means" in _sec(store, "icd10cm", "S82035E", "treatment")
    assert "Routine healing means" in _sec(store, "icd10cm", "S82035E", "outlook")
    assert "X-ray of the knee" in _sec(store, "icd10cm", "S82035E", "diagnosis")
    assert "Chronic means" in _sec(store, "icd10cm", "J449", "outlook")


def test_delivery_gets_delivery_care_not_prenatal_care(store):
    care = _sec(store, "icd10cm", "O80", "care")
    assert "prenatal" not in care.lower()
    assert "labor and birth" in care


def test_blood_draw_is_not_placed_in_a_surgery_group(store):
    summary = _sec(store, "cpt", "36415", "summary")
    assert "Cardiovascular" not in summary
    assert "blood draw from a vein" in summary


def test_a_lesion_is_not_read_as_skin():
    assert df.body_part("Excision of a lesion of the larynx") == "throat"
    assert df.body_part("Removal of a lesion inside the spinal canal") == "spine"
    assert df.body_part("Removal of a lesion") == ""
    assert df.action("Taking off part of a toe by amputation") == "removal"
    assert df.action("Exploration of a joint") == "exploration"

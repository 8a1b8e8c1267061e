"""Issue 12 on the database built from ../shared/data: the kind of every sampled code, the facts the
templates use, and every wrong class the checker knows, on the real codes the issue names."""

from __future__ import annotations

import re

import pytest

from medcodes.explain import checks, explanation_for
from medcodes.explain.facts import gather
from medcodes.explain.service import grounded_for
from medcodes.store import Store

pytestmark = pytest.mark.shared

KINDS = {
    "procedure": "cpt:27447 cpt:66984 cpt:59510 cpt:45378 cpt:43239 cpt:20610 cpt:11042 cpt:12001 cpt:17110 "
    "icd10pcs:10D00Z1 icd10pcs:0SRC0J9 icd10pcs:0DTJ4ZZ",
    "imaging": "cpt:70551 cpt:73610 cpt:74177 cpt:76700 cpt:77067 cpt:78452 cpt:93306 icd10pcs:B030ZZZ icd10pcs:BW03ZZZ",
    "lab": "cpt:85025 cpt:80053 cpt:83036 cpt:87086",
    "specimen_collection": "cpt:36415 cpt:36416",
    "visit": "cpt:99213 cpt:99214 cpt:99203 cpt:99204 cpt:99285 cpt:99221 cpt:99232 hcpcs:G0011 hcpcs:G0439 "
    "hcpcs:G0438 hcpcs:G0463",
    "home_visit": "cpt:99341 cpt:99350 cpt:99601 cpt:99602",
    "telehealth": "cpt:98000 cpt:98006 cpt:99441",
    "vaccine": "cpt:90686 cpt:90715 cpt:90750 hcpcs:Q2035",
    "drug_administration": "cpt:90471 cpt:96372 cpt:96365 cpt:96413 hcpcs:G0008",
    "anesthesia": "cpt:00100 cpt:00400 cpt:01402",
    "reporting": "hcpcs:G2090 hcpcs:G9691 hcpcs:G9281 hcpcs:G8565 cpt:0001F cpt:3008F",
    "agent": "hcpcs:A9697 hcpcs:A9552 hcpcs:Q9967",
    "skin_substitute": "hcpcs:Q4278 hcpcs:Q4101",
    "drug": "hcpcs:Q0174 hcpcs:J1885 hcpcs:J0696 hcpcs:J7509 hcpcs:J3490",
    "supply": "hcpcs:E0601 hcpcs:L3000 hcpcs:A4253",
    "pregnancy": "icd10cm:O80 icd10cm:O24410 icd10cm:Z3A20 icd10cm:Z370",
    "status": "icd10cm:Z3201 icd10cm:Z0000 icd10cm:Z23 icd10cm:Z7901",
    "diagnosis": "icd10cm:T1491XA icd10cm:X710XXA icd10cm:E119 icd10cm:I10 icd10cm:J189 icd10cm:S82035E",
}
TABLE = [
    (code.split(":")[0], code.split(":")[1], kind) for kind, codes in KINDS.items() for code in codes.split()
]


def test_the_table_covers_every_new_kind_with_80_codes():
    from medcodes.explain.templates import KINDS as ALL

    assert len(TABLE) >= 80
    assert set(ALL) - {"fallback"} <= set(KINDS)


@pytest.fixture(scope="module")
def store(real_db) -> Store:
    return Store(real_db)


def _text(expl, *keys: str) -> str:
    return "\n".join(s.text + "\n" + "\n".join(s.items) for s in expl.sections if not keys or s.key in keys)


@pytest.mark.parametrize("system,code,kind", TABLE, ids=[f"{s}:{c}" for s, c, _k in TABLE])
def test_kind_and_checks(store, system, code, kind):
    expl = explanation_for(store, system, code)
    assert expl is not None, code
    assert expl.kind == kind
    assert expl.status == "ok", expl.reason
    assert "is a imaging" not in _text(expl) and " a a" not in _text(expl)


def test_named_services_are_named(store):
    assert "cataract" in _text(explanation_for(store, "cpt", "66984")).lower()
    assert "knee replacement" in _text(explanation_for(store, "cpt", "27447")).lower()
    assert "cesarean" in _text(explanation_for(store, "icd10pcs", "10D00Z1")).lower()
    assert re.search(r"\bflu\b", _text(explanation_for(store, "cpt", "90686")).lower())


def test_mri_says_magnet_not_x_rays_and_no_contrast_warning(store):
    for system, code in (("cpt", "70551"), ("icd10pcs", "B030ZZZ")):
        expl = explanation_for(store, system, code)
        assert "strong magnet" in _text(expl)
        assert "small amount of radiation" not in _text(expl)
        assert not re.search(r"^MRI\b", _text(expl, "alternatives"), re.M)
    assert "contrast dye" not in _text(explanation_for(store, "cpt", "70551"), "risks", "duration")


def test_visits_patient_status(store):
    for code in ("99213", "99214"):
        assert "new patient" not in _text(explanation_for(store, "cpt", code)).lower()
    assert "new or returning" not in _text(
        explanation_for(store, "cpt", "99203"), "who_needs_it", "preparation"
    )


def test_home_visit_is_at_home_and_oral_drug_is_oral(store):
    assert "home" in _text(explanation_for(store, "cpt", "99601"), "setting").lower()
    assert "your home" in _text(explanation_for(store, "cpt", "99601"), "setting").lower()
    q0174 = _text(explanation_for(store, "hcpcs", "Q0174"), "how_given", "setting")
    assert "by mouth" in q0174 and "vein" not in q0174


def test_units_vaccine_per_dose_skin_substitute_per_square_centimeter(store):
    assert "one dose" in _text(explanation_for(store, "cpt", "90686"), "billing_unit")
    assert "square centimeter" in _text(explanation_for(store, "hcpcs", "Q4101"), "billing_unit")
    assert "billed once" not in _text(explanation_for(store, "hcpcs", "Q4278"))


def test_no_disease_framing_on_normal_pregnancy_and_status(store):
    for code in ("O80", "Z3201"):
        text = _text(explanation_for(store, "icd10cm", code))
        assert "not a disease" in text
        assert "can it be prevented" not in text


def test_self_harm_codes_give_the_crisis_line(store):
    for code in ("T1491XA", "X710XXA"):
        assert "988" in _text(explanation_for(store, "icd10cm", code))


def test_pcs_external_is_on_the_outside_not_without_cutting(store):
    text = _text(explanation_for(store, "icd10pcs", "10E0XZZ"))
    assert "outside of the body" in text
    assert "without cutting" not in text


def test_data_facts_global_days_inpatient_only_and_waived(store):
    assert "follow-up period for this replacement of the knee is 90 days" in _text(
        explanation_for(store, "cpt", "27447"), "recovery"
    )
    assert "QW" in _text(explanation_for(store, "cpt", "85025"), "setting")
    assert "subsequent encounter" in _text(explanation_for(store, "icd10cm", "S82035E"), "coding_notes")


# -- the checker catches each wrong class on real codes ------------------------------------------------


def _broken(store, system, code, key, text):
    expl = grounded_for(store, system, code)
    sec = next(s for s in expl.sections if s.key == key)
    sec.items = [text, *sec.items]
    if not sec.items[1:] and sec.text:
        sec.text = text + " " + sec.text
    results, status, reason = checks.run(expl, gather(store, store.get(system, code)))
    return status, reason or ""


@pytest.mark.parametrize(
    "system,code,key,text,name",
    [
        (
            "cpt",
            "70551",
            "risks",
            "This test exposes you to a small amount of radiation from X-rays.",
            "consistency_modality",
        ),
        ("icd10pcs", "B030ZZZ", "risks", "X-rays expose you to radiation.", "consistency_modality"),
        ("cpt", "73610", "risks", "Contrast dye can cause allergic reactions.", "consistency_contrast"),
        ("hcpcs", "Q0174", "how_given", "It is given into a vein by a nurse.", "consistency_route"),
        ("hcpcs", "Q4101", "uses", "The product is billed once per package.", "consistency_unit"),
        ("cpt", "90686", "how_given", "It is billed per 0.5 ml unit.", "consistency_unit"),
        ("cpt", "99601", "setting", "The visit takes place in a hospital.", "consistency_place"),
        ("cpt", "99213", "preparation", "If you are a new patient, arrive early.", "consistency_patient"),
        ("cpt", "99203", "who_needs_it", "Anyone new or returning.", "consistency_patient"),
        ("cpt", "70551", "alternatives", "MRI: clear pictures of soft tissue.", "consistency_alternative"),
        (
            "cpt",
            "36415",
            "risks",
            "Sedation and catheters and wires can cause problems.",
            "consistency_surgical",
        ),
        ("hcpcs", "G0011", "questions", "Ask about bleeding and the surgeon.", "consistency_surgical"),
        ("icd10cm", "O80", "questions", "What caused this, and can it be prevented?", "consistency_framing"),
        ("icd10cm", "Z3201", "why_used", "Treatment options depend on the disease.", "consistency_framing"),
        ("cpt", "00100", "risks", "Waiting and watching avoids the risks.", "consistency_alternative"),
        ("hcpcs", "G2090", "what_it_reports", "The procedure is done in an office.", "consistency_kind"),
        ("cpt", "90686", "summary", "A shot.", "consistency_kind"),
    ],
)
def test_checker_catches(store, system, code, key, text, name):
    if name == "consistency_kind" and code == "90686":  # the vaccine must be named: take every mention out
        expl = grounded_for(store, system, code)
        for s in expl.sections:
            s.text = re.sub(r"(?i)flu|influenza", "x", s.text)
            s.items = [re.sub(r"(?i)flu|influenza", "x", i) for i in s.items]
        _r, status, reason = checks.run(expl, gather(store, store.get(system, code)))
    else:
        status, reason = _broken(store, system, code, key, text)
    assert status == "failed" and name in reason, reason


def test_checker_requires_the_crisis_line(store):
    expl = grounded_for(store, "icd10cm", "T1491XA")
    for s in expl.sections:  # the crisis line taken out wherever it stands (list or paragraph)
        s.items = [i for i in s.items if "988" not in i]
        s.text = " ".join(part for part in s.text.split(". ") if "988" not in part)
    assert not any("988" in s.text or any("988" in i for i in s.items) for s in expl.sections)
    _r, status, reason = checks.run(expl, gather(store, store.get("icd10cm", "T1491XA")))
    assert status == "failed" and "crisis_line" in reason

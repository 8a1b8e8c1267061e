"""Kind decision, templates, grounded writer and checker on a hand-made database."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "explain"))
from explain_fixtures import RECORDS, build_db  # noqa: E402

from medcodes.explain import Explanation, Section, explanation_for  # noqa: E402
from medcodes.explain import checks as chk  # noqa: E402
from medcodes.explain.facts import gather  # noqa: E402
from medcodes.explain.kinds import kind_of  # noqa: E402
from medcodes.explain.readability import fk_grade, syllables  # noqa: E402
from medcodes.explain.templates import KINDS, json_schema, model_for, required_keys, specs  # noqa: E402
from medcodes.models import CodeRecord  # noqa: E402
from medcodes.store import Store  # noqa: E402


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    return Store(build_db(tmp_path_factory.mktemp("explain") / "m.sqlite"))


def _rec(system, code, title="x", kind="code", attrs=None):
    return CodeRecord(system, code, code, kind, title, billable=True, attrs=attrs or {})


@pytest.mark.parametrize(
    "system,code,title,attrs,crumbs,expected",
    [
        ("cpt", "85230", "x", None, (), "lab"),
        ("cpt", "76496", "x", None, (), "imaging"),
        ("cpt", "77299", "x", None, (), "procedure"),  # radiation oncology planning is not imaging
        ("cpt", "36904", "x", None, (), "procedure"),
        ("cpt", "99213", "x", None, (), "visit"),
        ("cpt", "90686", "x", None, (), "vaccine"),  # the vaccine service profile says so
        ("cpt", "0001U", "x", None, (), "lab"),
        ("cpt", "0042T", "x", None, ("Radiology",), "imaging"),
        ("hcpcs", "J1745", "Injection, infliximab, 10 mg", None, (), "drug"),
        (
            "hcpcs",
            "Q9967",
            "Low osmolar contrast material, 300-399 mg/ml iodine concentration, per ml",
            None,
            (),
            "agent",
        ),
        ("hcpcs", "E0114", "Crutches", {"betos": "D1B"}, (), "supply"),
        ("hcpcs", "G0101", "Cervical or vaginal cancer screening", {"betos": "P6C"}, (), "procedure"),
        ("hcpcs", "G0438", "Annual wellness visit", {"betos": "M5D"}, (), "visit"),
        ("hcpcs", "G0103", "Prostate cancer screening; psa", {"betos": "T1H"}, (), "lab"),
        ("hcpcs", "P9612", "Catheterization for collection of specimen", None, (), "specimen_collection"),
        ("hcpcs", "R0070", "Transportation of portable x-ray equipment", None, (), "imaging"),
        ("hcpcs", "L3000", "Foot insert", None, (), "supply"),
        ("icd10pcs", "0DTJ4ZZ", "x", None, (), "procedure"),
        ("icd10pcs", "BW03ZZZ", "x", None, (), "imaging"),
        ("icd10pcs", "C21GYZZ", "x", None, (), "imaging"),
        ("icd10cm", "E119", "x", None, (), "diagnosis"),
    ],
)
def test_kind_decision(system, code, title, attrs, crumbs, expected):
    assert kind_of(_rec(system, code, title, attrs=attrs), crumbs) == expected


def test_groups_and_modifiers_get_the_fallback():
    assert kind_of(_rec("cpt", "80047-89398", kind="section")) == "fallback"
    assert kind_of(_rec("hcpcs", "RT", kind="modifier")) == "fallback"
    assert kind_of(_rec("icd10cm", "E11", kind="category")) == "diagnosis"


def test_procedure_template_is_the_seed_template():
    headings = [s.heading for s in specs("procedure") if s.required]
    assert headings == [
        "Name of the Procedure",
        "Summary",
        "Purpose",
        "Indications",
        "Preparation",
        "Procedure Description",
        "Duration",
        "Setting",
        "Personnel",
        "Risks and Complications",
        "Benefits",
        "Recovery",
        "Alternatives",
        "Patient Experience",
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_a_json_schema_requiring_its_sections(kind):
    schema = json_schema(kind)
    assert sorted(schema["required"]) == sorted(required_keys(kind))
    assert set(schema["properties"]) == {s.key for s in specs(kind)}
    with pytest.raises(ValidationError):
        model_for(kind).model_validate({})


def test_every_code_gets_every_section_of_its_kind_and_passes(store):
    for system, recs in RECORDS.items():
        for rec in recs:
            expl = explanation_for(store, system, rec.code)
            assert expl is not None, rec.code
            keys = [s.key for s in expl.sections]
            assert set(required_keys(expl.kind)) <= set(keys), (rec.code, expl.kind)
            assert all(s.text or s.items for s in expl.sections)
            assert all(s.heading for s in expl.sections)
            assert expl.status == "ok", (rec.code, expl.reason)
            assert expl.writer == "grounded"


def test_unknown_code_gives_none(store):
    assert explanation_for(store, "icd10cm", "Q999") is None
    assert explanation_for(store, "nope", "E11.9") is None
    assert explanation_for(store, "icd10cm", "") is None


def _text(expl: Explanation) -> str:
    return "\n".join(s.text + "\n" + "\n".join(s.items) for s in expl.sections)


def test_drug_states_the_billing_unit(store):
    expl = explanation_for(store, "hcpcs", "J1745")
    unit = next(s for s in expl.sections if s.key == "billing_unit")
    assert "10 mg" in unit.text
    assert "infliximab" in _text(expl)


def test_unclassified_code_explains_what_unlisted_means(store):
    expl = explanation_for(store, "hcpcs", "J3490")
    assert "unlisted code" in _text(expl)
    assert "claim" in _text(expl)


def test_pcs_explanation_names_body_part_and_approach(store):
    text = _text(explanation_for(store, "icd10pcs", "0DTJ4ZZ"))
    assert "Appendix" in text and "Percutaneous Endoscopic" in text
    assert "Resection" in text and "Cutting out or off" in text


def test_icd_laterality_follows_the_title(store):
    text = _text(explanation_for(store, "icd10cm", "M17.12"))
    assert "left side" in text and "right knee" not in text


def test_diagnosis_lists_official_notes(store):
    text = _text(explanation_for(store, "icd10cm", "E11"))
    assert "diabetes mellitus due to underlying condition" in text
    assert "not a billable code" in text


def test_explanation_is_deterministic(store):
    a = explanation_for(store, "icd10pcs", "0TT00ZZ")
    b = explanation_for(store, "icd10pcs", "0TT00ZZ")
    assert a == b


# -- checker ---------------------------------------------------------------------------------------


def _swap(expl: Explanation, key: str, text: str) -> Explanation:
    sections = [
        Section(
            s.key, s.heading, text if s.key == key else s.text, [] if s.key == key else s.items, s.ordered
        )
        for s in expl.sections
    ]
    return Explanation(expl.system, expl.code, expl.kind, "llm", sections)


def _check(store, system, code, key, text):
    rec = store.get(system, code)
    facts = gather(store, rec)
    expl = _swap(explanation_for(store, system, code), key, text)
    return chk.run(expl, facts)


def test_checker_rejects_diagnosis_described_as_procedure(store):
    _, status, reason = _check(
        store,
        "icd10cm",
        "E119",
        "what_it_is",
        "This procedure involves removing the pancreas under general anesthesia.",
    )
    assert status == "failed" and "diagnosis" in reason and "procedure" in reason


def test_checker_rejects_drug_described_as_test(store):
    _, status, reason = _check(
        store, "hcpcs", "J1745", "summary", "This blood test checks how your liver works."
    )
    assert status == "failed" and "is a drug" in reason


def test_checker_rejects_wrong_pcs_approach_and_side(store):
    _, status, reason = _check(
        store,
        "icd10pcs",
        "0DTJ4ZZ",
        "summary",
        "The appendix is taken out through open surgery with a large cut.",
    )
    assert status == "failed" and "approach is Percutaneous Endoscopic" in reason
    _, status, reason = _check(
        store, "icd10pcs", "0TT00ZZ", "summary", "The surgeon removes the left kidney in an open approach."
    )
    assert status == "failed" and "left side" in reason


def test_checker_rejects_wrong_icd_laterality(store):
    _, status, reason = _check(
        store, "icd10cm", "M1711", "what_it_is", "This condition is wear and tear arthritis in the left knee."
    )
    assert status == "failed" and "laterality" in reason and "left" in reason
    _, status, _ = _check(
        store,
        "icd10cm",
        "M1711",
        "what_it_is",
        "This condition is wear and tear arthritis in the right knee. If left untreated it can get worse.",
    )
    assert status == "ok"


def test_checker_reports_missing_and_empty_sections(store):
    rec = store.get("icd10cm", "E119")
    expl = explanation_for(store, "icd10cm", "E119")
    expl = Explanation(
        expl.system,
        expl.code,
        expl.kind,
        "llm",
        [s for s in expl.sections if s.key != "causes"] + [Section("outlook", "Outlook")],
    )
    _, status, reason = chk.run(expl, gather(store, rec))
    assert status == "failed" and "missing sections: causes" in reason


def test_reading_level():
    assert syllables("cat") == 1 and syllables("table") == 2 and syllables("anesthesia") >= 4
    easy = fk_grade("The cat sat on the mat. It was a good day.")
    hard = fk_grade(
        "Percutaneous transluminal mechanical thrombectomy necessitates fluoroscopic visualization."
    )
    assert easy < 4 < 12 < hard

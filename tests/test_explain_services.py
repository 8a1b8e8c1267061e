"""Service profiles (src/medcodes/explain/services/*.yaml): the loader's format errors, and every shipped
profile run through the checker on every code in its scope in the database built from ../shared/data."""

from __future__ import annotations

import pytest

from medcodes.explain import checks, grounded
from medcodes.explain.facts import gather
from medcodes.explain.profiles import ProfileError, _service_data, read_services, services
from medcodes.store import Store

GOOD = """
- id: cataract-surgery
  label: Cataract surgery
  kind: procedure
  scope:
    cpt: ["66982", "66984", "66987-66988"]
    icd10pcs: ["08RJ3JZ"]
  fields:
    purpose: Cataract surgery replaces a cloudy lens of the eye with a clear artificial lens.
    steps: [The eye is numbed., The cloudy lens is removed., A clear lens is put in.]
"""


def test_reads_a_profile_with_codes_and_ranges():
    (svc,), cm = read_services([("eye.yaml", GOOD)])
    assert cm == []
    assert svc.id == "cataract-surgery" and svc.kind == "procedure"
    assert svc.covers("cpt", "66984") and svc.covers("cpt", "66987") and svc.covers("icd10pcs", "08RJ3JZ")
    assert not svc.covers("cpt", "66983") and not svc.covers("hcpcs", "66984")
    assert svc.width("cpt", "66984") < svc.width("cpt", "66988")


def test_reads_diagnosis_ranges_under_icd10cm():
    svcs, cm = read_services([("diagnoses.yaml", "icd10cm:\n  - range: [E10, E14]\n    label: Diabetes\n")])
    assert svcs == () and cm[0]["label"] == "Diabetes"


@pytest.mark.parametrize(
    "text,message",
    [
        (GOOD + GOOD, "id already used"),
        (GOOD.replace("kind: procedure", "kind: surgery"), "unknown kind"),
        (GOOD.replace("icd10pcs:", "icd9:"), "unknown system"),
        (GOOD.replace('"66987-66988"', '"66988-66987"'), "bad scope entry"),
        ("- label: no id\n", "needs an id"),
        ("icd10cm:\n  - label: no range\n", "needs range"),
    ],
)
def test_format_errors_name_the_file(text, message):
    with pytest.raises(ProfileError, match=message) as err:
        read_services([("bad.yaml", text)])
    assert "bad.yaml" in str(err.value)


def test_shipped_files_load():
    ids = [s.id for s in services()]
    assert len(ids) == len(set(ids))


def _check_all(store, system, recs, where, failures):
    for rec in recs:
        if rec is None or rec.kind != "code":
            continue
        facts = gather(store, rec)
        _results, status, reason = checks.run(grounded.write(facts), facts)
        if status != "ok":
            failures.append(f"{where} {system} {rec.code}: {reason}")


@pytest.mark.shared
def test_every_profile_passes_the_checker_on_every_code_in_its_scope(real_db):
    store = Store(real_db)
    failures: list[str] = []
    for svc in services():
        for system, ranges in svc.scope.items():
            for lo, hi in ranges:
                recs = [store.get(system, lo)] if lo == hi else store.code_range(system, lo, hi, limit=20000)
                recs = [r for r in recs if r is not None and svc.covers(system, r.code)]
                assert recs, f"{svc.file} {svc.id}: no {system} code in {lo}-{hi}"
                _check_all(store, system, recs, f"{svc.file} {svc.id}", failures)
    for entry in _service_data()[1]:
        lo, hi = (str(x).replace(".", "") for x in entry["range"])
        recs = store.code_range("icd10cm", lo, hi + "ZZZZ", limit=50000)
        _check_all(store, "icd10cm", recs, f"diagnoses.yaml {entry.get('label')}", failures)
    assert not failures, "\n".join(failures[:30])

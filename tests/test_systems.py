"""The code-system registry: every stored code has its system's shape, and the policy extractor finds
every stored billable code written in a sentence (so no policy fails to link a code the project holds)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from medcodes import systems
from medcodes.codes import display, looks_like
from medcodes.policies.codeindex import CodeIndex
from medcodes.policies.documents import Page
from medcodes.policies.extract import Extractor


def test_registry_views_agree():
    assert systems.SYSTEMS == ("cpt", "hcpcs", "icd10cm", "icd10pcs")
    for s in systems.REGISTRY.values():
        assert systems.LABELS[s.id] == s.label and systems.NAMES[s.id] == s.name and systems.BLURBS[s.id]
        assert systems.by_alias(s.id.upper()) == s.id
        assert systems.by_fhir_uri(s.fhir_uri) == s.id
        for uri in s.fhir_aliases:
            assert systems.by_fhir_uri(uri) == s.id


@pytest.mark.parametrize(
    ("name", "system"),
    [
        ("ICD-10-CM", "icd10cm"),
        ("icd_10_pcs", "icd10pcs"),
        ("CPT4", "cpt"),
        ("HCPCS Level II", "hcpcs"),
        ("snomed", None),
    ],
)
def test_aliases(name, system):
    assert systems.by_alias(name) == system


def test_hcpcs_fhir_aliases():
    assert systems.by_fhir_uri("urn:oid:2.16.840.1.113883.6.285") == "hcpcs"
    assert systems.by_fhir_uri("https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets") == "hcpcs"
    assert systems.by_fhir_uri("http://example.org/nothing") is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("99213", ["cpt"]),
        ("0001A", ["cpt"]),
        ("0239U", ["cpt"]),
        ("J0585", ["hcpcs", "icd10cm"]),
        ("QA00", ["icd10cm"]),
        ("E119", ["icd10cm"]),
        ("0DV64CZ", ["icd10pcs"]),
        ("0DV64IZ", []),
        ("W1234", ["icd10cm"]),
    ],
)
def test_shapes(code, expected):
    assert looks_like(code) == expected


def test_display_is_dotted_for_icd10cm_only():
    assert display("icd10cm", "E1165") == "E11.65"
    assert display("icd10cm", "E11") == "E11"
    assert display("icd10pcs", "0DV64CZ") == "0DV64CZ"
    assert display("cpt", "0001A") == "0001A"


def _billable(db: Path) -> dict[str, list[str]]:
    conn = sqlite3.connect(db)
    out: dict[str, list[str]] = {s: [] for s in systems.SYSTEMS}
    for system, code in conn.execute(
        "SELECT system, code FROM codes WHERE billable = 1 ORDER BY system, sort"
    ):
        out[system].append(code)
    conn.close()
    return out


def _shape_class(system: str, code: str) -> str:
    """Letters vs digits position by position: one sample per class covers every shape a system has."""
    return system + ":" + "".join("A" if ch.isalpha() else "9" for ch in code)


def _sample(codes: dict[str, list[str]], every: int) -> list[tuple[str, str]]:
    seen: set[str] = set()
    out = []
    for system, cs in codes.items():
        for i, c in enumerate(cs):
            cls = _shape_class(system, c)
            if i % every == 0 or cls not in seen:
                seen.add(cls)
                out.append((system, c))
    return out


def _sentence(system: str, code: str) -> str:
    shown = display(system, code)
    if system == "icd10cm":
        return f"Claims must carry the ICD-10-CM diagnosis code {shown} to be paid."
    if system == "icd10pcs":
        return f"Claims that report ICD-10-PCS procedure code {shown} are reviewed before payment."
    return f"Claims that report code {shown} are reviewed before payment."


def _assert_shapes_and_extraction(db: Path, every: int) -> None:
    codes = _billable(db)
    assert all(codes.values()), "every system has billable codes"
    bad = [(s, c) for s, cs in codes.items() for c in cs if not systems.get(s).matches(c)]
    assert not bad, f"stored codes outside their system's shape: {bad[:20]}"
    conn = sqlite3.connect(db)
    extractor = Extractor(CodeIndex.from_conn(conn))
    conn.close()
    sample = _sample(codes, every)
    pages = [Page(i + 1, _sentence(s, c)) for i, (s, c) in enumerate(sample)]
    found: dict[int, set[tuple[str, str]]] = {}
    for m in extractor.extract(pages):
        found.setdefault(m.page, set()).add((m.system, m.code))
    missed = [(s, c) for i, (s, c) in enumerate(sample) if (s, c) not in found.get(i + 1, set())]
    assert not missed, f"{len(missed)} of {len(sample)} codes not found in a sentence, e.g. {missed[:20]}"


def test_fixture_codes_have_their_shape_and_are_extracted(fixture_db):
    _assert_shapes_and_extraction(fixture_db, every=1)


@pytest.mark.shared
def test_real_codes_have_their_shape_and_are_extracted(real_db):
    # Every 25th billable code of each system plus one of every letter/digit pattern (0001A, QA00, ...).
    _assert_shapes_and_extraction(real_db, every=25)

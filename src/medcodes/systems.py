"""The one registry of code systems: every per-system fact (label, name, blurb, aliases, code shape,
display form, FHIR URIs) lives here and nowhere else."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ALIAS_CHARS = re.compile(r"[^a-z0-9]")


@dataclass(frozen=True, slots=True)
class CodeSystem:
    id: str  # used in URLs, the API and the database
    label: str  # "ICD-10-CM code": what one code of the system is called
    name: str  # "ICD-10-CM": the system's short name
    blurb: str  # one line saying what the system covers and who maintains it
    shape: re.Pattern[str]  # a complete code, canonical form (upper case, no dot)
    fhir_uri: str  # the FHIR `system` URI
    fhir_aliases: tuple[str, ...] = ()  # other URIs clients send for the same system
    aliases: tuple[str, ...] = ()  # other spellings of the id (letters and digits only, lower case)
    dotted: bool = False  # displayed with a dot after the third character

    def matches(self, code: str) -> bool:
        """Whether a canonical code has the shape of a complete code of this system."""
        return bool(self.shape.match(code))

    def display(self, code: str) -> str:
        """Display form of a canonical code: ICD-10-CM codes get their dot after the category."""
        if self.dotted and "-" not in code and len(code) > 3 and code[0].isalpha():
            return f"{code[:3]}.{code[3:]}"
        return code


REGISTRY: dict[str, CodeSystem] = {
    s.id: s
    for s in (
        CodeSystem(
            id="cpt",
            label="CPT4 code",
            name="CPT",
            blurb="Procedures and services billed by physicians and outpatient facilities (AMA).",
            # Category II (F), III (T), PLA (U), multianalyte (M) and vaccine administration (A) codes.
            shape=re.compile(r"^(\d{5}|\d{4}[FTUMA])$"),
            fhir_uri="http://www.ama-assn.org/go/cpt",
            aliases=("cpt4",),
        ),
        CodeSystem(
            id="hcpcs",
            label="HCPCS Level II code",
            name="HCPCS Level II",
            blurb="Supplies, drugs, equipment, ambulance and services not in CPT (CMS).",
            shape=re.compile(r"^[A-V]\d{4}$"),
            fhir_uri="http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
            fhir_aliases=(
                "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
                "urn:oid:2.16.840.1.113883.6.285",
            ),
            aliases=("hcpcs2", "hcpcsii", "hcpcslevelii"),
        ),
        CodeSystem(
            id="icd10cm",
            label="ICD-10-CM code",
            name="ICD-10-CM",
            blurb="Diagnoses, symptoms and reasons for a visit (CDC/NCHS).",
            # FY2026 added categories with a letter second (QA0), so only the first character is fixed.
            shape=re.compile(r"^[A-Z][0-9A-Z]{2}([0-9A-Z]{1,4})?$"),
            fhir_uri="http://hl7.org/fhir/sid/icd-10-cm",
            dotted=True,
        ),
        CodeSystem(
            id="icd10pcs",
            label="ICD-10-PCS code",
            name="ICD-10-PCS",
            blurb="Inpatient hospital procedures (CMS).",
            # Seven characters; I and O are never used so they cannot be mistaken for 1 and 0.
            shape=re.compile(r"^[0-9A-HJ-NP-Z]{7}$"),
            fhir_uri="http://www.cms.gov/Medicare/Coding/ICD10",
        ),
    )
}

SYSTEMS: tuple[str, ...] = tuple(REGISTRY)

# Views of the registry for templates and callers that want one fact per system.
LABELS: dict[str, str] = {s.id: s.label for s in REGISTRY.values()}
NAMES: dict[str, str] = {s.id: s.name for s in REGISTRY.values()}
BLURBS: dict[str, str] = {s.id: s.blurb for s in REGISTRY.values()}


def get(system: str) -> CodeSystem:
    """The system with this id; KeyError for an unknown id."""
    return REGISTRY[system]


def by_alias(name: str) -> str | None:
    """`ICD-10-CM`, `icd_10_cm`, `HCPCS`, `CPT4` -> the system id; None when it is no system we know."""
    s = _ALIAS_CHARS.sub("", (name or "").lower())
    for system in REGISTRY.values():
        if s == system.id or s in system.aliases:
            return system.id
    return None


def by_fhir_uri(uri: str) -> str | None:
    """The system id for a FHIR `system` URI (its canonical URI or a known alias); None otherwise."""
    u = (uri or "").strip()
    for system in REGISTRY.values():
        if u == system.fhir_uri or u in system.fhir_aliases:
            return system.id
    return None


def shaped_like(code: str) -> list[str]:
    """Systems whose code shape fits a canonical code (a 5-digit number is CPT; `E1130` is HCPCS and ICD-10-CM)."""
    return [s.id for s in REGISTRY.values() if s.shape.match(code)]

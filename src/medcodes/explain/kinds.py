"""Which template a code gets. The one place that decides it, from the system and the hierarchy.

CPT: the section and subsection (by the published code ranges, with the breadcrumb titles as a
second opinion for codes outside them). HCPCS: BETOS when the release carries it, else the letter
range and the descriptor's billing unit. ICD-10-PCS: the section character. ICD-10-CM: always a
diagnosis (chapters only change the profile, not the template).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from medcodes.models import CodeRecord

GROUP_KINDS = ("chapter", "section")

# CPT ranges (inclusive, five-digit codes) that are not plain procedures.
_CPT_RANGES: tuple[tuple[str, str, str], ...] = (
    ("70010", "76499", "imaging"),  # diagnostic radiology
    ("76506", "76999", "imaging"),  # diagnostic ultrasound
    ("77001", "77022", "imaging"),  # radiologic guidance
    ("77046", "77092", "imaging"),  # breast and bone/joint imaging
    ("78012", "79999", "imaging"),  # nuclear medicine (therapeutic 79xxx stays imaging-led)
    ("80047", "89398", "lab"),  # pathology and laboratory
    ("90281", "90399", "drug"),  # immune globulins
    ("90476", "90759", "drug"),  # vaccines and toxoids
    ("99202", "99499", "visit"),  # evaluation and management
)

_BETOS_KINDS = (
    ("M", "visit"),
    ("I", "imaging"),
    ("T1", "lab"),
    ("D", "supply"),
    ("O1D", "drug"),
    ("O1E", "drug"),
    ("O1G", "drug"),
    ("O1C", "supply"),
    ("O1F", "supply"),
    ("P", "procedure"),
)

# A billing unit ("per 10 mg", "1 mcg", "per ml") marks a drug descriptor.
DOSE_UNIT = re.compile(
    r"\b(?:per\s+)?\d[\d,.]*\s*(?:mg|mcg|microgram|micrograms|milligrams?|grams?|g|ml|milliliters?|units?|iu|meq|mci|millicuries?|microcuries?|uci)\b",
    re.IGNORECASE,
)
_INJECTION = re.compile(r"^(injection|infusion|inhalation solution|drug|chemotherapy)\b", re.IGNORECASE)


def kind_of(rec: CodeRecord, breadcrumb: Sequence[str] = ()) -> str:
    """Template kind for a record; `breadcrumb` is the ancestors' titles from the root down."""
    if rec.kind in GROUP_KINDS or rec.kind == "modifier":
        return "fallback"
    if rec.system == "icd10cm":
        return "diagnosis"
    if rec.system == "icd10pcs":
        return _pcs_kind(rec.code)
    if rec.system == "cpt":
        return _cpt_kind(rec.code, breadcrumb)
    if rec.system == "hcpcs":
        return _hcpcs_kind(rec)
    return "fallback"


def _pcs_kind(code: str) -> str:
    section = code[:1]
    if section in ("B", "C"):
        return "imaging"
    return "procedure"


def _cpt_kind(code: str, breadcrumb: Sequence[str]) -> str:
    if len(code) == 5 and code.isdigit():
        for lo, hi, kind in _CPT_RANGES:
            if lo <= code <= hi:
                return kind
        return "procedure"
    if code.endswith("U"):  # proprietary laboratory analyses
        return "lab"
    joined = " ".join(breadcrumb).lower()
    if "laboratory" in joined or "pathology" in joined:
        return "lab"
    if "radiology" in joined or "imaging" in joined:
        return "imaging"
    if "evaluation and management" in joined:
        return "visit"
    if code.endswith("F"):  # performance measures: a tracking code, not a service
        return "fallback"
    return "procedure"


def betos_of(rec: CodeRecord) -> str:
    attrs = rec.attrs or {}
    value = attrs.get("betos") or attrs.get("BETOS") or ""
    return str(value).strip().upper()


def _hcpcs_kind(rec: CodeRecord) -> str:
    letter = rec.code[:1]
    title = rec.title or ""
    if letter == "J" or (letter in "CQ" and (_INJECTION.match(title) or DOSE_UNIT.search(title))):
        return "drug"
    if letter == "A" and rec.code >= "A9500" and rec.code <= "A9700" and DOSE_UNIT.search(title):
        return "drug"  # radiopharmaceuticals and contrast
    betos = betos_of(rec)
    for prefix, kind in _BETOS_KINDS:
        if betos.startswith(prefix):
            return kind
    if letter in "ABEKLV":
        return "supply" if not (letter == "A" and rec.code < "A2000") else "fallback"
    if letter in "PU":
        return "lab"
    if letter == "R":
        return "imaging"
    if letter == "H":
        return "visit"
    if letter == "D":
        return "procedure"
    if letter == "G":
        return "procedure"
    return "fallback"

"""Which system a code-shaped token could belong to, from the project's one definition of code shapes.

The extractor must agree with search and the importers on what a code looks like (vaccine administration
codes such as 0001A, ICD-10-CM categories with a letter second such as QA0), so it asks the systems
registry instead of keeping its own patterns."""

from __future__ import annotations

from medcodes import systems

_CPT = systems.get("cpt")
_HCPCS = systems.get("hcpcs")
_ICD = systems.get("icd10cm")
_PCS = systems.get("icd10pcs")


def shape(code: str, dotted: bool) -> str | None:
    """cpt5 | cpt_alpha | hcpcs | icd_dotted | icd | pcs | pcs_bare, or None. `code` is canonical (no dot)."""
    if dotted:
        return "icd_dotted" if _ICD.matches(code) else None
    if not any(ch.isdigit() for ch in code):
        # All-letter PCS codes (DHYBFZZ) look like capitalised words: taken only after words naming PCS.
        return "pcs_bare" if _PCS.matches(code) else None
    if _CPT.matches(code):
        return "cpt5" if code.isdigit() else "cpt_alpha"
    if _HCPCS.matches(code):
        return "hcpcs"
    if _ICD.matches(code) and code[0].isalpha():
        return "icd"
    if _PCS.matches(code):
        # Seven digits are also phone and account numbers: taken only after words naming PCS.
        return "pcs" if any(ch.isalpha() for ch in code) else "pcs_bare"
    return None

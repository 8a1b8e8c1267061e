"""Which system a code-shaped token could belong to, from the project's one definition of code shapes.

The extractor must agree with search and the importers on what a code looks like (vaccine administration
codes such as 0001A, ICD-10-CM categories with a letter second such as QA0), so it asks the shared
patterns instead of keeping its own. The import below is the only place that names where they live."""

from __future__ import annotations

from medcodes.codes import CODE_SHAPES


def shape(code: str, dotted: bool) -> str | None:
    """cpt5 | cpt_alpha | hcpcs | icd_dotted | icd | pcs, or None. `code` is canonical (no dot)."""
    if not any(ch.isdigit() for ch in code):
        return None
    if dotted:
        return "icd_dotted" if CODE_SHAPES["icd10cm"].match(code) else None
    if CODE_SHAPES["cpt"].match(code):
        return "cpt5" if code.isdigit() else "cpt_alpha"
    if CODE_SHAPES["hcpcs"].match(code):
        return "hcpcs"
    if CODE_SHAPES["icd10cm"].match(code) and code[0].isalpha():
        return "icd"
    if CODE_SHAPES["icd10pcs"].match(code) and any(ch.isalpha() for ch in code):
        return "pcs"
    return None

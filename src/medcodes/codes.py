"""One place that turns any spelling of a code into its canonical and display forms."""

from __future__ import annotations

import re
import unicodedata

_STRIP = re.compile(r"[\s.\u00a0_]+")
_DASHES = re.compile(r"\s*[\u2010-\u2015\u2212-]\s*")

# Shapes of a complete code in each system (canonical form).
CODE_SHAPES: dict[str, re.Pattern[str]] = {
    # Category II (F), III (T), PLA (U), multianalyte (M) and vaccine administration (A) codes.
    "cpt": re.compile(r"^(\d{5}|\d{4}[FTUMA])$"),
    "hcpcs": re.compile(r"^[A-V]\d{4}$"),
    # FY2026 added categories with a letter second (QA0), so only the first character is fixed.
    "icd10cm": re.compile(r"^[A-Z][0-9A-Z]{2}([0-9A-Z]{1,4})?$"),
    "icd10pcs": re.compile(r"^[0-9A-HJ-NP-Z]{7}$"),
}


def canonical(code: str) -> str:
    """`' e11.9 '` -> `'E119'`; `'85002 – 85999'` -> `'85002-85999'`. Never raises."""
    s = unicodedata.normalize("NFKC", code or "").strip().upper()
    s = _DASHES.sub("-", s)
    return _STRIP.sub("", s)


def display(system: str, code: str) -> str:
    """Display form of a canonical code: ICD-10-CM codes get their dot after the category."""
    if system == "icd10cm" and "-" not in code and len(code) > 3 and code[0].isalpha():
        return f"{code[:3]}.{code[3:]}"
    return code


def looks_like(code: str) -> list[str]:
    """Systems whose code shape fits a canonical code (a 5-digit number is CPT; `E1130` is HCPCS and ICD-10-CM)."""
    return [system for system, pattern in CODE_SHAPES.items() if pattern.match(code)]

"""One place that turns any spelling of a code into its canonical and display forms."""

from __future__ import annotations

import re
import unicodedata

from medcodes import systems

_STRIP = re.compile(r"[\s.\u00a0_]+")
_DASHES = re.compile(r"\s*[\u2010-\u2015\u2212-]\s*")


def canonical(code: str) -> str:
    """`' e11.9 '` -> `'E119'`; `'85002 – 85999'` -> `'85002-85999'`. Never raises."""
    s = unicodedata.normalize("NFKC", code or "").strip().upper()
    s = _DASHES.sub("-", s)
    return _STRIP.sub("", s)


def display(system: str, code: str) -> str:
    """Display form of a canonical code: ICD-10-CM codes get their dot after the category."""
    return systems.get(system).display(code) if system in systems.REGISTRY else code


def looks_like(code: str) -> list[str]:
    """Systems whose code shape fits a canonical code (a 5-digit number is CPT; `E1130` is HCPCS and ICD-10-CM)."""
    return systems.shaped_like(code)

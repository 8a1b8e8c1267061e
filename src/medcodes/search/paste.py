"""Codes pasted from a bill, an EOB or a claim form: what the layout around them may hold.

A bill line carries more than codes: modifiers ("99213-25", "99213 (25)", "-NU", "mod 25"), units
("x3", "(1)"), amounts ("$150.00"), line numbers ("1."), revenue codes ("0300"), labels ("CPT®",
"Dx:", "Rev") and joining words ("and", "&"). A query whose every token is a code or one of those
is read as a list of codes; a single word of anything else makes it an ordinary query."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from medcodes.codes import canonical

MAX_PASTED = 50

# Between codes: white space, commas, semicolons, bars, slashes, ampersands, hashes, brackets.
_SEP = re.compile(r"[\s,;|/&#\[\]{}]+")
# "99213 (25)" is the code with modifier 25; "(1)" and "(12)"-style counts with 1 or 3 digits are units.
_PAREN_MODIFIER = re.compile(r"\s*\(([0-9A-Za-z]{2})\)")
_PAREN_COUNT = re.compile(r"\((?:\d|\d{3})\)")
_DASHES = "-:\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_WITH_MODIFIERS = re.compile(rf"^([0-9A-Za-z.]{{3,8}})((?:[{_DASHES}][0-9A-Za-z]{{2}})+)$")
_LONE_MODIFIER = re.compile(rf"^[{_DASHES}]([0-9A-Za-z]{{2}})$")
_NOISE = (
    re.compile(r"^(?:[x\u00d7]\d{1,3}|\d{1,3}[x\u00d7])$", re.IGNORECASE),  # units: x3, 2x
    re.compile(r"^\d{1,4}$"),  # counts, line numbers, revenue codes: no code system has these
    re.compile(r"^\$[\d,]*(?:\.\d*)?$|^\d{1,4}\.\d{2}$|^\d{1,3}(?:,\d{3})+(?:\.\d{2})?$"),  # amounts
)
_WORDS = frozenset(
    """cpt cpt4 hcpcs icd icd10 icd-10 icd-10-cm icd10cm icd-10-pcs icd10pcs pcs dx px diagnosis
    diagnoses procedure procedures code codes rev revenue line qty units unit and or x""".split()
)
_MODIFIER_WORDS = frozenset({"mod", "mods", "modifier", "modifiers"})
# "E11 9" is E11.9 typed with a space, not the code E11 and a count.
_SPACED_ICD = re.compile(r"^[A-Za-z]\d[0-9A-Za-z]\s+[0-9A-Za-z]{1,4}$")


@dataclass(slots=True)
class Pasted:
    codes: list[str]  # each code as typed, in order
    modifiers: dict[str, list[str]] = field(default_factory=dict)  # code as typed -> its modifiers


def read(text: str, codeish) -> Pasted | None:
    """`text` as pasted codes, or None when it is not only codes and bill layout. `codeish` says
    whether a token looks like a code a person would type (query.py's test)."""
    if _SPACED_ICD.match(text):
        return None
    text = _PAREN_MODIFIER.sub(r"-\1", text)
    text = _PAREN_COUNT.sub(" ", text)
    codes: list[str] = []
    modifiers: dict[str, list[str]] = {}
    layout = False  # anything besides codes: then a single code counts as pasted
    expect_modifier = False
    for raw in _SEP.split(text):
        tok = raw.strip(".:*\u00ae\u2122()")
        if not tok:
            continue
        low = tok.lower()
        lone = _LONE_MODIFIER.match(tok)
        if (lone or expect_modifier) and codes and len(tok.lstrip(_DASHES)) == 2:
            modifiers.setdefault(codes[-1], []).append(tok.lstrip(_DASHES).upper())
            expect_modifier = False
            continue
        expect_modifier = low in _MODIFIER_WORDS
        if expect_modifier or low in _WORDS or any(p.match(tok) for p in _NOISE):
            layout = True
            continue
        m = _WITH_MODIFIERS.match(tok)
        code = m.group(1) if m else tok
        if not _code_token(code):
            return None
        codes.append(code)
        if m:
            modifiers.setdefault(code, []).extend(re.findall(r"[0-9A-Za-z]{2}", m.group(2).upper()))
    if not codes or len(codes) > MAX_PASTED or not any(map(codeish, codes)):
        return None
    if len(codes) == 1 and not modifiers and not layout:
        return None
    return Pasted(codes, modifiers)


def _code_token(token: str) -> bool:
    """A token read as a code in a list of codes: three to eight letters and digits, with a digit
    (a code that exists nowhere is reported as unknown, so it need not look like any system's)."""
    c = canonical(token)
    return 3 <= len(c) <= 8 and c.isalnum() and c.isascii() and any(ch.isdigit() for ch in c)

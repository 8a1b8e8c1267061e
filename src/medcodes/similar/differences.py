"""How a similar code differs from the code being read, in a short phrase ("other side",
"with contrast", "adds balloon widening of the vein", "established instead of new patient").

Read-time and pure: two texts per code (its common name when it has one, else its readable title)
are compared first fact by fact (codesets.descriptor_facts: side, contrast, patient status,
approach, count, views), then word by word. A phrase is only given when the two names share most
of their words, so that two unrelated services never get a misleading "X instead of Y".
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from medcodes.codesets import descriptor_facts as df
from medcodes.models import CodeRecord

MAX_PHRASES = 2
MAX_CHUNK_WORDS = 7  # a changed run longer than this is not a "difference", it is another service
MIN_SHARED = 0.5  # share of the longer name's words both names must hold for a word diff

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'./+-]*")
# Words that carry no difference of their own at the edge of a changed run ("with a stent").
_EDGE = frozenset("a an and the with of for to in on or by from".split())
_SIDES = {df.LEFT: "left side", df.RIGHT: "right side", df.BILATERAL: "both sides", df.UNILATERAL: "one side"}
_CONTRAST = {
    df.WITH: "with contrast",
    df.WITHOUT: "without contrast",
    df.WITHOUT_THEN_WITH: "without and then with contrast",
}
# Words a fact phrase already speaks for: a word-diff chunk made only of them adds nothing.
_FACT_WORDS = frozenset(
    "left right both bilateral unilateral one side sides contrast dye without with new established"
    " patient open laparoscopic percutaneous endoscopic each additional single multiple views view".split()
)


def text_of(rec: CodeRecord) -> str:
    """What the comparison reads: the plain name when there is one, else the readable title."""
    return rec.common_name or rec.title or rec.short_title or ""


def _facts(rec: CodeRecord) -> df.DescriptorFacts:
    texts = [t for t in (rec.common_name, rec.title, rec.short_title) if t]
    return df.merge(*(df.parse(t) for t in texts))


def _views(r: df.Range) -> str:
    if r.high is None:
        return f"{r.low} or more views"
    if r.high == r.low:
        return f"{r.low} view" + ("" if r.low == 1 else "s")
    return f"{r.low} to {r.high} views"


def fact_phrases(base: df.DescriptorFacts, other: df.DescriptorFacts) -> list[str]:
    """What `other` states differently from `base`, one phrase per fact."""
    out: list[str] = []
    a, b = base.laterality, other.laterality
    if a and b and a != b:
        sided = {df.LEFT, df.RIGHT}
        if len(a) == 1 and len(b) == 1 and a | b == sided:
            out.append("other side")
        elif len(b) == 1:
            out.append(_SIDES[next(iter(b))])
    a, b = base.contrast, other.contrast
    if b and a != b and len(b) == 1:
        out.append(_CONTRAST[next(iter(b))])
    a, b = base.patient, other.patient
    if len(a) == 1 and len(b) == 1 and a != b:
        out.append(f"{next(iter(b))} instead of {next(iter(a))} patient")
    a, b = base.approach, other.approach
    if len(b) == 1 and a != b:
        out.append(f"{next(iter(b))} instead of {next(iter(a))}" if len(a) == 1 else f"{next(iter(b))}")
    a, b = base.count, other.count
    if b != a:
        if df.EACH_ADDITIONAL in b and df.EACH_ADDITIONAL not in a:
            out.append("each additional")
        elif df.EACH_ADDITIONAL in a and df.EACH_ADDITIONAL not in b and b:
            out.append("first or only one")
        elif b == {df.MULTIPLE} and a == {df.SINGLE}:
            out.append("multiple instead of single")
        elif b == {df.SINGLE} and a == {df.MULTIPLE}:
            out.append("single instead of multiple")
    if base.views and other.views and base.views != other.views:
        out.append(f"{_views(other.views)} instead of {_views(base.views)}")
    return out


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _trim(words: list[str]) -> list[str]:
    while words and words[0].lower() in _EDGE:
        words = words[1:]
    while words and words[-1].lower() in _EDGE:
        words = words[:-1]
    return words


def word_phrases(base: str, other: str) -> list[str]:
    """The changed runs of words between two names: "adds X", "without X", "X instead of Y"."""
    a, b = _words(base), _words(other)
    if not a or not b:
        return []
    la, lb = [w.lower() for w in a], [w.lower() for w in b]
    matcher = SequenceMatcher(a=la, b=lb, autojunk=False)
    shared = sum(block.size for block in matcher.get_matching_blocks())
    if shared < MIN_SHARED * max(len(a), len(b)):
        return []
    out: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        gone, added = _trim(a[i1:i2]), _trim(b[j1:j2])
        if len(gone) > MAX_CHUNK_WORDS or len(added) > MAX_CHUNK_WORDS:
            return []
        if not gone and not added:
            continue
        if {w.lower() for w in gone + added} <= _FACT_WORDS | _EDGE:
            continue  # a fact phrase says it better
        # "30 instead of 20 minutes": a one-word change reads with the word that follows it.
        after = a[i2] if tag == "replace" and len(gone) == len(added) == 1 and i2 < len(a) else ""
        if added and gone:
            out.append(" ".join([*added, "instead of", *gone, after]).strip())
        elif added:
            out.append("adds " + " ".join(added))
        else:
            out.append("without " + " ".join(gone))
    return out


def difference(base: CodeRecord, other: CodeRecord) -> str | None:
    """A short phrase saying how `other` differs from `base`; None when nothing tells them apart."""
    phrases = fact_phrases(_facts(base), _facts(other))
    if base.system == other.system:
        phrases += word_phrases(text_of(base), text_of(other))
    kept: dict[str, str] = {}
    for p in phrases:
        if p:
            kept.setdefault(p.lower(), p)
    return "; ".join(list(kept.values())[:MAX_PHRASES]) or None

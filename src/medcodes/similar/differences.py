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
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_SIDE_WORDS = frozenset("left right bilateral unilateral".split())
# Systems whose descriptors name procedures: an ICD-10-CM "open fracture" is no open approach.
_PROCEDURE_SYSTEMS = frozenset({"cpt", "hcpcs", "icd10pcs"})
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
    " patient open laparoscopic percutaneous endoscopic each additional single multiple views view more".split()
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
    if r.high == r.low + 1:
        return f"{r.low} or {r.high} views"
    return f"{r.low} to {r.high} views"


def fact_phrases(base: df.DescriptorFacts, other: df.DescriptorFacts, procedure: bool = True) -> list[str]:
    """What `other` states differently from `base`, one phrase per fact (side and patient status
    only, unless both are procedures)."""
    out: list[str] = []
    a, b = base.laterality, other.laterality
    if b and a != b:
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
    if not procedure:
        return out
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
    # "Toe(s)" is one word; a capital that only starts a sentence or a title-cased heading
    # ("Plain Radiography of Left Hip") is not kept inside a phrase, an acronym (MRI, CT) is.
    words = _WORD.findall(text.replace("(s)", "s"))
    return [w.lower() if w[:1].isupper() and w[1:].islower() else w for w in words]


def _trim(words: list[str]) -> list[str]:
    # Side words are said by the fact phrase ("other side"), never inside a word change.
    words = [w for w in words if w.lower() not in _SIDE_WORDS]
    while words and words[0].lower() in _EDGE:
        words = words[1:]
    while words and words[-1].lower() in _EDGE:
        words = words[:-1]
    return words


def _following(words: list[str], start: int, n: int = 3) -> list[str]:
    out = []
    for w in words[start : start + n]:
        if w.lower() in ("and", "or"):
            break
        out.append(w)
    return out


def word_phrases(base: str, other: str, facts_said: bool = False) -> list[str]:
    """The changed runs of words between two names: "adds X", "without X", "X instead of Y".
    With `facts_said`, runs of only fact words and numbers (views, sides) are left to the facts."""
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
        raw_gone, raw_added = [w.lower() for w in a[i1:i2]], [w.lower() for w in b[j1:j2]]
        if sorted([*raw_gone, *raw_added]) == ["with", "without"] and not facts_said:
            # "with" against "without": say with or without what, from the words that follow.
            out.append(" ".join([*b[j1:j2], *_following(b, j2)]))
            continue
        gone, added = _trim(a[i1:i2]), _trim(b[j1:j2])
        if len(gone) > MAX_CHUNK_WORDS or len(added) > MAX_CHUNK_WORDS:
            return []
        if not gone and not added:
            continue
        plain = {w.lower() for w in gone + added if not _NUMBER.match(w)}
        counts_views = any(w.lower() in ("view", "views") for w in a[i2 : i2 + 3])
        if facts_said and (plain <= _FACT_WORDS | _EDGE if plain else counts_views):
            continue  # a fact phrase says it better (side, contrast, number of views)
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
    procedure = base.system in _PROCEDURE_SYSTEMS and other.system in _PROCEDURE_SYSTEMS
    phrases = fact_phrases(_facts(base), _facts(other), procedure)
    if base.system == other.system:
        # Plain names against plain names, titles against titles: never one of each.
        both_named = bool(base.common_name and other.common_name)
        a = text_of(base) if both_named else base.title
        b = text_of(other) if both_named else other.title
        phrases += word_phrases(a, b, facts_said=bool(phrases))
    kept: dict[str, str] = {}
    for p in phrases:
        if p:
            kept.setdefault(p.lower(), p)
    # A fact phrase that a word change already holds ("open" in "open instead of closed") goes.
    out = [p for k, p in kept.items() if not any(k != o and k in o for o in kept)]
    return "; ".join(out[:MAX_PHRASES]) or None

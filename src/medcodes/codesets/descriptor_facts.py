"""Facts stated by a procedure descriptor: side, contrast, views, patient status, minutes, approach, count.

Pure text functions. The same parser reads raw CMS short descriptors ("Mri brain stem w/o dye",
"Office o/p est low 20 min", "X-ray exam ribs/chest4/> vws"), readable long descriptors and the
project's own plain names ("Brain MRI without contrast"), so two texts can be compared fact by fact:
`contradictions(descriptor, name)` lists what a name states that its descriptor rules out. A text
that says nothing about a fact leaves it empty; an empty fact never contradicts anything.

Short descriptors reuse abbreviations for several meanings ("endo" is endoscopic in surgery but
endoskeletal in orthotics, "lt" is left, light or "less than", "est" is established or estimate),
so the ambiguous ones only count where their neighbours make the meaning clear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LEFT, RIGHT, BILATERAL, UNILATERAL = "left", "right", "bilateral", "unilateral"
WITHOUT, WITH, WITHOUT_THEN_WITH = "without", "with", "without then with"
NEW, ESTABLISHED = "new", "established"
OPEN, LAPAROSCOPIC, PERCUTANEOUS, ENDOSCOPIC = "open", "laparoscopic", "percutaneous", "endoscopic"
SINGLE, EACH_ADDITIONAL, MULTIPLE = "single", "each additional", "multiple"


@dataclass(frozen=True)
class Range:
    """An inclusive count range; `high` None means open-ended ("3 or more")."""

    low: int
    high: int | None

    def within(self, other: Range) -> bool:
        if self.low < other.low:
            return False
        if other.high is None:
            return True
        return self.high is not None and self.high <= other.high


@dataclass(frozen=True)
class DescriptorFacts:
    laterality: frozenset[str] = field(default_factory=frozenset)
    contrast: frozenset[str] = field(default_factory=frozenset)
    views: Range | None = None
    patient: frozenset[str] = field(default_factory=frozenset)
    minutes: frozenset[int] = field(default_factory=frozenset)
    approach: frozenset[str] = field(default_factory=frozenset)
    count: frozenset[str] = field(default_factory=frozenset)


def _norm(text: str) -> str:
    text = text.lower().replace("\u2013", "-").replace("\u2014", "-")
    return re.sub(r"\s+", " ", text)


# --- laterality -----------------------------------------------------------------------------------
_BOTH = re.compile(r"\b(bilat(eral)?|bi|both|bil)\b(?!-)")
_ONE = re.compile(
    r"\b(unilat(eral)?|uni|one-sided|single side|one (side|breast|eye|ear|leg|arm|hip|knee|kidney))\b"
)
_LEFT = re.compile(r"\bleft\b|\blt\s*$|\blt\s*/\s*rt\b|\brt\s*/\s*lt\b|\blt side\b")
_RIGHT = re.compile(r"\bright\b|\brt\s*$|\blt\s*/\s*rt\b|\brt\s*/\s*lt\b|\brt side\b")
# "uni/bi", "unilat or bilat": either is allowed, so the text states no side.
_EITHER = re.compile(
    r"\b(uni(lat(eral)?)?\s*(/|or|and)\s*bi(lat(eral)?)?|bi(lat(eral)?)?\s*(/|or)\s*uni(lat(eral)?)?)\b"
)


def laterality(text: str) -> frozenset[str]:
    t = _norm(text)
    if _EITHER.search(t):
        return frozenset()
    found = set()
    if _BOTH.search(t):
        found.add(BILATERAL)
    if _ONE.search(t):
        found.add(UNILATERAL)
    if re.search(r"\blt\s*/\s*rt\b|\brt\s*/\s*lt\b|\bleft or right\b|\bright or left\b", t):
        found.add(UNILATERAL)
    else:
        if _LEFT.search(t):
            found.add(LEFT)
        if _RIGHT.search(t):
            found.add(RIGHT)
    return frozenset(found)


# --- contrast -------------------------------------------------------------------------------------
_DYE = r"(dye|contrast|contrst|cntrst|cntr|contrast material|contrast materials?)"
_BOTH_CONTRAST = re.compile(
    r"w/o\s*(&|and|/)?\s*w/?\s*" + _DYE + r"|wo/w\s*" + _DYE + r"|w/o\s*&\s*w\b|without and with"
    r"|(?:w/o|\bwo)\s*"
    + _DYE
    + r"\s*(flwd|followed by)|without,? followed by|followed by contrast|before and after contrast|c-\s*\+|c-/c\+|c-\+"
    r"|\bw/o\s*&\s*w\b|without contrast,? then with"
)
_WITHOUT = re.compile(
    r"(?:w/o|\bwo)\s*" + _DYE + r"|without\s+" + _DYE + r"|\bno\s+" + _DYE + r"|non-?contrast|\bc-(?!\+)"
)
_WITH = re.compile(r"w/\s*" + _DYE + r"|\bwith\s+" + _DYE + r"|contrast-enhanced|\bc\+")


def contrast(text: str) -> frozenset[str]:
    t = _norm(text)
    if _BOTH_CONTRAST.search(t):
        return frozenset({WITHOUT_THEN_WITH})
    found = set()
    if _WITHOUT.search(t):
        found.add(WITHOUT)
    if _WITH.search(_WITHOUT.sub(" ", t)):
        found.add(WITH)
    return frozenset(found)


# --- views ----------------------------------------------------------------------------------------
_NUMBER_WORDS = {"one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_VW = r"(?:vws?|views?)\b"


def views(text: str) -> Range | None:
    t = _norm(text)
    for word, n in _NUMBER_WORDS.items():
        t = re.sub(rf"\b{word}\b(?=\s*(?:or more\s*)?{_VW})", str(n), t)
    m = re.search(rf"(?:min(?:imum)?\.?\s*(?:of\s*)?|at least\s*)(\d+)\s*{_VW}", t)
    if m:
        return Range(int(m.group(1)), None)
    m = re.search(rf"(?:<\s*|fewer than\s*|less than\s*)(\d+)\s*{_VW}", t)
    if m:
        return Range(1, int(m.group(1)) - 1)
    m = re.search(rf"(?:up to|max(?:imum)?\.?\s*(?:of)?)\s*(\d+)\s*{_VW}", t)
    if m:
        return Range(1, int(m.group(1)))
    m = re.search(rf"(\d+)\s*(?:/>|\+|/\s*more|or more|/or more|or greater)\s*{_VW}", t)
    if m:
        return Range(int(m.group(1)), None)
    m = re.search(rf"(\d+)\s*(?:-|/|to|or)\s*(\d+)\s*{_VW}", t)
    if m:
        return Range(int(m.group(1)), int(m.group(2)))
    m = re.search(rf"(\d+)\s*{_VW}", t)
    if m:
        return Range(int(m.group(1)), int(m.group(1)))
    return None


# --- patient status -------------------------------------------------------------------------------
_EST = r"(?:est|estab|established)"
_PT_EST = re.compile(
    rf"\b{_EST}\s+(?:pt|pts|patient|patients)\b|\b(?:o/p|visit|exam|e/m|dom|home|nf|fac)\s+{_EST}\b"
)
_PT_NEW = re.compile(
    r"\bnew\s+(?:pt|pts|patient|patients)\b|\b(?:o/p|visit|exam|e/m|dom|home|nf|fac)\s+new\b"
)
_PT_BOTH = re.compile(rf"\bnew\s*(?:/|or)\s*{_EST}\b|\b{_EST}\s*(?:/|or)\s*new\b")


def patient(text: str) -> frozenset[str]:
    t = _norm(text)
    if _PT_BOTH.search(t):
        return frozenset()
    found = set()
    if _PT_EST.search(t):
        found.add(ESTABLISHED)
    if _PT_NEW.search(t):
        found.add(NEW)
    return frozenset(found)


# --- minutes --------------------------------------------------------------------------------------
_MIN = r"(?:min|mins|minute|minutes|m)\b"
_HR = r"(?:hr|hrs|hour|hours)\b"


def minutes(text: str) -> frozenset[int]:
    t = _norm(text)
    found: set[int] = set()
    for m in re.finditer(rf"(\d+)\s*(?:-|to|–)\s*(\d+)\s*{_MIN}", t):
        found.update({int(m.group(1)), int(m.group(2))})
    t2 = re.sub(rf"(\d+)\s*(?:-|to|–)\s*(\d+)\s*{_MIN}", " ", t)
    for m in re.finditer(rf"(\d+)\s*(?:\+|/>|or more)?\s*{_MIN}", t2):
        found.add(int(m.group(1)))
    for m in re.finditer(rf"(\d+)\s*(?:-|to)\s*(\d+)\s*{_HR}", t):
        found.update({60 * int(m.group(1)), 60 * int(m.group(2))})
    t3 = re.sub(rf"(\d+)\s*(?:-|to)\s*(\d+)\s*{_HR}", " ", t)
    for m in re.finditer(rf"(?<![\d.])(\d+)\s*{_HR}", t3):
        found.add(60 * int(m.group(1)))
    # "addl hr", "first hour", "per hour": one hour without a number
    if re.search(rf"\b(?:addl|additional|first|1st|per|each|ea|init|initial|an)\s+{_HR}", t):
        found.add(60)
    return frozenset(found)


# --- approach -------------------------------------------------------------------------------------
_LAP = re.compile(r"\b(lap|lapx|laparoscopic|laparoscopically|laparoscopy|lsc)\b")
_PERQ = re.compile(r"\b(perq|perc|percutaneous|percutaneously|perq\.)\b")
_OPEN = re.compile(r"\b(open|opn)\b(?![- ]?(angle|loop|mri|heart))")
_ENDO = re.compile(
    r"\b(endoscopic|endoscopically|endoscopy|endoscope|arthroscopic|arthroscopy|arthroscopically"
    r"|thoracoscopic|thoracoscopy|cystoscopy|cystoscopic|hysteroscopy|hysteroscopic|ureteroscopy"
    r"|ureteroscopic|bronchoscopy|bronchoscopic|laryngoscopy|laryngoscopic|colonoscopy|sigmoidoscopy"
    r"|esophagoscopy|egd|nasal endoscopy|sinus endoscopy|scope)\b"
)
# "endo" alone is endoscopic in surgical descriptors but endoskeletal (orthotics) or endovascular
# (drugs) elsewhere: count it only beside a surgical word.
_ENDO_ABBR = re.compile(r"\bendo\b(?!\s*(?:knee|poly|single|dual|coil|\)|ft|hip|ak|bk|socket|shin))")


def approach(text: str) -> frozenset[str]:
    t = _norm(text)
    found = set()
    if _LAP.search(t):
        found.add(LAPAROSCOPIC)
    if _PERQ.search(t):
        found.add(PERCUTANEOUS)
    if _OPEN.search(t):
        found.add(OPEN)
    if _ENDO.search(t) or _ENDO_ABBR.search(t):
        found.add(ENDOSCOPIC)
    return frozenset(found)


# --- single / each additional / multiple ----------------------------------------------------------
_ADDL = re.compile(r"\b(each additional|ea addl|each addl|addl|add'l|additional|add-on|addon|ea add)\b")
_SINGLE = re.compile(r"\b(single|sngl|1st|first|initial|init|one lesion|1 lesion)\b(?!\s*(?:view|vw|side))")
_MULTI = re.compile(r"\b(multiple|mult|multi|several)\b(?!-)")


def count(text: str) -> frozenset[str]:
    t = _norm(text)
    found = set()
    if _ADDL.search(t):
        found.add(EACH_ADDITIONAL)
    if _SINGLE.search(t):
        found.add(SINGLE)
    if _MULTI.search(t):
        found.add(MULTIPLE)
    return frozenset(found)


def parse(text: str) -> DescriptorFacts:
    """Every fact the text states, each empty (or None) when it says nothing about it."""
    return DescriptorFacts(
        laterality=laterality(text),
        contrast=contrast(text),
        views=views(text),
        patient=patient(text),
        minutes=minutes(text),
        approach=approach(text),
        count=count(text),
    )


def merge(*facts: DescriptorFacts) -> DescriptorFacts:
    """Facts of several descriptors of one code (short and long): each fact from the first that states it."""

    def first(attr: str):
        for f in facts:
            value = getattr(f, attr)
            if value:
                return value
        return getattr(DescriptorFacts(), attr)

    return DescriptorFacts(**{name: first(name) for name in DescriptorFacts.__dataclass_fields__})


def _sides(values: frozenset[str]) -> frozenset[str]:
    # a left or right code is also a one-sided code; a name may say "one side" for either
    out = set(values)
    if LEFT in out or RIGHT in out:
        out.add(UNILATERAL)
    return frozenset(out)


def contradictions(descriptor: DescriptorFacts, name: DescriptorFacts) -> list[str]:
    """What `name` states that `descriptor` rules out (empty when they agree or the name omits it)."""
    problems = []

    def check(label: str, have: frozenset, said: frozenset) -> None:
        if have and said and not said <= have:
            problems.append(f"{label}: name says {sorted(said)}, descriptor says {sorted(have)}")

    check("laterality", _sides(descriptor.laterality), name.laterality)
    check("contrast", descriptor.contrast, name.contrast)
    check("patient", descriptor.patient, name.patient)
    check("approach", descriptor.approach, name.approach)
    check("count", descriptor.count, name.count)
    if descriptor.minutes and name.minutes and not name.minutes <= descriptor.minutes:
        problems.append(
            f"minutes: name says {sorted(name.minutes)}, descriptor says {sorted(descriptor.minutes)}"
        )
    if descriptor.views and name.views and not name.views.within(descriptor.views):
        problems.append(f"views: name says {name.views}, descriptor says {descriptor.views}")
    return problems

"""Query understanding: clean the text, then decide whether it is a code, a code range, a code
prefix with words, or plain words. Only the shape is decided here; the store says what exists."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from medcodes.codes import canonical, looks_like
from medcodes.search import paste

MAX_QUERY_CHARS = 200


class QueryTooLong(ValueError):
    def __init__(self, length: int, limit: int = MAX_QUERY_CHARS):
        self.length = length
        self.limit = limit
        super().__init__(f"query is {length} characters long; the maximum is {limit} characters")


# A code-ish token (a code or the start of one) in a query: letter then digit (ICD-10-CM/HCPCS) or digit first
# (CPT/PCS). Not a code shape (those are in systems.py): it is what a typed query must look like to be
# read as a code, so words like "CO2" stay words.
_CODEISH = re.compile(r"^(?:[A-Z]\d[0-9A-Z]{0,5}|\d[0-9A-Z]{2,6})$")
_RANGE = re.compile(
    r"^\s*([A-Za-z0-9][A-Za-z0-9.]{1,8})\s*(?:[-\u2010-\u2015\u2212]|\bto\b|\bthrough\b|\bthru\b)\s*"
    r"([A-Za-z0-9][A-Za-z0-9.]{1,8})\s*$",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[^\W_]+(?:\.[0-9A-Za-z]+)?", re.UNICODE)
# Text in parentheses or brackets restates the words before it ("Diabetes mellitus (DM)"): its
# words may score, never filter.
_ASIDE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
# Chart and bill shorthand written with a slash or an ampersand, read as the words it stands for;
# "r/o" (rule out) and "c/o" (complains of) only frame the condition that follows.
SHORTHAND = {
    "w/o": "without",
    "w/": "with",
    "s/p": "status post",
    "f/u": "follow up",
    "h/o": "history of",
    "r/o": "",
    "c/o": "",
    "i&d": "incision and drainage",
    "t&a": "tonsillectomy and adenoidectomy",
    "n/v/d": "nausea vomiting diarrhea",
    "n/v": "nausea vomiting",
    "b/l": "bilateral",
}
_SHORTHAND = re.compile(
    r"(?<![^\W_])("
    + "|".join(re.escape(k) for k in sorted(SHORTHAND, key=len, reverse=True))
    + r")(?=[\W_]|$)",
    re.IGNORECASE,
)
# "BMP/CMP", "pap smear / pelvic exam": either side is what the person means.
_EITHER = re.compile(r"\s*/\s*")


@dataclass(slots=True)
class ParsedQuery:
    text: str  # cleaned query as typed
    code: str | None = None  # the whole query as one canonical code spelling
    range: tuple[str, str, list[str]] | None = None  # (lo, hi, systems)
    prefix: str | None = None  # a leading/trailing code prefix that filters the words
    words: list[str] = field(default_factory=list)  # lower-case words for text search
    soft: set[str] = field(default_factory=set)  # words that may score but never filter
    sides: list[list[str]] = field(default_factory=list)  # words of each side of "a/b", when it has sides
    pasted: list[str] | None = None  # a query made only of codes: each code as typed, in order
    modifiers: dict[str, list[str]] = field(default_factory=dict)  # pasted code -> its modifiers


def clean(q: str | None) -> str:
    """NFKC, control characters dropped, whitespace collapsed. Raises QueryTooLong."""
    q = q or ""
    if len(q) > MAX_QUERY_CHARS:
        raise QueryTooLong(len(q))
    q = unicodedata.normalize("NFKC", q)
    q = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in q)
    return " ".join(q.split())


def codeish(token: str) -> bool:
    c = canonical(token)
    return bool(_CODEISH.match(c)) and any(ch.isdigit() for ch in c)


def parse(q: str | None) -> ParsedQuery:
    text = clean(q)
    pq = ParsedQuery(text=text)
    if not text:
        return pq
    pasted = paste.read(text, codeish)
    if pasted is not None:
        pq.pasted, pq.modifiers = pasted.codes, pasted.modifiers
        return pq
    m = _RANGE.match(text)
    if m and codeish(m.group(1)) and codeish(m.group(2)):
        lo, hi = canonical(m.group(1)), canonical(m.group(2))
        systems = [s for s in looks_like(lo) if s in looks_like(hi)]
        if systems and lo <= hi:
            pq.range = (lo, hi, systems)
            return pq
    whole = canonical(text)
    if codeish(whole) or (len(whole) <= 7 and looks_like(whole) and any(ch.isdigit() for ch in whole)):
        pq.code = whole
    words_text = _SHORTHAND.sub(lambda m: f" {SHORTHAND[m.group(1).lower()]} ", text)
    tokens = _TOKEN.findall(words_text)
    rest = []
    for i, tok in enumerate(tokens):
        # Two characters ("t3", "b2") are a lab or vitamin name beside words, not a code prefix.
        if (
            pq.prefix is None
            and i in (0, len(tokens) - 1)
            and len(tokens) > 1
            and codeish(tok)
            and len(tok) > 2
        ):
            pq.prefix = canonical(tok)
        else:
            rest.append(tok)
    pq.words = [w for t in rest for w in re.findall(r"[^\W_]+", t.lower())]
    sides = [re.findall(r"[^\W_]+", side.lower()) for side in _EITHER.split(words_text)]
    if 2 <= len(sides) <= 4 and all(sides) and not pq.prefix:
        pq.sides = sides
    outside = {w for m in _ASIDE.split(text.lower()) for w in re.findall(r"[^\W_]+", m)}
    pq.soft = {w for m in _ASIDE.findall(text.lower()) for w in re.findall(r"[^\W_]+", m)} - outside
    return pq

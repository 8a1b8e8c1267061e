"""Readable titles from CMS short descriptors, through the project's abbreviation lexicon.

CMS squeezes every descriptor into 28 characters ("Rem ext fixation dev lt"). `cms_abbreviations.tsv`,
written by the project, maps each abbreviation found in CMS short descriptors of CPT and HCPCS Level II
to plain words. One abbreviation can have several meanings: each row may carry a context, a list of
words of which at least one must stand near the abbreviation (``near:arm,leg``) or a position
(``first`` / ``notfirst``); the row without a context is the default.

`expand` never guesses: a token that is neither in the lexicon nor a number stays as it is, and
`unknown_tokens` lists it so the lexicon check can report it.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# How far (in word tokens) a context word may stand from the abbreviation it decides.
_WINDOW = 3

# A whitespace chunk splits into word tokens and the separators between them.
_PIECE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[^a-z0-9]", re.I)
# A leading number glued to a word: "1mg", "24hrs", "1stphy".
_NUMBER_GLUE = re.compile(r"^(\d+(?:\.\d+)?(?:st|nd|rd|th)?)([a-z].*)$", re.I)
_CHUNK_GLUE = re.compile(r"^([a-z][a-z/]*/[a-z]+)(?=\d)")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?(?:st|nd|rd|th|s)?$", re.I)
_ROMAN = re.compile(r"^(?:i{1,3}|iv|v|vi{1,3}|ix|x|xi{1,3}|xiv|xv)$", re.I)
# Separators CMS uses as words.
_SYMBOLS = {
    "&": "and",
    "+": "plus",
    "<": "under",
    ">": "over",
    "=": "equal to",
    "@": "at",
    "#": "number",
    "%": "percent",
}
# Comparisons CMS writes with symbols ("3 cm/>" is "3 cm or more").
_COMPARISONS = (
    (">=", " at least "),
    ("<=", " at most "),
    ("/>", " or more "),
    ("/<", " or less "),
    ("&/", " and/or "),
    ("+/-", " with or without "),
    ("+-", " with or without "),
)
# "3+", "36+", "2 yrs+": this many or more.
_OR_MORE = re.compile(r"(?<![a-z0-9])(\d+|yrs?)\+(?=\s|/|,|$)", re.I)


@dataclass(frozen=True, slots=True)
class Sense:
    """One meaning of an abbreviation and when it applies."""

    expansion: str
    near: frozenset[str] = frozenset()  # words, any of which must stand within the window
    position: str = ""  # "first" | "notfirst" | ""


@dataclass(frozen=True, slots=True)
class Lexicon:
    senses: dict[str, tuple[Sense, ...]]

    def __contains__(self, abbr: str) -> bool:
        return abbr.lower() in self.senses

    def __len__(self) -> int:
        return len(self.senses)


def parse_lexicon(text: str, origin: str = "cms_abbreviations.tsv") -> Lexicon:
    senses: dict[str, list[Sense]] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.rstrip("\n").split("\t")
        if parts[0] == "abbr":
            continue  # header
        if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
            raise ValueError(f"{origin} line {n}: expected abbr<TAB>expansion[<TAB>context]")
        abbr, expansion = parts[0].strip().lower(), parts[1].strip()
        context = parts[2].strip() if len(parts) > 2 else ""
        near: frozenset[str] = frozenset()
        position = ""
        for rule in filter(None, (r.strip() for r in context.split(";"))):
            if rule.startswith("near:"):
                near = frozenset(w.strip().lower() for w in rule[5:].split(",") if w.strip())
            elif rule in ("first", "notfirst"):
                position = rule
            else:
                raise ValueError(f"{origin} line {n}: unknown context rule {rule!r}")
        senses.setdefault(abbr, []).append(Sense(expansion, near, position))
    for abbr, found in senses.items():
        if not any(not s.near and not s.position for s in found):
            raise ValueError(f"{origin}: {abbr!r} has no default meaning (a row without context)")
    # Rules with a context are tried before the default.
    return Lexicon({a: tuple(sorted(s, key=lambda x: not (x.near or x.position))) for a, s in senses.items()})


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    text = resources.files("medcodes.codesets").joinpath("cms_abbreviations.tsv").read_text(encoding="utf-8")
    return parse_lexicon(text)


# --------------------------------------------------------------------------------------------
# Tokens


@dataclass(slots=True)
class Token:
    text: str  # as written
    word: bool  # a word or number (False: a separator such as "/" or ",")
    space_before: bool


def tokenize(short: str, lex: Lexicon | None = None) -> list[Token]:
    """Word tokens and separators. A whole chunk found in the lexicon ("w/o", "o/p", "x-ray") stays one token."""
    lex = lex or lexicon()
    out: list[Token] = []
    # "w/o&w/dye", "w/o &w/dye": the ampersand joins two parts, so it stands apart from them.
    short = re.sub(r"(?i)(w/o|\bwo)\s*&\s*(w/?)", r"\1 & \2", short)
    for chunk in short.split():
        first = True
        rest = chunk
        # Trailing commas and periods are punctuation unless the lexicon knows the form with them ("inj.").
        while rest:
            key = rest.lower()
            trail = ""
            while key and key[-1] in ",;:" and key not in lex:
                trail, key = key[-1] + trail, key[:-1]
            if key in lex and not _PIECE.fullmatch(key):
                out.append(Token(rest[: len(key)], True, first))
                out.extend(Token(c, False, False) for c in trail)
                break
            glued = _CHUNK_GLUE.match(key)  # "s/n/ax/gen/trk7.6-12.5cm": a known list, then a size
            if glued and glued.group(1) in lex and not _PIECE.fullmatch(glued.group(1)):
                out.append(Token(rest[: glued.end(1)], True, first))
                rest, first = rest[glued.end(1) :], True
                continue
            m = re.match(r"^(w/o|w/)(?=[a-z0-9])", key, re.I)  # "w/dye", "w/img", "w/3d"
            if m and m.group(1) == "w/o" and _is_word(re.findall(r"^[a-z]*", key[2:])[0], lex):
                m = re.match(r"^w/", key)  # "w/oral" is with oral, not without "ral"
            if m:
                out.append(Token(rest[: m.end()], True, first))
                rest, first = rest[m.end() :], True
                continue
            for piece in _PIECE.findall(rest):
                glue = _NUMBER_GLUE.match(piece)
                if glue and piece.lower() not in lex:
                    out.append(Token(glue.group(1), True, first))
                    out.append(Token(glue.group(2), True, True))
                else:
                    out.append(Token(piece, bool(re.match(r"[a-z0-9]", piece, re.I)), first))
                first = False
            break
    return out


def _is_word(word: str, lex: Lexicon) -> bool:
    return word in lex or word in medical_words() or is_english(word)


def _is_number(word: str) -> bool:
    return bool(_NUMBER.match(word))


def _choose(lex: Lexicon, key: str, index: int, words: list[str]) -> str:
    neighbours = {w for j, w in enumerate(words) if j != index and abs(j - index) <= _WINDOW}
    for sense in lex.senses[key]:
        if sense.position == "first" and index != 0:
            continue
        if sense.position == "notfirst" and index == 0:
            continue
        if sense.near and not (sense.near & neighbours):
            continue
        return sense.expansion
    return lex.senses[key][-1].expansion


def expand(short: str, lex: Lexicon | None = None) -> str:
    """The readable title of a CMS short descriptor, in sentence case; unknown tokens stay as written."""
    lex = lex or lexicon()
    short = _spell_comparisons(short)
    shouting = short.isupper()
    tokens = tokenize(short, lex)
    words = [t.text.lower() for t in tokens if t.word]
    parts: list[str] = []
    after_symbol = False
    wi = 0
    for t in tokens:
        key = t.text.lower()
        if t.word:
            if key in lex:
                text = _choose(lex, key, wi, words)
            elif _is_number(key):
                text = key
            else:
                # Mixed case ("IgG") is kept; a descriptor written all in capitals is not.
                mixed = t.text[1:] != t.text[1:].lower() and not shouting
                text = t.text if mixed else t.text.lower()
            wi += 1
        elif key in _SYMBOLS and key in lex:
            text = _choose(lex, key, wi, words)
        elif key in _SYMBOLS:
            text = _SYMBOLS[key]
        else:
            text = t.text
        spaced = t.space_before or (key in _SYMBOLS) or after_symbol
        if parts and spaced and text not in (",", ";", ":"):
            parts.append(" ")
        parts.append(text)
        after_symbol = not t.word and key in _SYMBOLS
    title = re.sub(r"\s+", " ", "".join(parts)).strip()
    return _sentence_case(title)


def _spell_comparisons(short: str) -> str:
    for written, said in _COMPARISONS:
        short = short.replace(written, said)
    return _OR_MORE.sub(r"\1 or more ", short)


def _sentence_case(title: str) -> str:
    """First letter upper case; the lexicon already spells acronyms and names in their own case."""
    for i, ch in enumerate(title):
        if ch.isalpha():
            return title[:i] + ch.upper() + title[i + 1 :]
    return title


# --------------------------------------------------------------------------------------------
# The check


def unknown_tokens(
    text: str, vocabulary: Container[str] = frozenset(), lex: Lexicon | None = None
) -> list[str]:
    """Word tokens of `text` that are neither in the lexicon, nor numbers, nor in `vocabulary` (lower case)."""
    lex = lex or lexicon()
    vocab = vocabulary
    out = []
    # Tokenised as `expand` sees it, so a lexicon row written for a chunk matches in both.
    for t in tokenize(_spell_comparisons(text), lex):
        key = t.text.lower()
        if not t.word or key in lex or _is_number(key) or _ROMAN.match(key) or key in vocab:
            continue
        out.append(key)
    return out


@dataclass(slots=True)
class LexiconReport:
    texts: int
    with_unknown: int
    unknown: dict[str, int]  # token -> number of texts it occurs in
    examples: dict[str, str]  # token -> one text it occurs in

    @property
    def share(self) -> float:
        return self.with_unknown / self.texts if self.texts else 0.0


def lexicon_report(
    texts: Iterable[str], vocabulary: Container[str], lex: Lexicon | None = None
) -> LexiconReport:
    """How many of `texts` hold a token outside the lexicon and the word list, and which tokens."""
    lex = lex or lexicon()
    vocab = vocabulary
    n = bad = 0
    unknown: dict[str, int] = {}
    examples: dict[str, str] = {}
    for text in texts:
        n += 1
        found = set(unknown_tokens(text, vocab, lex))
        if found:
            bad += 1
        for tok in found:
            unknown[tok] = unknown.get(tok, 0) + 1
            examples.setdefault(tok, text)
    return LexiconReport(n, bad, dict(sorted(unknown.items(), key=lambda kv: -kv[1])), examples)


# --------------------------------------------------------------------------------------------
# The word list


_WORD = re.compile(r"[a-z][a-z0-9]*(?:'[a-z]+)?")
# A token counts as ordinary English when wordfreq puts it at or above this Zipf frequency
# (3.0 = about once per million words); rarer strings are more likely CMS clippings than words.
ENGLISH_ZIPF = 3.0


@lru_cache(maxsize=1)
def medical_words() -> frozenset[str]:
    """The project's own list of medical words that occur in no official long text (``medical_words.txt``)."""
    text = resources.files("medcodes.codesets").joinpath("medical_words.txt").read_text(encoding="utf-8")
    return frozenset(
        w.strip().lower() for line in text.splitlines() if not line.startswith("#") for w in line.split()
    )


@lru_cache(maxsize=65536)
def is_english(word: str) -> bool:
    """True when `word` is a common English word by wordfreq's offline frequency lists."""
    if not word.isalpha():
        return False
    from wordfreq import zipf_frequency  # imported late: loading its lists takes a moment

    return zipf_frequency(word, "en") >= ENGLISH_ZIPF


class Vocabulary(Container[str]):
    """Real English or medical words: a set of known words, then wordfreq."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = set(words)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and (word in self.words or is_english(word))

    def __ior__(self, other: Vocabulary | Iterable[str]) -> Vocabulary:
        self.words |= other.words if isinstance(other, Vocabulary) else set(other)
        return self


def words_of(texts: Iterable[str]) -> set[str]:
    """Lower-case words of official long texts (ICD-10-CM, ICD-10-PCS and HCPCS long titles)."""
    out: set[str] = set()
    for text in texts:
        out.update(_WORD.findall(text.lower()))
    return out


def vocabulary(long_texts: Iterable[str]) -> Vocabulary:
    """Real English or medical words: the words of official long texts, the project's medical word list,
    the words the lexicon expands to (written by the project, so real words by construction), and
    any word wordfreq finds common in English."""
    expansions = words_of(s.expansion for senses in lexicon().senses.values() for s in senses)
    return Vocabulary(words_of(long_texts) | set(medical_words()) | expansions)

"""The project's phrase vocabularies (vocab/*.tsv): plain phrases people type -> the codes they mean.

Each file is `phrase<TAB>codes<TAB>note`, codes comma-separated as `system:CODE` (conditions.tsv may
write bare ICD-10-CM codes), the first code the preferred one. Search uses them twice: the phrase
becomes alt text of its codes (so longer queries still meet it), and a query that is exactly the
phrase (word order and small words aside) gives its codes a strong boost, in the file's order.
The file a phrase comes from also tells search what the person is after: a service, a drug or a
piece of equipment (what is on a bill) or a condition.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from medcodes.codes import canonical

# What each file is about; a phrase from a service-like file asks for billable services.
FILES = {
    "services.tsv": "service",
    "drugs.tsv": "service",
    "equipment.tsv": "service",
    "conditions.tsv": "condition",
}
BARE_SYSTEM = {"conditions.tsv": "icd10cm"}
# How many targets of one phrase get their own boost step; later ones share the last step.
RANKED_TARGETS = 4


@dataclass(frozen=True, slots=True)
class Phrase:
    phrase: str
    intent: str  # "service" or "condition"
    targets: tuple[tuple[str, str], ...]  # (system, canonical code), preferred first


def _targets(file: str, text: str) -> Iterator[tuple[str, str]]:
    for item in text.split(","):
        system, sep, code = item.strip().partition(":")
        if not sep:
            system, code = BARE_SYSTEM.get(file, ""), item.strip()
        if system and code:
            yield system.strip().lower(), canonical(code)


def parse(file: str, text: str) -> list[Phrase]:
    intent = FILES.get(file, "service")
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 2:
            continue
        out.append(Phrase(fields[0].strip().lower(), intent, tuple(_targets(file, fields[1]))))
    return out


@lru_cache(maxsize=1)
def phrases() -> tuple[Phrase, ...]:
    """Every phrase of every packaged vocabulary file, in file then line order."""
    folder = resources.files("medcodes.search").joinpath("vocab")
    out: list[Phrase] = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".tsv"):
            out.extend(parse(entry.name, entry.read_text(encoding="utf-8")))
    return tuple(out)


@lru_cache(maxsize=1)
def words() -> frozenset[str]:
    """Every word of every phrase: the speller leaves these alone ("prolia" is a drug, not a typo)."""
    return frozenset(w for p in phrases() for w in p.phrase.replace("-", " ").split() if w.isalpha())


def target_term(key: str, position: int) -> str:
    """The index term that says "this code is target number `position` of the phrase with `key`"."""
    return f"{key}#{min(position, RANKED_TARGETS - 1)}"


@lru_cache(maxsize=1)
def word_targets() -> dict[str, frozenset[tuple[str, str]]]:
    """Every phrase word -> the codes of the phrases it is in. A vocabulary lists misspellings on
    purpose ("diabetis" beside "diabetes", same codes): a word whose spelling correction points at
    the same codes is one of those and may be corrected; a brand name ("prolia") never is."""
    out: dict[str, set[tuple[str, str]]] = {}
    for p in phrases():
        for w in p.phrase.replace("-", " ").split():
            if w.isalpha():
                out.setdefault(w, set()).update(p.targets)
    return {w: frozenset(t) for w, t in out.items()}


@lru_cache(maxsize=1)
def word_counts() -> dict[str, int]:
    """Every phrase word -> how many phrases use it: "shot" is in dozens, a brand name in one or two."""
    out: dict[str, int] = {}
    for p in phrases():
        for w in set(p.phrase.replace("-", " ").split()):
            out[w] = out.get(w, 0) + 1
    return out

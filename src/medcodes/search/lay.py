"""Everyday words to clinical words, from the project's own vocabulary in lay_terms.tsv."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

MAX_ALTERNATIVES = 6
_WORD = re.compile(r"[^\W_]+")


def norm(word: str) -> str:
    """Fold simple plurals so that 'kidney stones' and 'kidney stone' meet."""
    w = word.lower()
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def key(phrase: str) -> tuple[str, ...]:
    return tuple(norm(w) for w in _WORD.findall(phrase))


@lru_cache(maxsize=1)
def vocabulary() -> dict[tuple[str, ...], list[str]]:
    """{lay phrase as normalised words: [clinical phrases]} read from lay_terms.tsv."""
    text = resources.files("medcodes.search").joinpath("lay_terms.tsv").read_text(encoding="utf-8")
    return parse(text)


def parse(text: str) -> dict[tuple[str, ...], list[str]]:
    out: dict[tuple[str, ...], list[str]] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise ValueError(f"lay_terms.tsv line {n}: expected 'lay phrase<TAB>clinical phrase'")
        k = key(parts[0])
        clinical = parts[1].strip().lower()
        out.setdefault(k, [])
        if clinical not in out[k]:
            out[k].append(clinical)
    return out


@lru_cache(maxsize=1)
def _longest() -> int:
    return max((len(k) for k in vocabulary()), default=0)


def lay_words() -> set[str]:
    return {w for k in vocabulary() for w in k}


def expand(words: list[str]) -> list[list[str]]:
    """Alternative word lists for a query: the clinical readings first, the words as typed last.

    The longest lay phrase starting at each position wins; a phrase with several readings gives
    one alternative per reading (capped).
    """
    vocab = vocabulary()
    longest = _longest()
    normed = [norm(w) for w in words]
    alternatives: list[list[str]] = [[]]
    i = 0
    matched = False
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            readings = vocab.get(tuple(normed[i : i + n]))
            if readings:
                matched = True
                alternatives = [alt + _WORD.findall(reading) for alt in alternatives for reading in readings][
                    :MAX_ALTERNATIVES
                ]
                i += n
                break
        else:
            alternatives = [alt + [words[i]] for alt in alternatives]
            i += 1
    if not matched:
        return [words]
    return [*alternatives, words]

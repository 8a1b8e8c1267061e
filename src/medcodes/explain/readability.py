"""Flesch-Kincaid grade level with a small syllable heuristic (no dictionary, no dependency)."""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
_SILENT_END = re.compile(r"(?:[^laeiouy]es|[^laeiouy]ed|[^aeiouy]e)$")  # "makes", "used", "make"
_LE_END = re.compile(r"[^aeiouy]le$")  # "table", "little"


@lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    w = word.lower()
    if len(w) <= 3:
        return 1
    stem = _SILENT_END.sub("", w)
    if stem.startswith("y"):
        stem = stem[1:]
    n = len(_VOWEL_GROUP.findall(stem))
    if _LE_END.search(w):
        n += 1
    return max(1, n)


def fk_grade(text: str) -> float:
    words = _WORD.findall(text)
    if not words:
        return 0.0
    # A bullet is at least one sentence even without a full stop: callers join items with newlines.
    sentences = sum(max(1, len(_SENTENCE_END.findall(line))) for line in text.splitlines() if _WORD.search(line))
    syl = sum(syllables(w) for w in words)
    grade = 0.39 * (len(words) / sentences) + 11.8 * (syl / len(words)) - 15.59
    return round(max(grade, 0.0), 1)

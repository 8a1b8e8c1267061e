"""Flesch-Kincaid grade level with a small syllable heuristic (no dictionary, no dependency)."""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    w = word.lower()
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", "", w)  # silent endings: "makes", "used", "make"
    w = re.sub(r"^y", "", w)
    n = len(_VOWEL_GROUP.findall(w))
    if re.search(r"[^aeiouy]le$", word.lower()):  # "table", "little"
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

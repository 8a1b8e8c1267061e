"""Spelling correction against the index vocabulary: one edit for short words, two for long ones."""

from __future__ import annotations

from collections import defaultdict

from rapidfuzz import process
from rapidfuzz.distance import OSA

from medcodes.search.lay import norm

MIN_LEN = 5


class Speller:
    def __init__(self, vocab: dict[str, int], protected: set[str] | frozenset[str] = frozenset()):
        self.vocab = vocab
        self.protected = protected
        self._by_first: dict[str, list[str]] = defaultdict(list)
        for word in vocab:
            if len(word) >= MIN_LEN - 1 and word.isalpha():
                self._by_first[word[0]].append(word)
        self._all = [w for ws in self._by_first.values() for w in ws]
        # A search over the whole vocabulary takes milliseconds; people repeat their misspellings.
        self._cache: dict[tuple[str, bool], str | None] = {}

    def known(self, word: str, protect: bool = True) -> bool:
        if word in self.vocab:
            return True
        return protect and (word in self.protected or norm(word) in self.protected)

    def correct(self, word: str, protect: bool = True) -> str | None:
        """The likeliest vocabulary word for a misspelt one, or None when it is known or hopeless.
        With `protect=False` the project's own words (brand names, lay words) are corrected too."""
        if len(word) < MIN_LEN or not word.isalpha() or not word.isascii() or self.known(word, protect):
            return None
        key = (word, protect)
        if key in self._cache:
            return self._cache[key]
        limit = 1 if len(word) <= 5 else 2
        best = self._best(word, self._by_first.get(word[0], []), limit)
        if best is None:
            best = self._best(word, self._all, limit)
        if len(self._cache) < 50_000:
            self._cache[key] = best
        return best

    def _best(self, word: str, candidates: list[str], limit: int) -> str | None:
        found = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=limit, limit=20)
        if not found:
            return None
        # Fewest edits first, then the same letters shuffled ("athsma" is "asthma", not the
        # abbreviation "athscl"), then the word the codes use most ("migraine" over "migrans").
        letters = sorted(word)
        found.sort(key=lambda f: (f[1], sorted(f[0]) != letters, -self.vocab.get(f[0], 0)))
        return found[0][0]

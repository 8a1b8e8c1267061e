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
        # Words by second letter and length: a wrong, missing, extra or swapped first letter leaves the
        # word's first or second letter as the right word's first or second, so a word not found
        # among its first letter's words is compared with a few thousand of the right length, not
        # the whole vocabulary (2 ms a word).
        self._by_second: dict[tuple[str, int], list[str]] = defaultdict(list)
        self._by_first_len: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in vocab:
            if len(word) >= MIN_LEN - 1 and word.isalpha():
                self._by_first[word[0]].append(word)
                self._by_first_len[(word[0], len(word))].append(word)
                self._by_second[(word[1], len(word))].append(word)
        # People repeat their misspellings.
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
            best = self._best(word, self._near(word, limit), limit)
        if len(self._cache) < 50_000:
            self._cache[key] = best
        return best

    def _near(self, word: str, limit: int) -> list[str]:
        """Words one first-letter typo from beginning like `word`, of a length within `limit` edits
        (words that begin with the same letter are among them; the caller has tried those)."""
        first, second, n = word[0], word[1], len(word)
        near: list[str] = []
        for length in range(n - limit, n + limit + 1):
            near += self._by_second.get((second, length), ())  # "xiabetes": a wrong first letter
            near += self._by_second.get((first, length), ())  # "iabetes": a missing first letter
            near += self._by_first_len.get((second, length), ())  # "adiabetes", "idabetes"
        return near

    def _best(self, word: str, candidates: list[str], limit: int) -> str | None:
        found = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=limit, limit=20)
        if not found:
            return None
        # Fewest edits first, then the same letters shuffled ("athsma" is "asthma", not the
        # abbreviation "athscl"), then the word the codes use most ("migraine" over "migrans").
        letters = sorted(word)
        found.sort(key=lambda f: (f[1], sorted(f[0]) != letters, -self.vocab.get(f[0], 0)))
        return found[0][0]

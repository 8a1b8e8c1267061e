"""The speller on a small vocabulary: typos anywhere in a word, the first letter included."""

from __future__ import annotations

import pytest

from medcodes.search.spell import Speller

VOCAB = {
    "diabetes": 50,
    "diabetic": 20,
    "pneumonia": 30,
    "asthma": 10,
    "athscl": 3,
    "migraine": 9,
    "migrans": 1,
}


@pytest.mark.parametrize(
    ("typo", "word"),
    [
        ("diabetis", "diabetes"),  # a wrong letter inside
        ("pnemonia", "pneumonia"),  # a missing letter
        ("xiabetes", "diabetes"),  # a wrong first letter
        ("iabetes", "diabetes"),  # a missing first letter
        ("adiabetes", "diabetes"),  # an extra first letter
        ("idabetes", "diabetes"),  # the first two letters swapped
        ("athsma", "asthma"),  # the same letters shuffled beat a closer abbreviation
        ("migrane", "migraine"),  # the word the codes use most
    ],
)
def test_corrections(typo, word):
    assert Speller(VOCAB).correct(typo) == word


def test_known_short_protected_and_hopeless_words_are_left_alone():
    sp = Speller(VOCAB, protected=frozenset({"diabetus"}))
    assert sp.correct("diabetes") is None
    assert sp.correct("diab") is None  # too short to guess
    assert sp.correct("diabetus") is None
    assert sp.correct("diabetus", protect=False) == "diabetes"
    assert sp.correct("xyzzyplugh") is None

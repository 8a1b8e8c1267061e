"""Similar codes. The web pages call `similar_for()`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class SimilarCode:
    system: str
    code: str
    display: str
    title: str
    reason: str  # e.g. "same category", "other laterality", "similar wording", "cited together in policies"
    score: float

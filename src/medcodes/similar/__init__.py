"""Similar codes. The web pages call `similar_for()`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from medcodes.store import Store


@dataclass(slots=True)
class SimilarCode:
    system: str
    code: str
    display: str
    title: str
    reason: str  # e.g. "same category", "other laterality", "similar wording", "cited together in policies"
    score: float


def similar_for(store: Store, system: str, code: str, limit: int = 12) -> list[SimilarCode]:
    """The precomputed list for a code; for headers (chapters, ranges), the other nodes at the same level."""
    from medcodes.similar import storage

    items = storage.stored_items(store, system, code)
    if items is None:
        return [
            SimilarCode(r.system, r.code, r.display, r.title, "same level in the hierarchy", 0.0)
            for r in store.siblings(system, code)[:limit]
        ]
    out = []
    for sim_system, sim_code, score, reason in items[:limit]:
        rec = store.get(sim_system, sim_code)
        if rec is not None:
            out.append(SimilarCode(sim_system, sim_code, rec.display, rec.title, reason, score))
    return out

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
    common_name: str | None = None
    # How this code differs from the one being read ("other side", "with contrast"); the reason
    # when nothing in the two names tells them apart.
    difference: str = ""


def similar_for(store: Store, system: str, code: str, limit: int = 12) -> list[SimilarCode]:
    """The precomputed list for a code; for headers (chapters, ranges), the other nodes at the same level."""
    from medcodes.similar import storage
    from medcodes.similar.differences import difference

    base = store.get(system, code)
    items = storage.stored_items(store, system, code)
    if items is None:
        reason = "same level in the hierarchy"
        return [
            SimilarCode(
                r.system,
                r.code,
                r.display,
                r.heading,
                reason,
                0.0,
                r.common_name,
                (difference(base, r) if base else None) or reason,
            )
            for r in store.siblings(system, code)[:limit]
        ]
    out = []
    for sim_system, sim_code, score, reason in items[:limit]:
        rec = store.get(sim_system, sim_code)
        if rec is not None:
            said = difference(base, rec) if base else None
            out.append(
                SimilarCode(
                    sim_system,
                    sim_code,
                    rec.display,
                    rec.heading,
                    reason,
                    score,
                    rec.common_name,
                    said or reason,
                )
            )
    return out

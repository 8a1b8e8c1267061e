"""What a code page shows: a stored LLM explanation that passed the checks, else the grounded one."""

from __future__ import annotations

from medcodes.explain import Explanation, checks, grounded, storage
from medcodes.explain.facts import gather
from medcodes.models import SYSTEMS, CodeView
from medcodes.store import Store


def grounded_for(store: Store, system: str, code: str) -> Explanation | None:
    """The grounded explanation, checked, even where an LLM answer is stored (tests and benches)."""
    rec = store.get(system, code)
    if rec is None:
        return None
    facts = gather(store, rec)
    expl = grounded.write(facts)
    expl.checks, expl.status, expl.reason = checks.run(expl, facts)
    return expl


def explanation_for(store: Store, system: str, code: str, view: CodeView | None = None) -> Explanation | None:
    if system not in SYSTEMS:
        return None
    rec = view.record if view is not None else store.get(system, code)
    if rec is None:
        return None
    stored = storage.load(store.conn, system, rec.code, "llm")
    if stored is not None and stored.status == "ok":
        return stored
    facts = gather(store, rec, view)
    expl = grounded.write(facts)
    expl.checks, expl.status, expl.reason = checks.run(expl, facts)
    return expl

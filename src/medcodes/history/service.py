"""What faces call: one code's history and status, statuses of search hits, the change feed.

`document(h)` is the one JSON shape the API and the CLI share.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from medcodes.codes import canonical, display
from medcodes.history import status as st
from medcodes.history import storage
from medcodes.history.storage import Edit, Event
from medcodes.models import SYSTEMS
from medcodes.store import Store


@dataclass(frozen=True, slots=True)
class Link:
    system: str
    code: str
    display: str
    title: str | None
    url: str
    date: str | None = None
    source: str | None = None


@dataclass(slots=True)
class CodeHistory:
    system: str
    code: str
    display: str
    title: str | None  # current title, or the last title of a deleted code
    status: st.Status
    events: list[Event] = field(default_factory=list)
    replaced_by: list[Link] = field(default_factory=list)
    replaces: list[Link] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    as_of: st.AsOf | None = None
    in_release: bool = True  # False for a deleted code known only from its history


def url(system: str, code: str) -> str:
    return f"/codes/{system}/{display(system, code)}"


def _years(store: Store, system: str) -> dict[str, int]:
    cache = store.__dict__.setdefault("_history_years", {})
    if system not in cache:
        years: dict[str, int] = {}
        for s in store.sources():
            if s["system"] == system:
                years.update(st.source_years(s["files"]))
        cache[system] = years
    return cache[system]


def _link(store: Store, system: str, code: str, when: str | None, source: str | None) -> Link:
    rec = store.get(system, code)
    title = rec.title if rec else None
    if title is None:
        last = [e for e in storage.events(store.conn, system, code) if e.title]
        title = last[-1].title if last else None
    return Link(system, code, display(system, code), title, url(system, code), when, source)


def code_history(
    store: Store, system: str, code: str, on: date | None = None, today: date | None = None
) -> CodeHistory | None:
    """History, status and edits of a code; None when neither the release nor its history knows it."""
    if system not in SYSTEMS:
        raise ValueError(f"unknown system {system!r}; choose from {', '.join(SYSTEMS)}")
    code = canonical(code)
    rec = store.get(system, code)
    events = storage.events(store.conn, system, code)
    status = st.current(rec, events, today, _years(store, system))
    if status is None:
        return None
    title = rec.title if rec else next((e.title for e in reversed(events) if e.title), None)
    conn = store.conn
    h = CodeHistory(
        system=system,
        code=code,
        display=rec.display if rec else display(system, code),
        title=title,
        status=status,
        events=events,
        replaced_by=[
            _link(store, s.new_system, s.new, s.date, s.source)
            for s in storage.successors(conn, system, code)
        ],
        replaces=[
            _link(store, s.system, s.old, s.date, s.source) for s in storage.predecessors(conn, system, code)
        ],
        edits=storage.edits(conn, system, code),
        in_release=rec is not None,
    )
    if on is not None:
        h.as_of = st.as_of(rec, events, on)
    return h


def hit_statuses(
    store: Store, keys: list[tuple[str, str]], today: date | None = None
) -> dict[tuple[str, str], st.Status]:
    """Status of each (system, code) shown in a result list (for badges); unknown keys are left out."""
    out = {}
    for system, code in keys:
        rec = store.get(system, code)
        s = st.current(
            rec, storage.events(store.conn, system, code) if rec is None else [], today, _years(store, system)
        )
        if s is not None:
            out[(system, code)] = s
    return out


def history_filter(store: Store, hits: list, on: date) -> list:
    """Search hits as of a date of service: codes added later are dropped, and `billable` is what
    it was then (D71 on 2025-06-01). Hits are anything with system, code and billable."""
    out = []
    for hit in hits:
        rec = store.get(hit.system, hit.code)
        a = st.as_of(rec, storage.events(store.conn, hit.system, hit.code), on)
        if a.exists:
            out.append(replace(hit, billable=a.billable))
    return out


def deleted_codes(store: Store, q: str, system: str | None = None) -> list[CodeHistory]:
    """Codes typed exactly that are gone from the release but known from their history
    (30233AZ): search shows them with their successors instead of finding nothing."""
    code = canonical(q or "")
    if not code or len(code) > 8 or " " in code:
        return []
    out = []
    for s in [system] if system else list(SYSTEMS):
        if store.exists(s, code):
            continue
        h = code_history(store, s, code)
        if h is not None:
            out.append(h)
    return out


@dataclass(slots=True)
class Changes:
    since: str
    until: str | None
    system: str | None
    total: int
    events: list[Event]


def changes(
    store: Store,
    since: date,
    *,
    until: date | None = None,
    system: str | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> Changes:
    if system is not None and system not in SYSTEMS:
        raise ValueError(f"unknown system {system!r}; choose from {', '.join(SYSTEMS)}")
    if until is not None and until < since:
        raise ValueError("until is before since")
    total, events = storage.changes(
        store.conn, since.isoformat(), until.isoformat() if until else None, system, limit, offset
    )
    return Changes(since.isoformat(), until.isoformat() if until else None, system, total, events)


# -- JSON --------------------------------------------------------------------------------------


def event_document(e: Event) -> dict:
    doc: dict[str, Any] = {
        "date": e.date,
        "event": e.event,
        "detail": e.detail,
        "title": e.title,
        "source": e.source,
    }
    if e.old_title:
        doc["old_title"] = e.old_title
    return doc


def change_document(e: Event) -> dict:
    return {
        "system": e.system,
        "code": e.code,
        "display": display(e.system, e.code),
        "url": url(e.system, e.code),
        **event_document(e),
    }


def document(h: CodeHistory) -> dict:
    """The history part of a code's JSON record (API and CLI)."""
    doc: dict[str, Any] = {
        "system": h.system,
        "code": h.code,
        "display": h.display,
        "title": h.title,
        "status": h.status.status,
        "status_date": h.status.date,
        "status_label": h.status.label,
        "in_release": h.in_release,
        "history": [event_document(e) for e in h.events],
        "replaced_by": [asdict(link) for link in h.replaced_by],
        "replaces": [asdict(link) for link in h.replaces],
        "edits": [
            {
                "edit": e.edit,
                "name": e.name,
                "meaning": e.meaning,
                "exception": e.exception,
                "source": e.source,
            }
            for e in h.edits
        ],
    }
    if h.status.note:
        doc["status_note"] = h.status.note
    if h.as_of is not None:
        doc["as_of"] = asdict(h.as_of)
    return doc


def summary_line(h: CodeHistory) -> str:
    """One line for a code page: the latest change, or where the code comes from."""
    if not h.events:
        return "No changes on record in the release files loaded."
    last = h.events[-1]
    first = h.events[0]
    parts = []
    if first.event == "added":
        parts.append(f"Added {first.date}")
    if last is not first or first.event != "added":
        what = (last.detail or last.event.capitalize()).rstrip(".")
        parts.append(what if last.date in what else f"{what} {last.date}")
    return "; ".join(parts) + f" ({last.source})."

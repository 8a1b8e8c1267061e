"""The history tables: their DDL, writes (during the build) and reads. All SQL on them lives here.

- code_events: dated changes of a code (added, revised, deleted, terminated) with their source.
  `was_billable`/`is_billable` are the code's billable state just before and after the event
  (NULL when it did not exist or the source does not say), which is what answers "as of a date".
- code_successors: old code -> new code (possibly in another system: G0202 -> CPT 77067).
- code_edits: Medicare Code Editor edits that apply to an ICD-10 code.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from medcodes.store.db import SuccessorRow as Successor  # one row type for code_successors

DDL = """
CREATE TABLE IF NOT EXISTS code_events (
    system        TEXT NOT NULL,
    code          TEXT NOT NULL,
    date          TEXT NOT NULL,     -- ISO date the change took effect
    event         TEXT NOT NULL,     -- added | revised | deleted | terminated
    detail        TEXT,
    title         TEXT,              -- the code's title after the event (its last title when deleted)
    old_title     TEXT,              -- the title before a revision
    was_billable  INTEGER,
    is_billable   INTEGER,
    source        TEXT NOT NULL,
    UNIQUE (system, code, date, event)
);
CREATE INDEX IF NOT EXISTS code_events_date ON code_events (date, system);

CREATE TABLE IF NOT EXISTS code_successors (
    system      TEXT NOT NULL,
    old         TEXT NOT NULL,
    new_system  TEXT NOT NULL,
    new         TEXT NOT NULL,
    date        TEXT,
    source      TEXT NOT NULL,
    UNIQUE (system, old, new_system, new)
);
CREATE INDEX IF NOT EXISTS code_successors_new ON code_successors (new_system, new);

CREATE TABLE IF NOT EXISTS code_edits (
    system     TEXT NOT NULL,
    code       TEXT NOT NULL,
    edit       TEXT NOT NULL,        -- list key, e.g. newborn, manifestation
    name       TEXT NOT NULL,
    meaning    TEXT NOT NULL,
    exception  TEXT,                 -- set when the code is an exception on its list
    source     TEXT NOT NULL,
    UNIQUE (system, code, edit)
);
"""
TABLES = ("code_events", "code_successors", "code_edits")


@dataclass(frozen=True, slots=True)
class Event:
    system: str
    code: str
    date: str
    event: str
    detail: str | None
    title: str | None
    old_title: str | None
    was_billable: bool | None
    is_billable: bool | None
    source: str


@dataclass(frozen=True, slots=True)
class Edit:
    system: str
    code: str
    edit: str
    name: str
    meaning: str
    exception: str | None
    source: str


def _b(v: bool | None) -> int | None:
    return None if v is None else int(v)


def _nb(v) -> bool | None:
    return None if v is None else bool(v)


# -- writes (build) ----------------------------------------------------------------------------


def create(conn: sqlite3.Connection) -> None:
    """Fresh tables (a rebuild of the history replaces them whole)."""
    for table in TABLES:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    conn.executescript(DDL)


def write_events(conn: sqlite3.Connection, events: Iterable[Event]) -> int:
    cur = conn.executemany(
        "INSERT OR IGNORE INTO code_events VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            (
                e.system,
                e.code,
                e.date,
                e.event,
                e.detail,
                e.title,
                e.old_title,
                _b(e.was_billable),
                _b(e.is_billable),
                e.source,
            )
            for e in events
        ),
    )
    return cur.rowcount


def write_successors(conn: sqlite3.Connection, rows: Iterable[Successor]) -> int:
    cur = conn.executemany(
        "INSERT OR IGNORE INTO code_successors VALUES (?,?,?,?,?,?)",
        ((s.system, s.old, s.new_system, s.new, s.date, s.source) for s in rows),
    )
    return cur.rowcount


def write_edits(conn: sqlite3.Connection, rows: Iterable[Edit]) -> int:
    cur = conn.executemany(
        "INSERT OR IGNORE INTO code_edits VALUES (?,?,?,?,?,?,?)",
        ((e.system, e.code, e.edit, e.name, e.meaning, e.exception, e.source) for e in rows),
    )
    return cur.rowcount


def hcpcs_rows(conn: sqlite3.Connection) -> list[tuple]:
    """(code, title, effective_date, termination_date, attrs JSON) of HCPCS codes, for the build."""
    return conn.execute(
        "SELECT code, title, effective_date, termination_date, attrs FROM codes WHERE system = 'hcpcs' AND kind = 'code'"
    ).fetchall()


def existing_codes(conn: sqlite3.Connection, system: str) -> set[str]:
    return {r[0] for r in conn.execute("SELECT code FROM codes WHERE system = ?", (system,))}


# -- reads -------------------------------------------------------------------------------------


def has_tables(conn: sqlite3.Connection) -> bool:
    return (
        conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'code_events'").fetchone()
        is not None
    )


def events(conn: sqlite3.Connection, system: str, code: str) -> list[Event]:
    if not has_tables(conn):
        return []
    rows = conn.execute(
        "SELECT * FROM code_events WHERE system = ? AND code = ? ORDER BY date, event", (system, code)
    ).fetchall()
    return [_event(r) for r in rows]


def _event(r) -> Event:
    return Event(r[0], r[1], r[2], r[3], r[4], r[5], r[6], _nb(r[7]), _nb(r[8]), r[9])


def successors(conn: sqlite3.Connection, system: str, code: str) -> list[Successor]:
    if not has_tables(conn):
        return []
    rows = conn.execute(
        "SELECT * FROM code_successors WHERE system = ? AND old = ? ORDER BY new", (system, code)
    )
    return [Successor(*r) for r in rows]


def predecessors(conn: sqlite3.Connection, system: str, code: str) -> list[Successor]:
    if not has_tables(conn):
        return []
    rows = conn.execute(
        "SELECT * FROM code_successors WHERE new_system = ? AND new = ? ORDER BY old", (system, code)
    )
    return [Successor(*r) for r in rows]


def edits(conn: sqlite3.Connection, system: str, code: str) -> list[Edit]:
    if not has_tables(conn):
        return []
    rows = conn.execute(
        "SELECT * FROM code_edits WHERE system = ? AND code = ? ORDER BY rowid", (system, code)
    )
    return [Edit(*r) for r in rows]


def changes(
    conn: sqlite3.Connection,
    since: str,
    until: str | None = None,
    system: str | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> tuple[int, list[Event]]:
    if not has_tables(conn):
        return 0, []
    where, args = ["date >= ?"], [since]
    if until:
        where.append("date <= ?")
        args.append(until)
    if system:
        where.append("system = ?")
        args.append(system)
    sql = " WHERE " + " AND ".join(where)
    total = conn.execute("SELECT COUNT(*) FROM code_events" + sql, args).fetchone()[0]
    rows = conn.execute(
        "SELECT * FROM code_events" + sql + " ORDER BY date DESC, system, code, event LIMIT ? OFFSET ?",
        [*args, limit, offset],
    ).fetchall()
    return total, [_event(r) for r in rows]

"""Search's storage module: SQL for the code-shaped queries (an exact code, a code prefix in release order,
a code range) with the search filters. Prefix tests and breadcrumbs come from the Store."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from medcodes.store import Store


@dataclass(slots=True)
class Filters:
    system: str | None = None
    billable: bool | None = None
    active_on: date | None = None
    # Leave out codes terminated before this day (deleted codes are hidden unless asked for).
    current_on: date | None = None

    def sql(self) -> tuple[str, list]:
        where: list[str] = []
        args: list = []
        if self.system:
            where.append("system = ?")
            args.append(self.system)
        if self.billable is not None:
            where.append("billable = ?")
            args.append(int(self.billable))
        if self.active_on is not None:
            iso = self.active_on.isoformat()
            where.append("(effective_date IS NULL OR effective_date <= ?)")
            where.append("(termination_date IS NULL OR termination_date > ?)")
            args += [iso, iso]
        if self.current_on is not None:
            where.append("(termination_date IS NULL OR termination_date >= ?)")
            args.append(self.current_on.isoformat())
        return "".join(f" AND {w}" for w in where), args


ROW = "system, code, display, kind, title, billable, parent, depth"


def exact(store: Store, code: str, f: Filters) -> list[tuple]:
    where, args = f.sql()
    return store.conn.execute(
        f"SELECT {ROW} FROM codes WHERE code = ?{where} ORDER BY system", [code, *args]
    ).fetchall()


def under_prefix(
    store: Store,
    prefix: str,
    f: Filters,
    limit: int,
    offset: int,
    skip: str | None = None,
    first: list[str] | None = None,
) -> tuple[int, list[tuple]]:
    """Codes starting with `prefix` (excluding `skip`, shown first by the caller), in release order,
    the systems in `first` (where the exact code was found) before the others. Range headers
    (`0001U-0999U`) are left out: they are not below the prefix, they only share its start."""
    where, args = f.sql()
    base = f" FROM codes WHERE code >= ? AND code < ? AND code != ? AND code NOT LIKE '%-%'{where}"
    bargs = [prefix, prefix + "\uffff", skip or "", *args]
    conn = store.conn
    total = conn.execute("SELECT COUNT(*)" + base, bargs).fetchone()[0]
    firsts = list(first or [])
    marks = ",".join("?" * len(firsts)) or "''"
    rows = conn.execute(
        f"SELECT {ROW}{base} ORDER BY system IN ({marks}) DESC, system, sort LIMIT ? OFFSET ?",
        [*bargs, *firsts, limit, offset],
    ).fetchall()
    return total, rows


def headings(store: Store) -> Iterator[tuple[str, str, str, str | None]]:
    """(system, code, title, parent) of every node that has children: what breadcrumbs are made of
    (some 37,000 rows, mostly ICD-10 categories and PCS tables)."""
    yield from store.conn.execute(
        "SELECT system, code, title, parent FROM codes AS p WHERE EXISTS"
        " (SELECT 1 FROM codes AS c WHERE c.system = p.system AND c.parent = p.code)"
    )


def termination_dates(store: Store) -> list[str]:
    """Every termination date some code has (a few dozen), oldest first."""
    rows = store.conn.execute(
        "SELECT DISTINCT termination_date FROM codes WHERE termination_date IS NOT NULL"
        " AND termination_date != '' ORDER BY 1"
    )
    return [r[0] for r in rows]


def systems_with(store: Store, lo: str, hi: str, systems: list[str]) -> list[str]:
    """The systems where both ends of a range exist as codes (or, failing that, as prefixes)."""
    both = [s for s in systems if store.has_prefix(lo, s) and store.has_prefix(hi, s)]
    exact = [s for s in both if lo != hi and store.exists(s, lo) and store.exists(s, hi)]
    return exact or both


def in_range(
    store: Store, lo: str, hi: str, systems: list[str], f: Filters, limit: int, offset: int
) -> tuple[int, list[tuple]]:
    """Leaf codes from `lo` to `hi` inclusive; `hi` as a prefix counts whole (E11-E13 takes E13.9)."""
    where, args = f.sql()
    marks = ",".join("?" * len(systems))
    base = (
        f" FROM codes WHERE code >= ? AND code < ? AND system IN ({marks})"
        f" AND kind IN ('code', 'modifier'){where}"
    )
    bargs = [lo, hi + "\uffff", *systems, *args]
    conn = store.conn
    total = conn.execute("SELECT COUNT(*)" + base, bargs).fetchone()[0]
    rows = conn.execute(
        f"SELECT {ROW}{base} ORDER BY system, code LIMIT ? OFFSET ?", [*bargs, limit, offset]
    ).fetchall()
    return total, rows


# -- what the index build reads from the database being built ---------------------------------


def notes_of_types(conn: sqlite3.Connection, types: Iterable[str]) -> Iterator[tuple[str, str, str]]:
    """(system, code, text) of every note of the given types."""
    types = tuple(types)
    marks = ",".join("?" * len(types))
    yield from conn.execute(f"SELECT system, code, text FROM notes WHERE type IN ({marks})", types)


def all_terms(conn: sqlite3.Connection) -> Iterator[tuple[str, str, str, str]]:
    """(system, code, term, origin) of every extra search term."""
    yield from conn.execute("SELECT system, code, term, origin FROM terms")


def index_rows(conn: sqlite3.Connection) -> Iterator[tuple]:
    """Every node with what the index needs, in (system, release order)."""
    yield from conn.execute(
        "SELECT system, code, display, kind, title, short_title, billable, parent,"
        " effective_date, termination_date FROM codes ORDER BY system, sort"
    )


def common_names(conn: sqlite3.Connection) -> dict[tuple[str, str], str]:
    """(system, code) -> common name, for the codes that have one."""
    rows = conn.execute("SELECT system, code, common_name FROM codes WHERE common_name IS NOT NULL")
    return {(system, code): name for system, code, name in rows if name}

"""SQL for the code-shaped queries: an exact code, a code prefix in release order, a code range."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date


@dataclass(slots=True)
class Filters:
    system: str | None = None
    billable: bool | None = None
    active_on: date | None = None

    def sql(self) -> tuple[str, list]:
        where, args = [], []
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
        return "".join(f" AND {w}" for w in where), args


ROW = "system, code, display, kind, title, billable, parent, depth"


def exact(conn: sqlite3.Connection, code: str, f: Filters) -> list[tuple]:
    where, args = f.sql()
    return conn.execute(
        f"SELECT {ROW} FROM codes WHERE code = ?{where} ORDER BY system", [code, *args]
    ).fetchall()


def has_prefix(conn: sqlite3.Connection, prefix: str, system: str | None = None) -> bool:
    sql = "SELECT 1 FROM codes WHERE code >= ? AND code < ?"
    args: list = [prefix, prefix + "\uffff"]
    if system:
        sql += " AND system = ?"
        args.append(system)
    return conn.execute(sql + " LIMIT 1", args).fetchone() is not None


def under_prefix(
    conn: sqlite3.Connection,
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
    total = conn.execute("SELECT COUNT(*)" + base, bargs).fetchone()[0]
    firsts = list(first or [])
    marks = ",".join("?" * len(firsts)) or "''"
    rows = conn.execute(
        f"SELECT {ROW}{base} ORDER BY system IN ({marks}) DESC, system, sort LIMIT ? OFFSET ?",
        [*bargs, *firsts, limit, offset],
    ).fetchall()
    return total, rows


def systems_with(conn: sqlite3.Connection, lo: str, hi: str, systems: list[str]) -> list[str]:
    """The systems where both ends of a range exist as codes (or, failing that, as prefixes)."""
    both = [s for s in systems if has_prefix(conn, lo, s) and has_prefix(conn, hi, s)]
    exact = [
        s
        for s in both
        if conn.execute("SELECT COUNT(*) FROM codes WHERE system = ? AND code IN (?, ?)", (s, lo, hi)).fetchone()[0]
        == 2
    ]
    return exact or both


def in_range(
    conn: sqlite3.Connection, lo: str, hi: str, systems: list[str], f: Filters, limit: int, offset: int
) -> tuple[int, list[tuple]]:
    """Leaf codes from `lo` to `hi` inclusive; `hi` as a prefix counts whole (E11-E13 takes E13.9)."""
    where, args = f.sql()
    marks = ",".join("?" * len(systems))
    base = (
        f" FROM codes WHERE code >= ? AND code < ? AND system IN ({marks})"
        f" AND kind IN ('code', 'modifier'){where}"
    )
    bargs = [lo, hi + "\uffff", *systems, *args]
    total = conn.execute("SELECT COUNT(*)" + base, bargs).fetchone()[0]
    rows = conn.execute(
        f"SELECT {ROW}{base} ORDER BY system, code LIMIT ? OFFSET ?", [*bargs, limit, offset]
    ).fetchall()
    return total, rows


def ancestors(conn: sqlite3.Connection, system: str, code: str) -> list[str]:
    """Titles from the root down to `code` itself."""
    rows = conn.execute(
        """
        WITH RECURSIVE up(code, title, parent, n) AS (
            SELECT code, title, parent, 0 FROM codes WHERE system = :s AND code = :c
            UNION ALL
            SELECT codes.code, codes.title, codes.parent, up.n + 1
            FROM codes JOIN up ON codes.system = :s AND codes.code = up.parent
            WHERE up.n < 50
        )
        SELECT title FROM up ORDER BY n DESC
        """,
        {"s": system, "c": code},
    ).fetchall()
    return [r[0] for r in rows]

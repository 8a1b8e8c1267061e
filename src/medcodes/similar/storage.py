"""Similar codes' storage module: the SQL on the `similar` table and what the build reads."""

from __future__ import annotations

import json
import sqlite3

from medcodes.codes import canonical
from medcodes.store import Store


def stored_items(store: Store, system: str, code: str) -> list[list] | None:
    """The precomputed list of a code as [[system, code, score, reason], ...]; None when it has none."""
    row = store.conn.execute(
        "SELECT items FROM similar WHERE system = ? AND code = ?", (system, canonical(code))
    ).fetchone()
    return json.loads(row[0]) if row else None


def node_rows(conn: sqlite3.Connection) -> list[tuple]:
    """(system, code, title, kind, billable, parent, sort) of every node, in (system, release order)."""
    return conn.execute(
        "SELECT system, code, title, kind, billable, parent, sort FROM codes ORDER BY system, sort"
    ).fetchall()


def policy_citations(conn: sqlite3.Connection) -> list[tuple[str, str, str]] | None:
    """(policy_id, system, code) of every code a policy cites; None when no policies were ingested."""
    try:
        return conn.execute("SELECT policy_id, system, code FROM policy_codes").fetchall()
    except sqlite3.OperationalError:
        return None


def write(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Replace every stored list with `rows` of (system, code, items JSON)."""
    conn.execute("DELETE FROM similar")
    conn.executemany("INSERT INTO similar (system, code, items) VALUES (?, ?, ?)", rows)

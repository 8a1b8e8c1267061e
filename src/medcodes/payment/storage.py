"""The payment tables: their DDL and every SQL statement on them. Numbers are stored as the text the
release files give (never rounded), so amounts are computed exactly when asked for."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import astuple, fields

from medcodes.codesets.anes_cf import AnesRow
from medcodes.codesets.clfs_rates import ClfsRate
from medcodes.codesets.gpci import GpciRow
from medcodes.codesets.locco import CountyRow
from medcodes.codesets.mue import MueRow
from medcodes.codesets.opps_addb import OppsRow
from medcodes.codesets.payment_files import PaymentFile
from medcodes.codesets.pfs_rvu import PfsRow

_PFS_COLS = [f.name for f in fields(PfsRow)]

DDL = f"""
CREATE TABLE IF NOT EXISTS payment_files (
    kind TEXT PRIMARY KEY, file TEXT NOT NULL, fmt TEXT NOT NULL, release TEXT, year INTEGER,
    rows INTEGER NOT NULL, extra TEXT);
CREATE TABLE IF NOT EXISTS pfs_rvu ({", ".join(_PFS_COLS)}, PRIMARY KEY (code, modifier)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pfs_locality (
    id TEXT PRIMARY KEY, mac TEXT, locality TEXT, state TEXT, name TEXT,
    work_gpci TEXT, pe_gpci TEXT, mp_gpci TEXT, anes_cf TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pfs_locality_county (id TEXT, state_name TEXT, area TEXT, counties TEXT);
CREATE INDEX IF NOT EXISTS pfs_locality_county_id ON pfs_locality_county (id);
CREATE TABLE IF NOT EXISTS clfs_rate (
    code TEXT, modifier TEXT, rate TEXT, year INTEGER, effective TEXT, indicator TEXT,
    PRIMARY KEY (code, modifier)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS opps_rate (
    code TEXT PRIMARY KEY, status_indicator TEXT, apc TEXT, relative_weight TEXT, payment_rate TEXT,
    national_copay TEXT, minimum_copay TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS mue_limit (
    code TEXT, setting TEXT, value INTEGER, indicator TEXT, indicator_text TEXT, rationale TEXT,
    PRIMARY KEY (code, setting)) WITHOUT ROWID;
"""

TABLES = (
    "payment_files",
    "pfs_rvu",
    "pfs_locality",
    "pfs_locality_county",
    "clfs_rate",
    "opps_rate",
    "mue_limit",
)


def create(conn: sqlite3.Connection) -> None:
    conn.executescript(DDL)


def has_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'payment_files'"
    ).fetchone()
    return row is not None


# -- writing (build step) -----------------------------------------------------------------------


def record_file(conn: sqlite3.Connection, f: PaymentFile, rows: int, extra: dict | None = None) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO payment_files VALUES (?, ?, ?, ?, ?, ?, ?)",
        (f.kind, f.path.name, f.fmt, f.release, f.year, rows, json.dumps(extra) if extra else None),
    )


def insert_pfs(conn: sqlite3.Connection, rows: Iterable[PfsRow]) -> int:
    marks = ", ".join("?" * len(_PFS_COLS))
    cur = conn.executemany(f"INSERT OR REPLACE INTO pfs_rvu VALUES ({marks})", (astuple(r) for r in rows))
    return cur.rowcount


def insert_localities(conn: sqlite3.Connection, gpcis: list[GpciRow], anes: dict[str, AnesRow]) -> int:
    conn.executemany(
        "INSERT OR REPLACE INTO pfs_locality VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                g.id,
                g.mac,
                g.locality,
                g.state,
                g.name,
                g.work_gpci,
                g.pe_gpci,
                g.mp_gpci,
                anes[g.id].conversion_factor if g.id in anes else None,
            )
            for g in gpcis
        ],
    )
    return len(gpcis)


def insert_counties(conn: sqlite3.Connection, rows: Iterable[CountyRow]) -> int:
    cur = conn.executemany(
        "INSERT INTO pfs_locality_county VALUES (?, ?, ?, ?)",
        ((r.id, r.state_name, r.area, r.counties) for r in rows),
    )
    return cur.rowcount


def insert_clfs(conn: sqlite3.Connection, rows: Iterable[ClfsRate]) -> int:
    cur = conn.executemany(
        "INSERT OR REPLACE INTO clfs_rate VALUES (?, ?, ?, ?, ?, ?)",
        ((r.code, r.modifier, r.rate, r.year, r.effective, r.indicator) for r in rows),
    )
    return cur.rowcount


def insert_opps(conn: sqlite3.Connection, rows: Iterable[OppsRow]) -> int:
    cur = conn.executemany(
        "INSERT OR REPLACE INTO opps_rate VALUES (?, ?, ?, ?, ?, ?, ?)", (astuple(r) for r in rows)
    )
    return cur.rowcount


def insert_mue(conn: sqlite3.Connection, rows: Iterable[MueRow]) -> int:
    cur = conn.executemany(
        "INSERT OR REPLACE INTO mue_limit VALUES (?, ?, ?, ?, ?, ?)",
        ((r.code, r.setting, r.value, r.indicator, r.indicator_text, r.rationale) for r in rows),
    )
    return cur.rowcount


# -- reading ------------------------------------------------------------------------------------


def files(conn: sqlite3.Connection) -> dict[str, dict]:
    """kind -> {file, fmt, release, year, rows, extra}; {} when the build has no payment tables."""
    if not has_tables(conn):
        return {}
    out = {}
    for kind, file, fmt, release, year, n, extra in conn.execute("SELECT * FROM payment_files"):
        out[kind] = {
            "file": file,
            "fmt": fmt,
            "release": release,
            "year": year,
            "rows": n,
            "extra": json.loads(extra) if extra else {},
        }
    return out


def pfs_rows(conn: sqlite3.Connection, code: str) -> list[PfsRow]:
    cur = conn.execute(
        f"SELECT {', '.join(_PFS_COLS)} FROM pfs_rvu WHERE code = ? ORDER BY modifier", (code,)
    )
    return [PfsRow(*r) for r in cur.fetchall()]


def locality(conn: sqlite3.Connection, locality_id: str) -> tuple | None:
    """(id, mac, locality, state, name, work_gpci, pe_gpci, mp_gpci, anes_cf) or None."""
    return conn.execute("SELECT * FROM pfs_locality WHERE id = ?", (locality_id,)).fetchone()


def localities(conn: sqlite3.Connection) -> list[tuple]:
    if not has_tables(conn):
        return []
    return conn.execute("SELECT * FROM pfs_locality ORDER BY state, name").fetchall()


def counties(conn: sqlite3.Connection) -> dict[str, list[tuple[str, str, str]]]:
    """locality id -> [(state name, fee schedule area, counties)]."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    if has_tables(conn):
        for lid, state, area, cty in conn.execute("SELECT * FROM pfs_locality_county ORDER BY rowid"):
            out.setdefault(lid, []).append((state, area, cty))
    return out


def clfs(conn: sqlite3.Connection, code: str) -> list[tuple]:
    """(modifier, rate, year, effective, indicator) rows, global first."""
    return conn.execute(
        "SELECT modifier, rate, year, effective, indicator FROM clfs_rate WHERE code = ? ORDER BY modifier",
        (code,),
    ).fetchall()


def opps(conn: sqlite3.Connection, code: str) -> OppsRow | None:
    row = conn.execute("SELECT * FROM opps_rate WHERE code = ?", (code,)).fetchone()
    return OppsRow(*row) if row else None


def mue(conn: sqlite3.Connection, code: str) -> list[MueRow]:
    order = "CASE setting WHEN 'practitioner' THEN 0 WHEN 'outpatient_hospital' THEN 1 ELSE 2 END"
    cur = conn.execute(
        f"SELECT code, setting, value, indicator, indicator_text, rationale FROM mue_limit "
        f"WHERE code = ? ORDER BY {order}",
        (code,),
    )
    return [MueRow(*r) for r in cur.fetchall()]

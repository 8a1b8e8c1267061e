"""Stored explanations: one row per code and writer, with provenance and check results."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

from medcodes.explain import Explanation, Section

_COLS = "system, code, writer, model, prompt_version, kind, sections, checks, status, reason, created_at"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def sections_to_json(sections: list[Section]) -> str:
    return json.dumps(
        [{"key": s.key, "heading": s.heading, "text": s.text, "items": s.items, "ordered": s.ordered} for s in sections],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def sections_from_json(text: str) -> list[Section]:
    return [
        Section(
            key=s["key"],
            heading=s.get("heading", ""),
            text=s.get("text", ""),
            items=list(s.get("items", [])),
            ordered=bool(s.get("ordered", False)),
        )
        for s in json.loads(text)
    ]


def _row(row: tuple) -> Explanation:
    system, code, writer, model, pv, kind, sections, checks, status, reason, created = row
    return Explanation(
        system=system,
        code=code,
        kind=kind,
        writer=writer,
        sections=sections_from_json(sections),
        model=model,
        created_at=created,
        checks=json.loads(checks) if checks else [],
        status=status,
        reason=reason,
        prompt_version=pv,
    )


def load(conn: sqlite3.Connection, system: str, code: str, writer: str = "llm") -> Explanation | None:
    try:
        row = conn.execute(
            f"SELECT {_COLS} FROM explanations WHERE system = ? AND code = ? AND writer = ?", (system, code, writer)
        ).fetchone()
    except sqlite3.OperationalError:  # a database built before the table existed, opened read-only
        return None
    return _row(row) if row else None


def save(conn: sqlite3.Connection, expl: Explanation, *, commit: bool = True) -> None:
    """Insert or replace (system, code, writer): a code never has two rows from one writer."""
    conn.execute(
        f"INSERT OR REPLACE INTO explanations ({_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (
            expl.system,
            expl.code,
            expl.writer,
            expl.model,
            expl.prompt_version,
            expl.kind,
            sections_to_json(expl.sections),
            json.dumps(expl.checks, separators=(",", ":")),
            expl.status,
            expl.reason,
            expl.created_at or now(),
        ),
    )
    if commit:
        conn.commit()


def stored_codes(conn: sqlite3.Connection, writer: str = "llm", statuses: tuple[str, ...] = ("ok", "failed")) -> set[tuple[str, str]]:
    marks = ",".join("?" * len(statuses))
    return {
        (s, c)
        for s, c in conn.execute(
            f"SELECT system, code FROM explanations WHERE writer = ? AND status IN ({marks})", (writer, *statuses)
        )
    }


def iter_all(conn: sqlite3.Connection, system: str | None = None, writer: str | None = None):
    sql = f"SELECT {_COLS} FROM explanations"
    where, args = [], []
    if system:
        where.append("system = ?")
        args.append(system)
    if writer:
        where.append("writer = ?")
        args.append(writer)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY system, code, writer"
    for row in conn.execute(sql, args):
        yield _row(row)

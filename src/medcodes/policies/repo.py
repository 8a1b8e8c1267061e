"""All SQL over the policies, policy_codes and policy_changes tables."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(slots=True)
class PolicyRecord:
    id: str
    source: str
    title: str
    payer: str | None = None
    number: str | None = None
    type: str | None = None
    effective_date: str | None = None
    last_reviewed: str | None = None
    url: str | None = None
    file: str | None = None
    checksum: str | None = None
    pages: int | None = None
    attrs: dict = field(default_factory=dict)
    ingested_at: str | None = None  # set on records read back from the database


@dataclass(slots=True)
class CodeLink:
    system: str
    code: str
    disposition: str
    evidence: str | None = None
    context: str | None = None
    page: int | None = None


@dataclass(slots=True)
class CitingPolicy:
    """A policy citing a code, with the first context of one disposition."""

    policy_id: str
    payer: str | None
    title: str
    type: str | None
    number: str | None
    effective_date: str | None
    url: str | None
    disposition: str
    evidence: str | None
    context: str | None
    page: int | None


@dataclass(slots=True)
class PolicyCode:
    """A code a policy cites; `code_title` is None when the code no longer exists."""

    system: str
    code: str
    disposition: str
    evidence: str | None
    context: str | None
    page: int | None
    code_title: str | None


@dataclass(slots=True)
class PolicySummary:
    id: str
    source: str
    payer: str | None
    title: str
    number: str | None
    type: str | None
    effective_date: str | None
    last_reviewed: str | None
    url: str | None
    code_count: int


@dataclass(slots=True)
class SaveResult:
    status: str  # added | updated | unchanged
    links: int
    summary: str | None = None


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


_POLICY_COLS = (
    "id, source, payer, title, number, type, effective_date, last_reviewed, url, file, checksum, pages, attrs"
)


def save(conn: sqlite3.Connection, policy: PolicyRecord, links: list[CodeLink]) -> SaveResult:
    """Write a policy and its code links in one transaction; the same checksum again changes nothing.

    A new version replaces the old links and leaves a row in policy_changes saying what moved.
    """
    return save_many(conn, [(policy, links)])[0]


def save_many(conn: sqlite3.Connection, items: list[tuple[PolicyRecord, list[CodeLink]]]) -> list[SaveResult]:
    """Save several policies in a single transaction (all or nothing)."""
    results = []
    try:
        conn.execute("BEGIN IMMEDIATE")
        for policy, links in items:
            results.append(_write(conn, policy, links))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return results


def _write(conn: sqlite3.Connection, policy: PolicyRecord, links: list[CodeLink]) -> SaveResult:
    old = conn.execute("SELECT checksum FROM policies WHERE id = ?", (policy.id,)).fetchone()
    if old and old[0] == policy.checksum:
        return SaveResult("unchanged", len(links))
    summary = None
    if old:
        before = set(conn.execute("SELECT system, code FROM policy_codes WHERE policy_id = ?", (policy.id,)))
        after = {(ln.system, ln.code) for ln in links}
        summary = (
            f"{len(after - before)} codes added, {len(before - after)} removed, {len(after & before)} kept"
        )
        conn.execute("DELETE FROM policy_codes WHERE policy_id = ?", (policy.id,))
        conn.execute("DELETE FROM policies WHERE id = ?", (policy.id,))
        conn.execute(
            "INSERT INTO policy_changes (policy_id, changed_at, old_checksum, new_checksum, summary)"
            " VALUES (?, ?, ?, ?, ?)",
            (policy.id, now(), old[0], policy.checksum, summary),
        )
    conn.execute(
        f"INSERT INTO policies ({_POLICY_COLS}, ingested_at) VALUES ({', '.join('?' * 14)})",
        (
            policy.id,
            policy.source,
            policy.payer,
            policy.title,
            policy.number,
            policy.type,
            policy.effective_date,
            policy.last_reviewed,
            policy.url,
            policy.file,
            policy.checksum,
            policy.pages,
            json.dumps(policy.attrs) if policy.attrs else None,
            now(),
        ),
    )
    conn.executemany(
        "INSERT INTO policy_codes (policy_id, system, code, disposition, evidence, context, page)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(policy.id, ln.system, ln.code, ln.disposition, ln.evidence, ln.context, ln.page) for ln in links],
    )
    return SaveResult("updated" if old else "added", len(links), summary)


def links_for_code(conn: sqlite3.Connection, system: str, code: str) -> list[CitingPolicy]:
    """One row per (policy, disposition) citing the code: the first context of each."""
    rows = conn.execute(
        """
        SELECT p.id, p.payer, p.title, p.type, p.number, p.effective_date, p.url,
               pc.disposition, pc.evidence, pc.context, pc.page
        FROM policy_codes pc JOIN policies p ON p.id = pc.policy_id
        WHERE pc.system = ? AND pc.code = ?
        GROUP BY p.id, pc.disposition
        ORDER BY p.payer, p.title, pc.disposition
        """,
        (system, code),
    ).fetchall()
    return [CitingPolicy(*r) for r in rows]


def get(conn: sqlite3.Connection, policy_id: str) -> PolicyRecord | None:
    row = conn.execute(
        f"SELECT {_POLICY_COLS}, ingested_at FROM policies WHERE id = ?", (policy_id,)
    ).fetchone()
    if row is None:
        return None
    pid, source, payer, title, number, type_, eff, reviewed, url, file, checksum, pages, attrs, at = row
    return PolicyRecord(
        id=pid,
        source=source,
        title=title,
        payer=payer,
        number=number,
        type=type_,
        effective_date=eff,
        last_reviewed=reviewed,
        url=url,
        file=file,
        checksum=checksum,
        pages=pages,
        attrs=json.loads(attrs) if attrs else {},
        ingested_at=at,
    )


def codes_of(conn: sqlite3.Connection, policy_id: str) -> list[PolicyCode]:
    """The policy's links with the code's title when the code still exists (a rebuild may have dropped it)."""
    rows = conn.execute(
        """
        SELECT pc.system, pc.code, pc.disposition, pc.evidence, pc.context, pc.page, c.title
        FROM policy_codes pc LEFT JOIN codes c ON c.system = pc.system AND c.code = pc.code
        WHERE pc.policy_id = ?
        ORDER BY pc.disposition, pc.system, pc.code
        """,
        (policy_id,),
    ).fetchall()
    return [PolicyCode(*r) for r in rows]


def _contains(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its `%`, `_` and `\\` taken literally (ESCAPE '\\')."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(
    conn: sqlite3.Connection,
    *,
    payer: str | None = None,
    q: str | None = None,
    system: str | None = None,
    code: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[PolicySummary]]:
    where: list[str] = []
    args: list = []
    if payer:
        # "uhc" and "UnitedHealthcare" both find UnitedHealthcare's policies.
        from medcodes.policies.metadata import payer_name

        where.append("(lower(p.payer) LIKE ? ESCAPE '\\' OR lower(p.payer) LIKE ? ESCAPE '\\')")
        args += [_contains(payer), _contains(payer_name(payer) or payer)]
    if q:
        for word in q.split():
            where.append(
                "(lower(p.title) LIKE ? ESCAPE '\\' OR lower(p.number) LIKE ? ESCAPE '\\'"
                " OR lower(p.id) LIKE ? ESCAPE '\\')"
            )
            args += [_contains(word)] * 3
    if code:
        sub = "SELECT 1 FROM policy_codes pc WHERE pc.policy_id = p.id AND pc.code = ?"
        args.append(code)
        if system:
            sub += " AND pc.system = ?"
            args.append(system)
        where.append(f"EXISTS ({sub})")
    sql_where = (" WHERE " + " AND ".join(where)) if where else ""
    total = conn.execute(f"SELECT COUNT(*) FROM policies p{sql_where}", args).fetchone()[0]
    rows = conn.execute(
        f"""
        SELECT p.id, p.source, p.payer, p.title, p.number, p.type, p.effective_date, p.last_reviewed, p.url,
               (SELECT COUNT(*) FROM policy_codes pc WHERE pc.policy_id = p.id)
        FROM policies p{sql_where}
        ORDER BY p.payer, p.title LIMIT ? OFFSET ?
        """,
        [*args, limit, offset],
    ).fetchall()
    return total, [PolicySummary(*r) for r in rows]


# -- export, change feed and page extras ----------------------------------------------------------


def export_rows(conn: sqlite3.Connection) -> Iterator[tuple[tuple, list[tuple]]]:
    """(policy row, its code rows) per policy in id order; one query per policy keeps memory flat."""
    cur = conn.execute(
        "SELECT id, payer, title, number, effective_date, last_reviewed, file, url FROM policies ORDER BY id"
    )
    for row in cur.fetchall():
        codes = conn.execute(
            "SELECT system, code, disposition, evidence, context, page FROM policy_codes WHERE policy_id = ?"
            " ORDER BY system, code, disposition",
            (row[0],),
        ).fetchall()
        yield row, codes


def change_rows(conn: sqlite3.Connection, start: str, limit: int) -> list[tuple]:
    """(policy_id, title, payer, changed_at, summary) of versions recorded at or after `start`, newest first.
    A changed policy leaves a row in policy_changes; a policy seen for the first time counts from its ingest."""
    return conn.execute(
        "SELECT c.policy_id, p.title, p.payer, c.changed_at, c.summary FROM policy_changes c"
        " LEFT JOIN policies p ON p.id = c.policy_id WHERE c.changed_at >= ?"
        " UNION ALL SELECT p.id, p.title, p.payer, p.ingested_at,"
        " 'new policy: ' || (SELECT count(*) FROM policy_codes k WHERE k.policy_id = p.id) || ' code links'"
        " FROM policies p WHERE p.ingested_at >= ?"
        " AND NOT EXISTS (SELECT 1 FROM policy_changes c WHERE c.policy_id = p.id)"
        " ORDER BY 4 DESC, 1 LIMIT ?",
        (start, start, limit),
    ).fetchall()


def policy_attrs(conn: sqlite3.Connection, policy_id: str) -> dict:
    """A policy's attrs (criteria, wide ranges, origin); {} when absent or before the tables existed."""
    try:
        row = conn.execute("SELECT attrs FROM policies WHERE id = ?", (policy_id,)).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return {}
        raise
    return json.loads(row[0]) if row and row[0] else {}

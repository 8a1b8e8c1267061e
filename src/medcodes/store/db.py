"""Read API over a built database. Every entry point takes any spelling of a code."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from medcodes.codes import canonical, looks_like
from medcodes.models import SYSTEMS, CodeRecord, CodeView, Note
from medcodes.store.lab_ncd import LabNcd, lab_ncds

DEFAULT_DB = Path("data") / "medcodes.sqlite"

_COLS = (
    "system, code, display, kind, title, short_title, billable, parent, depth, sort,"
    " effective_date, termination_date, attrs, common_name"
)
_QCOLS = ", ".join(f"codes.{c.strip()}" for c in _COLS.split(","))
# Databases built before schema 3 have no common_name column: read NULL in its place.
_OLD_COLS = _COLS.replace("common_name", "NULL")
_OLD_QCOLS = _QCOLS.replace("codes.common_name", "NULL")


def default_db_path() -> Path:
    return Path(os.environ.get("MEDCODES_DB") or DEFAULT_DB)


def code_kinds(conn: sqlite3.Connection) -> list[tuple[str, str, str, int, int]]:
    """(system, code, kind, billable, sort) of every node: what the policy extractor holds in memory
    (sort is the official release order, used to expand ICD-10 ranges in code-list order)."""
    return conn.execute("SELECT system, code, kind, billable, sort FROM codes").fetchall()


class DatabaseMissing(FileNotFoundError):
    pass


def _restore(value, texts: dict[int, str]):
    """Undo store/build.py's interning of repeated attrs values."""
    if isinstance(value, dict):
        if len(value) == 1 and "$t" in value:
            return texts.get(value["$t"], "")
        if len(value) == 1 and "$o" in value:
            return json.loads(texts.get(value["$o"], "{}"))
        return {k: _restore(v, texts) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore(v, texts) for v in value]
    return value


def _row_to_record(row: sqlite3.Row | tuple, texts: dict[int, str] | None = None) -> CodeRecord:
    (system, code, display, kind, title, short, billable, parent, depth, sort, eff, term, attrs, common) = row
    decoded = json.loads(attrs) if attrs else {}
    if texts is not None and attrs and ('"$t"' in attrs or '"$o"' in attrs):
        decoded = _restore(decoded, texts)
    return CodeRecord(
        system=system,
        code=code,
        display=display,
        kind=kind,
        title=title,
        short_title=short,
        billable=bool(billable),
        parent=parent,
        depth=depth,
        sort=sort,
        effective_date=eff,
        termination_date=term,
        attrs=decoded,
        common_name=common or None,
    )


@dataclass(frozen=True, slots=True)
class SuccessorRow:
    """A deleted or replaced code and a code to use instead (possibly in another system)."""

    system: str
    old: str
    new_system: str
    new: str
    date: str | None
    source: str


def is_current(rec: CodeRecord, on: date | None = None) -> bool:
    on_iso = (on or date.today()).isoformat()
    return not rec.termination_date or rec.termination_date > on_iso


class Store:
    """A read-only (by default) handle on a medcodes database.

    Connections are per thread, so one Store can serve a threaded web server.
    """

    def __init__(self, path: Path | str | None = None, *, readonly: bool = True):
        self.path = Path(path) if path else default_db_path()
        if not self.path.exists():
            raise DatabaseMissing(f"no database at {self.path}; run `medcodes build` first")
        self.readonly = readonly
        self._local = threading.local()
        self._texts: dict[int, str] | None = None
        self._versions: dict[str, str] | None = None
        self.meta = dict(self.conn.execute("SELECT key, value FROM meta").fetchall())
        columns = {row[1] for row in self.conn.execute("PRAGMA table_info(codes)")}
        self._cols, self._qcols = (_COLS, _QCOLS) if "common_name" in columns else (_OLD_COLS, _OLD_QCOLS)

    # -- connections -------------------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self.readonly:
                conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
                conn.execute("PRAGMA query_only = 1")
            else:
                conn = sqlite3.connect(self.path, check_same_thread=False)
                from medcodes.store.schema import ensure_carried

                ensure_carried(conn)
            conn.execute("PRAGMA cache_size = -65536")
            conn.execute("PRAGMA mmap_size = 268435456")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @property
    def texts(self) -> dict[int, str]:
        """Interned attrs strings (see store/build.py), loaded once per Store."""
        if self._texts is None:
            try:
                self._texts = dict(self.conn.execute("SELECT id, text FROM texts"))
            except sqlite3.OperationalError:  # databases built before the table existed
                self._texts = {}
        return self._texts

    def _record(self, row) -> CodeRecord:
        return _row_to_record(row, self.texts)

    @property
    def artefacts(self) -> Path:
        """Folder beside the database that holds this build's derived files (search index)."""
        return self.path.parent / self.meta.get("artefacts", f"{self.path.stem}-artefacts")

    @property
    def build_id(self) -> str:
        return self.meta.get("build_id", "")

    # -- single codes ------------------------------------------------------------------------
    def get(self, system: str, code: str) -> CodeRecord | None:
        row = self.conn.execute(
            f"SELECT {self._cols} FROM codes WHERE system = ? AND code = ?", (system, canonical(code))
        ).fetchone()
        return self._record(row) if row else None

    def find(self, code: str, system: str | None = None) -> list[CodeRecord]:
        """All systems' records for a code spelling (`E1130` is both HCPCS and ICD-10-CM)."""
        if system:
            rec = self.get(system, code)
            return [rec] if rec else []
        rows = self.conn.execute(
            f"SELECT {self._cols} FROM codes WHERE code = ?", (canonical(code),)
        ).fetchall()
        records = [self._record(r) for r in rows]
        return sorted(records, key=lambda r: SYSTEMS.index(r.system))

    def notes(self, system: str, code: str) -> list[Note]:
        rows = self.conn.execute(
            "SELECT type, text FROM notes WHERE system = ? AND code = ? ORDER BY seq",
            (system, canonical(code)),
        ).fetchall()
        return [Note(t, x) for t, x in rows]

    def terms(self, system: str, code: str) -> list[tuple[str, str]]:
        return self.conn.execute(
            "SELECT term, origin FROM terms WHERE system = ? AND code = ?", (system, canonical(code))
        ).fetchall()

    # -- hierarchy ---------------------------------------------------------------------------
    def breadcrumb(self, system: str, code: str, *, include_self: bool = False) -> list[CodeRecord]:
        """Ancestors from the root down to the parent (and the code itself with `include_self`)."""
        return [self._record(r) for r in self._ancestors(system, code, include_self, self._qcols)]

    def breadcrumb_titles(self, system: str, code: str, *, include_self: bool = False) -> list[str]:
        """The breadcrumb's titles only: what a search hit shows, without building records."""
        return [r[0] for r in self._ancestors(system, code, include_self, "codes.title")]

    def _ancestors(self, system: str, code: str, include_self: bool, cols: str) -> list[tuple]:
        start = (
            "SELECT :c, 0" if include_self else "SELECT parent, 1 FROM codes WHERE system = :s AND code = :c"
        )
        return self.conn.execute(
            f"""
            WITH RECURSIVE up(code, n) AS (
                {start}
                UNION ALL
                SELECT codes.parent, up.n + 1 FROM codes JOIN up ON codes.system = :s AND codes.code = up.code
                WHERE up.n < 50
            )
            SELECT {cols} FROM codes JOIN up ON codes.system = :s AND codes.code = up.code
            ORDER BY up.n DESC
            """,
            {"s": system, "c": canonical(code)},
        ).fetchall()

    def code_view(self, rec: CodeRecord) -> CodeView:
        """The record with its breadcrumb and the notes of it and its ancestors: two queries."""
        crumbs = self.breadcrumb(rec.system, rec.code)
        codes = [rec.code, *(c.code for c in crumbs)]
        marks = ",".join("?" * len(codes))
        notes: dict[str, list[Note]] = {c: [] for c in codes}
        for code, type_, text in self.conn.execute(
            f"SELECT code, type, text FROM notes WHERE system = ? AND code IN ({marks}) ORDER BY code, seq",
            (rec.system, *codes),
        ):
            notes[code].append(Note(type_, text))
        return CodeView(record=rec, breadcrumb=crumbs, notes_by_code=notes)

    def children(self, system: str, code: str | None, *, current_only: bool = False) -> list[CodeRecord]:
        """Direct children in release order; `code=None` gives the roots of the system."""
        if code is None:
            rows = self.conn.execute(
                f"SELECT {self._cols} FROM codes WHERE system = ? AND parent IS NULL ORDER BY sort", (system,)
            ).fetchall()
        else:
            rows = self.conn.execute(
                f"SELECT {self._cols} FROM codes WHERE system = ? AND parent = ? ORDER BY sort",
                (system, canonical(code)),
            ).fetchall()
        records = [self._record(r) for r in rows]
        return [r for r in records if is_current(r)] if current_only else records

    def count_children(self, system: str, code: str) -> int:
        return self.conn.execute(
            "SELECT COUNT(*) FROM codes WHERE system = ? AND parent = ?", (system, canonical(code))
        ).fetchone()[0]

    def siblings(self, system: str, code: str) -> list[CodeRecord]:
        rec = self.get(system, code)
        if rec is None:
            return []
        return [r for r in self.children(system, rec.parent) if r.code != rec.code]

    def prefix(self, prefix: str, system: str | None = None, limit: int = 50) -> list[CodeRecord]:
        """Codes that start with `prefix`, in release order (`E11` -> E11, E11.0, E11.00, ...)."""
        p = canonical(prefix)
        if not p:
            return []
        hi = p + "\uffff"
        if system:
            rows = self.conn.execute(
                f"SELECT {self._cols} FROM codes WHERE system = ? AND code >= ? AND code < ? ORDER BY sort LIMIT ?",
                (system, p, hi, limit),
            ).fetchall()
        else:
            rows = self.conn.execute(
                f"SELECT {self._cols} FROM codes WHERE code >= ? AND code < ? ORDER BY system, sort LIMIT ?",
                (p, hi, limit),
            ).fetchall()
        return [self._record(r) for r in rows]

    def has_prefix(self, prefix: str, system: str | None = None) -> bool:
        """Whether any code (of `system`) starts with `prefix` (canonical)."""
        sql = "SELECT 1 FROM codes WHERE code >= ? AND code < ?"
        args: list = [prefix, prefix + "\uffff"]
        if system:
            sql += " AND system = ?"
            args.append(system)
        return self.conn.execute(sql + " LIMIT 1", args).fetchone() is not None

    def code_range(self, system: str, lo: str, hi: str, limit: int = 1000) -> list[CodeRecord]:
        """Leaf codes between two codes inclusive, e.g. 85002-85999."""
        rows = self.conn.execute(
            f"SELECT {self._cols} FROM codes WHERE system = ? AND code >= ? AND code <= ? AND (kind IN ('code', 'modifier') OR billable)"
            " ORDER BY code LIMIT ?",
            (system, canonical(lo), canonical(hi), limit),
        ).fetchall()
        return [self._record(r) for r in rows]

    def nearest(self, code: str, system: str | None = None, limit: int = 5) -> list[CodeRecord]:
        """Existing codes closest to a spelling that was not found: longest shared prefix, then neighbours."""
        c = canonical(code)
        if system:
            systems = [system]
        elif "." in code and "icd10cm" in looks_like(c):
            systems = ["icd10cm"]  # only ICD-10-CM codes are written with a dot
        else:
            systems = looks_like(c) or list(SYSTEMS)
        out: list[CodeRecord] = []
        for n in range(len(c), 0, -1):
            for s in systems:
                out.extend(r for r in self.prefix(c[:n], s, limit) if r not in out)
            if out:
                break
        return out[:limit]

    def exists(self, system: str, code: str) -> bool:
        return (
            self.conn.execute(
                "SELECT 1 FROM codes WHERE system = ? AND code = ?", (system, canonical(code))
            ).fetchone()
            is not None
        )

    def common_names(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """{(system, canonical code): common name} of those of `keys` that have one."""
        out: dict[tuple[str, str], str] = {}
        if "common_name" not in self._cols or not keys:
            return out
        by_system: dict[str, list[str]] = {}
        for system, code in keys:
            by_system.setdefault(system, []).append(code)
        for system, codes in by_system.items():
            for start in range(0, len(codes), 500):
                part = codes[start : start + 500]
                marks = ",".join("?" * len(part))
                out.update(
                    ((system, c), n)
                    for c, n in self.conn.execute(
                        f"SELECT code, common_name FROM codes WHERE system = ? AND code IN ({marks})"
                        " AND common_name IS NOT NULL",
                        (system, *part),
                    )
                )
        return out

    def displays(self, system: str, codes: set[str] | list[str]) -> dict[str, str]:
        """{canonical code: display form} of those of `codes` that exist in `system`."""
        codes = list(codes)
        if not codes:
            return {}
        marks = ",".join("?" * len(codes))
        return dict(
            self.conn.execute(
                f"SELECT code, display FROM codes WHERE system = ? AND code IN ({marks})", (system, *codes)
            ).fetchall()
        )

    def displays_in_order(self, system: str, limit: int, offset: int = 0) -> list[str]:
        """Display forms of a system's codes (every node) in release order, one page of them."""
        rows = self.conn.execute(
            "SELECT display FROM codes WHERE system = ? ORDER BY sort LIMIT ? OFFSET ?",
            (system, limit, offset),
        ).fetchall()
        return [d for (d,) in rows]

    # -- whole database ----------------------------------------------------------------------
    def node_counts(self) -> dict[str, int]:
        """{system: number of nodes (headers and codes)}."""
        return dict(self.conn.execute("SELECT system, COUNT(*) FROM codes GROUP BY system").fetchall())

    def stats(self) -> dict[str, Any]:
        today = date.today().isoformat()
        out: dict[str, Any] = {}
        for system, total, codes, billable, current in self.conn.execute(
            """
            SELECT system, COUNT(*),
                   SUM(kind IN ('code', 'modifier')),
                   SUM(billable),
                   SUM(billable AND (termination_date IS NULL OR termination_date > ?))
            FROM codes GROUP BY system
            """,
            (today,),
        ):
            out[system] = {"nodes": total, "codes": codes, "billable": billable, "billable_current": current}
        return out

    def sources(self) -> list[dict[str, Any]]:
        self.conn.row_factory = sqlite3.Row
        try:
            rows = [dict(r) for r in self.conn.execute("SELECT * FROM sources ORDER BY id")]
        finally:
            self.conn.row_factory = None
        for r in rows:
            r["files"] = json.loads(r["files"])
            r["notes"] = json.loads(r["notes"]) if r.get("notes") else []
        return rows

    def data_versions(self) -> dict[str, str]:
        """`{system: "name version"}` for footers and API responses; a build's sources never change."""
        if self._versions is None:
            self._versions = {
                s["system"]: s["name"] if s["version"] in s["name"] else f"{s['name']} {s['version']}"
                for s in self.sources()
            }
        return self._versions

    def lab_ncds(self, system: str, code: str) -> list[LabNcd]:
        """Medicare lab NCDs that list this lab code, with their covered diagnoses (store/lab_ncd.py)."""
        cache = self.__dict__.setdefault("_lab_ncd_cache", {})
        return lab_ncds(self.conn, system, canonical(code), cache)

    def has_table(self, name: str) -> bool:
        return (
            self.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
            ).fetchone()
            is not None
        )

    def successors(self, system: str, code: str) -> list[SuccessorRow] | None:
        """Codes that replace a deleted one (code_successors, written by the history step); None when the
        database has no such table, so callers can tell "no successor" from "history not loaded"."""
        if not self.has_table("code_successors"):
            return None
        rows = self.conn.execute(
            "SELECT system, old, new_system, new, date, source FROM code_successors"
            " WHERE system = ? AND old = ? ORDER BY new_system, new",
            (system, canonical(code)),
        ).fetchall()
        return [SuccessorRow(*r) for r in rows]

    def concepts(
        self,
        system: str,
        *,
        under: str | None = None,
        active_on: date | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[int, list[CodeRecord]]:
        """(total, one page) of a system's nodes in release order: all of them, or `under` and its
        descendants; with `active_on`, only those in effect on that date."""
        where, args = ["codes.system = ?"], [system]
        if active_on is not None:
            iso = active_on.isoformat()
            where.append("(codes.effective_date IS NULL OR codes.effective_date <= ?)")
            where.append("(codes.termination_date IS NULL OR codes.termination_date > ?)")
            args += [iso, iso]
        cond = " AND ".join(where)
        if under is None:
            head, src = "", "codes"
        else:
            # The node and everything below it; depth capped against a malformed cycle.
            head = (
                "WITH RECURSIVE sub(code, n) AS (SELECT ?, 0 UNION ALL SELECT codes.code, sub.n + 1"
                " FROM codes JOIN sub ON codes.system = ? AND codes.parent = sub.code WHERE sub.n < 20) "
            )
            src = "codes JOIN sub ON codes.code = sub.code"
            args = [canonical(under), system, *args]
        total = self.conn.execute(f"{head}SELECT COUNT(*) FROM {src} WHERE {cond}", args).fetchone()[0]
        rows = self.conn.execute(
            f"{head}SELECT {self._qcols} FROM {src} WHERE {cond} ORDER BY codes.sort LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
        return total, [self._record(r) for r in rows]

    def iter_codes(self, system: str | None = None, *, leaves_only: bool = False) -> Iterator[CodeRecord]:
        sql = f"SELECT {self._cols} FROM codes"
        where, args = [], []
        if system:
            where.append("system = ?")
            args.append(system)
        if leaves_only:
            where.append("kind IN ('code', 'modifier')")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY system, sort"
        for row in self.conn.execute(sql, args):
            yield self._record(row)

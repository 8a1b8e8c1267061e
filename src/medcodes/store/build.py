"""Build a database from chosen releases: write a temporary file, then rename it into place.

A failed build (bad release file, crash, Ctrl-C) leaves the database being served untouched.
Derived artefacts (the search index) go to a folder named after the build, recorded in `meta`,
so the SQLite file is the single pointer that the rename swaps.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from medcodes.models import CodeRecord, Source
from medcodes.store import schema

BATCH = 5000
INTERN_MIN = 40  # attrs values at least this long (as JSON) are stored once in `texts`


class _Interner:
    """Stores repeated attrs values once: an object as {"$o": id}, a long string as {"$t": id}.

    ICD-10-PCS codes repeat the same axis objects (label, definition, includes) across whole
    tables; interning them shrinks that system's rows about tenfold. db.Store restores them."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def _ref(self, kind: str, text: str) -> dict:
        return {kind: self.ids.setdefault(text, len(self.ids) + 1)}

    def __call__(self, value, top: bool = True):
        if isinstance(value, dict):
            if not top:
                text = json.dumps(value, separators=(",", ":"))
                if len(text) >= INTERN_MIN:
                    return self._ref("$o", text)
            return {k: self(v, top=False) for k, v in value.items()}
        if isinstance(value, str) and len(value) >= INTERN_MIN:
            return self._ref("$t", value)
        if isinstance(value, list):
            return [self(v, top=False) for v in value]
        return value

    def write(self, conn: sqlite3.Connection) -> None:
        conn.executemany("INSERT INTO texts (id, text) VALUES (?, ?)", ((i, t) for t, i in self.ids.items()))


@dataclass
class SystemReport:
    system: str
    source: str
    count: int = 0
    seconds: float = 0.0
    duplicates: int = 0
    orphans: int = 0


@dataclass
class BuildReport:
    db_path: Path
    systems: list[SystemReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    steps: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    size_bytes: int = 0


@dataclass
class BuildContext:
    """What a post-build step gets: the new database and a folder for its artefacts."""

    conn: sqlite3.Connection
    artefacts: Path
    report: BuildReport
    progress: Callable[[str, int | None], Callable[[int], None]] | None = None
    data_dir: Path | None = None  # the folder the build read (steps that import their own files use it)


# Post-build steps run in order on the new database before it is renamed into place.
# Each is (name, function(ctx)). Feature modules register here.
def _post_build_steps() -> list[tuple[str, Callable[[BuildContext], None]]]:
    from medcodes.payment.build import build_step as payment_step
    from medcodes.search.index import build_index as search_step
    from medcodes.similar.build import build_step as similar_step

    steps: list[tuple[str, Callable[[BuildContext], None]]] = []
    steps.append(("search", search_step))
    steps.append(("similar", similar_step))
    steps.append(("payment", payment_step))
    return steps


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def artefacts_dir(db_path: Path, build_id: str) -> Path:
    return db_path.parent / f"{db_path.stem}-{build_id}"


def build(
    db_path: Path,
    sources: list[Source],
    read: Callable[[Source], Iterable[CodeRecord]],
    *,
    on_system: Callable[[Source], Callable[[int], None]] | None = None,
    steps: list[tuple[str, Callable[[BuildContext], None]]] | None = None,
    data_dir: Path | None = None,
) -> BuildReport:
    """Import `sources` (one or more per system) into a fresh database at `db_path`.

    `read(source)` yields the records of a source in release order. `on_system(source)` returns a
    callback that is told how many records have been read so far (for progress bars).
    """
    started = time.perf_counter()
    db_path = Path(db_path).resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    tmp_path = db_path.with_name(f".{db_path.name}.building-{build_id}")
    art_dir = artefacts_dir(db_path, build_id)
    report = BuildReport(db_path=db_path)
    conn = sqlite3.connect(tmp_path)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        schema.create(conn)
        intern = _Interner()
        for source in sources:
            report.systems.append(_import_source(conn, source, read, on_system, report, intern))
        intern.write(conn)
        _compute_depths(conn)
        _carry_over(conn, db_path, report)
        art_dir.mkdir(parents=True, exist_ok=True)
        conn.execute("INSERT INTO meta VALUES ('artefacts', ?)", (art_dir.name,))
        conn.execute("INSERT INTO meta VALUES ('build_id', ?)", (build_id,))
        conn.execute("INSERT INTO meta VALUES ('built_at', ?)", (_now(),))
        conn.commit()
        ctx = BuildContext(conn=conn, artefacts=art_dir, report=report, data_dir=data_dir)
        for name, step in steps if steps is not None else _post_build_steps():
            t0 = time.perf_counter()
            step(ctx)
            conn.commit()
            report.steps[name] = time.perf_counter() - t0
        conn.execute("ANALYZE")
        conn.commit()
        conn.close()
        os.replace(tmp_path, db_path)
    except BaseException:
        conn.close()
        tmp_path.unlink(missing_ok=True)
        shutil.rmtree(art_dir, ignore_errors=True)
        raise
    _remove_stale_artefacts(db_path, keep=art_dir)
    report.seconds = time.perf_counter() - started
    report.size_bytes = db_path.stat().st_size
    return report


def _import_source(conn, source: Source, read, on_system, report: BuildReport, intern: _Interner) -> SystemReport:
    t0 = time.perf_counter()
    cur = conn.execute(
        "INSERT INTO sources (system, name, version, release_date, files, imported_at) VALUES (?, ?, ?, ?, ?, ?)",
        (
            source.system,
            source.name,
            source.version,
            source.release_date,
            json.dumps({role: p.name for role, p in source.files.items()}),
            _now(),
        ),
    )
    source_id = cur.lastrowid
    sr = SystemReport(system=source.system, source=source.describe())
    tick = on_system(source) if on_system else None
    (start_sort,) = conn.execute(
        "SELECT COALESCE(MAX(sort), -1) + 1 FROM codes WHERE system = ?", (source.system,)
    ).fetchone()
    seen = {row[0] for row in conn.execute("SELECT code FROM codes WHERE system = ?", (source.system,))}
    codes, notes, terms = [], [], []

    def flush():
        conn.executemany(
            "INSERT INTO codes (system, code, display, kind, title, short_title, billable, parent, sort,"
            " effective_date, termination_date, source_id, attrs) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            codes,
        )
        conn.executemany("INSERT INTO notes (system, code, seq, type, text) VALUES (?,?,?,?,?)", notes)
        conn.executemany("INSERT INTO terms (system, code, term, origin) VALUES (?,?,?,?)", terms)
        codes.clear()
        notes.clear()
        terms.clear()

    n = 0
    for rec in read(source):
        if rec.system != source.system:
            raise ValueError(f"{source.name} yielded a {rec.system} record")
        if rec.code in seen:
            # Importers yield the newest release first, so the first row of a code wins.
            sr.duplicates += 1
            continue
        seen.add(rec.code)
        codes.append(
            (
                rec.system,
                rec.code,
                rec.display,
                rec.kind,
                rec.title,
                rec.short_title,
                int(rec.billable),
                rec.parent,
                start_sort + n,
                rec.effective_date,
                rec.termination_date,
                source_id,
                json.dumps(intern(rec.attrs), separators=(",", ":")) if rec.attrs else None,
            )
        )
        for seq, note in enumerate(rec.notes):
            notes.append((rec.system, rec.code, seq, note.type, note.text))
        for term in rec.terms:
            origin = "term"
            if isinstance(term, tuple):
                term, origin = term
            terms.append((rec.system, rec.code, term, origin))
        n += 1
        if len(codes) >= BATCH:
            flush()
            if tick:
                tick(n)
    flush()
    if tick:
        tick(n)
    sr.count = n
    # Importers add notes while reading (counts, reconciliations), so store them afterwards.
    conn.execute(
        "UPDATE sources SET record_count = ?, notes = ? WHERE id = ?", (n, json.dumps(source.notes), source_id)
    )
    sr.orphans = conn.execute(
        "SELECT COUNT(*) FROM codes c WHERE c.system = ? AND c.parent IS NOT NULL AND NOT EXISTS"
        " (SELECT 1 FROM codes p WHERE p.system = c.system AND p.code = c.parent)",
        (source.system,),
    ).fetchone()[0]
    if sr.duplicates:
        report.warnings.append(
            f"{source.system}: {sr.duplicates} codes appeared more than once; the newest release's row was kept"
        )
    sr.seconds = time.perf_counter() - t0
    return sr


def _compute_depths(conn: sqlite3.Connection) -> None:
    rows = conn.execute("SELECT id, system, code, parent FROM codes").fetchall()
    parent_of = {(s, c): p for _, s, c, p in rows}
    depth: dict[tuple[str, str], int] = {}

    def depth_of(key: tuple[str, str]) -> int:
        chain = []
        while key not in depth:
            parent = parent_of.get(key)
            if parent is None or (key[0], parent) not in parent_of or len(chain) > 50:
                depth[key] = 0
                break
            chain.append(key)
            key = (key[0], parent)
        d = depth[key]
        for k in reversed(chain):
            d += 1
            depth[k] = d
        return depth[chain[0]] if chain else depth[key]

    conn.executemany(
        "UPDATE codes SET depth = ? WHERE id = ?", [(depth_of((s, c)), i) for i, s, c, _ in rows]
    )


def _carry_over(conn: sqlite3.Connection, db_path: Path, report: BuildReport) -> None:
    """Copy ingested policies and stored explanations from the database being replaced."""
    if not db_path.exists():
        return
    try:
        conn.execute("ATTACH DATABASE ? AS old", (f"file:{db_path}?mode=ro",))
    except sqlite3.DatabaseError:
        report.warnings.append(f"{db_path.name}: the previous database could not be read; nothing carried over")
        return
    try:
        old_tables = {r[0] for r in conn.execute("SELECT name FROM old.sqlite_master WHERE type = 'table'")}
        for table in schema.CARRIED_TABLES:
            if table not in old_tables:
                continue
            new_cols = [r[1] for r in conn.execute(f"PRAGMA main.table_info({table})")]
            old_cols = {r[1] for r in conn.execute(f"PRAGMA old.table_info({table})")}
            cols = ", ".join(c for c in new_cols if c in old_cols)
            n = conn.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM old.{table}").rowcount
            if n:
                report.warnings.append(f"carried over {n} rows of {table} from the previous database")
        conn.commit()
    except sqlite3.DatabaseError as exc:
        report.warnings.append(f"{db_path.name}: carrying over failed ({exc}); nothing carried over")
        conn.rollback()
    finally:
        conn.execute("DETACH DATABASE old")


def _remove_stale_artefacts(db_path: Path, keep: Path) -> None:
    for path in db_path.parent.glob(f"{db_path.stem}-*"):
        if path.is_dir() and path != keep:
            shutil.rmtree(path, ignore_errors=True)

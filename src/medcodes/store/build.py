"""Build a database from chosen releases: write a temporary file, then rename it into place.

A failed build (bad release file, crash, Ctrl-C) leaves the database being served untouched.
Derived artefacts (the search index) go to a folder named after the build, recorded in `meta`,
so the SQLite file is the single pointer that the rename swaps.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from medcodes.codesets import common_names as _common_names
from medcodes.models import CodeRecord, ReleaseFileError, Source
from medcodes.store import schema
from medcodes.store.context import BuildContext, BuildPaths, Settings, Step

__all__ = [
    "BuildContext",
    "BuildError",
    "BuildPaths",
    "BuildReport",
    "Settings",
    "Step",
    "SystemReport",
    "build",
    "build_lock",
]

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


class BuildError(Exception):
    """A build could not run or finish; the message is one line a person can act on."""


@contextmanager
def build_lock(db_path: Path) -> Iterator[None]:
    """Only one build into a path at a time: a second one fails at once with one clear line."""
    lock_path = db_path.with_name(f".{db_path.name}.lock")
    try:
        fh = open(lock_path, "a+")
    except OSError as exc:
        raise BuildError(_describe_os_error(exc, db_path.parent)) from None
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            other = fh.read().strip() or "unknown"
            raise BuildError(
                f"another build into {db_path.name} is running (pid {other}); try again when it ends"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield
    finally:
        fh.close()


def remove_stale_builds(db_path: Path) -> list[str]:
    """Temporary files and artefact folders left by builds that were killed (call under the lock)."""
    removed = []
    for tmp in db_path.parent.glob(f".{db_path.name}.building-*"):
        build_id = tmp.name.rsplit(".building-", 1)[-1].split("-journal")[0]
        tmp.unlink(missing_ok=True)
        shutil.rmtree(BuildPaths.of(db_path, build_id).artefacts, ignore_errors=True)
        removed.append(tmp.name)
    return removed


def _describe_os_error(exc: BaseException, where: Path) -> str:
    text = str(exc)
    errno_ = getattr(exc, "errno", None)
    if errno_ == errno.ENOSPC or "disk is full" in text or "disk full" in text:
        return f"the disk is full while writing in {where}; free some space and build again"
    read_only = (
        isinstance(exc, PermissionError)
        or errno_ in (errno.EROFS, errno.EACCES)
        or "readonly" in text.replace("-", "")
        or "read-only" in text
        or "unable to open database file" in text
    )
    if read_only:
        return f"cannot write in {where} (read-only or no permission)"
    return f"writing in {where} failed: {text or type(exc).__name__}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def build(
    db_path: Path,
    sources: list[Source],
    read: Callable[[Source], Iterable[CodeRecord]],
    *,
    on_system: Callable[[Source], Callable[[int], None]] | None = None,
    steps: Iterable[Step] = (),
    settings: Settings | None = None,
    data_dir: Path | None = None,
) -> BuildReport:
    """Import `sources` (one or more per system) into a fresh database at `db_path`, then run `steps`.

    `read(source)` yields the records of a source in release order. `on_system(source)` returns a
    callback that is told how many records have been read so far (for progress bars). The store
    names no step: `medcodes.pipeline.build` passes the project's ordered list.
    """
    started = time.perf_counter()
    db_path = Path(db_path).resolve()
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(_describe_os_error(exc, db_path.parent)) from None
    with build_lock(db_path):
        stale = remove_stale_builds(db_path)
        try:
            report = _build_locked(db_path, sources, read, on_system, steps, settings, started, data_dir)
        except (sqlite3.OperationalError, OSError) as exc:
            raise BuildError(_describe_os_error(exc, db_path.parent)) from None
    if stale:
        report.warnings.append(f"removed {len(stale)} temporary file(s) left by an interrupted build")
    return report


def _build_locked(
    db_path: Path,
    sources: list[Source],
    read: Callable[[Source], Iterable[CodeRecord]],
    on_system: Callable[[Source], Callable[[int], None]] | None,
    steps: Iterable[Step],
    settings: Settings | None,
    started: float,
    data_dir: Path | None = None,
) -> BuildReport:
    build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    settings = settings or Settings()
    paths = BuildPaths.of(db_path, build_id, settings.cache_dir)
    tmp_path, art_dir = paths.building, paths.artefacts
    report = BuildReport(db_path=db_path)
    conn: sqlite3.Connection | None = None
    try:
        # Opened inside the try: a signal that lands as the file is created still removes it.
        conn = sqlite3.connect(tmp_path)
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
        ctx = BuildContext(conn=conn, paths=paths, report=report, settings=settings, data_dir=data_dir)
        for name, step in steps:
            t0 = time.perf_counter()
            step(ctx)
            conn.commit()
            report.steps[name] = time.perf_counter() - t0
        conn.execute("ANALYZE")
        conn.commit()
        conn.close()
        previous = _artefacts_of(db_path)
        os.replace(tmp_path, db_path)
    except BaseException:
        if conn is not None:
            conn.close()
        tmp_path.unlink(missing_ok=True)
        shutil.rmtree(art_dir, ignore_errors=True)
        raise
    _remove_stale_artefacts(db_path, keep={art_dir} | ({previous} if previous else set()))
    report.seconds = time.perf_counter() - started
    report.size_bytes = db_path.stat().st_size
    return report


def _import_source(
    conn, source: Source, read, on_system, report: BuildReport, intern: _Interner
) -> SystemReport:
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
    read = _reporting_errors(read)
    (start_sort,) = conn.execute(
        "SELECT COALESCE(MAX(sort), -1) + 1 FROM codes WHERE system = ?", (source.system,)
    ).fetchone()
    seen = {row[0] for row in conn.execute("SELECT code FROM codes WHERE system = ?", (source.system,))}
    names = _plain_names(report)
    codes: list[tuple] = []
    notes: list[tuple] = []
    terms: list[tuple] = []

    def flush():
        conn.executemany(
            "INSERT INTO codes (system, code, display, kind, title, short_title, common_name, billable, parent,"
            " sort, effective_date, termination_date, source_id, attrs) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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
                rec.common_name or names.get((rec.system, rec.code)),
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
        "UPDATE sources SET record_count = ?, notes = ? WHERE id = ?",
        (n, json.dumps(source.notes), source_id),
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


def _plain_names(report: BuildReport) -> dict[tuple[str, str], str]:
    """The project's common names, stored beside the titles at import so every reader gets them."""
    try:
        return _common_names.load()
    except _common_names.CommonNameError as exc:  # a broken names file fails its own tests, not the build
        warning = f"common names not loaded: {exc}"
        if warning not in report.warnings:
            report.warnings.append(warning)
        return {}


def _reporting_errors(
    read: Callable[[Source], Iterable[CodeRecord]],
) -> Callable[[Source], Iterator[CodeRecord]]:
    """Any failure while reading a release (a corrupt workbook, a bad zip) names its file."""

    def wrapped(src: Source) -> Iterator[CodeRecord]:
        try:
            yield from read(src)
        except (ReleaseFileError, sqlite3.Error, MemoryError, KeyboardInterrupt):
            raise
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EROFS, errno.EACCES):
                raise
            raise ReleaseFileError(_main_file(src), f"cannot be read ({exc})") from None
        except Exception as exc:  # noqa: BLE001 - third-party readers raise anything on a damaged file
            raise ReleaseFileError(
                _main_file(src), f"damaged or not the expected format ({type(exc).__name__}: {exc})"
            ) from None

    return wrapped


def _main_file(src: Source) -> str:
    return next((str(p) for p in src.files.values()), src.name)


def _compute_depths(conn: sqlite3.Connection) -> None:
    rows = conn.execute("SELECT id, system, code, parent FROM codes").fetchall()
    parent_of = {(s, c): p for _, s, c, p in rows}
    depth: dict[tuple[str, str], int] = {}

    def depth_of(key: tuple[str, str]) -> int:
        chain: list[tuple[str, str]] = []
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
        report.warnings.append(
            f"{db_path.name}: the previous database could not be read; nothing carried over"
        )
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


def _artefacts_of(db_path: Path) -> Path | None:
    """The artefact folder of the database about to be replaced: a running server may still be reading
    it (store/live.py), so it stays until the next build."""
    if not db_path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'artefacts'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return db_path.parent / row[0] if row and row[0] else None


def _remove_stale_artefacts(db_path: Path, keep: set[Path]) -> None:
    for path in db_path.parent.glob(f"{db_path.stem}-*"):
        if path.is_dir() and path not in keep:
            shutil.rmtree(path, ignore_errors=True)

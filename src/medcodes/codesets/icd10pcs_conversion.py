"""The ICD-10-PCS conversion table (``icd10pcs_conversion_table.txt`` in CMS's conversion-table zip).

Tab-separated with a header: current code, its title, effective fiscal year, previous code, its
title, change type (New, Revised, Deleted), comment, and the month/day it took effect ("10.01" or
"04.01"; empty means the October release). A "Deleted" row names the deleted code in the previous
column and its current equivalent in the current column: 30233AZ -> 3E033AZ from 2026-04-01.
"NoPCS" stands where one side has no code.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medcodes.models import ReleaseFileError

_MEMBER = re.compile(r"(?:^|/)icd10pcs_conversion_table\.txt$", re.I)
_HEADER = (
    "current code",
    "code title",
    "effective year",
    "previous code",
    "predecessor code title",
    "change type",
)
_CODE = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
CHANGE_TYPES = ("New", "Revised", "Deleted")
NO_CODE = "NoPCS"  # the table's word for "no code on this side"


@dataclass(frozen=True, slots=True)
class ConversionRow:
    current: str | None  # None where the table says "NoPCS" (a deleted code with no equivalent)
    current_title: str
    previous: str | None  # None for a new code with no predecessor
    previous_title: str
    change_type: str  # New | Revised | Deleted
    effective_date: str  # ISO
    comment: str
    line: int


@dataclass(frozen=True, slots=True)
class ConversionFile:
    path: Path
    member: str | None

    @property
    def label(self) -> str:
        return f"{self.path.name}!{self.member}" if self.member else self.path.name


def find(path: Path) -> ConversionFile | None:
    if path.name.lower().endswith(".zip"):
        try:
            with zipfile.ZipFile(path) as zf:
                member = next((n for n in zf.namelist() if _MEMBER.search(n)), None)
        except zipfile.BadZipFile:
            return None
        return ConversionFile(path, member) if member else None
    return ConversionFile(path, None) if _MEMBER.search(path.name) else None


def _date(year: str, month_day: str, cf: ConversionFile, where: str) -> str:
    if not re.fullmatch(r"\d{4}", year):
        raise ReleaseFileError(cf.path, f"effective year {year!r} is not a year", where=where)
    fy = int(year)
    md = month_day.strip() or "10.01"
    if md == "10.01":
        return f"{fy - 1}-10-01"
    if re.fullmatch(r"\d\d\.\d\d", md):
        return f"{fy}-{md[:2]}-{md[3:]}"
    raise ReleaseFileError(cf.path, f"effective month/day {month_day!r} is not MM.DD", where=where)


def read(cf: ConversionFile) -> Iterator[ConversionRow]:
    if cf.member is None:
        raw = cf.path.read_bytes()
    else:
        with zipfile.ZipFile(cf.path) as zf:
            raw = zf.read(cf.member)
    text = raw.decode("cp1252")
    name = cf.member or cf.path.name
    reader = csv.reader(io.StringIO(text), delimiter="\t")
    for n, row in enumerate(reader, 1):
        where = f"{name} line {n}"
        if n == 1:
            head = tuple(c.strip().lower() for c in row[: len(_HEADER)])
            if (
                not all(h.startswith(e.split()[0]) for h, e in zip(head, _HEADER, strict=False))
                or len(head) < 6
            ):
                raise ReleaseFileError(cf.path, f"unexpected header {row[:6]!r}", where=where)
            continue
        if not any(c.strip() for c in row):
            continue
        if len(row) < 6:
            raise ReleaseFileError(cf.path, f"{len(row)} fields, expected at least 6", where=where)
        current, title, year, previous, prev_title, change = (c.strip() for c in row[:6])
        if change not in CHANGE_TYPES:
            raise ReleaseFileError(
                cf.path, f"change type {change!r} is not one of {', '.join(CHANGE_TYPES)}", where=where
            )
        new: str | None = None if current == NO_CODE else current
        old: str | None = None if previous == NO_CODE else previous
        for code in (new, old):
            if code is not None and not _CODE.match(code):
                raise ReleaseFileError(cf.path, f"{code!r} is not an ICD-10-PCS code", where=where)
        extra = [c.strip() for c in row[6:8]]
        # Rows without a comment carry the month/day in the seventh field.
        if len(extra) == 1 and re.fullmatch(r"\d\d\.\d\d", extra[0]):
            extra = ["", extra[0]]
        comment, month_day = (extra + ["", ""])[:2]
        yield ConversionRow(
            new, title, old, prev_title, change, _date(year, month_day, cf, where), comment, n
        )

"""GPCI file (GPCI2025.csv/.xlsx, "Addendum E"): one row per Medicare locality with its three geographic
practice cost indices. A locality is named MAC-LOCALITY ("13202-01"), as CMS keys its fee schedules."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medcodes.codesets.tabular import after_header, cell, decimal_text, locality_rows
from medcodes.models import ReleaseFileError

KIND = "gpci"


@dataclass(slots=True, frozen=True)
class GpciRow:
    mac: str  # five digits
    locality: str  # two digits
    state: str  # two-letter code
    name: str
    work_gpci: str
    pe_gpci: str
    mp_gpci: str

    @property
    def id(self) -> str:
        return f"{self.mac}-{self.locality}"


def is_header(cells: list[str]) -> bool:
    names = [c.strip().upper() for c in cells]
    return (
        len(names) >= 7
        and names[0].startswith("MEDICARE ADMINISTRATIVE CONTRACTOR")
        and "GPCI" in names[4]
        and "GPCI" in names[5]
        and "GPCI" in names[6]
    )


def read(path: Path, fmt: str) -> Iterator[GpciRow]:
    _n, _header, it = after_header(
        path, fmt, is_header, "no GPCI header row (Medicare Administrative Contractor, State, ...) found"
    )
    for where, mac, loc, row in locality_rows(path, fmt, it, locality_col=2):
        yield GpciRow(
            mac=mac,
            locality=loc,
            state=cell(row, 1).upper(),
            name=re.sub(r"\*+$", "", cell(row, 3)).strip(),
            work_gpci=decimal_text(cell(row, 4), path, where, "work GPCI", blank=None)
            or _missing(path, where),
            pe_gpci=decimal_text(cell(row, 5), path, where, "PE GPCI", blank=None) or _missing(path, where),
            mp_gpci=decimal_text(cell(row, 6), path, where, "MP GPCI", blank=None) or _missing(path, where),
        )


def _missing(path: Path, where: str) -> str:
    raise ReleaseFileError(path, "a GPCI value is missing", where=where)

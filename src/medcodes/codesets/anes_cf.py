"""Anesthesia conversion factors (ANES2025.csv/.xlsx): the national factor in the header, one per locality below."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from medcodes.codesets.tabular import cell, decimal_text, rows, unit
from medcodes.models import ReleaseFileError

KIND = "anes"
_NATIONAL = re.compile(r"NATIONAL ANES\w* CF\D*([\d.]+)", re.I)


@dataclass(slots=True, frozen=True)
class AnesRow:
    mac: str
    locality: str
    name: str
    conversion_factor: str

    @property
    def id(self) -> str:
        return f"{self.mac}-{self.locality}"


@dataclass(slots=True)
class AnesFile:
    national_conversion_factor: str | None
    rows: list[AnesRow]


def is_header(cells: list[str]) -> bool:
    names = [c.strip().upper() for c in cells]
    return len(names) >= 4 and names[0] == "CONTRACTOR" and names[1] == "LOCALITY" and "ANES" in names[3]


def read(path: Path, fmt: str) -> AnesFile:
    it = rows(path, fmt)
    national = None
    for n, row in it:
        if is_header(row):
            m = _NATIONAL.search(cell(row, 3))
            national = decimal_text(m.group(1), path, f"{unit(fmt)} {n}", "national CF") if m else None
            break
    else:
        raise ReleaseFileError(
            path, "no anesthesia header row (Contractor, Locality, Locality Name, ...) found"
        )
    out: list[AnesRow] = []
    for n, row in it:
        mac, loc = cell(row, 0), cell(row, 1)
        if not mac.isdigit():
            continue
        where = f"{unit(fmt)} {n}"
        if not loc.isdigit():
            raise ReleaseFileError(path, f"locality number is not a number: {loc!r}", where=where)
        cf = decimal_text(cell(row, 3), path, where, "anesthesia conversion factor", blank=None)
        if cf is None:
            raise ReleaseFileError(path, "anesthesia conversion factor missing", where=where)
        out.append(
            AnesRow(
                mac=mac.zfill(5),
                locality=loc.zfill(2),
                name=re.sub(r"\*+$", "", cell(row, 2)),
                conversion_factor=cf,
            )
        )
    if not out:
        raise ReleaseFileError(path, "no locality rows after the header; the file may be truncated")
    return AnesFile(national, out)

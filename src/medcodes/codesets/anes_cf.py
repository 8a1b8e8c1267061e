"""Anesthesia conversion factors (ANES2025.csv/.xlsx): the national factor in the header, one per locality below."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from medcodes.codesets.tabular import after_header, cell, decimal_text, locality_rows, unit
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
    n, header, it = after_header(
        path, fmt, is_header, "no anesthesia header row (Contractor, Locality, Locality Name, ...) found"
    )
    m = _NATIONAL.search(cell(header, 3))
    national = decimal_text(m.group(1), path, f"{unit(fmt)} {n}", "national CF") if m else None
    out: list[AnesRow] = []
    for where, mac, loc, row in locality_rows(path, fmt, it):
        cf = decimal_text(cell(row, 3), path, where, "anesthesia conversion factor", blank=None)
        if cf is None:
            raise ReleaseFileError(path, "anesthesia conversion factor missing", where=where)
        out.append(
            AnesRow(mac=mac, locality=loc, name=re.sub(r"\*+$", "", cell(row, 2)), conversion_factor=cf)
        )
    return AnesFile(national, out)

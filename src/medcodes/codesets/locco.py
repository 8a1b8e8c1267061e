"""Locality-county crosswalk (25LOCCO.csv/.xlsx): which counties each Medicare locality covers.

The state name is given on the first row of a state only; the MAC number may have lost its leading
zero ("2102" for 02102)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medcodes.codesets.tabular import after_header, cell, locality_rows

KIND = "locco"


@dataclass(slots=True, frozen=True)
class CountyRow:
    mac: str
    locality: str
    state_name: str
    area: str  # fee schedule area as CMS names it
    counties: str

    @property
    def id(self) -> str:
        return f"{self.mac}-{self.locality}"


def is_header(cells: list[str]) -> bool:
    names = [c.strip().upper() for c in cells]
    return len(names) >= 5 and "LOCALITY" in names[1] and "COUNTIES" in names[4] and "CONTRACTOR" in names[0]


def read(path: Path, fmt: str) -> Iterator[CountyRow]:
    _n, _header, it = after_header(
        path,
        fmt,
        is_header,
        "no locality/county header row (Medicare Administrative Contractor, "
        "Locality Number, State, Fee Schedule Area, Counties) found",
    )
    state = ""
    for _where, mac, loc, row in locality_rows(path, fmt, it):
        state = cell(row, 2) or state
        yield CountyRow(
            mac=mac,
            locality=loc,
            state_name=state.title(),
            area=cell(row, 3),
            counties=cell(row, 4),
        )

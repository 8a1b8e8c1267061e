"""Locality-county crosswalk (25LOCCO.csv/.xlsx): which counties each Medicare locality covers.

The state name is given on the first row of a state only; the MAC number may have lost its leading
zero ("2102" for 02102)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medcodes.codesets.tabular import cell, rows, unit
from medcodes.models import ReleaseFileError

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
    it = rows(path, fmt)
    for _n, row in it:
        if is_header(row):
            break
    else:
        raise ReleaseFileError(
            path,
            "no locality/county header row (Medicare Administrative Contractor, "
            "Locality Number, State, Fee Schedule Area, Counties) found",
        )
    state = ""
    count = 0
    for n, row in it:
        mac, loc = cell(row, 0), cell(row, 1)
        if not mac.isdigit():
            continue  # spacer rows and footnotes
        if not loc.isdigit():
            raise ReleaseFileError(
                path, f"locality number is not a number: {loc!r}", where=f"{unit(fmt)} {n}"
            )
        state = cell(row, 2) or state
        count += 1
        yield CountyRow(
            mac=mac.zfill(5),
            locality=loc.zfill(2),
            state_name=state.title(),
            area=cell(row, 3),
            counties=cell(row, 4),
        )
    if not count:
        raise ReleaseFileError(path, "no locality rows after the header; the file may be truncated")

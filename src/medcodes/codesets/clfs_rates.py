"""Clinical Laboratory Fee Schedule rates (PUF_CLFS csv / ~-delimited txt / xlsx): code, modifier, rate, year.
Descriptors are left to the CPT importer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medcodes.codesets.tabular import after_header, cell, check_code, decimal_text, unit
from medcodes.models import ReleaseFileError

KIND = "clfs"


@dataclass(slots=True, frozen=True)
class ClfsRate:
    code: str
    modifier: str
    rate: str
    year: int | None
    effective: str | None  # ISO date
    indicator: str


def is_header(cells: list[str]) -> bool:
    names = {c.strip().upper() for c in cells}
    return {"HCPCS", "RATE", "SHORTDESC"} <= names


def read(path: Path, fmt: str) -> Iterator[ClfsRate]:
    _n, header, it = after_header(
        path,
        fmt,
        is_header,
        "no CLFS header row (YEAR, HCPCS, MOD, ..., RATE) found",
        delimiter="~" if fmt == "txt" else ",",
    )
    names = [c.strip().upper() for c in header]
    col = {name: i for i, name in enumerate(names)}
    c_code, c_mod, c_rate = col["HCPCS"], col.get("MOD"), col["RATE"]
    c_year, c_eff, c_ind = col.get("YEAR"), col.get("EFF_DATE"), col.get("INDICATOR")
    count = 0
    for n, row in it:
        if not any(c.strip() for c in row):
            continue
        where = f"{unit(fmt)} {n}"
        code = cell(row, c_code).upper()
        check_code(code, path, where)
        year = cell(row, c_year) if c_year is not None else ""
        eff = cell(row, c_eff) if c_eff is not None else ""
        count += 1
        yield ClfsRate(
            code=code,
            modifier=cell(row, c_mod).upper() if c_mod is not None else "",
            rate=decimal_text(cell(row, c_rate), path, where, "rate", blank=None) or _missing(path, where),
            year=int(year) if year.isdigit() else None,
            effective=f"{eff[:4]}-{eff[4:6]}-{eff[6:8]}" if re.fullmatch(r"\d{8}", eff) else None,
            indicator=cell(row, c_ind) if c_ind is not None else "",
        )
    if not count:
        raise ReleaseFileError(path, "no data rows after the header; the file may be truncated")


def _missing(path: Path, where: str) -> str:
    raise ReleaseFileError(path, "rate missing", where=where)

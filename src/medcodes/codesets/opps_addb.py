"""OPPS Addendum B (xlsx or csv): hospital outpatient status indicator, APC, relative weight, payment
rate and copayments per HCPCS/CPT code. The year comes from the title row or the file name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from medcodes.codesets.tabular import cell, check_code, decimal_text, rows, unit, year_in
from medcodes.models import ReleaseFileError

KIND = "opps"


@dataclass(slots=True, frozen=True)
class OppsRow:
    code: str
    status_indicator: str
    apc: str
    relative_weight: str | None
    payment_rate: str | None
    national_copay: str | None
    minimum_copay: str | None


@dataclass(slots=True)
class OppsFile:
    year: int | None
    rows: list[OppsRow]


def _names(cells: list[str]) -> list[str]:
    return [re.sub(r"\s+", " ", c).strip().upper() for c in cells]


def is_header(cells: list[str]) -> bool:
    names = _names(cells)
    return len(names) >= 6 and names[0] == "HCPCS CODE" and "SI" in names and "PAYMENT RATE" in names


def read(path: Path, fmt: str) -> OppsFile:
    it = rows(path, fmt)
    title = ""
    for _n, row in it:
        if is_header(row):
            names = _names(row)
            break
        title = title or " ".join(c for c in row if c and "ADDENDUM" in c.upper())
    else:
        raise ReleaseFileError(
            path, "no Addendum B header row (HCPCS Code, Short Descriptor, SI, APC, ...) found"
        )
    col: dict[str, int] = {}
    for i, name in enumerate(names):
        col.setdefault(name, i)

    def want(prefix: str) -> int | None:
        return next((i for name, i in col.items() if name.startswith(prefix)), None)

    c_si, c_apc, c_w, c_rate = col["SI"], want("APC"), want("RELATIVE WEIGHT"), col["PAYMENT RATE"]
    c_nat, c_min = want("NATIONAL UNADJUSTED COPAY"), want("MINIMUM UNADJUSTED COPAY")
    out: list[OppsRow] = []
    for n, row in it:
        code = cell(row, 0).upper()
        if not code:
            continue
        where = f"{unit(fmt)} {n}"
        check_code(code, path, where)

        def num(i: int | None, field: str, row: list[str] = row, where: str = where) -> str | None:
            return None if i is None else decimal_text(cell(row, i), path, where, field, blank=None)

        out.append(
            OppsRow(
                code=code,
                status_indicator=cell(row, c_si).upper(),
                apc=cell(row, c_apc) if c_apc is not None else "",
                relative_weight=num(c_w, "relative weight"),
                payment_rate=num(c_rate, "payment rate"),
                national_copay=num(c_nat, "national copayment"),
                minimum_copay=num(c_min, "minimum copayment"),
            )
        )
    if not out:
        raise ReleaseFileError(path, "no data rows after the header; the file may be truncated")
    return OppsFile(year=year_in(title, path.name), rows=out)

"""NCCI Medically Unlikely Edit tables (csv or xlsx), one per setting: practitioner, outpatient hospital,
DME supplier. Each row: code, the most units of service normally billed per day (or line), the
adjudication indicator and CMS's rationale. The setting is read from the value column's heading."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medcodes.codesets.tabular import cell, check_code, rows, unit
from medcodes.models import ReleaseFileError

KIND = "mue"
SETTINGS = {
    "PRACTITIONER": "practitioner",
    "OUTPATIENT HOSPITAL": "outpatient_hospital",
    "DME SUPPLIER": "dme",
}
_EFFECTIVE = re.compile(r"Eff[_ -]?(\d{2})[-_](\d{2})[-_](\d{4})", re.I)


@dataclass(slots=True, frozen=True)
class MueRow:
    code: str
    setting: str
    value: int
    indicator: str  # "1", "2" or "3"
    indicator_text: str  # as the file words it
    rationale: str


def setting_of(cells: list[str]) -> str | None:
    """The setting when `cells` is an MUE header row, else None."""
    names = [re.sub(r"\s+", " ", c).strip().upper() for c in cells]
    if len(names) < 4 or not names[0].startswith("HCPCS") or "ADJUDICATION" not in names[2]:
        return None
    return next((s for key, s in SETTINGS.items() if names[1].startswith(key) and "MUE" in names[1]), None)


def effective_date(path: Path) -> str | None:
    m = _EFFECTIVE.search(path.name)
    return f"{m.group(3)}-{m.group(1)}-{m.group(2)}" if m else None


def read(path: Path, fmt: str) -> Iterator[MueRow]:
    it = rows(path, fmt)
    setting = None
    for _n, row in it:
        setting = setting_of(row)
        if setting:
            break
    if setting is None:
        raise ReleaseFileError(
            path,
            "no MUE header row (HCPCS/CPT Code, ... MUE Values, MUE Adjudication "
            "Indicator, MUE Rationale) found",
        )
    count = 0
    for n, row in it:
        if not any(c.strip() for c in row):
            continue
        where = f"{unit(fmt)} {n}"
        code, value, ind = cell(row, 0).upper(), cell(row, 1), cell(row, 2)
        check_code(code, path, where)
        if not value.isdigit():
            raise ReleaseFileError(path, f"MUE value is not a whole number: {value[:20]!r}", where=where)
        if ind[:1] not in ("1", "2", "3"):
            raise ReleaseFileError(
                path, f"adjudication indicator is not 1, 2 or 3: {ind[:30]!r}", where=where
            )
        count += 1
        yield MueRow(
            code=code,
            setting=setting,
            value=int(value),
            indicator=ind[0],
            indicator_text=ind,
            rationale=cell(row, 3),
        )
    if not count:
        raise ReleaseFileError(path, "no data rows after the header; the file may be truncated")

"""PFS relative value file (PPRRVU csv / fixed-width txt / xlsx): one row per code and modifier, every code.

The column order is CMS's record layout (RVU25D read-me); the csv and xlsx carry it as columns under a
stacked header whose last line starts "HCPCS, MOD, DESCRIPTION", the txt as fixed positions. Numbers are
kept as the text the file gives, so amounts can be computed exactly later. Descriptors are not read:
the CPT ones are AMA text and the code importers already carry titles.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medcodes.codesets.tabular import cell, check_code, decimal_text, rows, unit
from medcodes.models import ReleaseFileError

KIND = "pfs"
_MODIFIERS = {"", "26", "TC", "53"}


@dataclass(slots=True, frozen=True)
class PfsRow:
    code: str
    modifier: str  # "" for the global row, else 26, TC or 53
    status: str
    not_used_for_medicare: bool
    work_rvu: str
    pe_nonfacility_rvu: str
    nonfacility_na: bool
    pe_facility_rvu: str
    facility_na: bool
    mp_rvu: str
    total_nonfacility_rvu: str
    total_facility_rvu: str
    pctc: str
    global_days: str
    pre_op: str
    intra_op: str
    post_op: str
    mult_proc: str
    bilat_surg: str
    asst_surg: str
    co_surg: str
    team_surg: str
    endo_base: str
    conversion_factor: str
    supervision: str
    calc_flag: str
    imaging_family: str
    opps_pe_nonfacility_rvu: str
    opps_pe_facility_rvu: str
    opps_mp_rvu: str


# Field order of the record after code, modifier and descriptor; numbers are marked.
_FIELDS = [
    ("status", False),
    ("not_used_for_medicare", False),
    ("work_rvu", True),
    ("pe_nonfacility_rvu", True),
    ("nonfacility_na", False),
    ("pe_facility_rvu", True),
    ("facility_na", False),
    ("mp_rvu", True),
    ("total_nonfacility_rvu", True),
    ("total_facility_rvu", True),
    ("pctc", False),
    ("global_days", False),
    ("pre_op", True),
    ("intra_op", True),
    ("post_op", True),
    ("mult_proc", False),
    ("bilat_surg", False),
    ("asst_surg", False),
    ("co_surg", False),
    ("team_surg", False),
    ("endo_base", False),
    ("conversion_factor", True),
    ("supervision", False),
    ("calc_flag", False),
    ("imaging_family", False),
    ("opps_pe_nonfacility_rvu", True),
    ("opps_pe_facility_rvu", True),
    ("opps_mp_rvu", True),
]
# 1-based inclusive positions of the same fields in the fixed-width txt (RVU25D record layout).
_TXT = [
    (58, 58),
    (59, 59),
    (60, 65),
    (67, 72),
    (73, 74),
    (76, 81),
    (82, 83),
    (85, 89),
    (91, 96),
    (97, 102),
    (103, 103),
    (104, 106),
    (107, 109),
    (110, 112),
    (113, 115),
    (116, 116),
    (117, 117),
    (118, 118),
    (119, 119),
    (120, 120),
    (128, 132),
    (133, 140),
    (142, 143),
    (144, 144),
    (146, 147),
    (152, 157),
    (159, 164),
    (166, 171),
]


def is_header(cells: list[str]) -> bool:
    return len(cells) >= 31 and [c.strip().upper() for c in cells[:3]] == ["HCPCS", "MOD", "DESCRIPTION"]


def _make(path: Path, where: str, code: str, mod: str, values: list[str]) -> PfsRow:
    code, mod = code.strip().upper(), mod.strip().upper()
    check_code(code, path, where)
    if mod not in _MODIFIERS:
        raise ReleaseFileError(
            path, f"unexpected modifier {mod!r} (expected blank, 26, TC or 53)", where=where
        )
    kw: dict[str, object] = {}
    for (name, numeric), raw in zip(_FIELDS, values, strict=True):
        raw = re.sub(r"\s+", " ", raw or "").strip()
        if numeric:
            kw[name] = decimal_text(raw, path, where, name.replace("_", " "))
        elif name in ("nonfacility_na", "facility_na"):
            kw[name] = raw.upper() == "NA"
        elif name == "not_used_for_medicare":
            kw[name] = raw == "+"
        else:
            kw[name] = raw
    if not kw["status"] or not str(kw["status"]).isalpha():
        raise ReleaseFileError(path, f"status code missing or not a letter: {kw['status']!r}", where=where)
    return PfsRow(code=code, modifier=mod, **kw)  # type: ignore[arg-type]


def read(path: Path, fmt: str) -> Iterator[PfsRow]:
    if fmt == "txt":
        yield from _read_txt(path)
        return
    it = rows(path, fmt)
    for _n, row in it:
        if is_header(row):
            break
    else:
        raise ReleaseFileError(path, "no PFS header row (HCPCS, MOD, DESCRIPTION, ...) found")
    count = 0
    for n, row in it:
        if not any(c.strip() for c in row):
            continue
        where = f"{unit(fmt)} {n}"
        if len(row) < 31:
            raise ReleaseFileError(
                path, f"expected 31 fields, found {len(row)}; the file may be truncated", where=where
            )
        count += 1
        yield _make(path, where, cell(row, 0), cell(row, 1), [row[i] for i in range(3, 31)])
    if not count:
        raise ReleaseFileError(path, "no data rows after the header; the file may be truncated")


def _read_txt(path: Path) -> Iterator[PfsRow]:
    from medcodes.codesets.cpt import _read_text

    count = 0
    for n, line in enumerate(_read_text(path).splitlines(), start=1):
        if line.startswith("HDR") or not line.strip():
            continue
        if len(line) < 171:
            raise ReleaseFileError(
                path,
                f"record is {len(line)} characters, expected at least 171; the file may be truncated",
                where=f"line {n}",
            )
        count += 1
        yield _make(path, f"line {n}", line[0:5], line[5:7], [line[a - 1 : b] for a, b in _TXT])
    if not count:
        raise ReleaseFileError(path, "no PFS records found")

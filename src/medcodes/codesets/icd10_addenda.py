"""ICD-10-CM and ICD-10-PCS order addenda (``icd10cm_order_addenda_YYYY.txt``, ``order_addenda_YYYY.txt``).

Each line is ``Add:``, ``Delete:``, ``Revise from:`` or ``Revise to:`` (13 characters with padding),
then the order-file layout without the order number: for ICD-10-CM a valid flag and a space, then the
code padded to 7, a space, the short title padded to 60, a space and the long title. A summary block
("74260 codes in icd10cm_order_2025.txt / 74719 codes in icd10cm_order_2026.txt") closes the file; the
two years in it tell an October release (years differ) from an April update (same year), which
decides the date the changes take effect.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medcodes.models import ReleaseFileError

_MEMBER = re.compile(r"(?:^|/)(icd10cm_order_addenda|order_addenda)_(\d{4})\.txt$", re.I)
_ACTION = re.compile(r"^(Add|Delete|Revise from|Revise to):\s")
_SUMMARY = re.compile(r"^\s*(\d+) codes in icd10(cm|pcs)_(?:order|codes)_(\d{4})\.txt\s*$", re.M)
_CODE = re.compile(r"^[0-9A-Z]{3,7}$")


@dataclass(frozen=True, slots=True)
class AddendaFile:
    path: Path  # the zip (or loose txt)
    member: str | None
    system: str  # icd10cm | icd10pcs
    fiscal_year: int
    effective_date: str  # ISO: when the changes take effect

    @property
    def label(self) -> str:
        return f"{self.path.name}!{self.member}" if self.member else self.path.name


@dataclass(frozen=True, slots=True)
class AddendaRow:
    action: str  # add | delete | revise_from | revise_to
    code: str  # canonical, no dot
    valid: bool | None  # ICD-10-CM flag (1 = billable code, 0 = heading); None for ICD-10-PCS
    short_title: str
    long_title: str
    line: int


def _effective(text: str, member: str, path: Path) -> tuple[str, int, str]:
    found = _SUMMARY.findall(text)
    if len(found) < 2:
        raise ReleaseFileError(path, 'no addenda summary ("N codes in ..._YYYY.txt" twice)', where=member)
    (_, system, prev_y), (_, _, cur_y) = found[-2], found[-1]
    fy = int(cur_y)
    date = f"{fy}-04-01" if int(prev_y) == fy else f"{fy - 1}-10-01"
    return ("icd10cm" if system == "cm" else "icd10pcs"), fy, date


def find(path: Path) -> list[AddendaFile]:
    """The order addenda in a release zip (or a loose addenda text); [] when there is none."""
    out: list[AddendaFile] = []
    name = path.name.lower()
    if name.endswith(".zip"):
        try:
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    if _MEMBER.search(info.filename):
                        text = zf.read(info).decode("latin-1")
                        system, fy, date = _effective(text, info.filename, path)
                        out.append(AddendaFile(path, info.filename, system, fy, date))
        except zipfile.BadZipFile:
            return []
    elif _MEMBER.search(path.name):
        system, fy, date = _effective(path.read_text("latin-1"), path.name, path)
        out.append(AddendaFile(path, None, system, fy, date))
    return out


def _text(af: AddendaFile) -> str:
    if af.member is None:
        return af.path.read_text("latin-1")
    with zipfile.ZipFile(af.path) as zf:
        return zf.read(af.member).decode("latin-1")


def read(af: AddendaFile) -> Iterator[AddendaRow]:
    """The change lines, in file order. A line that starts like a change but does not parse stops
    the import with the file and line."""
    for n, raw in enumerate(_text(af).splitlines(), 1):
        m = _ACTION.match(raw)
        if not m:
            continue  # blank lines, the summary block
        where = f"{af.member or af.path.name} line {n}"
        rest = raw[13:]
        valid: bool | None = None
        if af.system == "icd10cm":
            if len(rest) < 2 or rest[0] not in "01" or rest[1] != " ":
                raise ReleaseFileError(
                    af.path, f"expected a 0/1 valid flag after {m.group(1)!r}", where=where
                )
            valid, rest = rest[0] == "1", rest[2:]
        code = rest[:7].strip()
        if not _CODE.match(code):
            raise ReleaseFileError(af.path, f"not a code: {rest[:7]!r}", where=where)
        short = rest[8:68].strip()
        long = rest[69:].strip() or short
        action = m.group(1).lower().replace(" ", "_")
        yield AddendaRow(action, code, valid, short, long, n)

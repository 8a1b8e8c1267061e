"""The CMS ICD-10-CM order file (``icd10cm_order_YYYY.txt``), loose or inside the CMS zip.

Layout (0-based slices): [0:5] order number, [6:13] code padded to 7, [14] valid flag,
[16:76] short title, [77:] long title. Lines are not padded, so we slice, never split.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from medcodes.models import ReleaseFileError

NAME = re.compile(r"icd10cm_order_(\d{4})\.txt$", re.I)
_LINE = re.compile(r"^(\d{5}) ([A-Z][0-9A-Z]{2,6}) *\s([01]) (.{1,60})")


@dataclass(slots=True)
class OrderRow:
    order: int
    code: str
    valid: bool
    short_title: str
    long_title: str


@dataclass(slots=True)
class OrderFile:
    path: Path  # the loose txt, or the zip that holds it
    member: str | None  # zip member name
    fiscal_year: int
    release_date: str  # ISO

    @property
    def label(self) -> str:
        return f"{self.path.name}:{self.member}" if self.member else self.path.name


def _release_date(fy: int, stamp: date | None, name: str) -> str:
    # The April update ships under the same file names; the zip member dates (or an "april"
    # in the name) are what tell it from the October release.
    if "april" in name.lower() or (stamp is not None and date(fy - 1, 10, 1) <= stamp < date(fy, 4, 1)):
        return f"{fy}-04-01"
    return f"{fy - 1}-10-01"


def recognise(path: Path) -> OrderFile | None:
    """An order file (or a zip holding one), checked by name and first line; None if it is not one."""
    name = path.name
    if name.lower().endswith(".zip"):
        try:
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    m = NAME.search(info.filename)
                    if not m:
                        continue
                    fy = int(m.group(1))
                    zip_year = re.search(r"(20\d\d)", name)
                    if zip_year and int(zip_year.group(1)) != fy:
                        raise ReleaseFileError(
                            path,
                            f"zip is named for {zip_year.group(1)} but holds {info.filename} (wrong year)",
                        )
                    stamp = date(*info.date_time[:3])
                    return OrderFile(path, info.filename, fy, _release_date(fy, stamp, name))
        except zipfile.BadZipFile as exc:
            if "tabular-order" in name.lower():
                raise ReleaseFileError(path, f"not a readable zip file: {exc}") from exc
        return None
    m = NAME.search(name)
    if not m:
        return None
    with open(path, "rb") as fh:
        first = fh.readline().decode("latin-1").rstrip("\r\n")
    if not _LINE.match(first):
        raise ReleaseFileError(path, "not an ICD-10-CM order file (unexpected layout)", where="line 1")
    fy = int(m.group(1))
    return OrderFile(path, None, fy, _release_date(fy, None, name))


def _lines(of: OrderFile) -> Iterator[str]:
    if of.member is None:
        with open(of.path, encoding="latin-1", newline="") as fh:
            yield from fh
    else:
        with zipfile.ZipFile(of.path) as zf, zf.open(of.member) as raw:
            yield from io.TextIOWrapper(raw, encoding="latin-1", newline="")


def read(of: OrderFile) -> Iterator[OrderRow]:
    n = 0
    for n, line in enumerate(_lines(of), 1):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        m = _LINE.match(line)
        if not m or len(line) < 78 or line[13] != " ":
            raise ReleaseFileError(
                of.path, f"not an ICD-10-CM order-file record in {of.label}", where=f"line {n}"
            )
        yield OrderRow(
            order=int(m.group(1)),
            code=line[6:13].strip(),
            valid=line[14] == "1",
            short_title=line[16:76].strip(),
            long_title=line[77:].strip(),
        )
    if n == 0:
        raise ReleaseFileError(of.path, f"{of.label} is empty")

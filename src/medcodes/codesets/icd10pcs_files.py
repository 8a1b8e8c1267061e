"""Recognise ICD-10-PCS release files (by name and content) and read the order and codes files.

CMS ships the same zip name twice a year (October release and April update), so a release is told
apart by its addenda summary ("79115 codes in icd10pcs_order_2026.txt / 79193 codes in ...": the same
year on both lines means a mid-year update) or, failing that, by the member dates in the zip.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from medcodes.models import ReleaseFileError

_ORDER_MEMBER = re.compile(r"(?:^|/)icd10pcs_(order|codes)_(\d{4})\.txt$", re.I)
_ADDENDA_MEMBER = re.compile(r"(?:^|/)(order|codes)_addenda_(\d{4})\.txt$", re.I)
_SUMMARY = re.compile(r"^\s*(\d+) codes in icd10pcs_(?:order|codes)_(\d{4})\.txt\s*$", re.M)
_XML_ROOT = re.compile(rb"<ICD10PCS\.(tabular|definitions|index)\b")
_XML_VERSION = re.compile(rb"<version>\s*(\d{4})\s*</version>")
_NAME_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
PCS_CODE = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
PCS_HEADER = re.compile(r"^[0-9A-HJ-NP-Z]{3}$")

XML_ROLES = {"tabular": "tables", "definitions": "definitions", "index": "index"}


@dataclass(slots=True)
class CodeList:
    """An order file or codes file, loose or inside a zip."""

    path: Path
    member: str | None
    kind: str  # "order" (short + long titles, table headers) or "codes" (valid codes, long title)
    year: int  # fiscal year
    update: bool  # a mid-year (April) update rather than the October release
    evidence: str  # how `update` was decided, for Source.notes
    expected: int | None = None  # code count stated by the addenda summary
    previous: int | None = None

    @property
    def release_date(self) -> str:
        return f"{self.year}-04-01" if self.update else f"{self.year - 1}-10-01"

    @property
    def version(self) -> str:
        return f"{self.year}-04" if self.update else str(self.year)

    @property
    def label(self) -> str:
        return f"FY{self.year} {'April 1 update' if self.update else 'October 1 release'}"


@dataclass(slots=True)
class XmlFile:
    path: Path
    role: str  # "tables", "definitions" or "index"
    year: int


@dataclass(slots=True)
class Line:
    """One order-file (or codes-file) record."""

    code: str
    valid: bool
    short: str | None
    long: str


def _summary(text: str, kind: str) -> tuple[int, int, int, int] | None:
    """(previous count, previous year, current count, current year) from an addenda summary block."""
    found = _SUMMARY.findall(text)
    if len(found) < 2:
        return None
    (prev_n, prev_y), (cur_n, cur_y) = found[-2], found[-1]
    return int(prev_n), int(prev_y), int(cur_n), int(cur_y)


def _code_list_from_zip(path: Path) -> list[CodeList]:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            found = []
            for info in infos:
                m = _ORDER_MEMBER.search(info.filename)
                if not m:
                    continue
                kind, year = m.group(1).lower(), int(m.group(2))
                addenda = next(
                    (i for i in infos if (a := _ADDENDA_MEMBER.search(i.filename)) and a.group(1).lower() == kind),
                    None,
                )
                summary = None
                if addenda is not None:
                    summary = _summary(zf.read(addenda).decode("latin-1"), kind)
                found.append(_classify(path, info.filename, kind, year, summary, date(*info.date_time[:3])))
            return found
    except zipfile.BadZipFile as exc:
        if _ORDER_MEMBER.search(path.stem + ".txt") or "pcs" in path.name.lower():
            raise ReleaseFileError(path, f"not a readable zip file ({exc})") from exc
        return []


def _classify(path: Path, member: str | None, kind: str, year: int, summary, dated: date | None) -> CodeList:
    where = f"{path.name}" + (f"!{member}" if member else "")
    if summary is not None:
        prev_n, prev_y, cur_n, cur_y = summary
        if cur_y != year:
            raise ReleaseFileError(
                path, f"addenda summary is for icd10pcs_{kind}_{cur_y}.txt but the file is for {year}", where="addenda"
            )
        update = prev_y == cur_y
        evidence = (
            f"addenda summary {prev_n} -> {cur_n} codes within FY{cur_y}"
            if update
            else f"addenda summary FY{prev_y} {prev_n} -> FY{cur_y} {cur_n} codes"
        )
        return CodeList(path, member, kind, year, update, f"{where}: {evidence}", expected=cur_n, previous=prev_n)
    if dated is not None:
        # October files are dated in the spring or summer before the fiscal year starts.
        update = dated >= date(year - 1, 9, 1)
        return CodeList(path, member, kind, year, update, f"{where}: dated {dated.isoformat()} (no addenda summary)")
    return CodeList(path, member, kind, year, False, f"{where}: no addenda or date, taken as the October release")


def _sniff_order_line(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            first = fh.readline(400).decode("latin-1")
    except OSError:
        return False
    return _parse_line(first.rstrip("\r\n"), "order") is not None or _parse_line(first.rstrip("\r\n"), "codes") is not None


def code_lists(path: Path) -> list[CodeList]:
    """The PCS order/codes files in `path` (a zip or a loose .txt); [] for anything else."""
    name = path.name.lower()
    if name.endswith(".zip"):
        return _code_list_from_zip(path)
    m = _ORDER_MEMBER.search(path.name)
    if not m or not name.endswith(".txt"):
        return []
    kind, year = m.group(1).lower(), int(m.group(2))
    if not _sniff_order_line(path):
        raise ReleaseFileError(path, f"named like an ICD-10-PCS {kind} file but line 1 is not in that layout", where="line 1")
    addenda = path.with_name(f"{kind}_addenda_{year}.txt")
    summary = _summary(addenda.read_text("latin-1"), kind) if addenda.is_file() else None
    return [_classify(path, None, kind, year, summary, None)]


def xml_file(path: Path) -> XmlFile | None:
    """A PCS Tables, Definitions or Index XML, recognised by its root element; None for anything else."""
    if not path.name.lower().endswith(".xml"):
        return None
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError:
        return None
    m = _XML_ROOT.search(head)
    if not m:
        if "icd10pcs_" in path.name.lower():
            raise ReleaseFileError(path, "named like an ICD-10-PCS XML file but has no <ICD10PCS.*> root element")
        return None
    role = XML_ROLES[m.group(1).decode()]
    v = _XML_VERSION.search(head)
    name_year = _NAME_YEAR.search(path.name)
    if v is None and name_year is None:
        raise ReleaseFileError(path, "no <version> element and no year in the file name")
    year = int(v.group(1)) if v else int(name_year.group(1))
    if v and name_year and int(name_year.group(1)) != year:
        raise ReleaseFileError(path, f"file name says {name_year.group(1)} but <version> says {year}", where="version")
    return XmlFile(path, role, year)


def _parse_line(line: str, kind: str) -> Line | None:
    if kind == "codes":
        code, title = line[:7].strip(), line[8:].strip()
        if len(line) < 9 or line[7] != " " or not PCS_CODE.match(code) or not title:
            return None
        return Line(code, True, None, title)
    if len(line) < 78 or line[5] != " " or line[13] != " " or line[15] != " " or not line[:5].isdigit():
        return None
    code, flag = line[6:13].rstrip(), line[14]
    if flag not in "01":
        return None
    valid = flag == "1"
    if not (PCS_CODE if valid else PCS_HEADER).match(code):
        return None
    return Line(code, valid, line[16:76].rstrip() or None, line[77:].strip())


def open_text(path: Path, member: str | None) -> io.TextIOBase:
    if member is None:
        return path.open("r", encoding="ascii", errors="strict", newline=None)
    # The member stream keeps its own handle on the file, so the ZipFile can be closed at once.
    with zipfile.ZipFile(path) as zf:
        return io.TextIOWrapper(zf.open(member), encoding="ascii", errors="strict", newline=None)


def find_member(path: Path, kind: str) -> str | None:
    """The order/codes member of a zip (None for a loose file)."""
    if not path.name.lower().endswith(".zip"):
        return None
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            m = _ORDER_MEMBER.search(name)
            if m and m.group(1).lower() == kind:
                return name
    raise ReleaseFileError(path, f"no icd10pcs_{kind}_YYYY.txt member in the zip")


def read_lines(path: Path, kind: str) -> Iterator[Line]:
    """Records of an order or codes file, checked line by line."""
    member = find_member(path, kind)
    where_name = member or path.name
    try:
        with open_text(path, member) as fh:
            n = 0
            for n, raw in enumerate(fh, 1):
                line = raw.rstrip("\r\n")
                if not line.strip():
                    continue
                rec = _parse_line(line, kind)
                if rec is None:
                    raise ReleaseFileError(
                        path, f"line is not in the ICD-10-PCS {kind}-file layout: {line[:40]!r}", where=f"{where_name} line {n}"
                    )
                yield rec
            if n == 0:
                raise ReleaseFileError(path, f"{kind} file is empty", where=where_name)
    except UnicodeDecodeError as exc:
        raise ReleaseFileError(path, f"not ASCII text ({exc.reason})", where=where_name) from exc
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise ReleaseFileError(path, f"zip member is damaged or truncated ({exc})", where=where_name) from exc

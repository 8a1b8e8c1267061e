"""CPT (HCPCS Level I) from files the user supplies: CPT descriptors are AMA copyright, so nothing is packaged.

Four kinds of file carry CPT codes, each recognised by its header row (names only pick xlsx candidates):

- ``pfs``: the CMS Physician Fee Schedule RVU file (PPRRVU csv / fixed-width txt / xlsx), short descriptors;
- ``opps``: OPPS Addendum B (xlsx), short descriptors with status indicator, APC and payment rate;
- ``clfs``: the Clinical Laboratory Fee Schedule (csv / xlsx with long and extended descriptors; ``~`` txt);
- ``ama`` / ``ama_medium`` / ``ama_short``: AMA data files, one ``code<TAB>descriptor`` per line.

`read` merges them into one record per code and hangs every code under the section outline in
``cpt_outline.tsv`` (ranges of code numbers, which are general knowledge rather than AMA text).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from medcodes import systems
from medcodes.codesets.abbreviations import expand
from medcodes.models import CodeRecord, ReleaseFileError, Source

SYSTEM = "cpt"

# Category I (5 digits), Category I MAAA (M) and vaccine administration (A), Category II (F),
# Category III (T) and Proprietary Laboratory Analyses (U).
CPT_CODE = systems.get("cpt").shape
_HCPCS2 = systems.get("hcpcs").shape

# Which file gives the title, best first; the short title comes from the first short descriptor found.
_TITLE_ORDER = ("ama", "clfs", "ama_medium", "pfs", "opps", "ama_short")
_FORMAT_PREFERENCE = {"csv": 0, "xlsx": 1, "txt": 2, "tsv": 0}
_KIND_LABEL = {
    "pfs": "PFS",
    "opps": "OPPS",
    "clfs": "CLFS",
    "ama": "AMA",
    "ama_medium": "AMA",
    "ama_short": "AMA",
}
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
    )
}
_SNIFF_BYTES = 16384


# --------------------------------------------------------------------------------------------
# Recognising files


@dataclass(slots=True)
class Candidate:
    """A file recognised as carrying CPT codes, with what kind of file and which release it is."""

    kind: str  # pfs | opps | clfs | ama | ama_medium | ama_short
    path: Path
    fmt: str  # csv | txt | xlsx | tsv
    release: str  # sortable release label: "2025-10", "2026-Q2", "2023-01", "" when unknown
    release_date: str | None  # ISO date


def _ext(path: Path) -> str:
    return path.suffix.lower().lstrip(".")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # CMS and AMA text files are Windows-1252 when they are not plain ASCII.
        return data.decode("cp1252", errors="replace")


def _head_text(path: Path) -> str:
    with open(path, "rb") as f:
        data = f.read(_SNIFF_BYTES)
    text = _decode(data)
    # The last line may be cut mid-way by the sniff; drop it.
    return text.rsplit("\n", 1)[0] if len(data) == _SNIFF_BYTES else text


def _norm(cell: object) -> str:
    return re.sub(r"\s+", " ", str(cell if cell is not None else "")).strip().upper()


def _is_pfs_header(cells: list[str]) -> bool:
    return len(cells) >= 4 and [_norm(c) for c in cells[:3]] == ["HCPCS", "MOD", "DESCRIPTION"]


def _is_clfs_header(cells: list[str]) -> bool:
    names = {_norm(c) for c in cells}
    return {"HCPCS", "SHORTDESC", "RATE"} <= names


def _is_opps_header(cells: list[str]) -> bool:
    names = [_norm(c) for c in cells]
    return len(names) >= 3 and names[0] == "HCPCS CODE" and "SHORT DESCRIPTOR" in names


# code, modifier, descriptor, status, then the "not used for Medicare payment" flag ("+" or blank).
_PFS_TXT_LINE = re.compile(r"^[0-9A-Z]{5}[0-9A-Z ]{2}.{50}[A-Z ][+ ]")


def _sniff_text(path: Path) -> str | None:
    """Kind of a csv/txt/tsv file from its first lines, or None."""
    try:
        text = _head_text(path)
    except OSError:
        return None
    lines = text.splitlines()[:40]
    if not lines:
        return None
    for line in lines[:15]:
        if "~" in line and _is_clfs_header(line.split("~")):
            return "clfs"
        if "," in line:
            cells = next(csv.reader([line]), [])
            if _is_pfs_header(cells):
                return "pfs"
            if _is_clfs_header(cells):
                return "clfs"
    if any(line.startswith("HDR") for line in lines[:12]):
        data = [line for line in lines if not line.startswith("HDR") and line.strip()]
        if data and all(140 <= len(line) <= 260 and _PFS_TXT_LINE.match(line) for line in data[:5]):
            return "pfs"
    if _ext(path) in ("txt", "tsv"):
        return _sniff_ama(path, lines)
    return None


def _sniff_ama(path: Path, lines: list[str]) -> str | None:
    rows = [line.split("\t") for line in lines if line.strip()]
    if rows and not _code_field(rows[0]):
        rows = rows[1:]  # a header line
    if not rows:
        return None
    good = [r for r in rows if len(r) >= 2 and _code_field(r)]
    if len(good) < 0.8 * len(rows) or not any(CPT_CODE.match(_code_field(r) or "") for r in good):
        return None
    name = path.name.upper()
    if "SHORT" in name:
        return "ama_short"
    if "MED" in name:
        return "ama_medium"
    if "LONG" not in name and max(len(r[-1].strip()) for r in good) <= 28:
        return "ama_short"
    return "ama"


def _code_field(row: list[str]) -> str | None:
    code = row[0].strip().upper()
    return code if CPT_CODE.match(code) or _HCPCS2.match(code) else None


_XLSX_NAMES = re.compile(r"pprrvu|addendum.?b|clfs|cpt", re.I)


def _sniff_xlsx(path: Path) -> str | None:
    if not _XLSX_NAMES.search(path.name):
        return None
    try:
        for row in _xlsx_rows(path, limit=15):
            cells = ["" if c is None else str(c) for c in row]
            if _is_pfs_header(cells):
                return "pfs"
            if _is_clfs_header(cells):
                return "clfs"
            if _is_opps_header(cells):
                return "opps"
    except ReleaseFileError:
        return None
    return None


def _xlsx_rows(path: Path, limit: int | None = None) -> Iterator[tuple]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ReleaseFileError(path, f"not a readable xlsx workbook ({exc})") from exc
    try:
        ws = wb.worksheets[0]
        for i, row in enumerate(ws.iter_rows(values_only=True)):
            if limit is not None and i >= limit:
                break
            yield row
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ReleaseFileError(path, f"xlsx workbook is damaged or truncated ({exc})") from exc
    finally:
        wb.close()


def _release_of(kind: str, path: Path) -> tuple[str, str | None]:
    """(sortable release label, ISO date) from the file name, as CMS names its releases."""
    name = path.name
    if kind == "pfs":
        m = re.search(r"PPRRVU[_ ]?(\d{2,4})[_ ]?([A-Za-z]{3})?", name, re.I)
        if m:
            year = int(m.group(1)) + (2000 if len(m.group(1)) == 2 else 0)
            month = _MONTHS.get((m.group(2) or "jan").lower(), 1)
            return f"{year}-{month:02d}", f"{year}-{month:02d}-01"
    elif kind == "clfs":
        m = re.search(r"CY(\d{4})[_ ]?Q([1-4])", name, re.I) or re.search(r"(\d{2})clabq([1-4])", name, re.I)
        if m:
            year = int(m.group(1)) + (2000 if len(m.group(1)) == 2 else 0)
            q = int(m.group(2))
            return f"{year}-Q{q}", f"{year}-{3 * q - 2:02d}-01"
    elif kind == "opps":
        m = re.search(r"(\d{4})[_ ]?(January|April|July|October)", name, re.I) or re.search(
            r"(January|April|July|October)[_ ]?(\d{4})", name, re.I
        )
        if m:
            year_s, month_name = (
                (m.group(1), m.group(2)) if m.group(1).isdigit() else (m.group(2), m.group(1))
            )
            mm = _MONTHS[month_name[:3].lower()]
            return f"{year_s}-{mm:02d}", f"{year_s}-{mm:02d}-01"
    # AMA files carry no date; their folder usually names the year ("2025 CPT Data File").
    for part in [path.name, *[p.name for p in path.parents][:2]]:
        m = re.search(r"(?<!\d)(20\d{2})(?!\d)", part)
        if m:
            return m.group(1), f"{m.group(1)}-01-01"
    return "", None


def recognise(path: Path) -> Candidate | None:
    fmt = _ext(path)
    if fmt in ("csv", "txt", "tsv"):
        kind = _sniff_text(path)
    elif fmt == "xlsx":
        kind = _sniff_xlsx(path)
    else:
        return None
    if kind is None:
        return None
    release, date = _release_of(kind, path)
    return Candidate(kind=kind, path=path, fmt=fmt, release=release, release_date=date)


def select(files: Iterable[Path], packaged: bool = True, allow_fallback: bool = False) -> Source | None:
    """Every CPT-bearing file among `files`; per kind of file the newest release wins, read from
    its preferred format. `packaged` is ignored: no CPT data ships with the product."""
    files = [Path(p) for p in files]
    found = [c for c in (recognise(p) for p in files if _ext(p) != "xlsx") if c is not None]
    notes: list[str] = []
    # Opening a workbook costs about a second; skip one whose csv/txt twin was already recognised.
    twins = {(c.path.parent, c.path.stem.lower()) for c in found}
    for p in files:
        if _ext(p) != "xlsx":
            continue
        if (p.parent, p.stem.lower()) in twins:
            notes.append(f"{p.name} not opened: the same release is read from its csv/txt twin")
            continue
        c = recognise(p)
        if c is not None:
            found.append(c)
    if not found:
        return None
    chosen: dict[str, Candidate] = {}
    for kind in _TITLE_ORDER:
        group = [c for c in found if c.kind == kind]
        if not group:
            continue
        group.sort(key=lambda c: (c.release, -_FORMAT_PREFERENCE.get(c.fmt, 9), c.path.name), reverse=True)
        best = group[0]
        chosen[kind] = best
        older = sorted({c.release for c in group if c.release != best.release})
        same = [c.path.name for c in group[1:] if c.release == best.release]
        if older:
            notes.append(
                f"{kind}: newest release {best.release} ({best.path.name}) chosen over {', '.join(older)}"
            )
        if same:
            notes.append(f"{kind}: read {best.path.name}; same release also in {', '.join(same)}")
    dates = [c.release_date for c in chosen.values() if c.release_date]
    version = " + ".join(
        f"{_KIND_LABEL[k]} {c.release}".strip()
        for k, c in sorted(chosen.items(), key=lambda kc: kc[1].release, reverse=True)
    )
    source = Source(
        system=SYSTEM,
        name="CPT from user-supplied CMS/AMA files",
        version=version,
        files={kind: c.path for kind, c in chosen.items()},
        release_date=max(dates) if dates else None,
        notes=notes,
    )
    return source


# --------------------------------------------------------------------------------------------
# Reading files: each reader yields Entry objects for CPT codes only


@dataclass(slots=True)
class Entry:
    """What one file says about one code."""

    code: str
    short: str | None = None
    long: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class FileRead:
    entries: dict[str, Entry]
    skipped: int = 0  # rows of other systems (HCPCS Level II, CDT)


def _clean(value: object) -> str | None:
    if value is None:
        return None
    s = re.sub(r"\s+", " ", str(value)).strip()
    return s if s and s != "." else None


def _number(value: object) -> str | None:
    """Numbers as text with two decimals ("0.00", "17.90"); other text unchanged."""
    s = _clean(value)
    if s is None:
        return None
    try:
        return f"{float(s):.2f}"
    except ValueError:
        return s


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ReleaseFileError(path, "file not found") from exc
    except OSError as exc:
        raise ReleaseFileError(path, f"cannot read file ({exc})") from exc
    return _decode(data)


def _rows(path: Path, fmt: str, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """(1-based line/row number, cells as text) of a csv, ~-delimited txt or xlsx file."""
    if fmt == "xlsx":
        for i, row in enumerate(_xlsx_rows(path), start=1):
            yield i, ["" if c is None else (c if isinstance(c, str) else _xlsx_text(c)) for c in row]
        return
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        raise ReleaseFileError(
            path, f"malformed {fmt} ({exc}); the file may be truncated", where=f"line {reader.line_num}"
        ) from exc


def _xlsx_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e12:
        return str(int(value))
    return str(value)


class _Columns:
    """Column positions by header name; a missing column is an error that names it."""

    def __init__(self, path: Path, names: list[str], where: str):
        self.path, self.where = path, where
        self.index: dict[str, int] = {}
        for i, name in enumerate(names):
            self.index.setdefault(name, i)

    def need(self, *names: str) -> int:
        for name in names:
            if name in self.index:
                return self.index[name]
        raise ReleaseFileError(self.path, f"header has no {names[0]!r} column", where=self.where)

    def want(self, *names: str) -> int | None:
        return next((self.index[n] for n in names if n in self.index), None)


def _cell(row: list[str], i: int | None) -> str | None:
    return _clean(row[i]) if i is not None and i < len(row) else None


def _add(out: FileRead, code: str, entry_fn) -> None:
    if code.isdigit() and len(code) < 5:
        code = code.zfill(5)  # a spreadsheet stored the code as a number
    if CPT_CODE.match(code):
        if code not in out.entries:
            out.entries[code] = Entry(code=code)
        entry_fn(out.entries[code])
    else:
        out.skipped += 1


def read_pfs(path: Path, fmt: str) -> FileRead:
    if fmt == "txt":
        return _read_pfs_txt(path)
    out = FileRead(entries={})
    rows = _rows(path, fmt)
    above: list[list[str]] = []
    cols: _Columns | None = None
    width = 0
    for n, row in rows:
        if _is_pfs_header(row):
            # The header is stacked over several lines: the upper words of each heading sit above
            # the last line, up to the first line with text in the title column.
            stack: list[list[str]] = []
            for prev in reversed(above):
                if len(prev) > 2 and prev[2].strip():
                    break
                stack.insert(0, prev)
            stack.append(row)
            names = [
                " ".join(_norm(s[i]) for s in stack if i < len(s) and _norm(s[i])) for i in range(len(row))
            ]
            cols = _Columns(path, names, where=f"line {n}" if fmt == "csv" else f"row {n}")
            width = len(row)
            break
        above.append(row)
    if cols is None:
        raise ReleaseFileError(path, "no PFS header row (HCPCS, MOD, DESCRIPTION, ...) found")
    c_code, c_mod, c_desc = cols.need("HCPCS"), cols.need("MOD"), cols.need("DESCRIPTION")
    c_status = cols.need("STATUS CODE", "CODE")
    c_unused = cols.want("NOT USED FOR MEDICARE PAYMENT")
    c_work = cols.want("WORK RVU")
    c_glob = cols.want("GLOB DAYS")
    c_pctc = cols.want("PCTC IND")
    c_nf, c_f = cols.want("NON-FACILITY TOTAL"), cols.want("FACILITY TOTAL")
    # Surgery indicators the explanations read (who may take part, office rate or not, both sides).
    c_nf_na = cols.want("NON-FAC NA INDICATOR")
    c_bilat, c_asst = cols.want("BILAT SURG"), cols.want("ASST SURG")
    c_co, c_team = cols.want("CO- SURG", "CO-SURG"), cols.want("TEAM SURG")
    unit = "line" if fmt == "csv" else "row"
    count = 0
    for n, row in rows:
        if not any(c.strip() for c in row):
            continue
        if fmt == "csv" and len(row) < width:
            raise ReleaseFileError(
                path,
                f"expected {width} fields, found {len(row)}; the file may be truncated",
                where=f"{unit} {n}",
            )
        count += 1
        code = (_cell(row, c_code) or "").upper()
        mod = _cell(row, c_mod)
        facts = {
            k: v
            for k, v in (
                ("status", _cell(row, c_status)),
                ("not_used_for_medicare", True if _cell(row, c_unused) else None),
                ("work_rvu", _number(_cell(row, c_work))),
                ("global", _cell(row, c_glob)),
                ("pctc", _cell(row, c_pctc)),
                ("total_nonfacility_rvu", _number(_cell(row, c_nf))),
                ("total_facility_rvu", _number(_cell(row, c_f))),
                ("nonfacility_na", True if (_cell(row, c_nf_na) or "").upper() == "NA" else None),
                ("bilateral", _cell(row, c_bilat)),
                ("assistant", _cell(row, c_asst)),
                ("co_surgeons", _cell(row, c_co)),
                ("team", _cell(row, c_team)),
            )
            if v is not None
        }
        _add(
            out,
            code,
            lambda e, mod=mod, facts=facts, desc=_cell(row, c_desc): _pfs_entry(e, mod, desc, facts),
        )
    if not count:
        raise ReleaseFileError(path, "no data rows after the header; the file may be truncated")
    return out


def _pfs_entry(e: Entry, mod: str | None, desc: str | None, facts: dict) -> None:
    if mod:
        e.facts.setdefault("modifiers", []).append(mod)
        if e.short is None:
            e.short = desc
        return
    # The global row (no modifier) is the code's own line.
    e.short = desc or e.short
    e.facts.update(facts)


def _read_pfs_txt(path: Path) -> FileRead:
    out = FileRead(entries={})
    count = 0
    for n, line in enumerate(_read_text(path).splitlines(), start=1):
        if line.startswith("HDR") or not line.strip():
            continue
        if len(line) < 106 or not _PFS_TXT_LINE.match(line):
            raise ReleaseFileError(
                path, "not a PFS fixed-width record (the file may be truncated)", where=f"line {n}"
            )
        count += 1
        code, mod, desc = line[0:5].strip().upper(), line[5:7].strip(), _clean(line[7:57])
        facts = {
            k: v
            for k, v in (
                ("status", _clean(line[57])),
                ("not_used_for_medicare", True if line[58] == "+" else None),
                ("work_rvu", _number(line[59:65])),
                ("pctc", _clean(line[102])),
                ("global", _clean(line[103:106])),
                ("total_nonfacility_rvu", _number(line[90:96])),
                ("total_facility_rvu", _number(line[96:102])),
                ("nonfacility_na", True if line[72:74] == "NA" else None),
                ("bilateral", _clean(line[116:117])),
                ("assistant", _clean(line[117:118])),
                ("co_surgeons", _clean(line[118:119])),
                ("team", _clean(line[119:120])),
            )
            if v is not None
        }
        _add(out, code, lambda e, mod=mod, desc=desc, facts=facts: _pfs_entry(e, mod or None, desc, facts))
    if not count:
        raise ReleaseFileError(path, "no PFS records found")
    return out


def read_clfs(path: Path, fmt: str) -> FileRead:
    out = FileRead(entries={})
    rows = _rows(path, fmt, delimiter="~" if fmt == "txt" else ",")
    cols = None
    width = 0
    unit = "row" if fmt == "xlsx" else "line"
    for n, row in rows:
        if _is_clfs_header(row):
            cols = _Columns(path, [_norm(c) for c in row], where=f"{unit} {n}")
            width = len([c for c in row if c.strip()])
            break
    if cols is None:
        raise ReleaseFileError(path, "no CLFS header row (YEAR, HCPCS, MOD, ..., SHORTDESC) found")
    c_code, c_mod, c_rate = cols.need("HCPCS"), cols.need("MOD"), cols.need("RATE")
    c_short = cols.need("SHORTDESC")
    c_long, c_ext = cols.want("LONGDESC"), cols.want("EXTENDEDLONGDESC")
    c_eff, c_ind = cols.want("EFF_DATE"), cols.want("INDICATOR")
    count = 0
    for n, row in rows:
        if not any(c.strip() for c in row):
            continue
        if fmt != "xlsx" and len(row) < width:
            raise ReleaseFileError(
                path,
                f"expected {width} fields, found {len(row)}; the file may be truncated",
                where=f"{unit} {n}",
            )
        count += 1
        code = (_cell(row, c_code) or "").upper()
        mod = _cell(row, c_mod)
        rate = _number(_cell(row, c_rate))

        def fill(e: Entry, row=row, mod=mod, rate=rate) -> None:
            if mod:
                e.facts.setdefault("modifiers", []).append(mod)
                return
            e.short = _cell(row, c_short)
            long, ext = _cell(row, c_long), _cell(row, c_ext)
            e.long = _restore_case(ext, [long, e.short]) if ext else long
            facts = {
                "rate": rate,
                "indicator": _cell(row, c_ind),
                "effective": _cell(row, c_eff),
                "long": long,
            }
            e.facts.update({k: v for k, v in facts.items() if v is not None})

        _add(out, code, fill)
    if not count:
        raise ReleaseFileError(path, "no data rows after the header; the file may be truncated")
    return out


def read_opps(path: Path, fmt: str) -> FileRead:
    if fmt != "xlsx":
        raise ReleaseFileError(path, "OPPS Addendum B is read from its xlsx workbook")
    out = FileRead(entries={})
    rows = _rows(path, fmt)
    cols = None
    for n, row in rows:
        if _is_opps_header(row):
            cols = _Columns(path, [_norm(c) for c in row], where=f"row {n}")
            break
    if cols is None:
        raise ReleaseFileError(path, "no Addendum B header row (HCPCS Code, Short Descriptor, SI, ...) found")
    c_code, c_desc, c_si = cols.need("HCPCS CODE"), cols.need("SHORT DESCRIPTOR"), cols.need("SI")
    c_apc, c_rate = cols.want("APC"), cols.want("PAYMENT RATE")
    count = 0
    for _n, row in rows:
        code = (_cell(row, c_code) or "").upper()
        if not code:
            continue
        count += 1
        facts = {
            k: v
            for k, v in (
                ("si", _cell(row, c_si)),
                ("apc", _cell(row, c_apc)),
                ("rate", _number(_cell(row, c_rate))),
            )
            if v is not None
        }

        def fill(e: Entry, desc=_cell(row, c_desc), facts=facts) -> None:
            e.short = desc
            e.facts.update(facts)

        _add(out, code, fill)
    if not count:
        raise ReleaseFileError(path, "no data rows after the header; the file may be truncated")
    return out


def read_ama(path: Path, fmt: str) -> FileRead:
    out = FileRead(entries={})
    count = 0
    for n, line in enumerate(_read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        code = _code_field(fields)
        if code is None:
            if count == 0:
                continue  # a header line
            raise ReleaseFileError(
                path, f"expected code<TAB>descriptor, found {line[:40]!r}", where=f"line {n}"
            )
        desc = _clean(fields[-1]) if len(fields) >= 2 else None
        if desc is None:
            raise ReleaseFileError(path, f"code {code} has no descriptor", where=f"line {n}")
        count += 1

        def fill(e: Entry, desc=desc) -> None:
            e.long = desc

        _add(out, code, fill)
    if not count:
        raise ReleaseFileError(path, "no code<TAB>descriptor lines found")
    return out


_READERS = {
    "pfs": read_pfs,
    "opps": read_opps,
    "clfs": read_clfs,
    "ama": read_ama,
    "ama_medium": read_ama,
    "ama_short": read_ama,
}

# Abbreviations the CLFS extended descriptors spell in lower case.
_ACRONYMS = {
    w.lower(): w
    for w in (
        "DNA RNA mRNA cDNA HIV HPV HLA PCR RT RBC WBC IgG IgA IgM IgE IgD SNP SNPs LC MS HbA1c ABO".split()
    )
}
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def _restore_case(text: str, others: list[str | None]) -> str:
    """The CLFS extended descriptor is the full descriptor in lower case; take back the case of words
    spelled with capitals in the same code's long or short descriptor ("factor vii" -> "factor VII")."""
    spelled = dict(_ACRONYMS)
    for other in others:
        for word in _WORD.findall(other or ""):
            if word[1:] != word[1:].lower():
                spelled[word.lower()] = word
    return _WORD.sub(
        lambda m: spelled.get(m.group(0), m.group(0)) if m.group(0).islower() else m.group(0), text
    )


# --------------------------------------------------------------------------------------------
# The outline


@dataclass(slots=True)
class OutlineNode:
    code: str
    kind: str
    parent: str | None
    ranges: list[tuple[str, int, int]]  # (group letter or "", lo, hi)
    title: str


def code_key(code: str) -> tuple[str, int]:
    """(numbering group, number): "85230" -> ("", 85230), "0042T" -> ("T", 42)."""
    if code[-1].isalpha():
        return code[-1], int(code[:-1])
    return "", int(code)


_GROUP_ORDER = {"": 0, "M": 1, "A": 2, "F": 3, "T": 4, "U": 5}


def _sort_key(code: str) -> tuple[int, int]:
    group, number = code_key(code)
    return _GROUP_ORDER.get(group, 9), number


def load_outline(text: str | None = None) -> list[OutlineNode]:
    if text is None:
        text = resources.files("medcodes.codesets").joinpath("cpt_outline.tsv").read_text(encoding="utf-8")
    nodes: list[OutlineNode] = []
    header_seen = False
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not header_seen:
            header_seen = True
            continue
        code, kind, parent, ranges, title = line.split("\t")
        parsed = []
        for part in ranges.split(","):
            lo, _, hi = part.strip().partition("-")
            glo, nlo = code_key(lo)
            ghi, nhi = code_key(hi or lo)
            if glo != ghi or nlo > nhi:
                raise ValueError(f"cpt_outline.tsv: bad range {part!r} in {code}")
            parsed.append((glo, nlo, nhi))
        nodes.append(OutlineNode(code=code, kind=kind, parent=parent or None, ranges=parsed, title=title))
    return nodes


@dataclass(slots=True)
class Placement:
    parent: str
    fallback: bool  # True when no range held the code and it went to its top section by number


class Outline:
    def __init__(self, nodes: list[OutlineNode]):
        self.nodes = nodes
        self.by_code = {n.code: n for n in nodes}
        depth: dict[str, int] = {}
        for n in nodes:
            depth[n.code] = 0 if n.parent is None else depth[n.parent] + 1
        self.depth = depth
        # Deepest first, so the first range that holds a code is its most specific node.
        self._ranges = sorted(
            ((g, lo, hi, n.code) for n in nodes for g, lo, hi in n.ranges),
            key=lambda r: (-depth[r[3]], r[2] - r[1]),
        )
        self.chapters = [n for n in nodes if n.parent is None]

    def place(self, code: str) -> Placement:
        group, number = code_key(code)
        for g, lo, hi, node in self._ranges:
            if g == group and lo <= number <= hi:
                return Placement(node, False)
        # Outside every range: the top section whose range starts nearest below the code.
        best = None
        for chapter in self.chapters:
            for g, lo, _hi in chapter.ranges:
                if g == group and lo <= number and (best is None or lo > best[0]):
                    best = (lo, chapter.code)
        if best is None:
            starts = [(lo, c.code) for c in self.chapters for g, lo, _ in c.ranges if g == group]
            best = min(starts) if starts else (0, self.chapters[0].code)
        return Placement(best[1], True)

    def path(self, code: str) -> list[str]:
        out = []
        node: str | None = code
        while node is not None:
            out.append(node)
            node = self.by_code[node].parent
        return out[::-1]


# --------------------------------------------------------------------------------------------
# Merging


@dataclass(slots=True)
class Merged:
    records: list[CodeRecord]
    per_file: dict[str, int]
    reconciled: int  # codes described by more than one file
    differing: int  # of those, codes whose short descriptors differ between files
    fallbacks: list[str]


def merge(
    reads: dict[str, FileRead], source_name: str, outline: Outline, order: list[str] | None = None
) -> Merged:
    """One record per code from what each file says. `reads` is keyed by file kind; `order` gives the
    kinds newest release first, which decides between short descriptors of equal standing."""
    order = order or list(reads)
    codes = set().union(*(r.entries.keys() for r in reads.values())) if reads else set()
    reconciled = differing = 0
    fallbacks: list[str] = []
    leaves: list[CodeRecord] = []
    for code in codes:
        said = {kind: reads[kind].entries[code] for kind in order if code in reads[kind].entries}
        title, title_source = None, None
        for kind in _TITLE_ORDER:
            e = said.get(kind)
            text = e and (e.long if kind in ("ama", "clfs", "ama_medium", "ama_short") else e.short)
            if text:
                title, title_source = text, kind
                break
        shorts = [(k, e.short) for k, e in said.items() if e.short]
        if "ama_short" in said and said["ama_short"].long:
            shorts.insert(0, ("ama_short", said["ama_short"].long))
        short = shorts[0][1] if shorts else None
        if title is not None and title_source in ("pfs", "opps", "ama_short"):
            # A CMS/AMA short descriptor is abbreviated: the readable title is its expansion through
            # the project's lexicon; short_title keeps the raw wording.
            title = expand(title) or title
        if title is None:
            title, title_source = code, None
        described = [k for k, e in said.items() if e.short or e.long]
        if len(described) > 1:
            reconciled += 1
            if len({s.casefold() for _, s in shorts}) > 1:
                differing += 1
        attrs: dict[str, object] = {"title_source": title_source, "sources": list(said)}
        for kind, e in said.items():
            if e.facts:
                attrs[kind] = dict(e.facts)
        place = outline.place(code)
        if place.fallback:
            fallbacks.append(code)
        terms: list[str | tuple[str, str]] = []
        clfs = said.get("clfs")
        if clfs and clfs.facts.get("long") and clfs.facts["long"] != title:
            # CMS's plain-language long descriptor helps lay search.
            terms.append((clfs.facts["long"], "clfs_long"))
        leaves.append(
            CodeRecord(
                system=SYSTEM,
                code=code,
                display=code,
                kind="code",
                title=title,
                short_title=short,
                billable=True,
                parent=place.parent,
                attrs=attrs,
                terms=terms,
                source=source_name,
            )
        )
    per_file = {kind: len(r.entries) for kind, r in reads.items()}
    return Merged(_in_outline_order(leaves, outline, source_name), per_file, reconciled, differing, fallbacks)


def _in_outline_order(leaves: list[CodeRecord], outline: Outline, source_name: str) -> list[CodeRecord]:
    """Outline nodes that hold at least one code, each followed by its children (sub-nodes and codes
    merged in code order), so parents always come before children."""
    codes_under: dict[str | None, list[CodeRecord]] = {}
    for rec in leaves:
        codes_under.setdefault(rec.parent, []).append(rec)
    child_nodes: dict[str | None, list[OutlineNode]] = {}
    for node in outline.nodes:
        child_nodes.setdefault(node.parent, []).append(node)
    first: dict[str, tuple[int, int] | None] = {}

    def first_key(node: OutlineNode) -> tuple[int, int] | None:
        if node.code not in first:
            keys = [_sort_key(r.code) for r in codes_under.get(node.code, [])]
            keys += [k for k in (first_key(c) for c in child_nodes.get(node.code, [])) if k is not None]
            first[node.code] = min(keys) if keys else None
        return first[node.code]

    out: list[CodeRecord] = []

    def emit(node: OutlineNode) -> None:
        out.append(
            CodeRecord(
                system=SYSTEM,
                code=node.code,
                display=node.code,
                kind=node.kind,
                title=node.title,
                parent=node.parent,
                source=source_name,
            )
        )
        items: list[tuple[tuple[int, int], int, OutlineNode | CodeRecord]] = []
        for child in child_nodes.get(node.code, []):
            key = first_key(child)
            if key is not None:
                items.append((key, 0, child))
        for rec in codes_under.get(node.code, []):
            items.append((_sort_key(rec.code), 1, rec))
        for _key, _tag, item in sorted(items, key=lambda t: (t[0], t[1])):
            if isinstance(item, OutlineNode):
                emit(item)
            else:
                out.append(item)

    for chapter in outline.chapters:
        if first_key(chapter) is not None:
            emit(chapter)
    return out


# --------------------------------------------------------------------------------------------
# The importer entry point


def read(source: Source) -> Iterator[CodeRecord]:
    reads: dict[str, FileRead] = {}
    releases: dict[str, str] = {}
    for kind, path in source.files.items():
        path = Path(path)
        if not path.is_file():
            raise ReleaseFileError(path, "file not found")
        fmt = _ext(path)
        reads[kind] = _READERS[kind](path, fmt)
        releases[kind] = _release_of(kind, path)[0]
    order = sorted(reads, key=lambda k: releases[k], reverse=True)
    merged = merge(reads, source.name, Outline(load_outline()), order)
    for kind in order:
        source.notes.append(
            f"{source.files[kind].name} ({kind}): {merged.per_file[kind]} CPT codes"
            f", {reads[kind].skipped} rows of other systems skipped"
        )
    source.notes.append(
        f"{merged.reconciled} codes described by more than one file were reconciled"
        f" ({merged.differing} with differing short descriptors; newest release's kept)"
    )
    if merged.fallbacks:
        source.notes.append(
            f"{len(merged.fallbacks)} codes lie outside every outline range and went to their top section"
            f" by number (e.g. {', '.join(sorted(merged.fallbacks)[:5])})"
        )
    yield from merged.records

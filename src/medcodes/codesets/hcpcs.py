"""HCPCS Level II importer: the CMS alpha-numeric release (zip, fixed-width TXT or ANWEB xlsx).

HCPCS Level II is public domain but no PyPI package ships it, so there is no packaged source.

Decisions worth knowing:
- Only Level II rows are imported: procedure codes shaped letter + 4 digits and alphabetic
  modifiers. Level I (CPT) rows and numeric CPT modifiers that some contractor files carry are
  skipped, because CPT text is AMA copyright.
- Terminated codes are kept with their termination date and stay ``billable=True``: they were
  billable for dates of service before termination, which is what a coder looking up an old claim
  needs. The store's ``is_current`` is what hides them wherever current codes are asked for.
- Modifiers are ``kind="modifier"``, not billable on their own, under the root node ``MODIFIERS``.
- The letter outline (chapters and sections) is data in ``hcpcs_outline.tsv``.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from medcodes import systems
from medcodes.codesets import hcpcs_index_pdf
from medcodes.models import CodeRecord, ReleaseFileError, Source

SYSTEM = "hcpcs"
MODIFIER_ROOT = "MODIFIERS"

_CODE = systems.get("hcpcs").shape
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1
    )
}

# File names of the alpha-numeric release and its companions.
_DATA_NAME = re.compile(
    r"^HCPC(?P<year>\d{4})(?:_(?P<month>[A-Z]{3}))?_(?:CONTR_)?ANWEB[^/]*\.(?P<ext>txt|xlsx)$", re.I
)
_ZIP_NAME = re.compile(r"(alpha-?numeric-hcpcs-file|hcpc\d{4}.*anweb).*\.zip$", re.I)
_LAYOUT_NAME = re.compile(r"record-?_?layout.*\.(zip|txt)$", re.I)
_NOC_NAME = re.compile(r"noc.?codes.*\.(xlsx|zip)$", re.I)
_YEAR = re.compile(r"(20\d\d)")

COVERAGE = {
    "C": "Carrier judgment",
    "D": "Special coverage instructions apply",
    "I": "Not payable by Medicare",
    "M": "Non-covered by Medicare",
    "S": "Non-covered by Medicare statute",
}
ACTIONS = {
    "A": "Add procedure or modifier code",
    "B": "Change in both administrative data field and long description",
    "C": "Change in long description",
    "D": "Discontinue procedure or modifier code",
    "F": "Change in administrative data field",
    "N": "No maintenance for this code",
    "P": "Payment change",
    "R": "Re-activate discontinued/deleted procedure or modifier code",
    "S": "Change in short description",
    "T": "Miscellaneous change (BETOS, type of service)",
}

# Layout field names (TXT record layout) and ANWEB column headers -> readable keys. First match wins.
_LAYOUT_KEYS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.I), k)
    for p, k in [
        (r"sequence number", "sequence"),
        (r"record identification", "ric"),
        (r"long description", "long"),
        (r"short description", "short"),
        (r"multiple pricing", "multiple_pricing_indicator"),
        (r"pricing indicator", "pricing_indicators"),
        (r"coverage issues manual", "coverage_issues_manual"),
        (r"carriers manual", "carriers_manual"),
        (r"statute", "statute"),
        (r"lab certification", "lab_certifications"),
        (r"cross reference", "cross_references"),
        (r"coverage code", "coverage_code"),
        (r"asc payment group effective", "asc_group_effective_date"),
        (r"asc payment group", "asc_group"),
        (r"(mog|opps) payment group", "opps_payment_group"),
        (r"(mog|opps) payment policy", "opps_payment_policy_indicator"),
        (r"(mog|opps) effective", "opps_effective_date"),
        (r"processing note", "processing_note"),
        (r"berenson|betos", "betos"),
        (r"type of service", "type_of_service"),
        (r"anesthesia base unit", "anesthesia_base_units"),
        (r"added date|add date", "added_date"),
        (r"action effective", "action_effective_date"),
        (r"termination date", "termination_date"),
        (r"action code", "action_code"),
    ]
]
_COLUMN_KEYS: dict[str, str] = {
    "HCPC": "code",
    "SEQNUM": "sequence",
    "RECID": "ric",
    "LONG DESCRIPTION": "long",
    "SHORT DESCRIPTION": "short",
    "PRICE": "pricing_indicators",
    "MULT_PI": "multiple_pricing_indicator",
    "CIM": "coverage_issues_manual",
    "MCM": "carriers_manual",
    "STATUTE": "statute",
    "LABCERT": "lab_certifications",
    "XREF": "cross_references",
    "COV": "coverage_code",
    "ASC_GRP": "asc_group",
    "ASC_DT": "asc_group_effective_date",
    "OPPS": "opps_payment_group",
    "MOG": "opps_payment_group",
    "OPPS_PI": "opps_payment_policy_indicator",
    "MOG_PI": "opps_payment_policy_indicator",
    "OPPS_DT": "opps_effective_date",
    "MOG_DT": "opps_effective_date",
    "PROCNOTE": "processing_note",
    "BETOS": "betos",
    "TOS": "type_of_service",
    "ANEST_BU": "anesthesia_base_units",
    "ADD DT": "added_date",
    "ACT EFF DT": "action_effective_date",
    "TERM DT": "termination_date",
    "ACTION CD": "action_code",
}
_LISTS = {
    "pricing_indicators",
    "coverage_issues_manual",
    "carriers_manual",
    "lab_certifications",
    "cross_references",
    "type_of_service",
}
_DATES = {
    "added_date",
    "action_effective_date",
    "termination_date",
    "asc_group_effective_date",
    "opps_effective_date",
}


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    start: int  # 0-based
    length: int
    occurs: int = 1


@dataclass(frozen=True, slots=True)
class Layout:
    year: int | None
    record_length: int
    fields: tuple[Field, ...]
    origin: str


# The 2019 contractor record (HCPCS2019_recordlayout.txt), used when no layout file is at hand.
DEFAULT_LAYOUT = Layout(
    year=2019,
    record_length=320,
    origin="built-in 2019 320-character layout",
    fields=tuple(
        Field(k, s - 1, n, o)
        for k, s, n, o in [
            ("sequence", 6, 5, 1),
            ("ric", 11, 1, 1),
            ("long", 12, 80, 1),
            ("short", 92, 28, 1),
            ("pricing_indicators", 120, 2, 4),
            ("multiple_pricing_indicator", 128, 1, 1),
            ("coverage_issues_manual", 129, 6, 3),
            ("carriers_manual", 147, 8, 3),
            ("statute", 171, 10, 1),
            ("lab_certifications", 181, 3, 8),
            ("cross_references", 205, 5, 5),
            ("coverage_code", 230, 1, 1),
            ("asc_group", 231, 2, 1),
            ("asc_group_effective_date", 233, 8, 1),
            ("opps_payment_group", 241, 3, 1),
            ("opps_payment_policy_indicator", 244, 1, 1),
            ("opps_effective_date", 245, 8, 1),
            ("processing_note", 253, 4, 1),
            ("betos", 257, 3, 1),
            ("type_of_service", 261, 1, 5),
            ("anesthesia_base_units", 266, 3, 1),
            ("added_date", 269, 8, 1),
            ("action_effective_date", 277, 8, 1),
            ("termination_date", 285, 8, 1),
            ("action_code", 293, 1, 1),
        ]
    ),
)


# ---------------------------------------------------------------------------------------------------
# Record layout


def parse_layout(text: str, origin: str = "record layout") -> Layout:
    """Fields of a CMS 'RIF REPORT' record layout: numbered names, then `length beg end` lines."""
    lines = text.replace("\r", "").split("\n")
    year = None
    m = re.search(r"Contractor Record\s*-\s*(\d{4})", text)
    if m:
        year = int(m.group(1))
    total = re.search(r"^\s+(\d+)\s+1\s+(\d+)\s+REC\b", text, re.M)
    fields: list[Field] = []
    i = 0
    while i < len(lines):
        head = re.match(r"^\s+\d+\.\s+(.*?)\s*(CHAR|NUM|GRP)?\s*$", lines[i])
        if not head:
            i += 1
            continue
        name = head.group(1)
        j, pos = i + 1, None
        while j < len(lines) and j < i + 4:
            pos = re.match(r"^\s+(\d+)\s+(\d+)\s+(\d+)\s*(CHAR|NUM|GRP)?\s*$", lines[j])
            if pos:
                break
            j += 1
        occurs = 1
        k = j + 1
        while k < len(lines) and not re.match(r"^\s+\d+\.\s", lines[k]):
            o = re.search(r"OCCURS MAX:\s*(\d+)", lines[k])
            if o:
                occurs = int(o.group(1))
            k += 1
        # Fields starting inside the 5-character code (the redefinition group, modifier) are parts of it.
        if pos and int(pos.group(2)) > 5 and "FILLER" not in name.upper():
            key = next((key for pat, key in _LAYOUT_KEYS if pat.search(name)), None)
            if key:
                fields.append(Field(key, int(pos.group(2)) - 1, int(pos.group(1)), occurs))
        i = k
    keys = {f.key for f in fields}
    if not {"ric", "long", "short"} <= keys:
        raise ReleaseFileError(origin, "not a HCPCS record layout: no record id / description fields found")
    return Layout(
        year=year, record_length=int(total.group(2)) if total else 0, fields=tuple(fields), origin=origin
    )


# ---------------------------------------------------------------------------------------------------
# Finding the release


@dataclass(slots=True)
class _Candidate:
    path: Path
    year: int
    month: int  # 1 for an annual release
    form: str  # "zip", "txt", "xlsx"


def _release_of_name_year(name: str) -> tuple[int, int] | None:
    """Release of a zip named like a HCPCS release whose content could not be opened."""
    if not _ZIP_NAME.search(name):
        return None
    m = _YEAR.search(name)
    return (int(m.group(1)), 1) if m else None


def _release_of(name: str) -> tuple[int, int] | None:
    m = _DATA_NAME.match(name)
    if not m:
        return None
    month = _MONTHS.get((m.group("month") or "").upper(), 1)
    return int(m.group("year")), month


def _zip_data_member(zf: zipfile.ZipFile) -> str | None:
    names = [n for n in zf.namelist() if _DATA_NAME.match(Path(n).name)]
    txt = [n for n in names if n.lower().endswith(".txt")]
    return (txt or names)[0] if names else None


def _candidate(path: Path) -> _Candidate | str | None:
    """A release candidate, a reason to pass it over (str), or None when the name is not HCPCS."""
    name = path.name
    if path.suffix.lower() == ".zip" and _ZIP_NAME.search(name) and not _NOC_NAME.search(name):
        try:
            with zipfile.ZipFile(path) as zf:
                member = _zip_data_member(zf)
        except (zipfile.BadZipFile, OSError) as exc:
            return f"{name}: not a readable zip ({exc})"
        if member is None:
            return f"{name}: no HCPC*ANWEB txt/xlsx member"
        year, month = _release_of(Path(member).name)  # type: ignore[misc]
        return _Candidate(path, year, month, "zip")
    rel = _release_of(name)
    if rel is None:
        return None
    form = path.suffix.lower().lstrip(".")
    problem = _sniff(path, form)
    if problem:
        return f"{name}: {problem}"
    return _Candidate(path, rel[0], rel[1], form)


def _sniff(path: Path, form: str) -> str | None:
    try:
        if form == "xlsx":
            if not zipfile.is_zipfile(path):
                return "not an xlsx workbook"
            header = _xlsx_header(path)
            if "HCPC" not in header or "LONG DESCRIPTION" not in header:
                return "first row is not the ANWEB header (HCPC, SEQNUM, RECID, LONG DESCRIPTION, ...)"
            return None
        with open(path, encoding="latin-1") as fh:
            head = [fh.readline() for _ in range(40)]
        if not any(_looks_like_record(line.rstrip("\r\n")) for line in head):
            return "no fixed-width HCPCS records in the first 40 lines"
    except OSError as exc:
        return f"cannot be read ({exc})"
    return None


def _looks_like_record(line: str) -> bool:
    return len(line) >= 92 and line[10:11] in ("3", "4", "7", "8") and line[5:10].strip().isdigit()


def _layout_for(year: int, files: list[Path]) -> Path | None:
    for path in files:
        if _LAYOUT_NAME.search(path.name) and str(year) in path.name:
            return path
    return None


def _noc_for(files: list[Path]) -> Path | None:
    nocs = [p for p in files if _NOC_NAME.search(p.name)]
    nocs.sort(key=lambda p: (max((int(y) for y in _YEAR.findall(p.name)), default=0), _month_in(p.name)))
    return nocs[-1] if nocs else None


def _month_in(name: str) -> int:
    m = re.search(r"(JAN|APR|JUL|OCT)", name.upper())
    return _MONTHS[m.group(1)] if m else 0


def select(files: list[Path], packaged: bool = True, allow_fallback: bool = False) -> Source | None:
    """The newest alpha-numeric release among `files` (`packaged` is ignored: none exists).

    A release that cannot be read stops the build when it is newer than every readable one:
    silently building from last year's file would look like success. `allow_fallback` builds
    from the newest readable release instead and says so in the notes."""
    found: list[_Candidate] = []
    passed: list[str] = []
    unreadable: list[tuple[tuple[int, int], Path, str]] = []
    for path in files:
        c = _candidate(Path(path))
        if isinstance(c, _Candidate):
            found.append(c)
        elif isinstance(c, str):
            passed.append(c)
            rel = _release_of(Path(path).name) or _release_of_name_year(Path(path).name)
            if rel is not None:
                unreadable.append((rel, Path(path), c.split(":", 1)[1].strip()))
    if not found:
        if passed:
            bad = passed[0].split(":", 1)
            raise ReleaseFileError(bad[0], f"looks like a HCPCS release but {bad[1].strip()}")
        return None
    # Newest release wins; within one release the complete zip (TXT + layout) beats loose files.
    rank = {"zip": 2, "txt": 1, "xlsx": 0}
    found.sort(key=lambda c: (c.year, c.month, rank[c.form]), reverse=True)
    best = found[0]
    newer = [u for u in unreadable if u[0] > (best.year, best.month)]
    if newer and not allow_fallback:
        (year, month), path, reason = max(newer, key=lambda u: u[0])
        raise ReleaseFileError(
            path,
            f"the newest HCPCS release ({year}-{month:02d}) cannot be read: {reason}. Replace the file, or pass"
            f" --allow-fallback to build from the older {best.path.name}",
        )
    version = f"{best.year}-{best.month:02d}" if best.month != 1 or best.form == "xlsx" else str(best.year)
    src = Source(
        system=SYSTEM,
        name=f"CMS HCPCS Level II alpha-numeric file {version}",
        version=version,
        files={"release": best.path},
        release_date=date(best.year, best.month, 1).isoformat(),
    )
    src.notes.append(f"chose {best.path.name} ({best.form}, release {version})")
    for c in found[1:]:
        src.notes.append(f"passed over {c.path.name} (release {c.year}-{c.month:02d}, older or a duplicate)")
    for reason in passed:
        src.notes.append(f"passed over {reason}")
    for (year, month), path, reason in newer:
        src.notes.append(
            f"WARNING: fell back from the newer unreadable {path.name} ({year}-{month:02d}: {reason})"
        )
    if best.form in ("zip", "txt"):
        layout = _layout_for(best.year, [Path(p) for p in files])
        if layout is not None:
            src.files["layout"] = layout
            src.notes.append(f"record layout from {layout.name}")
    noc = _noc_for([Path(p) for p in files])
    if noc is not None:
        src.files["noc"] = noc
        src.notes.append(f"not-otherwise-classified list from {noc.name}")
    index_pdf, drugs_pdf = hcpcs_index_pdf.pick_pdfs(Path(p) for p in files)
    for role, pdf in (("index_pdf", index_pdf), ("drugs_pdf", drugs_pdf)):
        if pdf is not None:
            src.files[role] = pdf
            src.notes.append(f"search terms from {pdf.name}")
    return src


def _pdf_terms(source: Source, records: list[CodeRecord]) -> None:
    """Terms from the CMS index and Table of Drugs PDFs, for codes of this release still current."""
    index_pdf, drugs_pdf = source.files.get("index_pdf"), source.files.get("drugs_pdf")
    if index_pdf is None and drugs_pdf is None:
        return
    today = date.today().isoformat()
    current = {
        r.code: r
        for r in records
        if r.kind == "code" and (not r.termination_date or r.termination_date > today)
    }
    pairs = hcpcs_index_pdf.hcpcs_pdf_pairs(
        Path(index_pdf) if index_pdf else None,
        Path(drugs_pdf) if drugs_pdf else None,
        keep=current.__contains__,
    )
    for pair in pairs:
        current[pair.code].terms.append((pair.term, f"hcpcs_{pair.source}"))
    source.notes.append(f"{len(pairs)} search terms from the HCPCS index and Table of Drugs PDFs")


# ---------------------------------------------------------------------------------------------------
# Reading


def read(source: Source) -> Iterator[CodeRecord]:
    """Outline nodes first, then the release's codes and modifiers in release order."""
    path = source.files.get("release")
    if path is None:
        raise ReleaseFileError(source.name, "the source names no release file")
    path = Path(path)
    if not path.exists():
        raise ReleaseFileError(path, "file not found")
    rows = list(_rows(path, source.files.get("layout")))
    noc = _read_noc(Path(source.files["noc"])) if source.files.get("noc") else set()
    records = []
    for fields, where in rows:
        rec = _record(fields, path, where, source.name)
        if rec is None:
            continue
        if rec.code in noc:
            rec.attrs["not_otherwise_classified"] = True
        records.append(rec)
    if not records:
        raise ReleaseFileError(path, "no HCPCS Level II codes found")
    _pdf_terms(source, records)
    outline = _outline()
    used: set[str] = set()
    for rec in records:
        rec.parent = _parent(rec, outline)
        node: str | None = rec.parent
        while node and node not in used:
            used.add(node)
            node = outline[node].parent if node in outline else None
    for code, outline_node in outline.items():
        if code in used:
            yield outline_node
    for letter in sorted({r.parent for r in records if r.parent and r.parent not in outline}):
        # A letter CMS adds later still gets a chapter rather than leaving its codes orphaned.
        yield CodeRecord(
            system=SYSTEM,
            code=letter,
            display=letter,
            kind="chapter",
            title=f"HCPCS Level II {letter[0]} codes",
            source="hcpcs_outline",
        )
    yield from records


def _outline() -> dict[str, CodeRecord]:
    text = (Path(__file__).with_name("hcpcs_outline.tsv")).read_text(encoding="utf-8")
    nodes: dict[str, CodeRecord] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, kind, parent, title = line.split("\t")
        nodes[code] = CodeRecord(
            system=SYSTEM,
            code=code,
            display=code,
            kind=kind,
            title=title,
            parent=parent or None,
            source="hcpcs_outline",
        )
    return nodes


def _parent(rec: CodeRecord, outline: dict[str, CodeRecord]) -> str:
    if rec.kind == "modifier":
        return MODIFIER_ROOT
    letter, number = rec.code[0], int(rec.code[1:])
    for code, node in outline.items():
        if node.kind == "section" and code[0] == letter:
            lo, hi = code.split("-")
            if int(lo[1:]) <= number <= int(hi[1:]):
                return code
    return f"{letter}0000-{letter}9999"


def _rows(path: Path, layout_path: Path | None) -> Iterator[tuple[dict, str]]:
    if path.suffix.lower() == ".xlsx":
        yield from _xlsx_rows(path, path.read_bytes())
        return
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                member = _zip_data_member(zf)
                if member is None:
                    raise ReleaseFileError(path, "zip holds no HCPC*ANWEB txt or xlsx member")
                data = zf.read(member)
                inner = [n for n in zf.namelist() if _LAYOUT_NAME.search(Path(n).name)]
                layout_text = zf.read(inner[0]).decode("latin-1") if inner else None
        except zipfile.BadZipFile as exc:
            raise ReleaseFileError(path, f"not a readable zip ({exc})") from None
        name = Path(member).name
        if name.lower().endswith(".xlsx"):
            yield from _xlsx_rows(path, data, member=name)
            return
        layout = _load_layout(layout_text, layout_path, path, f"{path.name}:{inner[0]}" if inner else "")
        yield from _txt_rows(path, data.decode("latin-1"), layout, _release_of(name))
        return
    layout = _load_layout(None, layout_path, path, "")
    yield from _txt_rows(path, path.read_bytes().decode("latin-1"), layout, _release_of(path.name))


def _load_layout(text: str | None, layout_path: Path | None, data_path: Path, origin: str) -> Layout:
    if text is None and layout_path is not None:
        layout_path = Path(layout_path)
        origin = layout_path.name
        try:
            if layout_path.suffix.lower() == ".zip":
                with zipfile.ZipFile(layout_path) as zf:
                    members = [n for n in zf.namelist() if n.lower().endswith(".txt")]
                    if not members:
                        raise ReleaseFileError(layout_path, "zip holds no record layout .txt")
                    text = zf.read(members[0]).decode("latin-1")
            else:
                text = layout_path.read_text(encoding="latin-1")
        except (zipfile.BadZipFile, OSError) as exc:
            raise ReleaseFileError(layout_path, f"record layout cannot be read ({exc})") from None
    if text is None:
        return DEFAULT_LAYOUT
    layout = parse_layout(text, origin or data_path.name)
    release = _release_of(data_path.name) or _release_of_zip(data_path)
    if layout.year and release and layout.year != release[0]:
        raise ReleaseFileError(
            origin or data_path.name, f"record layout is for {layout.year} but the data file is {release[0]}"
        )
    return layout


def _release_of_zip(path: Path) -> tuple[int, int] | None:
    if path.suffix.lower() != ".zip":
        return None
    try:
        with zipfile.ZipFile(path) as zf:
            member = _zip_data_member(zf)
    except zipfile.BadZipFile:
        return None
    return _release_of(Path(member).name) if member else None


def _txt_rows(
    path: Path, text: str, layout: Layout, release: tuple[int, int] | None
) -> Iterator[tuple[dict, str]]:
    by_key = {f.key: f for f in layout.fields}
    ric_f, long_f = by_key["ric"], by_key["long"]
    # A first-line record must reach the last field we read; trailing spaces may have been lost.
    needed = max(f.start + f.length * f.occurs for f in layout.fields if f.key != "action_code") - 10
    current: dict | None = None
    where = ""
    started = False
    for lineno, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        if not started and not _looks_like_record(line):
            if lineno > 40:
                raise ReleaseFileError(
                    path, "no fixed-width HCPCS records in the first 40 lines", f"line {lineno}"
                )
            continue  # the disclaimer lines before the first record
        started = True
        if layout.record_length and len(line) > layout.record_length:
            raise ReleaseFileError(
                path,
                f"record is {len(line)} characters but the {layout.origin} says {layout.record_length}"
                " (wrong year's layout?)",
                f"line {lineno}",
            )
        ric = line[ric_f.start : ric_f.start + 1]
        if ric in ("4", "8"):
            if current is None:
                raise ReleaseFileError(path, "continuation record with no record before it", f"line {lineno}")
            more = line[long_f.start : long_f.start + long_f.length].strip()
            if more:
                current["long"] = f"{current['long']} {more}".strip()
            continue
        if ric not in ("3", "7"):
            raise ReleaseFileError(
                path, f"unknown record id {ric!r} (expected 3, 4, 7 or 8)", f"line {lineno}"
            )
        if len(line) < needed:
            raise ReleaseFileError(path, f"record is truncated ({len(line)} characters)", f"line {lineno}")
        if current is not None:
            yield current, where
        current = {"code": line[:5]}
        for f in layout.fields:
            if f.occurs > 1:
                current[f.key] = [
                    line[f.start + i * f.length : f.start + (i + 1) * f.length] for i in range(f.occurs)
                ]
            else:
                current[f.key] = line[f.start : f.start + f.length]
        where = f"line {lineno}"
    if current is not None:
        yield current, where
    elif not started:
        raise ReleaseFileError(path, "no fixed-width HCPCS records found")


def _xlsx_header(path: Path) -> list[str]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        for row in wb.worksheets[0].iter_rows(max_row=1, values_only=True):
            return [_text(v).strip().upper() for v in row]
        return []
    finally:
        wb.close()


def _xlsx_rows(path: Path, data: bytes, member: str | None = None) -> Iterator[tuple[dict, str]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise ReleaseFileError(path, f"not a readable xlsx workbook ({type(exc).__name__}: {exc})") from None
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = [_text(v).strip().upper() for v in next(rows, ())]
        if "HCPC" not in header or "LONG DESCRIPTION" not in header:
            raise ReleaseFileError(path, "row 1 is not the ANWEB header (HCPC, SEQNUM, RECID, ...)", "row 1")
        columns: list[tuple[int, str, bool]] = []
        for i, name in enumerate(header):
            base = re.sub(r"\d+$", "", name)
            key = _COLUMN_KEYS.get(name) or _COLUMN_KEYS.get(base)
            if key:
                columns.append((i, key, key in _LISTS))
        for rowno, row in enumerate(rows, start=2):
            if not row or all(v in (None, "") for v in row):
                continue
            fields: dict = {}
            for i, key, many in columns:
                value = _text(row[i]) if i < len(row) else ""
                if many:
                    fields.setdefault(key, []).append(value)
                else:
                    fields[key] = value
            yield fields, f"row {rowno}"
    finally:
        wb.close()


def _text(value) -> str:
    """Every cell as text: dates as YYYYMMDD, whole floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _iso(raw: str, path: Path, where: str, what: str) -> str | None:
    raw = raw.strip()
    if not raw:
        return None
    if not re.fullmatch(r"\d{8}", raw):
        raise ReleaseFileError(path, f"{what} {raw!r} is not a YYYYMMDD date", where)
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:])).isoformat()
    except ValueError:
        raise ReleaseFileError(path, f"{what} {raw!r} is not a valid date", where) from None


def _record(fields: dict, path: Path, where: str, source_name: str) -> CodeRecord | None:
    raw_code = fields.get("code", "")
    code = raw_code.strip().upper()
    ric = fields.get("ric", "").strip()
    if ric == "7" or (not ric and _MODIFIER.match(code)):
        kind = "modifier"
        # Numeric modifiers are CPT (Level I) modifiers: AMA text, not ours to import.
        if not _MODIFIER.match(code) or code.isdigit():
            return None
    elif ric == "3":
        kind = "code"
        if not _CODE.match(code):
            if re.fullmatch(r"\d{4}[0-9A-Z]", code):
                return None  # a CPT (Level I) row
            raise ReleaseFileError(path, f"{raw_code!r} is not a HCPCS code", where)
    else:
        raise ReleaseFileError(path, f"unknown record id {ric!r} (expected 3 or 7)", where)
    title = " ".join(fields.get("long", "").split())
    if not title:
        raise ReleaseFileError(path, f"{code} has no long description", where)
    attrs: dict = {}
    for key, value in fields.items():
        if key in ("code", "ric", "sequence", "long", "short", "added_date", "termination_date"):
            continue
        if isinstance(value, list):
            items = [v.strip() for v in value if v.strip()]
            if items:
                attrs[key] = items
            continue
        value = value.strip()
        if not value:
            continue
        if key in _DATES:
            value = _iso(value, path, where, key.replace("_", " "))
        elif key == "anesthesia_base_units":
            if not value.isdigit() or int(value) == 0:
                continue
            value = int(value)
        attrs[key] = value
    if attrs.get("coverage_code") in COVERAGE:
        attrs["coverage"] = COVERAGE[attrs["coverage_code"]]
    if attrs.get("action_code") in ACTIONS:
        attrs["action"] = ACTIONS[attrs["action_code"]]
    return CodeRecord(
        system=SYSTEM,
        code=code,
        display=code,
        kind=kind,
        title=title,
        short_title=" ".join(fields.get("short", "").split()) or None,
        billable=kind == "code",
        effective_date=_iso(fields.get("added_date", ""), path, where, "add date"),
        termination_date=_iso(fields.get("termination_date", ""), path, where, "termination date"),
        attrs=attrs,
        source=source_name,
    )


def _read_noc(path: Path) -> set[str]:
    """Codes on the NOC ('not otherwise classified') list: a supplement, so an unreadable one only
    raises when it is damaged, and only codes shaped like Level II codes count."""
    import openpyxl

    try:
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as zf:
                members = [n for n in zf.namelist() if n.lower().endswith(".xlsx")]
                if not members:
                    raise ReleaseFileError(path, "zip holds no NOC codes xlsx")
                data = zf.read(members[0])
        else:
            data = path.read_bytes()
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    except ReleaseFileError:
        raise
    except Exception as exc:
        raise ReleaseFileError(path, f"not a readable NOC codes workbook ({type(exc).__name__})") from None
    codes: set[str] = set()
    try:
        header_seen = False
        for row in wb.worksheets[0].iter_rows(values_only=True):
            first = _text(row[0] if row else None).strip().upper()
            if first == "HCPCS":
                header_seen = True
            elif header_seen and _CODE.match(first):
                codes.add(first)
    finally:
        wb.close()
    if not header_seen:
        raise ReleaseFileError(path, "no 'HCPCS' header row: not a NOC codes list")
    return codes

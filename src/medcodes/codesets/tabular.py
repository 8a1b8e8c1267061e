"""Reading CMS spreadsheets row by row (csv, ~-delimited txt, xlsx) with the line or row number of each
row, for the payment importers. The cell readers are the ones the CPT importer already trusts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from medcodes.codesets.cpt import _head_text, _rows, _xlsx_rows  # noqa: F401  (shared readers)
from medcodes.models import ReleaseFileError

__all__ = [
    "rows",
    "head_rows",
    "after_header",
    "locality_rows",
    "check_code",
    "cell",
    "decimal_text",
    "unit",
    "year_in",
]


def rows(path: Path, fmt: str, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """(1-based line or row number, cells as text)."""
    return _rows(path, fmt, delimiter=delimiter)


def after_header(
    path: Path, fmt: str, is_header: Callable[[list[str]], bool], missing: str, *, delimiter: str = ","
) -> tuple[int, list[str], Iterator[tuple[int, list[str]]]]:
    """Skips the title rows: (the header row's number, its cells, the rows after it). A file with no row
    `is_header` knows is a ReleaseFileError saying `missing`."""
    it = rows(path, fmt, delimiter=delimiter)
    for n, row in it:
        if is_header(row):
            return n, row, it
    raise ReleaseFileError(path, missing)


def locality_rows(
    path: Path, fmt: str, it: Iterator[tuple[int, list[str]]], *, locality_col: int = 1
) -> Iterator[tuple[str, str, str, list[str]]]:
    """The rows of a per-locality file (MAC number first): (where, MAC as five digits, locality as two
    digits, cells). Rows that do not start with a number (spacers, footnotes, blank lines) are passed
    over; a locality that is not a number, or no locality row at all (a truncated file), is an error."""
    count = 0
    for n, row in it:
        mac, loc = cell(row, 0), cell(row, locality_col)
        if not mac.isdigit():
            continue
        where = f"{unit(fmt)} {n}"
        if not loc.isdigit():
            raise ReleaseFileError(path, f"locality number is not a number: {loc!r}", where=where)
        count += 1
        yield where, mac.zfill(5), loc.zfill(2), row
    if not count:
        raise ReleaseFileError(path, "no locality rows after the header; the file may be truncated")


def head_rows(path: Path, fmt: str, limit: int = 12) -> list[list[str]]:
    """The first rows of a file, cheaply, for recognising it; [] when it cannot be read."""
    import csv

    try:
        if fmt == "xlsx":
            return [["" if c is None else str(c) for c in r] for r in _xlsx_rows(path, limit=limit)]
        text = _head_text(path)
    except (OSError, ReleaseFileError):
        return []
    try:
        return list(csv.reader(text.splitlines()[: limit * 4]))[:limit]
    except csv.Error:
        return []


_SERVICE_CODE = re.compile(r"^[0-9A-Z]{5}$")


def check_code(code: str, path: Path, where: str) -> None:
    """A HCPCS or CPT code is five letters or digits; anything else in a code column is an error."""
    if not _SERVICE_CODE.match(code):
        raise ReleaseFileError(path, f"not a HCPCS/CPT code: {code[:12]!r}", where=where)


def unit(fmt: str) -> str:
    return "row" if fmt == "xlsx" else "line"


def cell(row: list[str], i: int) -> str:
    return re.sub(r"\s+", " ", row[i]).strip() if i < len(row) and row[i] is not None else ""


def decimal_text(value: str, path: Path, where: str, field: str, *, blank: str | None = "0") -> str | None:
    """A number exactly as the file gives it (leading zeros dropped, "00017.90" -> "17.90"), checked.

    Spreadsheet floats come back as binary fractions ("6.9799999999999995"); ten significant digits
    give back what the sheet shows. `blank` is what an empty cell means (None: no value)."""
    s = value.strip().replace(",", "").replace("$", "")
    if s in ("", "."):
        return blank
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise ReleaseFileError(
            path, f"{field} is not a number: {value.strip()[:30]!r}", where=where
        ) from None
    if "e" in s.lower() or len(s.split(".")[-1]) > 8:
        d = Decimal(format(float(s), ".10g"))
    if not d.is_finite():
        raise ReleaseFileError(path, f"{field} is not a number: {value.strip()[:30]!r}", where=where)
    text = format(d, "f")
    return text if not text.startswith(".") else "0" + text


def year_in(*texts: str) -> int | None:
    """The first 20xx year in these texts (file names, titles), or None."""
    for t in texts:
        m = re.search(r"(?<!\d)(20\d{2})(?!\d)", t or "")
        if m:
            return int(m.group(1))
    return None

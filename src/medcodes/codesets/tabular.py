"""Reading CMS spreadsheets row by row (csv, ~-delimited txt, xlsx) with the line or row number of each
row, for the payment importers. The cell readers are the ones the CPT importer already trusts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from medcodes.codesets.cpt import _head_text, _rows, _xlsx_rows  # noqa: F401  (shared readers)
from medcodes.models import ReleaseFileError

__all__ = ["rows", "head_rows", "cell", "decimal_text", "unit", "year_in"]


def rows(path: Path, fmt: str, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """(1-based line or row number, cells as text)."""
    return _rows(path, fmt, delimiter=delimiter)


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

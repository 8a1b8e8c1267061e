"""The ICD-10-PCS Tables XML: tables, their rows, and the codes each row stands for.

A code exists only as the Cartesian product of the four value lists *within one row*; combining values
from different rows of a table gives codes that do not exist. Each row states its product in
``pcsRow/@codes``, which the reader checks, and the sum over all rows is the release's code count.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from medcodes.codesets.xmlfile import parse_root
from medcodes.models import ReleaseFileError


@dataclass(slots=True)
class Axis:
    pos: int
    title: str
    labels: dict[str, str]  # value -> label, in table order
    definition: str | None = None


@dataclass(slots=True)
class Row:
    axes: list[Axis]  # positions 4..7
    codes: int  # the row's own count (@codes)

    def expand(self, prefix: str) -> Iterator[str]:
        for values in itertools.product(*(list(a.labels) for a in self.axes)):
            yield prefix + "".join(values)


@dataclass(slots=True)
class Table:
    prefix: str  # 3 characters: section, body system, operation
    axes: list[Axis]  # positions 1..3, one value each
    rows: list[Row] = field(default_factory=list)

    def value_labels(self, pos: int) -> dict[str, str]:
        """Every value of position `pos` (4..7) used anywhere in the table, with its label."""
        merged: dict[str, str] = {}
        for row in self.rows:
            merged.update(row.axes[pos - 4].labels)
        return merged

    def axis_title(self, pos: int) -> str:
        if pos <= 3:
            return self.axes[pos - 1].title
        return self.rows[0].axes[pos - 4].title


@dataclass(slots=True)
class Tables:
    path: Path
    version: int
    tables: dict[str, Table]  # prefix -> table, in file order
    total: int  # sum of pcsRow/@codes, checked against the expansion

    def codes(self) -> dict[str, tuple[Table, Row]]:
        """Every code the tables define, with its table and row."""
        out: dict[str, tuple[Table, Row]] = {}
        for table in self.tables.values():
            for row in table.rows:
                for code in row.expand(table.prefix):
                    if code in out:
                        raise ReleaseFileError(self.path, f"code {code} is defined by two rows", where=f"table {table.prefix}")
                    out[code] = (table, row)
        if len(out) != self.total:
            raise ReleaseFileError(
                self.path, f"rows expand to {len(out)} codes but pcsRow/@codes sums to {self.total}", where="checksum"
            )
        return out


def _axis(path: Path, el: ET.Element, where: str) -> Axis:
    try:
        pos = int(el.get("pos", ""))
        declared = int(el.get("values", ""))
    except ValueError:
        raise ReleaseFileError(path, "axis without a numeric pos/values attribute", where=where) from None
    title = (el.findtext("title") or "").strip()
    labels: dict[str, str] = {}
    for lab in el.findall("label"):
        code = (lab.get("code") or "").strip().upper()
        if len(code) != 1:
            raise ReleaseFileError(path, f"axis {pos} has a label with code {code!r}", where=where)
        labels[code] = (lab.text or "").strip()
    if not title or not labels:
        raise ReleaseFileError(path, f"axis {pos} has no title or no labels", where=where)
    if declared != len(labels):
        raise ReleaseFileError(path, f"axis {pos} declares {declared} values but lists {len(labels)}", where=where)
    definition = (el.findtext("definition") or "").strip() or None
    return Axis(pos, title, labels, definition)


def parse(path: Path, expect_year: int | None = None) -> Tables:
    root = parse_root(path, "ICD10PCS.tabular")
    try:
        version = int((root.findtext("version") or "").strip())
    except ValueError:
        raise ReleaseFileError(path, "no numeric <version>", where="version") from None
    if expect_year is not None and version != expect_year:
        raise ReleaseFileError(path, f"tables are for {version}, expected {expect_year}", where="version")
    tables: dict[str, Table] = {}
    total = 0
    for t_index, t_el in enumerate(root.iter("pcsTable"), 1):
        where = f"pcsTable #{t_index}"
        axes = [_axis(path, a, where) for a in t_el.findall("axis")]
        if [a.pos for a in axes] != [1, 2, 3] or any(len(a.labels) != 1 for a in axes):
            raise ReleaseFileError(path, "a table needs axes 1, 2 and 3 with one value each", where=where)
        prefix = "".join(next(iter(a.labels)) for a in axes)
        where = f"table {prefix}"
        if prefix in tables:
            raise ReleaseFileError(path, "table appears twice", where=where)
        table = Table(prefix, axes)
        for r_index, r_el in enumerate(t_el.findall("pcsRow"), 1):
            r_where = f"{where} row {r_index}"
            r_axes = [_axis(path, a, r_where) for a in r_el.findall("axis")]
            if [a.pos for a in r_axes] != [4, 5, 6, 7]:
                raise ReleaseFileError(path, "a row needs axes 4, 5, 6 and 7", where=r_where)
            try:
                declared = int(r_el.get("codes", ""))
            except ValueError:
                raise ReleaseFileError(path, "pcsRow without a numeric codes attribute", where=r_where) from None
            product = 1
            for a in r_axes:
                product *= len(a.labels)
            if product != declared:
                raise ReleaseFileError(path, f"row says {declared} codes but its values give {product}", where=r_where)
            table.rows.append(Row(r_axes, declared))
            total += declared
        if not table.rows:
            raise ReleaseFileError(path, "table has no pcsRow", where=where)
        tables[prefix] = table
    if not tables:
        raise ReleaseFileError(path, "no pcsTable elements")
    return Tables(path, version, tables, total)

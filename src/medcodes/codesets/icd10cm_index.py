"""ICD-10-CM index supplements as search terms: the Alphabetic Index, External Cause Index, Table
of Neoplasms and Table of Drugs (XML, or CDC's Windows-1252 CSV with en-dash-marked sub-terms).

Each yields (target code as written, term text). Terms are the index path ("Accident, aircraft");
table cells add the column heading ("Aspirin: poisoning accidental (unintentional)"). In the
Alphabetic Index a "see" reference ("Abandonment, see Maltreatment") gives the referring term to
the codes of the entry it points at, when that entry has codes.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from medcodes.codesets.icd10cm_tabular import root_tag
from medcodes.codesets.xmlfile import parse_root
from medcodes.models import ReleaseFileError

INDEX_ROOT = "ICD10CM.index"
ROLES = ("index", "eindex", "neoplasm", "drug")


def _title(el: ET.Element | None) -> str:
    """The title without its non-essential modifiers (<nemod>), which are not part of the term."""
    if el is None:
        return ""
    parts = [el.text or ""]
    for child in el:
        if child.tag != "nemod":
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def role_of(path: Path) -> str | None:
    """Which supplement a file is, by name and content; None if it is none of them."""
    name = path.name.lower()
    if name.endswith(".csv") and "drug" in name and name.startswith("icd10cm"):
        with open(path, "rb") as fh:
            first = fh.readline().decode("cp1252", "replace").upper()
        return "drug" if "DRUGS AND CHEMICALS" in first else None
    if not name.endswith(".xml") or not any(k in name for k in ("index", "neoplasm", "drug")):
        return None
    if root_tag(path) != INDEX_ROOT:
        return None
    if "eindex" in name:
        return "eindex"
    if "neoplasm" in name:
        return "neoplasm"
    return "drug" if "drug" in name else "index"


def _parse(path: Path) -> ET.Element:
    return parse_root(path, INDEX_ROOT)


def _walk(el: ET.Element, path: list[str], headings: dict[str, str]) -> Iterator[tuple[str, str]]:
    here = [*path, _title(el.find("title"))]
    label = ", ".join(p for p in here if p)
    for child in el:
        col = child.get("col")
        if child.tag == "code" and (child.text or "").strip():
            yield (child.text or "").strip(), label
        elif child.tag == "cell" and col is not None and col in headings:
            target = (child.text or "").strip()
            if target and target.strip("-"):
                yield target, f"{label}: {headings[col]}"
        elif child.tag == "term":
            yield from _walk(child, here, headings)


def read_xml(path: Path) -> Iterator[tuple[str, str]]:
    root = _parse(path)
    headings = {
        h.get("col") or "": " ".join("".join(h.itertext()).split()).lower() for h in root.iter("head")
    }
    headings.pop("1", None)
    for letter in root.iter("letter"):
        for main in letter.findall("mainTerm"):
            yield from _walk(main, [], headings)


def read_drug_csv(path: Path) -> Iterator[tuple[str, str]]:
    with open(path, "rb") as fh:
        data = fh.read().decode("cp1252")
    rows = csv.reader(io.StringIO(data, newline=""))
    try:
        title = next(rows)
        header = next(rows)
    except StopIteration:
        raise ReleaseFileError(path, "file ends before the header row", where="line 2") from None
    if not title or "DRUGS" not in title[0].upper() or not header or header[0].strip().lower() != "substance":
        raise ReleaseFileError(
            path, "not the CDC Table of Drugs CSV (title/header rows missing)", where="line 1"
        )
    headings = [h.strip().lower() for h in header[1:7]]
    stack: list[str] = []
    for n, row in enumerate(rows, 3):
        if not row or not row[0].strip():
            continue
        if len(row) < 7:
            raise ReleaseFileError(path, f"expected at least 7 fields, found {len(row)}", where=f"line {n}")
        raw = row[0]
        depth = len(raw) - len(raw.lstrip("\u2013"))
        name = raw.lstrip("\u2013").strip()
        # A sub-term's dash count is its depth below the main term; rebuild the path from there.
        del stack[depth:]
        stack.append(name)
        label = ", ".join(stack)
        for heading, cell in zip(headings, row[1:7], strict=False):
            target = cell.strip()
            if target and target.strip("-"):
                yield target, f"{label}: {heading}"


def _see_walk(
    el: ET.Element, path: list[str], codes: dict[str, list[str]], refs: list[tuple[str, str]]
) -> None:
    """Collect every entry's codes by its lower-case path, and every (referring term, "see" target)."""
    here = [*path, _title(el.find("title"))]
    label = ", ".join(p for p in here if p)
    for child in el:
        if child.tag == "code" and (child.text or "").strip():
            codes.setdefault(label.lower(), []).append((child.text or "").strip())
        elif child.tag == "see":
            target = " ".join("".join(child.itertext()).split())
            if target:
                refs.append((label, target))
        elif child.tag == "term":
            _see_walk(child, here, codes, refs)


def read_alphabetic_index(path: Path) -> Iterator[tuple[str, str]]:
    """Main terms and subterms (joined to their parents), then resolved "see" references."""
    yield from read_xml(path)
    root = _parse(path)
    codes: dict[str, list[str]] = {}
    refs: list[tuple[str, str]] = []
    for letter in root.iter("letter"):
        for main in letter.findall("mainTerm"):
            _see_walk(main, [], codes, refs)
    for label, target in refs:
        for code in codes.get(target.lower(), ()):
            yield code, label


def read(role: str, path: Path) -> Iterator[tuple[str, str]]:
    if path.suffix.lower() == ".csv":
        return read_drug_csv(path)
    if role == "index":
        return read_alphabetic_index(path)
    return read_xml(path)

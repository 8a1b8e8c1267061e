"""ICD-10-PCS reference XML: the Definitions file (meanings of axis values) and the Index file
(lay and clinical terms pointing at tables, partial codes and codes)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from medcodes.codesets.xmlfile import parse_root
from medcodes.models import ReleaseFileError


@dataclass(slots=True)
class Definition:
    definition: str | None = None
    explanation: str | None = None
    includes: list[str] = field(default_factory=list)


# (section value, axis position, value title in lower case) -> Definition
Definitions = dict[tuple[str, int, str], Definition]


def _root(path: Path, tag: str, expect_year: int | None) -> ET.Element:
    root = parse_root(path, tag)
    version = (root.findtext("version") or "").strip()
    if not version.isdigit():
        raise ReleaseFileError(path, "no numeric <version>", where="version")
    if expect_year is not None and int(version) != expect_year:
        raise ReleaseFileError(path, f"file is for {version}, expected {expect_year}", where="version")
    return root


def _text(el: ET.Element | None) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def parse_definitions(path: Path, expect_year: int | None = None) -> Definitions:
    root = _root(path, "ICD10PCS.definitions", expect_year)
    out: Definitions = {}
    for section in root.findall("section"):
        sec = (section.get("code") or "").strip().upper()
        if len(sec) != 1:
            raise ReleaseFileError(path, f"section with code {sec!r}", where="section")
        for axis in section.findall("axis"):
            try:
                pos = int(axis.get("pos", ""))
            except ValueError:
                raise ReleaseFileError(path, "axis without a numeric pos", where=f"section {sec}") from None
            for terms in axis.findall("terms"):
                d = Definition(
                    _text(terms.find("definition")) or None,
                    _text(terms.find("explanation")) or None,
                    [t for t in (_text(i) for i in terms.findall("includes")) if t],
                )
                # One <terms> can name several values (e.g. "1st Toe, Left" and "1st Toe, Right").
                for title in terms.findall("title"):
                    key = (sec, pos, _text(title).lower())
                    if key[2]:
                        out.setdefault(key, d)
    if not out:
        raise ReleaseFileError(path, "no <terms> found")
    return out


def parse_index(path: Path, expect_year: int | None = None) -> dict[str, list[str]]:
    """Target (table prefix, partial code or code) -> index terms leading to it, in index order.

    A term's text is its path of titles: "Abortion, Vacuum" for the sub-term Vacuum under Abortion.
    `use` targets (body-part and device keys) name axis values, not codes, so they are left out here.
    """
    root = _root(path, "ICD10PCS.index", expect_year)
    out: dict[str, list[str]] = {}

    def targets(el: ET.Element) -> list[str]:
        found = []
        for holder in (el, *el.findall("see")):
            for tag in ("tab", "codes", "code"):
                for t in holder.findall(tag):
                    code = "".join((t.text or "").split()).upper()
                    if 3 <= len(code) <= 7:
                        found.append(code)
        return found

    def walk(el: ET.Element, trail: list[str]) -> None:
        title = _text(el.find("title"))
        path_titles = [*trail, title] if title else trail
        if path_titles:
            text = ", ".join(path_titles)
            for code in targets(el):
                terms = out.setdefault(code, [])
                if text not in terms:
                    terms.append(text)
        for child in el.findall("term"):
            walk(child, path_titles)

    n = 0
    for letter in root.findall("letter"):
        for main in letter.findall("mainTerm"):
            n += 1
            walk(main, [])
    if n == 0:
        raise ReleaseFileError(path, "no <mainTerm> found")
    return out

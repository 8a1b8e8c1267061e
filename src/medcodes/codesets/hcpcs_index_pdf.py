"""Term -> code pairs from the CMS HCPCS Level II alphabetical index and Table of Drugs (PDF).

CMS publishes both as PDFs with each release (``<year>-HCPCS-Index.pdf``,
``<year>-Table-of-Drugs.pdf``). They name codes the way people look for them: "Cane", "Crutches",
brand names that point at a generic ("Ancef, see Cefazolin sodium"). This module turns their
text into (term, code) pairs at build time; the PDFs themselves are never committed.

Decisions worth knowing:
- Only well-formed Level II codes (letter + four digits) are kept; whether a code exists and is
  current is the caller's job (pass ``keep``), because that needs the built database.
- Code ranges ("E0955-E0958") are expanded when they span at most ``MAX_RANGE`` codes. Wider
  ranges ("prosthesis, L5000-L7510") name a whole chapter, not a code, so they are dropped.
- The index nests subterms under a heading line that has no code ("Amputee" then "adapter,
  wheelchair, E0959"); a subterm is joined to its heading so the pair stays meaningful alone.
- In the Table of Drugs, "Brand, see Generic" lines are resolved against the generic rows of the
  same table, so brand names reach the generic's codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

MAX_RANGE = 25

_CODE = r"[A-V]\d{4}"
_ONE_CODE = re.compile(rf"^{_CODE}$")
# A run of codes or ranges at the end of a line: "J0287-J0289", "L8400-L8465, L8470", "J7301,J7296".
_TRAILING_CODES = re.compile(rf"(?:[,\s]+{_CODE}(?:\s*-\s*{_CODE})?)+\s*$")
_CODE_OR_RANGE = re.compile(rf"({_CODE})(?:\s*-\s*({_CODE}))?")
_SEE = re.compile(r"^(?P<term>.+?),?\s+see\s+(?P<target>.+)$", re.I)
# Where the dose column starts in a Table of Drugs row ("100 mg", "up to 250 mg", "per 1.5 gm").
_DOSE = re.compile(
    r"\s(?:up\s+to|per|\d[\d.,]*\s*(?:mg|mcg|gm|g|ml|cc|units?|u|iu|i\.u\.|meq|microgram|micrograms|"
    r"milligrams?|million|billion|kiu)\b)",
    re.I,
)
# Route column values at the end of a drug row once its codes are removed.
_ROUTE = re.compile(r"(?:[\s,]+(?:IV|IM|SC|SQ|IT|OTH|INH|ORAL|VAR|INJ|IA|ID|IO|IP|TOP))+\s*$", re.I)
_PAGE_HEADER = re.compile(r"^\d{4} HCPCS.*Index\s+\d+$|^Page \d+|^\d+$", re.I)


class IndexPair(NamedTuple):
    """One term the CMS index or drug table points at a code."""

    term: str
    code: str
    source: str  # "index" or "drugs"


def _clean(text: str) -> str:
    # The 2019 Table of Drugs spells "injection" as "IVection" (a search-and-replace slip at CMS).
    text = re.sub(r"\bIVection\b", "injection", text)
    return re.sub(r"\s+", " ", text).strip(" ,;:")


def _expand(codes_text: str) -> list[str]:
    """Codes named by a trailing run like "J0287-J0289, J0290"; wide ranges are dropped."""
    out: list[str] = []
    for match in _CODE_OR_RANGE.finditer(codes_text.upper()):
        first, last = match.group(1), match.group(2)
        if last is None:
            out.append(first)
            continue
        if first[0] != last[0] or int(last[1:]) < int(first[1:]):
            continue
        span = int(last[1:]) - int(first[1:]) + 1
        if span > MAX_RANGE:
            continue
        out.extend(f"{first[0]}{n:04d}" for n in range(int(first[1:]), int(last[1:]) + 1))
    return [code for code in out if _ONE_CODE.match(code)]


def _split(line: str) -> tuple[str, list[str]]:
    """A line's text and the codes it ends with (none when it ends with none)."""
    match = _TRAILING_CODES.search(line)
    if not match:
        return line, []
    return line[: match.start()], _expand(match.group(0))


def _lines(pages: Iterable[str]) -> Iterator[str]:
    for page in pages:
        for raw in page.splitlines():
            if raw.strip() and not _PAGE_HEADER.match(raw.strip()):
                yield raw


def index_pairs_from_text(pages: Iterable[str]) -> Iterator[IndexPair]:
    """Pairs from the text of the alphabetical index, one string per page."""
    heading = ""
    for raw in _lines(pages):
        text, codes = _split(raw)
        term = _clean(text)
        if not term or _SEE.match(term):
            continue
        if not codes:
            # A line without codes opens a group of subterms when it starts a main entry.
            if term[0].isupper() and not raw.startswith((" ", "\t")):
                heading = term
            continue
        # Subterms are lower case (or indented) under the last heading.
        if heading and (term[0].islower() or raw.startswith((" ", "\t"))):
            term = f"{heading} {term}"
        else:
            heading = ""
        for code in codes:
            yield IndexPair(term, code, "index")


def _drug_name(text: str) -> str:
    text = _ROUTE.sub("", text)
    match = _DOSE.search(" " + text)
    if match:
        text = (" " + text)[: match.start()]
    return _clean(text)


def drug_pairs_from_text(pages: Iterable[str]) -> Iterator[IndexPair]:
    """Pairs from the text of the Table of Drugs, brands resolved through their "see" lines."""
    by_name: dict[str, list[str]] = {}
    order: list[tuple[str, list[str]]] = []
    see: list[tuple[str, str]] = []
    for raw in _lines(pages):
        line = _clean(raw)
        ref = _SEE.match(line)
        if ref and not _TRAILING_CODES.search(line):
            see.append((_clean(ref.group("term")), _clean(ref.group("target"))))
            continue
        text, codes = _split(line)
        name = _drug_name(text)
        # A row whose name starts lower case is the tail of a wrapped or clipped line.
        if not name or not codes or not name[0].isupper() and not name[0].isdigit():
            continue
        order.append((name, codes))
        by_name.setdefault(name.lower(), []).extend(codes)
    seen: set[tuple[str, str]] = set()
    for name, codes in order:
        for code in codes:
            if (name.lower(), code) not in seen:
                seen.add((name.lower(), code))
                yield IndexPair(name, code, "drugs")
    for brand, targets in see:
        brand_codes: list[str] = []
        # "Mucomyst, see Acetylcysteine or Acetylcysteine, compounded" names two generics.
        for target in re.split(r"\s+or\s+", targets):
            found = by_name.get(target.lower()) or _by_prefix(by_name, target.lower())
            brand_codes.extend(code for code in found if code not in brand_codes)
        for code in brand_codes:
            if (brand.lower(), code) not in seen:
                seen.add((brand.lower(), code))
                yield IndexPair(brand, code, "drugs")


def _by_prefix(by_name: dict[str, list[str]], target: str) -> list[str]:
    """Codes of the generic rows whose name starts with the target ("Cefazolin" -> "Cefazolin sodium")."""
    if len(target) < 4:
        return []
    out: list[str] = []
    for name, codes in by_name.items():
        if name.startswith(target) or target.startswith(name):
            out.extend(code for code in codes if code not in out)
    return out


def _pdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader  # imported here so importing this module stays cheap

    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def hcpcs_pdf_pairs(
    index_pdf: Path | None = None,
    drugs_pdf: Path | None = None,
    keep: Callable[[str], bool] | None = None,
) -> list[IndexPair]:
    """(term, code) pairs from the CMS index and Table of Drugs PDFs, deduplicated.

    ``keep`` filters codes (e.g. "exists and is current in the build"); without it every
    well-formed code is returned.
    """
    pairs: list[IndexPair] = []
    if index_pdf is not None:
        pairs.extend(index_pairs_from_text(_pdf_pages(index_pdf)))
    if drugs_pdf is not None:
        pairs.extend(drug_pairs_from_text(_pdf_pages(drugs_pdf)))
    seen: set[tuple[str, str]] = set()
    out: list[IndexPair] = []
    for pair in pairs:
        key = (pair.term.lower(), pair.code)
        if key in seen or (keep is not None and not keep(pair.code)):
            continue
        seen.add(key)
        out.append(pair)
    return out


def find_pdfs(folder: Path) -> tuple[Path | None, Path | None]:
    """The index and Table of Drugs PDFs in a release folder (searched recursively), newest name last wins."""
    index = sorted(folder.rglob("*HCPCS-Index*.pdf")) or sorted(folder.rglob("*hcpcs*index*.pdf"))
    drugs = sorted(folder.rglob("*Table-of-Drugs*.pdf")) or sorted(folder.rglob("*table*drugs*.pdf"))
    return (index[-1] if index else None, drugs[-1] if drugs else None)


def pick_pdfs(files: Iterable[Path]) -> tuple[Path | None, Path | None]:
    """find_pdfs over a list of files (what an importer's select() is given)."""
    index: list[Path] = []
    drugs: list[Path] = []
    for path in files:
        name = Path(path).name.lower()
        if not name.endswith(".pdf"):
            continue
        if "hcpcs" in name and "index" in name:
            index.append(Path(path))
        elif "table" in name and "drugs" in name:
            drugs.append(Path(path))
    return (sorted(index)[-1] if index else None, sorted(drugs)[-1] if drugs else None)

"""Typed records that cross module boundaries: importers yield them, the store returns them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medcodes import systems as _systems

# Kept as names here for callers that import them from models; the facts live in systems.py.
SYSTEMS: tuple[str, ...] = _systems.SYSTEMS
SYSTEM_LABELS: dict[str, str] = _systems.LABELS
SYSTEM_NAMES: dict[str, str] = _systems.NAMES

# Kinds of node in a hierarchy, from the top down. "code" is a leaf a claim can carry
# (billable decides whether it may), "modifier" is a HCPCS/CPT modifier.
KINDS: tuple[str, ...] = ("chapter", "section", "category", "subcategory", "code", "modifier")

# Note types a coder needs, in the order a page shows them.
NOTE_TYPES: tuple[str, ...] = (
    "inclusion",
    "includes",
    "excludes1",
    "excludes2",
    "code_first",
    "use_additional",
    "code_also",
    "note",
    "definition",
)


@dataclass(slots=True)
class Note:
    type: str
    text: str


@dataclass(slots=True)
class CodeRecord:
    """One node of a code system: a chapter, a section, a range, a category or a code.

    `code` is canonical (upper case, no dots, ranges as ``A-B``); `display` is what people read
    (ICD-10-CM keeps its dot). `parent` is the canonical code of the parent node in the same system.
    """

    system: str
    code: str
    display: str
    kind: str
    title: str
    short_title: str | None = None
    billable: bool = False
    parent: str | None = None
    effective_date: str | None = None  # ISO yyyy-mm-dd
    termination_date: str | None = None
    notes: list[Note] = field(default_factory=list)
    terms: list[str | tuple[str, str]] = field(
        default_factory=list
    )  # extra search terms (index entries, synonyms)
    attrs: dict[str, Any] = field(default_factory=dict)  # system-specific fields (PCS axes, HCPCS BETOS, ...)
    source: str | None = None  # name of the source it came from
    # The project's plain name ("Cataract surgery with lens implant"); the store fills it from
    # codesets/common_names when an importer leaves it empty.
    common_name: str | None = None
    # Filled by the store when read back:
    sort: int = 0
    depth: int = 0

    @property
    def label(self) -> str:
        return SYSTEM_LABELS[self.system]

    @property
    def plain_name_missing(self) -> bool:
        """True when the heading can only be the CMS wording: no common name, and the title is the
        short descriptor as released (nothing in it could be expanded) or no title at all."""
        if self.common_name:
            return False
        title = (self.title or "").strip()
        if not title or title == self.code or title == self.display:
            return True
        return self.system in CMS_WORDING_SYSTEMS and title == (self.short_title or "").strip()

    @property
    def heading(self) -> str:
        """What a page heading or a list shows as the code's title: never empty."""
        title = (self.title or "").strip()
        if title and title not in (self.code, self.display):
            return title
        return (self.short_title or "").strip() or self.common_name or self.display


# Systems whose titles may be a CMS short descriptor (CPT and HCPCS Level II); an ICD-10 title is
# always the official long text, so a short title equal to it is no sign of abbreviation.
CMS_WORDING_SYSTEMS = frozenset({"cpt", "hcpcs"})
# Said beside a heading that is only the CMS wording.
CMS_WORDING_NOTE = "CMS wording; no plain name yet"


@dataclass(slots=True)
class CodeView:
    """What a code page shows about a code, read once: the record, its ancestors (root first) and the
    notes of the code and of every ancestor, so the notes, explanation and API sections share one read."""

    record: CodeRecord
    breadcrumb: list[CodeRecord]
    notes_by_code: dict[str, list[Note]] = field(default_factory=dict)

    @property
    def notes(self) -> list[Note]:
        return self.notes_by_code.get(self.record.code, [])

    def notes_of(self, code: str) -> list[Note]:
        return self.notes_by_code.get(code, [])


@dataclass(slots=True)
class Source:
    """A release chosen for import: which files, which version, and why it was chosen."""

    system: str
    name: str  # e.g. "CMS ICD-10-PCS order file FY2026"
    version: str  # e.g. "2026", "2025-10", "2026-04"
    files: dict[str, Path] = field(
        default_factory=dict
    )  # role -> path (e.g. "order", "tables", "definitions")
    release_date: str | None = None  # ISO date when known; newest wins
    notes: list[str] = field(default_factory=list)  # human-readable lines about the choice

    def describe(self) -> str:
        roles = ", ".join(f"{k}={v.name}" for k, v in self.files.items()) or "packaged data"
        return f"{self.name} ({self.version}): {roles}"


class ImportError_(Exception):
    """A release file could not be read. The message names the file (and line or row)."""


class ReleaseFileError(ImportError_):
    def __init__(self, path: Path | str, message: str, where: str | None = None):
        self.path = Path(path)
        self.where = where
        loc = f" ({where})" if where else ""
        super().__init__(f"{self.path.name}{loc}: {message}")

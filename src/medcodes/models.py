"""Typed records that cross module boundaries: importers yield them, the store returns them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SYSTEMS: tuple[str, ...] = ("cpt", "hcpcs", "icd10cm", "icd10pcs")

SYSTEM_LABELS: dict[str, str] = {
    "cpt": "CPT4 code",
    "hcpcs": "HCPCS Level II code",
    "icd10cm": "ICD-10-CM code",
    "icd10pcs": "ICD-10-PCS code",
}

SYSTEM_NAMES: dict[str, str] = {
    "cpt": "CPT",
    "hcpcs": "HCPCS Level II",
    "icd10cm": "ICD-10-CM",
    "icd10pcs": "ICD-10-PCS",
}

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
    terms: list[str] = field(default_factory=list)  # extra search terms (index entries, synonyms)
    attrs: dict[str, Any] = field(default_factory=dict)  # system-specific fields (PCS axes, HCPCS BETOS, ...)
    source: str | None = None  # name of the source it came from
    # Filled by the store when read back:
    sort: int = 0
    depth: int = 0

    @property
    def label(self) -> str:
        return SYSTEM_LABELS[self.system]


@dataclass(slots=True)
class Source:
    """A release chosen for import: which files, which version, and why it was chosen."""

    system: str
    name: str  # e.g. "CMS ICD-10-PCS order file FY2026"
    version: str  # e.g. "2026", "2025-10", "2026-04"
    files: dict[str, Path] = field(default_factory=dict)  # role -> path (e.g. "order", "tables", "definitions")
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

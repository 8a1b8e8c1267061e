"""Recognise the payment release files in a data folder (fee schedules, localities, MUE tables) and choose,
per kind, the newest release in its preferred format. Files are recognised by their header rows, as the
code importers recognise theirs; names only narrow which workbooks are worth opening."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from medcodes.codesets import anes_cf, gpci, locco, mue
from medcodes.codesets import cpt as cpt_files
from medcodes.codesets.tabular import head_rows, year_in

KINDS = (
    "pfs",
    "gpci",
    "locco",
    "anes",
    "clfs",
    "opps",
    "mue_practitioner",
    "mue_outpatient_hospital",
    "mue_dme",
)
_FORMAT_PREFERENCE = {"csv": 0, "xlsx": 1, "txt": 2}
_XLSX_NAMES = re.compile(r"gpci|locco|anes|mue|pprrvu|addendum.?b|clfs", re.I)


@dataclass(slots=True, frozen=True)
class PaymentFile:
    kind: str
    path: Path
    fmt: str
    release: str  # sortable: "2025-10", "2026-Q2", "2026-04-01", "2025"
    year: int | None


def _fmt(path: Path) -> str:
    return path.suffix.lower().lstrip(".")


def recognise(path: Path) -> PaymentFile | None:
    fmt = _fmt(path)
    if fmt not in ("csv", "txt", "xlsx") or (fmt == "xlsx" and not _XLSX_NAMES.search(path.name)):
        return None
    cand = cpt_files.recognise(path)
    if cand is not None and cand.kind in ("pfs", "clfs", "opps"):
        return PaymentFile(
            cand.kind,
            path,
            fmt,
            cand.release,
            int(cand.release[:4]) if cand.release[:4].isdigit() else year_in(path.name),
        )
    if fmt == "txt":
        return None  # the locality files' txt twins are print layouts; their csv/xlsx are read instead
    for row in head_rows(path, fmt):
        if gpci.is_header(row):
            year = year_in(path.name, " ".join(row))
            return PaymentFile("gpci", path, fmt, str(year or ""), year)
        if locco.is_header(row):
            m = re.match(r"(\d{2})LOCCO", path.name, re.I)
            year = 2000 + int(m.group(1)) if m else year_in(path.name)
            return PaymentFile("locco", path, fmt, str(year or ""), year)
        if anes_cf.is_header(row):
            year = year_in(path.name)
            return PaymentFile("anes", path, fmt, str(year or ""), year)
        setting = mue.setting_of(row)
        if setting:
            eff = mue.effective_date(path) or ""
            return PaymentFile(f"mue_{setting}", path, fmt, eff, int(eff[:4]) if eff else year_in(path.name))
    return None


def select(files: Iterable[Path]) -> tuple[dict[str, PaymentFile], list[str]]:
    """(kind -> chosen file, notes saying what was passed over)."""
    files = [Path(p) for p in files]
    found = [f for f in (recognise(p) for p in files if _fmt(p) != "xlsx") if f is not None]
    twins = {(f.path.parent, f.path.stem.lower()) for f in found}
    found += [
        f
        for f in (
            recognise(p) for p in files if _fmt(p) == "xlsx" and (p.parent, p.stem.lower()) not in twins
        )
        if f is not None
    ]
    chosen: dict[str, PaymentFile] = {}
    notes: list[str] = []
    for kind in KINDS:
        group = sorted(
            (f for f in found if f.kind == kind),
            key=lambda f: (f.release, -_FORMAT_PREFERENCE.get(f.fmt, 9), f.path.name),
            reverse=True,
        )
        if group:
            chosen[kind] = group[0]
            older = sorted({f.release for f in group if f.release != group[0].release})
            if older:
                notes.append(
                    f"{kind}: newest release {group[0].release} ({group[0].path.name}) "
                    f"chosen over {', '.join(older)}"
                )
    return chosen, notes

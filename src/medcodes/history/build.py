"""Post-build step: fill the history tables from the release files and the codes just imported.

Sources, each read by its importer in codesets/:
- ICD-10-CM and ICD-10-PCS order addenda: added, deleted and revised codes of a release, dated by
  the release (October 1 or April 1);
- the ICD-10-PCS conversion table: every deleted PCS code since 2015 with its current equivalent;
- the HCPCS codes already in the database: add and termination dates, action codes and, for
  terminated codes, their cross-references as successors;
- the Medicare Code Editor definitions: the edits that apply to ICD-10 codes.

`build_history(conn, files)` is the plain function; `step(data_dir)` wraps it as a pipeline step.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from medcodes.codesets import icd10_addenda, icd10pcs_conversion, mce, scan
from medcodes.history import storage
from medcodes.history.storage import Edit, Event, Successor


@dataclass
class HistoryReport:
    events: int = 0
    successors: int = 0
    edits: int = 0
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0


def build_history(conn, files: Iterable[Path]) -> HistoryReport:
    """(Re)create the history tables in `conn` from `files` (any files; the ones recognised are used)
    and the HCPCS rows already imported. Raises ReleaseFileError naming the file and line."""
    t0 = time.perf_counter()
    report = HistoryReport()
    storage.create(conn)
    existing = {s: storage.existing_codes(conn, s) for s in ("cpt", "hcpcs", "icd10cm", "icd10pcs")}
    for path in files:
        for af in icd10_addenda.find(path):
            events, succ = _addenda(af)
            report.events += storage.write_events(conn, events)
            report.successors += storage.write_successors(conn, succ)
            report.files.append(af.label)
        if (cf := icd10pcs_conversion.find(path)) is not None:
            events, succ = _conversion(cf)
            report.events += storage.write_events(conn, events)
            report.successors += storage.write_successors(conn, succ)
            report.files.append(cf.label)
        if path.suffix.lower() == ".txt" and (mp := mce.recognise(path)) is not None:
            report.edits += storage.write_edits(conn, _edits(mp))
            report.files.append(path.name)
    events, succ = _hcpcs(conn, existing)
    report.events += storage.write_events(conn, events)
    report.successors += storage.write_successors(conn, succ)
    report.seconds = time.perf_counter() - t0
    return report


def step(data_dir: Path | None) -> Callable:
    """A post-build step (function of a BuildContext) that reads the release files under `data_dir`."""

    def history_step(ctx) -> None:
        files = scan(data_dir) if data_dir else []
        rep = build_history(ctx.conn, files)
        if not rep.files:
            ctx.report.warnings.append(
                "history: no ICD-10 addenda, PCS conversion table or Medicare Code Editor file found;"
                " only the HCPCS history was derived"
            )

    return history_step


def build_step(ctx) -> None:
    """The step as the pipeline names it: the data folder comes from the context (`data_dir` on the
    context or its settings); without one only the HCPCS history is derived."""
    data_dir = getattr(ctx, "data_dir", None) or getattr(getattr(ctx, "settings", None), "data_dir", None)
    step(Path(data_dir) if data_dir else None)(ctx)


# -- ICD-10 order addenda ----------------------------------------------------------------------


def _addenda(af: icd10_addenda.AddendaFile) -> tuple[list[Event], list[Successor]]:
    source = f"{af.member or af.path.name} (FY{af.fiscal_year}, effective {af.effective_date})"
    by_code: dict[str, dict[str, icd10_addenda.AddendaRow]] = defaultdict(dict)
    order: list[str] = []
    for row in icd10_addenda.read(af):
        if af.system == "icd10pcs" and len(row.code) < 7:
            continue  # PCS table headings are not codes
        if row.code not in by_code:
            order.append(row.code)
        by_code[row.code][row.action] = row
    events: list[Event] = []
    date, system = af.effective_date, af.system
    pcs = system == "icd10pcs"
    for code in order:
        rows = by_code[code]
        add, delete = rows.get("add"), rows.get("delete")
        rfrom, rto = rows.get("revise_from"), rows.get("revise_to")
        if add and delete:
            was, now = bool(delete.valid), bool(add.valid)
            if was and not now:
                detail = "No longer billable: became a heading over more specific codes"
            elif now and not was:
                detail = "Became a billable code"
            else:
                detail = "Replaced by a row of the same code"
            events.append(
                Event(
                    system, code, date, "revised", detail, add.long_title, delete.long_title, was, now, source
                )
            )
        elif add:
            valid = True if pcs else bool(add.valid)
            detail = "Added" if valid else "Added as a heading"
            events.append(
                Event(system, code, date, "added", detail, add.long_title, None, None, valid, source)
            )
        elif delete:
            valid = True if pcs else bool(delete.valid)
            events.append(
                Event(system, code, date, "deleted", "Deleted", delete.long_title, None, valid, None, source)
            )
        if rfrom and rto:
            if rfrom.long_title != rto.long_title:
                detail, old, new = "Title revised", rfrom.long_title, rto.long_title
            else:
                detail, old, new = "Short title revised", rfrom.short_title, rto.short_title
            billable = True if pcs else bool(rto.valid)
            events.append(Event(system, code, date, "revised", detail, new, old, billable, billable, source))
    # A code deleted or turned into a heading is continued by the codes added below it.
    added = [e.code for e in events if e.event == "added" and e.is_billable]
    succ: list[Successor] = []
    for e in events:
        if e.event == "deleted" or (e.event == "revised" and e.was_billable and not e.is_billable):
            for new in added:
                if new != e.code and new.startswith(e.code):
                    succ.append(Successor(system, e.code, system, new, date, f"{source}: added below it"))
    return events, succ


# -- ICD-10-PCS conversion table ---------------------------------------------------------------


def _conversion(cf: icd10pcs_conversion.ConversionFile) -> tuple[list[Event], list[Successor]]:
    source = f"{cf.member or cf.path.name}"
    events: list[Event] = []
    succ: list[Successor] = []
    for row in icd10pcs_conversion.read(cf):
        if row.change_type == "Deleted" and row.previous:
            events.append(
                Event(
                    "icd10pcs",
                    row.previous,
                    row.effective_date,
                    "deleted",
                    "Deleted",
                    row.previous_title,
                    None,
                    True,
                    None,
                    source,
                )
            )
            if row.current:
                succ.append(
                    Successor("icd10pcs", row.previous, "icd10pcs", row.current, row.effective_date, source)
                )
        elif row.change_type == "New" and row.current:
            detail = f"Added; previously coded as {row.previous}" if row.previous else "Added"
            events.append(
                Event(
                    "icd10pcs",
                    row.current,
                    row.effective_date,
                    "added",
                    detail,
                    row.current_title,
                    None,
                    None,
                    True,
                    source,
                )
            )
        elif row.change_type == "Revised" and row.current:
            detail = row.comment or "Revised"
            old = row.previous_title if row.previous_title != row.current_title else None
            events.append(
                Event(
                    "icd10pcs",
                    row.current,
                    row.effective_date,
                    "revised",
                    detail,
                    row.current_title,
                    old,
                    True,
                    True,
                    source,
                )
            )
    return events, succ


# -- HCPCS -------------------------------------------------------------------------------------

_REVISIONS = {
    "B": "Descriptor and administrative data revised",
    "C": "Long descriptor revised",
    "S": "Short descriptor revised",
}


def _hcpcs(conn, existing: dict[str, set[str]]) -> tuple[list[Event], list[Successor]]:
    events: list[Event] = []
    succ: list[Successor] = []
    for code, title, eff, term, attrs_json in storage.hcpcs_rows(conn):
        attrs = json.loads(attrs_json) if attrs_json else {}
        source = "HCPCS release file"
        if eff:
            events.append(
                Event("hcpcs", code, eff, "added", "Added (HCPCS add date)", title, None, None, True, source)
            )
        action, act_date = attrs.get("action_code"), attrs.get("action_effective_date")
        if action in _REVISIONS and act_date:
            events.append(
                Event("hcpcs", code, act_date, "revised", _REVISIONS[action], title, None, True, True, source)
            )
        if action == "R" and act_date:
            events.append(
                Event("hcpcs", code, act_date, "added", "Re-activated", title, None, None, True, source)
            )
        if term:
            events.append(
                Event(
                    "hcpcs",
                    code,
                    term,
                    "terminated",
                    f"Terminated: last date of service {term}",
                    title,
                    None,
                    True,
                    False,
                    source,
                )
            )
            for ref in attrs.get("cross_references") or []:
                new_system = _system_of(ref, existing)
                if new_system:
                    succ.append(
                        Successor(
                            "hcpcs",
                            code,
                            new_system,
                            ref,
                            term,
                            f"{source}: cross-reference of a terminated code",
                        )
                    )
    return events, succ


def _system_of(code: str, existing: dict[str, set[str]]) -> str | None:
    for system in ("hcpcs", "cpt"):
        if code in existing.get(system, ()):
            return system
    return None


# -- Medicare Code Editor ----------------------------------------------------------------------


def _edits(mp: mce.McePath) -> Iterator[Edit]:
    source = f"Medicare Code Editor v{mp.version} ({mp.released})"
    for row in mce.read(mp):
        yield Edit(
            row.system,
            row.code,
            row.edit.key,
            row.edit.name,
            row.edit.meaning,
            row.edit.exception if row.exception else None,
            source,
        )

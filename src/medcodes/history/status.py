"""A code's status, in one place: today, and as of a date of service.

Rules:
- a code is never billable after its termination date (HCPCS TERM DT is the last date of service);
- a code that is gone from the current release but has a "deleted" event is `deleted` (with date);
- a code with a termination date on or before the day asked about is `terminated`;
- a code known only from files older than the current fee schedule (CPT codes found only in the
  2023 OPPS file while the PFS is 2025) is `possibly_outdated`: nothing says it was deleted, but
  nothing current says it still exists;
- otherwise `active`.
As of a date, the events after that date are undone one by one (an "added" event means the code did
not exist yet; "deleted" or "became a heading" gives back the billable state it had before).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from medcodes.history.storage import Event
from medcodes.models import CodeRecord

STATUSES = ("active", "deleted", "terminated", "possibly_outdated")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


@dataclass(frozen=True, slots=True)
class Status:
    status: str  # one of STATUSES
    date: str | None  # deletion or termination date
    billable: bool  # billable today (or on the date asked about)
    label: str  # what a page shows: "Deleted on 2026-04-01"
    note: str | None = None


@dataclass(frozen=True, slots=True)
class AsOf:
    date: str
    exists: bool
    billable: bool
    title: str | None
    note: str


def source_years(files: dict[str, str]) -> dict[str, int]:
    """{role: year} from a source's file names ({"pfs": "PPRRVU2025_Oct.csv"} -> {"pfs": 2025})."""
    out = {}
    for role, name in files.items():
        m = _YEAR.search(name)
        if m:
            out[role] = int(m.group(1))
    return out


def _outdated(rec: CodeRecord, years: dict[str, int]) -> bool:
    """CPT codes carry the roles of the files that describe them (attrs["sources"])."""
    roles = rec.attrs.get("sources") if rec.attrs else None
    if not roles or "pfs" not in years:
        return False
    known = [years[r] for r in roles if r in years]
    return bool(known) and max(known) < years["pfs"]


def current(
    rec: CodeRecord | None,
    events: Sequence[Event],
    today: date | None = None,
    years: dict[str, int] | None = None,
) -> Status | None:
    """Status today; None when the code is unknown both to the release and to its history."""
    on = (today or date.today()).isoformat()
    if rec is None:
        gone = [e for e in events if e.event in ("deleted", "terminated") and e.date <= on]
        if not gone:
            return None
        last = gone[-1]
        return Status("deleted", last.date, False, f"Deleted on {last.date}")
    if rec.termination_date and rec.termination_date < on:
        return Status(
            "terminated",
            rec.termination_date,
            False,
            f"Deleted — last date of service {rec.termination_date}",
        )
    if years and _outdated(rec, years):
        return Status(
            "possibly_outdated",
            None,
            False,
            "Possibly outdated",
            "Known only from a file older than the current fee schedule; it may have been deleted since.",
        )
    return Status("active", None, rec.billable, "Billable" if rec.billable else "Not billable")


def as_of(rec: CodeRecord | None, events: Sequence[Event], on: date) -> AsOf:
    """Whether the code existed and was billable on a date of service, from the release and its
    history. Dates before the earliest change on record are answered with the state before it."""
    day = on.isoformat()
    exists = rec is not None
    billable = bool(rec and rec.billable)
    title = rec.title if rec else None
    if rec is not None and rec.effective_date and rec.effective_date > day:
        exists, billable = False, False
    if rec is not None and rec.termination_date and rec.termination_date < day:
        billable = False
    for e in sorted(events, key=lambda e: e.date, reverse=True):
        if e.date <= day or e.event == "terminated":
            continue  # HCPCS termination is already answered by the release's dates
        if e.event == "added":
            exists, billable = False, False
        elif e.event == "deleted":
            exists, billable = True, bool(e.was_billable)
            title = e.title or title
        elif e.event == "revised":
            if e.was_billable is not None:
                billable = e.was_billable
            title = e.old_title or title
    if not exists:
        note = "did not exist on that date" if rec is not None or events else "unknown code"
    elif billable:
        note = "valid and billable on that date"
    else:
        note = "existed on that date but was not billable"
    return AsOf(day, exists, billable and exists, title, note)

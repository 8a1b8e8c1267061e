"""`medcodes history CODE` and `medcodes changes --since DATE`: thin shells over history.service."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.markup import escape

from medcodes.cli.common import (
    DbOption,
    JsonOption,
    SystemOption,
    check_system,
    console,
    open_store,
    out,
    print_json,
)
from medcodes.codes import looks_like
from medcodes.history import service
from medcodes.models import SYSTEMS


def _date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        console.print(f"[red]error:[/] {name} {value!r} is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None


def history(
    code: Annotated[str, typer.Argument(help="A code in any spelling (E11.9, e119, 30233AZ)")],
    system: SystemOption = None,
    on: Annotated[
        str | None, typer.Option("--date", help="Date of service YYYY-MM-DD: valid and billable then?")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
):
    """A code's status, dated changes, successors and Medicare Code Editor edits."""
    check_system(system)
    when = _date(on, "--date")
    store = open_store(db)
    systems = [system] if system else (looks_like(code.replace(".", "").upper()) or list(SYSTEMS))
    found = [h for s in systems if (h := service.code_history(store, s, code, on=when)) is not None]
    if not found:
        console.print(f"[red]error:[/] {code!r}: no code and no history found")
        raise typer.Exit(1)
    if as_json:
        print_json([service.document(h) for h in found])
        return
    for h in found:
        out.print(f"[bold]{h.display}[/] ({h.system}) {h.title or ''}")
        out.print(f"  status: {h.status.label}")
        if h.as_of:
            out.print(f"  on {h.as_of.date}: {h.as_of.note}")
        for e in h.events:
            detail, source = escape(e.detail or ""), escape(f"[{e.source}]")
            out.print(f"  {e.date}  {e.event:10} {detail}  {source}")
        for link in h.replaced_by:
            out.print(f"  replaced by {link.display} ({link.system}) {link.title or ''}")
        for link in h.replaces:
            out.print(f"  replaces {link.display} ({link.system}) {link.title or ''}")
        for edit in h.edits:
            out.print(f"  edit: {edit.name}: {edit.meaning}")


def changes(
    since: Annotated[str, typer.Option("--since", help="First day YYYY-MM-DD")],
    until: Annotated[str | None, typer.Option("--until", help="Last day YYYY-MM-DD")] = None,
    system: SystemOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100000)] = 1000,
    db: DbOption = None,
    as_json: JsonOption = False,
):
    """Codes added, revised, deleted or terminated since a date, newest first."""
    check_system(system)
    start, end = _date(since, "--since"), _date(until, "--until")
    assert start is not None  # --since is required
    store = open_store(db)
    try:
        feed = service.changes(store, start, until=end, system=system, limit=limit)
    except ValueError as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    if as_json:
        print_json(
            {
                "since": feed.since,
                "until": feed.until,
                "system": feed.system,
                "total": feed.total,
                "changes": [service.change_document(e) for e in feed.events],
            }
        )
        return
    for e in feed.events:
        out.print(
            f"{e.date}  {e.system:8} {service.display(e.system, e.code):8} {e.event:10} {e.detail or ''}"
        )
    console.print(
        f"{feed.total} changes since {feed.since}"
        + (f" (showing {len(feed.events)})" if feed.total > len(feed.events) else "")
    )

"""`medcodes bill FILE|- [--locality] [--date] [--age] [--sex] [--json]`: a bill or EOB explained line
by line, the same document as POST /api/v1/bill. The text is read, explained and forgotten."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from medcodes.cli.common import DbOption, JsonOption


def bill(
    file: Annotated[str, typer.Argument(help="A text file with the bill, or - for standard input")],
    locality: Annotated[
        str | None, typer.Option("--locality", "-l", help="Medicare locality MAC-LOCALITY, e.g. 13202-01")
    ] = None,
    on: Annotated[str | None, typer.Option("--date", help="Date of service YYYY-MM-DD")] = None,
    age: Annotated[int | None, typer.Option("--age", min=0, max=124, help="Patient age in years")] = None,
    sex: Annotated[str | None, typer.Option("--sex", help="F or M")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
):
    """Explain every code on a pasted bill or EOB: plain title, Medicare amount, status and flags."""
    from medcodes.bill_document import BillInputError, decode_text, explain_bill
    from medcodes.cli.common import console, open_store, print_json
    from medcodes.payment import UnknownLocality

    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        console.print(f"[red]error:[/] cannot read {file}: {exc.strerror}")
        raise typer.Exit(2) from None
    try:
        text = decode_text(data)
        day = date.fromisoformat(on) if on else None
    except BillInputError as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    except ValueError:
        console.print("[red]error:[/] --date must be YYYY-MM-DD")
        raise typer.Exit(2) from None
    if sex is not None and sex.upper() not in ("F", "M"):
        console.print("[red]error:[/] --sex must be F or M")
        raise typer.Exit(2)
    store = open_store(db)
    try:
        out = explain_bill(store, text, locality=locality, on=day, age=age, sex=sex.upper() if sex else None)
    except UnknownLocality as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    if as_json:
        print_json(out.model_dump())
        return
    _table(out)


def _table(out) -> None:
    from rich.table import Table

    from medcodes.cli.common import out as stdout

    if not out.lines:
        stdout.print(out.message)
    else:
        t = Table("code", "what it is", "mods", "units", "date", "Medicare amount", "flags", show_lines=True)
        for ln in out.lines:
            p = ln.payment
            amount = "" if p is None else (f"${p.amount:,.2f}" if p.amount is not None else "no amount")
            if p is not None and p.amount is not None and ln.units > 1:
                amount += f" x{ln.units} = ${p.total:,.2f}"
            name = ln.common_name or ln.title
            if ln.status != "active":
                name += f" [{ln.status_label or ln.status}]"
            t.add_row(
                ln.display,
                name,
                " ".join(ln.modifiers),
                str(ln.units) if ln.kind == "service" else "",
                ln.date or "",
                amount,
                "\n".join(("! " if f.severity == "warning" else "- ") + f.message for f in ln.flags),
            )
        stdout.print(t)
        if out.total is not None:
            stdout.print(f"Medicare reference total of the priced lines: ${out.total:,.2f} ({out.locality})")
    for u in out.unrecognised:
        stdout.print(f"[yellow]not a code:[/] {u.text} (line {u.line}): {u.reason}")

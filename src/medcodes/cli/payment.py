"""`medcodes price CODE [--locality MAC-LOCALITY] [--json]`: what Medicare pays for a code, and its limits."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def price(
    code: Annotated[str, typer.Argument(help="A CPT or HCPCS code: 99213, J1745")],
    locality: Annotated[
        str | None,
        typer.Option(
            "--locality", "-l", help="Medicare locality MAC-LOCALITY, e.g. 13202-01 (national when absent)"
        ),
    ] = None,
    db: Annotated[Path | None, typer.Option("--db", help="SQLite database file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (the API's document).")] = False,
):
    """What Medicare pays for CODE (physician fee schedule, lab and outpatient rates) and its MUE limits."""
    from medcodes.cli.common import console, open_store, print_json
    from medcodes.payment import UnknownLocality, payment_for, payment_json

    store = open_store(db)
    records = [r for r in store.find(code) if r.system in ("cpt", "hcpcs")]
    if not records:
        console.print(f"[red]error:[/] {code[:40]!r} is not a CPT or HCPCS code in this database")
        raise typer.Exit(1)
    rec = records[0]
    try:
        p = payment_for(store, rec.system, rec.code, locality)
    except UnknownLocality as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    if as_json:
        print_json({**payment_json(p), "display": rec.display})
        return
    _table(rec, p)


def _table(rec, p) -> None:
    from rich.table import Table

    from medcodes.cli.common import out
    from medcodes.payment.serialize import label

    money = lambda v: f"${v:,.2f}" if v is not None else "—"  # noqa: E731
    out.print(f"[bold]{rec.display}[/] {rec.title}")
    out.print(f"[dim]{label(p.pfs.year)}[/]")
    loc = p.locality
    out.print(f"Locality: {loc.name}" + (f", {loc.state} ({loc.id})" if loc.state else ""))
    if p.pfs.lines:
        t = Table(
            "billed as",
            "office (non-facility)",
            "facility",
            "note",
            title=f"Physician fee schedule {p.pfs.year or ''} · CF {p.pfs.conversion_factor}",
        )
        for ln in p.pfs.lines:
            if ln.reason:
                t.add_row(ln.modifier or "global", "—", "—", ln.reason)
            else:
                t.add_row(
                    ln.modifier or "global",
                    money(ln.non_facility_amount),
                    money(ln.facility_amount),
                    "; ".join(
                        ln.notes + [f"OPPS cap ({', '.join(ln.opps_cap_applied)})"]
                        if ln.opps_cap_applied
                        else ln.notes
                    ),
                )
        out.print(t)
    else:
        out.print(f"Physician fee schedule: {p.pfs.reason}")
    if p.anesthesia.available:
        a = p.anesthesia
        out.print(f"Anesthesia conversion factor: {money(a.conversion_factor)} per unit. {a.explanation}")
    out.print(
        f"Clinical lab fee schedule {p.clfs.year or ''}: "
        + (money(p.clfs.rate) if p.clfs.available else str(p.clfs.reason))
    )
    o = p.opps
    if o.status_indicator:
        out.print(
            f"Hospital outpatient (OPPS) {o.year or ''}: SI {o.status_indicator} ({o.status_meaning})"
            + (f", APC {o.apc}, rate {money(o.payment_rate)}" if o.payment_rate is not None else "")
        )
    else:
        out.print(f"Hospital outpatient (OPPS): {o.reason}")
    for note in p.notes:
        out.print(f"[dim]{note}[/]")
    if p.mue:
        t = Table("setting", "MUE units", "how it applies", "basis", title="Limits (MUE)")
        for x in p.mue:
            t.add_row(x.setting_label, str(x.value), x.indicator_meaning or x.indicator, x.rationale)
        out.print(t)
    else:
        out.print(f"MUE: {p.mue_reason}")
    main = p.pfs.main
    if main and main.global_days:
        out.print(f"Global period {main.global_days.value}: {main.global_days.meaning}")

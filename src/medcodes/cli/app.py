"""The `medcodes` command: the code commands first, then one group per feature (listed in that order in --help)."""

from __future__ import annotations

from medcodes.cli import bill, explain, history, payment, policies, similar
from medcodes.cli.codes import app

app.command("similar")(similar.similar)
app.command("price")(payment.price)
app.command("history")(history.history)
app.command("changes")(history.changes)
app.command("bill")(bill.bill)
app.add_typer(explain.app, name="explain")
app.add_typer(policies.app, name="policies")


def main() -> None:  # pragma: no cover - entry point
    app()

"""What every `medcodes` command shares: consoles, option types, opening the database, JSON output."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from medcodes.models import SYSTEMS

console = Console(stderr=True)  # progress, warnings and errors
out = Console()  # results

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="SQLite database file [default: $MEDCODES_DB or data/medcodes.sqlite]"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
SystemOption = Annotated[str | None, typer.Option("--system", "-s", help="cpt, hcpcs, icd10cm or icd10pcs")]


def db_path(db: Path | None) -> Path:
    from medcodes.store import default_db_path

    return db or default_db_path()


def open_store(db: Path | None, readonly: bool = True):
    """The Store, or a clear error and exit code 2 when there is no database yet."""
    from medcodes.store import Store
    from medcodes.store.db import DatabaseMissing

    try:
        return Store(db_path(db), readonly=readonly)
    except DatabaseMissing as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None


def check_system(system: str | None) -> None:
    if system is not None and system not in SYSTEMS:
        console.print(f"[red]error:[/] unknown system {system!r}; choose from {', '.join(SYSTEMS)}")
        raise typer.Exit(2)


def print_json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")

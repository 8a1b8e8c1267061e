"""`medcodes explain ...`: show, schema, generate (LLM batch), export and import content packs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from medcodes.models import SYSTEMS

app = typer.Typer(help="Plain-language explanations: show, generate with an LLM, export and import.", no_args_is_help=True)
console = Console(stderr=True)
out = Console()

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="SQLite database file [default: $MEDCODES_DB or data/medcodes.sqlite]"),
]
SystemOption = Annotated[str | None, typer.Option("--system", "-s", help="cpt, hcpcs, icd10cm or icd10pcs")]


def _store(db: Path | None, readonly: bool = True):
    from medcodes.cli import open_store

    return open_store(db, readonly=readonly)


def _check_system(system: str | None) -> None:
    if system is not None and system not in SYSTEMS:
        console.print(f"[red]error:[/] unknown system {system!r}; choose from {', '.join(SYSTEMS)}")
        raise typer.Exit(2)


@app.command()
def show(
    code: Annotated[str, typer.Argument(help="Any spelling: 85230, E11.9, 0DTJ4ZZ, J1745")],
    system: SystemOption = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
):
    """Show the explanation a code page shows (stored LLM text if it passed the checks, else grounded)."""
    from medcodes.explain import explanation_for
    from medcodes.explain.serialize import explanation_json

    _check_system(system)
    store = _store(db)
    records = store.find(code, system)
    if not records:
        near = [r.display for r in store.nearest(code, system)]
        msg = f"{code}: not found" + (f"; nearest: {', '.join(near)}" if near else "")
        if as_json:
            sys.stdout.write(json.dumps({"error": "not found", "code": code, "nearest": near}) + "\n")
        else:
            console.print(msg)
        raise typer.Exit(1)
    docs = []
    for rec in records:
        expl = explanation_for(store, rec.system, rec.code)
        docs.append(explanation_json(expl, rec.display))
    if as_json:
        sys.stdout.write(json.dumps(docs[0] if len(docs) == 1 else docs, indent=2, ensure_ascii=False) + "\n")
        return
    for doc in docs:
        out.print(f"[bold]{doc['display']}[/]  {doc['label']}  ({doc['kind']})")
        when = f", {doc['created_at']}" if doc["created_at"] else ""
        model = f" {doc['model']}" if doc["model"] else ""
        out.print(f"written by: {doc['writer']}{model}{when}   reading grade: {doc['reading_grade']}")
        for sec in doc["sections"]:
            out.print(f"\n[bold]{sec['heading']}[/]")
            if sec["text"]:
                out.print(sec["text"], highlight=False)
            for i, item in enumerate(sec["items"], start=1):
                out.print(f"  {i}. {item}" if sec["ordered"] else f"  - {item}", highlight=False)
        failed = [c for c in doc["checks"] if not c["ok"] and c.get("severity") == "error"]
        for c in failed:
            out.print(f"[yellow]check failed:[/] {c['name']}: {c['detail']}")
        if doc.get("notice"):
            out.print(f"\n[dim]{doc['notice']}[/]")
        out.print()


@app.command()
def schema(kind: Annotated[str, typer.Argument(help="procedure, lab, imaging, visit, diagnosis, supply, drug, fallback")]):
    """Print the JSON schema of a kind's sections (what an LLM answer must match)."""
    from medcodes.explain.templates import KINDS, json_schema

    if kind not in KINDS:
        console.print(f"[red]error:[/] unknown kind {kind!r}; choose from {', '.join(KINDS)}")
        raise typer.Exit(2)
    sys.stdout.write(json.dumps(json_schema(kind), indent=2) + "\n")

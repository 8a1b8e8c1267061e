"""`medcodes similar CODE` (and `medcodes similar --rebuild` after ingesting policies)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from medcodes.store import Store


def similar(
    code: Annotated[str | None, typer.Argument(help="Any spelling: E11.9, 0dtj4zz, 85230")] = None,
    system: Annotated[
        str | None, typer.Option("--system", "-s", help="cpt, hcpcs, icd10cm or icd10pcs")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many (1-50).", min=1, max=50)] = 10,
    rebuild: Annotated[
        bool,
        typer.Option("--rebuild", help="Recompute every list in place (after `medcodes policies ingest`)."),
    ] = False,
    semantic: Annotated[
        bool,
        typer.Option(
            "--semantic",
            help="With --rebuild: blend in meaning (needs the semantic extra; slow once, then cached).",
        ),
    ] = False,
    db: Annotated[Path | None, typer.Option("--db", help="SQLite database file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
):
    """Codes a coder would consider instead of CODE, each with its reason."""
    from medcodes.cli.common import console, open_store, print_json

    if rebuild:
        _rebuild(open_store(db, readonly=False), as_json, semantic)
        return
    if not code:
        console.print("[red]error:[/] give a CODE, or --rebuild")
        raise typer.Exit(2)
    _show(open_store(db), code, system, limit, as_json, print_json)


def _show(store: Store, code, system, limit, as_json, print_json) -> None:
    from rich.table import Table

    from medcodes.cli.common import out
    from medcodes.documents import similar_document

    records = store.find(code, system)
    if not records:
        out.print(f"{code}: not found")
        raise typer.Exit(1)
    docs = [similar_document(store, rec, limit).model_dump() for rec in records]
    if as_json:
        print_json(docs if len(docs) > 1 else docs[0])
        return
    for doc in docs:
        out.print(f"[bold]{doc['display']}[/] ({doc['system']}) {doc['title']}")
        table = Table("code", "system", "how it differs", "title")
        for s in doc["similar"]:
            name = f"{s['title']} ({s['common_name']})" if s["common_name"] else s["title"]
            table.add_row(s["display"], s["system"], s["difference"], name)
        out.print(table)


def _rebuild(store: Store, as_json: bool, semantic: bool = False) -> None:
    from medcodes.cli.common import console, out, print_json
    from medcodes.similar import semantic as sem
    from medcodes.similar.build import SimilarReport, compute, semantic_if_wanted, semantic_vectors, write

    if semantic and not sem.available():
        console.print("[red]error:[/] --semantic needs the optional extra: pip install 'medcodes[semantic]'")
        raise typer.Exit(2)
    report = SimilarReport()
    from medcodes.pipeline import SETTINGS, cache_for

    cache = cache_for(store.path, SETTINGS.cache_dir)
    vectors = (
        semantic_vectors(cache, progress=not as_json) if semantic else semantic_if_wanted(SETTINGS, cache)
    )
    with store.conn:
        write(store.conn, compute(store.conn, report, semantic=vectors))
    seconds = {k: round(v, 2) for k, v in report.seconds.items()}
    if as_json:
        print_json({"codes": report.codes, "lists": report.rows, "seconds": seconds})
    else:
        out.print(
            f"{report.rows:,} similar-code lists for {report.codes:,} codes in {sum(seconds.values()):.1f} s"
        )

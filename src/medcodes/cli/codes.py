"""The `medcodes` command line: build and inspect the database, search, serve, and the feature tools."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from medcodes.cli.common import DbOption, JsonOption, console, db_path, open_store, out, print_json
from medcodes.documents import code_document, code_ref, with_common_names
from medcodes.models import SYSTEMS, ReleaseFileError
from medcodes.pipeline import BuildError

# uvicorn's h11 server stops reading a request head past this size and answers 400, before buffering
# it whole (httptools has no such limit: a 64 MB header was read into memory). The app's guard
# (web/guard.py) refuses heads over 32 KB on any server.
SERVER_LIMITS: dict[str, Any] = {"http": "h11", "h11_max_incomplete_event_size": 64 * 1024}

app = typer.Typer(
    help="medcodes: search and explain CPT, HCPCS Level II, ICD-10-CM and ICD-10-PCS codes.",
    no_args_is_help=True,
    add_completion=False,
)


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


@app.command()
def build(
    db: DbOption = None,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Folder searched recursively for release files (CMS, CDC, AMA)."),
    ] = None,
    system: Annotated[
        list[str] | None, typer.Option("--system", "-s", help="Only these systems (repeatable).")
    ] = None,
    packaged: Annotated[
        bool,
        typer.Option(
            "--packaged/--no-packaged",
            help="Also consider the ICD-10 releases that PyPI packages ship (the newest release wins).",
        ),
    ] = True,
    allow_fallback: Annotated[
        bool,
        typer.Option(
            "--allow-fallback",
            help="When the newest release of a system cannot be read, build from an older one (with a warning).",
        ),
    ] = False,
    as_json: JsonOption = False,
):
    """Build the database from release files.

    Every file in --data-dir that medcodes recognises is considered, the newest release of each
    system wins, and the packaged ICD-10 releases fill in where the folder has none."""
    from medcodes import codesets, pipeline

    if data_dir is not None and not data_dir.is_dir():
        console.print(f"[red]error:[/] --data-dir {data_dir} is not a folder")
        raise typer.Exit(2)
    systems = system or list(SYSTEMS)
    for s in systems:
        if s not in SYSTEMS:
            console.print(f"[red]error:[/] unknown system {s!r}; choose from {', '.join(SYSTEMS)}")
            raise typer.Exit(2)
    try:
        sources = codesets.choose(data_dir, systems, packaged=packaged, allow_fallback=allow_fallback)
    except ReleaseFileError as exc:
        console.print(f"[red]error:[/] {exc}")
        console.print("The existing database was left untouched.")
        raise typer.Exit(1) from None
    for source in sources:
        console.print(f"[bold]{source.system}[/]: {source.describe()}")
        for note in source.notes:
            console.print(f"  {note}")
    missing = [s for s in systems if s not in {src.system for src in sources}]
    for s in missing:
        console.print(f"[yellow]{s}[/]: no release file found" + (f" in {data_dir}" if data_dir else ""))

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
        disable=as_json,
    ) as progress:

        def on_system(source):
            task = progress.add_task(f"{source.system:9}", total=None)
            return lambda n: progress.update(task, completed=n)

        # SIGTERM unwinds like Ctrl-C, so the temporary file and artefacts are removed on the way out.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            report = pipeline.build(
                db_path(db), sources, codesets.read, on_system=on_system, data_dir=data_dir
            )
        except (ReleaseFileError, ValueError, BuildError) as exc:
            console.print(f"[red]error:[/] {exc}")
            console.print("The existing database was left untouched.")
            raise typer.Exit(1) from None
    for w in report.warnings:
        console.print(f"[yellow]warning:[/] {w}")
    if as_json:
        print_json(
            {
                "db": str(report.db_path),
                "seconds": round(report.seconds, 2),
                "size_bytes": report.size_bytes,
                "systems": [vars(s) for s in report.systems],
                "steps": report.steps,
                "warnings": report.warnings,
            }
        )
        return
    table = Table("system", "records", "seconds", "source")
    for sr in report.systems:
        table.add_row(sr.system, f"{sr.count:,}", f"{sr.seconds:.1f}", sr.source)
    out.print(table)
    out.print(f"Built {report.db_path} ({report.size_bytes / 1e6:.0f} MB) in {report.seconds:.1f} s")


@app.command()
def show(
    code: Annotated[str, typer.Argument(help="Any spelling: E11.9, e119, 0dtj4zz, J1745, 85230")],
    system: Annotated[
        str | None, typer.Option("--system", "-s", help="cpt, hcpcs, icd10cm or icd10pcs")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
):
    """Show a code: descriptor, kind, billable, breadcrumb, children and notes."""
    store = open_store(db)
    records = store.find(code, system)
    if not records:
        near = store.nearest(code, system)
        if as_json:
            print_json(
                {"error": "not found", "code": code, "nearest": [code_ref(r).model_dump() for r in near]}
            )
        else:
            out.print(f"{code}: not found")
            if near:
                out.print("Nearest existing codes:")
                for r in near:
                    out.print(f"  {r.display:10} {r.system:9} {r.common_name or r.heading}")
        raise typer.Exit(1)
    found = [code_document(store, r.system, r.code) for r in records]
    docs = [d.model_dump() for d in found if d is not None]
    if as_json:
        print_json(docs if len(docs) > 1 else docs[0])
        return
    for doc in docs:
        out.print(f"[bold]{doc['display']}[/]  {doc['label']}")
        out.print(f"  {doc['title']}")
        if doc["common_name"] and doc["common_name"] != doc["title"]:
            out.print(f"  common name: {doc['common_name']}")
        if doc["title_note"]:
            out.print(f"  ({doc['title_note']})")
        if doc["short_title"] and doc["short_title"] != doc["title"]:
            out.print(f"  CMS short descriptor: {doc['short_title']}")
        out.print(f"  kind: {doc['kind']}   billable: {'yes' if doc['billable'] else 'no'}")
        if doc["effective_date"] or doc["termination_date"]:
            out.print(
                f"  effective: {doc['effective_date'] or '-'}   terminated: {doc['termination_date'] or '-'}"
            )
        crumbs = " > ".join(f"{b['display']} {b['common_name'] or b['title']}" for b in doc["breadcrumb"])
        out.print(f"  breadcrumb: {crumbs or '(top level)'}")
        out.print(f"  children: {len(doc['children'])}")
        for note in doc["notes"]:
            if note["inherited_from"] is None:  # the code's own notes; the JSON also has the inherited ones
                out.print(f"  {note['type']}: {note['text']}")
        for key, value in doc["attrs"].items():
            out.print(f"  {key}: {value}")
        out.print()


@app.command()
def stats(db: DbOption = None, as_json: JsonOption = False):
    """Counts per system (all nodes, codes, billable, billable and current) and the sources built from."""
    store = open_store(db)
    data = {
        "db": str(store.path),
        "build_id": store.build_id,
        "systems": store.stats(),
        "sources": store.sources(),
    }
    if as_json:
        print_json(data)
        return
    table = Table("system", "nodes", "codes", "billable", "billable (current)")
    for system, c in data["systems"].items():
        table.add_row(
            system, f"{c['nodes']:,}", f"{c['codes']:,}", f"{c['billable']:,}", f"{c['billable_current']:,}"
        )
    out.print(table)
    for s in data["sources"]:
        out.print(
            f"{s['system']:9} {s['name']} {s['version']} ({', '.join(s['files'].values()) or 'packaged'})"
        )


@app.command("search")
def search_cmd(
    query: Annotated[
        str, typer.Argument(help="A code in any spelling, a prefix (E11), a range (85002-85999) or words")
    ],
    system: Annotated[
        str | None, typer.Option("--system", "-s", help="cpt, hcpcs, icd10cm or icd10pcs")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many results (1-100).")] = 20,
    offset: Annotated[int, typer.Option("--offset", help="Skip this many results.")] = 0,
    billable: Annotated[bool, typer.Option("--billable", help="Billable codes only.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
):
    """Search every code system: codes in any spelling, prefixes, ranges, clinical or everyday words."""
    from medcodes.search import search as do_search

    store = open_store(db)
    try:
        res = do_search(
            store, query, system=system, billable=True if billable else None, limit=limit, offset=offset
        )
    except ValueError as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    except FileNotFoundError as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    with_common_names(store, res.results)
    if as_json:
        print_json(
            {
                "query": res.query,
                "total": res.total,
                "corrected_query": res.corrected_query,
                "unknown_codes": res.unknown,
                "results": [
                    {
                        "system": h.system,
                        "code": h.display,
                        "title": h.title,
                        "common_name": h.common_name,
                        "kind": h.kind,
                        "billable": h.billable,
                        "breadcrumb": h.breadcrumb,
                        "score": h.score,
                    }
                    for h in res.results
                ],
            }
        )
        return
    if res.corrected_query:
        out.print(f"Showing results for [bold]{res.corrected_query}[/]")
    if res.unknown:
        out.print(f"Not found in any code system: {', '.join(res.unknown)}")
    if not res.results:
        out.print(f"No codes found for {res.query!r}.")
        return
    table = Table("code", "system", "billable", "title", "common name")
    for h in res.results:
        table.add_row(h.display, h.system, "yes" if h.billable else "", h.title, h.common_name or "")
    out.print(table)
    out.print(f"{len(res.results)} of {res.total:,} shown")


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes.")] = 1,
    cors: Annotated[
        str | None,
        typer.Option("--cors", help="Comma-separated origins allowed to call the API ('*' for any)."),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="Public address for absolute links (canonical, robots.txt, sitemaps), e.g. https://codes.example.org"
            " [default: $MEDCODES_BASE_URL]; then any Host header is answered.",
        ),
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="Also answer requests for this host name (repeatable). Without --base-url only localhost,"
            " 127.0.0.1, ::1 and --host are answered; other Host headers get 400.",
        ),
    ] = None,
):
    """Serve the web pages and the JSON API (/api/v1, OpenAPI at /openapi.json).

    Runs uvicorn with --workers processes; the database is opened read-only. A rebuild of the database
    (`medcodes build --db` the same path) is picked up by the running server within a second."""
    import os

    import uvicorn

    path = db_path(db).resolve()
    if not path.exists():
        console.print(f"[red]error:[/] no database at {path}; run `medcodes build` first")
        raise typer.Exit(2)
    if workers < 1:
        console.print("[red]error:[/] --workers must be at least 1")
        raise typer.Exit(2)
    os.environ["MEDCODES_DB"] = str(path)
    if cors is not None:
        os.environ["MEDCODES_CORS_ORIGINS"] = cors
    if base_url is not None:
        os.environ["MEDCODES_BASE_URL"] = base_url
    if allowed_host:
        os.environ["MEDCODES_ALLOWED_HOSTS"] = ",".join(allowed_host)
    os.environ["MEDCODES_HOST"] = host
    console.print(f"Serving {path} on http://{host}:{port} ({workers} worker{'s' if workers > 1 else ''})")
    uvicorn.run(
        "medcodes.web.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        **SERVER_LIMITS,
    )


@app.command()
def fetch(
    kind: Annotated[str, typer.Argument(help="hcpcs, icd10pcs or icd10cm")],
    url: Annotated[
        str | None, typer.Option("--url", help="Download this URL instead of the known CMS one.")
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="[default: $MEDCODES_CACHE or ~/.cache/medcodes]")
    ] = None,
    as_json: JsonOption = False,
):
    """Download an official CMS release into the cache (verified, once per URL) and print its path."""
    from medcodes.codesets.sources import RELEASES, FetchError
    from medcodes.codesets.sources import fetch as do_fetch

    try:
        path = do_fetch(kind, url, cache_dir, progress=not as_json)
    except FetchError as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from None
    if as_json:
        print_json({"kind": kind, "url": url or RELEASES[kind].url, "path": str(path)})
    else:
        out.print(str(path), soft_wrap=True)

"""`medcodes policies ...`: ingest policy sources, list them, show one."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from medcodes.cli.common import (
    DbOption,
    JsonOption,
    console,
    open_store,
    out,
)

app = typer.Typer(help="Medical policies and guidelines that cite codes.", no_args_is_help=True)


def _store(db: Path | None, readonly: bool = True):
    return open_store(db, readonly=readonly)


@app.command()
def export(
    db: DbOption = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of standard output.")
    ] = None,
):
    """Write every policy as JSON Lines: id, payer, title, number, dates, source, url and its codes."""
    from medcodes.policies.export import jsonl

    store = _store(db)
    lines = jsonl(store)
    if out_file is None:
        for line in lines:
            sys.stdout.write(line)
        return
    try:
        with out_file.open("w", encoding="utf-8") as fh:
            n = sum(fh.write(line) > 0 for line in lines)
    except OSError as exc:
        console.print(f"[red]error:[/] cannot write {out_file}: {exc.strerror or exc}")
        raise typer.Exit(2) from None
    console.print(f"{n:,} policies written to {out_file}")


@app.command()
def ingest(
    paths: Annotated[
        list[str], typer.Argument(help="Files, folders (searched recursively) or http(s) URLs.")
    ],
    manifest: Annotated[
        Path | None,
        typer.Option("--manifest", help="YAML or CSV naming file, payer, title, number, dates, url."),
    ] = None,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host", help="Host on a local or private network that URLs may be fetched from."
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
):
    """Ingest policy documents (PDF, HTML, text), the CMS lab NCD spreadsheet and the MCD document list.
    Prints per-source counts; each failed file is listed with its reason and the rest still goes in."""
    from medcodes.policies.ingest import Ingester

    if manifest is not None and not manifest.is_file():
        console.print(f"[red]error:[/] manifest {manifest} does not exist")
        raise typer.Exit(2)
    store = _store(db, readonly=False)

    def progress(r):
        if not as_json:
            mark = {"failed": "[red]failed[/]", "unchanged": "[dim]unchanged[/]"}.get(
                r.status, f"[green]{r.status}[/]"
            )
            console.print(
                f"{mark:>10} {Path(r.path).name[:70]}  {r.policies} policies, {r.links} links"
                + (f"  — {r.reason}" if r.reason else "")
            )

    report = Ingester(store.conn, progress=progress, allow_hosts=allow_host or ()).ingest(paths, manifest)
    if as_json:
        sys.stdout.write(
            json.dumps(
                {"by_source": report.by_source(), "files": [asdict(f) for f in report.files]}, indent=2
            )
            + "\n"
        )
    else:
        table = Table("source", "files", "policies", "code links", "unchanged", "failures")
        for source, c in report.by_source().items():
            table.add_row(
                source,
                str(c["files"]),
                f"{c['policies']:,}",
                f"{c['links']:,}",
                str(c["unchanged"]),
                str(c["failures"]),
            )
        out.print(table)
        for f in report.failures:
            out.print(f"[red]failed:[/] {f.path}: {f.reason}")
    if report.files and len(report.failures) == len(report.files):
        raise typer.Exit(1)


@app.command("list")
def list_(
    code: Annotated[str | None, typer.Option("--code", help="Only policies citing this code.")] = None,
    system: Annotated[str | None, typer.Option("--system", "-s", help="System of --code.")] = None,
    payer: Annotated[str | None, typer.Option("--payer", help="Payer name contains this.")] = None,
    q: Annotated[str | None, typer.Option("--q", help="Words of the title or number.")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
):
    """List ingested policies."""
    from medcodes.policies import list_policies, policies_for

    store = _store(db)
    if code and not payer and not q:
        systems = [system] if system else [r.system for r in store.find(code)]
        links = [link for s in systems for link in policies_for(store, s, code)]
        if as_json:
            sys.stdout.write(json.dumps([asdict(x) for x in links], indent=2) + "\n")
            return
        table = Table("policy", "payer", "title", "disposition", "page")
        for link in links:
            table.add_row(
                link.policy_id,
                link.payer or "",
                link.title[:60],
                link.disposition_label,
                str(link.page or ""),
            )
        out.print(table)
        return
    total, rows = list_policies(store, payer=payer, q=q, system=system, code=code, limit=limit)
    if as_json:
        sys.stdout.write(json.dumps({"total": total, "policies": [asdict(r) for r in rows]}, indent=2) + "\n")
        return
    table = Table("id", "payer", "title", "type", "effective", "codes")
    for r in rows:
        table.add_row(
            r.id, r.payer or "", r.title[:60], r.type or "", r.effective_date or "", str(r.code_count)
        )
    out.print(table)
    out.print(f"{len(rows)} of {total}")


@app.command()
def show(
    policy_id: Annotated[str, typer.Argument(help="Policy id, e.g. uhc-2025t0362pp or ncd-190.12")],
    db: DbOption = None,
    as_json: JsonOption = False,
):
    """Show a policy: metadata and its codes grouped by disposition."""
    from medcodes.policies import get_policy
    from medcodes.policies.disposition import LABELS

    detail = get_policy(_store(db), policy_id)
    if detail is None:
        console.print(f"[red]error:[/] no policy {policy_id!r}; see `medcodes policies list`")
        raise typer.Exit(1)
    if as_json:
        sys.stdout.write(json.dumps(asdict(detail), indent=2) + "\n")
        return
    out.print(f"[bold]{detail.title}[/]  ({detail.id})")
    for key in ("payer", "number", "type", "effective_date", "last_reviewed", "url", "file"):
        if getattr(detail, key):
            out.print(f"  {key}: {getattr(detail, key)}")
    for disposition, codes in detail.codes.items():
        out.print(f"\n[bold]{LABELS.get(disposition, disposition)}[/] ({len(codes)})")
        for c in codes[:200]:
            out.print(
                f"  {c['display']:9} {c['system']:8} p.{c['page'] or '-':<3} {(c['context'] or '')[:90]}"
            )
        if len(codes) > 200:
            out.print(f"  … {len(codes) - 200} more")


@app.command("fetch-mcd")
def fetch_mcd(
    ids: Annotated[list[str], typer.Argument(help="MCD policy ids from the document list, e.g. lcd-l36668")],
    base_url: Annotated[
        str, typer.Option("--base-url", help="Coverage API root.")
    ] = "https://api.coverage.cms.gov",
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help="Cache API responses here.")] = None,
    db: DbOption = None,
):
    """Fetch the code tables of LCDs and billing-and-coding articles from the CMS Coverage API."""
    from medcodes.policies.coverage_api import CoverageClient
    from medcodes.policies.ingest import Ingester, fetch_mcd_codes

    store = _store(db, readonly=False)
    client = CoverageClient(base_url, cache_dir=cache_dir)
    try:
        report = fetch_mcd_codes(Ingester(store.conn), client, ids)
    finally:
        client.close()
    for f in report.files:
        out.print(f"{f.status:>9} {f.path}: {f.links} links" + (f" — {f.reason}" if f.reason else ""))
    if report.failures:
        raise typer.Exit(1)

"""`medcodes explain ...`: show, schema, generate (LLM batch), export and import content packs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from medcodes.cli_common import (
    DbOption,
    SystemOption,
    check_system,
    console,
    open_store,
    out,
)

app = typer.Typer(help="Plain-language explanations: show, generate with an LLM, export and import.", no_args_is_help=True)


def _store(db: Path | None, readonly: bool = True):
    return open_store(db, readonly=readonly)


_check_system = check_system


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


@app.command()
def generate(
    db: DbOption = None,
    system: SystemOption = None,
    codes: Annotated[Path | None, typer.Option("--codes", help="File with one code per line (optionally 'system code').")] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", "-c", min=1, max=1024, help="Requests in flight.")] = 8,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="At most this many new explanations.")] = None,
    rps: Annotated[float | None, typer.Option("--rps", help="Rate limit: requests per second.")] = None,
    timeout: Annotated[float | None, typer.Option("--timeout", help="Seconds per request.")] = None,
    redo_failed: Annotated[bool, typer.Option("--redo-failed", help="Also retry codes whose stored answer failed the checks.")] = False,
    config: Annotated[Path | None, typer.Option("--config", help="LLM config file (TOML, [llm] table).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
):
    """Write explanations with an OpenAI-compatible LLM (MEDCODES_LLM_BASE_URL, MEDCODES_LLM_MODEL,
    MEDCODES_LLM_API_KEY). Resumable: codes already stored are skipped."""
    import asyncio

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from medcodes.explain import batch, llm

    _check_system(system)
    try:
        cfg = llm.LLMConfig.load(config, rps=rps, timeout=timeout)
    except llm.LLMError as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    store = _store(db, readonly=False)
    try:
        todo = batch.read_codes_file(codes, store, system) if codes else None
    except (OSError, ValueError) as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    todo = batch.select(store, system, todo, redo_failed)
    with Progress(
        TextColumn("explain"), BarColumn(), MofNCompleteColumn(), TextColumn("ok {task.fields[ok]} failed {task.fields[failed]} errors {task.fields[errors]}"),
        TimeElapsedColumn(), TimeRemainingColumn(), console=console, disable=as_json,
    ) as progress:
        task = progress.add_task("explain", total=None, ok=0, failed=0, errors=0)
        counts = {"ok": 0, "failed": 0, "error": 0}

        def on_start(n: int) -> None:
            progress.update(task, total=n)

        def on_done(_s: str, _c: str, status: str) -> None:
            counts[status] += 1
            progress.update(task, advance=1, ok=counts["ok"], failed=counts["failed"], errors=counts["error"])

        try:
            report = asyncio.run(
                batch.run(store, todo, cfg, concurrency=concurrency, limit=limit, redo_failed=redo_failed,
                          on_start=on_start, on_done=on_done)
            )
        except KeyboardInterrupt:
            console.print("[yellow]interrupted:[/] every finished explanation is stored; run again to resume")
            raise typer.Exit(130) from None
    data = report.as_dict()
    if as_json:
        sys.stdout.write(json.dumps(data) + "\n")
    else:
        out.print(
            f"{data['ok']} ok, {data['failed']} failed checks, {data['errors']} errors, {data['skipped']} already stored; "
            f"{data['requests']} requests ({data['retries']} retries), {data['prompt_tokens']:,} + "
            f"{data['completion_tokens']:,} tokens, ${data['cost_usd']:.4f}, {data['seconds']:.1f} s"
        )
        for e in data["error_samples"]:
            console.print(f"[yellow]error:[/] {e}")
    if report.errors:
        raise typer.Exit(1)


@app.command("export")
def export_cmd(
    output: Annotated[Path, typer.Argument(help="JSONL file to write ('-' for stdout).")],
    db: DbOption = None,
    system: SystemOption = None,
):
    """Write stored LLM explanations as a JSONL content pack."""
    from medcodes.explain import pack

    _check_system(system)
    store = _store(db)
    if str(output) == "-":
        n = pack.export(store, sys.stdout, system)
    else:
        with open(output, "w", encoding="utf-8") as fh:
            n = pack.export(store, fh, system)
    console.print(f"exported {n} explanations")


@app.command("import")
def import_cmd(
    pack_file: Annotated[Path, typer.Argument(help="JSONL content pack.")],
    db: DbOption = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace stored explanations even when they are newer.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
):
    """Load a JSONL content pack; every line is re-checked against this database's codes."""
    from dataclasses import asdict

    from medcodes.explain import pack

    if not pack_file.is_file():
        console.print(f"[red]error:[/] {pack_file} is not a file")
        raise typer.Exit(2)
    store = _store(db, readonly=False)
    report = pack.import_pack(store, pack_file, replace=replace)
    if as_json:
        sys.stdout.write(json.dumps(asdict(report)) + "\n")
    else:
        out.print(f"read {report.read}, imported {report.imported} ({report.ok} ok, {report.failed} failed checks), "
                  f"kept {report.kept_newer} newer, rejected {len(report.rejected)}")
        for r in report.rejected[:20]:
            console.print(f"[yellow]rejected:[/] {r}")
    if report.rejected:
        raise typer.Exit(1)


@app.command()
def check(
    code: Annotated[str, typer.Argument(help="The code the answer explains.")],
    answer: Annotated[Path, typer.Argument(help="JSON file in the kind's schema (see `explain schema`).")],
    system: SystemOption = None,
    db: DbOption = None,
):
    """Run the checker on an answer as if an LLM had written it; exit 1 when it fails."""
    from medcodes.explain import llm
    from medcodes.explain.facts import gather

    _check_system(system)
    store = _store(db)
    records = store.find(code, system)
    if len(records) != 1:
        console.print(f"[red]error:[/] {code}: " + ("not found" if not records else "in several systems; pass --system"))
        raise typer.Exit(2)
    facts = gather(store, records[0])
    expl = llm.from_answer(facts, answer.read_text(encoding="utf-8"))
    for c in expl.checks:
        mark = "ok  " if c["ok"] else ("info" if c.get("severity") == "info" else "FAIL")
        out.print(f"{mark} {c['name']}: {c['detail']}", highlight=False)
    if expl.status != "ok":
        raise typer.Exit(1)

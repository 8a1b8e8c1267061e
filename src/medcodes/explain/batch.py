"""Batch generation with the LLM writer. Every finished explanation is committed on its own, so a crash
or Ctrl-C loses at most the requests in flight; a rerun skips what is stored (resume)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from medcodes.codes import canonical
from medcodes.explain import llm, storage
from medcodes.explain.facts import gather
from medcodes.models import SYSTEMS


@dataclass
class BatchReport:
    selected: int = 0
    skipped: int = 0  # already stored (resume)
    ok: int = 0
    failed: int = 0  # stored with status failed (schema or checks)
    errors: int = 0  # requests that failed for good; nothing stored, a rerun retries them
    error_samples: list[str] = field(default_factory=list)
    seconds: float = 0.0
    usage: llm.Usage = field(default_factory=llm.Usage)
    cost_usd: float = 0.0

    def as_dict(self) -> dict:
        return {
            "selected": self.selected,
            "skipped": self.skipped,
            "ok": self.ok,
            "failed": self.failed,
            "errors": self.errors,
            "error_samples": self.error_samples,
            "seconds": round(self.seconds, 2),
            "requests": self.usage.requests,
            "retries": self.usage.retries,
            "prompt_tokens": self.usage.prompt_tokens,
            "completion_tokens": self.usage.completion_tokens,
            "cost_usd": round(self.cost_usd, 6),
        }


def read_codes_file(path: Path, store, system: str | None) -> list[tuple[str, str]]:
    """One code per line, optionally preceded by its system ("icd10cm E11.9"); # starts a comment."""
    out: list[tuple[str, str]] = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) >= 2 and parts[0] in SYSTEMS:
            sys_, code = parts[0], parts[1]
        else:
            sys_, code = system, parts[0]
        records = store.find(code, sys_)
        if not records:
            raise ValueError(f"{path.name} line {n}: {code!r} is not a code in the database")
        out.extend((r.system, r.code) for r in records)
    return out


def select(store, system: str | None, codes: Iterable[tuple[str, str]] | None, redo_failed: bool) -> list[tuple[str, str]]:
    if codes is None:
        codes = [(r.system, r.code) for r in store.iter_codes(system, leaves_only=True)]
    seen: set[tuple[str, str]] = set()
    out = []
    for s, c in codes:
        key = (s, canonical(c))
        if key not in seen:
            seen.add(key)
            out.append(key)
    return out


async def run(
    store,
    todo: list[tuple[str, str]],
    cfg: llm.LLMConfig,
    *,
    concurrency: int = 8,
    limit: int | None = None,
    redo_failed: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[str, str, str], None] | None = None,
) -> BatchReport:
    report = BatchReport()
    t0 = time.perf_counter()
    conn = store.conn
    statuses = ("ok",) if redo_failed else ("ok", "failed")
    done = storage.stored_codes(conn, "llm", statuses)
    pending = [k for k in todo if k not in done]
    report.skipped = len(todo) - len(pending)
    if limit is not None:
        pending = pending[:limit]
    report.selected = len(pending)
    if on_start:
        on_start(len(pending))
    client = llm.LLMClient(cfg)
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for k in pending:
        queue.put_nowait(k)

    async def worker() -> None:
        while True:
            try:
                system, code = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            rec = store.get(system, code)
            if rec is None:
                continue
            facts = gather(store, rec)
            try:
                expl = await llm.write(client, facts)
            except llm.LLMError as exc:
                report.errors += 1
                if len(report.error_samples) < 5:
                    report.error_samples.append(f"{system} {rec.display}: {exc}")
                if on_done:
                    on_done(system, code, "error")
                continue
            # Single event-loop thread: writes never interleave; each commit is durable on its own.
            storage.save(conn, expl)
            if expl.status == "ok":
                report.ok += 1
            else:
                report.failed += 1
            if on_done:
                on_done(system, code, expl.status)

    try:
        await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
    finally:
        await client.aclose()
        report.seconds = time.perf_counter() - t0
        report.usage = client.usage
        report.cost_usd = client.usage.cost(cfg)
    return report

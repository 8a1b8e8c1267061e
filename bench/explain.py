"""Explanation throughput and LLM-client overhead.

1. Grounded explanations per second across every code in a database (median per-request time by
   system), against a baseline of the store read alone (`Store.get`) in the same run.
2. Overhead per request of the LLM client (schema prompt, retries machinery, parsing, checking)
   against the loopback OpenAI-compatible test server at concurrency 64, against a baseline of bare
   httpx posts to the same server at the same concurrency.

    .venv/bin/python bench/explain.py --db data/medcodes.sqlite [--sample 20] [--requests 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "fixtures" / "explain"))

from fake_llm import FakeLLM  # noqa: E402

from medcodes.explain import llm  # noqa: E402
from medcodes.explain.facts import gather  # noqa: E402
from medcodes.explain.service import explanation_for  # noqa: E402
from medcodes.store import Store  # noqa: E402


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def grounded(store: Store, sample: int) -> None:
    codes = [(r.system, r.code) for r in store.iter_codes()]
    picked = codes[::sample]
    # Warm the caches (profiles, regexes) so the numbers are steady state, as on a server.
    for s, c in picked[:200]:
        explanation_for(store, s, c)
    base, times, by_system = [], [], {}
    t_all = time.perf_counter()
    for s, c in picked:
        t0 = time.perf_counter()
        store.get(s, c)
        t1 = time.perf_counter()
        explanation_for(store, s, c)
        t2 = time.perf_counter()
        base.append(t1 - t0)
        times.append(t2 - t1)
        by_system.setdefault(s, []).append(t2 - t1)
    wall = time.perf_counter() - t_all
    print(f"grounded explanations: {len(picked):,} of {len(codes):,} codes (every {sample}th)")
    print(f"  explanation_for  median {statistics.median(times) * 1e3:.3f} ms  p99 {pct(times, .99) * 1e3:.3f} ms"
          f"  -> {len(times) / sum(times):,.0f} per second")
    print(f"  baseline Store.get median {statistics.median(base) * 1e3:.3f} ms  p99 {pct(base, .99) * 1e3:.3f} ms")
    for s, v in sorted(by_system.items()):
        print(f"    {s:9} median {statistics.median(v) * 1e3:.3f} ms  p99 {pct(v, .99) * 1e3:.3f} ms  n={len(v):,}")
    print(f"  estimated time for all {len(codes):,} codes: {len(codes) * sum(times) / len(times):.0f} s (wall {wall:.1f} s for the sample)")


async def llm_overhead(store: Store, requests: int, concurrency: int) -> None:
    server = FakeLLM().start()
    try:
        rec = next(r for r in store.iter_codes("icd10cm", leaves_only=True))
        facts = gather(store, rec)
        cfg = llm.LLMConfig.load(None, base_url=server.base_url, model="bench", backoff=0.01)
        messages = llm.build_messages(facts)
        schema = llm.json_schema(facts.kind)
        body = {"model": "bench", "messages": messages,
                "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}}

        async def bare() -> list[float]:
            lat: list[float] = []
            sem = asyncio.Semaphore(concurrency)
            limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
            async with httpx.AsyncClient(limits=limits, timeout=60) as http:
                async def one():
                    async with sem:
                        t0 = time.perf_counter()
                        r = await http.post(f"{server.base_url}/chat/completions", json=body)
                        r.json()
                        lat.append(time.perf_counter() - t0)
                await asyncio.gather(*(one() for _ in range(requests)))
            return lat

        async def client() -> list[float]:
            lat: list[float] = []
            sem = asyncio.Semaphore(concurrency)
            c = llm.LLMClient(cfg)
            try:
                async def one():
                    async with sem:
                        t0 = time.perf_counter()
                        expl = await llm.write(c, facts)
                        assert expl.status == "ok", expl.reason
                        lat.append(time.perf_counter() - t0)
                await asyncio.gather(*(one() for _ in range(requests)))
            finally:
                await c.aclose()
            return lat

        await bare()  # warm up connections and the server
        t0 = time.perf_counter()
        b = await bare()
        tb = time.perf_counter() - t0
        t0 = time.perf_counter()
        c = await client()
        tc = time.perf_counter() - t0
        print(f"LLM client vs bare httpx, {requests} requests at concurrency {concurrency} (loopback test server):")
        print(f"  baseline bare httpx   median {statistics.median(b) * 1e3:.1f} ms  p99 {pct(b, .99) * 1e3:.1f} ms  {requests / tb:,.0f} req/s")
        print(f"  medcodes LLM writer   median {statistics.median(c) * 1e3:.1f} ms  p99 {pct(c, .99) * 1e3:.1f} ms  {requests / tc:,.0f} req/s")
        print(f"  overhead per request (wall time / requests): {(tc - tb) / requests * 1e3:.2f} ms")
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--sample", type=int, default=10, help="Explain every Nth code (1 = all).")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=64)
    args = ap.parse_args()
    store = Store(args.db)
    grounded(store, args.sample)
    asyncio.run(llm_overhead(store, args.requests, args.concurrency))


if __name__ == "__main__":
    main()

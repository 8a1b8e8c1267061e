"""Payment lookup speed, in-process: p50 and p99 of `payment_for` (every part, national and by
locality) beside a plain code lookup (`Store.get`) on the same codes, in the same run.

    .venv/bin/python bench/payment.py [--db PATH] [--n 2000] [--json]

The database needs the payment tables (`medcodes build --data-dir FOLDER` with the CMS files).
Target: payment lookup p50 <= 1 ms.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import time
from pathlib import Path

from medcodes.payment import payment_for
from medcodes.store import Store, default_db_path


def _times(fn, args: list) -> tuple[list[float], list[float]]:
    """(wall ms, this thread's CPU ms) per call. On a busy machine the wall p99 also counts the time the
    scheduler gave other processes; the CPU figure is the lookup's own cost."""
    wall, cpu = [], []
    for a in args:
        t0, c0 = time.perf_counter(), time.thread_time()
        fn(*a)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    return wall, cpu


def _pct(ms: list[float], q: float) -> float:
    ms = sorted(ms)
    return round(ms[min(len(ms) - 1, int(len(ms) * q))], 4)


def _summary(times: tuple[list[float], list[float]]) -> dict:
    wall, cpu = times
    return {
        "n": len(wall),
        "p50_ms": round(statistics.median(wall), 4),
        "p99_ms": _pct(wall, 0.99),
        "cpu_p50_ms": round(statistics.median(cpu), 4),
        "cpu_p99_ms": _pct(cpu, 0.99),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--no-freeze", action="store_true", help="leave start-up objects to the garbage collector"
    )
    args = ap.parse_args()
    store = Store(args.db or default_db_path())
    conn = store.conn
    codes = [
        (s, c)
        for s, c in conn.execute(
            "SELECT system, code FROM codes WHERE system IN ('cpt', 'hcpcs') AND kind = 'code'"
        )
    ]
    locs = [r[0] for r in conn.execute("SELECT id FROM pfs_locality")] or [None]
    if not codes:
        raise SystemExit("no CPT or HCPCS codes in this database")
    rng = random.Random(15)
    picks = [rng.choice(codes) for _ in range(args.n)]
    national = [(conn, s, c, None) for s, c in picks]
    local = [(conn, s, c, rng.choice(locs)) for s, c in picks]
    plain = [(s, c) for s, c in picks]
    for warm in (national[:200], local[:200]):  # page cache and statement cache
        _times(payment_for, warm)
    _times(store.get, plain[:200])  # loads the store's interned texts
    # Objects made while loading (the code list, the store's caches) are frozen out of the collector, as a
    # long-running server's start-up objects would be; otherwise a full collection over them lands in p99.
    if not args.no_freeze:
        gc.freeze()
    result = {
        "db": str(store.path),
        "codes": len(codes),
        "localities": len(locs),
        "gc_freeze": not args.no_freeze,
        "baseline_store_get": _summary(_times(store.get, plain)),
        "payment_national": _summary(_times(payment_for, national)),
        "payment_locality": _summary(_times(payment_for, local)),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['codes']:,} CPT/HCPCS codes, {result['localities']} localities, {args.n} lookups each")
    for name in ("baseline_store_get", "payment_national", "payment_locality"):
        s = result[name]
        print(
            f"{name:20} p50 {s['p50_ms']:.3f} ms   p99 {s['p99_ms']:.3f} ms   "
            f"(CPU p50 {s['cpu_p50_ms']:.3f} ms, p99 {s['cpu_p99_ms']:.3f} ms)"
        )
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()

"""Search speed on a built database: in-process search() against two baselines measured in the
same run (naive LIKE '%term%' scans, and SQLite FTS5 with bm25), then an HTTP load run.

Usage: python bench/search_speed.py [--db PATH] [--queries 1000] [--http-seconds 30] [--clients 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from medcodes.search import autocomplete, search
from medcodes.search.lay import vocabulary
from medcodes.store import Store, default_db_path

HERE = Path(__file__).resolve().parent
WORD = re.compile(r"[a-z]{4,}")


def query_mix(store: Store, n: int, seed: int = 7) -> list[str]:
    """Codes in several spellings, prefixes, title words, lay phrases, typos and the relevance set."""
    rng = random.Random(seed)
    rows = store.conn.execute(
        "SELECT system, code, display, title FROM codes ORDER BY system, sort"
    ).fetchall()
    sample = rng.sample(rows, min(len(rows), n))
    lay = [" ".join(k) for k in vocabulary()]
    rel = [
        line.split("\t")[1]
        for line in (HERE / "queries.tsv").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    out: list[str] = []
    for i, (_system, code, disp, title) in enumerate(sample):
        words = WORD.findall(title.lower())
        kind = i % 8
        if kind == 0:
            out.append(disp)
        elif kind == 1:
            out.append(code.lower())
        elif kind == 2:
            out.append(code[: max(3, len(code) - 2)])
        elif kind in (3, 4) and words:
            out.append(" ".join(rng.sample(words, min(len(words), 1 + kind - 3))))
        elif kind == 5:
            out.append(rng.choice(lay))
        elif kind == 6 and words:
            w = max(words, key=len)
            j = rng.randrange(1, len(w) - 1)
            out.append(w[:j] + w[j + 1] + w[j] + w[j + 2 :])  # a swapped pair of letters
        else:
            out.append(rng.choice(rel))
    return out[:n]


def timed(fn, queries: list[str]) -> list[float]:
    times = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def report(name: str, times: list[float]) -> None:
    print(
        f"  {name:34} n={len(times):5}  p50 {statistics.median(times):8.3f} ms"
        f"  p99 {pct(times, 99):8.3f} ms  max {max(times):8.2f} ms"
    )


def like_baseline(conn: sqlite3.Connection):
    def run(q: str):
        words = WORD.findall(q.lower()) or [q]
        sql = (
            "SELECT system, code, title FROM codes WHERE "
            + " AND ".join("title LIKE ?" for _ in words)
            + " LIMIT 20"
        )
        return conn.execute(sql, [f"%{w}%" for w in words]).fetchall()

    return run


def fts5_baseline(db: Path):
    """The same text (titles, short titles, inclusion notes, terms) in an FTS5 table with porter stemming."""
    mem = sqlite3.connect(":memory:")
    mem.execute("ATTACH DATABASE ? AS src", (f"file:{db}?mode=ro",))
    mem.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(system UNINDEXED, code UNINDEXED, title, alt, tokenize='porter')"
    )
    mem.execute(
        """
        INSERT INTO fts (system, code, title, alt)
        SELECT c.system, c.code, c.title,
               COALESCE(c.short_title, '') || ' ' ||
               COALESCE((SELECT group_concat(term, ' ') FROM src.terms t WHERE t.system = c.system AND t.code = c.code), '') || ' ' ||
               COALESCE((SELECT group_concat(text, ' ') FROM src.notes n WHERE n.system = c.system AND n.code = c.code
                         AND n.type IN ('inclusion', 'includes')), '')
        FROM src.codes c
        """
    )
    mem.commit()

    def run(q: str):
        words = re.findall(r"[a-z0-9]+", q.lower())
        if not words:
            return []
        match = " ".join(f'"{w}"' for w in words)
        return mem.execute(
            "SELECT system, code, title FROM fts WHERE fts MATCH ? ORDER BY bm25(fts, 2.0, 1.0) LIMIT 20",
            (match,),
        ).fetchall()

    return run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def load(base: str, queries: list[str], clients: int, seconds: float) -> tuple[list[float], int, int]:
    latencies: list[float] = []
    errors = 0
    statuses: dict[int, int] = {}
    stop = time.perf_counter() + seconds

    async def client(k: int):
        nonlocal errors
        rng = random.Random(k)
        async with httpx.AsyncClient(base_url=base, timeout=10) as c:
            while time.perf_counter() < stop:
                q = rng.choice(queries)
                t0 = time.perf_counter()
                try:
                    r = await c.get("/api/v1/search", params={"q": q, "limit": 20})
                    statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                    if r.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - t0) * 1000)

    await asyncio.gather(*(client(k) for k in range(clients)))
    return latencies, errors, sum(statuses.values())


def http_run(db: Path, queries: list[str], clients: int, seconds: float, workers: int) -> None:
    port = free_port()
    env = {**os.environ, "MEDCODES_DB": str(db)}
    cmd = [
        sys.executable,
        "-m",
        "medcodes.cli",  # the package runs as a module (cli/__main__.py)
        "serve",
        "--db",
        str(db),
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    proc = subprocess.Popen(
        [sys.executable, "-c", "from medcodes.cli import app; app()", *cmd[3:]],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/v1/search", params={"q": "warm up"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline or proc.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.3)
        for q in queries[:200]:  # warm every worker's engine and caches
            httpx.get(f"{base}/api/v1/search", params={"q": q})
        t0 = time.perf_counter()
        latencies, errors, total = asyncio.run(load(base, queries, clients, seconds))
        elapsed = time.perf_counter() - t0
        print(
            f"HTTP GET /api/v1/search, {clients} concurrent clients, {elapsed:.0f} s, uvicorn --workers {workers}:"
        )
        print(
            f"  python client (httpx): {total} requests, {total / elapsed:.0f} req/s,"
            f" p50 {statistics.median(latencies):.1f} ms, p99 {pct(latencies, 99):.1f} ms, errors {errors}"
        )
        wrk_run(base, queries, clients, seconds)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def wrk_run(base: str, queries: list[str], clients: int, seconds: float) -> None:
    """The same load from wrk (Debian's `wrk`), a C client that leaves the 2 cores to the server;
    the Python client above spends about as much CPU as one worker."""
    wrk = shutil.which("wrk")
    if wrk is None:
        print("  wrk: not installed (apt-get install wrk) - skipped")
        return
    paths = ",\n".join(json.dumps("/api/v1/search?q=" + quote(q)) for q in queries)
    script = (
        f"local paths = {{{paths}}}\nlocal i = 0\n"
        "request = function() i = i + 1; return wrk.format('GET', paths[(i % #paths) + 1]) end\n"
        "done = function(summary, latency, requests)\n"
        "  io.write(string.format('WRK %d %d %.3f %.3f %d\\n', summary.requests, summary.duration,\n"
        "    latency:percentile(50) / 1000, latency:percentile(99) / 1000,\n"
        "    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status\n"
        "    + summary.errors.timeout))\n"
        "end\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
    try:
        out = subprocess.run(
            [wrk, "-t2", f"-c{clients}", f"-d{int(seconds)}s", "-s", fh.name, base],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(fh.name)
    line = next((ln for ln in out.splitlines() if ln.startswith("WRK ")), None)
    if line is None:
        print("  wrk: no result")
        return
    n, micros, p50, p99, errors = line.split()[1:]
    rate = int(n) / (int(micros) / 1e6)
    print(
        f"  wrk client: {n} requests, {rate:.0f} req/s, p50 {float(p50):.1f} ms, p99 {float(p99):.1f} ms, errors {errors}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument(
        "--baseline-queries", type=int, default=300, help="LIKE scans are slow: time this many of them."
    )
    ap.add_argument("--http-seconds", type=float, default=30.0, help="0 skips the HTTP run.")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    db = (args.db or default_db_path()).resolve()
    store = Store(db)
    queries = query_mix(store, args.queries)
    print(
        f"{db}: {store.conn.execute('SELECT COUNT(*) FROM codes').fetchone()[0]:,} nodes, {len(queries)} mixed queries"
    )

    t0 = time.perf_counter()
    search(store, "warm up")
    print(f"  engine open (first query): {(time.perf_counter() - t0) * 1000:.0f} ms")
    timed(lambda q: search(store, q), queries[:100])  # warm caches the way a running server has them
    print("in-process, same queries:")
    report("medcodes search() (tantivy)", timed(lambda q: search(store, q), queries))
    # What the search box sends while someone types: every prefix of each query from 3 characters.
    typed = [q[:n] for q in queries[:200] for n in range(3, len(q) + 1)]
    report(
        f"medcodes autocomplete() ({len(typed)} keystrokes)", timed(lambda q: autocomplete(store, q), typed)
    )
    t0 = time.perf_counter()
    fts = fts5_baseline(db)
    print(f"  (FTS5 table built in {time.perf_counter() - t0:.1f} s)")
    timed(fts, queries[:50])
    report("baseline: SQLite FTS5 bm25", timed(fts, queries))
    report("baseline: LIKE '%term%'", timed(like_baseline(store.conn), queries[: args.baseline_queries]))
    if args.http_seconds > 0:
        http_run(db, queries, args.clients, args.http_seconds, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())

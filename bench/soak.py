"""Soak test: 16 clients for 60 s over a mix of routes against a real server with 2 workers.

Starts `medcodes serve` on 127.0.0.1 (a free port) over --db, warms it up, then runs --clients client
processes (one keep-alive connection each, so the clients do not share a GIL) for --seconds over
search, autocomplete, code pages, the code API, policies and explanations. Prints requests/s, p50 and
p99 per route and overall, errors (any 5xx, refused or timed-out request), and the resident memory of
the worker processes before and after (target: 0 errors, under 10% growth).

    .venv/bin/python bench/soak.py --db data/medcodes.sqlite [--clients 16] [--seconds 60] [--workers 2]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote

import httpx

from medcodes.store import Store, default_db_path

WORDS = (
    "diabetes", "fracture femur", "knee replacement", "chest pain", "asthma", "pneumonia", "hypertension",
    "wheelchair", "insulin pump", "colonoscopy", "office visit", "migraine", "back pain", "cataract",
    "heart attack", "broken arm", "kidney stone", "blood test", "mri brain", "depression",
)  # fmt: skip
MIX = (("search", 3), ("autocomplete", 3), ("page", 2), ("api_code", 2), ("policies", 1), ("explanation", 1))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def sample_codes(db: Path, n: int, seed: int) -> list[tuple[str, str]]:
    """(system, display) of `n` random billable codes, drawn from every system in the database."""
    rng = random.Random(seed)
    store = Store(db)
    pool: list[tuple[str, str]] = []
    for rec in store.iter_codes(leaves_only=True):
        if len(pool) < n:
            pool.append((rec.system, rec.display))
        elif (j := rng.randrange(0, len(pool) * 20)) < n:  # thin reservoir: enough spread, cheap
            pool[j] = (rec.system, rec.display)
    return pool


def url_for(route: str, rng: random.Random, codes: list[tuple[str, str]]) -> str:
    system, display = rng.choice(codes)
    word = rng.choice(WORDS)
    if route == "search":
        return f"/api/v1/search?q={quote(word)}&limit=20"
    if route == "autocomplete":
        return f"/api/v1/autocomplete?q={quote(word[: rng.randint(3, len(word))])}"
    if route == "page":
        return f"/codes/{system}/{quote(display, safe='.-')}"
    if route == "api_code":
        return f"/api/v1/codes/{system}/{quote(display, safe='.-')}"
    if route == "policies":
        return f"/api/v1/policies?q={quote(word.split()[0])}&limit=20"
    return f"/api/v1/codes/{system}/{quote(display, safe='.-')}/explanation"


def client(base: str, seconds: float, codes: list[tuple[str, str]], seed: int, out) -> None:
    rng = random.Random(seed)
    routes = [r for r, w in MIX for _ in range(w)]
    lat: dict[str, list[float]] = defaultdict(list)
    errors: Counter[str] = Counter()
    deadline = time.monotonic() + seconds  # from this process's start: spawning takes a while
    with httpx.Client(base_url=base, timeout=30) as c:
        for _ in range(10_000_000):  # bounded; the deadline ends it
            if time.monotonic() >= deadline:
                break
            route = rng.choice(routes)
            url = url_for(route, rng, codes)
            t0 = time.perf_counter()
            try:
                r = c.get(url)
                status = r.status_code
            except httpx.HTTPError as exc:
                errors[f"{route} {type(exc).__name__}"] += 1
                continue
            lat[route].append((time.perf_counter() - t0) * 1000)
            # 404 is an answer (an explanation not written for a code); 5xx and refusals are failures.
            if status >= 500 or status in (400, 405, 422, 431):
                errors[f"{route} HTTP {status}"] += 1
    out.put((dict(lat), errors))


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def memory(pids: list[int]) -> dict[str, int]:
    """kB summed over `pids`: RSS, and from smaps_rollup the heap (Pss_Anon) and mapped files (Pss_File).
    RSS counts a page of the database once per mapping, and every thread's SQLite connection maps the
    file anew, so RSS grows as threads touch pages they share; PSS counts each page once."""
    out = {"Rss": 0, "Pss_Anon": 0, "Pss_File": 0}
    for pid in pids:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in out:
                out[key] += int(rest.split()[0])
    return out


def workers_of(pid: int) -> list[int]:
    """uvicorn's worker processes (children of its supervisor that serve requests)."""
    kids = children(pid)
    grandkids = [g for k in kids for g in children(k)]
    workers = [p for p in kids + grandkids if rss_kb(p) > 50_000]  # leave out the tiny resource tracker
    return workers or [pid]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=default_db_path())
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--warmup", type=float, default=15)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if not 1 <= args.clients <= 64 or not 1 <= args.seconds <= 3600:
        raise SystemExit("--clients must be 1..64 and --seconds 1..3600")

    codes = sample_codes(args.db, 2000, args.seed)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-c", "from medcodes.cli import app; app()", "serve", "--db", str(args.db),
         "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)],
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        start_new_session=True,
    )  # fmt: skip
    try:
        for _ in range(600):
            try:
                if httpx.get(base + "/robots.txt", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            raise SystemExit("the server did not start")
        ctx = mp.get_context("spawn")

        def run(seconds: float, seed: int):
            q = ctx.Queue()
            procs = [
                ctx.Process(target=client, args=(base, seconds, codes, seed + i, q))
                for i in range(args.clients)
            ]
            for p in procs:
                p.start()
            results = [q.get(timeout=seconds + 120) for _ in procs]
            for p in procs:
                p.join(timeout=30)
            return results

        run(args.warmup, 10_000)  # every worker opens its index, caches and connections
        workers = workers_of(server.pid)
        before = memory(workers)
        results = run(args.seconds, args.seed)
        elapsed = args.seconds  # each client runs for exactly this long
        after = memory(workers)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    lat: dict[str, list[float]] = defaultdict(list)
    errors: Counter[str] = Counter()
    for part, errs in results:
        for route, xs in part.items():
            lat[route] += xs
        errors += errs
    every = [x for xs in lat.values() for x in xs]
    print(f"{args.clients} clients, {args.seconds:.0f} s, {args.workers} workers, {args.db}")
    print(f"{'route':<13}{'requests':>10}{'p50 ms':>9}{'p99 ms':>9}")
    for route, _ in MIX:
        xs = lat.get(route, [])
        print(f"{route:<13}{len(xs):>10}{pct(xs, 50):>9.1f}{pct(xs, 99):>9.1f}")
    print(f"{'all':<13}{len(every):>10}{pct(every, 50):>9.1f}{pct(every, 99):>9.1f}")
    print(f"requests/s: {len(every) / elapsed:.0f}")
    print(f"errors: {sum(errors.values())}" + (f"  {dict(errors)}" if errors else ""))
    for field, label in (
        ("Rss", "worker RSS"),
        ("Pss_Anon", "worker heap (PSS)"),
        ("Pss_File", "mapped files (PSS)"),
    ):
        b, e = before[field], after[field]
        growth = (e - b) / b * 100 if b else float("nan")
        print(f"{label}: {b / 1024:.0f} MB -> {e / 1024:.0f} MB ({growth:+.1f}%)")
    print(f"over {len(workers)} worker process(es)")


if __name__ == "__main__":
    main()

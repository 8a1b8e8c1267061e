"""Server time for HTML pages: code pages and search pages over 1 000 random codes.

Starts a real uvicorn server (a separate process, so the client does not share its GIL) on
127.0.0.1 and times each request over one keep-alive connection. Baseline from the same run:
/robots.txt (HTTP and framework overhead with no database work).

    .venv/bin/python bench/pages.py --db data/medcodes.sqlite [--n 1000] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from medcodes.store import Store, default_db_path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def timed(client: httpx.Client, urls: list[str]) -> list[float]:
    out = []
    for url in urls:
        t0 = time.perf_counter()
        r = client.get(url)
        out.append((time.perf_counter() - t0) * 1000)
        if r.status_code not in (200, 302):
            raise SystemExit(f"{url}: HTTP {r.status_code}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=default_db_path())
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    store = Store(args.db)
    rng = random.Random(args.seed)
    leaves = store.conn.execute(
        "SELECT system, display, title FROM codes WHERE kind IN ('code', 'modifier')"
    ).fetchall()
    sample = rng.sample(leaves, min(args.n, len(leaves)))
    code_urls = [f"/codes/{s}/{quote(d, safe='.-')}" for s, d, _ in sample]
    search_urls = []
    for _, _, title in sample:
        words = [w for w in re.findall(r"[a-z]{4,}", title.lower())]
        search_urls.append(
            "/search?q=" + quote(" ".join(rng.sample(words, min(2, len(words)))) or "fracture")
        )

    port = free_port()
    env = dict(os.environ, MEDCODES_DB=str(args.db))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "medcodes.web.app:app_from_env",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30, follow_redirects=False) as client:
            for _ in range(200):
                try:
                    client.get("/robots.txt")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            # Warm up: first requests load templates, the search index and SQLite pages.
            timed(client, code_urls[:50] + search_urls[:20])
            results = {
                "baseline /robots.txt": timed(client, ["/robots.txt"] * len(code_urls)),
                "code pages": timed(client, code_urls),
                "search pages": timed(client, search_urls),
            }
    finally:
        server.terminate()
        server.wait(10)

    print(f"{len(sample)} random codes from {args.db} ({store.build_id})")
    print(f"{'route':24} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, xs in results.items():
        print(f"{name:24} {statistics.median(xs):8.2f} {pct(xs, 90):8.2f} {pct(xs, 99):8.2f} {max(xs):8.2f}")
    p50 = statistics.median(results["code pages"])
    print(f"code page p50 {'<' if p50 < 10 else '>='} 10 ms target: {'OK' if p50 < 10 else 'MISSED'}")


if __name__ == "__main__":
    main()

"""Run every benchmark script in bench/ in turn, each as one command that prints its own figures.

    python bench/run_all.py [--db data/medcodes.sqlite] [--data-dir ../shared/data] [--only search_speed,pages]

Scripts that take --db get the same database; build.py gets --data-dir. A failing script is
reported and the others still run; the exit status says whether all of them passed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def scripts() -> list[Path]:
    return sorted(
        p for p in HERE.glob("*.py") if p.name != Path(__file__).name and not p.name.startswith("_")
    )


def command(script: Path, db: Path, data_dir: Path) -> list[str]:
    text = script.read_text(encoding="utf-8")
    cmd = [sys.executable, str(script)]
    if '"--db"' in text:
        cmd += ["--db", str(db)]
    if '"--data-dir"' in text:
        cmd += ["--data-dir", str(data_dir)]
    return cmd


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=Path(os.environ.get("MEDCODES_DB", "data/medcodes.sqlite")))
    ap.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--only", default="", help="comma-separated script names (without .py)")
    args = ap.parse_args()
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    env = dict(os.environ, MEDCODES_DB=str(args.db))
    results: list[tuple[str, int, float]] = []
    for script in scripts():
        if only and script.stem not in only:
            continue
        cmd = command(script, args.db, args.data_dir)
        print(f"\n=== {script.name}: {' '.join(cmd[1:])}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call(cmd, cwd=REPO, env=env)
        results.append((script.name, rc, time.perf_counter() - t0))
    print("\n=== summary")
    for name, rc, seconds in results:
        print(f"{name:24} {'ok' if rc == 0 else f'FAILED ({rc})':12} {seconds:8.1f} s")
    return 0 if all(rc == 0 for _, rc, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Build time and database size, per system and for a full build.

    python bench/build.py [--data-dir ../shared/data] [--repeat 3]

For each system: the median time to read its release (the baseline: parsing alone), the median
time to import it into a fresh database (no post-build steps), their ratio, and the size of that
one-system database. Then one full build with every post-build step (search index, similar codes),
its total time and size. The issue's target: a full build under 60 s on this 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from medcodes import codesets, pipeline
from medcodes.store import build as store_build

REPO = Path(__file__).resolve().parents[1]


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _folder_size(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.rglob("*") if p.is_file())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--repeat", type=int, default=3, help="runs per system (median reported)")
    args = ap.parse_args()
    if not args.data_dir.is_dir():
        print(f"no data folder at {args.data_dir}", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    sources = codesets.choose(args.data_dir)
    select_s = time.perf_counter() - t0
    print(f"select: {select_s:.2f} s to find and choose the releases in {args.data_dir}\n")
    print(f"{'system':9} {'records':>8} {'read s':>8} {'import s':>9} {'ratio':>6} {'db MB':>7}")
    for source in sources:
        reads, imports, size, count = [], [], 0, 0
        for _ in range(args.repeat):
            reads.append(_timed(lambda s=source: sum(1 for _ in codesets.read(s))))
            with tempfile.TemporaryDirectory() as tmp:
                db = Path(tmp) / "m.sqlite"
                t = time.perf_counter()
                report = store_build.build(db, [source], codesets.read, steps=[])
                imports.append(time.perf_counter() - t)
                size, count = db.stat().st_size, report.systems[0].count
        r, i = statistics.median(reads), statistics.median(imports)
        print(f"{source.system:9} {count:>8,} {r:>8.2f} {i:>9.2f} {i / r:>5.2f}x {size / 1e6:>7.1f}")

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "m.sqlite"
        t = time.perf_counter()
        report = pipeline.build(db, codesets.choose(args.data_dir), codesets.read, data_dir=args.data_dir)
        total = time.perf_counter() - t
        print(
            f"\nfull build (select + import + steps): {total + select_s:.1f} s, "
            f"database {report.size_bytes / 1e6:.0f} MB, data folder {_folder_size(db) / 1e6:.0f} MB"
        )
        for name, seconds in report.steps.items():
            print(f"  step {name:8} {seconds:6.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

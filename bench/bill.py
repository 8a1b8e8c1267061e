"""Bill explainer speed: a 200-line bill (built from the sample bills' service lines, spread over ten
dates, plus their diagnoses) parsed and explained, in-process.

    .venv/bin/python bench/bill.py [--db PATH] [--runs 50] [--locality 13202-01] [--json]

Prints, from the same run: parsing alone (the baseline), the whole explanation with the per-database
caches warm (the steady state of a running server: a bill's codes have been seen before), and the
whole explanation with those caches emptied before every run (codes never seen by this process).
Target: the warm median <= 100 ms.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import time
from pathlib import Path

from medcodes.bill import parse
from medcodes.bill_document import explain_bill
from medcodes.store import Store, default_db_path

BILLS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "bill"


def bill_text(lines: int = 200) -> str:
    """A long itemized statement: every sample service line, on dates from 03/01 to 03/10, until
    `lines` service lines, then one diagnosis list."""
    rows, dx = [], []
    for path in sorted(BILLS.glob("*.txt")):
        for b in parse(path.read_text()).lines:
            if b.kind == "service":
                rows.append((b.raw, " ".join(b.modifiers), b.units))
            else:
                dx.append(b.raw)
    out = ["GENERAL HOSPITAL  ITEMIZED STATEMENT   Account 5512093   Page 1 of 9", ""]
    out.append("DATE        REV   CODE     MOD     DESCRIPTION                     QTY      CHARGE")
    i = 0
    while len(out) - 3 < lines:
        code, mods, units = rows[i % len(rows)]
        day = 1 + (i // len(rows)) % 10
        out.append(
            f"03/{day:02d}/2026  0300  {code:<7}  {mods:<6}  Service line {i:<18}  {units:>3}  ${12.5 * units:,.2f}"
        )
        i += 1
    out += ["", "Diagnosis codes: " + ", ".join(dict.fromkeys(dx))]
    return "\n".join(out) + "\n"


def _pct(ms: list[float], q: float) -> float:
    ms = sorted(ms)
    return round(ms[min(len(ms) - 1, int(len(ms) * q))], 2)


def _time(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, default=Path(os.environ.get("MEDCODES_DB") or default_db_path()))
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--locality", default="13202-01")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    store = Store(a.db)
    text = bill_text()
    parsed = parse(text)
    services = len(parsed.services)
    first0 = time.perf_counter()
    explain_bill(store, text, locality=a.locality)  # loads the explanation profiles once per process
    first = (time.perf_counter() - first0) * 1000

    parse_ms = _time(lambda: parse(text), a.runs)
    warm = _time(lambda: explain_bill(store, text, locality=a.locality), a.runs)

    def cold() -> None:
        store.__dict__.pop("_bill_caches", None)
        explain_bill(store, text, locality=a.locality)

    cold_ms = _time(cold, max(5, a.runs // 5))
    doc = explain_bill(store, text, locality=a.locality)
    result = {
        "service_lines": services,
        "distinct_codes": len({(b.code) for b in parsed.lines}),
        "lines_explained": len(doc.lines),
        "first_call_ms": round(first, 1),
        "parse_only": {"median_ms": round(statistics.median(parse_ms), 2), "p99_ms": _pct(parse_ms, 0.99)},
        "explain_warm": {"median_ms": round(statistics.median(warm), 2), "p99_ms": _pct(warm, 0.99)},
        "explain_cold_caches": {
            "median_ms": round(statistics.median(cold_ms), 2),
            "p99_ms": _pct(cold_ms, 0.99),
        },
        "target_median_ms": 100,
    }
    result["pass"] = result["explain_warm"]["median_ms"] <= 100
    if a.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"bill: {services} service lines, {result['distinct_codes']} distinct codes, {len(doc.lines)} lines explained"
    )
    print(
        f"  parse only (baseline)     median {result['parse_only']['median_ms']:8.2f} ms   p99 {result['parse_only']['p99_ms']:8.2f} ms"
    )
    print(
        f"  parse + explain (warm)    median {result['explain_warm']['median_ms']:8.2f} ms   p99 {result['explain_warm']['p99_ms']:8.2f} ms"
    )
    print(
        f"  parse + explain (cold)    median {result['explain_cold_caches']['median_ms']:8.2f} ms   p99 {result['explain_cold_caches']['p99_ms']:8.2f} ms"
    )
    print(f"  first call in the process {first:8.1f} ms (loads the explanation profiles)")
    print(f"  target: warm median <= 100 ms: {'PASS' if result['pass'] else 'FAIL'}")


if __name__ == "__main__":
    main()

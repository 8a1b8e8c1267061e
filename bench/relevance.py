"""Relevance of search() on the project's relevance set (bench/queries.tsv).

Prints hit@1, hit@10 and MRR per kind of query, separately for the project's own
rows ("original") and the held-out rows ("holdout": 4th column, written before
tuning and never tuned on), an overall line per set, and optionally the misses.
Usage: python bench/relevance.py [--db PATH] [--set holdout|original|all] [--misses]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from medcodes.search import search
from medcodes.store import Store, default_db_path

HERE = Path(__file__).resolve().parent
SETS = ("original", "holdout")
KIND_ORDER = (
    "code", "prefix", "range", "mixed", "clinical", "lay", "typo",
    "service", "brand", "equipment", "syntax", "paste",
)


@dataclass(frozen=True)
class Row:
    kind: str
    query: str
    answers: list[str]
    set: str  # "original" or "holdout"


def load(path: Path) -> list[Row]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) not in (3, 4):
            raise SystemExit(f"{path}:{n}: expected 3 or 4 tab-separated columns, got {len(parts)}")
        kind, query, answers = parts[:3]
        which = (parts[3].strip() if len(parts) == 4 else "") or "original"
        if which not in SETS:
            raise SystemExit(f"{path}:{n}: unknown set {which!r} (expected blank or 'holdout')")
        rows.append(Row(kind, query, [a.strip() for a in answers.split(",") if a.strip()], which))
    return rows


def matches(hit, answer: str) -> bool:
    system, _, code = answer.rpartition(":")
    if system and hit.system != system:
        return False
    if code.endswith("*"):
        return hit.display.startswith(code[:-1])
    return hit.display == code


def rank_of(hits, answers: list[str]) -> int | None:
    for i, hit in enumerate(hits, 1):
        if any(matches(hit, a) for a in answers):
            return i
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--queries", type=Path, default=HERE / "queries.tsv")
    ap.add_argument("--set", dest="which", choices=("holdout", "original", "all"), default="all",
                    help="Which rows to score (default: all, reported per set).")
    ap.add_argument("--misses", action="store_true", help="Print every query not at rank 1.")
    args = ap.parse_args()
    store = Store(args.db or default_db_path())
    rows = [r for r in load(args.queries) if args.which == "all" or r.set == args.which]
    ranks: dict[str, dict[str, list[int | None]]] = {s: defaultdict(list) for s in SETS}
    misses = []
    for row in rows:
        res = search(store, row.query, limit=10)
        r = rank_of(res.results, row.answers)
        ranks[row.set][row.kind].append(r)
        if r != 1:
            top = ", ".join(f"{h.system}:{h.display}" for h in res.results[:3])
            misses.append(f"  {row.set:8} {row.kind:9} {row.query!r:42} rank={r} top: {top}")
    everything: list[int | None] = []
    for which in SETS:
        per_kind = ranks[which]
        if not per_kind:
            continue
        print(f"\n[{which}]")
        print(f"{'kind':10}{'n':>5}{'hit@1':>8}{'hit@10':>8}{'MRR':>8}")
        in_set: list[int | None] = []
        kinds = [k for k in KIND_ORDER if k in per_kind] + sorted(k for k in per_kind if k not in KIND_ORDER)
        for kind in kinds:
            in_set += per_kind[kind]
            _line(kind, per_kind[kind])
        _line("all", in_set)
        everything += in_set
    if args.which == "all" and sum(1 for s in SETS if ranks[s]) > 1:
        print()
        _line("both sets", everything)
    if args.misses:
        print("\nnot at rank 1:")
        print("\n".join(misses))
    return 0


def _line(kind: str, ranks: list[int | None]) -> None:
    n = len(ranks)
    h1 = sum(r == 1 for r in ranks) / n
    h10 = sum(r is not None and r <= 10 for r in ranks) / n
    mrr = sum(1 / r for r in ranks if r) / n
    print(f"{kind:10}{n:>5}{h1:>8.3f}{h10:>8.3f}{mrr:>8.3f}")


if __name__ == "__main__":
    sys.exit(main())

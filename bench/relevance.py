"""Relevance of search() on the project's own query set (bench/queries.tsv).

Prints hit@1, hit@10 and MRR per kind of query, and the misses.
Usage: python bench/relevance.py [--db PATH] [--misses]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

from medcodes.search import search
from medcodes.store import Store, default_db_path

HERE = Path(__file__).resolve().parent


def load(path: Path) -> list[tuple[str, str, list[str]]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, query, answers = line.split("\t")
        rows.append((kind, query, [a.strip() for a in answers.split(",") if a.strip()]))
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
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--queries", type=Path, default=HERE / "queries.tsv")
    ap.add_argument("--misses", action="store_true", help="Print every query not at rank 1.")
    args = ap.parse_args()
    store = Store(args.db or default_db_path())
    rows = load(args.queries)
    per_kind: dict[str, list[int | None]] = defaultdict(list)
    misses = []
    for kind, query, answers in rows:
        res = search(store, query, limit=10)
        r = rank_of(res.results, answers)
        per_kind[kind].append(r)
        if r != 1:
            top = ", ".join(f"{h.system}:{h.display}" for h in res.results[:3])
            misses.append(f"  {kind:8} {query!r:38} rank={r} top: {top}")
    print(f"{'kind':10}{'n':>5}{'hit@1':>8}{'hit@10':>8}{'MRR':>8}")
    everything: list[int | None] = []
    for kind in ("code", "prefix", "range", "mixed", "clinical", "lay", "typo"):
        ranks = per_kind.get(kind, [])
        if not ranks:
            continue
        everything += ranks
        _line(kind, ranks)
    _line("all", everything)
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

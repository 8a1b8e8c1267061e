"""Similar codes: build time for every code, and quality on a hand-labelled set.

    .venv/bin/python bench/similar.py [--db PATH] [--runs 3] [--semantic auto|on|off]

Build time: `compute()` over all leaf codes, median of --runs, beside a baseline measured in the
same run (siblings only: the codes under the same parent, nearest in release order first).

Quality on bench/similar_labels.tsv (codes and their acceptable similar codes, labelled by hand):
precision@5, recall@10 (of the acceptable codes, capped at 10) and MRR, per system and overall,
for the baseline, the lexical ranking, and lexical + semantic when medcodes[semantic] is installed.
For the semantic figure only the branches of the labelled codes (and their candidates) are
embedded, which gives those codes exactly the lists a full semantic build would; embedding speed
is measured and the time for every code projected from it.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from medcodes.codes import canonical
from medcodes.similar import semantic as sem
from medcodes.similar.build import TOP_K, Node, SimilarReport, compute, is_leaf, load_nodes

HERE = Path(__file__).resolve().parent
SYSTEMS = ("cpt", "hcpcs", "icd10cm", "icd10pcs")


# ---------------------------------------------------------------- labels


class Acceptable:
    """Codes, ranges LOW-HIGH and prefixes P*, each optionally `system:`-qualified."""

    def __init__(self, system: str, spec: str):
        self.exact: set[tuple[str, str]] = set()
        self.ranges: list[tuple[str, str, str]] = []
        self.prefixes: list[tuple[str, str]] = []
        for item in spec.split():
            sys_, _, pat = item.rpartition(":")
            sys_ = sys_ or system
            if sys_ not in SYSTEMS:
                raise ValueError(f"unknown system in {item!r}")
            if pat.endswith("*"):
                self.prefixes.append((sys_, canonical(pat[:-1])))
            elif "-" in pat:
                lo, hi = (canonical(p) for p in pat.split("-"))
                self.ranges.append((sys_, lo, hi))
            else:
                self.exact.add((sys_, canonical(pat)))

    def __contains__(self, key: tuple[str, str]) -> bool:
        system, code = key
        if key in self.exact:
            return True
        if any(s == system and code.startswith(p) for s, p in self.prefixes):
            return True
        return any(s == system and len(code) == len(lo) and lo <= code <= hi for s, lo, hi in self.ranges)


def load_labels(path: Path) -> list[tuple[str, str, Acceptable]]:
    out = []
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("system\t"):
            continue
        system, code, spec = line.split("\t")
        out.append((system, canonical(code), Acceptable(system, spec)))
    return out


# ---------------------------------------------------------------- rankings


def siblings_only(nodes: list[Node]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """The baseline: every leaf's siblings under the same parent, nearest in release order first."""
    by_parent: dict[tuple[str, str | None], list[Node]] = defaultdict(list)
    for n in nodes:
        if is_leaf(n):
            by_parent[(n.system, n.parent)].append(n)
    out = {}
    for members in by_parent.values():
        sorts = np.array([m.sort for m in members])
        for a, n in enumerate(members):
            order = np.argsort(np.abs(sorts - n.sort), kind="stable")[: TOP_K + 1]
            out[(n.system, n.code)] = [(members[j].system, members[j].code) for j in order if j != a][:TOP_K]
    return out


def from_rows(rows) -> dict[tuple[str, str], list[tuple[str, str]]]:
    return {(s, c): [(x[0], x[1]) for x in json.loads(items)] for s, c, items in rows}


def median_time(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


# ---------------------------------------------------------------- quality


def acceptable_counts(labels, universe) -> list[int]:
    """How many leaf codes each label accepts (the recall denominator, before the cap)."""
    return [sum(1 for key in universe if key != (s, c) and key in ok) for s, c, ok in labels]


def scores(lists, labels, n_ok) -> dict[str, tuple[float, float, float]]:
    per: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for (system, code, ok), n in zip(labels, n_ok, strict=True):
        hits = [key in ok for key in lists.get((system, code), [])[:TOP_K]]
        p5 = sum(hits[:5]) / 5
        r10 = sum(hits) / min(max(n, 1), TOP_K)
        rr = next((1 / (r + 1) for r, h in enumerate(hits) if h), 0.0)
        per[system].append((p5, r10, rr))
        per["all"].append((p5, r10, rr))
    return {k: tuple(float(np.mean([v[i] for v in vals])) for i in range(3)) for k, vals in per.items()}


def check_labels(labels, universe) -> None:
    for system, code, ok in labels:
        if (system, code) not in universe:
            print(f"warning: labelled code {system} {code} is not a leaf in this database", file=sys.stderr)
        for s, c in ok.exact:
            if (s, c) not in universe:
                print(f"warning: {system} {code}: acceptable {s}:{c} is not a leaf here", file=sys.stderr)


# ---------------------------------------------------------------- semantic


def scoped_vectors(labels, lexical, cache: sem.VectorCache, stats: dict):
    """A `semantic` callable for compute(): vectors for the labelled codes' branches and candidates."""
    from medcodes.similar.build import _groups as groups_of

    def vectors(leaves: list[Node]) -> np.ndarray:
        index = {(n.system, n.code): i for i, n in enumerate(leaves)}
        parent_of = {(n.system, n.code): n.parent for n in nodes_cache}
        labelled = {index[(s, c)] for s, c, _ in labels if (s, c) in index}
        scope = set(labelled)
        for members in groups_of(leaves, parent_of):
            if labelled.intersection(members):
                scope.update(members)
        for i in labelled:
            scope.update(index[k] for k in lexical.get((leaves[i].system, leaves[i].code), []) if k in index)
        scope_list = sorted(scope)
        titles = [leaves[i].title for i in scope_list]
        before = len(cache.vectors)
        t = time.perf_counter()
        vecs = sem.embed(titles, sem.lazy_encoder(), cache, progress=sys.stderr.isatty())
        stats["embed_seconds"] = time.perf_counter() - t
        stats["embedded"] = len(cache.vectors) - before
        stats["scope"] = len(scope_list)
        full = np.zeros((len(leaves), vecs.shape[1]), dtype=np.float32)
        full[scope_list] = vecs
        return full

    return vectors


nodes_cache: list[Node] = []


def throughput(titles: list[str], n: int = 256) -> float:
    """Titles per second of the bundled model on this machine: real titles, encoded afresh."""
    sample = titles[:: max(1, len(titles) // n)][:n]
    encode = sem.load_encoder()
    encode(sample[:8])  # first call pays for lazy initialisation
    t = time.perf_counter()
    encode(sample)
    return len(sample) / (time.perf_counter() - t)


# ---------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=Path(os.environ.get("MEDCODES_DB", "data/medcodes.sqlite")))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--labels", type=Path, default=HERE / "similar_labels.tsv")
    ap.add_argument("--semantic", choices=("auto", "on", "off"), default="auto")
    args = ap.parse_args()
    if not args.db.exists():
        sys.exit(f"{args.db}: no database (build one with `medcodes build`, or pass --db)")
    os.environ.pop("MEDCODES_SEMANTIC", None)  # the lexical timing must be lexical
    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    nodes = load_nodes(conn)
    nodes_cache.extend(nodes)
    universe = [(n.system, n.code) for n in nodes if is_leaf(n)]
    labels = load_labels(args.labels)
    check_labels(labels, set(universe))
    counts = {s: sum(1 for x in labels if x[0] == s) for s in SYSTEMS}
    print(f"database {args.db.name}: {len(universe):,} leaf codes; labelled set {len(labels)} codes {counts}")

    t_base, base = median_time(lambda: siblings_only(load_nodes(conn)), args.runs)
    t_lex, rows = median_time(lambda: compute(conn), args.runs)
    lexical = from_rows(rows)
    print(f"\nbuild time, all {len(universe):,} codes, median of {args.runs}:")
    print(f"  baseline (siblings only)  {t_base:7.2f} s  {len(universe) / t_base:9,.0f} codes/s")
    print(
        f"  lexical (compute)         {t_lex:7.2f} s  {len(universe) / t_lex:9,.0f} codes/s"
        f"  ({t_lex / t_base:.1f}x the baseline)"
    )

    n_ok = acceptable_counts(labels, universe)
    results = {"baseline (siblings)": scores(base, labels, n_ok), "lexical": scores(lexical, labels, n_ok)}
    use_sem = args.semantic == "on" or (args.semantic == "auto" and sem.available())
    if args.semantic == "on" and not sem.available():
        sys.exit("--semantic on: medcodes[semantic] is not installed")
    if use_sem:
        stats: dict = {}
        cache = sem.VectorCache(sem.cache_path_for(conn))
        report = SimilarReport()
        t = time.perf_counter()
        sem_rows = compute(conn, report, semantic=scoped_vectors(labels, lexical, cache, stats))
        t_sem = time.perf_counter() - t - report.seconds["embed"]
        results["lexical + semantic"] = scores(from_rows(sem_rows), labels, n_ok)
        rate = throughput([n.title for n in nodes if is_leaf(n)])
        print(
            f"  lexical + semantic        {t_sem:7.2f} s  {len(universe) / t_sem:9,.0f} codes/s  (1 run, "
            f"blending {report.seconds['semantic']:.2f} s; embeddings from the cache)"
        )
        print(
            f"  embedding: {rate:,.0f} titles/s on this machine ({os.cpu_count()} cores); all "
            f"{len(universe):,} titles once: ~{len(universe) / rate / 60:,.0f} min, then cached. "
            f"Here {stats['scope']:,} titles (the labelled codes' branches), {stats['embedded']:,} new."
        )
    else:
        print("  lexical + semantic        not measured: medcodes[semantic] is not installed")

    cols = (*SYSTEMS, "all")
    print(f"\nquality on {len(labels)} labelled codes: P@5 / R@10 / MRR")
    print(f"  {'ranking':22}" + "".join(f"{c + ' (' + str(counts.get(c, len(labels))) + ')':>20}" for c in cols))
    for name, res in results.items():
        print(f"  {name:22}" + "".join(f"{res[c][0]:8.2f}{res[c][1]:6.2f}{res[c][2]:6.2f}" for c in cols))
    base_all, lex_all = results["baseline (siblings)"]["all"], results["lexical"]["all"]
    print(
        f"\n  lexical vs baseline, all: P@5 {lex_all[0] / max(base_all[0], 1e-9):.2f}x, "
        f"R@10 {lex_all[1] / max(base_all[1], 1e-9):.2f}x, MRR {lex_all[2] / max(base_all[2], 1e-9):.2f}x"
    )
    if "lexical + semantic" in results:
        s_all = results["lexical + semantic"]["all"]
        print(
            f"  semantic vs lexical, all: P@5 {s_all[0] - lex_all[0]:+.3f}, "
            f"R@10 {s_all[1] - lex_all[1]:+.3f}, MRR {s_all[2] - lex_all[2]:+.3f}"
        )


if __name__ == "__main__":
    main()

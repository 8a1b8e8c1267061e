"""Precision and recall of policy code extraction against the hand-labelled sample in bench/policy_labels/.

Each label file names a document under ../shared/data (read at run time, never copied) and lists the code
mentions found by reading it: system, code or range as written, line or page, and optionally the
disposition. Items are compared per document as sets of (system, code-or-range). Labelled codes that are
not in the database are reported apart: the extractor must reject them by design.

    .venv/bin/python bench/policy_extraction.py [--db data/medcodes.sqlite] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from medcodes.codes import canonical
from medcodes.policies import disposition, documents
from medcodes.policies.codeindex import CodeIndex
from medcodes.policies.extract import Extractor
from medcodes.policies.ingest import links_from_mentions

REPO = Path(__file__).resolve().parents[1]
LABELS = REPO / "bench" / "policy_labels"
SHARED = Path(os.environ.get("MEDCODES_SHARED_DATA", REPO.parent / "shared" / "data"))


def read_labels(path: Path) -> tuple[str, list[tuple[str, str, str | None]]]:
    lines = path.read_text().splitlines()
    doc = lines[0].lstrip("# ").strip()
    items = []
    for line in lines[1:]:
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        system, code = parts[0], canonical(parts[1])
        disp = parts[3].strip() if len(parts) > 3 and parts[3].strip() else None
        items.append((system, code, disp))
    return doc, items


def in_db(index: CodeIndex, system: str, code: str) -> bool:
    if "-" in code:
        lo, hi = code.split("-", 1)
        return bool(index.expand(system, lo, hi))
    return index.exists(system, code)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=os.environ.get("MEDCODES_DB", "data/medcodes.sqlite"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--verbose", action="store_true", help="list every miss and false positive")
    args = ap.parse_args()
    if not Path(args.db).exists():
        print(f"no database at {args.db}; run `medcodes build` first", file=sys.stderr)
        return 2
    index = CodeIndex.from_conn(sqlite3.connect(f"file:{args.db}?mode=ro", uri=True))
    extractor = Extractor(index)
    tp = fp = fn = not_in_db = 0
    disp_total = disp_ok = 0
    pages_total = 0
    load_times, extract_times = [], []
    problems = []
    files = sorted(LABELS.glob("*.tsv"))
    for label_file in files:
        doc_name, items = read_labels(label_file)
        path = SHARED / doc_name
        gold_all = {(s, c) for s, c, _ in items}
        gold = {g for g in gold_all if in_db(index, *g)}
        not_in_db += len(gold_all - gold)
        loads, runs = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            doc = documents.load(path)
            t1 = time.perf_counter()
            mentions = extractor.extract(doc.pages)
            disposition.assign(doc.pages, mentions)
            t2 = time.perf_counter()
            loads.append(t1 - t0)
            runs.append(t2 - t1)
        pages = len(doc.pages) if doc.kind == "pdf" else max(p.number or 1 for p in doc.pages)
        pages_total += pages
        load_times.append(statistics.median(loads))
        extract_times.append(statistics.median(runs))
        predicted = {(m.system, m.code) for m in mentions}
        tp += len(predicted & gold)
        fp += len(predicted - gold)
        fn += len(gold - predicted)
        for item in sorted(gold - predicted):
            problems.append(f"  miss  {doc_name.rsplit('/', 1)[-1][:50]}: {item}")
        for item in sorted(predicted - gold):
            problems.append(f"  false {doc_name.rsplit('/', 1)[-1][:50]}: {item}")
        links = links_from_mentions(mentions)
        for system, code, want in items:
            if want is None or (system, code) not in gold:
                continue
            codes = index.expand(system, *code.split("-", 1)) if "-" in code else [code]
            got = {ln.disposition for ln in links if ln.system == system and ln.code in codes}
            disp_total += 1
            disp_ok += want in got
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    print(f"documents: {len(files)}   labelled mentions in the database: {tp + fn}   "
          f"labelled but not in the database (must be rejected): {not_in_db}")
    print(f"precision: {precision:.3f}   recall: {recall:.3f}   (tp {tp}, fp {fp}, fn {fn})")
    if disp_total:
        print(f"disposition accuracy: {disp_ok / disp_total:.3f} ({disp_ok}/{disp_total} labelled)")
    load_s, ext_s = sum(load_times), sum(extract_times)
    print(f"pages: {pages_total}   extraction+disposition: {pages_total / ext_s:,.0f} pages/s "
          f"(median of {args.repeat} runs per document)   baseline, reading the documents alone: "
          f"{pages_total / load_s:,.0f} pages/s")
    if problems and (args.verbose or len(problems) <= 40):
        print("\n".join(problems))
    elif problems:
        print(f"{len(problems)} misses/false positives; --verbose lists them")
    return 0


if __name__ == "__main__":
    sys.exit(main())

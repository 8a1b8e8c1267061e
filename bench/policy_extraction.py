"""Precision and recall of policy code extraction against the hand-labelled sample in bench/policy_labels/.

Each label file names a document under ../shared/data (read at run time, never copied) and lists the code
mentions found by reading it: system, code or range as written, line or page, and optionally the
disposition. Items are compared per document as sets of (system, code-or-range). Labelled codes that are
not in the database are reported apart: the extractor must reject them by design. `metadata.tsv` holds the
payer, title, number and effective date of every labelled document; the bench reports the share of documents
with all four right.

    .venv/bin/python bench/policy_extraction.py [--db data/medcodes.sqlite] [--repeat 3] [--labels DIR]

bench/policy_labels/heldout/ holds documents labelled after the rules were tuned and never tuned on: run the bench
with `--labels bench/policy_labels/heldout` to check that the figures carry over to unseen documents.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from medcodes.codes import canonical
from medcodes.policies import disposition, docmeta, documents
from medcodes.policies import metadata as md
from medcodes.policies.codeindex import CodeIndex
from medcodes.policies.extract import Extractor

REPO = Path(__file__).resolve().parents[1]
LABELS = REPO / "bench" / "policy_labels"
SHARED = Path(os.environ.get("MEDCODES_SHARED_DATA", REPO.parent / "shared" / "data"))


def read_labels(path: Path) -> tuple[str, list[tuple[str, str, str | None]]]:
    doc, items = read_label_rows(path)
    return doc, [(s, c, d) for s, c, _, d in items]


def read_label_rows(path: Path) -> tuple[str, list[tuple[str, str, int, str | None]]]:
    """(document, [(system, code, line or page, disposition)]) in file order."""
    lines = path.read_text().splitlines()
    doc = lines[0].lstrip("# ").strip()
    items = []
    for line in lines[1:]:
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        system, code = parts[0], canonical(parts[1])
        pos = int(parts[2]) if len(parts) > 2 and parts[2].strip().isdigit() else 0
        disp = parts[3].strip() if len(parts) > 3 and parts[3].strip() else None
        items.append((system, code, pos, disp))
    return doc, items


def align(gold: list[tuple[int, str]], predicted: list[tuple[int, str]]) -> list[tuple[str, str | None]]:
    """Pair the labelled mentions of one code with the extracted ones, as (wanted, got).

    Label line numbers come from the raw file and drift a few lines from the loader's numbering (page
    markers), so equal counts pair in document order; otherwise each label takes the nearest mention."""
    gold, predicted = sorted(gold), sorted(predicted)
    if len(gold) == len(predicted):
        return [(w, g) for (_, w), (_, g) in zip(gold, predicted, strict=True)]
    out = []
    free = list(predicted)  # each extracted mention answers one label at most
    for pos, want in gold:
        near = min(free, key=lambda p: abs(p[0] - pos), default=None)
        if near is not None:
            free.remove(near)
        out.append((want, near[1] if near else None))
    return out


def in_db(index: CodeIndex, system: str, code: str) -> bool:
    if "-" in code:
        lo, hi = code.split("-", 1)
        return bool(index.expand(system, lo, hi))
    return index.exists(system, code)


def report_dispositions(confusion: dict[tuple[str, str], int], unextracted: int, errors: list[str]) -> None:
    total = sum(confusion.values())
    if not total:
        return
    ok = sum(n for (w, g), n in confusion.items() if w == g)
    print(
        f"disposition accuracy: {ok / total:.3f} ({ok}/{total} labelled mentions; "
        f"{unextracted} labelled mentions not extracted, left out)"
    )
    for cls in disposition.DISPOSITIONS:
        tp = confusion.get((cls, cls), 0)
        pred = sum(n for (_, g), n in confusion.items() if g == cls)
        gold = sum(n for (w, _), n in confusion.items() if w == cls)
        p = f"{tp / pred:.3f}" if pred else "  -  "
        r = f"{tp / gold:.3f}" if gold else "  -  "
        print(f"  {cls:<24} precision {p}  recall {r}  (labelled {gold}, predicted {pred})")
    if errors:
        print("\n".join(errors))


META_FIELDS = ("payer", "title", "number", "effective_date")


def _norm(value: str | None) -> str:
    """Compare metadata the way a person would: case, spacing, quotes and dash variants do not matter."""
    s = (value or "").strip().lower()
    s = re.sub(r"[\u2010-\u2015\u2212]", "-", s)
    s = re.sub(r"[\u2018\u2019\u201c\u201d\"']", "", s)
    return re.sub(r"\s+", " ", s).strip(" .:")


def read_metadata_labels(labels_dir: Path = LABELS) -> dict[str, dict[str, str]]:
    out = {}
    for line in (labels_dir / "metadata.tsv").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = (line.split("\t") + [""] * 5)[:5]
        out[parts[0]] = dict(zip(META_FIELDS, parts[1:], strict=True))
    return out


def report_metadata(verbose: bool, labels_dir: Path = LABELS) -> None:
    """Share of documents whose payer, title, number and effective date are all right."""
    labels = read_metadata_labels(labels_dir)
    # As `medcodes policies ingest` does: a manifest beside the documents (INDEX.csv) is read first.
    manifests = {}
    for m in sorted((SHARED / "policies").rglob("*")):
        if m.name in md.MANIFEST_NAMES:
            manifests.update(md.load_manifest(m).entries)
    right = {f: 0 for f in META_FIELDS}
    all_right = 0
    errors = []
    for doc_name, want in sorted(labels.items()):
        path = SHARED / doc_name
        got = docmeta.resolve(documents.load(path), path, manifests.get(str(path.resolve())))
        ok = True
        for f in META_FIELDS:
            g = getattr(got, f)
            if _norm(g) == _norm(want[f]):
                right[f] += 1
            else:
                ok = False
                errors.append(f"  {doc_name.rsplit('/', 1)[-1][:40]} {f}: want {want[f]!r}, got {g!r}")
        all_right += ok
    n = len(labels)
    fields = "  ".join(f"{f} {right[f]}/{n}" for f in META_FIELDS)
    print(f"metadata accuracy (all four fields right): {all_right / n:.3f} ({all_right}/{n})   {fields}")
    if verbose:
        print("\n".join(errors))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=os.environ.get("MEDCODES_DB", "data/medcodes.sqlite"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--verbose", action="store_true", help="list every miss and false positive")
    ap.add_argument(
        "--labels",
        type=Path,
        default=LABELS,
        help="folder of label files and metadata.tsv (bench/policy_labels/heldout is the held-out set, never tuned on)",
    )
    args = ap.parse_args()
    if not Path(args.db).exists():
        print(f"no database at {args.db}; run `medcodes build` first", file=sys.stderr)
        return 2
    index = CodeIndex.from_conn(sqlite3.connect(f"file:{args.db}?mode=ro", uri=True))
    extractor = Extractor(index)
    tp = fp = fn = not_in_db = 0
    confusion: dict[tuple[str, str], int] = {}
    disp_unextracted = 0
    disp_errors: list[str] = []
    pages_total = 0
    load_times, extract_times = [], []
    problems = []
    files = sorted(f for f in args.labels.glob("*.tsv") if f.name != "metadata.tsv")
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
        # Disposition, per mention: each labelled mention against the extracted mention of the same
        # code at the same place (page for PDFs labelled by page, line otherwise).
        by_page = "\tpage\t" in label_file.read_text().split("\n", 2)[1]
        _, rows = read_label_rows(label_file)
        wanted: dict[tuple[str, str], list[tuple[int, str]]] = {}
        for system, code, pos, want in rows:
            if want is not None and (system, code) in gold:
                wanted.setdefault((system, code), []).append((pos, want))
        got_by_code: dict[tuple[str, str], list[tuple[int, str]]] = {}
        for m in mentions:
            got_by_code.setdefault((m.system, m.code), []).append(((m.page or 0) if by_page else m.line, m))
        for key, want_list in wanted.items():
            pairs = align(want_list, [(p, m.disposition) for p, m in got_by_code.get(key, [])])
            evidence = {m.disposition: m.evidence for _, m in got_by_code.get(key, [])}
            for want, got in pairs:
                if got is None:
                    disp_unextracted += 1
                    continue
                confusion[(want, got)] = confusion.get((want, got), 0) + 1
                if want != got:
                    disp_errors.append(
                        f"  {doc_name.rsplit('/', 1)[-1][:40]} {key[1]}: want {want}, got {got}"
                        f" ({evidence.get(got)})"
                    )
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    print(
        f"documents: {len(files)}   labelled mentions in the database: {tp + fn}   "
        f"labelled but not in the database (must be rejected): {not_in_db}"
    )
    print(f"precision: {precision:.3f}   recall: {recall:.3f}   (tp {tp}, fp {fp}, fn {fn})")
    report_dispositions(confusion, disp_unextracted, disp_errors if args.verbose else [])
    report_metadata(args.verbose, args.labels)
    load_s, ext_s = sum(load_times), sum(extract_times)
    print(
        f"pages: {pages_total}   extraction+disposition: {pages_total / ext_s:,.0f} pages/s "
        f"(median of {args.repeat} runs per document)   baseline, reading the documents alone: "
        f"{pages_total / load_s:,.0f} pages/s"
    )
    if problems and (args.verbose or len(problems) <= 40):
        print("\n".join(problems))
    elif problems:
        print(f"{len(problems)} misses/false positives; --verbose lists them")
    return 0


if __name__ == "__main__":
    sys.exit(main())

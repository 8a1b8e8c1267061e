"""Readable names: how many page headings still hold an abbreviation, how many codes have a common
name, and how many sibling groups share one heading.

    PYTHONPATH=src .venv/bin/python bench/names.py [--db PATH] [--show 15]

Per system, over codes (kind code/modifier):
- headings with an unknown token: titles holding a token that is neither in the abbreviation
  lexicon nor a real word (words of the ICD-10-CM, ICD-10-PCS and HCPCS long titles and of CPT long
  descriptors in the same database, plus the project's word list); target 0;
- common names: codes whose `common_name` column is filled (0 when the database has no such column);
- shared headings: groups of two or more codes under the same parent with the same title; target 0;
- CMS only: CPT/HCPCS codes whose heading can only be the CMS short descriptor as released (no
  common name, and nothing in it was expanded): pages show it with a note;
- shared names: sibling groups sharing both the heading and the common name beneath it (what a
  page actually shows), target 0.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections import Counter

from medcodes.codesets.abbreviations import lexicon_report, vocabulary

_VOCAB_SYSTEMS = ("icd10cm", "icd10pcs", "hcpcs")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="data/medcodes.sqlite")
    ap.add_argument("--show", type=int, default=15, help="unknown tokens to list per system")
    args = ap.parse_args()
    db = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    marks = ",".join("?" * len(_VOCAB_SYSTEMS))
    vocab = vocabulary(
        t for (t,) in db.execute(f"SELECT title FROM codes WHERE system IN ({marks})", _VOCAB_SYSTEMS)
    )
    # CPT long descriptors (CLFS, AMA files) are official long texts too.
    vocab |= vocabulary(
        t
        for (t,) in db.execute(
            "SELECT title FROM codes WHERE system = 'cpt' AND json_extract(attrs, '$.title_source')"
            " IN ('clfs', 'ama', 'ama_medium')"
        )
    )
    columns = {row[1] for row in db.execute("PRAGMA table_info(codes)")}
    has_common = "common_name" in columns
    systems = [s for (s,) in db.execute("SELECT DISTINCT system FROM codes ORDER BY system")]
    print(
        f"{'system':10} {'codes':>7} {'unknown':>8} {'share':>7} {'common':>7} {'shared groups':>14}"
        f" {'CMS only':>9} {'shared names':>13}"
    )
    for system in systems:
        rows = db.execute(
            "SELECT code, title, parent"
            + (", common_name" if has_common else ", NULL")
            + ", short_title"
            + " FROM codes WHERE system = ? AND kind IN ('code', 'modifier')",
            (system,),
        ).fetchall()
        report = lexicon_report((r[1] for r in rows), vocab)
        common = sum(1 for r in rows if r[3])
        groups = Counter((r[2], r[1].casefold()) for r in rows)
        shared = sum(1 for n in groups.values() if n > 1)
        named_groups = Counter((r[2], r[1].casefold(), (r[3] or "").casefold()) for r in rows)
        shared_names = sum(1 for n in named_groups.values() if n > 1)
        cms_only = (
            sum(1 for r in rows if not r[3] and (r[1] == r[4] or r[1] == r[0]))
            if system in ("cpt", "hcpcs")
            else 0
        )
        print(
            f"{system:10} {len(rows):>7} {report.with_unknown:>8} {report.share:>7.1%} {common:>7} {shared:>14}"
            f" {cms_only:>9} {shared_names:>13}"
        )
        if args.show and report.unknown:
            top = list(report.unknown.items())[: args.show]
            print("    unknown: " + ", ".join(f"{tok} ({n})" for tok, n in top))
    return 0


if __name__ == "__main__":
    sys.exit(main())

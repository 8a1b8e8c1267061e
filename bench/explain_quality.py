"""How specific the explanations are, per system, on a seeded random sample of current billable codes.

For every sampled code the page's explanation is fetched (`explanation_for`), the code and its titles are
masked, and a section counts as generic when 5% or more of the sample carries the same masked text in that
section. Prints per system the share of codes with at least 4 non-generic sections beyond Name and Summary,
the count per kind, the median reading grade and every checker finding.

    .venv/bin/python bench/explain_quality.py --db data/medcodes.sqlite [--n 300] [--seed 12] [--show 5]

Targets: CPT and HCPCS >= 0.6, ICD-10-CM and ICD-10-PCS >= 0.5, no checker findings, median grade <= 8.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
from collections import Counter

from medcodes.codesets import common_names
from medcodes.explain.checks import reading_grade
from medcodes.explain.service import explanation_for
from medcodes.store import Store
from medcodes.store.db import is_current

SYSTEMS = ("cpt", "hcpcs", "icd10cm", "icd10pcs")
TARGETS = {"cpt": 0.6, "hcpcs": 0.6, "icd10cm": 0.5, "icd10pcs": 0.5}
GENERIC_SHARE = 0.05
MIN_SPECIFIC = 4


def sample(store: Store, system: str, n: int, seed: int) -> list[str]:
    codes = [
        r.code
        for r in store.iter_codes(system, leaves_only=True)
        if r.kind == "code" and r.billable and is_current(r)
    ]
    rng = random.Random(f"{seed}:{system}")
    return sorted(rng.sample(codes, min(n, len(codes))))


def mask(text: str, rec) -> str:
    out = text
    common = common_names.load().get((rec.system, rec.code)) or ""
    for official in sorted(
        {rec.title, rec.short_title or "", common, rec.display, rec.code}, key=len, reverse=True
    ):
        if len(official) >= 3:
            out = re.sub(re.escape(official), "<X>", out, flags=re.IGNORECASE)
    return " ".join(out.split())


def run(store: Store, n: int, seed: int, show: int) -> None:
    for system in SYSTEMS:
        codes = sample(store, system, n, seed)
        rows = []  # (code, kind, {key: masked text}, grade, status, reason)
        for code in codes:
            rec = store.get(system, code)
            expl = explanation_for(store, system, code)
            texts = {
                s.key: mask("\n".join([s.text, *s.items]), rec)
                for s in expl.sections
                if s.key not in ("name", "summary")
            }
            rows.append((code, expl.kind, texts, reading_grade(expl.checks), expl.status, expl.reason))
        counts = Counter((key, text) for _c, _k, texts, *_ in rows for key, text in texts.items())
        limit = max(2, GENERIC_SHARE * len(rows))
        specific = 0
        generic_by_key: Counter[str] = Counter()
        for _c, _k, texts, *_ in rows:
            own = [k for k, t in texts.items() if counts[(k, t)] < limit]
            generic_by_key.update(k for k, t in texts.items() if counts[(k, t)] >= limit)
            specific += len(own) >= MIN_SPECIFIC
        share = specific / len(rows) if rows else 0.0
        kinds = Counter(k for _c, k, *_ in rows)
        grades = [g for *_x, g, _s, _r in rows if g is not None]
        findings = [(c, r) for c, _k, _t, _g, s, r in rows if s != "ok"]
        mark = "ok" if share >= TARGETS[system] else "below target"
        print(
            f"{system:9} n={len(rows)}  share with >= {MIN_SPECIFIC} specific sections: {share:.2f} "
            f"(target {TARGETS[system]:.1f}, {mark})  median grade {statistics.median(grades) if grades else 0:.1f}  "
            f"checker findings {len(findings)}"
        )
        print("          kinds: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))
        print(
            "          most generic sections: "
            + ", ".join(f"{k} {v}" for k, v in generic_by_key.most_common(6))
        )
        for code, reason in findings[:show]:
            print(f"          finding {code}: {reason}")
        if len(findings) > show:
            print(f"          ... and {len(findings) - show} more")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--n", type=int, default=300, help="codes per system (at least 300 for the targets)")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--show", type=int, default=5, help="checker findings to print per system")
    args = ap.parse_args()
    run(Store(args.db), args.n, args.seed, args.show)


if __name__ == "__main__":
    main()

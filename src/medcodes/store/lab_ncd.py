"""The Medicare lab NCDs that list a lab code, read from the policies tables when the CMS lab NCD coding
spreadsheet has been ingested (policies with source "cms-ncd-lab"): per NCD, how many ICD-10-CM codes it
lists as covered and as not supporting the test, and the diagnosis categories most of its covered codes
fall in. Explanations read this; they never import the policies feature.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LabNcd:
    number: str  # e.g. "190.17"
    title: str  # e.g. "Prothrombin Time (PT)"
    covered: int  # current ICD-10-CM codes listed as covered
    not_supporting: int  # current ICD-10-CM codes listed as never or not by themselves supporting the test
    top_categories: tuple[tuple[str, str, int], ...]  # (ICD-10-CM category, its title, covered codes in it)


_SOURCE = "cms-ncd-lab"


def lab_ncds(
    conn: sqlite3.Connection, system: str, code: str, cache: dict[str, LabNcd] | None = None
) -> list[LabNcd]:
    """The lab NCDs that list (system, code); [] when none does or no NCD spreadsheet was ingested."""
    try:
        rows = conn.execute(
            "SELECT p.id, p.number, p.title FROM policy_codes pc JOIN policies p ON p.id = pc.policy_id "
            "WHERE pc.system = ? AND pc.code = ? AND p.source = ? ORDER BY p.number",
            (system, code, _SOURCE),
        ).fetchall()
    except sqlite3.OperationalError:  # a database built before the policies tables existed
        return []
    out = []
    for pid, number, title in rows:
        if cache is not None and pid in cache:
            out.append(cache[pid])
            continue
        ncd = _summary(conn, pid, str(number or ""), str(title or ""))
        if cache is not None:
            cache[pid] = ncd
        out.append(ncd)
    return out


def _summary(conn: sqlite3.Connection, pid: str, number: str, title: str) -> LabNcd:
    # Rows whose ICD-10-CM code has a termination date no longer apply.
    counts = dict(
        conn.execute(
            "SELECT disposition, COUNT(*) FROM policy_codes WHERE policy_id = ? AND system = 'icd10cm' "
            "AND (context IS NULL OR context NOT LIKE '%terminated%') GROUP BY disposition",
            (pid,),
        ).fetchall()
    )
    cats = conn.execute(
        "SELECT substr(pc.code, 1, 3) AS cat, c.title, COUNT(*) AS n FROM policy_codes pc "
        "LEFT JOIN codes c ON c.system = 'icd10cm' AND c.code = substr(pc.code, 1, 3) "
        "WHERE pc.policy_id = ? AND pc.system = 'icd10cm' AND pc.disposition = 'covered' "
        "AND (pc.context IS NULL OR pc.context NOT LIKE '%terminated%') "
        "GROUP BY cat ORDER BY n DESC, cat LIMIT 4",
        (pid,),
    ).fetchall()
    prefix = f"NCD {number}:"
    name = title[len(prefix) :].strip() if title.startswith(prefix) else title
    return LabNcd(
        number=number,
        title=name,
        covered=int(counts.get("covered", 0)),
        not_supporting=int(sum(n for d, n in counts.items() if d != "covered")),
        top_categories=tuple((str(c), str(t or c), int(n)) for c, t, n in cats),
    )

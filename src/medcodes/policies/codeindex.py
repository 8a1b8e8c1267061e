"""The set of codes that exist, held in memory so that extraction can test thousands of candidates fast."""

from __future__ import annotations

import bisect
import sqlite3

from medcodes.models import SYSTEMS
from medcodes.store.db import code_kinds

LEAF_KINDS = ("code", "modifier")
# Systems whose code lists have an official order that differs from sorting the codes as text: ICD-10-CM
# places M1A (chronic gout) between M10 and M11, and D46.A-D46.Z after D46.9.
_OFFICIAL_ORDER = ("icd10cm", "icd10pcs")


class CodeIndex:
    """Every code of the database by system, with its kind; ordered lists answer range queries.

    Rows are (system, code, kind) or (system, code, kind, billable, sort). A code is a leaf (something a
    range stands for) when its kind is code/modifier or it is billable (ICD-10-CM C61, R61, D45 are
    billable three-character categories)."""

    def __init__(self, rows: list[tuple]):
        self.kind: dict[str, dict[str, str]] = {s: {} for s in SYSTEMS}
        leaves: dict[str, set[str]] = {s: set() for s in SYSTEMS}
        order: dict[str, list[tuple[int, str]]] = {s: [] for s in SYSTEMS}
        for row in rows:
            system, code, kind = row[0], row[1], row[2]
            if system not in self.kind:
                continue
            self.kind[system][code] = kind
            billable = bool(row[3]) if len(row) > 3 else False
            if kind in LEAF_KINDS or billable:
                leaves[system].add(code)
            if len(row) > 4 and row[4] is not None:
                order[system].append((row[4], code))
        self._sorted = {s: sorted(c) for s, c in leaves.items()}
        self._leaves = leaves
        # Official order (every code, leaves and headings) and each code's position in it.
        self._order: dict[str, list[str]] = {}
        self._pos: dict[str, dict[str, int]] = {}
        for s in _OFFICIAL_ORDER:
            if order.get(s) and len(order[s]) == len(self.kind[s]):
                seq = [c for _, c in sorted(order[s])]
                self._order[s] = seq
                self._pos[s] = {c: i for i, c in enumerate(seq)}

    @classmethod
    def from_conn(cls, conn: sqlite3.Connection) -> CodeIndex:
        return cls(code_kinds(conn))

    def exists(self, system: str, code: str) -> bool:
        return code in self.kind.get(system, ())

    def is_leaf(self, system: str, code: str) -> bool:
        return code in self._leaves.get(system, ())

    def systems_of(self, code: str) -> list[str]:
        return [s for s in SYSTEMS if code in self.kind[s]]

    def expand(self, system: str, lo: str, hi: str, limit: int = 20000) -> list[str]:
        """Leaf codes from `lo` to `hi` inclusive; `hi` includes its own descendants (C96 covers C96.9).

        ICD-10 ranges follow the official code-list order when both ends are known codes."""
        pos = self._pos.get(system)
        if pos is not None and lo in pos and hi in pos:
            i, j = pos[lo], pos[hi]
            if i > j:
                return []
            seq = self._order[system]
            while j + 1 < len(seq) and seq[j + 1].startswith(hi):
                j += 1
            leaves = self._leaves[system]
            return [c for c in seq[i : j + 1] if c in leaves][:limit]
        if lo > hi:
            return []
        codes = self._sorted.get(system, [])
        i = bisect.bisect_left(codes, lo)
        j = bisect.bisect_right(codes, hi + "\uffff")
        return codes[i : min(j, i + limit)]

    def __len__(self) -> int:
        return sum(len(v) for v in self.kind.values())

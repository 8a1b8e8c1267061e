"""The set of codes that exist, held in memory so that extraction can test thousands of candidates fast."""

from __future__ import annotations

import bisect
import sqlite3

from medcodes.models import SYSTEMS

LEAF_KINDS = ("code", "modifier")


class CodeIndex:
    """Every code of the database by system, with its kind; sorted lists answer range queries."""

    def __init__(self, rows: list[tuple[str, str, str]]):
        self.kind: dict[str, dict[str, str]] = {s: {} for s in SYSTEMS}
        for system, code, kind in rows:
            if system in self.kind:
                self.kind[system][code] = kind
        self._sorted = {s: sorted(c for c, k in codes.items() if k in LEAF_KINDS) for s, codes in self.kind.items()}

    @classmethod
    def from_conn(cls, conn: sqlite3.Connection) -> CodeIndex:
        return cls(conn.execute("SELECT system, code, kind FROM codes").fetchall())

    def exists(self, system: str, code: str) -> bool:
        return code in self.kind.get(system, ())

    def systems_of(self, code: str) -> list[str]:
        return [s for s in SYSTEMS if code in self.kind[s]]

    def expand(self, system: str, lo: str, hi: str, limit: int = 20000) -> list[str]:
        """Leaf codes from `lo` to `hi` inclusive; `hi` includes its own descendants (C96 covers C96.9)."""
        if lo > hi:
            return []
        codes = self._sorted.get(system, [])
        i = bisect.bisect_left(codes, lo)
        j = bisect.bisect_right(codes, hi + "\uffff")
        return codes[i : min(j, i + limit)]

    def __len__(self) -> int:
        return sum(len(v) for v in self.kind.values())

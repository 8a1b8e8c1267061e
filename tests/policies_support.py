"""Helpers for the policy tests: a small hand-made code database and a real HTTP server in a thread."""

from __future__ import annotations

import shutil
from pathlib import Path

from live import LiveServer

from medcodes.models import CodeRecord, Source
from medcodes.store import build

CPT = [
    "81105",
    "81106",
    "81110",
    "81111",
    "85002",
    "85230",
    "85999",
    "0001U",
    "0016U",
    "0017U",
    "0239U",
    "43644",
    "43775",
    "95004",
    "81235",
    "81210",
]
HCPCS = ["J0120", "J0121", "J0129", "J0130", "J0585", "J0586", "E1130", "G2054"]
ICD = {
    "E11": "category",
    "E110": "subcategory",
    "E1100": "code",
    "E1101": "code",
    "E1165": "code",
    "E119": "code",
    "C61": "code",
    "Z192": "code",
    "C34": "category",
    "C3490": "code",
    "Z1501": "code",
    "Z1509": "code",
}
PCS = ["0DV64CZ", "0D16479"]


def records(system: str) -> list[CodeRecord]:
    if system == "cpt":
        return [CodeRecord("cpt", c, c, "code", f"CPT {c}", billable=True) for c in CPT]
    if system == "hcpcs":
        return [CodeRecord("hcpcs", c, c, "code", f"HCPCS {c}", billable=True) for c in HCPCS]
    if system == "icd10cm":
        from medcodes.codes import display

        return [
            CodeRecord("icd10cm", c, display("icd10cm", c), k, f"ICD {c}", billable=k == "code")
            for c, k in ICD.items()
        ]
    return [CodeRecord("icd10pcs", c, c, "code", f"PCS {c}", billable=True) for c in PCS]


def make_db(path: Path) -> Path:
    sources = [Source(s, f"test {s}", "1") for s in ("cpt", "hcpcs", "icd10cm", "icd10pcs")]
    build.build(path, sources, read=lambda s: records(s.system), steps=[])
    return path


def copy_db(src: Path, dst_dir: Path) -> Path:
    dst = dst_dir / "medcodes.sqlite"
    shutil.copyfile(src, dst)
    return dst


def ingested_copy(real_db: Path, dst_dir: Path, documents: list[Path]) -> Path:
    """A copy of the real database (never ingest into the shared fixture file) with `documents` ingested;
    every one of them must ingest."""
    from medcodes.policies.ingest import Ingester
    from medcodes.store import Store

    db = copy_db(real_db, dst_dir)
    store = Store(db, readonly=False)
    report = Ingester(store.conn).ingest(documents)
    store.close()
    assert [f.status for f in report.files].count("failed") == 0, report.files
    return db


def Server(app) -> LiveServer:  # noqa: N802 - kept for the policies tests' call sites
    return LiveServer(app=app)

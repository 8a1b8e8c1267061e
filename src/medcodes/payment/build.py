"""Post-build step: import the payment release files found in the build's data folder.

Register as a pipeline step `("payment", build_step)`; it needs the data folder, read from
`ctx.data_dir` (None or a folder with none of these files gives empty tables, and pages say so).
`import_payment(conn, data_dir)` is the same without a build context.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from medcodes.codesets import anes_cf, clfs_rates, gpci, locco, mue, opps_addb, payment_files, pfs_rvu, scan
from medcodes.payment import storage


@dataclass
class PaymentImport:
    files: dict[str, str] = field(default_factory=dict)  # kind -> file name
    rows: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def import_payment(conn: sqlite3.Connection, data_dir: Path | None) -> PaymentImport:
    """Create the payment tables in `conn` and fill them from the files in `data_dir`.
    Raises ReleaseFileError (naming file and line) on a malformed file."""
    storage.create(conn)
    report = PaymentImport()
    if data_dir is None or not Path(data_dir).is_dir():
        return report
    chosen, report.notes = payment_files.select(scan(Path(data_dir)))

    def done(f: payment_files.PaymentFile, n: int, extra: dict | None = None) -> None:
        storage.record_file(conn, f, n, extra)
        report.files[f.kind], report.rows[f.kind] = f.path.name, n

    if f := chosen.get("pfs"):
        done(f, storage.insert_pfs(conn, pfs_rvu.read(f.path, f.fmt)))
    anes = None
    if f := chosen.get("anes"):
        anes = anes_cf.read(f.path, f.fmt)
        done(f, len(anes.rows), {"national_conversion_factor": anes.national_conversion_factor})
    if f := chosen.get("gpci"):
        by_id = {r.id: r for r in anes.rows} if anes else {}
        done(f, storage.insert_localities(conn, list(gpci.read(f.path, f.fmt)), by_id))
    if f := chosen.get("locco"):
        done(f, storage.insert_counties(conn, locco.read(f.path, f.fmt)))
    if f := chosen.get("clfs"):
        done(f, storage.insert_clfs(conn, clfs_rates.read(f.path, f.fmt)))
    if f := chosen.get("opps"):
        opps = opps_addb.read(f.path, f.fmt)
        # The year the workbook states wins over the one guessed from its name.
        f = payment_files.PaymentFile(f.kind, f.path, f.fmt, f.release, opps.year or f.year)
        done(f, storage.insert_opps(conn, opps.rows))
    for kind in ("mue_practitioner", "mue_outpatient_hospital", "mue_dme"):
        if f := chosen.get(kind):
            done(
                f,
                storage.insert_mue(conn, mue.read(f.path, f.fmt)),
                {"effective": mue.effective_date(f.path)},
            )
    return report


def build_step(ctx) -> None:
    """Pipeline step: `ctx.conn` is the new database, `ctx.data_dir` the folder the build read."""
    result = import_payment(ctx.conn, getattr(ctx, "data_dir", None))
    report = getattr(ctx, "report", None)
    if report is not None and hasattr(report, "warnings"):
        report.warnings.extend(f"payment: {n}" for n in result.notes)

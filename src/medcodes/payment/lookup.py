"""Put the payment parts of one code together for a locality (national when none is given)."""

from __future__ import annotations

import re
from decimal import Decimal

from medcodes.codesets.pfs_rvu import PfsRow
from medcodes.payment import compute, storage
from medcodes.payment import meanings as m
from medcodes.payment.model import (
    NATIONAL,
    AnesthesiaPart,
    ClfsPart,
    Indicator,
    Locality,
    LocalityRef,
    MueLimit,
    OppsPart,
    Payment,
    PfsLine,
    PfsPart,
    Source,
    UnknownLocality,
)
from medcodes.store import Store

LOCALITY_FORMAT = "MAC-LOCALITY, five digits, a hyphen and two digits (for example 13202-01)"
_LOCALITY = re.compile(r"^(\d{5})-(\d{2})$")
NO_DATA = "no payment data in this build"


def _source(files: dict, kind: str) -> Source | None:
    f = files.get(kind)
    return Source(f["file"], f["year"], f["release"]) if f else None


def resolve_locality(store: Store, locality_id: str | None) -> Locality | None:
    """The locality for an id, None for national; UnknownLocality for a bad or unknown id."""
    conn = store.conn
    if locality_id is None or locality_id.strip().lower() in ("", "national"):
        return None
    lid = locality_id.strip()
    if not _LOCALITY.match(lid):
        raise UnknownLocality(f"locality {lid[:20]!r} is not spelled {LOCALITY_FORMAT}")
    row = storage.locality(conn, lid) if storage.has_tables(conn) else None
    if row is None:
        raise UnknownLocality(
            f"no Medicare locality {lid} in this build; use {LOCALITY_FORMAT}, "
            "as listed by /api/v1/localities"
        )
    return _locality(row, storage.counties(conn).get(lid, []))


def _locality(row: tuple, counties: list) -> Locality:
    lid, mac, loc, state, name, w, pe, mp, anes = row
    return Locality(
        lid,
        mac,
        loc,
        state,
        name,
        Decimal(w),
        Decimal(pe),
        Decimal(mp),
        Decimal(anes) if anes else None,
        counties,
    )


def localities(store: Store) -> list[Locality]:
    conn = store.conn
    counties = storage.counties(conn)
    return [_locality(r, counties.get(r[0], [])) for r in storage.localities(conn)]


def payment_for(store: Store, system: str, code: str, locality_id: str | None = None) -> Payment:
    """Every payment part of `code` (canonical). Raises UnknownLocality before looking anything up."""
    conn = store.conn
    loc = resolve_locality(store, locality_id)
    ref = LocalityRef(loc.id, loc.name, loc.state) if loc else NATIONAL
    files = storage.files(conn)
    notes: list[str] = []
    if not files:
        empty = Payment(
            system,
            code,
            ref,
            PfsPart(False, NO_DATA, locality=ref),
            ClfsPart(False, NO_DATA),
            OppsPart(False, NO_DATA),
            AnesthesiaPart(False, NO_DATA, locality=ref),
            [],
            NO_DATA,
        )
        return empty
    pfs = _pfs(conn, files, code, loc, ref)
    opps = _opps(conn, files, code)
    if opps.note:
        notes.append(opps.note)
    mue, mue_reason = _mue(conn, files, code)
    return Payment(
        system,
        code,
        ref,
        pfs,
        _clfs(conn, files, code),
        opps,
        _anesthesia(files, pfs, loc, ref),
        mue,
        mue_reason,
        notes,
    )


def _pfs(conn, files, code: str, loc: Locality | None, ref: LocalityRef) -> PfsPart:
    source = _source(files, "pfs")
    if source is None:
        return PfsPart(False, "no physician fee schedule file in this build", locality=ref)
    rows = storage.pfs_rows(conn, code)
    if not rows:
        return PfsPart(False, "not on the physician fee schedule", source, source.year, locality=ref)
    g = compute.Gpci(loc.work_gpci, loc.pe_gpci, loc.mp_gpci) if loc else compute.NATIONAL_GPCI
    lines = [_line(r, g) for r in rows]
    main = lines[0]
    part = PfsPart(
        True,
        main.reason,
        source,
        source.year,
        compute.d(rows[0].conversion_factor),
        ref,
        {"work": g.work, "pe": g.pe, "mp": g.mp},
        lines,
    )
    part.available = (
        main.non_facility_amount is not None
        or main.facility_amount is not None
        or any(ln.non_facility_amount is not None or ln.facility_amount is not None for ln in lines)
    )
    return part


def _line(r: PfsRow, g: compute.Gpci) -> PfsLine:
    status = r.status.upper()
    rvus = {
        k: compute.d(v)
        for k, v in (
            ("work", r.work_rvu),
            ("pe_non_facility", r.pe_nonfacility_rvu),
            ("pe_facility", r.pe_facility_rvu),
            ("mp", r.mp_rvu),
            ("total_non_facility", r.total_nonfacility_rvu),
            ("total_facility", r.total_facility_rvu),
        )
    }
    indicators = [
        Indicator("pctc", r.pctc, m.meaning(m.PCTC, r.pctc)),
        Indicator("multiple_procedure", r.mult_proc, m.meaning(m.MULT_PROC, r.mult_proc)),
        Indicator("bilateral_surgery", r.bilat_surg, m.meaning(m.BILAT_SURG, r.bilat_surg)),
        Indicator("assistant_at_surgery", r.asst_surg, m.meaning(m.ASST_SURG, r.asst_surg)),
        Indicator("co_surgeons", r.co_surg, m.meaning(m.CO_SURG, r.co_surg)),
        Indicator("team_surgery", r.team_surg, m.meaning(m.TEAM_SURG, r.team_surg)),
        Indicator("supervision", r.supervision, m.meaning(m.SUPERVISION, r.supervision)),
        Indicator("imaging_family", r.imaging_family, m.meaning(m.IMAGING_FAMILY, r.imaging_family)),
    ]
    if r.endo_base:
        indicators.append(Indicator("endoscopic_base_code", r.endo_base, "The base endoscopy of its family"))
    line = PfsLine(
        modifier=r.modifier,
        modifier_meaning=m.MODIFIER.get(r.modifier),
        status=status,
        status_meaning=m.meaning(m.STATUS, status),
        non_facility_amount=None,
        facility_amount=None,
        reason=None,
        rvus=rvus,
        global_days=Indicator("global_days", r.global_days, m.meaning(m.GLOBAL_DAYS, r.global_days))
        if r.global_days
        else None,
        indicators=indicators,
    )
    if bool(r.not_used_for_medicare):
        line.reason = "RVUs published but not used for Medicare payment"
    elif status not in m.PAID_STATUS:
        line.reason = m.NO_PAYMENT_REASON.get(status, "not paid under the physician fee schedule")
    elif rvus["total_non_facility"] == 0 and rvus["total_facility"] == 0:
        line.reason = "carrier-priced"  # a paid status without RVUs: the contractor sets the amount
    else:
        a = compute.amounts(r, g)
        line.non_facility_amount, line.facility_amount = a.non_facility, a.facility
        line.opps_cap_applied = [
            s
            for s, on in (("non_facility", a.opps_cap_non_facility), ("facility", a.opps_cap_facility))
            if on
        ]
        if a.non_facility is None:
            line.notes.append("No non-facility amount: rarely or never done outside a facility (NA)")
        if a.facility is None:
            line.notes.append("No facility amount: rarely or never done in a facility (NA)")
        if status == "R":
            line.notes.append("Restricted coverage: special coverage rules apply")
        if status == "T":
            line.notes.append("Paid only when no other fee-schedule service is billed the same day")
    return line


def _clfs(conn, files, code: str) -> ClfsPart:
    source = _source(files, "clfs")
    if source is None:
        return ClfsPart(False, "no clinical laboratory fee schedule file in this build")
    rows = storage.clfs(conn, code)
    if not rows:
        return ClfsPart(False, "not on the clinical laboratory fee schedule", source, source.year)
    main = next((r for r in rows if not r[0]), None)
    part = ClfsPart(
        True,
        None,
        source,
        (main or rows[0])[2] or source.year,
        Decimal(main[1]) if main else None,
        main[3] if main else None,
        [(mod, Decimal(rate)) for mod, rate, *_ in rows if mod],
    )
    return part


def _opps(conn, files, code: str) -> OppsPart:
    source = _source(files, "opps")
    if source is None:
        return OppsPart(False, "no OPPS Addendum B file in this build")
    years = [f["year"] for k, f in files.items() if k != "opps" and f["year"]]
    note = None
    if source.year and years and source.year < max(years):
        note = (
            f"The hospital outpatient (OPPS) figures come from the {source.year} Addendum B, "
            f"older than the other payment files ({max(years)})."
        )
    row = storage.opps(conn, code)
    if row is None:
        return OppsPart(False, "not in the OPPS Addendum B", source, source.year, note=note)
    dec = lambda v: Decimal(v) if v is not None else None  # noqa: E731
    reason = None if row.payment_rate is not None else "no separate OPPS payment rate"
    return OppsPart(
        row.payment_rate is not None,
        reason,
        source,
        source.year,
        row.status_indicator,
        m.meaning(m.OPPS_SI, row.status_indicator),
        row.apc or None,
        dec(row.relative_weight),
        dec(row.payment_rate),
        dec(row.national_copay),
        dec(row.minimum_copay),
        note,
    )


def _anesthesia(files, pfs: PfsPart, loc: Locality | None, ref: LocalityRef) -> AnesthesiaPart:
    source = _source(files, "anes")
    main = pfs.main
    if main is None or main.status != "J":
        return AnesthesiaPart(False, "not an anesthesia code", locality=ref)
    if source is None:
        return AnesthesiaPart(False, "no anesthesia conversion factor file in this build", locality=ref)
    national = files["anes"]["extra"].get("national_conversion_factor")
    national_cf = Decimal(national) if national else None
    cf = loc.anesthesia_cf if loc else national_cf
    explanation = (
        "Medicare pays anesthesia as (base units + time units) x the locality's anesthesia "
        "conversion factor. One time unit is 15 minutes of anesthesia time (30 minutes = 2 units). "
        "Base units for each anesthesia code are not in the files this build read."
    )
    return AnesthesiaPart(
        cf is not None,
        None if cf is not None else "no anesthesia conversion factor for this locality",
        source,
        source.year,
        ref,
        cf,
        national_cf,
        None,
        15,
        compute.cents(cf) if cf is not None else None,
        explanation,
    )


def _mue(conn, files, code: str) -> tuple[list[MueLimit], str | None]:
    kinds = [k for k in ("mue_practitioner", "mue_outpatient_hospital", "mue_dme") if k in files]
    if not kinds:
        return [], "no MUE table in this build"
    limits = [
        MueLimit(
            r.setting,
            m.MUE_SETTING[r.setting],
            r.value,
            r.indicator,
            m.meaning(m.MUE_INDICATOR, r.indicator),
            r.rationale,
            _source(files, f"mue_{r.setting}"),
        )
        for r in storage.mue(conn, code)
    ]
    return limits, None if limits else "no MUE limit published for this code"

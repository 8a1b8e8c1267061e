"""Fee schedule arithmetic, exact: Decimal throughout, rounded to the cent only at the end.

    amount = (work RVU x work GPCI + PE RVU x PE GPCI + MP RVU x MP GPCI) x conversion factor

with the non-facility or facility PE RVU; nationally every GPCI is 1.0. For imaging codes CMS also
publishes RVUs that price the service at the OPPS rate; the lower of the two amounts is paid (the
OPPS cap of the Deficit Reduction Act, described in the RVU file's read-me).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from medcodes.codesets.pfs_rvu import PfsRow
from medcodes.payment.meanings import TIME_UNIT_MINUTES

CENT = Decimal("0.01")
ZERO = Decimal(0)


@dataclass(slots=True, frozen=True)
class Gpci:
    work: Decimal
    pe: Decimal
    mp: Decimal


NATIONAL_GPCI = Gpci(Decimal(1), Decimal(1), Decimal(1))


@dataclass(slots=True, frozen=True)
class Amounts:
    non_facility: Decimal | None  # None: not priced in this setting (NA indicator)
    facility: Decimal | None
    opps_cap_non_facility: bool = False  # True: the OPPS-based amount was lower and is the one shown
    opps_cap_facility: bool = False


def d(value: object) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else ZERO


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def fee(work: Decimal, pe: Decimal, mp: Decimal, g: Gpci, cf: Decimal) -> Decimal:
    """The unrounded fee schedule amount."""
    return (work * g.work + pe * g.pe + mp * g.mp) * cf


def amounts(row: PfsRow, g: Gpci) -> Amounts:
    cf, work, mp = d(row.conversion_factor), d(row.work_rvu), d(row.mp_rvu)
    opps_nf, opps_f, opps_mp = d(row.opps_pe_nonfacility_rvu), d(row.opps_pe_facility_rvu), d(row.opps_mp_rvu)
    capped = bool(opps_nf or opps_f or opps_mp)
    out: list[tuple[Decimal | None, bool]] = []
    for pe, na, opps_pe in (
        (row.pe_nonfacility_rvu, row.nonfacility_na, opps_nf),
        (row.pe_facility_rvu, row.facility_na, opps_f),
    ):
        if na:
            out.append((None, False))
            continue
        amount = fee(work, d(pe), mp, g, cf)
        cap = fee(work, opps_pe, opps_mp, g, cf) if capped else None
        if cap is not None and cap < amount:
            out.append((cents(cap), True))
        else:
            out.append((cents(amount), False))
    (nf, nf_cap), (f, f_cap) = out
    return Amounts(nf, f, nf_cap, f_cap)


def anesthesia_amount(base_units: Decimal, minutes: Decimal, cf: Decimal) -> Decimal:
    """(base units + time units) x anesthesia conversion factor, one time unit per 15 minutes."""
    return cents((base_units + time_units(minutes)) * cf)


def time_units(minutes: Decimal) -> Decimal:
    return Decimal(minutes) / TIME_UNIT_MINUTES

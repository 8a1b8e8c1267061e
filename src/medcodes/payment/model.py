"""What a payment lookup returns: typed parts, each saying where it came from or why it is empty."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(slots=True, frozen=True)
class LocalityRef:
    id: str  # "13202-01", or "national"
    name: str
    state: str | None


NATIONAL = LocalityRef("national", "National (every GPCI 1.0)", None)


@dataclass(slots=True, frozen=True)
class Source:
    file: str
    year: int | None
    release: str | None = None


@dataclass(slots=True, frozen=True)
class Indicator:
    name: str
    value: str
    meaning: str | None


@dataclass(slots=True)
class PfsLine:
    """One row of the fee schedule (global, 26, TC or 53) priced for a locality."""

    modifier: str
    modifier_meaning: str | None
    status: str
    status_meaning: str | None
    non_facility_amount: Decimal | None
    facility_amount: Decimal | None
    reason: str | None  # why there is no amount, when there is none
    rvus: dict[str, Decimal]
    global_days: Indicator | None
    indicators: list[Indicator]
    opps_cap_applied: list[str] = field(default_factory=list)  # settings where the OPPS cap set the amount
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PfsPart:
    available: bool
    reason: str | None = None
    source: Source | None = None
    year: int | None = None
    conversion_factor: Decimal | None = None
    locality: LocalityRef = NATIONAL
    gpci: dict[str, Decimal] = field(default_factory=dict)
    lines: list[PfsLine] = field(default_factory=list)  # global row first

    @property
    def main(self) -> PfsLine | None:
        return self.lines[0] if self.lines else None


@dataclass(slots=True)
class ClfsPart:
    available: bool
    reason: str | None = None
    source: Source | None = None
    year: int | None = None
    rate: Decimal | None = None
    effective: str | None = None
    modifiers: list[tuple[str, Decimal]] = field(default_factory=list)


@dataclass(slots=True)
class OppsPart:
    available: bool
    reason: str | None = None
    source: Source | None = None
    year: int | None = None
    status_indicator: str | None = None
    status_meaning: str | None = None
    apc: str | None = None
    relative_weight: Decimal | None = None
    payment_rate: Decimal | None = None
    national_copay: Decimal | None = None
    minimum_copay: Decimal | None = None
    note: str | None = None


@dataclass(slots=True)
class AnesthesiaPart:
    available: bool
    reason: str | None = None
    source: Source | None = None
    year: int | None = None
    locality: LocalityRef = NATIONAL
    conversion_factor: Decimal | None = None
    national_conversion_factor: Decimal | None = None
    base_units: Decimal | None = None
    time_unit_minutes: int = 15
    amount_per_time_unit: Decimal | None = None
    explanation: str | None = None


@dataclass(slots=True, frozen=True)
class MueLimit:
    setting: str
    setting_label: str
    value: int
    indicator: str
    indicator_meaning: str | None
    rationale: str
    source: Source | None


@dataclass(slots=True)
class Payment:
    system: str
    code: str
    locality: LocalityRef
    pfs: PfsPart
    clfs: ClfsPart
    opps: OppsPart
    anesthesia: AnesthesiaPart
    mue: list[MueLimit]
    mue_reason: str | None
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class Locality:
    id: str
    mac: str
    locality: str
    state: str
    name: str
    work_gpci: Decimal
    pe_gpci: Decimal
    mp_gpci: Decimal
    anesthesia_cf: Decimal | None
    counties: list[tuple[str, str, str]]  # (state name, fee schedule area, counties)


class UnknownLocality(ValueError):
    """The locality is not spelled MAC-LOCALITY or is not in the GPCI file."""

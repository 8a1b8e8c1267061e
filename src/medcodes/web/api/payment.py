"""GET /api/v1/codes/{system}/{code}/payment and GET /api/v1/localities: what Medicare pays, and where."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from medcodes.models import SYSTEM_LABELS, SYSTEMS
from medcodes.payment import LOCALITY_FORMAT, UnknownLocality, localities, payment_for, payment_json
from medcodes.payment.serialize import locality_json
from medcodes.web.api.errors import error_response, unknown_system
from medcodes.web.deps import get_store

router = APIRouter(tags=["payment"])
PAID_SYSTEMS = ("cpt", "hcpcs")


class SourceOut(BaseModel):
    file: str
    year: int | None
    release: str | None


class LocalityRefOut(BaseModel):
    id: str
    name: str
    state: str | None


class IndicatorOut(BaseModel):
    name: str
    value: str
    meaning: str | None


class StatusOut(BaseModel):
    code: str
    meaning: str | None


class PfsLineOut(BaseModel):
    modifier: str | None = None
    modifier_meaning: str | None = None
    status: StatusOut | None = None
    non_facility_amount: float | None = None
    facility_amount: float | None = None
    reason: str | None = None
    rvus: dict[str, float | None] = {}
    global_days: IndicatorOut | None = None
    indicators: list[IndicatorOut] = []
    opps_cap_applied: list[str] = []
    notes: list[str] = []


class PfsOut(PfsLineOut):
    available: bool
    source: SourceOut | None
    year: int | None
    label: str
    conversion_factor: float | None
    locality: LocalityRefOut
    gpci: dict[str, float | None]
    modifiers: list[PfsLineOut]


class ClfsModOut(BaseModel):
    modifier: str
    rate: float | None


class ClfsOut(BaseModel):
    available: bool
    reason: str | None
    source: SourceOut | None
    year: int | None
    rate: float | None
    effective: str | None
    modifiers: list[ClfsModOut]


class OppsOut(BaseModel):
    available: bool
    reason: str | None
    source: SourceOut | None
    year: int | None
    status_indicator: str | None
    status_meaning: str | None
    apc: str | None
    relative_weight: float | None
    payment_rate: float | None
    copay: float | None
    minimum_copay: float | None
    note: str | None


class AnesthesiaOut(BaseModel):
    available: bool
    reason: str | None
    source: SourceOut | None
    year: int | None
    locality: LocalityRefOut
    conversion_factor: float | None
    national_conversion_factor: float | None
    base_units: float | None
    time_unit_minutes: int
    amount_per_time_unit: float | None
    explanation: str | None


class MueOut(BaseModel):
    setting: str
    setting_label: str
    value: int
    indicator: str
    indicator_meaning: str | None
    rationale: str
    source: SourceOut | None


class PaymentOut(BaseModel):
    system: str
    code: str
    display: str
    locality: LocalityRefOut
    pfs: PfsOut
    clfs: ClfsOut
    opps: OppsOut
    anesthesia: AnesthesiaOut
    mue: list[MueOut]
    mue_reason: str | None
    notes: list[str]


class CountyOut(BaseModel):
    state_name: str
    area: str
    counties: str


class LocalityOut(BaseModel):
    id: str
    mac: str
    locality: str
    state: str
    name: str
    gpci: dict[str, float | None]
    anesthesia_conversion_factor: float | None
    counties: list[CountyOut]


class LocalityList(BaseModel):
    format: str
    localities: list[LocalityOut]


def _error(status: int, message: str) -> JSONResponse:
    return error_response(status, message)


@router.get(
    "/codes/{system}/{code}/payment",
    response_model=PaymentOut,
    summary="What Medicare pays for a CPT or HCPCS code, nationally or in one locality, and its MUE limits",
    responses={404: {"description": "Unknown system or code"}, 422: {"description": "Unknown locality"}},
)
def api_payment(
    request: Request,
    system: str,
    code: str,
    locality: str | None = Query(
        None, max_length=40, description=f"Medicare locality, {LOCALITY_FORMAT}; national amounts when absent"
    ),
):
    if system not in SYSTEMS:
        return unknown_system(system)
    if system not in PAID_SYSTEMS:
        return _error(404, "Medicare payment is listed for CPT and HCPCS Level II codes only")
    store = get_store(request)
    rec = store.get(system, code[:40])
    if rec is None:
        return _error(404, f"{code[:40]!r} is not a {SYSTEM_LABELS[system]}")
    try:
        doc = payment_json(payment_for(store, system, rec.code, locality))
    except UnknownLocality as exc:
        return _error(422, str(exc))
    return {**doc, "display": rec.display}


@router.get(
    "/localities", response_model=LocalityList, summary="Medicare payment localities with states and counties"
)
def api_localities(request: Request):
    return {
        "format": LOCALITY_FORMAT,
        "localities": [locality_json(loc) for loc in localities(get_store(request))],
    }

"""GET /api/v1/codes/{system}/{code}: one code's full record (the document `medcodes show --json` prints)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from medcodes.documents import CodeOut, code_document, code_ref
from medcodes.models import SYSTEMS
from medcodes.systems import LABELS
from medcodes.web.api.errors import error_response, unknown_system
from medcodes.web.deps import StoreDep

router = APIRouter(tags=["codes"])


@router.get(
    "/codes/{system}/{code}",
    response_model=CodeOut,
    summary="One code: descriptor, hierarchy, children and notes",
    responses={404: {"description": "Unknown system, or unknown code (with the nearest existing codes)"}},
)
def api_code(
    store: StoreDep,
    system: str,
    code: str,
    on: date | None = Query(
        None, alias="date", description="Date of service (YYYY-MM-DD): was the code valid and billable then?"
    ),
) -> CodeOut | JSONResponse:
    if system not in SYSTEMS:
        return unknown_system(system)
    doc = code_document(store, system, code, on=on)
    if doc is None:
        near = store.nearest(code, system)
        return error_response(
            404, f"{code!r} is not a {LABELS[system]}", nearest=[code_ref(r).model_dump() for r in near]
        )
    return doc

"""GET /api/v1/codes/{system}/{code}/similar: the ranked similar codes with a reason for each."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from medcodes.documents import SimilarList, similar_document
from medcodes.models import SYSTEMS
from medcodes.systems import LABELS
from medcodes.web.deps import StoreDep

router = APIRouter(tags=["similar"])


@router.get(
    "/codes/{system}/{code}/similar",
    response_model=SimilarList,
    summary="Codes a coder would consider instead, each with the reason",
    responses={404: {"description": "Unknown system or code"}},
)
def api_similar(store: StoreDep, system: str, code: str, limit: int = Query(10, ge=1, le=50)):
    if system not in SYSTEMS:
        return JSONResponse(
            status_code=404, content={"error": f"unknown system {system[:40]!r}", "status": 404}
        )
    rec = store.get(system, code[:40])
    if rec is None:
        return JSONResponse(
            status_code=404,
            content={"error": f"{code[:40]!r} is not a {LABELS[system]}", "status": 404},
        )
    return similar_document(store, rec, limit)

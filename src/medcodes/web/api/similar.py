"""GET /api/v1/codes/{system}/{code}/similar: the ranked similar codes with a reason for each."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from medcodes.models import SYSTEMS
from medcodes.similar import similar_for
from medcodes.systems import LABELS
from medcodes.web.deps import StoreDep

router = APIRouter(tags=["similar"])


class SimilarOut(BaseModel):
    system: str
    code: str
    display: str
    title: str
    reason: str
    score: float
    url: str


class SimilarList(BaseModel):
    system: str
    code: str
    display: str
    similar: list[SimilarOut]


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
    items = [
        SimilarOut(
            **{k: getattr(s, k) for k in ("system", "code", "display", "title", "reason", "score")},
            url=f"/codes/{s.system}/{s.display}",
        )
        for s in similar_for(store, system, rec.code, limit)
    ]
    return SimilarList(system=system, code=rec.code, display=rec.display, similar=items)

"""GET /api/v1/codes/{system}/{code}/similar: the ranked similar codes with a reason for each."""

from __future__ import annotations

from fastapi import APIRouter, Query

from medcodes.documents import SimilarList, similar_document
from medcodes.models import SYSTEMS
from medcodes.systems import LABELS
from medcodes.web.api.errors import error_response, unknown_system
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
        return unknown_system(system)
    rec = store.get(system, code[:40])
    if rec is None:
        return error_response(
            404,
            f"{code[:40]!r} is not a {LABELS[system]}",
        )
    return similar_document(store, rec, limit)

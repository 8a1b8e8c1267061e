"""The change feed: codes added, revised, deleted or terminated since a date."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from medcodes.history.service import change_document, changes
from medcodes.models import SYSTEMS
from medcodes.web.api.errors import unknown_system, unprocessable
from medcodes.web.deps import StoreDep

router = APIRouter(tags=["history"])


class ChangesOut(BaseModel):
    since: str
    until: str | None
    system: str | None
    total: int
    limit: int
    offset: int
    changes: list[dict]


@router.get(
    "/changes", response_model=ChangesOut, summary="Codes added, revised, deleted or terminated since a date"
)
def api_changes(
    store: StoreDep,
    since: date = Query(..., description="First day (YYYY-MM-DD)"),
    until: date | None = Query(None, description="Last day (YYYY-MM-DD); default: no end"),
    system: str | None = Query(None, description=f"Only this system: {', '.join(SYSTEMS)}"),
    limit: int = Query(500, ge=1, le=5000),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> ChangesOut | JSONResponse:
    if system is not None and system not in SYSTEMS:
        return unknown_system(system)
    try:
        feed = changes(store, since, until=until, system=system, limit=limit, offset=offset)
    except ValueError as exc:  # unknown system, since after until
        raise unprocessable(str(exc)[:300]) from None
    return ChangesOut(
        since=feed.since,
        until=feed.until,
        system=feed.system,
        total=feed.total,
        limit=limit,
        offset=offset,
        changes=[change_document(e) for e in feed.events],
    )

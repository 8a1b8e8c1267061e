"""GET /api/v1/search and /api/v1/autocomplete."""

from __future__ import annotations

from datetime import date
from enum import Enum

from fastapi import APIRouter, Query

from medcodes.documents import HitOut, SearchOut, deleted_codes, hit_document, hit_documents
from medcodes.history.service import history_filter
from medcodes.models import SYSTEMS
from medcodes.search import MAX_QUERY_CHARS, autocomplete, search
from medcodes.search.service import MAX_LIMIT, MAX_OFFSET
from medcodes.web.api.errors import unprocessable
from medcodes.web.deps import AsyncStoreDep

router = APIRouter(tags=["codes"])

System = Enum("System", {s: s for s in SYSTEMS}, type=str)  # type: ignore[misc]


# async: search() is sub-millisecond CPU work with no waiting, so it runs on the event loop;
# a hop to the thread pool and back cost more than the search itself (bench/search_speed.py).
@router.get("/search", response_model=SearchOut, summary="Search every code system")
async def api_search(
    store: AsyncStoreDep,
    q: str = Query(
        "",
        description=f"Code in any spelling, code prefix or range, or words (max {MAX_QUERY_CHARS} characters)",
    ),
    system: System | None = Query(None, description="Only this code system"),
    billable: bool | None = Query(None, description="true: billable codes only; false: headers only"),
    active_on: date | None = Query(None, description="Only codes in effect on this date (YYYY-MM-DD)"),
    on: date | None = Query(
        None, alias="date", description="Date of service (YYYY-MM-DD): only codes valid then"
    ),
    include_deleted: bool = Query(False, description="Also deleted and terminated codes (marked as such)"),
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> SearchOut:
    sys_id = system.value if system else None
    try:
        res = search(
            store,
            q,
            system=sys_id,
            billable=billable,
            active_on=active_on or on,
            limit=limit,
            offset=offset,
            include_deleted=include_deleted,
        )
    except ValueError as exc:  # QueryTooLong, or a bad parameter found below the route
        raise unprocessable(str(exc)[:300]) from None
    results = res.results
    if on is not None:
        # On a date of service, `billable` already says what it was then; today's status is not asked.
        results = history_filter(store, results, on)
        exact = hit_document(res.exact) if res.exact else None
        hits = [hit_document(h) for h in results]
    else:
        shown = hit_documents(store, ([res.exact] if res.exact else []) + results)
        exact, hits = (shown[0], shown[1:]) if res.exact else (None, shown)
    return SearchOut(
        query=res.query,
        total=res.total,
        corrected_query=res.corrected_query,
        exact=exact,
        limit=limit,
        offset=offset,
        results=hits,
        deleted=[] if res.exact else deleted_codes(store, q, sys_id),
        unknown_codes=res.unknown,
    )


@router.get("/autocomplete", response_model=list[HitOut], summary="Suggestions for the search box")
async def api_autocomplete(
    store: AsyncStoreDep,
    q: str = Query("", description=f"What has been typed so far (max {MAX_QUERY_CHARS} characters)"),
    limit: int = Query(8, ge=1, le=20),
) -> list[HitOut]:
    try:
        return hit_documents(store, autocomplete(store, q, limit=limit))
    except ValueError as exc:  # QueryTooLong, or a bad parameter found below the route
        raise unprocessable(str(exc)[:300]) from None

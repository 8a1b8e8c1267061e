"""JSON API for policies as data: the JSONL export and the change feed (JSON and Atom).

Registered before the policy router so that /policies/export is not read as a policy id."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response, StreamingResponse

from medcodes.web.deps import get_store

router = APIRouter(tags=["policies"])


def _conn(request: Request):
    return get_store(request)


@router.get("/policies/export")
def export(request: Request):
    """Every policy as JSON Lines, one policy per line with its codes (no CPT descriptors)."""
    from medcodes.policies import export as ex

    return StreamingResponse(
        ex.jsonl(_conn(request)),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="policies.jsonl"'},
    )


def _changes(request: Request, since: str | None, limit: int):
    from medcodes.policies import export as ex

    try:
        return ex.changes_since(_conn(request), since, limit)
    except ex.BadSince as exc:
        raise HTTPException(400, detail=str(exc)) from None


@router.get("/policies/changes")
def changes(
    request: Request, since: str | None = Query(None, max_length=40), limit: int = Query(500, ge=1, le=5000)
):
    """Policies added or changed at or after `since` (YYYY-MM-DD or ISO date-time), newest first."""
    rows = _changes(request, since, limit)
    return {"since": since, "count": len(rows), "changes": [asdict(c) for c in rows]}


@router.get("/policies/changes.atom")
def changes_atom(
    request: Request, since: str | None = Query(None, max_length=40), limit: int = Query(200, ge=1, le=5000)
):
    """The same changes as an Atom feed."""
    from medcodes.policies import export as ex

    rows = _changes(request, since, limit)
    base = str(request.base_url)
    return Response(ex.atom(rows, base, str(request.url)), media_type="application/atom+xml")

"""The core JSON API: search, autocomplete and one code's full record, plus JSON error handling.

Feature routers (explanation, policies, similar) add their own paths below /codes/{system}/{code}/;
nothing here catches those.
"""

from __future__ import annotations

import logging
from datetime import date
from enum import Enum

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from medcodes.models import SYSTEM_LABELS, SYSTEMS
from medcodes.search import MAX_QUERY_CHARS, Hit, QueryTooLong, autocomplete, search
from medcodes.search.service import MAX_LIMIT, MAX_OFFSET
from medcodes.store import Store

log = logging.getLogger(__name__)
router = APIRouter(tags=["codes"])

System = Enum("System", {s: s for s in SYSTEMS}, type=str)  # type: ignore[misc]


class HitOut(BaseModel):
    system: str
    code: str
    display: str
    title: str
    kind: str
    billable: bool
    breadcrumb: list[str]
    score: float
    highlight: str | None = None
    url: str


class SearchOut(BaseModel):
    query: str
    total: int
    corrected_query: str | None
    exact: HitOut | None = None
    limit: int
    offset: int
    results: list[HitOut]


class Crumb(BaseModel):
    code: str
    display: str
    title: str


class Child(Crumb):
    billable: bool
    kind: str


class NoteOut(BaseModel):
    type: str
    text: str
    inherited_from: str | None = None  # display code of the ancestor the note belongs to


class CodeOut(BaseModel):
    system: str
    label: str
    code: str
    display: str
    title: str
    short_title: str | None
    kind: str
    billable: bool
    effective_date: str | None
    termination_date: str | None
    url: str
    breadcrumb: list[Crumb]
    children: list[Child]
    notes: list[NoteOut]
    attrs: dict
    data_version: str | None


def _store(request: Request) -> Store:
    return request.app.state.store


def _url(system: str, display: str) -> str:
    return f"/codes/{system}/{display}"


def _hit(h: Hit) -> HitOut:
    return HitOut(
        system=h.system,
        code=h.code,
        display=h.display,
        title=h.title,
        kind=h.kind,
        billable=h.billable,
        breadcrumb=h.breadcrumb,
        score=h.score,
        highlight=h.highlight,
        url=_url(h.system, h.display),
    )


def _unprocessable(message: str) -> HTTPException:
    return HTTPException(status_code=422, detail=message)


@router.get("/search", response_model=SearchOut, summary="Search every code system")
def api_search(
    request: Request,
    q: str = Query("", description=f"Code in any spelling, code prefix or range, or words (max {MAX_QUERY_CHARS} characters)"),
    system: System | None = Query(None, description="Only this code system"),
    billable: bool | None = Query(None, description="true: billable codes only; false: headers only"),
    active_on: date | None = Query(None, description="Only codes in effect on this date (YYYY-MM-DD)"),
    limit: int = Query(20, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> SearchOut:
    try:
        res = search(
            _store(request),
            q,
            system=system.value if system else None,
            billable=billable,
            active_on=active_on,
            limit=limit,
            offset=offset,
        )
    except QueryTooLong as exc:
        raise _unprocessable(str(exc)) from None
    return SearchOut(
        query=res.query,
        total=res.total,
        corrected_query=res.corrected_query,
        exact=_hit(res.exact) if res.exact else None,
        limit=limit,
        offset=offset,
        results=[_hit(h) for h in res.results],
    )


@router.get("/autocomplete", response_model=list[HitOut], summary="Suggestions for the search box")
def api_autocomplete(
    request: Request,
    q: str = Query("", description=f"What has been typed so far (max {MAX_QUERY_CHARS} characters)"),
    limit: int = Query(8, ge=1, le=20),
) -> list[HitOut]:
    try:
        return [_hit(h) for h in autocomplete(_store(request), q, limit=limit)]
    except QueryTooLong as exc:
        raise _unprocessable(str(exc)) from None


def code_document(store: Store, system: str, code: str) -> CodeOut | None:
    rec = store.get(system, code)
    if rec is None:
        return None
    crumbs = store.breadcrumb(system, rec.code)
    notes = [NoteOut(type=n.type, text=n.text) for n in store.notes(system, rec.code)]
    # Notes on a category bind every code below it, so a code's page shows them too.
    for anc in reversed(crumbs):
        notes += [NoteOut(type=n.type, text=n.text, inherited_from=anc.display) for n in store.notes(system, anc.code)]
    return CodeOut(
        system=rec.system,
        label=SYSTEM_LABELS[rec.system],
        code=rec.code,
        display=rec.display,
        title=rec.title,
        short_title=rec.short_title,
        kind=rec.kind,
        billable=rec.billable,
        effective_date=rec.effective_date,
        termination_date=rec.termination_date,
        url=_url(rec.system, rec.display),
        breadcrumb=[Crumb(code=b.code, display=b.display, title=b.title) for b in crumbs],
        children=[
            Child(code=c.code, display=c.display, title=c.title, billable=c.billable, kind=c.kind)
            for c in store.children(system, rec.code)
        ],
        notes=notes,
        attrs=rec.attrs,
        data_version=store.data_versions().get(system),
    )


@router.get(
    "/codes/{system}/{code}",
    response_model=CodeOut,
    summary="One code: descriptor, hierarchy, children and notes",
    responses={404: {"description": "Unknown system, or unknown code (with the nearest existing codes)"}},
)
def api_code(request: Request, system: str, code: str) -> CodeOut | JSONResponse:
    if system not in SYSTEMS:
        return JSONResponse(
            status_code=404,
            content={"error": f"unknown system {system[:40]!r}; choose from {', '.join(SYSTEMS)}", "status": 404},
        )
    if len(code) > 40:
        raise _unprocessable("code is longer than 40 characters")
    store = _store(request)
    doc = code_document(store, system, code)
    if doc is None:
        near = store.nearest(code, system)
        return JSONResponse(
            status_code=404,
            content={
                "error": f"{code!r} is not a {SYSTEM_LABELS[system]}",
                "status": 404,
                "nearest": [
                    {"system": r.system, "code": r.code, "display": r.display, "title": r.title, "url": _url(r.system, r.display)}
                    for r in near
                ],
            },
        )
    return doc


# -- JSON errors -------------------------------------------------------------------------------


def _field(loc) -> str:
    parts = [str(p) for p in loc if p not in ("query", "path", "body")]
    return ".".join(parts) or "request"


def install(app: FastAPI) -> None:
    """JSON error bodies for the API: {"error": message, "status": code}; never a traceback."""

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        return JSONResponse({"error": message, "status": exc.status_code}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        problems = [f"{_field(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in exc.errors()]
        return JSONResponse(
            {"error": "; ".join(problems) or "invalid request", "status": 422, "problems": problems},
            status_code=422,
        )

    @app.exception_handler(ValueError)
    async def _value(request: Request, exc: ValueError):
        # Bad parameters caught below the route (limit, system, query); the message is meant for people.
        return JSONResponse({"error": str(exc)[:300], "status": 422}, status_code=422)

"""The search results page: `/search?q=`; a query that is exactly one code goes straight to its page."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from medcodes.documents import with_common_names
from medcodes.history.service import code_history, deleted_codes, hit_statuses
from medcodes.models import SYSTEMS
from medcodes.search import search as _search
from medcodes.web.deps import get_store
from medcodes.web.pages.common import code_url, not_modified, redirect, render, system_alias
from medcodes.web.pages.errors import PageError

router = APIRouter()

PER_PAGE = 20
MAX_QUERY = 200  # characters; longer text is not a search people type
MAX_PAGE = 100


@router.get("/search")
def search_page(
    request: Request,
    q: str = Query("", max_length=10_000),
    system: str | None = None,
    billable: bool | None = None,
    include_deleted: bool = False,
    page: int = Query(1, ge=1, le=MAX_PAGE),
):
    store = get_store(request)
    q = q.strip()
    if len(q) > MAX_QUERY:
        raise PageError(422, f"Searches are limited to {MAX_QUERY} characters; yours had {len(q)}.")
    if system:
        sid = system_alias(system)
        if sid is None:
            raise PageError(422, "Unknown code system. Choose one of: " + ", ".join(SYSTEMS) + ".", query=q)
        system = sid
    if not q:
        return render(request, store, "search.html", q="", result=None, system=system, page=1, pages=0)
    cached = not_modified(store, request)
    if cached:
        return cached
    try:
        result = _search(
            store,
            q,
            system=system,
            billable=billable,
            limit=PER_PAGE,
            offset=(page - 1) * PER_PAGE,
            include_deleted=include_deleted,
        )
    except ValueError as exc:  # QueryTooLong, or a parameter the search refuses
        raise PageError(422, str(exc) or "That search is too long.", query=q[:MAX_QUERY]) from None
    if result.exact is not None and page == 1:
        return redirect(code_url(result.exact.system, result.exact.display), status=302)
    if result.exact is None and page == 1 and (gone := deleted_codes(store, q, system)) and len(gone) == 1:
        return redirect(code_url(gone[0].system, gone[0].display), status=302)  # typed exactly: its page
    pages = min(MAX_PAGE, (result.total + PER_PAGE - 1) // PER_PAGE)
    with_common_names(store, result.results)
    statuses = hit_statuses(store, [(h.system, h.code) for h in result.results])
    flagged = {k: code_history(store, *k) for k, st in statuses.items() if st.status != "active"}
    return render(
        request,
        store,
        "search.html",
        q=q,
        result=result,
        system=system,
        billable=billable,
        page=page,
        pages=pages,
        cpt=any(h.system == "cpt" for h in result.results),
        flagged=flagged,
        canonical=None,
    )

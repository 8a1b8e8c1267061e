"""HTML pages: the home page and browsing a system's codes."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from medcodes.models import SYSTEMS
from medcodes.systems import NAMES
from medcodes.web.deps import get_store
from medcodes.web.pages.common import not_modified, redirect, render, site_info, system_alias
from medcodes.web.pages.errors import PageError

router = APIRouter(include_in_schema=False)

ROOTS_PER_PAGE = 500


@router.get("/")
def home(request: Request):
    store = get_store(request)
    if cached := not_modified(store, request):
        return cached
    return render(request, store, "home.html", cpt=site_info(store)["has_cpt"])


@router.get("/codes")
def systems_index(request: Request):
    return redirect("/#browse", status=302)


@router.get("/codes/{system}")
def browse_system(request: Request, system: str, page: int = Query(1, ge=1, le=1000)):
    store = get_store(request)
    if system not in SYSTEMS:
        alias = system_alias(system)
        if alias:
            return redirect(f"/codes/{alias}")
        raise PageError(
            404, f"“{system[:40]}” is not a code system medcodes knows.", title="Unknown code system"
        )
    if cached := not_modified(store, request):
        return cached
    roots = store.children(system, None)
    if not roots:
        raise PageError(404, f"This database holds no {NAMES[system]} codes.", title="No codes loaded")
    pages = (len(roots) + ROOTS_PER_PAGE - 1) // ROOTS_PER_PAGE
    if page > pages:
        raise PageError(404, f"The {NAMES[system]} list has only {pages} page(s).")
    return render(
        request,
        store,
        "browse.html",
        system=system,
        roots=roots[(page - 1) * ROOTS_PER_PAGE : page * ROOTS_PER_PAGE],
        total=len(roots),
        page=page,
        pages=pages,
        cpt=system == "cpt",
    )

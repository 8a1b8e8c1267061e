"""HTML pages: home, browse, policies, and the routers of the other page modules."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware

from medcodes.models import SYSTEM_NAMES, SYSTEMS
from medcodes.web import pages_code, pages_errors, pages_search, seo
from medcodes.web import pages_services as services
from medcodes.web.app import get_store
from medcodes.web.pages_common import not_modified, redirect, render, site_info, system_alias
from medcodes.web.pages_errors import PageError

router = APIRouter(include_in_schema=False)

ROOTS_PER_PAGE = 500
_POLICY_ID = re.compile(r"^[A-Za-z0-9._:~-]{1,160}$")

DISPOSITION_LABELS = {
    "covered": "Medically necessary",
    "not_medically_necessary": "Not medically necessary",
    "investigational": "Investigational or experimental",
    "prior_auth": "Prior authorization required",
    "listed": "Listed in the policy",
}


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
        raise PageError(404, f"This database holds no {SYSTEM_NAMES[system]} codes.", title="No codes loaded")
    pages = (len(roots) + ROOTS_PER_PAGE - 1) // ROOTS_PER_PAGE
    if page > pages:
        raise PageError(404, f"The {SYSTEM_NAMES[system]} list has only {pages} page(s).")
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


@router.get("/policies/{policy_id}")
def policy_page(request: Request, policy_id: str):
    store = get_store(request)
    if not _POLICY_ID.match(policy_id):
        raise PageError(422, "That is not a policy identifier.", title="Not a valid policy id")
    if cached := not_modified(store, request):
        return cached
    sec = services.policy(store, policy_id)
    if not sec.available:
        raise PageError(404, "Medical policies are not available in this build of medcodes yet.")
    if sec.error:
        raise PageError(500, "This policy could not be loaded.")
    detail = sec.items
    if detail is None:
        raise PageError(404, f"There is no policy “{policy_id}” in this database.", title="Policy not found")
    groups = [
        (key, DISPOSITION_LABELS.get(key, key.replace("_", " ").capitalize()), rows)
        for key, rows in sorted(
            detail.codes.items(),
            key=lambda kv: list(DISPOSITION_LABELS).index(kv[0]) if kv[0] in DISPOSITION_LABELS else 99,
        )
    ]
    n = sum(len(rows) for _, _, rows in groups)
    from medcodes.policies.criteria import extras_of
    from medcodes.policies.export import http_url

    return render(
        request,
        store,
        "policy.html",
        policy=detail,
        extras=extras_of(store, detail.id),
        original_url=http_url(detail.url),
        groups=groups,
        n_codes=n,
        cpt=any(r.get("system") == "cpt" for _, _, rows in groups for r in rows),
    )


router.include_router(seo.router)
router.include_router(pages_search.router)
router.include_router(pages_code.router)


class _StaticFiles(StaticFiles):
    """Static files under versioned URLs (?v=hash), so browsers may keep them for a year."""

    async def get_response(self, path, scope):
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def install(app: FastAPI) -> None:
    """Add the HTML side to the app: pages, static files, gzip and HTML error pages."""
    app.add_middleware(GZipMiddleware, minimum_size=800, compresslevel=6)
    app.mount("/static", _StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.include_router(router)
    pages_errors.install(app)
    # The home page and footers need whole-database counts; take them now, not on the first visitor's time.
    site_info(app.state.store)

"""The HTML face: one router module per page group, the static files, gzip and the HTML error pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware

from medcodes.web.pages import bill, browse, code, errors, policies, search, seo
from medcodes.web.pages.common import site_info

# In this order: the first matching route wins.
ROUTERS = (bill.router, browse.router, policies.router, seo.router, search.router, code.router)


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
    app.mount("/static", _StaticFiles(directory=Path(__file__).parents[1] / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)
    errors.install(app)
    # The home page and footers need whole-database counts; take them now, not on the first visitor's time.
    site_info(app.state.live.current())

"""The FastAPI application: HTML pages and the JSON API under /api/v1, over one read-only database."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, Request

from medcodes import __version__
from medcodes.store import Store


def create_app(db_path: Path | str | None = None, cors_origins: list[str] | None = None) -> FastAPI:
    store = Store(db_path)
    app = FastAPI(
        title="medcodes",
        version=__version__,
        description="Search and explain CPT, HCPCS Level II, ICD-10-CM and ICD-10-PCS codes.",
        openapi_url="/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.store = store
    from medcodes.web import api, api_explain, api_policies, api_policy_feed, api_similar

    for module in (api, api_explain, api_policy_feed, api_policies, api_similar):
        app.include_router(module.router, prefix="/api/v1")
    api.install(app)  # JSON error bodies; the pages' handlers below defer to them for /api paths
    _cors(app, cors_origins)
    # HTML pages, static files, gzip and HTML error pages. Last, so that its error handlers can hand
    # /api requests to the JSON handlers registered above.
    from medcodes.web import pages

    pages.install(app)
    return app


def _cors(app: FastAPI, origins: list[str] | None) -> None:
    """Let browser apps on other origins call the API: `cors_origins` or MEDCODES_CORS_ORIGINS
    (comma-separated, `*` for any). Off by default."""
    if origins is None:
        origins = [o.strip() for o in os.environ.get("MEDCODES_CORS_ORIGINS", "").split(",") if o.strip()]
    if origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET"], allow_headers=["*"])


def get_store(request: Request) -> Store:
    return request.app.state.store


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` with workers: the database path comes from MEDCODES_DB."""
    return create_app(os.environ.get("MEDCODES_DB"))

"""The FastAPI application: HTML pages and the JSON API under /api/v1, over one read-only database."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, Request

from medcodes import __version__
from medcodes.store import Store


def create_app(db_path: Path | str | None = None) -> FastAPI:
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
    from medcodes.web import api, api_explain, api_policies, api_similar

    for module in (api, api_explain, api_policies, api_similar):
        app.include_router(module.router, prefix="/api/v1")
    return app


def get_store(request: Request) -> Store:
    return request.app.state.store


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` with workers: the database path comes from MEDCODES_DB."""
    return create_app(os.environ.get("MEDCODES_DB"))

"""The FastAPI application: HTML pages, the JSON API under /api/v1, the FHIR facade under /fhir and the
NLM-compatible search under /api/{table}/v3/search, over one read-only database."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from medcodes import __version__
from medcodes.store import Store
from medcodes.web import api, fhir, openapi, pages
from medcodes.web.api import nlm
from medcodes.web.deps import get_store

__all__ = ["app_from_env", "create_app", "get_store"]


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
    api_app = api.install(app, store)  # its own app at /api/v1, with JSON errors
    fhir_app = fhir.create_fhir_app(store)  # OperationOutcome errors, application/fhir+json
    app.mount(fhir.PREFIX, fhir_app)
    nlm_app = nlm.create_nlm_app(store)  # after /api/v1, which would otherwise fall to it
    app.mount(nlm.PREFIX, nlm_app)
    openapi.describe(app, [(api.PREFIX, api_app), (nlm.PREFIX, nlm_app), (fhir.PREFIX, fhir_app)])
    _cors(app, cors_origins)
    pages.install(app)  # HTML pages, static files, gzip and HTML error pages
    return app


def _cors(app: FastAPI, origins: list[str] | None) -> None:
    """Let browser apps on other origins call the API: `cors_origins` or MEDCODES_CORS_ORIGINS
    (comma-separated, `*` for any). Off by default."""
    if origins is None:
        origins = [o.strip() for o in os.environ.get("MEDCODES_CORS_ORIGINS", "").split(",") if o.strip()]
    if origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET"], allow_headers=["*"])


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` with workers: the database path comes from MEDCODES_DB."""
    return create_app(os.environ.get("MEDCODES_DB"))

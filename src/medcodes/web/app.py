"""The FastAPI application: HTML pages, the JSON API under /api/v1, the FHIR facade under /fhir and the
NLM-compatible search under /api/{table}/v3/search, over one read-only database."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from medcodes import __version__
from medcodes.store.live import LiveStore
from medcodes.web import api, docs, fhir, openapi, pages, warm
from medcodes.web.api import nlm
from medcodes.web.deps import get_store
from medcodes.web.guard import Guard, allowed_hosts

__all__ = ["app_from_env", "create_app", "get_store"]


def create_app(
    db_path: Path | str | None = None,
    cors_origins: list[str] | None = None,
    *,
    base_url: str | None = None,
    allowed: list[str] | None = None,
    listen_host: str | None = None,
) -> FastAPI:
    """The app over the database at `db_path` (following its rebuilds, see store/live.py).

    `base_url` (or MEDCODES_BASE_URL) is the public address used in absolute links (canonical, robots.txt,
    sitemaps); without it, only requests whose Host is localhost, 127.0.0.1, ::1, `listen_host` (or
    MEDCODES_HOST) or one of `allowed` (or MEDCODES_ALLOWED_HOSTS, comma-separated) are answered."""
    live = LiveStore(db_path)
    app = FastAPI(
        title="medcodes",
        version=__version__,
        description="Search and explain CPT, HCPCS Level II, ICD-10-CM and ICD-10-PCS codes.",
        openapi_url="/openapi.json",
        docs_url=None,  # served by web/docs.py from local files
        redoc_url=None,
    )
    app.state.live = live
    base_url = base_url if base_url is not None else os.environ.get("MEDCODES_BASE_URL", "")
    app.state.base_url = base_url.rstrip("/") or None
    if allowed is None:
        allowed = _csv(os.environ.get("MEDCODES_ALLOWED_HOSTS", ""))
    listen_host = listen_host if listen_host is not None else os.environ.get("MEDCODES_HOST")
    api_app = api.install(app, live)  # its own app at /api/v1, with JSON errors
    fhir_app = fhir.create_fhir_app(live)  # OperationOutcome errors, application/fhir+json
    app.mount(fhir.PREFIX, fhir_app)
    docs.install(app)  # /api/docs before the /api mount below, which would otherwise take it
    nlm_app = nlm.create_nlm_app(live)  # after /api/v1, which would otherwise fall to it
    app.mount(nlm.PREFIX, nlm_app)
    openapi.describe(app, [(api.PREFIX, api_app), (nlm.PREFIX, nlm_app), (fhir.PREFIX, fhir_app)])
    _cors(app, cors_origins)
    pages.install(app)  # HTML pages, static files, gzip and HTML error pages
    hosts = None if app.state.base_url and not allowed else allowed_hosts(listen_host, allowed)
    app.add_middleware(Guard, hosts=hosts)  # outermost: runs before everything else
    return app


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _cors(app: FastAPI, origins: list[str] | None) -> None:
    """Let browser apps on other origins call the API: `cors_origins` or MEDCODES_CORS_ORIGINS
    (comma-separated, `*` for any). Off by default."""
    if origins is None:
        origins = _csv(os.environ.get("MEDCODES_CORS_ORIGINS", ""))
    if origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET"], allow_headers=["*"])


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` with workers (what `medcodes serve` runs): the database path
    comes from MEDCODES_DB. Each worker warms its caches in the background (web/warm.py)."""
    app = create_app(os.environ.get("MEDCODES_DB"))
    warm.start(app.state.live)
    return app

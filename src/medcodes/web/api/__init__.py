"""The JSON face: one router module per resource, on an application of its own mounted at /api/v1
with its own JSON error handlers. Its OpenAPI description is served by the main app at /openapi.json."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi

from medcodes import __version__
from medcodes.store.live import LiveStore
from medcodes.web.api import codes, errors, explain, history, payment, policies, search, similar

PREFIX = "/api/v1"
ROUTERS = (
    search.router,
    codes.router,
    explain.router,
    policies.router,
    similar.router,
    history.router,
    payment.router,
)


def create_api(live: LiveStore) -> FastAPI:
    api = FastAPI(title="medcodes API", version=__version__, openapi_url=None, docs_url=None, redoc_url=None)
    api.state.live = live
    for router in ROUTERS:
        api.include_router(router, dependencies=[Depends(errors.bounded_path)])
    errors.install(api)
    return api


def install(app: FastAPI, live: LiveStore) -> FastAPI:
    """Mount the API on `app` and describe it in `app`'s OpenAPI document."""
    api = create_api(live)
    app.mount(PREFIX, api)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=api.routes
            )
            spec["paths"] = {PREFIX + path: item for path, item in spec.get("paths", {}).items()}
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return api

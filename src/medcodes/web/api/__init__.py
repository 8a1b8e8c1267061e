"""The JSON face: one router module per resource, on an application of its own mounted at /api/v1
with its own JSON error handlers. Its OpenAPI description is served by the main app at /openapi.json."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from medcodes import __version__
from medcodes.store import Store
from medcodes.web.api import bill, codes, errors, explain, history, payment, policies, search, similar

PREFIX = "/api/v1"
ROUTERS = (
    search.router,
    codes.router,
    explain.router,
    policies.router,
    similar.router,
    history.router,
    payment.router,
    bill.router,
)


def create_api(store: Store) -> FastAPI:
    api = FastAPI(title="medcodes API", version=__version__, openapi_url=None, docs_url=None, redoc_url=None)
    api.state.store = store
    for router in ROUTERS:
        api.include_router(router)
    errors.install(api)
    return api


def install(app: FastAPI, store: Store) -> FastAPI:
    """Mount the API on `app` and describe it in `app`'s OpenAPI document."""
    api = create_api(store)
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

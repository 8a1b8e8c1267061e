"""The JSON face: one router module per resource, on an application of its own mounted at /api/v1
with its own JSON error handlers. Its OpenAPI description is served by the main app at /openapi.json."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from medcodes import __version__
from medcodes.store.live import LiveStore
from medcodes.web.api import (
    bill,
    codes,
    errors,
    explain,
    export,
    history,
    payment,
    policies,
    policy_feed,
    search,
    similar,
)

PREFIX = "/api/v1"
ROUTERS = (
    search.router,
    codes.router,
    explain.router,
    policy_feed.router,  # before policies: /policies/export is not a policy id
    policies.router,
    similar.router,
    history.router,
    payment.router,
    export.router,
    bill.router,
)


def create_api(live: LiveStore) -> FastAPI:
    api = FastAPI(title="medcodes API", version=__version__, openapi_url=None, docs_url=None, redoc_url=None)
    api.state.live = live
    for router in ROUTERS:
        api.include_router(router, dependencies=[Depends(errors.bounded_path)])
    errors.install(api)
    return api


def install(app: FastAPI, live: LiveStore) -> FastAPI:
    """Mount the API on `app` (web/openapi.py describes it in `app`'s OpenAPI document)."""
    api = create_api(live)
    app.mount(PREFIX, api)
    return api

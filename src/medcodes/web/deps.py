"""The one way a route reaches the database: the store of the newest finished build, taken once per request.

The app holds a `LiveStore` (store/live.py); the first call in a request takes its current `Store` and
pins it in the request's state, so every part of one response reads one build even if a rebuild
finishes meanwhile."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from medcodes.store import Store
from medcodes.store.live import LiveStore


def get_store(request: Request) -> Store:
    store = getattr(request.state, "store", None)
    if store is None:
        live: LiveStore = request.app.state.live
        store = request.state.store = live.current()
    return store


def build_of(scope_state: dict) -> str:
    """The build id a finished request read, for the response header (empty when it read none)."""
    store = scope_state.get("store")
    return store.build_id if isinstance(store, Store) else ""


StoreDep = Annotated[Store, Depends(get_store)]


async def get_store_async(request: Request) -> Store:
    """get_store for async routes: a stat at most every 0.25 s, not worth a hop to the thread pool."""
    return get_store(request)


AsyncStoreDep = Annotated[Store, Depends(get_store_async)]

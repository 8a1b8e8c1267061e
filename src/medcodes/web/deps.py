"""The one way a route reaches the database: the `Store` the app was created with."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from medcodes.store import Store


def get_store(request: Request) -> Store:
    return request.app.state.store


StoreDep = Annotated[Store, Depends(get_store)]


async def get_store_async(request: Request) -> Store:
    """get_store for async routes: a plain attribute read, not worth a hop to the thread pool."""
    return request.app.state.store


AsyncStoreDep = Annotated[Store, Depends(get_store_async)]

"""Error pages for people (404 with suggestions, 422, 500)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from medcodes.models import CodeRecord
from medcodes.web.api import errors as api_errors
from medcodes.web.deps import get_store
from medcodes.web.pages.common import render

log = logging.getLogger(__name__)

TITLES = {
    404: "Page not found",
    405: "Method not allowed",
    422: "We could not read that request",
    500: "Something went wrong",
}


class PageError(Exception):
    """Raised by a page handler to show an error page with a status, a message and suggested codes."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        title: str | None = None,
        suggestions: list[CodeRecord] | None = None,
        query: str = "",
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.title = title or TITLES.get(status, "Error")
        self.suggestions = suggestions or []
        self.query = query


def _store_or_none(request: Request):
    try:
        return get_store(request)
    except Exception:  # noqa: BLE001 - an error page must show even when the database cannot be read
        return None


def error_page(request: Request, status: int, message: str, **kw: Any):
    store = _store_or_none(request)
    suggestions = kw.pop("suggestions", None) or []
    return render(
        request,
        store,
        "error.html",
        status=status,
        cache=False,
        canonical=None,  # an error page has no canonical address (and must not echo a hostile path)
        title=kw.pop("title", None) or TITLES.get(status, "Error"),
        message=message,
        suggestions=suggestions,
        query=kw.pop("query", ""),
        cpt=any(s.system == "cpt" for s in suggestions),
        status_code=status,
    )


def _is_api(request: Request) -> bool:
    """Addresses under /api that the mounted API does not serve still answer in JSON."""
    return request.url.path.startswith("/api/")


def install(app: FastAPI) -> None:
    """HTML error pages for the pages; the API (mounted at /api/v1) has its own JSON handlers."""

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError):
        return error_page(
            request, exc.status, exc.message, title=exc.title, suggestions=exc.suggestions, query=exc.query
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if _is_api(request):
            return await api_errors.http_error(request, exc)
        message = {
            404: "There is no page at this address. Search for a code or a word below.",
            405: "This address does not accept that kind of request.",
        }.get(exc.status_code, str(exc.detail))
        return error_page(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        if _is_api(request):
            return await api_errors.validation_error(request, exc)
        fields = ", ".join(str(e.get("loc", ["?"])[-1]) for e in exc.errors())
        return error_page(request, 422, f"Some parts of the address could not be read ({fields}).")

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        if _is_api(request):
            return await api_errors.crash(request, exc)
        log.exception("unhandled error on %s", request.url.path)
        return error_page(request, 500, "The page could not be shown. Please try again in a moment.")

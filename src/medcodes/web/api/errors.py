"""JSON error bodies for the API: one shape, `{"status": code, "detail": message}`, never a traceback or HTML.

`error` repeats `detail` for clients written before the shape was settled; some errors add fields
(`nearest`, `problems`). One status per kind of failure:
- 404: an unknown system (in the path or as a `system` filter), code, policy or route;
- 422: a parameter that cannot be read or is out of bounds (a code longer than any real code, a limit);
- 400/431: a request the server refuses before routing (foreign Host header, oversized headers).

Registered on the API's own application (mounted at /api/v1), so no handler needs to ask which face
a request was for."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from medcodes.models import SYSTEMS

log = logging.getLogger(__name__)

MAX_CODE_CHARS = 40  # longer than any code of any system, in any spelling


def unprocessable(message: str) -> HTTPException:
    return HTTPException(status_code=422, detail=message)


def error_body(status: int, message: str, **extra: Any) -> dict[str, Any]:
    return {"status": status, "detail": message, "error": message, **extra}


def error_response(
    status: int, message: str, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    return JSONResponse(error_body(status, message, **extra), status_code=status, headers=headers)


def unknown_system(system: str) -> JSONResponse:
    return error_response(404, unknown_system_message(system))


def unknown_system_message(system: str) -> str:
    return f"unknown system {system[:40]!r}; choose from {', '.join(SYSTEMS)}"


def _field(loc) -> str:
    parts = [str(p) for p in loc if p not in ("query", "path", "body")]
    return ".".join(parts) or "request"


async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    return error_response(exc.status_code, message, headers=exc.headers)


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    for e in errors:
        if tuple(e.get("loc", ())) in (("query", "system"), ("path", "system")):
            return unknown_system(str(e.get("input", "")))
    problems = [f"{_field(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in errors]
    return error_response(422, "; ".join(problems) or "invalid request", problems=problems)


async def crash(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s", request.url.path)
    return error_response(500, "internal error")


def bounded_path(request: Request) -> None:
    """Router dependency, run before any route's own work: an unknown system in the path is a 404 and a
    code longer than any real one a 422, answered at once (looking up 20,000 characters took seconds)."""
    params = request.path_params
    system = params.get("system")
    if system is not None and system not in SYSTEMS:
        raise HTTPException(404, detail=unknown_system_message(system))
    code = params.get("code")
    if code is not None and len(code) > MAX_CODE_CHARS:
        raise HTTPException(422, detail=f"code is longer than {MAX_CODE_CHARS} characters")


def install(api: FastAPI) -> None:
    api.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    api.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    api.add_exception_handler(Exception, crash)

"""One OpenAPI document at /openapi.json for the applications mounted on the site: the JSON API
(/api/v1), the NLM-compatible search (/api) and the FHIR facade (/fhir)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi


def describe(app: FastAPI, mounted: list[tuple[str, FastAPI]]) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            paths: dict[str, Any] = {}
            schemas: dict[str, Any] = {}
            for prefix, sub in mounted:
                spec = get_openapi(title=app.title, version=app.version, routes=sub.routes)
                paths.update({prefix + path: item for path, item in spec.get("paths", {}).items()})
                schemas.update(spec.get("components", {}).get("schemas", {}))
            spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=[])
            spec["paths"] = paths
            if schemas:
                spec["components"] = {"schemas": schemas}
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

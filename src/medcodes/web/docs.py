"""/api/docs: Swagger UI from the files of the installed `swagger-ui-py` package, served by the app
itself (no CDN, nothing fetched from a third party), started by /static/swagger-init.js."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from medcodes.web.guard import DOCS_PATH

ASSETS = "/api/docs-assets"

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>medcodes API</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""


def assets_folder() -> Path | None:
    try:
        import swagger_ui  # swagger-ui-py: Swagger UI 5, which reads the OpenAPI 3.1 that FastAPI writes
    except ImportError:  # the page then says how to get it
        return None
    folder = Path(swagger_ui.__file__).parent / "static"
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def install(app: FastAPI) -> None:
    folder = assets_folder()
    if folder is not None:
        app.mount(ASSETS, StaticFiles(directory=folder), name="swagger-ui")

    @app.get(DOCS_PATH, include_in_schema=False)
    def api_docs() -> HTMLResponse:
        if folder is None:
            return HTMLResponse(
                "<p>Swagger UI is not installed: <code>pip install swagger-ui-py</code>. "
                'The API description is at <a href="/openapi.json">/openapi.json</a>.</p>',
                status_code=503,
            )
        return HTMLResponse(PAGE, headers={"Cache-Control": "public, max-age=3600"})

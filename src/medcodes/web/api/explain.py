"""GET /api/v1/codes/{system}/{code}/explanation: the explanation a code page shows, with provenance."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from medcodes.codes import canonical
from medcodes.explain import explanation_for
from medcodes.explain.serialize import explanation_json
from medcodes.models import SYSTEMS
from medcodes.web.api.errors import error_response, unknown_system
from medcodes.web.deps import StoreDep

router = APIRouter()


def _error(status: int, message: str, **extra) -> JSONResponse:
    return error_response(status, message, **extra)


@router.get("/codes/{system}/{code}/explanation", tags=["explanations"])
def get_explanation(system: str, code: str, store: StoreDep):
    """Plain-language explanation of a code: sections of its kind, the writer (grounded or llm),
    model, creation time, reading level and check results."""
    if system not in SYSTEMS:
        return unknown_system(system)
    if not canonical(code):
        return _error(422, "empty code")
    expl = explanation_for(store, system, code)
    if expl is None:
        near = [r.display for r in store.nearest(code, system)]
        return _error(404, f"{system} code {code!r} not found", nearest=near)
    rec = store.get(system, code)
    return explanation_json(expl, display=rec.display if rec else expl.code)

"""The FHIR face: /fhir on an application of its own (errors as OperationOutcome, every answer
`application/fhir+json`). Routes read their inputs, hand them to `medcodes.fhir` and, for `filter`
in $expand, give it medcodes search: the face is where features are composed."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Body, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from medcodes import __version__, fhir
from medcodes.search import search
from medcodes.search.service import MAX_LIMIT
from medcodes.store import Store
from medcodes.store.live import LiveStore
from medcodes.web.deps import StoreDep

PREFIX = "/fhir"
FHIR_JSON = "application/fhir+json"
_ISSUE_BY_STATUS = {400: "invalid", 404: "not-found", 405: "not-supported", 422: "invalid"}


class FhirResponse(JSONResponse):
    media_type = FHIR_JSON


def outcome(status: int, code: str, message: str) -> FhirResponse:
    return FhirResponse(fhir.operation_outcome(code, message), status_code=status)


router = APIRouter(default_response_class=FhirResponse, tags=["FHIR terminology"])

# Shared query parameters, declared so that /openapi.json describes them.
System = Query(None, description="Code system URI, e.g. http://hl7.org/fhir/sid/icd-10-cm")
Code = Query(None, description="The code, e.g. S52.501A")
Version = Query(None, description="Code system version; must be the loaded one")
Date = Query(None, description="Answer as of this date (YYYY, YYYY-MM or YYYY-MM-DD)")
Display = Query(None, description="A display to check against the code's names")
Url = Query(None, description="Value set URL, e.g. http://hl7.org/fhir/sid/icd-10-cm?fhir_vs=isa/E11")
Body_ = Body(..., description="A FHIR Parameters resource", media_type=FHIR_JSON)


def _query(request: Request) -> fhir.Inputs:
    return fhir.from_query([(k, v) for k, v in request.query_params.multi_items() if k != "_format"])


def _finder(store: Store):
    """medcodes search as $expand's `filter`: words, lay terms and misspellings, ranked."""

    def find(text: str, system: str, active_on: date | None, limit: int, offset: int):
        found: list[fhir.Found] = []
        total = 0
        while len(found) < limit:
            page = min(MAX_LIMIT, limit - len(found))
            res = search(
                store, text, system=system, active_on=active_on, limit=page, offset=offset + len(found)
            )
            total = res.total
            found += [fhir.Found(h.system, h.code, h.display, h.title, h.kind) for h in res.results]
            if len(res.results) < page:
                break
        if limit == 0:
            total = search(store, text, system=system, active_on=active_on, limit=1).total
        return total, found

    return find


@router.get("/metadata", summary="CapabilityStatement, or TerminologyCapabilities with mode=terminology")
def metadata(store: StoreDep, mode: str | None = Query(None, description="full (default) or terminology")):
    if mode in (None, "", "full", "normative"):
        return fhir.capability_statement(store)
    if mode == "terminology":
        return fhir.terminology_capabilities(store)
    raise fhir.FhirError(400, "invalid", f"mode must be full, normative or terminology, not {mode[:30]!r}")


@router.get("/CodeSystem", summary="Search the code systems by url")
def code_system_search(
    store: StoreDep,
    url: str | None = Query(None, description="Code system URI (aliases accepted)"),
    _id: str | None = Query(None, alias="_id", description="cpt, hcpcs, icd10cm or icd10pcs"),
):
    return fhir.search(store, url=url, id_=_id)


@router.get("/CodeSystem/$lookup", summary="Look up a code: display, designations and properties")
def lookup_get(
    request: Request,
    store: StoreDep,
    system: str | None = System,
    code: str | None = Code,
    version: str | None = Version,
    date: str | None = Date,
    property: list[str] = Query([], description="Only these properties (parent, child, status, ...)"),
):
    return fhir.lookup(store, _query(request))


@router.post("/CodeSystem/$lookup", summary="$lookup with a Parameters resource")
def lookup_post(store: StoreDep, body: dict[str, Any] = Body_):
    return fhir.lookup(store, fhir.from_parameters(body))


@router.get("/CodeSystem/$validate-code", summary="Is the code (and display) valid in the code system?")
def cs_validate_get(
    request: Request,
    store: StoreDep,
    url: str | None = Query(None, description="Code system URI"),
    system: str | None = System,
    code: str | None = Code,
    display: str | None = Display,
    version: str | None = Version,
    date: str | None = Date,
):
    return fhir.validate_code(store, _query(request))


@router.post("/CodeSystem/$validate-code", summary="$validate-code with a Parameters resource")
def cs_validate_post(store: StoreDep, body: dict[str, Any] = Body_):
    return fhir.validate_code(store, fhir.from_parameters(body))


@router.get("/CodeSystem/$subsumes", summary="How two codes of one system relate in the hierarchy")
def subsumes_get(
    request: Request,
    store: StoreDep,
    system: str | None = System,
    codeA: str | None = Query(None, description="First code"),
    codeB: str | None = Query(None, description="Second code"),
    version: str | None = Version,
):
    return fhir.subsumes(store, _query(request))


@router.post("/CodeSystem/$subsumes", summary="$subsumes with a Parameters resource")
def subsumes_post(store: StoreDep, body: dict[str, Any] = Body_):
    return fhir.subsumes(store, fhir.from_parameters(body))


@router.get("/CodeSystem/{id}/$lookup", summary="$lookup in one code system")
def lookup_instance(request: Request, store: StoreDep, id: str, code: str | None = Code):
    fhir.read(store, id)
    return fhir.lookup(store, _query(request), default_system=id)


@router.get("/CodeSystem/{id}/$validate-code", summary="$validate-code in one code system")
def cs_validate_instance(
    request: Request, store: StoreDep, id: str, code: str | None = Code, display: str | None = Display
):
    fhir.read(store, id)
    return fhir.validate_code(store, _query(request), default_system=id)


@router.get("/CodeSystem/{id}", summary="One code system: cpt, hcpcs, icd10cm or icd10pcs")
def code_system_read(store: StoreDep, id: str):
    return fhir.read(store, id)


@router.get("/ValueSet/$expand", summary="Expand an implicit value set, optionally filtered by a search")
def expand_get(
    request: Request,
    store: StoreDep,
    url: str | None = Url,
    filter: str | None = Query(None, description="Words, lay terms or misspellings, e.g. diabetis"),
    count: int | None = Query(None, ge=0, le=1000, description="Page size (default 100)"),
    offset: int | None = Query(None, ge=0, le=10_000, description="Where the page starts"),
    activeOnly: bool | None = Query(None, description="Only codes in effect (today, or on `date`)"),
    date: str | None = Date,
):
    return fhir.expand(store, _query(request), _finder(store))


@router.post("/ValueSet/$expand", summary="$expand with a Parameters resource")
def expand_post(store: StoreDep, body: dict[str, Any] = Body_):
    return fhir.expand(store, fhir.from_parameters(body), _finder(store))


@router.get("/ValueSet/$validate-code", summary="Is the code in the implicit value set?")
def vs_validate_get(
    request: Request,
    store: StoreDep,
    url: str | None = Url,
    system: str | None = System,
    code: str | None = Code,
    display: str | None = Display,
    date: str | None = Date,
):
    return fhir.validate_in_value_set(store, _query(request))


@router.post("/ValueSet/$validate-code", summary="ValueSet $validate-code with a Parameters resource")
def vs_validate_post(store: StoreDep, body: dict[str, Any] = Body_):
    return fhir.validate_in_value_set(store, fhir.from_parameters(body))


@router.get("/ConceptMap/$translate", summary="Deleted or replaced code -> the code to use instead")
def translate_get(
    request: Request,
    store: StoreDep,
    system: str | None = System,
    code: str | None = Code,
    targetsystem: str | None = Query(None, description="Only successors in this code system"),
    url: str | None = Query(None, description="The ConceptMap (optional)"),
):
    return fhir.translate(store, _query(request))


@router.post("/ConceptMap/$translate", summary="$translate with a Parameters resource")
def translate_post(store: StoreDep, body: dict[str, Any] = Body_):
    return fhir.translate(store, fhir.from_parameters(body))


# -- errors -----------------------------------------------------------------------------------


async def _fhir_error(request: Request, exc: fhir.FhirError) -> FhirResponse:
    return outcome(exc.status, exc.code, exc.message)


async def _http_error(request: Request, exc: StarletteHTTPException) -> FhirResponse:
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    if exc.status_code == 404:
        message = f"no such FHIR endpoint: {request.url.path[:200]}"
    return outcome(exc.status_code, _ISSUE_BY_STATUS.get(exc.status_code, "processing"), message)


async def _invalid(request: Request, exc: RequestValidationError) -> FhirResponse:
    problems = []
    for e in exc.errors():
        where = ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "path", "body"))
        problems.append(f"{where or 'request'}: {e.get('msg', 'invalid')}")
    return outcome(400, "invalid", "; ".join(problems) or "invalid request")


async def _crash(request: Request, exc: Exception) -> FhirResponse:
    import logging

    logging.getLogger(__name__).exception("unhandled error on %s", request.url.path)
    return outcome(500, "exception", "internal error")


def create_fhir_app(live: LiveStore) -> FastAPI:
    app = FastAPI(title="medcodes FHIR", version=__version__, openapi_url=None, docs_url=None, redoc_url=None)
    app.state.live = live
    app.include_router(router)
    app.add_exception_handler(fhir.FhirError, _fhir_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _crash)
    return app

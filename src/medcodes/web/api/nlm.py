"""GET /api/{table}/v3/search: the NLM Clinical Table Search Service's API over medcodes search, so
NLM's autocomplete-lhc widget and other clients of that service work unchanged.

The answer is NLM's array: `[total, [codes], {extra fields} or null, [[display fields], ...]]`.
Search is medcodes search (typos and lay words included), not NLM's prefix match."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import JSONResponse

from medcodes import __version__, systems
from medcodes.models import CodeRecord
from medcodes.search import search
from medcodes.search.service import MAX_LIMIT
from medcodes.store import Store
from medcodes.store.live import LiveStore
from medcodes.web.api import errors
from medcodes.web.deps import StoreDep

PREFIX = "/api"
TABLES = ("icd10cm", "icd10pcs", "hcpcs", "cpt")
DEFAULT_LIST = 7
MAX_LIST = 500
MAX_END = 7500  # offset + count, as NLM allows


def _common_name(rec: CodeRecord) -> str | None:
    value = getattr(rec, "common_name", None) or (rec.attrs or {}).get("common_name")
    return value if isinstance(value, str) and value else None


def _parent(rec: CodeRecord) -> str | None:
    return systems.get(rec.system).display(rec.parent) if rec.parent else None


def _obsolete(rec: CodeRecord) -> bool:
    return bool(rec.termination_date and rec.termination_date <= date.today().isoformat())


# Field name -> value of a code. NLM's own names for its icd10cm and hcpcs tables come first.
FIELDS: dict[str, Callable[[CodeRecord], Any]] = {
    "code": lambda r: r.display,
    "name": lambda r: r.title,
    "display": lambda r: r.title,
    "long_desc": lambda r: r.title,
    "short_desc": lambda r: r.short_title or r.title,
    "add_date": lambda r: r.effective_date,
    "term_date": lambda r: r.termination_date,
    "obsolete": _obsolete,
    "is_billable": lambda r: r.billable,
    "title": lambda r: r.title,
    "short_title": lambda r: r.short_title or r.title,
    "common_name": _common_name,
    "kind": lambda r: r.kind,
    "billable": lambda r: r.billable,
    "parent": _parent,
    "effective_date": lambda r: r.effective_date,
    "termination_date": lambda r: r.termination_date,
    "system": lambda r: r.system,
    "canonical": lambda r: r.code,
}
DEFAULT_DF = {"hcpcs": "code,display"}
# q= constraints: field -> (search keyword, value parser)
_TRUE = {"true": True, "false": False}


class BadRequest(ValueError):
    pass


def _fields(value: str | None, default: str, name: str) -> list[tuple[str, str]]:
    """`code,name:label` -> [(field, key)]; an unknown field is an error."""
    out = []
    for part in (value if value is not None else default).split(","):
        part = part.strip()
        if not part:
            continue
        field, _, alias = part.partition(":")
        if field not in FIELDS:
            raise BadRequest(f"{name}: unknown field {field[:40]!r}; fields are {', '.join(FIELDS)}")
        out.append((field, alias or field))
    return out


def _constraints(q: str | None) -> tuple[bool | None, bool]:
    """q= as NLM's field:value constraints; only billable and obsolete are understood here."""
    billable, current = None, False
    for term in (q or "").replace(" AND ", " ").split():
        field, _, value = term.partition(":")
        if field in ("is_billable", "billable") and value.lower() in _TRUE:
            billable = _TRUE[value.lower()]
        elif field == "obsolete" and value.lower() == "false":
            current = True
        else:
            raise BadRequest(
                f"q: unsupported constraint {term[:40]!r}; use is_billable:true|false or obsolete:false"
            )
    return billable, current


router = APIRouter(tags=["NLM Clinical Tables compatible"])


@router.get(
    "/{table}/v3/search",
    summary="NLM Clinical Tables-compatible search: [total, codes, extra, display rows]",
    response_model=list[Any],
)
def nlm_search(
    store: StoreDep,
    table: str,
    terms: str = Query("", max_length=200, description="What the user typed"),
    maxList: int | None = Query(None, ge=1, le=MAX_LIST, description="How many to return (overrides count)"),
    count: int = Query(DEFAULT_LIST, ge=1, le=MAX_LIST, description="Page size"),
    offset: int = Query(0, ge=0, le=MAX_END, description="Where the page starts"),
    df: str | None = Query(None, max_length=400, description="Display fields, e.g. code,name"),
    sf: str | None = Query(None, max_length=400, description="Search fields (accepted; search covers all)"),
    ef: str | None = Query(None, max_length=400, description="Extra fields, e.g. short_desc,billable:b"),
    cf: str = Query("code", max_length=40, description="The field used as the code"),
    q: str | None = Query(None, max_length=200, description="Constraints: is_billable:true, obsolete:false"),
) -> Any:
    if table not in TABLES:
        return errors.error_response(404, f"unknown table {table[:40]!r}; tables are {', '.join(TABLES)}")
    n = maxList or count
    if offset + n > MAX_END:
        return errors.error_response(400, f"offset + count may be at most {MAX_END}")
    try:
        display = _fields(df, DEFAULT_DF.get(table, "code,name"), "df")
        extra = _fields(ef, "", "ef")
        _fields(sf, "code,name", "sf")
        (code_field, _), *_ = _fields(cf, "code", "cf") or [("code", "code")]
        billable, current = _constraints(q)
    except BadRequest as exc:
        return errors.error_response(400, str(exc))
    total, records = _find(store, terms, table, billable, date.today() if current else None, n, offset)
    codes = [FIELDS[code_field](r) for r in records]
    extras = {key: [FIELDS[f](r) for r in records] for f, key in extra} if extra else None
    rows = [["" if (v := FIELDS[f](r)) is None else str(v) for f, _ in display] for r in records]
    return JSONResponse([total, codes, extras, rows])


def _find(store: Store, terms: str, system: str, billable, active_on, n: int, offset: int):
    """Up to n records from offset, in search order, paging through search 100 at a time."""
    records: list[CodeRecord] = []
    total = 0
    if not terms.strip():
        return 0, records
    while len(records) < n:
        page = min(MAX_LIMIT, n - len(records))
        try:
            res = search(
                store,
                terms,
                system=system,
                billable=billable,
                active_on=active_on,
                limit=page,
                offset=offset + len(records),
            )
        except ValueError:  # past search's deepest page
            break
        total = res.total
        for h in res.results:
            rec = store.get(h.system, h.code)
            if rec is not None:
                records.append(rec)
        if len(res.results) < page:
            break
    return total, records


def create_nlm_app(live: LiveStore) -> FastAPI:
    """Its own application (JSON errors like /api/v1), mounted at /api after /api/v1."""
    app = FastAPI(
        title="NLM-compatible search", version=__version__, openapi_url=None, docs_url=None, redoc_url=None
    )
    app.state.live = live
    app.include_router(router)
    errors.install(app)
    return app

"""GET /api/v1/export/{system}.jsonl and .csv: every code of a system, streamed in release order.

CPT rows come from the user's own files at build time, so an export of CPT is theirs too: the
response carries the AMA notice in a header."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from medcodes.documents import EXPORT_FIELDS, export_row
from medcodes.models import SYSTEMS, CodeRecord
from medcodes.store import Store
from medcodes.web.api.errors import error_response
from medcodes.web.deps import StoreDep

router = APIRouter(tags=["export"])
CPT_NOTICE = "CPT is a registered trademark of the American Medical Association; descriptors copyright AMA."
_PAGE = 2000


def _pages(store: Store, system: str) -> Iterator[list[CodeRecord]]:
    """The system's codes a page at a time: each page is one whole query, so the stream never holds a
    cursor open across the worker threads that pull it."""
    offset = 0
    while True:
        _, page = store.concepts(system, limit=_PAGE, offset=offset)
        if not page:
            return
        yield page
        offset += len(page)


def _jsonl(store: Store, system: str) -> Iterator[str]:
    for page in _pages(store, system):
        yield "".join(json.dumps(export_row(r), ensure_ascii=False) + "\n" for r in page)


def _csv(store: Store, system: str) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for page in _pages(store, system):
        for rec in page:
            row = export_row(rec)
            row["billable"] = "true" if row["billable"] else "false"
            writer.writerow(row)
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    yield buf.getvalue()


def _stream(store: Store, system: str, kind: str):
    if system not in SYSTEMS:
        return error_response(404, f"unknown system {system[:40]!r}; choose from {', '.join(SYSTEMS)}")
    media = "application/x-ndjson" if kind == "jsonl" else "text/csv; charset=utf-8"
    body = _jsonl(store, system) if kind == "jsonl" else _csv(store, system)
    headers = {"Content-Disposition": f'attachment; filename="{system}.{kind}"'}
    version = store.data_versions().get(system)
    if version:
        headers["X-Data-Version"] = version
    if system == "cpt":
        headers["X-Copyright"] = CPT_NOTICE
    return StreamingResponse(body, media_type=media, headers=headers)


@router.get(
    "/export/{system}.jsonl",
    summary="Every code of a system as JSON lines",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}, 404: {"description": "Unknown system"}},
)
def export_jsonl(store: StoreDep, system: str):
    return _stream(store, system, "jsonl")


@router.get(
    "/export/{system}.csv",
    summary="Every code of a system as CSV",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}, 404: {"description": "Unknown system"}},
)
def export_csv(store: StoreDep, system: str):
    return _stream(store, system, "csv")

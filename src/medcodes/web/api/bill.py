"""POST /api/v1/bill: a pasted bill or EOB explained line by line. The text is read from the request
body in memory and never stored or logged (the body is not echoed in errors either)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from medcodes.bill_document import MAX_BYTES, BillInputError, BillOut, check_text, decode_text, explain_bill
from medcodes.payment import UnknownLocality
from medcodes.web.deps import get_store

router = APIRouter(tags=["bill"])


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": message, "status": status}, status_code=status, headers={"Cache-Control": "no-store"}
    )


class BillRequestError(ValueError):
    pass


def options(body: dict) -> tuple[str, str | None, date | None, int | None, str | None]:
    """(text, locality, date, age, sex) from a request document; BillRequestError says what is wrong."""
    text = body.get("text")
    if not isinstance(text, str):
        raise BillRequestError('"text" is required: the pasted text of a bill or EOB, as a string')
    locality = body.get("locality")
    if locality is not None and not isinstance(locality, str):
        raise BillRequestError('"locality" must be a string such as "13202-01"')
    on = None
    if body.get("date"):
        try:
            on = date.fromisoformat(str(body["date"]))
        except ValueError:
            raise BillRequestError('"date" must be a date written YYYY-MM-DD') from None
    age = body.get("age")
    if age is not None and (isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 124):
        raise BillRequestError('"age" must be a whole number of years from 0 to 124')
    sex = body.get("sex")
    if sex is not None:
        sex = str(sex).strip().upper()[:1] or None
        if sex not in (None, "F", "M"):
            raise BillRequestError('"sex" must be "F" or "M"')
    return text, locality, on, age, sex


@router.post(
    "/bill",
    response_model=BillOut,
    summary="Explain a pasted bill or EOB: each code with its title, summary, Medicare amount and flags",
    responses={
        400: {"description": "Not JSON, not text, or a bad field"},
        413: {"description": f"Text over {MAX_BYTES:,} bytes"},
        422: {"description": "Unknown locality"},
    },
)
async def api_bill(request: Request):
    raw = await request.body()
    if len(raw) > MAX_BYTES + 10_000:  # room for the JSON around the text
        return _error(
            413,
            f"The request is {len(raw):,} bytes; the limit for pasted text is {MAX_BYTES:,} bytes (1 MB).",
        )
    try:
        if request.headers.get("content-type", "").startswith("text/plain"):
            body: dict[str, Any] = {
                "text": decode_text(raw),
                **{k: v for k, v in request.query_params.items() if k != "text"},
            }
            if "age" in body:
                body["age"] = int(body["age"]) if str(body["age"]).isdigit() else body["age"]
        else:
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return _error(400, 'The body must be JSON such as {"text": "..."} (UTF-8).')
            if not isinstance(body, dict):
                return _error(400, 'The body must be a JSON object such as {"text": "..."}.')
        text, locality, on, age, sex = options(body)
        check_text(text)
    except BillInputError as exc:
        return _error(exc.status, str(exc))
    except BillRequestError as exc:
        return _error(400, str(exc))
    try:
        out = explain_bill(get_store(request), text, locality=locality, on=on, age=age, sex=sex)
    except UnknownLocality as exc:
        return _error(422, str(exc))
    return JSONResponse(out.model_dump(), headers={"Cache-Control": "no-store"})

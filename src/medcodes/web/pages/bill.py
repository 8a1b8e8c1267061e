"""The /bill page: paste a bill or EOB into a plain form (no JavaScript needed), get every line
explained, printable. The form posts the text; it is read in memory and never stored or logged, and
the answer is sent with `Cache-Control: no-store` so no cache keeps it either."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs

from fastapi import APIRouter, Request

from medcodes.bill_document import MAX_BYTES, PRIVACY, BillInputError, check_text, explain_bill
from medcodes.payment import UnknownLocality, localities
from medcodes.store import Store
from medcodes.web.deps import get_store
from medcodes.web.pages.common import render

router = APIRouter()


def _states(store: Store) -> list[tuple[str, list[tuple[str, str]]]]:
    try:
        locs = localities(store)
    except Exception:  # a build without payment tables: the form offers national amounts only
        return []
    states: dict[str, list[tuple[str, str]]] = {}
    for loc in locs:
        states.setdefault(loc.state, []).append((loc.id, loc.name.title()))
    return sorted(states.items())


def _page(request: Request, store: Store, status: int = 200, **ctx):
    ctx.setdefault("form", {"text": "", "locality": "national", "date": "", "age": "", "sex": ""})
    ctx.setdefault("result", None)
    ctx.setdefault("error", None)
    resp = render(
        request,
        store,
        "bill.html",
        status=status,
        cache=False,
        cpt=bool(ctx["result"] and any(ln.system == "cpt" for ln in ctx["result"].lines)),
        states=_states(store),
        privacy=PRIVACY,
        max_bytes=MAX_BYTES,
        **ctx,
    )
    resp.headers["Cache-Control"] = "no-store"
    return resp


@router.get("/bill")
def bill_form(request: Request):
    return _page(request, get_store(request))


@router.post("/bill")
async def bill_result(request: Request):
    store = get_store(request)
    raw = await request.body()
    if len(raw) > MAX_BYTES * 3 + 10_000:  # form encoding can triple the size of the text
        return _page(request, store, 413, error=f"The text is over the limit of {MAX_BYTES:,} bytes (1 MB).")
    try:
        fields = {k: v[0] for k, v in parse_qs(raw.decode("utf-8"), keep_blank_values=True).items()}
    except UnicodeDecodeError:
        return _page(request, store, 400, error="The form could not be read as text.")
    form = {
        "text": fields.get("text", ""),
        "locality": fields.get("locality", "national") or "national",
        "date": fields.get("date", "").strip(),
        "age": fields.get("age", "").strip(),
        "sex": fields.get("sex", "").strip().upper()[:1],
    }
    try:
        check_text(form["text"])
    except BillInputError as exc:
        return _page(request, store, exc.status, error=str(exc), form={**form, "text": ""})
    on = None
    if form["date"]:
        try:
            on = date.fromisoformat(form["date"])
        except ValueError:
            return _page(request, store, 400, error="Write the date of service as YYYY-MM-DD.", form=form)
    age = None
    if form["age"]:
        if not form["age"].isdigit() or int(form["age"]) > 124:
            return _page(
                request, store, 400, error="Age must be a whole number of years (0 to 124).", form=form
            )
        age = int(form["age"])
    sex = form["sex"] if form["sex"] in ("F", "M") else None
    try:
        result = explain_bill(store, form["text"], locality=form["locality"], on=on, age=age, sex=sex)
    except UnknownLocality as exc:
        return _page(request, store, 422, error=str(exc), form=form)
    return _page(request, store, form=form, result=result)

"""The JSON documents medcodes answers with, shared by the API and the CLI's --json output, so that
`medcodes show --json CODE` prints the same document as GET /api/v1/codes/{system}/{code}."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from medcodes.history import service as history
from medcodes.models import CMS_WORDING_NOTE, CodeRecord
from medcodes.search import Hit
from medcodes.similar import similar_for
from medcodes.store import Store
from medcodes.systems import LABELS
from medcodes.systems import get as get_system


class HitOut(BaseModel):
    system: str
    code: str
    display: str
    title: str
    common_name: str | None = None
    kind: str
    billable: bool
    breadcrumb: list[str]
    score: float
    highlight: str | None = None
    url: str
    status: str = "active"  # active | deleted | terminated | possibly_outdated
    status_label: str | None = None
    replaced_by: list[dict] = []


class SearchOut(BaseModel):
    query: str
    total: int
    corrected_query: str | None
    exact: HitOut | None = None
    limit: int
    offset: int
    results: list[HitOut]
    deleted: list[dict] = []  # a code typed exactly that is gone from the release, with its successors
    unknown_codes: list[str] = []  # pasted codes found in no code system, as typed


class Crumb(BaseModel):
    code: str
    display: str
    title: str
    common_name: str | None = None


class Child(Crumb):
    billable: bool
    kind: str


class NoteOut(BaseModel):
    type: str
    text: str
    inherited_from: str | None = None  # display code of the ancestor the note belongs to


class CodeOut(BaseModel):
    system: str
    label: str
    code: str
    display: str
    title: str  # readable title (never empty: the CMS wording when nothing else exists)
    common_name: str | None = None  # the project's plain name
    short_title: str | None  # the CMS wording, as released
    title_note: str | None = None  # set when `title` is only the CMS wording
    kind: str
    billable: bool
    effective_date: str | None
    termination_date: str | None
    url: str
    breadcrumb: list[Crumb]
    children: list[Child]
    notes: list[NoteOut]
    attrs: dict
    data_version: str | None
    # History: status today, dated changes, successors, Medicare Code Editor edits.
    status: str = "active"
    status_label: str | None = None
    status_date: str | None = None
    history: list[dict] = []
    replaced_by: list[dict] = []
    replaces: list[dict] = []
    edits: list[dict] = []
    as_of: dict | None = None


class CodeRef(BaseModel):
    """A code named in passing (nearest codes to one that was not found)."""

    system: str
    code: str
    display: str
    title: str
    common_name: str | None = None
    url: str


def url_for(system: str, display: str) -> str:
    return f"/codes/{system}/{display}"


def hit_document(h: Hit, statuses: dict | None = None) -> HitOut:
    st = (statuses or {}).get((h.system, h.code))
    return HitOut(
        system=h.system,
        code=h.code,
        display=h.display,
        title=h.title,
        common_name=h.common_name,
        kind=h.kind,
        billable=h.billable and (st is None or st.billable),
        breadcrumb=h.breadcrumb,
        score=h.score,
        highlight=h.highlight,
        url=url_for(h.system, h.display),
        status=st.status if st else "active",
        status_label=st.label if st else None,
    )


def with_common_names(store: Store, hits: list[Hit]) -> list[Hit]:
    """Fill each hit's plain name from the store where the search index did not carry one."""
    missing = [(h.system, h.code) for h in hits if not h.common_name]
    names = store.common_names(missing) if missing else {}
    for h in hits:
        if not h.common_name:
            h.common_name = names.get((h.system, h.code))
    return hits


def hit_documents(store: Store, hits: list[Hit]) -> list[HitOut]:
    """Hits with today's status (a terminated code is never shown as billable) and plain names."""
    with_common_names(store, hits)
    statuses = history.hit_statuses(store, [(h.system, h.code) for h in hits])
    return [hit_document(h, statuses) for h in hits]


def code_ref(rec: CodeRecord) -> CodeRef:
    return CodeRef(
        system=rec.system,
        code=rec.code,
        display=rec.display,
        title=rec.heading,
        common_name=rec.common_name,
        url=url_for(rec.system, rec.display),
    )


def code_document(store: Store, system: str, code: str, on: date | None = None) -> CodeOut | None:
    """The code's document with its history; a deleted code is answered from its history."""
    doc = _code_document(store, system, code)
    hist = history.code_history(store, system, code, on=on)
    if doc is not None and hist is not None:
        return _with_history(doc, hist)
    if hist is not None:
        return _deleted_document(store, hist)
    return doc


def _history_fields(hist: Any) -> dict[str, Any]:
    h = history.document(hist)
    return {
        "status": h["status"],
        "status_label": h["status_label"],
        "status_date": h["status_date"],
        "history": h["history"],
        "replaced_by": h["replaced_by"],
        "replaces": h["replaces"],
        "edits": h["edits"],
        "as_of": h.get("as_of"),
    }


def _with_history(doc: CodeOut, hist: Any) -> CodeOut:
    # Never "billable" after the termination date, nor when only an old file knows the code.
    update = {**_history_fields(hist), "billable": doc.billable and hist.status.billable}
    return doc.model_copy(update=update)


def _deleted_document(store: Store, hist: Any) -> CodeOut:
    return CodeOut(
        system=hist.system,
        label=LABELS[hist.system],
        code=hist.code,
        display=hist.display,
        title=hist.title or "",
        short_title=None,
        kind="code",
        billable=False,
        effective_date=None,
        termination_date=None,  # a deletion date is the first day it is no longer valid: see status_date
        url=url_for(hist.system, hist.display),
        breadcrumb=[],
        children=[],
        notes=[],
        attrs={},
        data_version=store.data_versions().get(hist.system),
        **_history_fields(hist),
    )


def deleted_codes(store: Store, q: str, system: str | None) -> list[dict]:
    """Codes typed exactly that are gone from the release, as history documents."""
    return [history.document(h) for h in history.deleted_codes(store, q, system)]


def _code_document(store: Store, system: str, code: str) -> CodeOut | None:
    rec = store.get(system, code)
    if rec is None:
        return None
    view = store.code_view(rec)
    crumbs = view.breadcrumb
    notes = [NoteOut(type=n.type, text=n.text) for n in view.notes]
    # Notes on a category bind every code below it, so a code's page shows them too.
    for anc in reversed(crumbs):
        notes += [
            NoteOut(type=n.type, text=n.text, inherited_from=anc.display) for n in view.notes_of(anc.code)
        ]
    return CodeOut(
        system=rec.system,
        label=LABELS[rec.system],
        code=rec.code,
        display=rec.display,
        title=rec.heading,
        common_name=rec.common_name,
        short_title=rec.short_title,
        title_note=CMS_WORDING_NOTE if rec.plain_name_missing else None,
        kind=rec.kind,
        billable=rec.billable,
        effective_date=rec.effective_date,
        termination_date=rec.termination_date,
        url=url_for(rec.system, rec.display),
        breadcrumb=[
            Crumb(code=b.code, display=b.display, title=b.heading, common_name=b.common_name) for b in crumbs
        ],
        children=[
            Child(
                code=c.code,
                display=c.display,
                title=c.heading,
                common_name=c.common_name,
                billable=c.billable,
                kind=c.kind,
            )
            for c in store.children(system, rec.code)
        ],
        notes=notes,
        attrs=rec.attrs,
        data_version=store.data_versions().get(system),
    )


class SimilarOut(BaseModel):
    system: str
    code: str
    display: str
    title: str
    common_name: str | None = None
    difference: str  # how it differs from the code asked about ("other side", "with contrast")
    reason: str  # why it was listed ("same category", "similar wording")
    score: float
    url: str


class SimilarList(BaseModel):
    system: str
    code: str
    display: str
    title: str
    common_name: str | None = None
    similar: list[SimilarOut]


def similar_document(store: Store, rec: CodeRecord, limit: int = 10) -> SimilarList:
    items = [
        SimilarOut(
            system=s.system,
            code=s.code,
            display=s.display,
            title=s.title,
            common_name=s.common_name,
            difference=s.difference or s.reason,
            reason=s.reason,
            score=s.score,
            url=url_for(s.system, s.display),
        )
        for s in similar_for(store, rec.system, rec.code, limit)
    ]
    return SimilarList(
        system=rec.system,
        code=rec.code,
        display=rec.display,
        title=rec.heading,
        common_name=rec.common_name,
        similar=items,
    )


# -- bulk export ---------------------------------------------------------------------------------

EXPORT_FIELDS = (
    "system",
    "code",
    "display",
    "title",
    "common_name",
    "short_title",
    "kind",
    "billable",
    "parent",
    "effective_date",
    "termination_date",
)


def export_row(rec: CodeRecord) -> dict:
    """One line of GET /api/v1/export/{system}.jsonl (and one row of the .csv): the readable title,
    the project's common name (when the database carries one), kind, billable, parent and dates."""
    common = rec.common_name
    return {
        "system": rec.system,
        "code": rec.code,
        "display": rec.display,
        "title": rec.title,
        "common_name": common if isinstance(common, str) and common else None,
        "short_title": rec.short_title,
        "kind": rec.kind,
        "billable": rec.billable,
        "parent": get_system(rec.system).display(rec.parent) if rec.parent else None,
        "effective_date": rec.effective_date,
        "termination_date": rec.termination_date,
    }

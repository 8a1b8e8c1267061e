"""The JSON documents medcodes answers with, shared by the API and the CLI's --json output, so that
`medcodes show --json CODE` prints the same document as GET /api/v1/codes/{system}/{code}."""

from __future__ import annotations

from pydantic import BaseModel

from medcodes.models import CodeRecord
from medcodes.search import Hit
from medcodes.similar import similar_for
from medcodes.store import Store
from medcodes.systems import LABELS


class HitOut(BaseModel):
    system: str
    code: str
    display: str
    title: str
    kind: str
    billable: bool
    breadcrumb: list[str]
    score: float
    highlight: str | None = None
    url: str


class SearchOut(BaseModel):
    query: str
    total: int
    corrected_query: str | None
    exact: HitOut | None = None
    limit: int
    offset: int
    results: list[HitOut]
    unknown_codes: list[str] = []  # pasted codes found in no code system, as typed


class Crumb(BaseModel):
    code: str
    display: str
    title: str


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
    title: str
    short_title: str | None
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


class CodeRef(BaseModel):
    """A code named in passing (nearest codes to one that was not found)."""

    system: str
    code: str
    display: str
    title: str
    url: str


def url_for(system: str, display: str) -> str:
    return f"/codes/{system}/{display}"


def hit_document(h: Hit) -> HitOut:
    return HitOut(
        system=h.system,
        code=h.code,
        display=h.display,
        title=h.title,
        kind=h.kind,
        billable=h.billable,
        breadcrumb=h.breadcrumb,
        score=h.score,
        highlight=h.highlight,
        url=url_for(h.system, h.display),
    )


def code_ref(rec: CodeRecord) -> CodeRef:
    return CodeRef(
        system=rec.system,
        code=rec.code,
        display=rec.display,
        title=rec.title,
        url=url_for(rec.system, rec.display),
    )


def code_document(store: Store, system: str, code: str) -> CodeOut | None:
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
        title=rec.title,
        short_title=rec.short_title,
        kind=rec.kind,
        billable=rec.billable,
        effective_date=rec.effective_date,
        termination_date=rec.termination_date,
        url=url_for(rec.system, rec.display),
        breadcrumb=[Crumb(code=b.code, display=b.display, title=b.title) for b in crumbs],
        children=[
            Child(code=c.code, display=c.display, title=c.title, billable=c.billable, kind=c.kind)
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
    reason: str
    score: float
    url: str


class SimilarList(BaseModel):
    system: str
    code: str
    display: str
    title: str
    similar: list[SimilarOut]


def similar_document(store: Store, rec: CodeRecord, limit: int = 10) -> SimilarList:
    items = [
        SimilarOut(
            system=s.system,
            code=s.code,
            display=s.display,
            title=s.title,
            reason=s.reason,
            score=s.score,
            url=url_for(s.system, s.display),
        )
        for s in similar_for(store, rec.system, rec.code, limit)
    ]
    return SimilarList(system=rec.system, code=rec.code, display=rec.display, title=rec.title, similar=items)

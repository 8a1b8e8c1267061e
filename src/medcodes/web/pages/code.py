"""The page for one code (or one chapter, section or range): `/codes/{system}/{code}`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from markupsafe import Markup, escape

from medcodes.codes import canonical, display
from medcodes.history.service import code_history, summary_line
from medcodes.models import NOTE_TYPES, SYSTEMS, CodeRecord, CodeView, Note
from medcodes.store import Store
from medcodes.systems import LABELS, NAMES
from medcodes.web.api.errors import MAX_CODE_CHARS
from medcodes.web.deps import get_store
from medcodes.web.pages import payment as pages_payment
from medcodes.web.pages import services
from medcodes.web.pages.common import (
    a_label,
    canonical_url,
    code_url,
    not_modified,
    redirect,
    render,
    system_alias,
)
from medcodes.web.pages.errors import PageError

router = APIRouter()

NOTE_LABELS: dict[str, str] = {
    "inclusion": "Inclusion terms",
    "includes": "Includes",
    "excludes1": "Excludes1 — not coded here",
    "excludes2": "Excludes2 — not included here",
    "code_first": "Code first",
    "use_additional": "Use additional code",
    "code_also": "Code also",
    "note": "Notes",
    "definition": "Definitions",
}

# Instructional notes on a category or section govern every code below it (ICD-10-CM guideline
# I.A.12-13); inclusion terms and definitions describe only the node that carries them.
INHERITED = {"includes", "excludes1", "excludes2", "code_first", "use_additional", "code_also", "note"}
# Chapter-level "notes" are long guideline passages; they are shown on the chapter's own page.
INHERITED_FROM_CHAPTER = INHERITED - {"note"}

CHILDREN_PER_PAGE = 500
_VALID_SPELLING = re.compile(r"^[A-Z0-9-]{1,24}$")
_ICD_REF = re.compile(r"\b([A-TV-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?)(\.?-)?")


@dataclass
class NoteGroup:
    type: str
    label: str
    own: list[Markup] = field(default_factory=list)
    inherited: list[tuple[CodeRecord, list[Markup]]] = field(default_factory=list)


def _linker(store: Store, system: str, texts: list[str]):
    """Turn code references in ICD-10-CM notes ("(E10.-)", "Z79.4") into links when the code exists."""
    if system != "icd10cm":
        return lambda t: escape(t)
    refs = {canonical(m.group(1)) for t in texts for m in _ICD_REF.finditer(t)}
    known = store.displays("icd10cm", refs)

    def link(text: str) -> Markup:
        out, pos = [], 0
        for m in _ICD_REF.finditer(text):
            disp = known.get(canonical(m.group(1)))
            if disp is None:
                continue
            out.append(escape(text[pos : m.start()]))
            out.append(Markup('<a href="{}">{}</a>').format(code_url(system, disp), m.group(0)))
            pos = m.end()
        out.append(escape(text[pos:]))
        return Markup("").join(out)

    return link


def note_groups(store: Store, view: CodeView) -> list[NoteGroup]:
    """The code's own notes and the instructional notes it inherits, grouped by type in page order."""
    rec, crumbs = view.record, view.breadcrumb
    own: list[Note] = view.notes
    from_above: list[tuple[CodeRecord, list[Note]]] = []
    # Only ICD-10-CM defines notes that flow down; a PCS table's "includes" are examples of its operation.
    for anc in (
        reversed(crumbs) if rec.system == "icd10cm" else []
    ):  # nearest ancestor first: the most specific instruction leads
        allowed = INHERITED_FROM_CHAPTER if anc.kind == "chapter" else INHERITED
        notes = [n for n in view.notes_of(anc.code) if n.type in allowed]
        if notes:
            from_above.append((anc, notes))
    link = _linker(store, rec.system, [n.text for n in own] + [n.text for _, ns in from_above for n in ns])
    groups = {t: NoteGroup(t, NOTE_LABELS.get(t, t.replace("_", " ").capitalize())) for t in NOTE_TYPES}
    for n in own:
        groups.setdefault(n.type, NoteGroup(n.type, n.type.capitalize())).own.append(link(n.text))
    for anc, notes in from_above:
        by_type: dict[str, list[Markup]] = {}
        for n in notes:
            by_type.setdefault(n.type, []).append(link(n.text))
        for t, texts in by_type.items():
            groups[t].inherited.append((anc, texts))
    return [g for g in groups.values() if g.own or g.inherited]


def pcs_axes(rec: CodeRecord) -> list[dict]:
    """Rows of the ICD-10-PCS axes table (character, axis name, value, meaning), whatever shape the importer chose."""
    axes = rec.attrs.get("axes")
    if not axes or rec.system != "icd10pcs":
        return []
    rows = []
    if isinstance(axes, dict):
        axes = [{"title": k, **(v if isinstance(v, dict) else {"label": v})} for k, v in axes.items()]
    for i, a in enumerate(axes, 1):
        if isinstance(a, dict):
            rows.append(
                {
                    "pos": a.get("pos", i),
                    "title": a.get("title") or a.get("name") or a.get("axis") or "",
                    "value": a.get("value")
                    or a.get("code")
                    or (rec.code[i - 1] if len(rec.code) >= i else ""),
                    "label": a.get("label") or a.get("meaning") or a.get("text") or "",
                    "definition": a.get("definition") or "",
                }
            )
        elif isinstance(a, list | tuple):
            vals = list(a) + [""] * 4
            if len(a) >= 4:
                rows.append({"pos": vals[0], "title": vals[1], "value": vals[2], "label": vals[3]})
            else:
                rows.append({"pos": i, "title": vals[0], "value": vals[1], "label": vals[2]})
    return rows


def status_text(rec: CodeRecord, has_children: bool) -> tuple[str, str]:
    """(badge class, words) for the billable status people look for first."""
    if rec.kind in ("chapter", "section"):
        return "neutral", f"{rec.kind.capitalize()} heading — not a code"
    if rec.termination_date:
        return "warn", f"Deleted — not valid after {rec.termination_date}"
    if rec.billable:
        return "ok", "Billable"
    if has_children:
        return "warn", "Not billable — use a more specific code below"
    return "neutral", "Not billable"


def _describe(rec: CodeRecord) -> str:
    label = LABELS[rec.system]
    billable = "billable" if rec.billable else "not billable"
    name = f" ({rec.common_name})" if rec.common_name and rec.common_name != rec.heading else ""
    text = f"{rec.display}: {rec.heading}{name}. {label}, {billable}. Plain-language explanation, coding notes, policies and similar codes."
    return text if len(text) <= 300 else text[:297] + "…"


def _page_title(rec: CodeRecord) -> str:
    # The plain name is what people search for and recognise in a tab; the title when there is none.
    name = rec.common_name or rec.heading
    title = name if len(name) <= 70 else name[:68].rstrip() + "…"
    return f"{rec.display} – {title} | {NAMES[rec.system]} | medcodes"


def lookup(store: Store, system: str, code: str) -> CodeRecord:
    """The record for a URL's system and code, or a PageError with suggestions."""
    if system not in SYSTEMS:
        raise PageError(
            404, f"“{system[:40]}” is not a code system medcodes knows.", title="Unknown code system"
        )
    c = canonical(code)
    if not _VALID_SPELLING.match(c):
        raise PageError(
            422,
            "That is not how a medical code is spelled: codes use letters, digits and a dot.",
            title="Not a valid code",
        )
    rec = store.get(system, c)
    if rec is None:
        elsewhere = store.find(c)
        near = store.nearest(c, system, limit=8)
        raise PageError(
            404,
            f"{display(system, c)} is not {a_label(system)} in this database.",
            title=f"{NAMES[system]} code {display(system, c)} not found",
            suggestions=elsewhere + [r for r in near if r not in elsewhere],
            query=c,
        )
    return rec


def deleted_history(store: Store, system: str, code: str):
    """The history of a code gone from the release (30233AZ), or None."""
    if system not in SYSTEMS or not _VALID_SPELLING.match(canonical(code)) or store.exists(system, code):
        return None
    hist = code_history(store, system, code)
    return hist if hist is not None and not hist.in_release else None


def history_page(request: Request, store: Store, hist):
    if request.url.path != code_url(hist.system, hist.display):
        return redirect(code_url(hist.system, hist.display))
    return render(
        request,
        store,
        "code_deleted.html",
        hist=hist,
        history_line=summary_line(hist),
        canonical=canonical_url(request, code_url(hist.system, hist.display)),
    )


@router.get("/codes/{system}/{code}")
def code_page(
    request: Request,
    system: str,
    code: str,
    page: int = Query(1, ge=1, le=1000),
    locality: str | None = Query(None, max_length=40),
):
    # Before any lookup: finding the nearest codes of 20,000 characters took seconds.
    if len(code) > MAX_CODE_CHARS:
        raise PageError(
            422, f"No code is longer than {MAX_CODE_CHARS} characters. Search for a code or a word below."
        )
    store = get_store(request)
    if system not in SYSTEMS and (alias := system_alias(system)):
        return redirect(code_url(alias, code))
    deleted = deleted_history(store, system, code)
    if deleted is not None:
        return history_page(request, store, deleted)
    rec = lookup(store, system, code)
    if code != rec.display:
        url = code_url(rec.system, rec.display)
        return redirect(
            url + (f"?page={page}" if page > 1 else f"?locality={quote(locality)}" if locality else "")
        )
    cached = not_modified(store, request)
    if cached:
        return cached

    view = store.code_view(rec)
    crumbs = view.breadcrumb
    n_children = store.count_children(rec.system, rec.code)
    children: list[CodeRecord] = []
    if n_children:
        children = store.children(rec.system, rec.code)[
            (page - 1) * CHILDREN_PER_PAGE : page * CHILDREN_PER_PAGE
        ]
    leaf = rec.kind in ("code", "modifier") or not n_children
    explanation = (
        services.explanation(store, rec.system, rec.code, view) if leaf or rec.kind != "chapter" else None
    )
    policies = services.policies(store, rec.system, rec.code)
    similar = services.similar(store, rec.system, rec.code)
    badge, status_label = status_text(rec, bool(n_children))
    hist = code_history(store, rec.system, rec.code)
    if hist is not None and hist.status.status != "active":
        badge, status_label = "warn", hist.status.label  # never "Billable" once terminated or outdated
    pay = pages_payment.panel(store, rec, locality)
    return render(
        request,
        store,
        "code.html",
        rec=rec,
        label=LABELS[rec.system],
        crumbs=crumbs,
        status_label=status_label,
        badge=badge,
        notes=note_groups(store, view),
        axes=pcs_axes(rec),
        seventh=rec.attrs.get("seventh"),
        children=children,
        n_children=n_children,
        page=page,
        pages=(n_children + CHILDREN_PER_PAGE - 1) // CHILDREN_PER_PAGE,
        explanation=explanation,
        policies=policies,
        similar=similar,
        pay=pay,
        elsewhere=[r for r in store.find(rec.code) if r.system != rec.system],
        page_title=_page_title(rec),
        description=_describe(rec),
        canonical=canonical_url(
            request, code_url(rec.system, rec.display) + (f"?page={page}" if page > 1 else "")
        ),
        hist=hist,
        history_line=summary_line(hist) if hist else None,
        cpt=rec.system == "cpt" or any(getattr(s, "system", "") == "cpt" for s in (similar.items or [])),
    )

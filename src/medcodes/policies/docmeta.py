"""The metadata of one payer document, decided in one place for `ingest` and the benchmark.

Order of trust: a manifest written by the person ingesting, then what the document itself says, then the
crawler's sidecar, then the file name (a marked last resort)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from medcodes.policies import metadata as md
from medcodes.policies.documents import Document


@dataclass(slots=True)
class DocMeta:
    id: str
    payer: str | None
    title: str
    number: str | None
    effective_date: str | None
    last_reviewed: str | None
    url: str | None
    type: str

    def attrs(self) -> dict:
        """Extra facts kept in the policy's attrs (none yet)."""
        return {}


def resolve(doc: Document, path: Path, manifest: md.Meta | None = None, url: str | None = None) -> DocMeta:
    text_meta = md.from_text(doc.text)
    side = md.from_sidecar(path) if path.exists() else md.Meta()
    fname = md.from_filename(path)
    ident = (manifest or md.Meta()).merged(side).merged(fname).merged(text_meta)
    number = (manifest and manifest.number) or fname.number or text_meta.number
    pid = md.policy_id(md.Meta(payer=ident.payer, id=ident.id, number=number), path)
    title = (manifest and manifest.title) or text_meta.title or side.title or title_guess(doc)
    if not title:
        title = (manifest and manifest.label) or path.stem
    return DocMeta(
        id=pid,
        payer=md.payer_name(ident.payer),
        title=title[:200],
        number=number,
        effective_date=text_meta.effective_date or ident.effective_date,
        last_reviewed=text_meta.last_reviewed or ident.last_reviewed,
        url=url or ident.url,
        type=(manifest and manifest.type) or type_guess(doc.text),
    )


def title_guess(doc: Document) -> str | None:
    """The first line of the first page that reads like a title."""
    for line in doc.pages[0].text.split("\n")[:40]:
        s = line.strip()
        words = s.split()
        if not (3 <= len(words) <= 16 and 12 <= len(s) <= 140):
            continue
        low = s.lower()
        if re.search(r"page \d|policy number|effective|http|www\.|©|copyright|-->|\d{1,2}/\d{1,2}/\d{2,4}", low):
            continue
        if sum(ch.isalpha() for ch in s) < 0.7 * len(s.replace(" ", "")):
            continue
        return s
    return None


def type_guess(text: str) -> str:
    head = text[:5000].lower()
    for needle, kind in (
        ("clinical policy bulletin", "Clinical policy bulletin"),
        ("drug policy", "Drug policy"),
        ("clinical utilization management guideline", "Clinical UM guideline"),
        ("clinical guideline", "Clinical guideline"),
        ("coverage policy", "Coverage policy"),
        ("national coverage determination", "NCD"),
        ("billing guideline", "Billing guideline"),
        ("policy guideline", "Policy guideline"),
        ("medical coverage guideline", "Medical coverage guideline"),
        ("medical policy", "Medical policy"),
    ):
        if needle in head:
            return kind
    return "Policy"

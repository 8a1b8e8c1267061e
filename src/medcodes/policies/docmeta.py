"""The metadata of one payer document, decided in one place for `ingest` and the benchmark.

Order of trust: a manifest written by the person ingesting, then what the document itself says, then the
crawler's sidecar, then the file name (a last resort, recorded in `guessed`). Only an http(s) address becomes
the policy's link; any other origin (a repository path) is kept as text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from medcodes.policies import headmeta
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
    published: str | None = None
    revised: str | None = None
    next_review: str | None = None
    origin: str | None = None  # where the file came from when that is not a URL (kept, never linked)
    guessed: tuple[str, ...] = ()  # fields that only the file name gave

    def attrs(self) -> dict:
        """Extra facts kept in the policy's attrs."""
        out = {
            k: getattr(self, k) for k in ("published", "revised", "next_review", "origin") if getattr(self, k)
        }
        if self.guessed:
            out["guessed_from_file_name"] = list(self.guessed)
        return out


def _http(*candidates: str | None) -> str | None:
    return next((c for c in candidates if c and re.match(r"^https?://\S+$", c.strip())), None)


def resolve(doc: Document, path: Path, manifest: md.Meta | None = None, url: str | None = None) -> DocMeta:
    man = manifest or md.Meta()
    head = headmeta.read(doc.text)
    side = md.from_sidecar(path) if path.exists() else md.Meta()
    fname = md.from_filename(path)
    guessed: list[str] = []

    payer = man.payer or side.payer
    if not payer and fname.payer:
        payer = fname.payer
        guessed.append("payer")
    number = man.number or head.number
    if not number and fname.number:
        number = fname.number
        guessed.append("number")
    title = man.title or head.title or side.title
    if not title:
        guess = title_guess(doc)
        title = guess if guess and not headmeta.is_boilerplate(guess) else None
    if not title:
        title = man.label or path.stem
        guessed.append("title")
    source_url = _http(url, man.url, side.url)
    pid = md.policy_id(
        md.Meta(payer=payer, id=man.id or side.id, number=man.number or fname.number or number), path
    )
    return DocMeta(
        id=pid,
        payer=md.payer_name(payer),
        title=title[:230],
        number=number,
        effective_date=man.effective_date
        or head.current_effective
        or side.effective_date
        or headmeta.effective_from_url(source_url),
        last_reviewed=man.last_reviewed or head.last_reviewed,
        url=source_url,
        type=man.type or type_guess(doc.text),
        published=head.published,
        revised=head.revised,
        next_review=head.next_review,
        origin=None if source_url else (man.url or side.url),
        guessed=tuple(guessed),
    )


def title_guess(doc: Document) -> str | None:
    """The first line of the first page that reads like a title."""
    for line in doc.pages[0].text.split("\n")[:40]:
        s = line.strip()
        words = s.split()
        if not (3 <= len(words) <= 16 and 12 <= len(s) <= 140):
            continue
        low = s.lower()
        if re.search(
            r"page \d|policy number|effective|http|www\.|©|copyright|-->|\d{1,2}/\d{1,2}/\d{2,4}", low
        ):
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

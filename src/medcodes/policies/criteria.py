"""The criteria a policy states, as short plain-text excerpts for its page.

At ingest the section that states coverage (Coverage Policy, Coverage Rationale, Position Statement,
Policy Statement, Medical Policy Criteria, Policy Position, Coverage Determination) is cut into paragraphs;
the page shows them as text, never as markup. They are the payer's words, shown as short excerpts with the
link to the original, the way the code contexts are."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from medcodes.policies import repo
from medcodes.policies.documents import Document

_START = re.compile(
    r"^\s*(?:coverage (?:policy|rationale|determination|criteria)|position statement|policy statements?|"
    r"medical policy (?:criteria|statement)|policy position|medical necessity criteria|clinical criteria|"
    r"criteria)\s*:?\s*$",
    re.I,
)
_END = re.compile(
    r"^\s*(?:coding(?: information| implications)?|codes?|applicable codes|billing/coding information|"
    r"description(?: of services)?|background|general background|rationale|references|definitions|"
    r"medical records documentation|benefit considerations|clinical evidence|policy history|"
    r"instructions for use|health equity considerations|scope|overview)\b.{0,40}$",
    re.I,
)
MAX_EXCERPTS = 8
MAX_CHARS = 420


def excerpts(doc: Document) -> list[str]:
    """Paragraphs of the first criteria section (after the table of contents), each at most MAX_CHARS."""
    lines = doc.text.split("\n")
    starts = [i for i, ln in enumerate(lines) if _START.match(ln) and not re.search(r"\.{4,}|\s\d+\s*$", ln)]
    for start in starts:
        body: list[str] = []
        for ln in lines[start + 1 : start + 200]:
            if _END.match(ln) and body:
                break
            body.append(ln.strip())
        paras = _paragraphs(body)
        if sum(len(p) for p in paras) >= 80:
            return paras[:MAX_EXCERPTS]
    return []


def _paragraphs(body: list[str]) -> list[str]:
    out: list[str] = []
    cur: list[str] = []
    for ln in body:
        if not ln or re.match(r"^page:?\s*\d+", ln, re.I):
            if cur:
                out.append(" ".join(cur))
                cur = []
            continue
        # a new item or a sentence ending the previous line starts a new paragraph
        if cur and (
            re.match(r"^(?:[•\u2022\-*o]|\d+[.)]|[A-Z][.)]|[ivx]+[.)])\s", ln) or cur[-1].endswith(":")
        ):
            out.append(" ".join(cur))
            cur = []
        cur.append(ln)
    if cur:
        out.append(" ".join(cur))
    # PDF symbol-font bullets come out as private-use characters
    clean = [re.sub(r"\s+", " ", re.sub(r"[\ue000-\uf8ff]", "•", p)).strip() for p in out]
    return [
        p if len(p) <= MAX_CHARS else p[: MAX_CHARS - 1].rsplit(" ", 1)[0] + "…" for p in clean if len(p) > 2
    ]


@dataclass(slots=True)
class PolicyExtras:
    criteria: list[str] = field(default_factory=list)
    wide_ranges: list[dict] = field(default_factory=list)
    origin: str | None = None  # where the file came from when that is not a URL (never a link)
    guessed: list[str] = field(default_factory=list)


def extras_of(store, policy_id: str) -> PolicyExtras:
    """What the policy page shows besides the codes, from the policy's attrs."""
    attrs = repo.policy_attrs(store.conn, policy_id)
    return PolicyExtras(
        criteria=[str(c) for c in attrs.get("criteria", [])],
        wide_ranges=list(attrs.get("wide_ranges", [])),
        origin=attrs.get("origin"),
        guessed=list(attrs.get("guessed_from_file_name", [])),
    )

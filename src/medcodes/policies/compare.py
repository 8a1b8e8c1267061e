"""The per-code payer comparison a billing clerk reads on a code page: one row per policy citing the code."""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcodes.policies import PolicyLink
from medcodes.policies.disposition import LABELS
from medcodes.policies.export import http_url, plain

# Which stance a row shows when a policy says several things of one code: the most definite first.
_ORDER = ("not_medically_necessary", "investigational", "covered", "listed")


@dataclass(slots=True)
class ComparisonRow:
    policy_id: str
    payer: str
    title: str
    number: str | None
    url: str | None  # http(s) only
    stance: str  # a disposition id other than prior_auth
    stance_label: str
    other_stances: list[str]  # labels of further stances the same policy gives the code
    prior_auth: bool
    effective_date: str | None
    deciding: str | None  # the sentence or row that decided, plain text
    page: int | None


_QUOTED = re.compile(r'^[a-z -]+: "(.*)"$', re.S)


def _deciding(link: PolicyLink) -> str | None:
    """The heading or sentence that decided when it is a sentence, else the code's own line."""
    ev = plain(link.evidence)
    qm = _QUOTED.match(ev) if ev else None
    quoted = qm.group(1) if qm else ev
    if quoted and len(quoted.split()) >= 5:
        return quoted
    ctx = plain(link.context)
    return ctx or quoted


def rows(links: list[PolicyLink]) -> list[ComparisonRow]:
    by_policy: dict[str, list[PolicyLink]] = {}
    for ln in links:
        by_policy.setdefault(ln.policy_id, []).append(ln)
    out = []
    for pid, group in by_policy.items():
        stances = [ln for ln in group if ln.disposition != "prior_auth"]
        stances.sort(key=lambda ln: _ORDER.index(ln.disposition) if ln.disposition in _ORDER else 9)
        main = stances[0] if stances else group[0]
        stance = main.disposition if stances else "listed"
        first = group[0]
        out.append(
            ComparisonRow(
                policy_id=pid,
                payer=first.payer or "Unknown payer",
                title=first.title,
                number=first.number,
                url=http_url(first.url),
                stance=stance,
                stance_label=LABELS.get(stance, stance),
                other_stances=[LABELS.get(ln.disposition, ln.disposition) for ln in stances[1:]],
                prior_auth=any(ln.disposition == "prior_auth" for ln in group),
                effective_date=first.effective_date,
                deciding=_deciding(main if stances else group[0]),
                page=main.page,
            )
        )
    out.sort(key=lambda r: (r.payer.lower(), r.title.lower()))
    return out

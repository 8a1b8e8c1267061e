"""Medical policies and guidelines that cite codes. The web pages call `policies_for()` and `get_policy()`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class PolicyLink:
    policy_id: str
    payer: str | None
    title: str
    type: str | None
    number: str | None
    effective_date: str | None
    disposition: str  # covered | not_medically_necessary | investigational | prior_auth | listed
    disposition_label: str  # "Medically necessary", ...
    evidence: str | None  # heading or phrase that decided the disposition
    context: str | None
    page: int | None
    url: str | None


@dataclass(slots=True)
class PolicyDetail:
    id: str
    source: str
    payer: str | None
    title: str
    number: str | None
    type: str | None
    effective_date: str | None
    last_reviewed: str | None
    url: str | None
    file: str | None
    codes: dict[str, list[dict]] = field(default_factory=dict)  # disposition -> [{system, code, display, title, context, page, evidence}]


@dataclass(slots=True)
class PolicySummary:
    id: str
    source: str
    payer: str | None
    title: str
    number: str | None
    type: str | None
    effective_date: str | None
    last_reviewed: str | None
    url: str | None
    code_count: int


def _conn(store):
    return store.conn


def policies_for(store, system: str, code: str) -> list[PolicyLink]:
    """Policies citing a code, one entry per policy and disposition (one indexed query)."""
    from medcodes.codes import canonical
    from medcodes.policies import repo
    from medcodes.policies.disposition import LABELS

    try:
        rows = repo.links_for_code(_conn(store), system, canonical(code))
    except Exception as exc:  # a database built before the policy tables existed
        if "no such table" in str(exc):
            return []
        raise
    return [
        PolicyLink(
            policy_id=pid, payer=payer, title=title, type=type_, number=number, effective_date=eff,
            disposition=disp, disposition_label=LABELS.get(disp, disp), evidence=evidence, context=context,
            page=page, url=url,
        )
        for pid, payer, title, type_, number, eff, url, disp, evidence, context, page in rows
    ]


def get_policy(store, policy_id: str) -> PolicyDetail | None:
    """A policy with its codes grouped by disposition (in the order of `DISPOSITIONS`)."""
    from medcodes.codes import display
    from medcodes.policies import repo
    from medcodes.policies.disposition import DISPOSITIONS

    try:
        row = repo.get(_conn(store), policy_id)
    except Exception as exc:
        if "no such table" in str(exc):
            return None
        raise
    if row is None:
        return None
    pid, source, payer, title, number, type_, eff, reviewed, url, file, _checksum, _pages, _attrs, _at = row
    grouped: dict[str, list[dict]] = {d: [] for d in DISPOSITIONS}
    for system, code, disp, evidence, context, page, code_title in repo.codes_of(_conn(store), pid):
        grouped.setdefault(disp, []).append(
            {
                "system": system, "code": code, "display": display(system, code), "title": code_title,
                "exists": code_title is not None, "context": context, "page": page, "evidence": evidence,
            }
        )
    return PolicyDetail(
        id=pid, source=source, payer=payer, title=title, number=number, type=type_, effective_date=eff,
        last_reviewed=reviewed, url=url, file=file, codes={d: v for d, v in grouped.items() if v},
    )


def list_policies(
    store, *, payer: str | None = None, q: str | None = None, system: str | None = None,
    code: str | None = None, limit: int = 50, offset: int = 0,
) -> tuple[int, list[PolicySummary]]:
    """(total, page of policies) filtered by payer substring, words of the title/number, or a cited code."""
    from medcodes.codes import canonical
    from medcodes.policies import repo

    total, rows = repo.search(
        _conn(store), payer=payer, q=q, system=system, code=canonical(code) if code else None,
        limit=limit, offset=offset,
    )
    return total, [PolicySummary(*r) for r in rows]


__all__ = ["PolicyLink", "PolicyDetail", "PolicySummary", "policies_for", "get_policy", "list_policies"]

"""Medical policies and guidelines that cite codes. The web pages call `policies_for()` and `get_policy()`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from medcodes.policies.repo import PolicySummary

if TYPE_CHECKING:
    from medcodes.store import Store


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
    codes: dict[str, list[dict]] = field(
        default_factory=dict
    )  # disposition -> [{system, code, display, title, context, page, evidence}]


def _conn(store: Store):
    return store.conn


def policies_for(store: Store, system: str, code: str) -> list[PolicyLink]:
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
            policy_id=r.policy_id,
            payer=r.payer,
            title=r.title,
            type=r.type,
            number=r.number,
            effective_date=r.effective_date,
            disposition=r.disposition,
            disposition_label=LABELS.get(r.disposition, r.disposition),
            evidence=r.evidence,
            context=r.context,
            page=r.page,
            url=r.url,
        )
        for r in rows
    ]


def get_policy(store: Store, policy_id: str) -> PolicyDetail | None:
    """A policy with its codes grouped by disposition (in the order of `DISPOSITIONS`)."""
    from medcodes.codes import display
    from medcodes.policies import repo
    from medcodes.policies.disposition import DISPOSITIONS

    try:
        policy = repo.get(_conn(store), policy_id)
    except Exception as exc:
        if "no such table" in str(exc):
            return None
        raise
    if policy is None:
        return None
    grouped: dict[str, list[dict]] = {d: [] for d in DISPOSITIONS}
    for c in repo.codes_of(_conn(store), policy.id):
        grouped.setdefault(c.disposition, []).append(
            {
                "system": c.system,
                "code": c.code,
                "display": display(c.system, c.code),
                "title": c.code_title,
                "exists": c.code_title is not None,
                "context": c.context,
                "page": c.page,
                "evidence": c.evidence,
            }
        )
    return PolicyDetail(
        id=policy.id,
        source=policy.source,
        payer=policy.payer,
        title=policy.title,
        number=policy.number,
        type=policy.type,
        effective_date=policy.effective_date,
        last_reviewed=policy.last_reviewed,
        url=policy.url,
        file=policy.file,
        codes={d: v for d, v in grouped.items() if v},
    )


def list_policies(
    store: Store,
    *,
    payer: str | None = None,
    q: str | None = None,
    system: str | None = None,
    code: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[PolicySummary]]:
    """(total, page of policies) filtered by payer substring, words of the title/number, or a cited code."""
    from medcodes.codes import canonical
    from medcodes.policies import repo

    total, rows = repo.search(
        _conn(store),
        payer=payer,
        q=q,
        system=system,
        code=canonical(code) if code else None,
        limit=limit,
        offset=offset,
    )
    return total, rows


__all__ = ["PolicyLink", "PolicyDetail", "PolicySummary", "policies_for", "get_policy", "list_policies"]

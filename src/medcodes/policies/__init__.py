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

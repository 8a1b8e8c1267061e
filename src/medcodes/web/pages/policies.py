"""The policy page: `/policies/{id}`, the policy's metadata and its codes grouped by disposition."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request

from medcodes.policies.criteria import extras_of
from medcodes.policies.export import http_url
from medcodes.web.deps import get_store
from medcodes.web.pages import services
from medcodes.web.pages.common import not_modified, render
from medcodes.web.pages.errors import PageError

router = APIRouter(include_in_schema=False)

_POLICY_ID = re.compile(r"^[A-Za-z0-9._:~-]{1,160}$")

DISPOSITION_LABELS = {
    "covered": "Medically necessary",
    "not_medically_necessary": "Not medically necessary",
    "investigational": "Investigational or experimental",
    "prior_auth": "Prior authorization required",
    "listed": "Listed in the policy",
}


@router.get("/policies/{policy_id}")
def policy_page(request: Request, policy_id: str):
    store = get_store(request)
    if not _POLICY_ID.match(policy_id):
        raise PageError(422, "That is not a policy identifier.", title="Not a valid policy id")
    if cached := not_modified(store, request):
        return cached
    sec = services.policy(store, policy_id)
    if not sec.available:
        raise PageError(404, "Medical policies are not available in this build of medcodes yet.")
    if sec.error:
        raise PageError(500, "This policy could not be loaded.")
    detail = sec.items
    if detail is None:
        raise PageError(404, f"There is no policy “{policy_id}” in this database.", title="Policy not found")
    groups = [
        (key, DISPOSITION_LABELS.get(key, key.replace("_", " ").capitalize()), rows)
        for key, rows in sorted(
            detail.codes.items(),
            key=lambda kv: list(DISPOSITION_LABELS).index(kv[0]) if kv[0] in DISPOSITION_LABELS else 99,
        )
    ]
    n = sum(len(rows) for _, _, rows in groups)
    return render(
        request,
        store,
        "policy.html",
        policy=detail,
        extras=extras_of(store, detail.id),
        original_url=http_url(detail.url),
        groups=groups,
        n_codes=n,
        cpt=any(r.get("system") == "cpt" for _, _, rows in groups for r in rows),
    )

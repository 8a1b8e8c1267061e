"""JSON API for policies: the policies citing a code, one policy, and a policy search."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import PurePath

from fastapi import APIRouter, HTTPException, Query

from medcodes.models import SYSTEMS
from medcodes.web.api.errors import unknown_system_message
from medcodes.web.deps import StoreDep

MAX_OFFSET = 1_000_000

router = APIRouter(tags=["policies"])


@router.get("/codes/{system}/{code}/policies")
def code_policies(system: str, code: str, store: StoreDep):
    """Policies that cite a code, with what each says of it (disposition) and where (context, page)."""
    from medcodes.codes import canonical
    from medcodes.policies import policies_for

    if system not in SYSTEMS:
        raise HTTPException(404, detail=unknown_system_message(system))
    canon = canonical(code)
    links = policies_for(store, system, canon)
    if not links and not store.exists(system, canon):
        raise HTTPException(404, detail=f"{system} code {code[:40]!r} not found")
    return {"system": system, "code": canon, "count": len(links), "policies": [asdict(x) for x in links]}


@router.get("/policies/{policy_id}")
def policy(policy_id: str, store: StoreDep):
    """A policy's metadata and its codes grouped by disposition."""
    from medcodes.policies import get_policy

    detail = get_policy(store, policy_id)
    if detail is None:
        raise HTTPException(404, detail=f"no policy {policy_id[:200]!r}")
    doc = asdict(detail)
    if doc.get("file"):
        doc["file"] = PurePath(doc["file"]).name  # where the server keeps it is nobody's business
    return doc


@router.get("/policies")
def policies(
    store: StoreDep,
    payer: str | None = Query(None, max_length=100),
    q: str | None = Query(None, max_length=200),
    code: str | None = Query(None, max_length=20),
    system: str | None = Query(None),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """Search policies by payer, words of the title or number, or a code they cite."""
    from medcodes.policies import list_policies

    if system is not None and system not in SYSTEMS:
        raise HTTPException(404, detail=unknown_system_message(system))
    total, rows = list_policies(store, payer=payer, q=q, system=system, code=code, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "policies": [asdict(r) for r in rows]}

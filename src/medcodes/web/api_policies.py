"""JSON API for policies: the policies citing a code, one policy, and a policy search."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, HTTPException, Query, Request

from medcodes.models import SYSTEMS

router = APIRouter(tags=["policies"])


def _store(request: Request):
    return request.app.state.store


@router.get("/codes/{system}/{code}/policies")
def code_policies(system: str, code: str, request: Request):
    """Policies that cite a code, with what each says of it (disposition) and where (context, page)."""
    from medcodes.codes import canonical
    from medcodes.policies import policies_for

    if system not in SYSTEMS:
        raise HTTPException(404, detail=f"unknown system {system!r}; use one of {', '.join(SYSTEMS)}")
    store = _store(request)
    canon = canonical(code)
    links = policies_for(store, system, canon)
    if not links and not store.exists(system, canon):
        raise HTTPException(404, detail=f"{system} code {code!r} not found")
    return {"system": system, "code": canon, "count": len(links), "policies": [asdict(x) for x in links]}


@router.get("/policies/{policy_id}")
def policy(policy_id: str, request: Request):
    """A policy's metadata and its codes grouped by disposition."""
    from medcodes.policies import get_policy

    detail = get_policy(_store(request), policy_id)
    if detail is None:
        raise HTTPException(404, detail=f"no policy {policy_id!r}")
    return asdict(detail)


@router.get("/policies")
def policies(
    request: Request,
    payer: str | None = Query(None, max_length=100),
    q: str | None = Query(None, max_length=200),
    code: str | None = Query(None, max_length=20),
    system: str | None = Query(None),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
):
    """Search policies by payer, words of the title or number, or a code they cite."""
    from medcodes.policies import list_policies

    if system is not None and system not in SYSTEMS:
        raise HTTPException(400, detail=f"unknown system {system!r}; use one of {', '.join(SYSTEMS)}")
    total, rows = list_policies(_store(request), payer=payer, q=q, system=system, code=code, limit=limit,
                                offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "policies": [asdict(r) for r in rows]}

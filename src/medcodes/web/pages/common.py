"""What every HTML page shares: one Jinja environment, cache headers keyed to the database, the footer."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from medcodes.models import CMS_WORDING_NOTE, SYSTEMS
from medcodes.store import Store
from medcodes.systems import BLURBS, LABELS, NAMES, by_alias

TEMPLATES = Path(__file__).parents[1] / "templates"

# Pages change only when the database does, so browsers and proxies may keep them a while and
# then revalidate cheaply with the ETag.
CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=3600"

AMA_NOTICE = (
    "CPT® is a registered trademark of the American Medical Association. CPT codes and descriptions "
    "are copyright American Medical Association. All rights reserved."
)


def a_label(system: str) -> str:
    """ "an ICD-10-CM code", "an HCPCS Level II code", "a CPT4 code": the article goes by how it is read aloud."""
    label = LABELS[system]
    return ("an " if label[0] in "AEIOH" else "a ") + label


def code_url(system: str, display: str) -> str:
    return f"/codes/{system}/{quote(display, safe='.-')}"


def _asset_version() -> str:
    """Changes whenever a static file changes, so static URLs can be cached for a long time."""
    h = hashlib.sha1()
    for p in sorted((Path(__file__).parents[1] / "static").glob("*")):
        h.update(p.read_bytes())
    return h.hexdigest()[:10]


env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "xml"]),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
env.globals.update(
    code_url=code_url,
    a_label=a_label,
    SYSTEMS=SYSTEMS,
    SYSTEM_LABELS=LABELS,
    SYSTEM_NAMES=NAMES,
    SYSTEM_BLURBS=BLURBS,
    AMA_NOTICE=AMA_NOTICE,
    CMS_WORDING_NOTE=CMS_WORDING_NOTE,
    asset_version=_asset_version(),
)


def db_version(store: Store) -> str:
    """The build id plus the file's mtime: ingesting policies or explanations changes the file, not the build id."""
    try:
        mtime = store.path.stat().st_mtime_ns
    except OSError:
        mtime = 0
    return f"{store.build_id}:{mtime}"


_site_cache: dict[tuple[int, str], dict[str, Any]] = {}


def site_info(store: Store) -> dict[str, Any]:
    """Footer and home-page facts, computed once per database version."""
    key = (id(store), db_version(store))
    info = _site_cache.get(key)
    if info is None:
        stats = store.stats()
        info = {
            "versions": store.data_versions(),
            "stats": stats,
            "has_cpt": "cpt" in stats,
            "built_at": store.meta.get("built_at", ""),
        }
        _site_cache.clear()
        _site_cache[key] = info
    return info


def etag_for(store: Store, request: Request) -> str:
    raw = f"{db_version(store)}|{request.url.path}|{request.url.query}"
    return 'W/"' + hashlib.sha1(raw.encode()).hexdigest()[:20] + '"'


def not_modified(store: Store, request: Request) -> Response | None:
    """A 304 when the browser already holds this page for this database version."""
    etag = etag_for(store, request)
    sent = request.headers.get("if-none-match", "")
    if sent and etag in [t.strip() for t in sent.split(",")]:
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": CACHE_CONTROL})
    return None


def public_base(request: Request) -> str:
    """The site's address for absolute links: the configured base URL, else the request's own (whose Host
    the guard has checked against the allowed hosts, see web/guard.py)."""
    configured = getattr(request.app.state, "base_url", None)
    return configured or str(request.base_url).rstrip("/")


def canonical_url(request: Request, path: str | None = None) -> str:
    return public_base(request) + (path if path is not None else request.url.path)


def web_link(url: object) -> str | None:
    """`url` when it is an http(s) address that may become a link; anything else (javascript:, data:,
    a relative path) is shown as text, never put in an href."""
    if not isinstance(url, str):
        return None
    scheme, sep, rest = url.strip().partition(":")
    if sep and scheme.lower() in ("http", "https") and rest.startswith("//") and len(rest) > 2:
        return url.strip()
    return None


env.globals["web_link"] = web_link


def render(
    request: Request,
    store: Store | None,
    template: str,
    *,
    status: int = 200,
    cpt: bool = False,
    cache: bool = True,
    **ctx: Any,
) -> HTMLResponse:
    """Render a page. `cpt` says the page shows CPT text, which brings the AMA notice into the footer."""
    info = site_info(store) if store is not None else {"versions": {}, "stats": {}, "has_cpt": False}
    ctx.setdefault("canonical", canonical_url(request))
    html = env.get_template(template).render(request=request, site=info, cpt=cpt, **ctx)
    headers = {}
    if cache and status == 200 and store is not None:
        headers = {"ETag": etag_for(store, request), "Cache-Control": CACHE_CONTROL}
    else:
        headers = {"Cache-Control": "no-store" if status >= 500 else "public, max-age=60"}
    return HTMLResponse(html, status_code=status, headers=headers)


def redirect(url: str, status: int = 301) -> RedirectResponse:
    return RedirectResponse(url, status_code=status, headers={"Cache-Control": "public, max-age=86400"})


def system_alias(name: str) -> str | None:
    """`ICD-10-CM`, `icd_10_cm`, `HCPCS` -> the system id; None when it is no system we know."""
    return by_alias(name)

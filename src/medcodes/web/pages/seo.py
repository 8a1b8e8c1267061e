"""robots.txt and the sitemaps: an index at /sitemap.xml pointing at files of at most 50 000 URLs each."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from medcodes.models import SYSTEMS
from medcodes.store import Store
from medcodes.web.deps import get_store
from medcodes.web.pages.common import CACHE_CONTROL, code_url, etag_for, not_modified, public_base, site_info
from medcodes.web.pages.errors import PageError

router = APIRouter()

MAX_URLS = 50_000  # the sitemaps.org limit per file
_FILE = re.compile(r"^(pages|[a-z0-9]+)-(\d{1,4})\.xml$")


def _base(request: Request) -> str:
    return public_base(request)


def _lastmod(store: Store) -> str:
    return (store.meta.get("built_at") or "")[:10]


def sitemap_files(store: Store) -> list[str]:
    """Names of the sitemap files: one for the browse pages, then each system's codes in chunks."""
    files = ["pages-1.xml"]
    for system, n in store.node_counts().items():
        if system in SYSTEMS:
            files += [f"{system}-{i + 1}.xml" for i in range((n + MAX_URLS - 1) // MAX_URLS)]
    return files


def _xml(request: Request, store: Store, body: str) -> Response:
    return Response(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + body,
        media_type="application/xml",
        headers={"ETag": etag_for(store, request), "Cache-Control": CACHE_CONTROL},
    )


@router.get("/robots.txt", response_class=PlainTextResponse)
def robots(request: Request):
    return PlainTextResponse(
        "User-agent: *\nAllow: /\nDisallow: /search\nDisallow: /api/\n\n"
        f"Sitemap: {_base(request)}/sitemap.xml\n",
        headers={"Cache-Control": CACHE_CONTROL},
    )


@router.get("/sitemap.xml")
def sitemap_index(request: Request):
    store = get_store(request)
    if cached := not_modified(store, request):
        return cached
    base, lastmod = _base(request), _lastmod(store)
    entries = "".join(
        f"<sitemap><loc>{escape(base)}/sitemaps/{name}</loc>"
        + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "")
        + "</sitemap>\n"
        for name in sitemap_files(store)
    )
    return _xml(
        request,
        store,
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</sitemapindex>\n',
    )


@router.get("/sitemaps/{name}")
def sitemap_file(request: Request, name: str):
    store = get_store(request)
    m = _FILE.match(name)
    if not m or name not in sitemap_files(store):
        raise PageError(404, "There is no sitemap file with that name; the index is at /sitemap.xml.")
    if cached := not_modified(store, request):
        return cached
    base = _base(request)
    group, n = m.group(1), int(m.group(2))
    if group == "pages":
        paths = ["/"] + [f"/codes/{s}" for s in SYSTEMS if s in site_info(store)["stats"]]
    else:
        paths = [code_url(group, d) for d in store.displays_in_order(group, MAX_URLS, (n - 1) * MAX_URLS)]
    urls = "".join(f"<url><loc>{escape(base + p)}</loc></url>\n" for p in paths)
    return _xml(
        request, store, f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n'
    )

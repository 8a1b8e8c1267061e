"""The outermost layer of every response: bounded request heads, known hosts, HEAD, security headers.

A plain ASGI middleware (no request body is read), so it runs before routing and costs microseconds:
- request headers larger than `max_header_bytes` get 431 (the `serve` command's h11 server refuses
  them even earlier, before buffering them whole);
- unless a public base URL is configured, a Host header outside `allowed_hosts` gets 400, so a
  foreign name never reaches canonical links, robots.txt or the sitemap of a cacheable page;
- HEAD is answered as GET without the body, on every route;
- every response carries the security headers and `X-Medcodes-Build`, the build it was read from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medcodes.web.deps import build_of

MAX_HEADER_BYTES = 32 * 1024
DEFAULT_HOSTS = ("localhost", "127.0.0.1", "::1")

# No inline script anywhere: the pages load /static/*.js, Swagger UI its own files and /static/swagger-init.js.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI sets style attributes in the markup it renders; scripts stay as strict as elsewhere.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
DOCS_PATH = "/api/docs"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def host_name(value: str) -> str:
    """`Example.org:8000` -> `example.org`; `[::1]:8000` -> `::1`."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def allowed_hosts(listen_host: str | None, extra: Iterable[str] = ()) -> frozenset[str]:
    hosts = {*DEFAULT_HOSTS, *(host_name(h) for h in extra if h.strip())}
    if listen_host and listen_host not in ("0.0.0.0", "::", ""):
        hosts.add(host_name(listen_host))
    return frozenset(hosts)


class Guard:
    def __init__(
        self, app: ASGIApp, *, hosts: frozenset[str] | None, max_header_bytes: int = MAX_HEADER_BYTES
    ):
        self.app = app
        self.hosts = hosts  # None: any Host (a public base URL is configured, no link uses the Host header)
        self.max_header_bytes = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        if sum(len(k) + len(v) + 4 for k, v in headers) > self.max_header_bytes:
            await _refuse(scope, send, 431, "request headers are too large")
            return
        if self.hosts is not None:
            host = next((v.decode("latin-1") for k, v in headers if k == b"host"), "")
            if host_name(host) not in self.hosts:
                await _refuse(scope, send, 400, "unknown host name in the Host header")
                return
        head = scope["method"] == "HEAD"
        if head:
            scope = dict(scope, method="GET")
        state = scope.setdefault("state", {})
        csp = DOCS_CSP if scope["path"] == DOCS_PATH else CSP

        async def guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out["Content-Security-Policy"] = csp
                for name, value in SECURITY_HEADERS.items():
                    out[name] = value
                if build := build_of(state):
                    out["X-Medcodes-Build"] = build
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, guarded)


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    if scope["path"].startswith("/api/"):
        body = json.dumps({"status": status, "detail": message, "error": message}).encode()
        kind = b"application/json"
    else:
        body, kind = (message + "\n").encode(), b"text/plain; charset=utf-8"
    headers = [
        (b"content-type", kind),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *((k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()),
        (b"content-security-policy", CSP.encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

"""Fetch a policy document by URL under limits, and clean URLs before anything keeps them.

A URL given to `ingest` may carry credentials (`user:pass@`, `?token=`); those never reach the
database, the pages, the API or the terminal. Downloads are capped in size and total time, and
every redirect is checked by the same rules as the first address: only http(s), and no loopback,
private or link-local address unless the user named that host (`--allow-host`).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from medcodes.policies.documents import LIMITS, DocumentError

MAX_REDIRECTS = 5
DEADLINE_SECONDS = 60.0
# Query parameters that carry secrets in signed or authenticated links.
_SECRET_PARAMS = (
    "token",
    "key",
    "sig",
    "signature",
    "secret",
    "password",
    "passwd",
    "pwd",
    "auth",
    "session",
    "credential",
    "access_token",
    "api_key",
    "apikey",
    "x-amz-",
    "x-goog-",
    "code",
)


def _is_secret(name: str) -> bool:
    low = name.lower()
    return any(
        low == p or low.startswith(p) or low.endswith(p) or low.endswith("_" + p) for p in _SECRET_PARAMS
    )


def public_url(url: str) -> str:
    """The URL without user info, secret-looking query parameters and fragment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_secret(k)]
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # final address, already cleaned by public_url
    content_type: str
    data: bytes


def _check_address(url: str, allow_hosts: frozenset[str]) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise DocumentError(f"only http and https addresses can be fetched, not {parts.scheme or 'none'}:")
    host = (parts.hostname or "").lower()
    if not host:
        raise DocumentError("the address has no host")
    if host in allow_hosts:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError) as exc:
        raise DocumentError(f"cannot resolve host {host}: {exc}") from None
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if (
            ip.is_loopback
            or ip.is_private
            or ip.is_link_local
            or ip.is_reserved
            or ip.is_multicast
            or ip.is_unspecified
        ):
            raise DocumentError(
                f"{host} is a local or private address ({ip}); pass --allow-host {host} to fetch from it"
            )


def fetch(
    url: str,
    *,
    allow_hosts: Iterable[str] = (),
    max_bytes: int = LIMITS.max_bytes,
    deadline_seconds: float = DEADLINE_SECONDS,
) -> Fetched:
    """Download `url`, following at most MAX_REDIRECTS checked redirects. Raises DocumentError."""
    import httpx

    allowed = frozenset(h.lower() for h in allow_hosts)
    deadline = time.monotonic() + deadline_seconds
    current = url
    with httpx.Client(follow_redirects=False, timeout=httpx.Timeout(10.0)) as client:
        for _ in range(MAX_REDIRECTS + 1):
            _check_address(current, allowed)
            try:
                with client.stream("GET", current) as resp:
                    if resp.is_redirect:
                        location = resp.headers.get("location", "")
                        if not location:
                            raise DocumentError(
                                f"download failed: HTTP {resp.status_code} without a location"
                            )
                        current = urljoin(current, location)
                        continue
                    if resp.status_code != 200:
                        raise DocumentError(f"download failed: HTTP {resp.status_code}")
                    declared = resp.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise DocumentError(
                            f"download too large: {int(declared):,} bytes (limit {max_bytes:,})"
                        )
                    body = bytearray()
                    for chunk in resp.iter_bytes():
                        body += chunk
                        if len(body) > max_bytes:
                            raise DocumentError(f"download too large: over {max_bytes:,} bytes")
                        if time.monotonic() > deadline:
                            raise DocumentError(f"download took longer than {deadline_seconds:.0f} s")
                    return Fetched(public_url(current), resp.headers.get("content-type", ""), bytes(body))
            except httpx.HTTPError as exc:
                # httpx messages can repeat the address with its credentials: name only the kind.
                raise DocumentError(f"download failed: {type(exc).__name__}") from None
    raise DocumentError(f"too many redirects (more than {MAX_REDIRECTS})")

"""Policies as data a billing system can load: one JSON line per policy, and what changed since a date.

The same documents feed `medcodes policies export` and `GET /api/v1/policies/export`; the change feed feeds
`GET /api/v1/policies/changes` and its Atom form. CPT descriptors are never written: a CPT code's context
is dropped when it is the code's table row (the payer's copy of the descriptor)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from xml.sax.saxutils import escape

from medcodes.policies import repo
from medcodes.store import Store

_HTTP = re.compile(r"^https?://\S+$")
# HTML markup only: a snippet that says "<criteria>" in words keeps them (the page escapes them).
_TAG = re.compile(
    r"</?(?:p|li|ul|ol|em|strong|b|i|u|span|div|h[1-6]|br|hr|a|td|th|tr|table|tbody|thead|sup|sub|font)"
    r"\b[^<>]{0,400}>",
    re.I,
)


def http_url(url: str | None) -> str | None:
    """The URL if it is an http(s) address (anything else is never linked)."""
    return url if url and _HTTP.match(url.strip()) else None


def plain(text: str | None) -> str | None:
    """Snippet text without markup or character references (databases ingested before the clean-up)."""
    if text is None:
        return None
    import html

    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", text)).replace("\u00a0", " ")).strip()


def _context(system: str, code: str, context: str | None) -> str | None:
    ctx = plain(context)
    if system == "cpt" and ctx and re.match(rf"^(?:[|\s]*){re.escape(code)}\b", ctx):
        return None  # a CPT table row: the rest of it is the descriptor
    return ctx


def policy_documents(store: Store) -> Iterator[dict]:
    conn = store.conn
    """One dict per policy, in id order, each with its codes (one query per policy keeps memory flat)."""
    for (pid, payer, title, number, eff, reviewed, file, url), code_rows in repo.export_rows(conn):
        codes = [
            {
                "system": s,
                "code": c,
                "disposition": d,
                "evidence": plain(e),
                "context": _context(s, c, ctx),
                "page": p,
            }
            for s, c, d, e, ctx, p in code_rows
        ]
        yield {
            "id": pid,
            "payer": payer,
            "title": title,
            "number": number,
            "effective_date": eff,
            "last_reviewed": reviewed,
            "source": file or url,
            "url": http_url(url),
            "codes": codes,
        }


def jsonl(store: Store) -> Iterator[str]:
    for doc in policy_documents(store):
        yield json.dumps(doc, ensure_ascii=False) + "\n"


class BadSince(ValueError):
    pass


def parse_since(since: str | None) -> str:
    """`2026-03-01` or `2026-03-01T12:00:00` -> a comparable ISO string; anything else is a clear error."""
    if since is None or not since.strip():
        return ""
    s = since.strip()
    try:
        if len(s) == 10:
            return date.fromisoformat(s).isoformat()
        return datetime.fromisoformat(s.replace("Z", "+00:00")).isoformat()
    except ValueError:
        raise BadSince(f"since={since!r} is not a date; use YYYY-MM-DD or an ISO date-time") from None


@dataclass(slots=True)
class Change:
    policy_id: str
    title: str | None
    payer: str | None
    changed_at: str
    summary: str | None
    url: str  # the policy's page


def changes_since(store: Store, since: str | None, limit: int = 500) -> list[Change]:
    conn = store.conn
    """Policy versions recorded at or after `since` (newest first)."""
    start = parse_since(since)
    # A changed policy leaves a row in policy_changes; a policy seen for the first time has none and
    # counts from its ingest time.
    rows = repo.change_rows(conn, start, limit)
    return [
        Change(pid, title, payer, at, summary, f"/policies/{pid}") for pid, title, payer, at, summary in rows
    ]


def atom(changes: list[Change], base_url: str, self_url: str) -> str:
    """An Atom 1.0 feed of policy changes."""
    base = base_url.rstrip("/")
    updated = changes[0].changed_at if changes else datetime(2000, 1, 1).isoformat()
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        "<title>medcodes: policy changes</title>",
        f"<id>{escape(self_url)}</id>",
        f'<link rel="self" href="{escape(self_url, {chr(34): "&quot;"})}"/>',
        f"<updated>{escape(_rfc3339(updated))}</updated>",
    ]
    for c in changes:
        link = f"{base}{c.url}"
        title = f"{c.payer + ': ' if c.payer else ''}{c.title or c.policy_id}"
        parts += [
            "<entry>",
            f"<title>{escape(title)}</title>",
            f"<id>{escape(link)}#{escape(c.changed_at)}</id>",
            f'<link href="{escape(link, {chr(34): "&quot;"})}"/>',
            f"<updated>{escape(_rfc3339(c.changed_at))}</updated>",
            f"<summary>{escape(c.summary or 'new version')}</summary>",
            "</entry>",
        ]
    parts.append("</feed>")
    return "\n".join(parts) + "\n"


def _rfc3339(stamp: str) -> str:
    s = stamp if "T" in stamp else f"{stamp}T00:00:00"
    return s if re.search(r"(?:Z|[+-]\d{2}:\d{2})$", s) else s + "Z"

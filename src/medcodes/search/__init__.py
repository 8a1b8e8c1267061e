"""Search all medical codes. The web pages and the CLI call `search()` and `autocomplete()`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Hit:
    system: str
    code: str  # canonical
    display: str
    title: str
    kind: str
    billable: bool
    breadcrumb: list[str] = field(default_factory=list)  # titles from the root down
    score: float = 0.0
    highlight: str | None = None  # title with matched words wrapped in <mark> (HTML-escaped otherwise)
    common_name: str | None = None  # the project's plain name, when the index or the store has one


@dataclass(slots=True)
class SearchResult:
    query: str
    total: int
    results: list[Hit]
    corrected_query: str | None = None  # "showing results for ..."
    exact: Hit | None = None  # set when the query is exactly one existing code (pages redirect to it)
    unknown: list[str] = field(default_factory=list)  # pasted codes that exist in no system, as typed


# Imported last: the service builds Hit and SearchResult defined above.
from medcodes.search.query import MAX_QUERY_CHARS, QueryTooLong  # noqa: E402
from medcodes.search.service import autocomplete, search  # noqa: E402

__all__ = ["Hit", "SearchResult", "QueryTooLong", "MAX_QUERY_CHARS", "search", "autocomplete"]

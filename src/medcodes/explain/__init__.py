"""Plain-language explanations. The web pages call `explanation_for()`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from medcodes.models import CodeView
    from medcodes.store import Store


@dataclass(slots=True)
class Section:
    key: str  # e.g. "summary"
    heading: str  # e.g. "Summary"
    text: str = ""  # a paragraph (may be empty when the section is a list)
    items: list[str] = field(default_factory=list)  # bullet points or steps
    ordered: bool = False  # numbered steps


@dataclass(slots=True)
class Explanation:
    system: str
    code: str
    kind: str  # template kind: procedure, lab, imaging, visit, diagnosis, supply, drug, fallback
    writer: str  # "grounded" or "llm"
    sections: list[Section]
    model: str | None = None
    created_at: str | None = None
    checks: list[dict] = field(default_factory=list)
    status: str = "ok"  # ok | failed (failed ones are stored, never shown)
    reason: str | None = None  # why the checks failed
    prompt_version: str | None = None


def explanation_for(store: Store, system: str, code: str, view: CodeView | None = None) -> Explanation | None:
    """The explanation a code page shows: the stored LLM text when it passed the checks, else the
    grounded one computed now. None only when the code does not exist."""
    from medcodes.explain.service import explanation_for as _impl

    return _impl(store, system, code, view)


__all__ = ["Explanation", "Section", "explanation_for"]

"""Plain-language explanations. The web pages call `explanation_for()`."""

from __future__ import annotations

from dataclasses import dataclass, field


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

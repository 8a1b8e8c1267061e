"""One JSON shape for an explanation: the API, `explain show --json` and content packs use it."""

from __future__ import annotations

from typing import Any

from medcodes.explain import Explanation, Section
from medcodes.explain.checks import reading_grade
from medcodes.systems import LABELS

AMA_NOTICE = (
    "CPT is a registered trademark of the American Medical Association. CPT codes and descriptors "
    "are copyright American Medical Association. All rights reserved."
)


def section_json(s: Section) -> dict[str, Any]:
    return {"key": s.key, "heading": s.heading, "text": s.text, "items": s.items, "ordered": s.ordered}


def explanation_json(expl: Explanation, display: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "system": expl.system,
        "label": LABELS.get(expl.system, expl.system),
        "code": expl.code,
        "display": display or expl.code,
        "kind": expl.kind,
        "writer": expl.writer,
        "model": expl.model,
        "prompt_version": expl.prompt_version,
        "created_at": expl.created_at,
        "status": expl.status,
        "reason": expl.reason,
        "reading_grade": reading_grade(expl.checks),
        "checks": expl.checks,
        "sections": [section_json(s) for s in expl.sections],
    }
    if expl.system == "cpt":
        out["notice"] = AMA_NOTICE
    return out

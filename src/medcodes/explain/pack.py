"""Content packs: explanations as JSONL, one object per line, moved between databases.

Import re-runs the checker against the target database's own code data, so a pack written for
another release can never slip a contradiction onto a page."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from medcodes.explain import Explanation, Section, checks, storage
from medcodes.explain.facts import gather
from medcodes.explain.serialize import section_json
from medcodes.explain.templates import KINDS
from medcodes.models import SYSTEMS

PACK_FORMAT = "medcodes-explanations/1"


class PackSection(BaseModel):
    model_config = ConfigDict(extra="ignore")
    key: str
    heading: str = ""
    text: str = ""
    items: list[str] = Field(default_factory=list)
    ordered: bool = False


class PackLine(BaseModel):
    model_config = ConfigDict(extra="ignore")
    format: str = PACK_FORMAT
    system: str
    code: str
    writer: str = "llm"
    model: str | None = None
    prompt_version: str | None = None
    kind: str
    created_at: str
    status: str = "ok"
    reason: str | None = None
    sections: list[PackSection]


@dataclass
class ImportReport:
    read: int = 0
    imported: int = 0
    ok: int = 0
    failed: int = 0
    kept_newer: int = 0  # the database already had a newer explanation
    rejected: list[str] = field(default_factory=list)  # line: reason (bad JSON, unknown code, ...)


def export(store, fh: IO[str], system: str | None = None, writer: str | None = "llm") -> int:
    n = 0
    for expl in storage.iter_all(store.conn, system, writer):
        line = {
            "format": PACK_FORMAT,
            "system": expl.system,
            "code": expl.code,
            "writer": expl.writer,
            "model": expl.model,
            "prompt_version": expl.prompt_version,
            "kind": expl.kind,
            "created_at": expl.created_at,
            "status": expl.status,
            "reason": expl.reason,
            "sections": [section_json(s) for s in expl.sections],
        }
        fh.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
        n += 1
    return n


def import_pack(store, path: Path, *, replace: bool = False) -> ImportReport:
    """Upsert every valid line; an existing row wins when it is newer unless `replace`."""
    report = ImportReport()
    conn = store.conn
    with open(path, encoding="utf-8") as fh:
        for n, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            report.read += 1
            try:
                line = PackLine.model_validate_json(raw)
            except ValidationError as exc:
                report.rejected.append(f"line {n}: {exc.errors()[0]['msg']} ({'.'.join(map(str, exc.errors()[0]['loc']))})")
                continue
            if line.system not in SYSTEMS or line.kind not in KINDS:
                report.rejected.append(f"line {n}: unknown system or kind ({line.system}, {line.kind})")
                continue
            rec = store.get(line.system, line.code)
            if rec is None:
                report.rejected.append(f"line {n}: {line.system} {line.code} is not in this database")
                continue
            facts = gather(store, rec)
            if facts.kind != line.kind:
                report.rejected.append(f"line {n}: {line.system} {line.code} is a {facts.kind} code here, not {line.kind}")
                continue
            existing = storage.load(conn, rec.system, rec.code, line.writer)
            if existing and not replace and (existing.created_at or "") >= line.created_at:
                report.kept_newer += 1
                continue
            expl = Explanation(
                system=rec.system,
                code=rec.code,
                kind=line.kind,
                writer=line.writer,
                sections=[Section(s.key, s.heading, s.text, list(s.items), s.ordered) for s in line.sections],
                model=line.model,
                created_at=line.created_at,
                prompt_version=line.prompt_version,
            )
            expl.checks, expl.status, expl.reason = checks.run(expl, facts)
            storage.save(conn, expl, commit=False)
            report.imported += 1
            report.ok += expl.status == "ok"
            report.failed += expl.status != "ok"
    conn.commit()
    return report

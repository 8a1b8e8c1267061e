"""The Medicare Coverage Database document list (LCDs and billing-and-coding articles, as the Coverage
API's report endpoints return them) and the conversion of Coverage API code tables into links."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

from medcodes.policies.codeindex import CodeIndex
from medcodes.policies.metadata import iso_date
from medcodes.policies.repo import CodeLink, PolicyRecord

REQUIRED = ("document_display_id", "document_id", "document_type", "title", "url")


class McdFormatError(Exception):
    pass


def is_document_list(header: list[str]) -> bool:
    return "document_display_id" in header and "document_type" in header


def policy_id(document_type: str, display_id: str) -> str:
    kind = "lcd" if document_type.upper().startswith("LCD") else "article"
    return f"{kind}-{display_id.lower()}"


def read_document_list(path: Path) -> list[PolicyRecord]:
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise McdFormatError(f"{path.name}: header lacks {', '.join(missing)}; got {', '.join(header) or '(none)'}")
    out = []
    for row in reader:
        display_id = (row.get("document_display_id") or "").strip()
        if not display_id:
            continue
        contractor = re.sub(r"\s+", " ", row.get("contractor_name_type") or "").strip()
        payer = "Medicare (" + re.sub(r"\s*\(.*\)$", "", contractor) + ")" if contractor else "Medicare"
        doc_type = (row.get("document_type") or "").strip()
        retired = (row.get("retirement_date") or "").strip()
        out.append(
            PolicyRecord(
                id=policy_id(doc_type, display_id),
                source="cms-mcd",
                payer=payer,
                title=(row.get("title") or display_id).strip(),
                number=display_id,
                type="LCD" if doc_type.upper() == "LCD" else "Billing and Coding Article",
                effective_date=iso_date(row.get("effective_date")),
                last_reviewed=iso_date(row.get("updated_on")),
                url=(row.get("url") or "").strip() or None,
                file=path.name,
                checksum=hashlib.sha256(repr(sorted(row.items())).encode()).hexdigest(),
                attrs={
                    "document_id": row.get("document_id"),
                    "version": row.get("document_version"),
                    "contractor": contractor,
                    "retirement_date": iso_date(retired) if retired and retired != "N/A" else None,
                },
            )
        )
    return out


def _expand(index: CodeIndex, system: str, code: str, rng: str | None) -> list[str]:
    code = (code or "").strip().upper().replace(".", "")
    if rng and "-" in rng:
        lo, hi = (p.strip().upper().replace(".", "") for p in rng.split("-", 1))
        got = index.expand(system, lo, hi)
        if got:
            return got
    return [code] if code and index.exists(system, code) else []


def links_from_api(index: CodeIndex, tables: dict[str, list[dict]]) -> tuple[list[CodeLink], int]:
    """Coverage API rows -> links. `tables` maps endpoint name (hcpc-code, icd10-covered, ...) to rows;
    `*-group` tables give each group's paragraph as context. Returns (links, codes not in the database)."""
    groups = {
        (name.removesuffix("-group"), row.get(_group_key(name))): (row.get("paragraph") or "").strip()
        for name, rows in tables.items() if name.endswith("-group") for row in rows
    }
    links, skipped = [], 0
    for name, rows in tables.items():
        if name.endswith("-group") or name not in _TABLES:
            continue
        disposition, evidence = _TABLES[name]
        for row in rows:
            raw = row.get("hcpc_code_id") or row.get("icd10_code_id") or row.get("icd10_pcs_code_id") or ""
            systems = ["icd10pcs"] if "pcs" in name else ["icd10cm"] if "icd10" in name else ["cpt", "hcpcs"]
            found = []
            for system in systems:
                found = [(system, c) for c in _expand(index, system, raw, row.get("range"))]
                if found:
                    break
            if not found:
                skipped += 1
                continue
            group = groups.get((name, row.get(_group_key(name))), "")
            desc = row.get("long_description") or row.get("description") or ""
            ctx = re.sub(r"\s+", " ", f"{raw} {desc}".strip() + (f" [group: {group[:150]}]" if group else ""))
            for system, code in found:
                links.append(CodeLink(system, code, disposition, evidence, ctx[:300]))
    return links, skipped


_TABLES = {
    "hcpc-code": ("listed", "Coverage API: CPT/HCPCS codes of the document"),
    "icd10-covered": ("covered", "Coverage API: ICD-10 codes that support medical necessity"),
    "icd10-noncovered": ("not_medically_necessary", "Coverage API: ICD-10 codes that do not support medical necessity"),
    "icd10-pcs-code": ("listed", "Coverage API: ICD-10-PCS codes of the document"),
}


def _group_key(name: str) -> str:
    base = name.removesuffix("-group")
    return {
        "hcpc-code": "hcpc_code_group",
        "icd10-covered": "icd10_covered_group",
        "icd10-noncovered": "icd10_noncovered_group",
        "icd10-pcs-code": "icd10_pcs_code_group",
    }.get(base, "group")

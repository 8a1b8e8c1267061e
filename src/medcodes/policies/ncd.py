"""The CMS lab NCD coding spreadsheet: one policy per NCD, its CPT/HCPCS list and every ICD-10-CM code
with the resolution CMS gives it (1 covered, 2 denied, 3 does not support medical necessity)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from medcodes.policies.codeindex import CodeIndex
from medcodes.policies.repo import CodeLink, PolicyRecord

# The two header rows, joined per column, as CMS writes them (spacing normalised).
EXPECTED_HEADER = ("NCD Number", "NCD DESCRIPTION", "CPT/HCPCS CODES")
_RESOLUTION = {
    "1": ("covered", "resolution 1: ICD-10-CM code covered by Medicare"),
    "2": ("not_medically_necessary", "resolution 2: ICD-10-CM code denied"),
    "3": ("not_medically_necessary", "resolution 3: ICD-10-CM code does not support medical necessity"),
}


class NcdFormatError(Exception):
    pass


@dataclass(slots=True)
class NcdResult:
    policies: list[tuple[PolicyRecord, list[CodeLink]]] = field(default_factory=list)
    skipped_codes: int = 0  # codes of the spreadsheet that are not in the database


def is_ncd_sheet(path: Path) -> bool:
    try:
        return _find_header(path) is not None
    except Exception:  # noqa: BLE001 - any unreadable workbook is simply not this sheet
        return False


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        # 190.12 arrives as a float; keep two decimals (190.2 is NCD 190.20).
        return f"{v:.2f}"
    if isinstance(v, (datetime, date)):
        return v.strftime("%Y-%m-%d")
    return str(v).strip()


def _find_header(path: Path):
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(min_row=1, max_row=12, values_only=True)
        prev = None
        for i, row in enumerate(rows, start=1):
            if prev is not None:
                joined = [" ".join(f"{_cell_text(a)} {_cell_text(b)}".split()) for a, b in zip(prev, row, strict=False)]
                if tuple(j.upper() for j in joined[:3]) == tuple(h.upper() for h in EXPECTED_HEADER):
                    return i + 1
            prev = row
        return None
    finally:
        wb.close()


def read(path: Path, index: CodeIndex, checksum: str) -> NcdResult:
    """Parse the spreadsheet (read-only, streaming: it has 66k rows)."""
    import openpyxl

    first_data = _find_header(path)
    if first_data is None:
        raise NcdFormatError(
            f"{path.name}: header not recognised; expected two header rows starting "
            f"{', '.join(EXPECTED_HEADER)} (the CMS lab NCD coding spreadsheet layout)"
        )
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    blocks: dict[str, dict] = {}
    result = NcdResult()
    try:
        ws = wb.worksheets[0]
        current = None
        for row in ws.iter_rows(min_row=first_data, values_only=True):
            if not row or all(v is None for v in row[:9]):
                continue
            number = _cell_text(row[0]) or current
            if not number:
                continue
            current = number
            block = blocks.setdefault(number, {"title": None, "hcpcs": [], "icd": []})
            if row[1] and not block["title"]:
                block["title"] = str(row[1]).strip()
            cpt = _cell_text(row[2]).upper()
            if cpt:
                cpt = cpt.split(".")[0].zfill(5) if cpt.replace(".", "").isdigit() else cpt
                block["hcpcs"].append(cpt)
            icd = _cell_text(row[5]).upper().replace(".", "")
            if icd:
                block["icd"].append((icd, _cell_text(row[6]) or None, _cell_text(row[7]) or None, _cell_text(row[8])))
    finally:
        wb.close()
    for number, block in blocks.items():
        links: list[CodeLink] = []
        for code in dict.fromkeys(block["hcpcs"]):
            system = "cpt" if index.exists("cpt", code) else "hcpcs" if index.exists("hcpcs", code) else None
            if system is None:
                result.skipped_codes += 1
                continue
            links.append(
                CodeLink(system, code, "covered", "NCD code list: covered when billed with a covered ICD-10-CM code",
                         f"NCD {number} {block['title'] or ''}".strip())
            )
        for icd, eff, term, res in block["icd"]:
            if not index.exists("icd10cm", icd):
                result.skipped_codes += 1
                continue
            disposition, evidence = _RESOLUTION.get(res.split(".")[0], ("listed", f"resolution {res or '-'}"))
            ctx = f"NCD {number}: effective {eff or '-'}" + (f", terminated {term}" if term else "")
            links.append(CodeLink("icd10cm", icd, disposition, evidence, ctx))
        nid = number.lower().rstrip(".")
        result.policies.append(
            (
                PolicyRecord(
                    id=f"ncd-{nid}",
                    source="cms-ncd-lab",
                    payer="Medicare (CMS)",
                    title=f"NCD {number}: {block['title'] or 'Lab NCD'}",
                    number=number,
                    type="NCD",
                    url="https://www.cms.gov/medicare/coverage/determinationprocess/lab-ncds-icd10",
                    file=path.name,
                    checksum=hashlib.sha256(f"{checksum}:{number}".encode()).hexdigest(),
                ),
                links,
            )
        )
    return result

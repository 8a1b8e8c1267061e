"""Policy metadata: what the document itself says (number, dates, title), then what a manifest beside
the files says (payer, title, URL), then what the file name gives. Manifests win over guesses."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

MANIFEST_NAMES = ("manifest.yaml", "manifest.yml", "manifest.csv", "INDEX.csv")
# Columns a manifest may use, with the spellings seen in the wild mapped onto ours.
_ALIASES = {
    "file": "file", "path": "file", "filename": "file",
    "payer": "payer", "plan": "payer",
    "title": "title", "policy_title": "title",
    "number": "number", "policy_number": "number",
    "policy_id": "label", "label": "label", "id": "id",
    "type": "type", "policy_type": "type",
    "effective_date": "effective_date", "effective": "effective_date",
    "last_reviewed": "last_reviewed", "reviewed": "last_reviewed",
    "url": "url", "source_url": "url",
}


class ManifestError(Exception):
    pass


@dataclass(slots=True)
class Meta:
    payer: str | None = None
    title: str | None = None
    number: str | None = None
    type: str | None = None
    effective_date: str | None = None
    last_reviewed: str | None = None
    url: str | None = None
    id: str | None = None
    label: str | None = None  # a manifest's free-text name, used when no title is found

    def merged(self, other: Meta) -> Meta:
        """Fields of self, filled from other where missing."""
        return Meta(**{k: getattr(self, k) or getattr(other, k) for k in self.__slots__})


@dataclass(slots=True)
class Manifest:
    entries: dict[str, Meta] = field(default_factory=dict)  # resolved file path -> Meta
    problems: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)


_MONTHS = "January February March April May June July August September October November December".split()
_DATE = (
    r"(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}|(?:" + "|".join(m[:3] for m in _MONTHS) + r")[a-z]*\.? \d{1,2},? \d{4}"
    r"|(?:" + "|".join(_MONTHS) + r") \d{4})"
)


def iso_date(text: str | None) -> str | None:
    if not text:
        return None
    s = re.sub(r"\s+", " ", str(text).strip().replace(",", ""))
    for fmt in ("%m/%d/%Y", "%Y-%m-%d", "%B %d %Y", "%b %d %Y", "%b. %d %Y", "%B %Y", "%Y%m%d"):
        try:
            return datetime.strptime(s, fmt).date().isoformat()
        except ValueError:
            continue
    return None


_EFFECTIVE = re.compile(r"(?:Current\s+)?Effective(?:\s+Date)?\s*(?:of this version)?\s*[:\-]?\s*" + _DATE, re.I)
_REVIEWED = re.compile(
    r"(?:Last\s+Review(?:ed)?(?:\s+Date)?|Review(?:ed)?\s+Date|Last\s+Revised|Revision\s+Date|Date\s+Reviewed)"
    r"\s*[:\-]?\s*" + _DATE,
    re.I,
)
_NUMBER = re.compile(
    r"(?:Policy\s+(?:Number|No\.?|#)|Coverage\s+Policy\s+Number|Guideline\s+(?:Number|#)|Document\s+Number|"
    r"Medical\s+Policy\s+(?:Number|#)|MCG\s*#?|Clinical\s+Policy:?|Policy\s+ID)\s*[:#]?\s*"
    r"([A-Z0-9][A-Z0-9.\-]{2,20}[A-Z0-9])",
    re.I,
)
_TITLE = re.compile(r"^(?:Policy\s+)?(?:Title|Subject)\s*:\s*(.{5,150})$", re.I | re.M)


def from_text(text: str) -> Meta:
    """Metadata written in the first pages of a document."""
    head = text[:8000]
    meta = Meta()
    if m := _EFFECTIVE.search(head):
        meta.effective_date = iso_date(m.group(1))
    if m := _REVIEWED.search(head):
        meta.last_reviewed = iso_date(m.group(1))
    if m := _NUMBER.search(head):
        number = m.group(1)
        if any(ch.isdigit() for ch in number):
            meta.number = number
    if m := _TITLE.search(head):
        meta.title = m.group(1).strip()
    return meta


def from_sidecar(path: Path) -> Meta:
    """The `.meta.json` a crawler left beside a file (payerId, policyId, sourceUrl, policyTitle)."""
    stem = path.name
    for suffix in (".txt", ".pdf", ".html", ".htm"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
    side = path.with_name(stem + ".meta.json")
    if not side.exists():
        return Meta()
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return Meta()
    return Meta(
        payer=data.get("payerId"),
        id=data.get("policyId"),
        url=data.get("sourceUrl"),
        title=data.get("policyTitle"),
        effective_date=iso_date(data.get("effectiveDate")),
    )


def from_filename(path: Path) -> Meta:
    """`uhc_bariatric-surgery_2025T0362PP.pdf` -> payer uhc; a trailing policy-number-like part -> number."""
    stem = re.sub(r"(\.(?:pdf|html?|txt))+$", "", path.name, flags=re.I)
    parts = stem.split("_")
    meta = Meta(payer=parts[0] if len(parts) > 1 else None)
    for part in parts[1:]:
        if re.fullmatch(r"\d{4}[A-Z]\d{4}[A-Z]{2}|[A-Z]{2,5}\.\d{5}|\d{2}-[0-9A-Z]{5}-\d{2}|IP\d{4}|\d{4}", part):
            meta.number = part
            break
    return meta


def load_manifest(path: Path) -> Manifest:
    """Read a YAML or CSV manifest; its entries name files relative to the manifest's folder."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ManifestError(f"{path.name}: cannot read ({exc.strerror or exc})") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise ManifestError(f"{path.name}: not valid YAML ({exc})") from None
        rows = data.get("policies", data.get("files")) if isinstance(data, dict) else data
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ManifestError(f"{path.name}: expected a list of entries (or a 'policies:' list) with a 'file' key")
    else:
        reader = csv.DictReader(io.StringIO(raw))
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        if not any(_ALIASES.get(h) == "file" for h in header):
            raise ManifestError(
                f"{path.name}: header {', '.join(reader.fieldnames or []) or '(none)'} has no 'file' column;"
                " expected columns such as file, payer, title, number, effective_date, url"
            )
        rows = list(reader)
    manifest = Manifest()
    for n, row in enumerate(rows, start=1):
        fields = {_ALIASES[k.strip().lower()]: (str(v).strip() if v is not None else None)
                  for k, v in row.items() if k and k.strip().lower() in _ALIASES}
        name = fields.pop("file", None)
        if not name:
            manifest.problems.append((f"{path.name} entry {n}", "no file named"))
            continue
        target = (path.parent / name).resolve()
        if not target.exists():
            manifest.problems.append((name, f"named in {path.name} but the file does not exist"))
            continue
        for key in ("effective_date", "last_reviewed"):
            if fields.get(key):
                fields[key] = iso_date(fields[key]) or fields[key]
        manifest.entries[str(target)] = Meta(**{k: v or None for k, v in fields.items()})
    return manifest


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.")[:80]


def policy_id(meta: Meta, path: Path) -> str:
    """Stable, URL-safe id: payer and policy number when known, else the id a manifest gives, else the file."""
    payer = slug(meta.payer or "")
    if meta.id:
        ident = slug(meta.id)
        return ident if not payer or ident.startswith(payer) else f"{payer}-{ident}"
    if meta.number:
        return slug(f"{payer}-{meta.number}") if payer else slug(meta.number)
    return slug(re.sub(r"(\.(?:pdf|html?|txt))+$", "", path.name, flags=re.I))


# Payer ids as crawlers and file names spell them -> the name people know the plan by.
PAYER_NAMES = {
    "aetna": "Aetna",
    "anthem": "Anthem",
    "bcbs": "Blue Cross Blue Shield",
    "bcbsm": "Blue Cross Blue Shield of Michigan",
    "bcbsma": "Blue Cross Blue Shield of Massachusetts",
    "bcbsnc": "Blue Cross NC",
    "bcbsri": "Blue Cross & Blue Shield of Rhode Island",
    "bcbssc": "BlueCross BlueShield of South Carolina",
    "blueshieldca": "Blue Shield of California",
    "carelon": "Carelon",
    "centene": "Centene",
    "cigna": "Cigna",
    "cms": "Medicare (CMS)",
    "evicore": "eviCore",
    "excellus": "Excellus BlueCross BlueShield",
    "fepblue": "Federal Employee Program (FEP Blue)",
    "floridablue": "Florida Blue",
    "geisinger": "Geisinger Health Plan",
    "highmark": "Highmark",
    "humana": "Humana",
    "kaiser": "Kaiser Permanente",
    "molina": "Molina Healthcare",
    "nymedicaid": "New York State Medicaid",
    "regence": "Regence",
    "uhc": "UnitedHealthcare",
    "wellcare": "WellCare",
}


def payer_name(payer: str | None) -> str | None:
    """A display name for a payer id; names already written for people pass through."""
    if not payer:
        return payer
    return PAYER_NAMES.get(payer.strip().lower().replace(" ", ""), payer.strip())

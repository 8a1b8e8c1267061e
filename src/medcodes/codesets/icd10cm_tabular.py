"""The CDC ICD-10-CM tabular XML (root ``ICD10CM.tabular``) as a tree of nodes in tabular order.

7th characters (``sevenChrDef``) are expanded here: the nearest definition above a leaf applies,
and the leaf is padded with the placeholder X to six characters first (T15.00 + A -> T15.00XA),
the rule of the official guidelines (I.A.5/I.B.1) and what the order file lists.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from medcodes.codes import canonical
from medcodes.codesets.xmlfile import parse_root
from medcodes.models import Note, ReleaseFileError

ROOT = "ICD10CM.tabular"
NAME_DATE = re.compile(r"(january|april|july|october)-(\d{1,2})-(20\d\d)", re.I)
_MONTHS = {"january": 1, "april": 4, "july": 7, "october": 10}
_RANGE_SUFFIX = re.compile(r"\s*\(([A-Z]\d[0-9A-Z])(?:-([A-Z]\d[0-9A-Z]))?\)\s*$")
_WS = re.compile(r"\s+")
# The one 7th-character restriction the XML states only in prose (category S06): "7th characters D and S
# do not apply to codes in category S06 with 6th character 7 - ..., or 8 - ...".
_SEVENTH_EXCEPTION = re.compile(
    r"7th characters? (?P<chars>[A-Z](?:(?:,| and| or) [A-Z])*) do(?:es)? not apply to codes in category"
    r" (?P<cat>[A-Z]\d[0-9A-Z]) with 6th character (?P<rest>.*)"
)

# XML element -> note type (models.NOTE_TYPES).
NOTE_TAGS: dict[str, str] = {
    "inclusionTerm": "inclusion",
    "includes": "includes",
    "excludes1": "excludes1",
    "excludes2": "excludes2",
    "codeFirst": "code_first",
    "useAdditionalCode": "use_additional",
    "codeAlso": "code_also",
    "notes": "note",
    "sevenChrNote": "note",
}


@dataclass(slots=True)
class Node:
    code: str  # canonical
    kind: str
    title: str
    parent: str | None
    notes: list[Note] = field(default_factory=list)
    inclusion: list[str] = field(default_factory=list)
    attrs: dict = field(default_factory=dict)
    billable: bool = False


@dataclass(slots=True)
class Tabular:
    version: str
    nodes: list[Node]  # parents first, tabular order


def text(el: ET.Element | None) -> str:
    """Mixed-content text (titles carry <nemod> inside) on one line."""
    if el is None:
        return ""
    return _WS.sub(" ", "".join(el.itertext())).strip()


def fiscal_year_from_name(name: str) -> int | None:
    m = NAME_DATE.search(name) or re.search(r"(20\d\d)", name)
    return int(m.group(m.lastindex or 0)) if m else None


def release_date_from_name(name: str, version: str | None) -> str | None:
    m = NAME_DATE.search(name)
    if m:
        return f"{int(m.group(3)):04d}-{_MONTHS[m.group(1).lower()]:02d}-{int(m.group(2)):02d}"
    fy = fiscal_year_from_name(name) or (int(version) if version and version.isdigit() else None)
    return f"{fy - 1}-10-01" if fy else None


def root_tag(path: Path) -> str | None:
    """The root element of an XML file from its first few KB (no full parse)."""
    with open(path, "rb") as fh:
        head = fh.read(4096).decode("utf-8", "replace")
    head = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", head, flags=re.S)
    m = re.search(r"<([A-Za-z_][\w.\-]*)", head)
    return m.group(1) if m else None


def peek_version(path: Path) -> str | None:
    with open(path, "rb") as fh:
        head = fh.read(4096).decode("utf-8", "replace")
    m = re.search(r"<version>\s*(\d{4})\s*</version>", head)
    return m.group(1) if m else None


def _notes(el: ET.Element) -> tuple[list[Note], list[str]]:
    notes: list[Note] = []
    inclusion: list[str] = []
    for child in el:
        kind = NOTE_TAGS.get(child.tag)
        if kind is None:
            continue
        for n in child.iter("note"):
            t = text(n)
            if t:
                notes.append(Note(kind, t))
                if kind == "inclusion":
                    inclusion.append(t)
    return notes, inclusion


def _strip_range(desc: str) -> tuple[str, str | None]:
    m = _RANGE_SUFFIX.search(desc)
    if not m:
        return desc, None
    lo, hi = m.group(1), m.group(2) or m.group(1)
    return desc[: m.start()].strip(), f"{lo}-{hi}"


def parse(path: Path) -> Tabular:
    root = parse_root(path, ROOT)
    version = text(root.find("version"))
    nodes: list[Node] = []

    # (category, 6th character) -> 7th characters that do not apply
    not_applicable: dict[tuple[str, str], set[str]] = {}

    def diag(el: ET.Element, parent: str, seventh: ET.Element | None) -> None:
        name = text(el.find("name"))
        code = canonical(name)
        if not code:
            raise ReleaseFileError(path, f"<diag> without a <name> under {parent}")
        notes, inclusion = _notes(el)
        for note in notes:
            m = _SEVENTH_EXCEPTION.search(note.text)
            if m:
                chars = set(re.findall(r"\b([A-Z])\b", m.group("chars")))
                for sixth in re.findall(r"(?:^|or )(\w) -", m.group("rest")):
                    not_applicable[(m.group("cat"), sixth)] = chars
        own = el.find("sevenChrDef")
        if own is not None:
            seventh = own
        children = el.findall("diag")
        title = text(el.find("desc"))
        node = Node(code, "category" if len(code) == 3 else "subcategory", title, parent, notes, inclusion)
        if el.get("placeholder") == "true":
            node.attrs["placeholder"] = True
        nodes.append(node)
        if children:
            for child in children:
                diag(child, code, seventh)
        elif seventh is not None and len(code) < 7:
            base = code.ljust(6, "X")
            skip = not_applicable.get((code[:3], base[5]), set())
            for ext in seventh.findall("extension"):
                char = (ext.get("char") or "").strip().upper()
                if char in skip:
                    continue
                meaning = text(ext)
                nodes.append(
                    Node(
                        base + char,
                        "code",
                        f"{title}, {meaning}",
                        code,
                        billable=True,
                        attrs={"seventh": {"char": char, "meaning": meaning}},
                    )
                )
        else:
            node.billable = True
            if len(code) > 3:
                node.kind = "code"

    for n, chap in enumerate(root.iter("chapter"), 1):
        title, rng = _strip_range(text(chap.find("desc")))
        sections = chap.findall("section")
        if rng is None and sections:
            first = sections[0].get("id", "").split("-")[0]
            last = sections[-1].get("id", "").split("-")[-1]
            rng = f"{first}-{last}"
        number = text(chap.find("name")) or str(n)
        chap_code = canonical(rng or f"CHAPTER{number}")
        notes, inclusion = _notes(chap)
        nodes.append(
            Node(
                chap_code,
                "chapter",
                title,
                None,
                notes,
                inclusion,
                {"chapter": int(number) if number.isdigit() else number},
            )
        )
        for sec in sections:
            sec_title, sec_rng = _strip_range(text(sec.find("desc")))
            sid = sec.get("id") or sec_rng or ""
            lo, _, hi = sid.partition("-")
            sec_code = canonical(f"{lo}-{hi or lo}")
            notes, inclusion = _notes(sec)
            nodes.append(Node(sec_code, "section", sec_title, chap_code, notes, inclusion))
            for d in sec.findall("diag"):
                diag(d, sec_code, None)
    if not nodes:
        raise ReleaseFileError(path, "no chapters found in the tabular XML")
    return Tabular(version, nodes)

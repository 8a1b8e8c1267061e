"""What a policy document says about itself on its first page: its name, its number and its dates.

Payers lay these out in a handful of ways: labelled fields ("Subject:", "Policy Number:"), dot-leader
tables ("Effective Date ........ 04/15/2026"), a title block between the plan's boilerplate and the first
field, running headers ("Medical Coverage Policy | <name>"), and HTML pages flattened to one line. Each
reader below handles one layout; the first that finds something wins. Dates come back as ISO strings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_MONTHS = {
    m: i
    for i, m in enumerate(
        "january february march april may june july august september october november december".split(), 1
    )
}
_MON = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# 4/15/2026, 04/15/26, "1  /1/26" (a PDF's stray spaces), 01|01|2024, 2026-04-15, May 1, 2025, January 2026
DATE = (
    r"(\d{1,2}\s*[/|.-]\s*\d{1,2}\s*[/|.-]\s*(?:\d{4}|\d{2})(?!\d)|\d{4}-\d{2}-\d{2}"
    r"|" + _MON + r"\s+\d{1,2},?\s+\d{4}|" + _MON + r"\s+\d{4})"
)
# Between a label and its value: colons, spaces, dot leaders and ellipses.
_SEP = r"[\s:.\u2026\u00b7_-]*"


def iso(text: str | None) -> str | None:
    """Any of the layouts in DATE -> 'YYYY-MM-DD' (a month alone -> its first day); None if not a date."""
    if not text:
        return None
    s = re.sub(r"\s+", " ", text.strip())
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", s):
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        if m := re.fullmatch(r"(\d{1,2}) ?[/|.-] ?(\d{1,2}) ?[/|.-] ?(\d{4}|\d{2})", s):
            year = int(m[3]) if len(m[3]) == 4 else 2000 + int(m[3]) if int(m[3]) < 70 else 1900 + int(m[3])
            return date(year, int(m[1]), int(m[2])).isoformat()
        if m := re.fullmatch(r"([A-Za-z]+)\.? (\d{1,2}),? (\d{4})", s):
            return date(int(m[3]), _month(m[1]), int(m[2])).isoformat()
        if m := re.fullmatch(r"([A-Za-z]+)\.? (\d{4})", s):
            return date(int(m[2]), _month(m[1]), 1).isoformat()
    except (ValueError, KeyError):
        return None
    return None


def _month(name: str) -> int:
    low = name.lower()
    return next(n for m, n in _MONTHS.items() if m.startswith(low[:3]))


@dataclass(slots=True)
class HeadMeta:
    title: str | None = None
    number: str | None = None
    effective_date: str | None = None
    revised: str | None = None
    published: str | None = None
    last_reviewed: str | None = None
    next_review: str | None = None
    original_effective: str | None = None

    @property
    def current_effective(self) -> str | None:
        """The date this version took effect: stated outright, else the revision date of a layout that
        gives only the original effective date plus revisions (Florida Blue), else the publish date."""
        if self.effective_date:
            return self.effective_date
        if self.original_effective and self.revised:
            return self.revised
        return self.published


# -- dates ---------------------------------------------------------------------------------------
_DATE_FIELDS: list[tuple[str, re.Pattern[str]]] = [
    ("next_review", re.compile(r"\bNext\s+(?:Annual\s+)?Review(?:\s+Date)?" + _SEP + DATE, re.I)),
    ("original_effective", re.compile(r"\bOriginal\s+(?:Policy\s+)?Effective\s+Date" + _SEP + DATE, re.I)),
    (
        "effective_date",
        re.compile(
            r"(?<!Original )(?<!Original  )\b(?:Current\s+(?:Policy\s+)?|Annual\s+)?Effective(?:\s+Policy)?(?:\s+Date)?"
            r"(?:\s+of\s+this\s+version)?" + _SEP + DATE,
            re.I,
        ),
    ),
    ("effective_date", re.compile(r"\bwill\s+become\s+effective\s+(?:on\s+)?" + DATE, re.I)),
    ("published", re.compile(r"(?<![A-Za-z])(?:Publish(?:ed)?|Issue[d]?)(?:\s+Date)?" + _SEP + DATE, re.I)),
    ("published", re.compile(r"\bVersion\s+[0-9][0-9.-]*\s+" + DATE, re.I)),
    # a month standing alone under the plan's banner: "January 2026"
    ("published", re.compile(r"(?m)^\s*(" + _MON + r"\s+\d{4})\s*$", re.I)),
    (
        "revised",
        re.compile(
            r"\b(?:Revised|Revision\s+Date|Last\s+Revis(?:ed|ion)(?:\s+Date)?|Date\s+of\s+Last\s+Revision)"
            + _SEP
            + DATE,
            re.I,
        ),
    ),
    (
        "last_reviewed",
        re.compile(
            r"(?<!Next )\b(?:Policy\s+)?(?:Last\s+Review(?:ed)?(?:\s+Date)?|Review(?:ed)?(?:\s+Date)?|Annual\s+Review)"
            + _SEP
            + DATE,
            re.I,
        ),
    ),
]


def _dates(head: str, meta: HeadMeta) -> None:
    for name, pattern in _DATE_FIELDS:
        if getattr(meta, name):
            continue
        for m in pattern.finditer(head):
            if name == "last_reviewed" and re.search(
                r"Next\s+(?:Annual\s+)?\Z", head[max(0, m.start() - 12) : m.start()], re.I
            ):
                continue
            if name == "effective_date" and re.search(
                r"Original\s+\Z", head[max(0, m.start() - 10) : m.start()], re.I
            ):
                continue
            if value := iso(m.group(1)):
                setattr(meta, name, value)
                break


# -- number --------------------------------------------------------------------------------------
_NUM = r"([A-Z0-9][A-Z0-9.\-]{0,24}[A-Z0-9]|\d)(?![a-z0-9])"
_NUMBER_FIELDS = [
    re.compile(r"\b(?:Coverage\s+|Medical\s+|Corporate\s+)?Policy\s+(?:Number|No\.?|#|ID)" + _SEP + _NUM),
    re.compile(
        r"\b(?:Medical\s+Coverage\s+Policy|Medical\s+Policy|Clinical\s+Policy\s+Bulletin)\s*:\s*" + _NUM
    ),
    re.compile(r"(?<!BCBSA )\bReference\s+Number" + _SEP + _NUM),
    re.compile(r"\b(?:Document|Guideline)\s*(?:#|Number|No\.?)" + _SEP + _NUM),
    re.compile(r"(?m)^\s*(BSC[_A-Z0-9]*\d[\d.]*)\s"),
    re.compile(r"\bDoc(?:ument)?\s+ID" + _SEP + _NUM),
    re.compile(r"(?m)^\s*Number\s*:\s*" + _NUM),
    re.compile(r"(?m)^\s*Policy\s*:\s*" + _NUM),
    re.compile(r"(?m)^\s*FEP\s+(\d\.\d{2}\.\d{2,3})\b"),
    # a number standing alone on the first lines: Florida Blue 02-33000-28, eviCore MOL.TS.194.A
    re.compile(r"(?m)^\s*(\d{2}-[0-9A-Z]{5}-\d{2}|[A-Z]{2,5}(?:\.[A-Z0-9]{1,5}){2,4})\s*$"),
    # a running header "LAB46 | 1"
    re.compile(r"(?m)^\s*([A-Z]{2,6}\d{1,4})\s*\|\s*\d+\s*$"),
]


def _number(head: str) -> str | None:
    best: tuple[int, str] | None = None
    for pattern in _NUMBER_FIELDS:
        for m in pattern.finditer(head):
            value = m.group(1).strip(".-")
            if any(ch.isdigit() for ch in value) and (best is None or m.start() < best[0]):
                best = (m.start(), value)
            break
    return best[1] if best else None


# -- title ---------------------------------------------------------------------------------------
# Lines that are the plan's, the template's or the page's, never the policy's name.
_BOILERPLATE = re.compile(
    r"^(?:medical\s+(?:coverage\s+)?polic(?:y|ies)(?:\s+(?:manual|bulletin|update))?|medical\s+coverage\s+guideline|"
    r"clinical\s+(?:policy(?:\s+bulletins?.*)?|appropriateness\s+guidelines|guideline|review\s+criteria|um\s+guideline)|"
    r"policies\s+and\s+procedures?|manual|(?:medical\s+benefit\s+)?drug\s+(?:coverage\s+)?policy|\[type\s+text\].*|"
    r".*\s\|\s.*\s\|\s.*|[A-Z]{2,6}\d{1,4}\s*\|\s*\d+|\u00ae.*|.*\bprohibited\b.*|reproduction\b.*|"
    r"an\s+independent\s+(?:member|licensee)\b.*|.*\bshield\s+association\b.*|.*\bindividual\s+exchange\b.*|the\s+blue\s+\w+\s+association|"
    r"lab\s+management\s+guidelines.*|table\s+of\s+contents.*|page:?\s*\d+.*|.*\bpage\s+\d+\s+of\s+\d+.*|"
    r".*proprietary.*|.*copyright.*|.*\u00a9.*|instructions\s+for\s+use|v\d+(?:\.\d+)*|status:.*|"
    r".*(?:unitedhealthcare|cigna|humana|aetna|anthem|excellus|highmark|geisinger|carelon|evicore|wellcare|"
    r"blue\s*cross|blue\s*shield|bcbs\w*|florida\s+blue|regence|molina|kaiser|centene)\b.*|"
    r".*\bwww\.|.*\bstreet\b.*|\(\d{3}\).*|\d+|-->|print|share|opens\s.*|laboratory,?\s+policy\s+no\.?\s*\d+)$",
    re.I,
)
_FIELD_LINE = re.compile(
    r"^(?:(?:Policy|Status|Section|Subject|Title|Topic|Doc\s+ID|Document|Line\s+of\s+Business|Applicable[\w ]*|"
    r"Reference[\w ]*|Related[\w ]*|Original[\w ]*|Reviewed|Revised|Devised|Number|Products?|Date[\w ]*|Version|"
    r"Restricted[\w ()]*|Medical\s+Coverage\s+Policy|Clinical\s+Policy|BCBSA[\w ]*)\s*(?::|#|\.{3,})|.*\b(?:Policy\s+Number|Reference\s+Number|Effective|Review\s+Date|"
    r"Next\s+Review|Publish\s+Date|Document\s*#|Revision)\b)",
    re.I,
)
_STOP_HEADING = re.compile(
    r"^(?:description(?:/\w+)?|overview|table\s+of\s+contents|policy(?:\s+statement)?|purpose|background|"
    r"introduction|medical\s+policy\s+(?:statement|criteria)|position\s+statement|related\s+policies|"
    r"important\s+reminder|instructions\s+for\s+use|application|coverage\s+rationale|scope)\b",
    re.I,
)
_TITLE_LABEL = re.compile(
    r"(?:^|\s)(?:Policy\s+)?(?:Subject|Title|Topic)(?:\s*:|[\s.\u2026]{3,})\s*|^\s*Medical\s+Policy\s+Title\s*:?\s*|"
    r"Corporate\s+Medical\s+Policy\s*:\s*|^\s*Clinical\s+Policy\s*:\s*|Appropriate\s+Use\s+Criteria\s*:\s*|"
    r"Medical\s+Coverage\s+Policy\s*\|\s*",
    re.I | re.M,
)
# Where a flattened (one-line) page's title field ends: the next field label.
_FLAT_END = re.compile(
    r"\s+(?:Document\s*#|Section\s*:|Effective\s+Date|Policy\s+Number|Status\s*:|Issue\s+Date|Last\s+Review)",
    re.I,
)


def is_boilerplate(line: str) -> bool:
    return bool(_BOILERPLATE.match(line.strip()))


def _continues(line: str) -> bool:
    """May this line continue a title that wrapped?"""
    s = line.strip()
    if not s or len(s) > 100 or _STOP_HEADING.match(s) or _FIELD_LINE.match(s) or _BOILERPLATE.match(s):
        return False
    letters = [ch for ch in s if ch.isalpha()]
    if len(letters) > 15 and sum(ch.isupper() for ch in letters) > 0.8 * len(letters):
        return False  # an all-capitals disclaimer
    if s.endswith(":") or (len(s) > 60 and s.endswith(".")):
        return False  # a label of its own, or a sentence
    return not s.startswith(("\u2022", "•", "-", "*")) and not re.match(r"^V\d", s)


def _clean(title: str) -> str:
    s = re.sub(r"\s+", " ", title.replace("\u00a0", " ")).strip(" :|-")
    s = re.sub(r"^BSC[_A-Z0-9]*\d[\d.]*\s+", "", s)  # Blue Shield CA prefixes its number
    s = re.sub(r"\s+([),])", r"\1", re.sub(r"\(\s+", "(", s))
    return s[:230]


def _labelled_title(lines: list[str]) -> str | None:
    first = next((ln.strip() for ln in lines if ln.strip()), "")
    if (
        len(first) > 300 and " | " in first[:200]
    ):  # a web page's <title>: "Liquid Biopsy AHS - G2054 | Providers | ..."
        return _clean(first.split(" | ", 1)[0])
    for i, line in enumerate(lines):
        m = _TITLE_LABEL.search(line)
        if not m:
            continue
        value = line[m.end() :]
        if len(line) > 300:  # a flattened page: up to the next field
            end = _FLAT_END.search(value)
            value = value[: end.start()] if end else value[:150]
            return _clean(value) or None
        parts = [value.strip()] if value.strip() else []
        for nxt in lines[i + 1 : i + 7]:
            if not nxt.strip() and not parts:
                continue
            if not nxt.strip() or not _continues(nxt) or sum(len(p) for p in parts) > 200:
                break
            parts.append(nxt.strip())
        # "Reference Number: CP.MP.239 Coding Implications" glued to a wrapped title line
        title = _clean(" ".join(parts))
        if len(title) >= 3 and not _BOILERPLATE.match(title):
            return title
    return None


def _version_title(lines: list[str]) -> str | None:
    for line in [ln for ln in lines if ln.strip()][:15]:
        if m := re.match(r"^\s*(.{5,120}?)\s+Version\s+[0-9][0-9.-]*\s", line):
            return _clean(m.group(1))
    return None


def _fep_title(lines: list[str]) -> str | None:
    for i, line in enumerate(lines[:10]):
        if m := re.match(r"^\s*FEP\s+\d\.\d{2}\.\d{2,3}\s+(.+)$", line):
            parts = [m.group(1)]
            for nxt in lines[i + 1 : i + 3]:
                if not _continues(nxt):
                    break
                parts.append(nxt.strip())
            return _clean(" ".join(parts))
    return None


_ANCHOR = re.compile(
    r"\b(?:Effective|Policy\s+(?:Number|No\.?)|Coverage\s+Policy\s+Number|Next\s+Review|Document\s*#|Date\s+of\s+Last)\b"
    r"|^\s*(?:[A-Z]{2,5}(?:\.[A-Z0-9]{1,5}){2,4}|\d{2}-[0-9A-Z]{5}-\d{2})\s*$|Laboratory,?\s+Policy\s+No",
    re.I,
)


def _block_title(lines: list[str]) -> str | None:
    """Unlabelled layouts: the lines just before the first field (UHC, Humana, Regence, eviCore, WellCare),
    else the lines just after the block of fields (Cigna)."""
    first = next((i for i, ln in enumerate(lines[:80]) if _ANCHOR.search(ln)), None)
    if first is None:
        return None
    before: list[str] = []
    for ln in reversed(lines[:first]):
        if not ln.strip() or (not before and (re.match(r"^\s*V\d", ln) or _BOILERPLATE.match(ln.strip()))):
            if before:
                break
            continue
        if not _continues(ln) or re.search(r"[.;]\s*$", ln.strip()) or len(before) >= 4:
            break
        before.insert(0, ln.strip())
    if before and len(" ".join(before)) >= 4:
        return _clean(" ".join(before))
    j = first
    while j < len(lines) and (
        not lines[j].strip() or _ANCHOR.search(lines[j]) or _BOILERPLATE.match(lines[j].strip())
    ):
        j += 1
    after: list[str] = []
    for ln in lines[j : j + 4]:
        if not _continues(ln):
            break
        after.append(ln.strip())
    return _clean(" ".join(after)) if after else None


def _wordy(text: str) -> bool:
    """Reads like a name: mostly letters, with at least one real word."""
    compact = text.replace(" ", "")
    return (
        bool(compact)
        and sum(ch.isalpha() for ch in compact) >= 0.6 * len(compact)
        and bool(re.search(r"[A-Za-z]{4,}", text))
    )


def _top_block(lines: list[str]) -> str | None:
    """A title standing alone near the top, ended by a section heading or a field (BCBS MA, Humana, UHC)."""
    run: list[str] = []
    seen = 0
    for ln in lines:
        s = ln.strip()
        if not s:
            continue
        seen += 1
        if seen > 14:
            return None
        ends = (
            _STOP_HEADING.match(s)
            or _ANCHOR.search(s)
            or re.match(r"^V\d+(?:\.\d+)+$", s)
            or (_BOILERPLATE.match(s) or s.startswith(("\u2022", "•")))
        )
        if run and ends and _wordy(" ".join(run)):
            return _clean(" ".join(run))
        if _continues(s) and len(run) < 4 and (run or not s[0].islower()):
            run.append(s)
        else:
            run = []
    return None


def read(text: str) -> HeadMeta:
    """Metadata from the head of a document's text (its first lines, or the start of a flattened page)."""
    text = text.replace("\u00a0", " ").replace("\u2010", "-").replace("\u2011", "-")
    lines = text.split("\n")
    head_lines, kept = [], 0
    for ln in lines:
        head_lines.append(ln)
        kept += bool(ln.strip())
        if kept >= 90:
            break
    head = "\n".join(ln for ln in head_lines if ln.strip())
    if len(head) > 6000:
        head = head[:6000]
    meta = HeadMeta()
    _dates(head, meta)
    meta.number = _number(head)
    meta.title = (
        _labelled_title(head_lines)
        or _fep_title(head_lines)
        or _version_title(head_lines)
        or _top_block(head_lines)
        or _block_title(head_lines)
    )
    return meta


def effective_from_url(url: str | None) -> str | None:
    """eviCore and others put the effective date in the file name: '..._Eff01.01.2026_...'."""
    if url and (m := re.search(r"[Ee]ff(?:ective)?[_-]?(\d{2})\.(\d{2})\.(\d{4})", url)):
        return iso(f"{m[1]}/{m[2]}/{m[3]}")
    return None

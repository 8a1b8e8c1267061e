"""What a policy says of each code it mentions, decided from the code's own sentence first and the
heading of the section it sits in second. The phrase that decided is kept as evidence."""

from __future__ import annotations

import re

from medcodes.policies.documents import Page
from medcodes.policies.extract import Mention, _tokens

DISPOSITIONS = ("covered", "not_medically_necessary", "investigational", "prior_auth", "listed")
LABELS = {
    "covered": "Medically necessary",
    "not_medically_necessary": "Not medically necessary",
    "investigational": "Investigational / experimental",
    "prior_auth": "Prior authorization required",
    "listed": "Listed",
}

# Checked in order: the first rule whose pattern matches wins, so negatives come before the
# positives they contain ("not medically necessary" contains "medically necessary").
_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "investigational",
        re.compile(r"\b(?:experimental|investigational|unproven|not proven|E/I(?:/U)?|EIU)\b", re.I),
    ),
    (
        "not_medically_necessary",
        re.compile(
            r"\b(?:not (?:be )?(?:considered )?medically (?:necessary|appropriate)|not reasonable and necessary|"
            r"not (?:be )?covered|non-?covered|(?:does|do) not support|never covered|denied|excluded|"
            r"(?:may )?not (?:be )?eligible|not (?:be )?reimbursable|not a covered|NMN)\b",
            re.I,
        ),
    ),
    (
        "prior_auth",
        re.compile(
            r"\b(?:prior authori[sz]ation (?:is )?required|requires? prior authori[sz]ation|pre-?authori[sz]ation|"
            r"(?:subject to|needs?|with) prior authori[sz]ation|pre-?certification(?: is)?(?: required)?|"
            r"prior approval(?: is)?(?: required)?|pre-?service review|restricted products?(?:\(s\))?)\b",
            re.I,
        ),
    ),
    (
        "covered",
        re.compile(
            r"\b(?:(?:is|are|be|considered|deemed|may be) medically (?:necessary|appropriate)|"
            r"medically necessary (?:when|if|for)|covered (?:when|if|for)|support(?:s)? medical necessity|"
            r"(?:is|are) covered|considered for coverage|(?:may be )?eligible (?:under the plan|for coverage)|"
            r"proven and medically necessary|reasonable and necessary|established(?: codes?)?|"
            r"meets? (?:the )?(?:medical necessity )?criteria|criteria(?: \w+){0,3} (?:must be|are) met)\b",
            re.I,
        ),
    ),
]

# Section headings that end the reach of the heading before them without saying anything themselves.
_NEUTRAL_HEADING = re.compile(
    r"\b(?:codes?|coding|references?|bibliography|background|description|rationale|definitions?|"
    r"history|summary|scope|instructions|applicable|related|policy|limitations?|exclusions?)\b",
    re.I,
)
# Revision logs restate old decisions ("added 0239U as E/I"): nothing in them decides, up to the next
# major section.
_HISTORY_HEADING = re.compile(
    r"^(?:[\w/ ]{0,30} )?(?:medical )?(?:policy|revision|document) history\b|"
    r"^(?:policy |document |revision |review |guideline |coding )?(?:history|revisions?|revision (?:log|details)|"
    r"update information|updates?|update history|summary of changes|(?:policy )?history/revision information|"
    r"reviews, revisions,? and approvals|(?:policy )?implementation/update information)\b",
    re.I,
)
_MAJOR_HEADING = re.compile(
    r"^(?:references?|bibliography|appendix|coding|codes?|cpt|coverage|description|background|rationale)\b",
    re.I,
)
# Per-row markers in code tables: "0239U (E/I)", or a "Comments" cell reading "Not Covered".
_ROW_MARK = re.compile(r"\((?:E/?I(?:/U)?|I/E|NMN|NC|MN)\)", re.I)
_STATUS_CELL = re.compile(
    r"^(?:not\s+covered|covered|not\s+medically\s+necessary|medically\s+necessary|investigational|"
    r"experimental)\b[^.]{0,40}$",
    re.I,
)
_COLUMN_HEADER = re.compile(r"^(?:codes?\b|cpt|hcpcs|icd|description)", re.I)
# Column headers of a code table, possibly one word per line ("CPT®*" / "Codes" / "Description").
_HEADER_WORDS = re.compile(
    r"^(?:(?:cpt|hcpcs|icd-?10(?:-cm|-pcs)?|codes?|descriptions?|diagnosis|procedure|modifiers?|comments?|"
    r"level ii|dosing|maximum units|medication|indication)[\s\u00ae*\u2020/&,]*)+$",
    re.I,
)
_ROW_START = re.compile(r"^\s*(?:CPT\s+|HCPCS\s+)?[0-9A-Z]\d{3}[0-9A-Z]\b")
_MARK_CLASS = {"E": "investigational", "I": "investigational", "N": "not_medically_necessary", "M": "covered"}


_WS = re.compile(r"\s+")
_TRAILER = re.compile(r"^(?:these|the above|such)\b", re.I)


def classify(text: str) -> tuple[str, str] | None:
    """(disposition, matched phrase) for a piece of text, or None if it says nothing decisive."""
    text = _WS.sub(" ", text)  # PDF extracts use no-break spaces between words
    for disposition, pattern in _RULES:
        m = pattern.search(text)
        if m:
            return disposition, m.group(0)
    return None


def _is_heading(line: str) -> bool:
    """A heading or table caption: short, no code in it, ending in a colon or without sentence punctuation."""
    s = line.strip()
    if not (3 <= len(s) <= 140) or _tokens(s):
        return False
    if s.count(")") > s.count("(") or re.match(r"(?:this|these)\s", s, re.I):
        return False  # the tail of a wrapped parenthesis, or a note ("This CPT code can be used for ...")
    if s.endswith(":"):
        return True
    return len(s) <= 90 and not s.endswith((".", ",", ";")) and s[0].isupper() and len(s.split()) <= 14


def _next_text(lines: list[str], i: int) -> str:
    for ln in lines[i + 1 : i + 4]:
        if ln.strip():
            return ln.strip()
    return ""


def _is_status_cell(lines: list[str], i: int) -> bool:
    """A table cell such as "Not Covered" under a code row, as opposed to a caption over the rows below
    (a caption is followed by the column headers)."""
    s = lines[i].strip()
    if not _STATUS_CELL.match(s) or s.endswith(":") or _COLUMN_HEADER.match(_next_text(lines, i)):
        return False
    return any(_ROW_START.match(ln) for ln in lines[max(0, i - 12) : i])


def headings(pages: list[Page]) -> list[tuple[int, str, str | None]]:
    """Per document line: the heading or lead-in statement in force, as (line number, text, disposition).

    A lead-in is a sentence ending in a colon that introduces a list ("... is considered medically
    necessary when all of the following are met:"); its wrapped lines are joined before classifying."""
    lines = [_WS.sub(" ", ln) for page in pages for ln in page.text.split("\n")]
    running = running_headers(lines)
    out: list[tuple[int, str, str | None]] = []
    current: tuple[int, str, str | None] = (0, "", None)
    in_history = False
    sentence: list[str] = []
    for n, line in enumerate(lines, 1):
        s = line.strip()
        # a wrapped sentence's last line ("not be limited to:") is no heading
        continued = bool(sentence) and not re.search(r"[.;:]\s*$", sentence[-1]) and s[:1].islower()
        if _HISTORY_HEADING.match(s) and ":" in s[:60] and not _is_heading(line):
            in_history, current = True, (n, s[:60], None)  # "Policy Implementation/Update Information: ..."
        if s in running or _HEADER_WORDS.match(s) or re.match(r"^page:?\s*\d+(\s+of\s+\d+)?$", s, re.I):
            out.append(current if not in_history else (current[0], current[1], "history"))
            continue  # a running page header or a column header: the caption above stays in force
        if _is_heading(line) and not continued and not _is_status_cell(lines, n - 1):
            if _COLUMN_HEADER.match(s) and "description" in s.lower():
                pass  # the column headers under a caption keep the caption in force
            elif _HISTORY_HEADING.match(s):
                in_history, current = True, (n, s, None)
            elif in_history and not _MAJOR_HEADING.match(s):
                pass  # a caption inside the revision log
            elif found := classify(s):
                in_history, current = False, (n, s, found[0])
            elif (
                s.endswith(":")
                and sentence
                and not re.search(r"[.;:]\s*$", sentence[-1])
                and (found := classify(" ".join([*sentence, s])))
            ):
                current = (n, " ".join([*sentence, s])[-160:], found[0])  # the end of a wrapped lead-in
            elif _SUB_CAPTION.match(s):
                pass  # "For the following codes when specified as a component of ...:" narrows, keeps the stance
            elif _NEUTRAL_HEADING.search(s):
                in_history, current = False, (n, s, None)
            # an undecided short line may be the first line of a wrapped sentence
            sentence = [] if s.endswith(":") else [s]
        elif s:
            sentence = (
                [*sentence[-3:], s] if not re.search(r"[.;]\s*$", sentence[-1] if sentence else ".") else [s]
            )
            if s.endswith(":") and not in_history and (found := classify(s)):
                current = (n, s[-160:], found[0])
            elif s.endswith(":") and not in_history and (found := classify(" ".join(sentence))):
                current = (n, " ".join(sentence)[-160:], found[0])
            elif _TRAILER.match(s) and current[2] and (found := classify(s)):
                # "These are considered investigational ..." after a list restates what the list is
                start = current[0]
                current = (start, s[:160], found[0])
                out[start:] = [current if o[0] == start else o for o in out[start:]]
        out.append(current if not in_history else (current[0], current[1], "history"))
    return out


def running_headers(lines: list[str]) -> set[str]:
    """Short lines repeated on three or more pages (the policy's name and number at the top of each page)."""
    counts: dict[str, int] = {}
    for ln in lines:
        s = ln.strip()
        if 3 <= len(s) <= 120:
            counts[s] = counts.get(s, 0) + 1
    return {s for s, n in counts.items() if n >= 3 and not _ROW_START.match(s)}


_ROW_NOTE = re.compile(
    r"\((?:investigational|experimental(?:/investigational)?|non-?covered|not covered|not medically necessary|"
    r"medically necessary|covered|prior authori[sz]ation required|requires prior authori[sz]ation)\)",
    re.I,
)


def _row_status(lines: list[str], i: int, system: str) -> tuple[str, str] | None:
    """The status a code-table row gives its code: a marker after the code or a status cell below it."""
    if not _ROW_START.match(lines[i]) or system.startswith("icd10"):
        return None
    prev = next((ln.strip() for ln in reversed(lines[max(0, i - 3) : i]) if ln.strip()), "")
    if prev.endswith((",", "(")):
        return (
            None  # the codes continue a sentence's list: "... via ctDNA (0179U, 0388U," / "81210, ...) are"
        )
    if m := _ROW_MARK.search(lines[i]):
        return _MARK_CLASS[m.group(0)[1].upper()], m.group(0)
    # a note in parentheses anywhere in the row, which may wrap over several lines: "(Investigational)"
    for j in range(i, min(i + 6, len(lines))):
        if j > i and (_ROW_START.match(lines[j]) or not lines[j].strip()):
            break
        if (m := _ROW_NOTE.search(lines[j])) and (found := classify(m.group(0))):
            return found[0], m.group(0)
    for j in range(i + 1, min(i + 14, len(lines))):
        s = lines[j].strip()
        if _ROW_START.match(lines[j]) or (
            _is_heading(lines[j]) and (_NEUTRAL_HEADING.search(s) or _HISTORY_HEADING.match(s))
        ):
            return None
        if _STATUS_CELL.match(s) and _is_status_cell(lines, j):
            cell = " ".join([s, _next_text(lines, j)]) if s.lower() == "not" else s
            found = classify(cell)
            return (found[0], cell[:60]) if found else None
        if s.lower() == "not" and _next_text(lines, j).lower().startswith("covered"):
            return "not_medically_necessary", "Not Covered"
    return None


def assign(pages: list[Page], mentions: list[Mention]) -> None:
    """Set `disposition` and `evidence` on every mention.

    Order of evidence: a status in the code's own table row, then the code's own sentence, then the
    heading or lead-in statement in force. Inside a revision history nothing decides ("listed")."""
    heads = headings(pages)
    lines = [_WS.sub(" ", ln) for page in pages for ln in page.text.split("\n")]
    flat = {id(p): _flat_states(p.text) for p in pages if p.text.count("\n") < 3 and len(p.text) > 2000}
    pm = _PROGRAM.search("\n".join(p.text for p in pages[:2])[:3000])
    program = pm.group(1) if pm else None
    for m in mentions:
        head = heads[m.line - 1] if 0 < m.line <= len(heads) else (0, "", None)
        if head[2] == "history":
            m.disposition, m.evidence = "listed", None
            continue
        if 0 < m.line <= len(lines) and (row := _row_status(lines, m.line - 1, m.system)):
            m.disposition, phrase = row
            m.evidence = f'table row: "{phrase}"'
            continue
        own = lines[m.line - 1].strip() if 0 < m.line <= len(lines) else ""
        if own.endswith(":") and _DIAGNOSIS_CAPTION.search(own) and not m.system.startswith("icd10"):
            # "ICD-10 codes that support medical necessity for codes 61635, 61645:" decides the diagnoses
            m.disposition, m.evidence = "listed", None
            continue
        found = classify(m.sentence)
        if found:
            m.disposition, phrase = found
            m.evidence = f'sentence: "{phrase}"'
            continue
        if head[2] and not (_DIAGNOSIS_CAPTION.search(head[1]) and not m.system.startswith("icd10")):
            m.disposition = head[2]
            m.evidence = f'heading: "{head[1][:160]}"'
            continue
        page = next((p for p in pages if p.number == m.page), pages[0] if len(pages) == 1 else None)
        if page is not None and id(page) in flat and (state := _flat_lookup(page.text, flat[id(page)], m)):
            m.disposition, m.evidence = state
            continue
        if page is not None and id(page) in flat and (state := _position_for_code_list(page.text, m)):
            m.disposition, m.evidence = state
            continue
        if program:
            m.disposition, m.evidence = "prior_auth", f'document: "{program}"'
            continue
        m.disposition, m.evidence = "listed", None


_SUB_CAPTION = re.compile(r"^(?:for|when|if|including|the following)\b.*:$", re.I)
_DIAGNOSIS_CAPTION = re.compile(r"\b(?:ICD-?10|diagnos[ie]s)\b", re.I)
# A program document that opens by naming its restricted products: every product code it lists needs approval.
_PROGRAM = re.compile(r"^\s*(Restricted Products?(?:\(s\))?)\s*:", re.I | re.M)


_SEGMENT = re.compile(r"[^.:!?]*[:]")
_FLAT_RESET = re.compile(r"\b(?:Document History|Revision History|Policy History|References|History)\b")


def _flat_states(text: str) -> list[tuple[int, str, str | None]]:
    """For a page flattened to one line (HTML policies): where each lead-in ("When services are
    investigational and not medically necessary:") starts to apply, and where a history or reference
    section ends it."""
    states: list[tuple[int, str, str | None]] = []
    for m in _SEGMENT.finditer(text):
        seg = m.group(0).strip()
        if 0 < len(seg) <= 200 and not _tokens(seg) and (found := classify(seg)):
            states.append((m.end(), f'lead-in: "{seg[-120:]}"', found[0]))
    for m in _FLAT_RESET.finditer(text):
        states.append((m.start(), "", None))
    return sorted(states)


_POSITION = re.compile(r"\bPolicy Position\b(.{0,700})", re.S)
_CODE_LIST = re.compile(
    r"\b(?:Procedure|CPT|HCPCS)\s+Codes?\s+((?:[0-9A-Z]{5}(?:\s*[,;]\s*|\s+and\s+|\s+))+)\Z"
)


def _position_for_code_list(text: str, m: Mention) -> tuple[str, str] | None:
    """A flattened web page whose "Procedure Codes" list follows a single policy position ("... is considered
    experimental/investigational (E/I) and therefore, non-covered."): the codes take that position."""
    before = m.extra.get("before", "")
    if not _CODE_LIST.search(before[-400:]):
        return None
    pos = _POSITION.search(text)
    if not pos:
        return None
    for sentence in re.split(r"(?<=[.;])\s+", pos.group(1)):
        if found := classify(sentence):
            return found[0], f'policy position: "{sentence.strip()[:160]}"'
    return None


def _flat_lookup(text: str, states: list[tuple[int, str, str | None]], m: Mention) -> tuple[str, str] | None:
    before = m.extra.get("before", "")
    at = text.find(before) + len(before) if before else -1
    if at < 0:
        return None
    last = None
    for pos, evidence, disp in states:
        if pos > at:
            break
        last = (disp, evidence) if disp else None
    return last

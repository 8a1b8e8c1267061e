"""Find the codes in a pasted bill, statement or EOB, line by line, from their context.

A line of text is read as one of: a table header (column names fix what each column holds), a
diagnosis line ("Dx:", "ICD-10:", "Diagnosis codes:") or the body of a diagnosis section, a service
line, or anything else. Codes are taken only where the context says they are codes:

- a 5-digit number (or a CPT-shaped code such as 0591T) is a CPT code only on a line that reads like
  a service line: in a code column, after a code label ("CPT", "Proc", "Code"), or on a line with a
  date or an amount and a description; never after a label that names something else (account,
  claim, member, NPI, phone, ZIP, page...) or after a state abbreviation (a ZIP code);
- a letter and four digits (E0114) is HCPCS on a service line and ICD-10-CM in a diagnosis context;
  elsewhere both readings are kept and the caller decides (one may not exist);
- an ICD-10-CM code is taken from a diagnosis context, or anywhere when written with its dot (E11.9);
- 4-digit revenue codes, amounts, dates, NPIs (10 digits) and long numbers never match a code shape.

Modifiers follow their code (99214-25, "99214 25 59", a Mod column); units come from a Units/Qty
column, "x2", "3 units", "Qty 2" or the whole number just before the first amount. Tokens that look
like codes but have no valid shape are reported, not dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from medcodes import systems
from medcodes.codes import canonical

SERVICE = "service"
DIAGNOSIS = "diagnosis"

# Modifiers that are read when they follow a code. Two-digit numbers only from this list, so a
# stray number after a code is not taken for one.
NUMERIC_MODIFIERS = frozenset(
    "22 23 24 25 26 27 32 33 47 50 51 52 53 54 55 56 57 58 59 62 63 66 73 74 76 77 78 79 80 81 82 90 91 92 "
    "93 95 96 97 99".split()
)
_ALPHA_MODIFIER = re.compile(r"^(?:[A-Z]{2}|[A-Z]\d|\d[A-Z])$")
_NOT_MODIFIERS = frozenset("EA UN MG ML GM CC IV IM PO OF TO AT IN ON BY OR NO DR MD DO NP".split())
_TIMES = re.compile(r"^X\d+$")  # "x2" is a count, not a modifier

_CPT = re.compile(r"^(\d{5}|\d{4}[FTUMA])$")
_HCPCS = re.compile(r"^[A-V]\d{4}$")
_ICD_DOTTED = re.compile(r"^([A-Z]\d[0-9A-Z])\.([0-9A-Z]{1,4})$")
_ICD_PLAIN = re.compile(r"^[A-Z]\d[0-9A-Z]{1,5}$")
_CODE_LIKE = re.compile(r"^[A-Z]\d[0-9A-Z]{1,3}\.?[0-9A-Z]{0,6}$|^\d{4}[A-Z]$")
_DX_LIKE = re.compile(r"^[A-Z]\d[0-9A-Z.]{1,7}$")
_ATTACHED = re.compile(r"^([0-9A-Z]{5})(?:[-:]([0-9A-Z]{2}(?:[-:,][0-9A-Z]{2})*))$")

_MONEY = re.compile(
    r"^\(?-?\$\s?-?[\d,]*\d(?:\.\d{1,2})?\)?-?$|^\(?-?\d{1,3}(?:,\d{3})+(?:\.\d{2})?\)?$|^\(?-?\d+\.\d{2}\)?-?$"
)
_DATE_PATTERNS = (
    (re.compile(r"(?<!\d)(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})(?!\d)"), "mdy"),
    (re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)"), "ymd"),
    (
        re.compile(
            r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})\b",
            re.I,
        ),
        "bdy",
    ),
)
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_UNITS = (
    re.compile(r"(?:^|\s)[x×]\s?(\d{1,3})(?=\s|$)", re.I),
    re.compile(r"\b(?:units?|qty|quantity|count)\s*[:=#]?\s*(\d{1,3})(?:\.0+)?\b", re.I),
    re.compile(r"\b(\d{1,3})\s*(?:units?|ea|each)\b", re.I),
)

# Words that, just before a number, say it is not a code.
# (Description words such as "patient" or "visit" are left out: "Office visit, est patient (99213)".
# Any other word ending in ':' or '#' is a label too.)
_NOT_CODE_LABELS = frozenset(
    """account acct acct# claim claim# member id id# npi phone tel telephone fax zip zipcode box invoice
    group grp policy icn dcn page tax tin ein ssn subscriber mrn suite ste apt ext extension eft routing
    accession specimen lot ndc rx tracking confirmation seq #""".split()
)
_CODE_LABELS = frozenset(
    """account acct acct# claim claim# member id id# npi phone tel telephone fax zip zipcode box invoice
    patient pt group grp policy ref reference control icn dcn page tax tin ein ssn subscriber mrn record
    statement encounter auth authorization check eft routing suite ste apt room rm bed plan contract
    number no no. # visit# order accession specimen lot ndc rx prescription provider billing tracking
    case confirmation seq sequence""".split()
)
_CODE_LABELS = frozenset(
    "cpt cpt® cpt/hcpcs hcpcs hcpcs/cpt proc procedure code codes svc service services cpt4 cpt-4".split()
)
_STREET = frozenset(
    "st street ave avenue rd road blvd dr drive lane ln way ct court pkwy hwy highway pl place".split()
)
_STATES = frozenset(
    """AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC
    ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR""".split()
)
_DX_LABEL = re.compile(
    r"\b(?:dx|diag(?:nos[ie]s)?(?:\s+codes?)?|icd[-\s]?10(?:[-\s]?cm)?(?:\s+(?:codes?|diagnos[ie]s))?|"
    r"reason\s+for\s+visit)\s*(?:\(s\))?\s*[:#]",
    re.I,
)
_DX_HEADING = re.compile(
    r"^\s*(?:diagnos[ie]s(?:\s+codes?)?|dx\s+codes?|icd[-\s]?10(?:[-\s]?cm)?(?:\s+(?:codes?|diagnos[ie]s))?)\s*:?\s*$",
    re.I,
)
_DOS_LABEL = re.compile(
    r"\b(?:dates?\s+of\s+(?:service|visit)|service\s+date|visit\s+date|dos|seen\s+on|visit\s+on|"
    r"services?\s+on|exam\s+date)\b",
    re.I,
)

# Column names in a table header, and what the column holds.
_HEADER_WORDS = {
    "code": "code",
    "cpt": "code",
    "cpt/hcpcs": "code",
    "hcpcs": "code",
    "hcpcs/cpt": "code",
    "proc": "code",
    "procedure": "code",
    "svc": "code",
    "cpt®": "code",
    "mod": "mod",
    "mods": "mod",
    "modifier": "mod",
    "modifiers": "mod",
    "units": "units",
    "unit": "units",
    "qty": "units",
    "quantity": "units",
    "svc units": "units",
    "test code": "id",
    "item": "id",
    "dx": "dx",
    "diag": "dx",
    "diagnosis": "dx",
    "icd": "dx",
    "icd-10": "dx",
    "icd10": "dx",
    "rev": "rev",
    "revenue": "rev",
    "rev code": "rev",
    "date": "date",
    "dos": "date",
    "description": "other",
    "desc": "other",
    "service": "other",
    "charge": "money",
    "charges": "money",
    "amount": "money",
    "billed": "money",
    "allowed": "money",
    "paid": "money",
    "balance": "money",
    "adjustment": "money",
    "owe": "money",
    "pointer": "other",
    "acct": "id",
    "account": "id",
    "ndc": "id",
    "npi": "id",
    "claim": "id",
}


# A code-shaped token in one of these columns is not a code (a Description column may hold one).
# Only these: rows pasted from a PDF rarely line up with their header, so a code that drifted under
# "Date" is still a code, while an Account or Item column really holds other numbers.
_NOT_CODE_COLUMNS = frozenset({"id", "rev"})


@dataclass(slots=True)
class BillLine:
    """A code found on the bill: a service line (CPT/HCPCS) or a diagnosis (ICD-10-CM)."""

    kind: str  # service | diagnosis
    systems: list[str]  # candidate systems; one when the context decides
    code: str  # canonical
    raw: str  # as written on the bill
    line: int  # 1-based line number in the pasted text
    modifiers: list[str] = field(default_factory=list)
    units: int = 1
    date: str | None = None  # ISO date of service
    reason: str | None = None  # how the system was chosen, when the code fits more than one


@dataclass(slots=True, frozen=True)
class Token:
    """A token that looks like a code but is not one (or whose system could not be told)."""

    text: str
    line: int
    reason: str


@dataclass(slots=True)
class ParsedBill:
    lines: list[BillLine]
    unrecognised: list[Token]
    date: str | None  # the bill's date of service, when it gives one
    text_lines: int = 0

    @property
    def diagnoses(self) -> list[BillLine]:
        return [b for b in self.lines if b.kind == DIAGNOSIS]

    @property
    def services(self) -> list[BillLine]:
        return [b for b in self.lines if b.kind == SERVICE]


@dataclass(slots=True)
class _Tok:
    text: str  # stripped of surrounding punctuation
    raw: str
    start: int
    end: int
    index: int  # field index when the line is tab-separated


@dataclass(slots=True)
class _Column:
    kind: str
    start: int
    end: int
    index: int


_TOKEN = re.compile(r"\S+")
_STRIP = "\"'()[]{}<>,;|*"


def _tokens(line: str) -> list[_Tok]:
    out = []
    if "\t" in line:
        pos = 0
        for i, fieldtext in enumerate(line.split("\t")):
            for m in _TOKEN.finditer(fieldtext):
                raw = m.group()
                out.append(_Tok(raw.strip(_STRIP), raw, pos + m.start(), pos + m.end(), i))
            pos += len(fieldtext) + 1
        return out
    for m in _TOKEN.finditer(line):
        raw = m.group()
        out.append(_Tok(raw.strip(_STRIP), raw, m.start(), m.end(), -1))
    return out


def _parse_date(text: str) -> tuple[str | None, int]:
    """The first date in `text` as ISO, and where it starts (-1 when none)."""
    best: tuple[str | None, int] = (None, -1)
    for rx, form in _DATE_PATTERNS:
        for m in rx.finditer(text):
            try:
                if form == "mdy":
                    mo, d, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
                    y = y + 2000 if y < 100 else y
                elif form == "ymd":
                    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
                else:
                    mo, d, y = _MONTHS[m.group(1).lower()[:3]], int(m.group(2)), int(m.group(3))
                iso = date(y, mo, d).isoformat()
            except (ValueError, KeyError):
                continue
            if best[1] < 0 or m.start() < best[1]:
                best = (iso, m.start())
            break
    return best


def _is_money(t: str) -> bool:
    return bool(_MONEY.match(t))


def _header(tokens: list[_Tok], line: str) -> list[_Column] | None:
    """Columns of a table header line: at least two known column names, one of them a code column,
    and no code-shaped token."""
    cols: list[_Column] = []
    i = 0
    words = [t.text.lower().rstrip(":.") for t in tokens]
    while i < len(tokens):
        two = f"{words[i]} {words[i + 1]}" if i + 1 < len(tokens) else ""
        if two in _HEADER_WORDS:
            cols.append(_Column(_HEADER_WORDS[two], tokens[i].start, tokens[i + 1].end, tokens[i].index))
            i += 2
            continue
        w = words[i]
        kind = _HEADER_WORDS.get(w)
        if kind is None and "/" in w:
            kind = next((_HEADER_WORDS[p] for p in w.split("/") if p in _HEADER_WORDS), None)
        if kind is not None:
            cols.append(_Column(kind, tokens[i].start, tokens[i].end, tokens[i].index))
        elif any(c.isdigit() for c in w):
            return None
        i += 1
    kinds = {c.kind for c in cols}
    if len(cols) >= 2 and ("code" in kinds or "dx" in kinds) and len(cols) * 2 >= len(tokens) - 1:
        return cols
    return None


def _merge(first: list[_Column], second: list[_Column]) -> list[_Column]:
    """Columns of a two-line header: where the lines overlap, the one that says more wins (a code
    column over a description)."""
    rank = {"code": 0, "dx": 1, "mod": 2, "units": 3, "rev": 4, "date": 5, "money": 6, "id": 7, "other": 8}
    out = list(first)
    for c in second:
        hit = [k for k, o in enumerate(out) if c.start < o.end + 2 and c.end > o.start - 2]
        if not hit:
            out.append(c)
        elif rank[c.kind] < rank[out[hit[0]].kind]:
            out[hit[0]] = c
    return sorted(out, key=lambda c: c.start)


def _column_of(tok: _Tok, cols: list[_Column], tabbed: bool) -> str | None:
    if tabbed and tok.index >= 0 and all(c.index >= 0 for c in cols):
        for c in cols:
            if c.index == tok.index:
                return c.kind
        return None
    best, dist = None, 10**9
    for c in cols:
        d = (
            0
            if tok.start < c.end and tok.end > c.start
            else min(abs(tok.start - c.end), abs(c.start - tok.end))
        )
        if d < dist:
            best, dist = c.kind, d
    return best if dist <= 6 else None


def _label_before(tokens: list[_Tok], i: int) -> str | None:
    """ "code" or "other" when one of the two tokens before `i` labels it: "CPT", "Proc:" say a code
    follows; "Account #", "NPI:", "Member ID", a state abbreviation (ZIP) or any other "Label:" do not."""
    for back in (1, 2):
        j = i - back
        if j < 0:
            break
        raw = tokens[j].raw.lower().strip(_STRIP)
        bare = raw.rstrip(":#.").lstrip("#")
        if bare in _CODE_LABELS:
            return "code"
        if bare in _NOT_CODE_LABELS:
            return "other"
        if back == 1 and tokens[j].text in _STATES:
            return "other"  # "Springfield, IL 62704": a ZIP code
        if raw.endswith((":", "#")) and raw[:1].isalpha():
            return "other"  # some other labelled field ("Item no.:"), but not "2026-03-05:"
    return None


def _looks_like_service_line(tokens: list[_Tok], i: int, has_date: bool, has_money: bool) -> bool:
    words = [t.text.lower() for t in tokens if t.text.isalpha() and len(t.text) >= 3]
    if (has_date or has_money) and words:
        return True
    if i == 0 and words and not any(w in _STREET for w in words):
        return True  # "99213  Office visit, established patient": a code heading a described line
    return False


def _modifiers(tokens: list[_Tok], i: int, cols, tabbed: bool) -> tuple[list[str], int]:
    """Modifiers right after the code at `i` (or in a Mod column), and the index after the last."""
    mods: list[str] = []
    j = i + 1
    while j < len(tokens):
        t = tokens[j].text.upper()
        if t in ("MOD", "MOD:", "MODIFIER", "MODIFIER:", "MODIFIERS:"):
            j += 1
            continue
        parts = [p for p in re.split(r"[-,:/]", t.lstrip("-")) if p]
        col = _column_of(tokens[j], cols, tabbed) if cols else None
        if (
            parts
            and all(_is_modifier(p, strict=col != "mod") for p in parts)
            and col in (None, "mod", "code")
        ):
            mods += parts
            j += 1
            continue
        break
    return mods, j


def _is_modifier(t: str, strict: bool) -> bool:
    if t in NUMERIC_MODIFIERS:
        return True
    if t.isdigit():
        return not strict and len(t) == 2
    return (
        bool(_ALPHA_MODIFIER.match(t))
        and not _TIMES.match(t)
        and t not in _NOT_MODIFIERS
        and t not in _STATES - {"GA", "PA"}
    )


def _units(tokens: list[_Tok], after: int, line: str, code_end: int, cols, tabbed: bool) -> int | None:
    if cols:
        for t in tokens[after:]:
            if _column_of(t, cols, tabbed) == "units":
                try:
                    v = float(t.text.replace(",", ""))
                except ValueError:
                    continue
                if 0 < v < 10000 and v == int(v):
                    return int(v)
    rest = line[code_end:]
    for rx in _UNITS:
        m = rx.search(rest)
        if m:
            return int(m.group(1))
    # A whole number just before the first amount: the quantity column of most statements.
    for k in range(after, len(tokens)):
        if _is_money(tokens[k].raw):
            prev = tokens[k - 1] if k - 1 >= after else None
            if prev is not None and prev.text.isdigit() and not prev.text.startswith("0"):
                n = int(prev.text)
                if 0 < n < 1000:
                    return n
            break
    return None


class _Parser:
    def __init__(self) -> None:
        self.lines: list[BillLine] = []
        self.unrecognised: list[Token] = []
        self.bill_date: str | None = None
        self.cols: list[_Column] | None = None
        self.tabbed = False
        self.dx_section = False
        self.seen_dx: set[str] = set()
        self.prev_header = False

    def diagnosis(self, tok: _Tok, n: int, when: str | None) -> None:
        code = canonical(tok.text)
        m = _ICD_DOTTED.match(tok.text.upper())
        dotted_ok = m is not None if "." in tok.text else bool(_ICD_PLAIN.match(code))
        ok = dotted_ok and systems.get("icd10cm").matches(code)
        if not ok:
            if _DX_LIKE.match(tok.text.upper()):
                self.unrecognised.append(Token(tok.text, n, "not the shape of an ICD-10-CM code"))
            return
        if code in self.seen_dx:
            return
        self.seen_dx.add(code)
        self.lines.append(BillLine(DIAGNOSIS, ["icd10cm"], code, tok.text, n, date=when))

    def line(self, n: int, text: str) -> None:
        if not text.strip():
            self.dx_section = False
            return
        tokens = _tokens(text)
        # A header holds no numbers (bar "ICD-10"); checking that first keeps long statements fast.
        bare = text.lower().replace("icd-10", "").replace("icd10", "")
        header = None if any(c.isdigit() for c in bare) else _header(tokens, text)
        if header is not None:
            if self.prev_header and self.cols:
                header = _merge(self.cols, header)  # a header written over two lines
            self.cols, self.tabbed, self.dx_section = header, "\t" in text, False
            self.prev_header = True
            return
        self.prev_header = False
        if _DX_HEADING.match(text):
            self.dx_section = True
            return
        when, _ = _parse_date(text)
        if when and _DOS_LABEL.search(text) and self.bill_date is None:
            self.bill_date = when
        dx_label = _DX_LABEL.search(text)
        dx_from = dx_label.end() if dx_label else (0 if self.dx_section else None)
        has_money = any(_is_money(t.raw) for t in tokens)
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if len(tok.text) < 3 or not any(c.isdigit() for c in tok.text):
                i += 1  # words, and numbers too short to be a code
                continue
            up = tok.text.upper()
            col = _column_of(tok, self.cols, self.tabbed) if self.cols else None
            in_dx = (dx_from is not None and tok.start >= dx_from) or col == "dx"
            if in_dx:
                for part in re.split(r"[,;/]", tok.text):
                    if part:
                        self.diagnosis(
                            _Tok(part.strip(_STRIP + "."), part, tok.start, tok.end, tok.index), n, when
                        )
                i += 1
                continue
            i = self.service_token(tokens, i, tok, up, col, n, text, when, has_money)

    def service_token(self, tokens, i, tok, up, col, n, text, when, has_money) -> int:
        attached = _ATTACHED.match(up)
        code, mods = (attached.group(1), re.split(r"[-:,]", attached.group(2))) if attached else (up, [])
        cpt, hcpcs = bool(_CPT.match(code)), bool(_HCPCS.match(code))
        if _ICD_DOTTED.match(up) and _label_before(tokens, i) != "other":
            self.diagnosis(tok, n, when)  # a dotted ICD-10-CM code reads as a diagnosis anywhere
            return i + 1
        if not (cpt or hcpcs):
            if col == "code" and _CODE_LIKE.match(up) and len(up) >= 5:
                self.unrecognised.append(Token(tok.text, n, "not the shape of a CPT or HCPCS code"))
            return i + 1
        if mods and not all(_is_modifier(m, strict=False) for m in mods):
            return i + 1
        label = _label_before(tokens, i)
        if label == "other" or col in _NOT_CODE_COLUMNS:
            return i + 1
        if not (
            col == "code"
            or label == "code"
            or _looks_like_service_line(tokens, i, when is not None, has_money)
        ):
            return i + 1
        more, after = _modifiers(tokens, i, self.cols, self.tabbed)
        mods += more
        if self.cols:
            mods += [
                p
                for t in tokens[after:]
                if _column_of(t, self.cols, self.tabbed) == "mod"
                for p in re.split(r"[-,:/]", t.text.upper())
                if p and _is_modifier(p, strict=False)
            ]
        units = _units(tokens, after, text, tok.end, self.cols, self.tabbed) or 1
        line_date = when or self.bill_date
        if hcpcs:
            # E1130 is both a HCPCS and an ICD-10-CM shape; on a service line it is the HCPCS code.
            line = BillLine(
                SERVICE, ["hcpcs"], code, tok.text, n, list(dict.fromkeys(mods)), units, line_date
            )
            if systems.get("icd10cm").matches(code):
                line.systems = ["hcpcs", "icd10cm"]
                line.reason = "read as HCPCS because it is on a service line; it also has the shape of an ICD-10-CM code"
        else:
            line = BillLine(SERVICE, ["cpt"], code, tok.text, n, list(dict.fromkeys(mods)), units, line_date)
        self.lines.append(line)
        return after


def parse(text: str) -> ParsedBill:
    """Every code on a pasted bill, in the order they appear (each diagnosis once)."""
    p = _Parser()
    rows = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # A "Date of service" line anywhere sets the date for lines that give none.
    for row in rows:
        if _DOS_LABEL.search(row):
            d, _ = _parse_date(row)
            if d:
                p.bill_date = d
                break
    for n, row in enumerate(rows, start=1):
        p.line(n, row)
    for ln in p.lines:
        if ln.kind == SERVICE and ln.date is None:
            ln.date = p.bill_date
    return ParsedBill(p.lines, p.unrecognised, p.bill_date, len(rows))

"""Find the CPT, HCPCS, ICD-10-CM and ICD-10-PCS codes a policy document mentions.

A token only becomes a code when it has a code's shape, sits in a context where codes are
written (not a ZIP code, an NDC, a dollar amount, a citation, a head count), and exists in the
code database. Ranges (`81105 - 81111`, `E11.00-E11.9`, `85002 through 85999`) are expanded
against the database, so only real codes come out.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from medcodes import systems
from medcodes.policies import shapes
from medcodes.policies.codeindex import CodeIndex
from medcodes.policies.documents import Page

# A dotted ICD-10-CM code may be split after its dot by a line break (table cells, wrapped text).
# A stray space after the dot ("G30. 0") is the same code; a code glued to the next word ("81479Unlisted")
# is still a code.
_TOKEN = re.compile(
    r"(?<![A-Za-z0-9])((?:[A-Z][0-9A-Z][0-9A-Z]\.(?:[ \t]*\n[ \t]*|[ \t])?[0-9A-Z]{1,4}|[0-9A-Z]{3,7})(?![A-Za-z0-9])"
    r"|\d{4}[0-9A-Z](?=[A-Z][a-z]{2}))"
)
_PCS_BEFORE = re.compile(r"\bPCS\b[^.\n]{0,30}\Z")
_RANGE_SEP = re.compile(r"^\s*(?:[-\u2010-\u2015\u2212]|to|through|thru)\s*$", re.I)

_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR"
).split()
_ZIP_BEFORE = re.compile(r"(?:\b(?:" + "|".join(_STATES) + r")|Ste\.?|Suite)\s*,?\s+\Z")
# Word-bounded: "balloon" or "fixation" at the end of the line before a table row is no "n =" sample size.
_NUMBER_WORDS_BEFORE = re.compile(
    r"\b(?:mpa|mp|mcg|swog|ecog|nsabp|calgb|rtog|gog|nrg|trial|study|protocol|guideline|policy|phone|fax|tel|telephone|zip|suite|box|pmid|isbn|issn|lcd|article|ncd|article id|"
    r"volume|vol|page|pages|pp|n|ref|reference|id)\W{0,3}(?:number|no\.?|#|id)?\W{0,3}\Z",
    re.I,
)
_COUNT_WORDS_AFTER = re.compile(
    r"^\s*(?:patients|participants|women|men|subjects|cases|individuals|samples|people|persons|members|"
    r"adults|children|deaths|births|cells|copies|reads|genomes|controls|tumou?rs|specimens|years|days)\b",
    re.I,
)
_CITATION = re.compile(
    r"\bdoi\b|\bPMID\b|\bet al\b|\b(?:19|20)\d{2}\s*;\s*\d|\bAccessed\b|\bISBN\b|https?://|www\.|\bvol\.|\bpp\.",
    re.I,
)
_PAGE_FOOTER = re.compile(r"\bPage\s+\d+\s+of\s+\d+", re.I)


@dataclass(slots=True)
class Mention:
    """One code or range written in a document, before and after expansion."""

    system: str
    code: str  # canonical code, or "LO-HI" for a range as written
    codes: list[str]  # the database codes it stands for
    page: int | None
    line: int  # 1-based line number in the whole document
    context: str  # the line or table row it sits in
    sentence: str  # the sentence around it, for the disposition
    is_range: bool = False
    disposition: str = "listed"
    evidence: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass(slots=True)
class _Tok:
    start: int
    end: int
    raw: str
    code: str  # canonical (dot and whitespace removed)
    shape: str  # cpt5 | cpt_alpha | hcpcs | icd_dotted | icd | pcs | pcs_bare


def _shape(code: str, dotted: bool) -> str | None:
    return shapes.shape(code, dotted)


def _tokens(text: str) -> list[_Tok]:
    out = []
    for m in _TOKEN.finditer(text):
        raw = m.group(1)
        dotted = "." in raw
        code = re.sub(r"[\s.]", "", raw)
        shape = _shape(code, dotted)
        if shape:
            out.append(_Tok(m.start(1), m.end(1), raw, code, shape))
    return out


@dataclass(slots=True)
class _Lines:
    """Line starts of one page's text, to map offsets to lines and cut contexts."""

    text: str
    starts: list[int]

    @classmethod
    def of(cls, text: str) -> _Lines:
        starts = [0] + [m.end() for m in re.finditer("\n", text)]
        return cls(text, starts)

    def index(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def line(self, i: int) -> str:
        end = self.starts[i + 1] - 1 if i + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[i] : end]


def _rejected_number(text: str, tok: _Tok, line: str) -> bool:
    """Context that says a code-shaped number is something else (ZIP, NDC, money, citation, count)."""
    before = text[max(0, tok.start - 30) : tok.start]
    after = text[tok.end : tok.end + 24]
    if before[-1:] and before[-1] in ".:/;=#$@_+\\":
        return True
    if re.match(r"^(?:[.,/]\d|%|-\d{1,4}(?!\d)|\s?(?:mg|mcg|ml|units?)\b)", after, re.I):
        return True
    if re.search(r"(?<![0-9A-Z])\d{1,4}-\Z", before):  # middle of an NDC or phone number
        return True
    if re.search(r"\d,\Z", before):  # thousands separator: 1,23456
        return True
    if _ZIP_BEFORE.search(before) or _NUMBER_WORDS_BEFORE.search(_same_line(before)):
        return True
    if _COUNT_WORDS_AFTER.match(after):
        return True
    # Citations are judged near the token: some extracts put a whole page on one line.
    return _citation_near(text, tok)


_ID_BEFORE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{1,4}-\Z")
_ID_AFTER = re.compile(r"^-(?:\d{1,4}|[A-Z]{1,4})(?![0-9A-Za-z])")


def _identifier_part(text: str, tok: _Tok) -> bool:
    """A code-shaped piece of a longer identifier: a guideline number (09-J1000-78), a trial id
    (LOXO-TRK-14001), a study id after its group's name (SWOG S0500), a policy id (MPA G2124)."""
    before = text[max(0, tok.start - 30) : tok.start]
    after = text[tok.end : tok.end + 8]
    if _ID_BEFORE.search(before):
        return True
    if (m := _ID_AFTER.match(after)) and not (
        m.group(0)[1:].isalpha() and _LIST_ITEM.search(_same_line(before))
    ):
        return True  # a list item "o 86153-CTC, physician interpretation" is the code, a dash, then its name
    if tok.shape in ("hcpcs", "icd") and (
        _GENE_BEFORE.search(_same_line(before)) or _VARIANT_AFTER.match(text[tok.end : tok.end + 16])
    ):
        return True  # a gene variant: "BRAF V600", "EGFR T790M", "V600 variant(s)"
    return tok.shape != "cpt5" and bool(_NUMBER_WORDS_BEFORE.search(_same_line(before)))


_VARIANT_AFTER = re.compile(r"^\s?-?\s?(?:variants?|mutations?|mutant|mutated|alleles?)\b", re.I)
_LIST_ITEM = re.compile(r"^[ \t|\u2022o*-]*\Z")
# A gene symbol (upper-case letters, maybe digits) right before a code-shaped variant name; words that
# introduce codes ("CPT", "HCPCS", "ICD-10") are no genes.
_GENE_BEFORE = re.compile(r"(?<![\w-])(?!(?:CPT|HCPCS|ICD|PCS|CM|CODES?|AND|OR|TO)\s)[A-Z][A-Z0-9]{2,7}\s+\Z")


def _same_line(before: str) -> str:
    return before[before.rfind("\n") + 1 :]


def _citation_near(text: str, tok: _Tok) -> bool:
    """A citation around the token. A code opening a line (a table row) is judged on its own line only:
    the page header above it may carry the plan's web address."""
    line_start = text.rfind("\n", 0, tok.start) + 1
    lo = max(0, tok.start - 100)
    if not text[line_start : tok.start].strip("| \t"):
        lo = line_start
    return bool(_CITATION.search(text, lo, min(len(text), tok.end + 60)))


def _resolve(tok: _Tok, index: CodeIndex, icd_context: bool, pcs_context: bool = False) -> str | None:
    """The system a token is a code of, or None."""
    c, shape = tok.code, tok.shape
    if shape in ("cpt5", "cpt_alpha"):
        return "cpt" if index.exists("cpt", c) else None
    if shape == "icd_dotted":
        return "icd10cm" if index.exists("icd10cm", c) else None
    if shape == "hcpcs":
        if icd_context and index.exists("icd10cm", c):
            return "icd10cm"
        if index.exists("hcpcs", c):
            return "hcpcs"
        return "icd10cm" if icd_context and index.exists("icd10cm", c) else None
    if shape == "icd":
        if icd_context and index.exists("icd10cm", c):
            return "icd10cm"
        # Letter-first PCS codes (B00B0ZZ) have the ICD-10-CM shape too.
        return "icd10pcs" if systems.get("icd10pcs").matches(c) and index.exists("icd10pcs", c) else None
    if shape == "pcs":
        return "icd10pcs" if index.exists("icd10pcs", c) else None
    if shape == "pcs_bare":
        return "icd10pcs" if pcs_context and index.exists("icd10pcs", c) else None
    return None


_RANGE_SHAPES = {
    "cpt5": "cpt",
    "cpt_alpha": "cpt",
    "hcpcs": "hcpcs",
    "icd_dotted": "icd10cm",
    "icd": "icd10cm",
}


def _range_system(a: _Tok, b: _Tok, index: CodeIndex, icd_context: bool) -> str | None:
    sa, sb = _RANGE_SHAPES.get(a.shape), _RANGE_SHAPES.get(b.shape)
    if sa is None or sb is None:
        return None
    if {a.shape, b.shape} <= {"icd_dotted", "icd", "hcpcs"} and (
        "icd_dotted" in (a.shape, b.shape) or icd_context
    ):
        return "icd10cm"
    if a.shape != b.shape:
        return None
    if a.shape == "cpt_alpha" and a.code[-1] != b.code[-1]:
        return None
    if a.shape == "hcpcs" and a.code[0] != b.code[0]:
        return None
    if sa == "icd10cm" and not (a.shape == "icd_dotted" or icd_context):
        return None
    return sa


# CPT sections: a range that crosses one is a typo or a catch-all, never a list a policy means code by code.
_CPT_SECTIONS = ((0, 1999), (10004, 69990), (70010, 79999), (80047, 89398), (90281, 99607))
# Procedure ranges longer than this are catch-alls ("81200-88291"); diagnosis lists are legitimately long
# (M05.00-M14.89 is 1,185 codes) so they get a wider bound.
MAX_RANGE = {"cpt": 300, "hcpcs": 300, "icd10cm": 2500, "icd10pcs": 2500}


def _same_family(system: str, lo: str, hi: str, codes: list[str]) -> list[str]:
    """Keep the codes of the endpoints' family: 0466T-0468T never takes 0466U, 81200-81210 never 8120U."""
    if system == "cpt":
        if lo.isdigit() and hi.isdigit():
            return [c for c in codes if c.isdigit()]
        return [c for c in codes if c[-1] == lo[-1] and c[:4].isdigit()]
    if system == "hcpcs":
        return [c for c in codes if c[0] == lo[0]]
    return codes


def _cpt_section(code: str) -> int | None:
    if not code[:4].isdigit():
        return None
    n = int(code[:5]) if code.isdigit() else -1
    return next((i for i, (a, b) in enumerate(_CPT_SECTIONS) if a <= n <= b), None)


def _too_wide(system: str, lo: str, hi: str, codes: list[str]) -> str | None:
    """Why a range is kept as text instead of linked to every code in it, or None."""
    if len(codes) > MAX_RANGE.get(system, 300):
        return f"range of {len(codes)} codes: kept as written, not linked code by code"
    if system == "cpt" and lo.isdigit() and hi.isdigit() and _cpt_section(lo) != _cpt_section(hi):
        return "range crosses CPT sections: kept as written, not linked code by code"
    return None


_LIST_LEFTOVER = re.compile(r"[\s,;/()\-\u2010-\u2015]|\b(?:and|or|to|through)\b", re.I)


def _icd_line(line: str, in_icd_section: bool, before: str, at_start: bool = False) -> bool:
    """Undotted ICD-10-CM codes (C61, E119) look like many other things: accept them in a line that has a
    dotted ICD code, after "ICD-10 ... code", or in an ICD section on a line holding nothing but codes."""
    if re.search(r"[A-Z][0-9A-Z][0-9A-Z]\.[0-9A-Z]", line) or re.search(
        r"ICD-?10(?:-CM)?\s+(?:diagnosis\s+)?codes?\W*\Z", before
    ):
        return True
    if not in_icd_section:
        return False
    if at_start and re.match(
        r"^\s*[A-Z]\d\d\b", line
    ):  # a diagnosis-list row: "C55 Malignant neoplasm of ..."
        return True
    rest = _TOKEN.sub("", line)
    return len(_LIST_LEFTOVER.sub("", rest)) <= 2


def _context(lines: _Lines, i: int, offset: int) -> str:
    """The line of a mention; a short table cell borrows the next line, which usually holds its descriptor."""
    ctx = lines.line(i).strip()
    if len(ctx) > 300:  # a flattened page: keep the part around the code
        at = offset - lines.starts[i]
        ctx = "… " + lines.line(i)[max(0, at - 140) : at + 160].strip() + " …"
    j = i + 1
    while len(ctx) < 60 and j < len(lines.starts) and j <= i + 2:
        nxt = lines.line(j).strip()
        tok = _TOKEN.match(nxt)
        if not nxt or _PAGE_FOOTER.search(nxt) or (tok and _shape(re.sub(r"[\s.]", "", tok.group(1)), False)):
            break
        ctx = f"{ctx} {nxt}"
        j += 1
    return re.sub(r"\s+", " ", ctx)[:300]


_SENT_END = re.compile(r"[.;!?:](?=\s)|\n\s*\n")


_ROW_OPEN = re.compile(r"^[ \t|\u2022]*[0-9A-Z]\d{3}[0-9A-Z]\b", re.M)


def _sentence(text: str, start: int, end: int) -> str:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = line_end if line_end >= 0 else len(text)
    prev = text[max(0, line_start - 200) : max(0, line_start - 1)].rstrip().rsplit("\n", 1)[-1].rstrip()
    wrapped = prev.endswith(("(", ",")) or text[line_start:line_end].rstrip().endswith((",", "("))
    if not text[line_start:start].strip("| \t") and not wrapped:
        # A line that opens with the code is a table row or list item: the row is the sentence.
        return re.sub(r"\s+", " ", text[line_start:line_end]).strip()
    lo = max(0, start - 400)
    ends = [m.end() for m in _SENT_END.finditer(text, lo, start)]
    s = ends[-1] if ends else lo
    # never reach back into the code table above: its rows' notes are theirs, not this sentence's
    if _ROW_OPEN.search(text, s, line_start):
        s = line_start
    m = _SENT_END.search(text, end, min(len(text), end + 400))
    e = m.end() if m else min(len(text), end + 400)
    return re.sub(r"\s+", " ", text[s:e]).strip()


class Extractor:
    def __init__(self, index: CodeIndex):
        self.index = index

    def extract(self, pages: list[Page]) -> list[Mention]:
        mentions: list[Mention] = []
        line_base = 0
        icd_section = False
        last_icd_row = -100  # document line of the last diagnosis-table row (a dotted code opening a line)
        for page in pages:
            lines = _Lines.of(page.text)
            toks = _tokens(page.text)
            # Headings that name ICD-10 switch on undotted ICD codes until the next heading of another kind.
            heading_flags = self._icd_heading_flags(lines, icd_section)
            icd_section = heading_flags[-1] if heading_flags else icd_section
            used = set()
            for k, tok in enumerate(toks):
                if k in used:
                    continue
                li = lines.index(tok.start)
                line = lines.line(li)
                at_start = not page.text[lines.starts[li] : tok.start].strip("| \t\u2022")
                # a diagnosis table carries on across a page break: a row within a few lines of the last one
                in_table = at_start and line_base + li - last_icd_row <= 12
                icd_ctx = _icd_line(
                    line,
                    heading_flags[li] or in_table,
                    page.text[max(0, tok.start - 40) : tok.start],
                    at_start,
                )
                if at_start and tok.shape == "icd_dotted":
                    last_icd_row = line_base + li
                if tok.shape == "cpt5" and _rejected_number(page.text, tok, line):
                    continue
                if tok.shape != "icd_dotted" and _identifier_part(page.text, tok):
                    continue
                if tok.shape != "icd_dotted" and _citation_near(page.text, tok):
                    continue
                if tok.shape in ("hcpcs", "icd") and re.search(
                    r"\b(?:LCD|NCD|Article|Policy)\W{0,3}\Z", page.text[max(0, tok.start - 12) : tok.start]
                ):
                    continue
                # A range: this token, a dash or "to"/"through", and a token of the same system.
                if k + 1 < len(toks):
                    nxt = toks[k + 1]
                    sep = page.text[tok.end : nxt.start]
                    if _RANGE_SEP.match(sep) and "\n\n" not in sep:
                        system = _range_system(tok, nxt, self.index, icd_ctx)
                        if system and tok.code != nxt.code:
                            codes = _same_family(
                                system, tok.code, nxt.code, self.index.expand(system, tok.code, nxt.code)
                            )
                            flag = _too_wide(system, tok.code, nxt.code, codes)
                            if codes:
                                used.add(k + 1)
                                mentions.append(
                                    Mention(
                                        system=system,
                                        code=f"{tok.code}-{nxt.code}",
                                        codes=codes,
                                        page=page.number,
                                        line=line_base + li + 1,
                                        context=_context(lines, li, tok.start),
                                        sentence=_sentence(page.text, tok.start, nxt.end),
                                        is_range=True,
                                        extra={
                                            "before": page.text[max(0, tok.start - 500) : tok.start],
                                            **({"flag": flag, "range_size": len(codes)} if flag else {}),
                                        },
                                    )
                                )
                                continue
                pcs_ctx = bool(_PCS_BEFORE.search(page.text, max(0, tok.start - 40), tok.start))
                system = _resolve(tok, self.index, icd_ctx, pcs_ctx)
                if system is None:
                    continue
                mentions.append(
                    Mention(
                        system=system,
                        code=tok.code,
                        codes=[tok.code],
                        page=page.number,
                        line=line_base + li + 1,
                        context=_context(lines, li, tok.start),
                        sentence=_sentence(page.text, tok.start, tok.end),
                        extra={"before": page.text[max(0, tok.start - 500) : tok.start]},
                    )
                )
            line_base += len(lines.starts)
        return mentions

    @staticmethod
    def _icd_heading_flags(lines: _Lines, carry: bool) -> list[bool]:
        """Per line: is it inside a section whose heading names ICD-10 / diagnosis codes?"""
        flags, state = [], carry
        for i in range(len(lines.starts)):
            ln = lines.line(i).strip()
            if 0 < len(ln) <= 120 and not _tokens(ln):
                low = ln.lower()
                if len(ln) <= 40 and i + 1 < len(lines.starts):
                    nxt = lines.line(i + 1).strip()
                    if len(nxt) <= 40 and not _tokens(nxt):
                        low = f"{low} {nxt.lower()}"
                if ("icd" in low or "diagnos" in low) and ("code" in low or "icd-10" in low):
                    state = True
                elif re.search(r"\b(cpt|hcpcs|procedure codes?|references|bibliography)\b", low):
                    state = False
            flags.append(state)
        return flags


def codes_of(mentions: list[Mention]) -> set[tuple[str, str]]:
    return {(m.system, c) for m in mentions for c in m.codes}

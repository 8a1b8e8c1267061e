"""What a policy says of each code it mentions, decided from the code's own sentence first and the
heading of the section it sits in second. The phrase that decided is kept as evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
        re.compile(r"\b(?:experimental|investigational|unproven|not proven|E/I)\b", re.I),
    ),
    (
        "not_medically_necessary",
        re.compile(
            r"\b(?:not (?:be )?(?:considered )?medically necessary|not reasonable and necessary|not covered|"
            r"non-?covered|does not support (?:medical necessity|\w+)|do not support medical necessity|"
            r"never covered|denied|excluded|not eligible for (?:coverage|reimbursement)|"
            r"not (?:be )?reimbursable|not a covered)\b",
            re.I,
        ),
    ),
    (
        "prior_auth",
        re.compile(
            r"\b(?:prior authori[sz]ation|pre-?authori[sz]ation|pre-?certification|prior approval|"
            r"precert|pre-?service review|prior auth)\b",
            re.I,
        ),
    ),
    (
        "covered",
        re.compile(
            r"\b(?:(?:is|are|be|considered|deemed|may be) medically necessary|medically necessary (?:when|if|for)|"
            r"covered (?:when|if|for)|support(?:s)? medical necessity|(?:is|are) covered|proven|"
            r"reasonable and necessary|meets? (?:the )?(?:medical necessity )?criteria)\b",
            re.I,
        ),
    ),
]

# Section headings that end the reach of the heading before them without saying anything themselves.
_NEUTRAL_HEADING = re.compile(
    r"\b(?:codes?|coding|references?|bibliography|background|description|rationale|definitions?|"
    r"history|summary|scope|instructions|applicable|related|policy)\b",
    re.I,
)


@dataclass(slots=True)
class Decision:
    disposition: str
    evidence: str | None


def classify(text: str) -> tuple[str, str] | None:
    """(disposition, matched phrase) for a piece of text, or None if it says nothing decisive."""
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
    if s.endswith(":"):
        return True
    return len(s) <= 90 and not s.endswith((".", ",", ";")) and s[0].isupper() and len(s.split()) <= 14


def headings(pages: list[Page]) -> list[tuple[int, str, str | None]]:
    """Per document line: the heading in force, as (line number of heading, heading text, disposition)."""
    out: list[tuple[int, str, str | None]] = []
    current: tuple[int, str, str | None] = (0, "", None)
    n = 0
    for page in pages:
        for line in page.text.split("\n"):
            n += 1
            if _is_heading(line):
                found = classify(line)
                if found:
                    current = (n, line.strip(), found[0])
                elif _NEUTRAL_HEADING.search(line):
                    current = (n, line.strip(), None)
            out.append(current)
    return out


def assign(pages: list[Page], mentions: list[Mention]) -> None:
    """Set `disposition` and `evidence` on every mention."""
    heads = headings(pages)
    for m in mentions:
        found = classify(m.sentence)
        if found:
            m.disposition, phrase = found
            m.evidence = f'sentence: "{phrase}"'
            continue
        if 0 < m.line <= len(heads):
            _, text, disposition = heads[m.line - 1]
            if disposition:
                m.disposition = disposition
                m.evidence = f'heading: "{text[:160]}"'
                continue
        # Flattened pages (a whole HTML policy on one line) have no headings: the statement just before
        # a "Procedure Codes ..." list decides, if it is in the same paragraph.
        before = m.extra.get("before", "").split("\n\n")[-1]
        if "\n" not in before[-300:] and (found := _last_statement(before)):
            m.disposition, phrase = found
            m.evidence = f'preceding text: "{phrase}"'
            continue
        m.disposition, m.evidence = "listed", None


def _last_statement(text: str) -> tuple[str, str] | None:
    """The disposition of the last sentence before a code list that states one."""
    for sentence in reversed(re.split(r"(?<=[.!?])\s+", text)[-4:]):
        found = classify(sentence)
        if found:
            return found
    return None

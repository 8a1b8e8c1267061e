"""The Medicare Code Editor definitions (CMS "Definitions of Medicare Code Edits", text export).

Windows-1252 text: a title block with the version ("v43.1 April 2026"), a table of contents, then
chapter 1 with numbered edits ("4. Age conflict"), lettered lists ("A. Perinatal/Newborn diagnoses"),
list headings ("Manifestation codes not allowed as principal diagnosis", "Procedures", "Diagnoses")
and ``code<TAB>short title`` lines (codes without dots; a leading ``*`` marks an exception noted in
the edit's text). Chapter 2 lists the changes since the last release and is not read as edits.

Which list a code line belongs to is decided by the edit number, the letter and the last list
heading seen; a code line under no known list stops the import with the file and line, so a new
list in a later release is noticed instead of being filed under the wrong edit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medcodes.models import ReleaseFileError

NAME = re.compile(r"definitions? of medicare code edits.*\.txt$", re.I)
_VERSION = re.compile(r"^v(\d+(?:\.\d+)?)\s+(\w+ \d{4})\s*$")
_NUMBERED = re.compile(r"^(\d+)\. \S")
_LETTERED = re.compile(r"^([A-G])\. \S")
_CODE_LINE = re.compile(r"^(\*?)([0-9A-Z]{3,7})\s*\t\s*(.*?)\s*$")
_START = "Chapter 1: Edit code lists"
_STOP = "Chapter 2: Code list changes"


@dataclass(frozen=True, slots=True)
class EditList:
    key: str
    system: str  # icd10cm | icd10pcs
    name: str  # what a page shows, e.g. "Newborn diagnosis: age 0"
    meaning: str  # one plain sentence, written for this project
    exception: str | None = None  # what a leading "*" on a code means in this list


# (edit number, letter or "", list heading or "") -> list. Wording is the project's own.
LISTS: dict[tuple[str, str, str], EditList] = {
    ("4", "A", ""): EditList(
        "newborn",
        "icd10cm",
        "Newborn diagnosis: age 0",
        "Occurs only in the newborn period; the Code Editor flags it when the patient's age is not 0.",
    ),
    ("4", "B", ""): EditList(
        "pediatric",
        "icd10cm",
        "Pediatric diagnosis: age 0 through 17",
        "Expected only in children; the Code Editor flags it for patients 18 or older.",
    ),
    ("4", "C", ""): EditList(
        "maternity",
        "icd10cm",
        "Maternity diagnosis: age 9 through 64",
        "A pregnancy-related diagnosis; the Code Editor flags it outside ages 9 to 64.",
    ),
    ("4", "D", ""): EditList(
        "adult",
        "icd10cm",
        "Adult diagnosis: age 15 through 124",
        "Expected only in adults; the Code Editor flags it for patients younger than 15.",
    ),
    ("6", "", "Manifestation codes not allowed as principal diagnosis"): EditList(
        "manifestation",
        "icd10cm",
        "Manifestation code: not allowed as principal diagnosis",
        "Describes how an underlying disease shows itself, so the underlying disease is coded first.",
    ),
    ("8", "A", "Questionable admission codes"): EditList(
        "questionable_admission",
        "icd10cm",
        "Questionable admission",
        "As principal diagnosis it is usually not enough on its own to justify an inpatient admission.",
    ),
    ("8", "B", "1. Cesarean section procedure codes"): EditList(
        "questionable_obstetric_cesarean",
        "icd10pcs",
        "Questionable obstetric admission: cesarean section",
        "A delivery procedure; the admission is questioned unless an outcome-of-delivery diagnosis is also coded.",
    ),
    ("8", "B", "2. Vaginal delivery procedure codes"): EditList(
        "questionable_obstetric_vaginal",
        "icd10pcs",
        "Questionable obstetric admission: vaginal delivery",
        "A delivery procedure; the admission is questioned unless an outcome-of-delivery diagnosis is also coded.",
    ),
    ("8", "B", "3. Outcome of delivery diagnoses codes"): EditList(
        "outcome_of_delivery",
        "icd10cm",
        "Outcome of delivery diagnosis",
        "Coded with a delivery procedure, it answers the questionable obstetric admission edit.",
    ),
    ("9", "", "Unacceptable principal diagnosis codes"): EditList(
        "unacceptable_principal",
        "icd10cm",
        "Unacceptable principal diagnosis",
        "Describes a circumstance or status rather than a current illness or injury; not accepted as principal diagnosis.",
        exception="Accepted as principal diagnosis when a secondary diagnosis is also coded.",
    ),
    ("11", "A", "Procedure"): EditList(
        "noncovered", "icd10pcs", "Non-covered procedure", "Medicare does not pay for this procedure."
    ),
    ("11", "B", "Diagnoses list"): EditList(
        "pancreas_transplant_diagnosis",
        "icd10cm",
        "Diagnosis that allows a pancreas-only transplant",
        "A pancreas transplant without a kidney transplant is covered only when a diagnosis from this list is coded.",
    ),
    ("11", "D", "Procedures"): EditList(
        "noncovered_with_diagnosis",
        "icd10pcs",
        "Non-covered procedure with certain diagnoses",
        "Not covered when any diagnosis on the Code Editor's list for this edit is coded.",
    ),
    ("11", "D", "Diagnoses"): EditList(
        "noncovering_diagnosis",
        "icd10cm",
        "Diagnosis that makes certain procedures non-covered",
        "When coded, the procedures on the Code Editor's list for this edit are not covered.",
    ),
    ("11", "F", "Procedure"): EditList(
        "noncovered_over_60",
        "icd10pcs",
        "Non-covered procedure: patient over age 60",
        "Not covered when the patient is older than 60.",
    ),
    ("11", "G", "Procedure"): EditList(
        "noncovered_sterilization",
        "icd10pcs",
        "Non-covered procedure with a sterilization diagnosis",
        "Not covered when Z30.2 (encounter for sterilization) is coded as principal or secondary diagnosis.",
    ),
    ("17", "A", ""): EditList(
        "limited_coverage",
        "icd10pcs",
        "Limited coverage procedure",
        "Medicare covers only part of the cost of this procedure.",
    ),
    ("18", "", "Wrong procedure performed codes"): EditList(
        "wrong_procedure",
        "icd10cm",
        "Wrong procedure performed",
        "Says that the wrong procedure was performed; the Code Editor flags the claim.",
    ),
    ("19", "", ""): EditList(
        "inconsistent_with_stay",
        "icd10pcs",
        "Procedure inconsistent with length of stay",
        "Coded only when ventilation lasted more than four consecutive days of the stay.",
    ),
    ("20", "", ""): EditList(
        "unspecified_laterality",
        "icd10cm",
        "Unspecified code: side not given",
        "A more specific code names the side (right, left or both); the Code Editor flags the unspecified one.",
    ),
}
# Code lines quoted in an edit's description as an example; its list repeats them.
_EXAMPLES = {("9", "", "")}
# Headings that start a list inside an edit (anything else in prose is ignored).
_LIST_HEADINGS = {h for (_, _, h) in LISTS if h} | {"Procedures", "Diagnoses"}


@dataclass(frozen=True, slots=True)
class McePath:
    path: Path
    version: str  # "43.1"
    released: str  # "April 2026"


@dataclass(frozen=True, slots=True)
class MceEdit:
    """One code on one edit list."""

    system: str
    code: str
    edit: EditList
    exception: bool  # the code is marked "*" (see EditList.exception)
    line: int


def recognise(path: Path) -> McePath | None:
    if not NAME.search(path.name):
        return None
    for line in path.read_text("cp1252").splitlines()[:40]:
        if m := _VERSION.match(line.strip()):
            return McePath(path, m.group(1), m.group(2))
    raise ReleaseFileError(
        path, 'no version line ("v43.1 April 2026") in the title block', where="lines 1-40"
    )


def read(mp: McePath) -> Iterator[MceEdit]:
    lines = mp.path.read_text("cp1252").splitlines()
    started = False
    number = letter = heading = ""
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not started:
            started = line == _START
            continue
        if line == _STOP:
            return
        if not line:
            continue
        if m := _CODE_LINE.match(raw):
            edit = LISTS.get((number, letter, heading))
            if edit is None and (number, letter, heading) in _EXAMPLES:
                continue
            if edit is None:
                raise ReleaseFileError(
                    mp.path,
                    f"code {m.group(2)} under an edit list this importer does not know "
                    f"(edit {number}{letter} {heading!r})",
                    where=f"line {n}",
                )
            yield MceEdit(edit.system, m.group(2), edit, bool(m.group(1)), n)
            continue
        if line in _LIST_HEADINGS:
            heading = line  # checked first: "1. Cesarean section procedure codes" is a list, not an edit
        elif m := _NUMBERED.match(line):
            number, letter, heading = m.group(1), "", ""
        elif m := _LETTERED.match(line):
            letter, heading = m.group(1), ""
    if not started:
        raise ReleaseFileError(mp.path, f"no {_START!r} heading")

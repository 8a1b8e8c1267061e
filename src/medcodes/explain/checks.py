"""The checker: every explanation, from either writer, passes these before it is stored or shown.

A check returns a result; errors make the explanation fail (stored with the reason, page falls back
to the grounded text), "info" results such as the reading level are only reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcodes.explain import Explanation, Section
from medcodes.explain.facts import Facts
from medcodes.explain.readability import fk_grade
from medcodes.explain.templates import required_keys, specs

TARGET_GRADE = 8.0


@dataclass(slots=True)
class CheckResult:
    name: str
    ok: bool
    detail: str = ""
    severity: str = "error"  # error | info
    value: float | None = None

    def as_dict(self) -> dict:
        out = {"name": self.name, "ok": self.ok, "detail": self.detail, "severity": self.severity}
        if self.value is not None:
            out["value"] = self.value
        return out


def section_text(sec: Section) -> str:
    return "\n".join([sec.text, *sec.items]).strip()


def _text(expl: Explanation, keys: tuple[str, ...] | None = None) -> str:
    return "\n".join(section_text(s) for s in expl.sections if keys is None or s.key in keys)


def _snippet(text: str, m: re.Match[str], width: int = 50) -> str:
    start = max(0, m.start() - width)
    end = min(len(text), m.end() + width)
    return " ".join(text[start:end].split())


# Phrases that present a service as something given to the patient to treat them.
_TREATMENT = re.compile(
    r"\b(?:replacement|infusion|transfusion|gene) therapy\b"
    r"|\badminister(?:s|ed|ing)?\b"
    r"|\binfus(?:ed|ing)\b|\binfusion of\b"
    r"|\b(?:this|the) (?:procedure|treatment|therapy|medicine|drug) (?:is used to |helps to |aims to )?(?:treat|prevent|stop)s?\b"
    r"|\bused to (?:treat|prevent|stop) (?:bleeding|\w+ episodes)\b"
    r"|\bdose of\b",
    re.IGNORECASE,
)
_TEST_WORDS = re.compile(
    r"\b(?:test|tests|testing|assay|measure[sd]?|measurement|level|analysis|analy[sz]e[sd]?|sample|specimen|"
    r"screen(?:ing)?|panel|culture|examination|laboratory|lab|count|study)\b",
    re.IGNORECASE,
)
_PROCEDURE_CLAIM = re.compile(
    r"\b(?:this|the) (?:procedure|surgery|operation|test)\b(?! code)"
    r"|\bprocedure (?:involves|is performed|is done)\b"
    r"|\bis (?:a|an) (?:procedure|surgery|operation|test)\b",
    re.IGNORECASE,
)
_CONDITION_WORDS = re.compile(
    r"\b(?:condition|disease|disorder|illness|infection|injury|symptom|finding|problem|syndrome|reason|"
    r"history|status|means|code|cause|encounter|visit)\b",
    re.IGNORECASE,
)
_DRUG_WORDS = re.compile(
    r"\b(?:drug|drugs|medicine|medication|injection|infusion|vaccine|dose|biologic|antibody|chemotherapy|"
    r"mg|mcg|units?|solution|tablet)\b",
    re.IGNORECASE,
)
_NOT_DRUG = re.compile(
    r"\b(?:this|the) (?:test|blood test|lab test|surgery|operation|imaging test|scan)\b(?! code)"
    r"|\bis (?:a|an) (?:test|surgery|operation|scan|device)\b",
    re.IGNORECASE,
)
_SIDE_FALSE_FRIENDS = {
    "right": r"away|now|after|before|amount|dose|time|to|for|choice|care|treatment|thing|things|fit|size|questions|here|there|one|way|and|or|position|place|people|person|test|tests|balance|decision|kind|type",
    "left": r"untreated|over|behind|alone|out|unchecked|in|with|to|by|after|for|on|without|unmanaged|undiagnosed",
}


_SIDE_RX = {
    side: re.compile(rf"\b{side}\b(?!\s+(?:{bad})\b)", re.IGNORECASE)
    for side, bad in _SIDE_FALSE_FRIENDS.items()
}
_BOTH_SIDES = re.compile(r"\bbilateral\b|\bboth sides\b", re.IGNORECASE)


def _side_mentions(text: str) -> set[str]:
    found: set[str] = set()
    for side, rx in _SIDE_RX.items():
        for m in rx.finditer(text):
            if re.search(r"\ball\s*$", text[max(0, m.start() - 5) : m.start()], re.IGNORECASE):
                continue
            found.add(side)
    if _BOTH_SIDES.search(text):
        found.add("bilateral")
    return found


_APPROACH_CLAIMS: dict[str, re.Pattern[str]] = {
    "open": re.compile(
        r"\bopen (?:approach|surgery|procedure|operation|technique)\b|\bopen\b(?=,? which means)", re.I
    ),
    "percutaneous endoscopic": re.compile(
        r"\bpercutaneous endoscopic\b|\blaparoscop|\barthroscop|\bthoracoscop", re.I
    ),
    "percutaneous": re.compile(r"\bpercutaneous\b(?! endoscopic)", re.I),
    "natural opening": re.compile(
        r"\bvia natural or artificial opening\b|\bnatural (?:or artificial )?(?:body )?opening\b", re.I
    ),
    "external": re.compile(r"\bexternal approach\b|\bapproach is external\b", re.I),
}
_APPROACH_ALLOWED: dict[str, set[str]] = {
    "open": {"open"},
    "percutaneous": {"percutaneous"},
    "percutaneous endoscopic": {"percutaneous endoscopic"},
    "via natural or artificial opening": {"natural opening"},
    "via natural or artificial opening endoscopic": {"natural opening"},
    "via natural or artificial opening with percutaneous endoscopic assistance": {
        "natural opening",
        "percutaneous endoscopic",
    },
    "external": {"external"},
}


def check_sections(expl: Explanation) -> CheckResult:
    present = {s.key: s for s in expl.sections}
    missing = [k for k in required_keys(expl.kind) if k not in present]
    empty = [k for k in required_keys(expl.kind) if k in present and not section_text(present[k])]
    known = {s.key for s in specs(expl.kind)}
    unknown = [k for k in present if k not in known]
    problems = []
    if missing:
        problems.append("missing sections: " + ", ".join(missing))
    if empty:
        problems.append("empty sections: " + ", ".join(empty))
    if unknown:
        problems.append("sections not in the template: " + ", ".join(unknown))
    return CheckResult(
        "sections",
        not problems,
        "; ".join(problems) or f"all {len(required_keys(expl.kind))} required sections present",
    )


def check_reading_level(expl: Explanation) -> CheckResult:
    grade = fk_grade(_text(expl))
    return CheckResult(
        "reading_level",
        grade <= TARGET_GRADE,
        f"Flesch-Kincaid grade {grade} (aim: {TARGET_GRADE:g} or below)",
        severity="info",
        value=grade,
    )


def _without_official(text: str, facts: Facts) -> str:
    """Drop quotes of the official data: a descriptor that mentions "the procedure" is no contradiction."""
    official_texts = {
        facts.title,
        facts.record.short_title or "",
        *(n.text for n in facts.notes),
        *facts.terms,
        *facts.path,
    }
    for official in sorted(official_texts, key=len, reverse=True):
        if len(official) > 3:
            text = _drop_ci(text, official)
    return text


def _drop_ci(text: str, part: str) -> str:
    """Replace every case-insensitive occurrence of `part` with a space. A string search: compiling a regex
    for each of a code's official texts made the checks the slowest step of an explanation."""
    low, needle = text.lower(), part.lower()
    if needle not in low:
        return text
    if len(low) != len(text) or len(needle) != len(part):  # lower() changed a length: use a regex
        return re.sub(re.escape(part), " ", text, flags=re.IGNORECASE)
    out, i = [], 0
    while (j := low.find(needle, i)) >= 0:
        out.append(text[i:j])
        out.append(" ")
        i = j + len(needle)
    out.append(text[i:])
    return "".join(out)


@dataclass(frozen=True)
class _KindRule:
    """What an explanation of one kind must not say, and what it must say."""

    noun: str  # "a laboratory test"
    contradiction: re.Pattern[str]
    contradiction_is: str  # "describes a treatment"
    required: re.Pattern[str]
    required_where: str  # "summary", "text"
    required_is: str  # "describe a test"
    passed: str
    whole_text: bool = False  # look for contradictions everywhere, not only in the opening sections


_KIND_RULES: dict[str, _KindRule] = {
    "lab": _KindRule(
        "a laboratory test",
        _TREATMENT,
        "describes a treatment",
        _TEST_WORDS,
        "summary",
        "describe a test",
        "described as a laboratory test",
        whole_text=True,
    ),
    "diagnosis": _KindRule(
        "a diagnosis",
        _PROCEDURE_CLAIM,
        "describes a procedure",
        _CONDITION_WORDS,
        "text",
        "describe a condition",
        "described as a condition",
    ),
    "drug": _KindRule(
        "a drug",
        _NOT_DRUG,
        "describes something else",
        _DRUG_WORDS,
        "summary",
        "describe a drug",
        "described as a drug",
    ),
}


def check_kind(expl: Explanation, facts: Facts) -> CheckResult:
    """The explanation describes the code as what it is: a test, a condition, a drug."""
    rule = _KIND_RULES.get(facts.kind)
    if rule is None:
        return CheckResult("consistency_kind", True, f"no kind-specific rule for {facts.kind}")
    code = f"{facts.system_name} {facts.record.display}"
    lead = _without_official(_text(expl, ("name", "summary", "purpose", "what_it_is")), facts)
    searched = _without_official(_text(expl), facts) if rule.whole_text else lead
    m = rule.contradiction.search(searched)
    if m:
        return CheckResult(
            "consistency_kind",
            False,
            f"{code} is {rule.noun}, but the text {rule.contradiction_is}: \u201c{_snippet(searched, m)}\u201d",
        )
    # A lab explanation's test words belong in its summary; the others' anywhere in the opening.
    required_in = _text(expl, ("summary",)) if facts.kind == "lab" else lead
    if not rule.required.search(required_in):
        return CheckResult(
            "consistency_kind",
            False,
            f"{code} is {rule.noun}, but the {rule.required_where} does not {rule.required_is}",
        )
    return CheckResult("consistency_kind", True, rule.passed)


def check_pcs_axes(expl: Explanation, facts: Facts) -> CheckResult | None:
    if facts.system != "icd10pcs" or facts.record.kind != "code":
        return None
    body = _text(expl)
    # The name section repeats the official title (and its glossary), so claims are read elsewhere.
    claims_text = _text(expl, tuple(s.key for s in expl.sections if s.key != "name"))
    problems = []
    bp = facts.body_part
    if bp and bp.label:
        words = [
            w for w in re.findall(r"[A-Za-z]+", bp.label) if len(w) > 3 and w.lower() not in ("right", "left")
        ]
        if words and not any(re.search(rf"\b{re.escape(w)}", body, re.I) for w in words):
            problems.append(f"the body part {bp.label} is not mentioned")
        sides = {s.lower() for s in re.findall(r"\b(Right|Left|Bilateral)\b", bp.label)}
        # Bypass and transfer codes name a second site (often the other side) in the title.
        sides |= {s.lower() for s in re.findall(r"\b(right|left|bilateral)\b", facts.title, re.I)}
        if sides:
            wrong = _side_mentions(body) - sides - ({"right", "left"} if "bilateral" in sides else set())
            if wrong:
                problems.append(
                    f"the body part is {bp.label}, but the text mentions the {', '.join(sorted(wrong))} side"
                )
    approach = (facts.approach or "").lower()
    allowed = _APPROACH_ALLOWED.get(approach)
    if allowed is not None:
        claims = {name for name, rx in _APPROACH_CLAIMS.items() if rx.search(claims_text)}
        wrong = claims - allowed
        if wrong:
            problems.append(
                f"the approach is {facts.approach}, but the text describes a {', '.join(sorted(wrong))} approach"
            )
        elif not claims & allowed:
            problems.append(f"the approach ({facts.approach}) is not stated")
    return CheckResult(
        "consistency_pcs_axes",
        not problems,
        "; ".join(problems) or "body part and approach match the code's axes",
    )


def check_laterality(expl: Explanation, facts: Facts) -> CheckResult | None:
    if facts.system != "icd10cm":
        return None
    title_sides = {s.lower() for s in re.findall(r"\b(right|left|bilateral)\b", facts.title, re.I)}
    if not title_sides:
        return None
    allowed = set(title_sides)
    if "bilateral" in allowed:
        allowed |= {"right", "left"}
    found = _side_mentions(_without_official(_text(expl), facts))
    wrong = found - allowed
    if wrong:
        return CheckResult(
            "consistency_laterality",
            False,
            f"the title says {', '.join(sorted(title_sides))}, but the text mentions the {', '.join(sorted(wrong))} side",
        )
    return CheckResult("consistency_laterality", True, "laterality matches the title")


def run(expl: Explanation, facts: Facts) -> tuple[list[dict], str, str | None]:
    """All checks -> (results, status "ok"|"failed", reason naming every failed check)."""
    results = [check_sections(expl), check_reading_level(expl), check_kind(expl, facts)]
    for extra in (check_pcs_axes(expl, facts), check_laterality(expl, facts)):
        if extra is not None:
            results.append(extra)
    found = check_facts(expl, facts)
    results.extend(found or [CheckResult("consistency_facts", True, "no contradiction of the code's facts")])
    failed = [r for r in results if r.severity == "error" and not r.ok]
    reason = "; ".join(f"{r.name}: {r.detail}" for r in failed) or None
    return [r.as_dict() for r in results], ("failed" if failed else "ok"), reason


def reading_grade(checks: list[dict]) -> float | None:
    return next((c.get("value") for c in checks if c.get("name") == "reading_level"), None)


# -- facts the explanation must not contradict (issue 12) ------------------------------------------------
# Each rule reads the code's facts (kind, descriptor facts, title) and the explanation's own words with the
# official texts taken out, so an official descriptor that says "iv" never counts against the writer.

_NEGATED = r"(?:not|no|never|without|does not use|doesn't use|instead of)\b[^.;\n]{0,25}"
_RADIATION_CLAIM = re.compile(r"\b(x-rays?|radiation|radioactive)\b", re.I)
_CONTRAST_CLAIM = re.compile(r"\b(contrast (?:dye|material|agent)|dye)\b", re.I)
_IV_CLAIM = re.compile(r"\b(into a vein|intravenous(?:ly)?|through a vein|iv line|infusion)\b", re.I)
_SURGICAL = re.compile(
    r"\b(surgeon|incision|general anesthesia|sedation|catheters? and (?:guide)?wires?|plan a ride home|"
    r"operating room|stitches|surgical cut)\b",
    re.I,
)
_BLEEDING = re.compile(r"\bbleeding\b", re.I)
_DISEASE_FRAMING = re.compile(
    r"what caused (?:this|it)|can it be prevented|\b(?:this|the) (?:disease|illness)\b|treatment options|"
    r"symptoms depend on the condition",
    re.I,
)
_NEW_PATIENT_CLAIM = re.compile(
    r"\bif you are a new patient\b|\bnew patients? (?:should|must|need)\b|\bas a new patient\b", re.I
)
_RETURNING_CLAIM = re.compile(r"\bnew or returning\b|\breturning patient\b|\bestablished patients?:", re.I)
_WAIT_AND_WATCH = re.compile(r"waiting and watching|watchful waiting|wait and see", re.I)
_OFFICE_OR_HOSPITAL = re.compile(
    r"\b(?:in|at) (?:a|the|an)? ?(?:provider's )?(?:office|hospital|clinic)\b", re.I
)
_BILLED_ONCE = re.compile(r"\bbilled once\b", re.I)
_PER_UNIT_CLAIM = re.compile(r"\bbilled per [\d.]+\s*(?:ml|mg|mcg)\b|\bper [\d.]+\s*ml unit\b", re.I)
_SELF_HARM = re.compile(r"\bintentional self-harm\b|\bsuicide attempt\b|\bsuicidal\b", re.I)
_NOT_SURGICAL_KINDS = frozenset(
    {
        "specimen_collection",
        "lab",
        "vaccine",
        "drug",
        "visit",
        "telehealth",
        "home_visit",
        "reporting",
        "status",
        "agent",
        "drug_administration",
    }
)
_NORMAL_PREGNANCY = re.compile(
    r"\b(uncomplicated|normal pregnancy|supervision of normal|weeks of gestation|outcome of delivery|pregnant state|"
    r"pregnancy test|single live birth|liveborn)\b",
    re.I,
)


def _claims(rx: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first claim that is not negated within its clause ("not X-rays", "No contrast dye")."""
    for m in rx.finditer(text):
        before = text[max(0, m.start() - 40) : m.start()]
        clause = re.split(r"[.;:\n]", before)[-1]
        if re.search(_NEGATED + r"$", clause, re.I) or re.search(r"\b(not|no|never|without)\b", clause, re.I):
            continue
        return m
    return None


def check_facts(expl: Explanation, facts: Facts) -> list[CheckResult]:
    """Every wrong class issue 12 found on real pages: kind, modality, contrast, route, unit, place, new vs
    established, laterality, the service as its own alternative, surgical text on non-surgical kinds,
    disease framing of normal pregnancy and status codes, and the crisis line on self-harm codes."""
    from medcodes.codesets import descriptor_facts as df

    text = _text(expl)  # only searched for the crisis line, which official text never carries
    body = _without_official(_text(expl, tuple(s.key for s in expl.sections if s.key != "name")), facts)
    sv, dsc = facts.service, facts.descriptor
    out: list[CheckResult] = []

    def rule(name: str, bad: re.Match[str] | str | None, detail: str, where: str = body) -> None:
        if bad is None or bad == "":
            return
        snippet = _snippet(where, bad) if isinstance(bad, re.Match) else bad
        out.append(
            CheckResult(
                name, False, f"{facts.system_name} {facts.record.display}: {detail}: \u201c{snippet}\u201d"
            )
        )

    if facts.kind in ("imaging", "agent") and sv.modality and sv.modality not in df.RADIATION:
        rule(
            "consistency_modality",
            _claims(_RADIATION_CLAIM, body),
            f"{sv.modality} uses no X-rays or radiation",
        )
    if facts.contrast == {df.WITHOUT} and facts.kind == "imaging":
        rule(
            "consistency_contrast",
            _claims(_CONTRAST_CLAIM, body),
            "the study is without contrast, but the text warns of contrast",
        )
    if sv.route == df.ORAL and facts.kind in ("drug",):
        rule(
            "consistency_route",
            _claims(_IV_CLAIM, body),
            "the drug is taken by mouth, but the text says it goes into a vein",
        )
    if facts.kind == "skin_substitute":
        rule(
            "consistency_unit", _BILLED_ONCE.search(body), "a skin substitute is billed per square centimeter"
        )
    if facts.kind == "vaccine":
        rule("consistency_unit", _PER_UNIT_CLAIM.search(body), "a vaccine code is billed per dose")
        if sv.vaccine and not re.search(re.escape(sv.vaccine.split(" (")[0]), body, re.I):
            out.append(
                CheckResult("consistency_kind", False, f"the vaccine against {sv.vaccine} is not named")
            )
    if facts.kind == "home_visit":
        setting = _text(expl, ("setting",))
        rule(
            "consistency_place",
            _claims(_OFFICE_OR_HOSPITAL, setting),
            "a home visit takes place at home",
            setting,
        )
    # Billing sections explain how visit codes differ in general ("new or established patient"): not a claim.
    advice = _without_official(
        _text(expl, tuple(s.key for s in expl.sections if s.key not in ("name", "billing"))), facts
    )
    if dsc.patient == {df.ESTABLISHED} and facts.kind in ("visit", "home_visit", "telehealth"):
        rule(
            "consistency_patient",
            _NEW_PATIENT_CLAIM.search(advice),
            "the visit is for an established patient",
            advice,
        )
    if dsc.patient == {df.NEW} and facts.kind in ("visit", "home_visit", "telehealth"):
        rule("consistency_patient", _RETURNING_CLAIM.search(advice), "the visit is for a new patient", advice)
    sides = dsc.laterality & {df.LEFT, df.RIGHT}
    if facts.system in ("cpt", "hcpcs") and len(sides) == 1 and df.BILATERAL not in dsc.laterality:
        other = ({df.LEFT, df.RIGHT} - sides).pop()
        if other in _side_mentions(body):
            out.append(
                CheckResult(
                    "consistency_laterality",
                    False,
                    f"the code is for the {next(iter(sides))} side, but the text mentions the {other} side",
                )
            )
    alts = _text(expl, ("alternatives",))
    if alts and sv.modality and facts.kind == "imaging":
        first_words = [re.split(r"[:,]", a, maxsplit=1)[0].strip().lower() for a in alts.splitlines()]
        if sv.modality.lower() in first_words:
            out.append(
                CheckResult(
                    "consistency_alternative", False, f"the alternatives list {sv.modality}, the test itself"
                )
            )
    if facts.common_name and alts and re.search(rf"^{re.escape(facts.common_name)}\b", alts, re.I | re.M):
        out.append(CheckResult("consistency_alternative", False, "the alternatives list the service itself"))
    if facts.kind in _NOT_SURGICAL_KINDS:
        rule("consistency_surgical", _SURGICAL.search(body), f"{facts.kind.replace('_', ' ')} is not surgery")
    if facts.kind in ("reporting", "visit", "telehealth", "vaccine", "status") and not facts.unlisted:
        rule(
            "consistency_surgical",
            _BLEEDING.search(_text(expl, ("risks",))),
            f"{facts.kind} has no bleeding risk",
        )
    if facts.kind in ("anesthesia",) or (
        facts.kind == "procedure"
        and re.search(
            r"\b(delivery|cesarean|products of conception)\b",
            facts.title + " " + (facts.common_name or ""),
            re.I,
        )
    ):
        rule(
            "consistency_alternative",
            _WAIT_AND_WATCH.search(body),
            "waiting and watching is no alternative here",
        )
    if facts.kind == "status" or (facts.kind == "pregnancy" and _NORMAL_PREGNANCY.search(facts.title)):
        rule(
            "consistency_framing",
            _DISEASE_FRAMING.search(body),
            "a normal pregnancy or a status is not a disease",
        )
    if facts.kind == "reporting":
        rule(
            "consistency_kind",
            re.search(r"\b(?:the|this) (?:procedure|surgery|visit)\b(?! code)", body, re.I),
            "a reporting code is not a service",
        )
    if _SELF_HARM.search(facts.title) and "988" not in text:
        out.append(
            CheckResult(
                "crisis_line",
                False,
                "an intentional self-harm code must give the 988 Suicide & Crisis Lifeline",
            )
        )
    return out

"""The grounded writer: deterministic, offline explanations built only from official data and the
project's category profiles. It never states a code-specific fact that the data does not hold."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from medcodes.explain import Explanation, Section
from medcodes.explain.facts import Facts
from medcodes.explain.kinds import betos_of
from medcodes.explain.profiles import pcs_approach, table
from medcodes.explain.specific import adjust, article
from medcodes.explain.templates import KIND_LABELS, specs

WRITER = "grounded"

_NOTE_LABELS = {
    "inclusion": "Also covers",
    "includes": "Includes",
    "excludes1": "Not coded here (Excludes1: never coded together with this code)",
    "excludes2": "Not included here (Excludes2: may be coded as well if you have both)",
    "code_first": "Code first",
    "use_additional": "Use an additional code",
    "code_also": "Code also",
    "note": "Note",
    "definition": "Definition",
}
_ROUTES = (
    (r"\binhalation\b", "It is inhaled, for example through a nebulizer."),
    (r"\bintravenous\b|\biv\b|\binfusion\b", "It is given into a vein (intravenous)."),
    (r"\bintramuscular\b|\bim\b", "It is given as a shot into a muscle."),
    (r"\bsubcutaneous\b|\bsc\b|\bsubq\b", "It is given as a shot under the skin."),
    (r"\bintravitreal\b", "It is given as an injection into the eye."),
    (r"\bintrathecal\b", "It is given into the fluid around the spinal cord."),
    (r"\boral\b", "It is taken by mouth."),
    (r"\binjection\b", "It is given as an injection."),
)
_DRUG_NAME = re.compile(r"^(?:injection|infusion|inhalation solution)[,:]?\s*([^,;(]+)", re.IGNORECASE)
_UNIT = re.compile(
    r"\b((?:per|up to)\s+)?(\d[\d,.]*\s*(?:mg|mcg|micrograms?|milligrams?|grams?|g|ml|units?|iu|meq|mci|millicuries?|microcuries?|uci))\b",
    re.IGNORECASE,
)
_SIDES = re.compile(r"\b(right|left|bilateral)\b", re.IGNORECASE)
# Category names that would read as a side or as a procedure are left out of "Also called": the checker
# only excuses the code's own official text, and such names rarely fit every code below the category.
_NOT_A_NAME = re.compile(r"\b(?:right|left|bilateral|procedure|surgery|operation|test)\b", re.IGNORECASE)


def _sentence(text: str) -> str:
    text = " ".join(str(text).split())
    return text if not text or text[-1] in ".!?" else text + "."


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _quote(title: str) -> str:
    return f"\u201c{title}\u201d"


@cache
def _compiled(name: str) -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(p, re.IGNORECASE), v) for p, v in table(name)]


@cache
def _glossary() -> list[tuple[re.Pattern[str], str, str]]:
    return [
        (re.compile(rf"\b{re.escape(term)}\b", re.IGNORECASE), term, meaning)
        for term, meaning in table("glossary").items()
    ]


def glossary_items(title: str) -> list[str]:
    return [f"{term.capitalize()}: {meaning}." for rx, term, meaning in _glossary() if rx.search(title)]


def specimen_of(facts: Facts) -> str | None:
    for rx, specimen in _compiled("specimen_words"):
        if rx.search(facts.title):
            return specimen
    return facts.profile.get("specimen")


def billing_unit(title: str) -> str | None:
    m = _UNIT.search(title)
    if not m:
        return None
    prefix = (m.group(1) or "").strip().lower()
    amount = " ".join(m.group(2).split())
    return f"{prefix} {amount}".strip() if prefix else amount


def _path_text(facts: Facts) -> str:
    return " > ".join(facts.path)


def _name(facts: Facts) -> Section:
    rec = facts.record
    # The plain name leads (what people call it), then the medical term, then the CMS wording.
    items = [f"Common name: {facts.common_name}"] if facts.common_name else []
    items.append(f"Medical term: {rec.title}")
    common = next((t for t in facts.terms if t.lower() != rec.title.lower()), None)
    if rec.short_title and rec.short_title.lower() != rec.title.lower():
        items.append(f"CMS short descriptor: {rec.short_title}")
    if common:
        items.append(f"Also known as: {common}")
    if facts.kind == "diagnosis":
        names = [(w, x) for w, x in facts.ancestor_terms if not _NOT_A_NAME.search(x)][:6]
        if names:
            where = ", ".join(dict.fromkeys(w for w, _x in names))
            items.append(
                f"Also called (names listed for its category {where}): " + "; ".join(x for _w, x in names)
            )
    items.append(f"Code: {facts.system_name} {rec.display}")
    if facts.path:
        items.append(f"Category: {_path_text(facts)}")
    items.extend(glossary_items(rec.title)[:6])
    return Section("name", "", text=rec.title, items=items)


def _unlisted_text(facts: Facts, noun: str) -> str:
    area = facts.category or "this area"
    return (
        f"This is an unlisted code. Providers use it for a {noun} in the {area} area that has no code "
        f"of its own. The code does not say which {noun} was done: the provider's records describe it."
    )


def _unlisted_items() -> list[str]:
    return [
        "For an unlisted code, the claim must include a description of what was done, and often the records.",
        "Health plans often review unlisted codes by hand, so payment can take longer or need prior approval.",
        "Ask your provider for the name of the exact service, so you can look up what it involves.",
    ]


def _intro(facts: Facts, noun: str) -> str:
    # A service profile's label names the service ("Blood draw from a vein"), not a group of codes.
    if facts.profile.get("service_id") and facts.category:
        where = f" ({facts.category[0].lower() + facts.category[1:]})"
    else:
        where = f" in the {facts.category} group" if facts.category else ""
    return (
        f"{facts.label} {facts.record.display} is {article(noun)} {noun}{where}. "
        f"Its official description is {_quote(facts.title)}."
    )


def _code_sentence(facts: Facts) -> str | None:
    spec = facts.profile.get("code_sentence")
    if not spec:
        return None
    m = re.search(spec["pattern"], facts.title, re.IGNORECASE)
    return spec["text"].format(**m.groupdict()) if m else None


def _general(facts: Facts, key: str) -> str:
    """A profile paragraph, flagged as general so nobody reads it as a fact about this one code."""
    return _sentence(facts.profile.get(key, ""))


def _pcs_sentences(facts: Facts) -> list[str]:
    out = []
    op = facts.axis("operation", "root operation", "type")
    if op:
        d = f": {op.definition.rstrip('.')}" if op.definition else ""
        out.append(f"The type of procedure ({op.title.lower()}) is {op.label}{d}.")
    bp = facts.body_part
    if bp:
        out.append(f"It is done on the {bp.label} ({bp.title.lower()}).")
    approach = facts.approach
    if approach:
        plain = pcs_approach(approach).get("plain")
        out.append(f"The approach is {approach}" + (f", which means {plain}." if plain else "."))
    dev = facts.axis("device", "device / substance / technology", "substance")
    if dev and dev.label and dev.label.lower() not in ("no device", "none"):
        d = f": {dev.definition.rstrip('.')}" if dev.definition else ""
        out.append(f"The {dev.title.lower()} is {dev.label}{d}.")
    qual = facts.axis("qualifier")
    if qual and qual.label and qual.label.lower() not in ("no qualifier", "none"):
        out.append(f"Qualifier: {qual.label}.")
    return out


# -- kinds -------------------------------------------------------------------------------------


def _procedure(facts: Facts) -> dict[str, Section]:
    p = facts.profile
    noun = "imaging test" if facts.kind == "imaging" else "procedure"
    summary = [_intro(facts, noun)]
    if facts.unlisted:
        summary.append(_unlisted_text(facts, noun))
    summary.extend(_pcs_sentences(facts))
    if facts.kind == "imaging":
        summary.extend(s for rx, s in _compiled("modalities") if rx.search(facts.title))
    purpose = [_general(facts, "purpose")]
    indications = _list(p.get("indications"))
    if facts.unlisted:
        indications = indications + _unlisted_items()
    steps = _list(p.get("steps"))
    s: dict[str, Section] = {
        "summary": Section("summary", "", text=" ".join(x for x in summary if x)),
        "purpose": Section("purpose", "", text=" ".join(x for x in purpose if x)),
        "indications": Section("indications", "", items=indications),
        "preparation": Section("preparation", "", items=_list(p.get("preparation"))),
        "procedure_description": Section("procedure_description", "", items=steps, ordered=True),
        "duration": Section("duration", "", text=_general(facts, "duration")),
        "setting": Section("setting", "", text=_general(facts, "setting")),
        "personnel": Section("personnel", "", items=_list(p.get("personnel"))),
        "risks": Section("risks", "", items=_list(p.get("risks"))),
        "alternatives": Section("alternatives", "", items=_list(p.get("alternatives"))),
        "patient_experience": Section("patient_experience", "", items=_list(p.get("experience"))),
    }
    approach = pcs_approach(facts.approach) if facts.approach else {}
    if facts.kind == "imaging":
        s["results"] = Section("results", "", text=_general(facts, "results"))
    else:
        s["benefits"] = Section("benefits", "", items=_list(p.get("benefits")))
        s["recovery"] = Section(
            "recovery", "", items=_list(approach.get("recovery")) + _list(p.get("recovery"))
        )
        if p.get("tools"):
            s["tools"] = Section("tools", "", items=_list(p.get("tools")))
        anesthesia = approach.get("anesthesia") or p.get("anesthesia")
        if anesthesia:
            s["anesthesia"] = Section("anesthesia", "", text=_sentence(anesthesia))
    return s


def _lab(facts: Facts) -> dict[str, Section]:
    p = facts.profile
    specimen = specimen_of(facts)
    what = f"{specimen} test" if specimen and specimen not in ("a sample", "cells") else "laboratory test"
    summary = [_intro(facts, f"laboratory test ({what})" if what != "laboratory test" else "laboratory test")]
    if facts.unlisted:
        summary.append(_unlisted_text(facts, "laboratory test"))
    code_sentence = _code_sentence(facts)
    if code_sentence:
        summary.append(code_sentence)
    if p.get("summary_extra"):
        summary.append(_sentence(p.get("summary_extra")))
    sample = (
        table("specimens").get(specimen)
        if specimen and re.search(specimen.split()[0], facts.title, re.I)
        else None
    )
    sample = sample or _list(p.get("sample"))
    indications = _list(p.get("indications")) + (_unlisted_items() if facts.unlisted else [])
    return {
        "summary": Section("summary", "", text=" ".join(summary)),
        "purpose": Section("purpose", "", text=_general(facts, "purpose")),
        "indications": Section("indications", "", items=indications),
        "preparation": Section("preparation", "", items=_list(p.get("preparation"))),
        "sample": Section("sample", "", items=list(sample), ordered=True),
        "results": Section("results", "", text=_general(facts, "results")),
        "turnaround": Section("turnaround", "", text=_general(facts, "turnaround")),
        "setting": Section("setting", "", text=_general(facts, "setting")),
        "personnel": Section("personnel", "", items=_list(p.get("personnel"))),
        "risks": Section("risks", "", items=_list(p.get("risks"))),
        "patient_experience": Section("patient_experience", "", items=_list(p.get("experience"))),
        "questions": Section("questions", "", items=_list(p.get("questions"))),
    }


def _visit(facts: Facts) -> dict[str, Section]:
    p = facts.profile
    summary = _intro(facts, "visit or evaluation service")
    if facts.unlisted:
        summary += " " + _unlisted_text(facts, "service") + " " + " ".join(_unlisted_items())
    return {
        "summary": Section("summary", "", text=summary),
        "what_happens": Section("what_happens", "", items=_list(p.get("what_happens"))),
        "who_needs_it": Section("who_needs_it", "", items=_list(p.get("who_needs_it"))),
        "preparation": Section("preparation", "", items=_list(p.get("preparation"))),
        "duration": Section("duration", "", text=_general(facts, "duration")),
        "setting": Section("setting", "", text=_general(facts, "setting")),
        "personnel": Section("personnel", "", items=_list(p.get("personnel"))),
        "billing": Section("billing", "", text=_general(facts, "billing")),
        "questions": Section("questions", "", items=_list(p.get("questions"))),
    }


def _diagnosis(facts: Facts) -> dict[str, Section]:
    p = facts.profile
    rec = facts.record
    what = [f"{facts.label} {rec.display} means {_quote(rec.title)}."]
    if facts.chapter:
        what.append(f"It belongs to the ICD-10-CM chapter {_quote(facts.chapter)}.")
    elif facts.path:
        what.append(f"It belongs to the group {_quote(facts.path[0])}.")
    if p.get("what_it_is_extra"):
        what.append(_sentence(p.get("what_it_is_extra")))
    side = _SIDES.findall(rec.title)
    if side:
        what.append(
            f"The code is for the {side[0].lower()} side"
            + (" (both sides)." if side[0].lower() == "bilateral" else ".")
        )
    inclusions = [n.text for n in facts.notes if n.type in ("inclusion", "includes")]
    if inclusions:
        what.append("It also covers: " + "; ".join(inclusions[:6]) + ".")
    notes = [
        f"{_NOTE_LABELS.get(n.type, n.type)}: {n.text}" for n in facts.notes if n.type not in ("inclusion",)
    ]
    if not rec.billable:
        notes.append("This is a heading, not a billable code: claims use a more specific code below it.")
    if re.search(r"\bunspecified\b", rec.title, re.I):
        notes.append(
            "Unspecified means the records do not say the exact type or place. A more exact code is used when known."
        )
    if not notes:
        notes.append("This code has no extra coding notes of its own.")
    return {
        "what_it_is": Section("what_it_is", "", text=" ".join(what)),
        "causes": Section("causes", "", items=_list(p.get("causes"))),
        "symptoms": Section("symptoms", "", items=_list(p.get("symptoms"))),
        "diagnosis": Section("diagnosis", "", items=_list(p.get("diagnosis"))),
        "treatment": Section("treatment", "", items=_list(p.get("treatment"))),
        "outlook": Section("outlook", "", text=_general(facts, "outlook")),
        "coding_notes": Section("coding_notes", "", items=notes),
        "questions": Section("questions", "", items=_list(p.get("questions"))),
    }


def _coverage_items(facts: Facts) -> list[str]:
    attrs = facts.record.attrs or {}
    out = []
    cov = str(attrs.get("coverage_code") or "").strip()[:1]
    if cov in table("coverage"):
        out.append(table("coverage")[cov])
    betos = betos_of(facts.record)
    if betos:
        out.append(f"Its Medicare BETOS category is {betos}.")
    return out


def _supply(facts: Facts) -> dict[str, Section]:
    p = facts.profile
    summary = [_intro(facts, "supply or equipment item")]
    if facts.unlisted:
        summary.append(_unlisted_text(facts, "item"))
    billing = _list(p.get("billing"))
    unit = billing_unit(facts.title)
    if unit:
        billing = [f"The billing unit in the descriptor is {unit}."] + billing
    elif re.search(r"\beach\b", facts.title, re.I):
        billing = ["The descriptor bills the item per piece (each)."] + billing
    billing += _coverage_items(facts) + (_unlisted_items() if facts.unlisted else [])
    return {
        "summary": Section("summary", "", text=" ".join(summary)),
        "uses": Section("uses", "", items=_list(p.get("uses"))),
        "who_needs_it": Section("who_needs_it", "", items=_list(p.get("who_needs_it"))),
        "how_it_is_used": Section("how_it_is_used", "", items=_list(p.get("how_it_is_used"))),
        "billing": Section("billing", "", items=billing),
        "questions": Section("questions", "", items=_list(p.get("questions"))),
    }


def _drug(facts: Facts) -> dict[str, Section]:
    p = facts.profile
    title = facts.title
    summary = [_intro(facts, "drug code")]
    m = _DRUG_NAME.match(title)
    if m:
        summary.append(f"The drug named in the code is {m.group(1).strip()}.")
    if facts.unlisted:
        summary.append(_unlisted_text(facts, "drug"))
    routes = [s for pat, s in _ROUTES if re.search(pat, title, re.I)]
    how = routes[:2] + _list(p.get("how_given"))
    unit = billing_unit(title)
    if unit:
        bu = (
            f"The billing unit in the descriptor is {unit}. One unit on a claim stands for that amount, "
            "so a larger dose is billed as several units."
        )
    else:
        bu = "The descriptor does not name a dose amount, so the code is billed once per the item it describes."
    cov = _coverage_items(facts) + (_unlisted_items() if facts.unlisted else [])
    if cov:
        bu += " " + " ".join(cov)
    return {
        "summary": Section("summary", "", text=" ".join(summary)),
        "what_it_treats": Section("what_it_treats", "", items=_list(p.get("what_it_treats"))),
        "how_given": Section("how_given", "", items=how),
        "billing_unit": Section("billing_unit", "", text=bu),
        "side_effects": Section("side_effects", "", items=_list(p.get("side_effects"))),
        "setting": Section("setting", "", text=_general(facts, "setting")),
        "questions": Section("questions", "", items=_list(p.get("questions"))),
    }


def _fallback(facts: Facts) -> dict[str, Section]:
    p = facts.profile
    rec = facts.record
    if rec.kind in ("chapter", "section", "category", "subcategory") and not rec.billable:
        summary = (
            f"{rec.display} is a group of {facts.system_name} codes: {_quote(rec.title)}. "
            "It is a heading that organizes codes. Claims use the codes listed under it."
        )
    elif rec.kind == "modifier":
        summary = (
            f"{rec.display} is a {facts.system_name} modifier: {_quote(rec.title)}. A modifier is a "
            "two-character add-on to a code that gives more detail about the service, such as the side of the body."
        )
    else:
        summary = _intro(facts, KIND_LABELS["fallback"])
        if facts.unlisted:
            summary += " " + _unlisted_text(facts, "service")
    details = _list(p.get("details")) + [n.text for n in facts.notes][:6]
    billing = _list(p.get("billing")) + _coverage_items(facts) + (_unlisted_items() if facts.unlisted else [])
    return {
        "summary": Section("summary", "", text=summary),
        "details": Section("details", "", items=details),
        "billing": Section("billing", "", items=billing),
        "questions": Section("questions", "", items=_list(p.get("questions"))),
    }


# Profile keys that feed a section of another name.
_PROFILE_KEY = {"procedure_description": "steps", "patient_experience": "experience"}


def _from_profile(facts: Facts) -> dict[str, Section]:
    """The newer kinds: every section straight from the kind's profile (and its service profile)."""
    p = facts.profile
    out: dict[str, Section] = {}
    for spec in specs(facts.kind):
        if spec.key == "name":
            continue
        value = p.get(_PROFILE_KEY.get(spec.key, spec.key))
        if spec.shape == "text":
            out[spec.key] = Section(spec.key, "", text=_sentence(" ".join(_list(value))) if value else "")
        else:
            out[spec.key] = Section(spec.key, "", items=_list(value))
    rec = facts.record
    lead_key = "what_it_is" if "what_it_is" in out else "summary"
    if rec.system == "icd10cm":
        lead = [f"{facts.label} {rec.display} means {_quote(rec.title)}."]
        if facts.kind == "status":
            lead.append("It records a reason for a visit or a fact about your health, not a disease.")
        elif re.search(
            r"\b(uncomplicated|normal|routine|supervision of normal|weeks of gestation|outcome of delivery|"
            r"single live birth|pregnant state)\b",
            rec.title,
            re.I,
        ):
            lead.append("It records a normal part of pregnancy or birth, not a disease.")
        else:
            lead.append(
                "It records a condition or care related to pregnancy, childbirth or the weeks after birth."
            )
        notes = [f"{_NOTE_LABELS.get(n.type, n.type)}: {n.text}" for n in facts.notes]
        if "coding_notes" in out:
            out["coding_notes"].items = notes + out["coding_notes"].items or [
                "This code has no extra coding notes of its own."
            ]
    else:
        lead = [_intro(facts, KIND_LABELS[facts.kind])]
        if facts.unlisted:
            lead.append(_unlisted_text(facts, "service"))
    extra = out[lead_key].text if lead_key in out else ""
    out[lead_key] = Section(lead_key, "", text=" ".join([*lead, extra]).strip())
    if facts.unlisted:
        key = "billing" if "billing" in out else lead_key
        sec = out[key]
        if spec_shape(facts.kind, key) == "text":
            sec.text = (sec.text + " " + " ".join(_unlisted_items())).strip()
        else:
            sec.items = sec.items + _unlisted_items()
    return out


def spec_shape(kind: str, key: str) -> str:
    return next((s.shape for s in specs(kind) if s.key == key), "text")


_WRITERS = {
    "procedure": _procedure,
    "imaging": _procedure,
    "lab": _lab,
    "visit": _visit,
    "diagnosis": _diagnosis,
    "supply": _supply,
    "drug": _drug,
    "fallback": _fallback,
}


def write(facts: Facts) -> Explanation:
    by_key = _WRITERS.get(facts.kind, _from_profile)(facts)
    adjust(facts, by_key)
    by_key["name"] = _name(facts)
    sections = []
    for spec in specs(facts.kind):
        sec = by_key.get(spec.key)
        if sec is None or not (sec.text or sec.items):
            if spec.required:
                # Never happens with the shipped profiles (tests check every kind); keep the page whole anyway.
                sec = Section(spec.key, "", text="Ask your provider about this for your situation.")
            else:
                continue
        sec.heading = spec.heading
        sec.ordered = spec.shape == "steps"
        sections.append(sec)
    return Explanation(
        system=facts.system,
        code=facts.record.code,
        kind=facts.kind,
        writer=WRITER,
        sections=sections,
    )

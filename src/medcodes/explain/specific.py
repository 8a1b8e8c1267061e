"""Sentences about this one code, built from its facts: what the descriptors say (modality, body part,
contrast, side, patient status, place, route, unit, action, approach) and what the data says (PFS global
days, PC/TC split, OPPS inpatient-only status, CLFS waived tests, ICD-10-CM 7th character, PCS axes).

`adjust(facts, sections)` runs after a writer has filled a kind's sections from its profile: it drops
general lines the facts rule out (contrast warnings on a study without contrast, X-ray radiation on an
MRI, the new-patient line on an established-patient visit, the test itself among its alternatives) and
puts the code's own sentences first. Every sentence here is true for the code because a fact says so.
"""

from __future__ import annotations

import re

from medcodes.codesets import descriptor_facts as df
from medcodes.explain import Section, data_sentences, hcpcs_sentences
from medcodes.explain.data_sentences import _add as _prepend  # the code's own sentence first
from medcodes.explain.facts import Facts

_MODALITY_HOW = {
    df.MRI: "uses a strong magnet and radio waves, not X-rays",
    df.CT: "uses X-rays and a computer to make cross-section pictures",
    df.XRAY: "uses a small amount of radiation to make pictures",
    df.ULTRASOUND: "uses sound waves, not X-rays",
    df.ECHO: "uses sound waves, not X-rays, to show the heart as it beats",
    df.NUCLEAR: "uses a small amount of a radioactive tracer and a special camera",
    df.PET: "uses a radioactive tracer and a scanner to show how tissues work",
    df.MAMMOGRAPHY: "uses low-dose X-rays of the breast",
    df.FLUOROSCOPY: "uses X-rays to show moving pictures on a screen",
    df.DEXA: "uses very low-dose X-rays to measure bone strength",
}
_MODALITY_TIME = {
    df.XRAY: "An X-ray usually takes 5 to 15 minutes.",
    df.CT: "A CT scan usually takes 10 to 30 minutes, a bit longer with contrast dye.",
    df.MRI: "An MRI usually takes 30 to 60 minutes, a bit longer with contrast dye.",
    df.ULTRASOUND: "An ultrasound usually takes 20 to 60 minutes.",
    df.ECHO: "An echocardiogram usually takes 30 to 60 minutes.",
    df.MAMMOGRAPHY: "A mammogram usually takes about 20 minutes.",
    df.DEXA: "A bone density scan usually takes 10 to 20 minutes.",
    df.NUCLEAR: "Nuclear scans can take from 30 minutes to several hours, with waiting time after the tracer.",
    df.PET: "A PET scan usually takes 2 hours or more, including the wait after the tracer.",
    df.FLUOROSCOPY: "A fluoroscopy study usually takes 30 minutes to an hour.",
}
_RADIATION_WORDS = re.compile(r"\b(x-rays?|radiation|radioactive)\b", re.I)
_CONTRAST_WORDS = re.compile(r"\bcontrast\b|\bdye\b", re.I)
_NEW_PATIENT = re.compile(
    r"\bnew patient\b|\bnew or returning\b|\bnew or established\b|\bnew problem\b", re.I
)

_SEVENTH_PLAIN = {
    "initial encounter": "This code is used while you get active care for it. That can be an ER visit or surgery.",
    "subsequent encounter": "This code is used for follow-up care. You had your first care and are now healing.",
    "sequela": "This code is for a problem that stays after the injury has healed.",
}
_PCS_EXTERNAL = (
    "External means the procedure is done on the outside of the body, or through the skin surface, without "
    "going inside the body"
)


def _phrase(f: Facts) -> str:
    """What the service is, in a few plain words taken from its facts (never empty)."""
    s = f.service
    if f.common_name:
        return f.common_name[0].lower() + f.common_name[1:]
    if f.kind == "imaging" and s.modality:
        part = f" of the {s.body_part}" if s.body_part else ""
        return f"{_a(s.modality)} {s.modality}{part}"
    if s.action and s.body_part:
        return f"{s.action} on the {s.body_part}"
    return ""


def article(noun: str) -> str:
    """ "a" or "an" for a noun phrase, by its first sound ("an imaging test", "an MRI", "a urine test")."""
    word = noun.strip().split(" ", 1)[0] if noun.strip() else ""
    if re.match(r"(?:MRI|X-ray|HPV|RSV|NOC|FDA|EKG|ECG|LLM)\b", word) or re.match(
        r"(?i)(?:hour|honest)", word
    ):
        return "an"
    if re.match(r"(?i)(?:uni|use|usu|eu|one\b)", word):
        return "a"
    return "an" if word[:1].lower() in "aeiou" else "a"


_a = article


def _drop(sections: dict[str, Section], keys: tuple[str, ...], rx: re.Pattern[str]) -> None:
    for key in keys:
        sec = sections.get(key)
        if sec is None:
            continue
        sec.items = [i for i in sec.items if not rx.search(i)]
        if sec.text and rx.search(sec.text):
            kept = [x for x in re.split(r"(?<=[.!?])\s+", sec.text) if not rx.search(x)]
            sec.text = " ".join(kept)


def _imaging(f: Facts, s: dict[str, Section]) -> None:
    sv, contrast = f.service, f.contrast
    mod, part = sv.modality, sv.body_part
    what = (
        f"{_a(mod)} {mod}" + (f" of the {part}" if part else "")
        if mod
        else (_phrase(f) or "this imaging test")
    )
    if contrast == {df.WITHOUT}:
        what += " without contrast dye"
    elif contrast == {df.WITH}:
        what += " with contrast dye"
    elif contrast == {df.WITHOUT_THEN_WITH}:
        what += " without and then with contrast dye"
    if mod and mod not in df.RADIATION:
        _drop(s, ("risks", "preparation", "purpose", "alternatives"), _RADIATION_WORDS)
    if mod:
        _prepend(s, "purpose", f"{what[0].upper()}{what[1:]} {_MODALITY_HOW.get(mod, 'makes pictures')}.")
    if mod and mod not in df.RADIATION:
        _prepend(s, "risks", items=[f"{_a(mod).capitalize()} {mod} does not use X-rays or other radiation."])
    elif mod:
        _prepend(
            s,
            "risks",
            items=[
                f"{_a(mod).capitalize()} {mod} uses a small amount of radiation. The dose is kept as low as possible."
            ],
        )
    if contrast == {df.WITHOUT}:
        _drop(s, ("risks", "preparation", "procedure_description"), _CONTRAST_WORDS)
        _prepend(s, "preparation", items=["No contrast dye is used for this test."])
    elif contrast & {df.WITH, df.WITHOUT_THEN_WITH}:
        _prepend(
            s,
            "preparation",
            items=[
                "Contrast dye is given through an IV line. Tell the team about allergies and kidney problems."
            ],
        )
    if mod == df.MRI:
        _prepend(
            s,
            "preparation",
            items=[
                "Tell the team about any metal or device in your body, such as a pacemaker. The MRI magnet can affect it."
            ],
        )
        _prepend(s, "patient_experience", items=["The MRI machine is loud. You get earplugs or headphones."])
    if mod in _MODALITY_TIME:
        when = _MODALITY_TIME[mod]
        if not contrast & {df.WITH, df.WITHOUT_THEN_WITH}:
            when = when.replace(", a bit longer with contrast dye", "")
        _prepend(s, "duration", when)
    if f.descriptor.views:
        v = f.descriptor.views
        n = (
            f"{v.low} or more"
            if v.high is None
            else (str(v.low) if v.low == v.high else f"{v.low} to {v.high}")
        )
        _prepend(
            s,
            "procedure_description",
            items=[f"The code covers {n} pictures (views), taken from different angles."],
        )
    if mod:
        _drop(s, ("alternatives",), re.compile(rf"^{re.escape(mod.split()[0])}\b", re.I))
    if part and mod:
        _prepend(
            s,
            "results",
            f"A radiologist reads the {mod} pictures of the {part} and sends a report to your provider.",
        )
    if str(f.attr("pfs", "pctc")) == "1":
        _prepend(
            s,
            "personnel",
            items=[
                "The code has two parts: the technical part (taking the images) and the "
                "professional part (a doctor reading them). They may be billed separately."
            ],
        )


def _procedure(f: Facts, s: dict[str, Section]) -> None:
    sv = f.service
    phrase = _phrase(f)
    if phrase:
        _prepend(s, "purpose", f"This code is for {phrase}.")
        _prepend(s, "procedure_description", items=[f"The provider does the {phrase} the code describes."])
        _drop(
            s,
            ("procedure_description",),
            re.compile(r"^The provider does the procedure described by the code", re.I),
        )
    si = str(f.attr("opps", "si") or "")
    if si == "C":
        _prepend(
            s,
            "setting",
            "Medicare lists this as an inpatient-only procedure: it is done in a hospital, with a hospital stay.",
        )
        _prepend(s, "preparation", items=["Plan for a hospital stay of at least one night."])
    elif si in ("J1", "T") and phrase:
        _prepend(
            s,
            "setting",
            "Medicare pays for it in a hospital outpatient department or surgery center, so many people go home the same day.",
        )
    if sv.body_part and sv.action:
        _prepend(
            s,
            "risks",
            items=[
                f"Risks depend on the {sv.body_part} and your health; your provider explains those of the {sv.action}."
            ],
        )
    side = sorted(f.descriptor.laterality - {df.UNILATERAL})
    if side:
        _prepend(
            s,
            "preparation",
            items=[
                f"The code is for the {side[0]} side" + (" (both sides)." if side[0] == df.BILATERAL else ".")
            ],
        )
    if f.system == "icd10pcs":
        _pcs(f, s)
    if re.search(
        r"\b(delivery|cesarean|caesarean|products of conception)\b", f"{f.title} {phrase}", re.I
    ) or (f.system == "cpt" and f.code.isdigit() and "59000" <= f.code <= "59899"):
        _drop(s, ("alternatives",), re.compile(r"waiting and watching", re.I))
        if re.search(r"products of conception, low|cesarean|caesarean", f.title, re.I) or (
            phrase and "cesarean" in phrase
        ):
            _prepend(
                s,
                "summary",
                "This is a cesarean delivery (C-section): the baby is delivered through a cut in the belly and uterus.",
            )


def _pcs(f: Facts, s: dict[str, Section]) -> None:
    op, bp, dev = f.axis("operation", "root operation", "type"), f.body_part, f.axis("device")
    approach = f.axis("approach")
    if op and bp:
        _prepend(
            s, "purpose", f"The procedure is {_a(op.label)} {op.label.lower()} of the {bp.label.lower()}."
        )
        _prepend(
            s,
            "procedure_description",
            items=[f"The team does the {op.label.lower()} on the {bp.label.lower()}."],
        )
    if approach:
        definition = approach.definition.rstrip(".") or approach.label
        if approach.label.lower() == "external":
            definition = _PCS_EXTERNAL
        _prepend(s, "procedure_description", items=[f"Approach ({approach.label}): {definition}."])
        _prepend(
            s,
            "recovery",
            items=[
                f"Recovery after the {op.label.lower() if op else 'procedure'} depends on the {approach.label.lower()} approach and the body part."
            ],
        )
    if dev and dev.label and dev.label.lower() not in ("no device", "none"):
        _prepend(s, "tools", items=[f"Device: {dev.label}."])
    if bp:
        _prepend(s, "risks", items=[f"Risks depend on the {bp.label.lower()} and your health."])
        _prepend(
            s,
            "duration",
            f"How long {_a(op.label) if op else 'a'} {op.label.lower() if op else 'procedure'} of the {bp.label.lower()} takes varies.",
        )


def _visit(f: Facts, s: dict[str, Section]) -> None:
    sv, pat = f.service, f.descriptor.patient
    if pat == {df.ESTABLISHED}:
        _drop(s, ("preparation", "who_needs_it", "what_happens", "billing"), _NEW_PATIENT)
        _prepend(
            s,
            "who_needs_it",
            items=[
                "Established patients: people who have seen this provider or practice in the past three years."
            ],
        )
    elif pat == {df.NEW}:
        _drop(
            s,
            ("preparation", "who_needs_it", "billing"),
            re.compile(r"\bnew or returning\b|\breturning\b", re.I),
        )
        _prepend(
            s,
            "who_needs_it",
            items=[
                "New patients: people who have not seen this provider or practice in the past three years."
            ],
        )
        _prepend(
            s,
            "preparation",
            items=[
                "As a new patient, arrive early to fill in forms, and bring past records if you have them."
            ],
        )
    if sv.level:
        _prepend(s, "billing", f"This code is for a visit with {sv.level} medical decision making.")
    mins = sorted(f.descriptor.minutes)
    if mins:
        _prepend(
            s,
            "duration",
            f"The code names {mins[0]} minutes or more of the provider's total time on the day, when time decides the level.",
        )
    if sv.place and f.kind in ("visit",):
        where = {
            df.OFFICE: "an office or outpatient clinic",
            df.INPATIENT: "a hospital",
            df.EMERGENCY: "the emergency department",
            df.NURSING: "a nursing facility",
            df.HOME: "your home",
            df.TELEHEALTH: "a video or phone connection",
        }[sv.place]
        setting = s.get("setting")
        if setting is None or "takes place" not in (
            setting.text or ""
        ):  # a service profile may say it already
            _prepend(s, "setting", f"This visit takes place in {where}.")
    if re.search(r"\bwellness\b|\bpreventive\b", f"{f.title} {f.record.short_title or ''}", re.I):
        _drop(s, ("who_needs_it", "what_happens"), re.compile(r"new problem|symptoms", re.I))
        _prepend(
            s,
            "what_happens",
            items=[
                "A yearly check of your health and risks, with a prevention plan for screenings and vaccines."
            ],
        )


def _append(sections: dict[str, Section], key: str, text: str) -> None:
    sec = sections.get(key)
    if sec is not None and text:
        sec.text = f"{sec.text} {text}".strip()


_NOTE_WORDS = {
    "excludes1": "Not coded with it (Excludes1)",
    "excludes2": "May be coded as well (Excludes2)",
    "code_first": "Code first",
    "use_additional": "Use an additional code",
    "code_also": "Code also",
}


def _diagnosis(f: Facts, s: dict[str, Section]) -> None:
    seventh = f.attr("seventh") or {}
    meaning = str(seventh.get("meaning") or "") if isinstance(seventh, dict) else ""
    for key, plain in _SEVENTH_PLAIN.items():
        if meaning.lower().startswith(key):
            _prepend(s, "coding_notes", items=[f"7th character {seventh.get('char')}: {meaning}."])
            _prepend(s, "treatment", items=[plain])
            break
    crumbs = [c for c in f.path[1:] if c.lower() != f.title.lower()]
    if crumbs and "what_it_is" in s:
        _append(s, "what_it_is", f"Its category is {_quote(crumbs[-1])}.")
    inherited = [
        f"{_NOTE_WORDS[n.type]} (from {where}): {n.text}"
        for where, n in f.ancestor_notes
        if n.type in _NOTE_WORDS
    ]
    if inherited:
        sec = s.get("coding_notes")
        if sec is not None:
            sec.items = [i for i in sec.items if "no extra coding notes" not in i] + inherited[:2]
    if re.search(r"\bintentional self-harm\b|\bsuicid", f.title, re.I):
        _prepend(s, "questions", items=[CRISIS_LINE])


CRISIS_LINE = (
    "If you are thinking about harming yourself, call or text 988 (the Suicide & Crisis Lifeline in the US) "
    "at any time, or call 911."
)


def _quote(text: str) -> str:
    return f"\u201c{text}\u201d"


def _lab(f: Facts, s: dict[str, Section]) -> None:
    sv = f.service
    if sv.method:
        _prepend(s, "summary", f"It is {_a(sv.method)} {sv.method}.")
    if sv.analyte and sv.analyte.lower() != f.title.lower():
        _prepend(s, "purpose", f"The test looks at {sv.analyte[0].lower() + sv.analyte[1:]}.")
        _prepend(s, "results", f"The report gives the result for {sv.analyte[0].lower() + sv.analyte[1:]}.")
    if "QW" in (f.attr("clfs", "modifiers") or []):
        _prepend(
            s,
            "setting",
            "It is a CLIA-waived test (modifier QW): it can be done in a provider's office with a simple kit.",
        )
    if sv.specimen:
        _prepend(s, "sample", items=[f"The test uses a {sv.specimen} sample."])


def _drug(f: Facts, s: dict[str, Section]) -> None:
    sv = f.service
    if sv.route:
        _drop(
            s,
            ("how_given",),
            re.compile(r"\b(vein|intravenous|muscle|under the skin|by mouth|inhaled|eye)\b", re.I),
        )
        _prepend(s, "how_given", items=[f"This form of the drug is given {sv.route}."])
        if sv.route == df.ORAL:
            _drop(
                s,
                tuple(s),
                re.compile(
                    r"infusion|into a vein|intravenous|not swallowed|given by a health care professional",
                    re.I,
                ),
            )
            _prepend(s, "setting", "It is taken by mouth, at home or where your treatment is given.")
    if sv.drug and f.kind in ("drug", "agent", "skin_substitute"):
        _prepend(
            s,
            "what_it_treats" if f.kind == "drug" else "uses",
            items=[f"The product named in the code is {re.sub(r'^of ', '', sv.drug)}."],
        )


def _vaccine(f: Facts, s: dict[str, Section]) -> None:
    sv = f.service
    if sv.vaccine:
        _prepend(s, "summary", f"It is a {sv.vaccine} vaccine.")
        _prepend(s, "what_it_prevents", items=[f"It helps protect against {sv.vaccine}."])
    if sv.route:
        _prepend(
            s, "how_given", items=[f"It is given {sv.route}" + (f", {sv.dose} per dose." if sv.dose else ".")]
        )
    _prepend(s, "billing_unit", "One unit of this code is one dose of the vaccine.")


def _place(f: Facts, s: dict[str, Section]) -> None:
    mins = sorted(f.descriptor.minutes)
    if mins:
        _prepend(s, "duration", f"The code names about {mins[0]} minutes.")
    pat = f.descriptor.patient
    if pat:
        _prepend(s, "who_needs_it", items=[f"This code is for {sorted(pat)[0]} patients."])
    if f.service.level:
        _prepend(s, "billing", f"This code is for {f.service.level} medical decision making.")


def _unit(f: Facts, s: dict[str, Section]) -> None:
    unit = f.service.unit
    if unit and "billing_unit" in s and f.kind in ("skin_substitute", "agent"):
        _prepend(s, "billing_unit", f"The billing unit in the descriptor is {unit}.")


_BY_KIND = {
    "imaging": (_imaging,),
    "procedure": (_procedure, data_sentences.procedure),
    "visit": (_visit,),
    "diagnosis": (_diagnosis, data_sentences.diagnosis, data_sentences.cm_notes),
    "status": (_diagnosis, data_sentences.cm_notes),
    "pregnancy": (_diagnosis, data_sentences.delivery, data_sentences.cm_notes),
    "lab": (_lab, data_sentences.lab),
    "drug": (_drug, hcpcs_sentences.drug),
    "supply": (data_sentences.supply, hcpcs_sentences.supply),
    "agent": (_drug, _unit),
    "skin_substitute": (_drug, _unit, hcpcs_sentences.skin_substitute),
    "reporting": (hcpcs_sentences.reporting,),
    "fallback": (hcpcs_sentences.fallback,),
    "vaccine": (_vaccine,),
    "home_visit": (_place,),
    "telehealth": (_place,),
}


def adjust(facts: Facts, sections: dict[str, Section]) -> None:
    for fn in _BY_KIND.get(facts.kind, ()):
        fn(facts, sections)

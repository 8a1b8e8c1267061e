"""HCPCS Level II sections from the code's own data: the item family of a supply (supply_families), the
measure a reporting code records (measures), the drug class a drug name's stem gives, the unit and payer of
temporary and state codes, and the HCPCS file's pricing, coverage and type-of-service entries (hcpcs_data).

`specific.adjust` calls these after the kind's profile has filled the sections. A sentence is added only
when the fact behind it is in the code's data.
"""

from __future__ import annotations

import re

from medcodes.codesets import descriptor_facts as df
from medcodes.explain import Section, hcpcs_data, measures
from medcodes.explain.facts import Facts
from medcodes.explain.profiles import table
from medcodes.explain.supply_families import family_of


def _first(s: dict[str, Section], key: str, text: str = "", items: list[str] | None = None) -> None:
    sec = s.get(key)
    if sec is None:
        return
    if text:
        sec.text = f"{text} {sec.text}".strip() if sec.text else text
    if items:
        sec.items = [*items, *[i for i in sec.items if i not in items]]


def _medicare(f: Facts, s: dict[str, Section]) -> None:
    sec = s.get("medicare")
    if f.system != "hcpcs":
        return
    items = hcpcs_data.medicare_items(f, table("coverage"))
    if sec is None:
        s["medicare"] = Section("medicare", "", items=items)
    else:
        sec.items = items + [i for i in sec.items if i not in items]
    # The billing section said the coverage code and BETOS already: keep them in one place.
    for key in ("billing", "billing_unit"):
        b = s.get(key)
        if b is not None:
            b.items = [i for i in b.items if i not in items and not i.startswith("Its Medicare BETOS")]
            for said in items:
                b.text = b.text.replace(said, "").strip()
            b.text = re.sub(r"\s*Its Medicare BETOS category is [A-Z0-9]+\.", "", b.text).strip()


_UNIT_WORDS = (
    (r"\bper 15 minutes\b", "The code is counted in 15-minute units: one unit for each 15 minutes."),
    (r"\bper (?:diem|day)\b", "The code is counted per day: one unit for each day of service."),
    (r"\bper session\b", "The code is counted per session."),
    (r"\bper (?:visit|encounter)\b", "The code is counted per visit."),
    (r"\bper month\b|\bmonthly\b|1 month supply", "The code is counted per month."),
    (r"\bper week\b", "The code is counted per week."),
    (r"\bper hour\b", "The code is counted per hour."),
    (r"\bper lens\b", "The code is counted per lens: a pair of glasses is two units."),
    (r"\bper (?:statute )?mile\b", "The code is counted per mile."),
    (r"\bper foot\b", "The code is counted per foot of length."),
    (r"\bper pair\b|\bpair\b", "The code is for a pair."),
    (r"\bper (?:linear )?yard\b|\blinear yard\b", "The code is counted per yard of length."),
    (r"\bper (\d+) (strips|lancets|units|tablets|capsules)\b", "One unit of the code is a box of {0} {1}."),
    (r"\beach\b", "The code is counted per item (each)."),
    (r"\breplacement only\b", "The code is only for replacing a part, not for a first item."),
    (
        r"\bincludes all (?:components|supplies)(?: and accessories)?\b",
        "The parts and supplies it needs are included in the code, not billed apart.",
    ),
)
_UNIT_RX = tuple((re.compile(rx, re.I), text) for rx, text in _UNIT_WORDS)


def unit_items(title: str) -> list[str]:
    out = []
    for rx, text in _UNIT_RX:
        m = rx.search(title)
        if m:
            out.append(text.format(*m.groups()))
    return out[:2]


_SIZE = re.compile(
    r"\b(adult|pediatric|child|infant|small|medium|large|extra large|bariatric|heavy duty)\b(?: size(?:d)?)?",
    re.I,
)
_WEIGHT = re.compile(r"patient weight capacity ([^,;]+)", re.I)
_MATERIAL = re.compile(
    r"\b(latex|silicone|plastic|metal|fiberglass|plaster|carbon fiber|foam|gel|hydrocolloid|alginate|collagen|"
    r"glass|aluminum|titanium)\b",
    re.I,
)


def supply(f: Facts, s: dict[str, Section]) -> None:
    """Supplies and equipment: the item family, the descriptor's size, weight and material words, the unit,
    and the HCPCS file's pricing, type of service and coverage."""
    fam = family_of(f.code, f.title)
    if fam is not None:
        _first(s, "uses", items=[fam.uses])
        if fam.who:
            _first(s, "who_needs_it", items=[fam.who])
        if fam.how:
            _first(s, "how_it_is_used", items=[fam.how])
        if fam.question:
            _first(s, "questions", items=[fam.question])
    who = []
    m = _WEIGHT.search(f.title)
    if m:
        who.append(f"It is rated for a body weight of {m.group(1).strip()}.")
    size = {x.lower() for x in _SIZE.findall(f.title)}
    if size & {"pediatric", "child", "infant"}:
        who.append("It is made in a child's size.")
    elif "adult" in size:
        who.append("It is made in an adult size.")
    if size & {"bariatric", "heavy duty"}:
        who.append("It is built for heavier use or a larger body.")
    if who:
        _first(s, "who_needs_it", items=who)
    mats = list(dict.fromkeys(x.lower() for x in _MATERIAL.findall(f.title)))
    if mats and "latex" in mats:
        _first(
            s, "how_it_is_used", items=["It contains latex: tell your supplier if you have a latex allergy."]
        )
    elif mats:
        _first(s, "how_it_is_used", items=[f"The material named for it: {', '.join(mats[:3])}."])
    supplier = [fam.supplier] if fam and fam.supplier else []
    tos = set(hcpcs_data.type_of_service(f))
    if (
        "rented medical equipment" in tos
        and "medical equipment, prosthetics or orthotics bought outright" in tos
    ):
        supplier.append("Medicare lists it as equipment that can be rented or bought.")
    elif "rented medical equipment" in tos:
        supplier.append("Medicare lists it as rented equipment.")
    elif "medical equipment, prosthetics or orthotics bought outright" in tos:
        supplier.append("Medicare lists it as an item that is bought outright, not rented.")
    if "used medical equipment" in tos:
        supplier.append("A used item may be supplied instead of a new one.")
    if supplier:
        if "supplier" not in s:
            s["supplier"] = Section("supplier", "")
        _first(s, "supplier", items=supplier)
    units = unit_items(f.title)
    if units:
        b = s.get("billing")
        if b is not None:
            b.items = units + [
                i for i in b.items if not i.startswith("The descriptor bills the item per piece")
            ]
    _medicare(f, s)


# Drug classes from the stems of the generic name (USAN stems), each with what the class is used for.
_CLASSES = (
    (
        r"\w+mab\b",
        "It is a monoclonal antibody: a lab-made protein that targets one part of a disease process.",
        "Infusion or injection reactions, such as fever, chills or rash, can happen.",
    ),
    (
        r"\binsulin\b",
        "It is an insulin: it lowers blood sugar in diabetes.",
        "Low blood sugar (shaking, sweating, confusion) is the main risk.",
    ),
    (
        r"\bfactor (?:viii|ix|viia|x|xiii)\b|antihemophilic|von willebrand",
        "It is a clotting factor: it helps blood clot in people with a bleeding disorder such as hemophilia.",
        "Allergic reactions and unwanted clots are rare risks.",
    ),
    (
        r"immune globulin|\bf\(ab",
        "It is made of antibodies (immune globulin) that protect against or treat a "
        "specific illness or poison.",
        "Headache, fever or allergic reactions can happen.",
    ),
    (
        r"\w+(?:cillin|mycin|micin|cycline|floxacin|cef\w+|penem|bactam)\b|\bcef\w+|rifamp",
        "It is an antibiotic: it treats infections caused by bacteria.",
        "Diarrhea, rash and allergic reactions can happen.",
    ),
    (
        r"\w+(?:taxel|platin|rubicin|mustine|phalan|trexate|abine|tinib)\b|fludarabine|melphalan",
        "It is a cancer medicine (chemotherapy).",
        "Low blood counts, tiredness, nausea and hair loss are common with chemotherapy.",
    ),
    (
        r"\w+(?:sone|olone|asone)\b|dexamethasone|prednis|cortico",
        "It is a corticosteroid (steroid): it calms swelling and an overactive immune system.",
        "High blood sugar, trouble sleeping and mood changes can happen.",
    ),
    (
        r"\w+caine\b",
        "It is a local anesthetic: it numbs an area so you do not feel pain there.",
        "Numbness lasts for a while after it is given.",
    ),
    (
        r"\w+(?:setron|pitant)\b",
        "It prevents or treats nausea and vomiting, for example from chemotherapy.",
        "Headache and constipation can happen.",
    ),
    (r"\w+prazole\b", "It lowers stomach acid.", "Headache and stomach upset can happen."),
    (
        r"\w+parin\b|heparin",
        "It is a blood thinner: it helps prevent blood clots.",
        "Bleeding and bruising are the main risks.",
    ),
    (
        r"epoetin|darbepoetin",
        "It helps the body make red blood cells, for example in kidney disease.",
        "High blood pressure and blood clots are possible.",
    ),
    (
        r"testosterone|estr(?:one|adiol|ogen)|progesterone|medroxyprogesterone|levonorgestrel",
        "It is a hormone medicine.",
        "Effects depend on the hormone; ask which ones to watch for.",
    ),
    (
        r"saline|dextrose|ringer|sodium chloride|sterile water",
        "It is an IV fluid: it replaces water and salts or carries other medicines.",
        "Too much fluid can cause swelling; the team watches how much you get.",
    ),
    (
        r"cobalamin|pyridoxine|thiamine|vitamin|folic|ascorbic",
        "It is a vitamin given when the body lacks it or cannot absorb it.",
        "Side effects are usually mild.",
    ),
    (
        r"midazolam|lorazepam|diazepam|pentobarbital|phenobarbital|propofol",
        "It is a sedative: it calms, causes sleepiness or stops seizures.",
        "Drowsiness and slowed breathing can happen; you are watched after it is given.",
    ),
    (
        r"albuterol|levalbuterol|ipratropium|isoetharine|isoproterenol|metaproterenol",
        "It opens the airways, for example in asthma or COPD.",
        "A fast heartbeat and shakiness can happen.",
    ),
    (
        r"epinephrine",
        "Epinephrine treats severe allergic reactions and some heart emergencies.",
        "A fast, pounding heartbeat and shakiness can happen.",
    ),
    (
        r"digoxin",
        "Digoxin helps the heart beat more strongly and can slow some fast heart rhythms.",
        "Nausea, vision changes or a slow heartbeat can be signs of too much.",
    ),
    (
        r"car positive|ciloleucel|autoleucel|t cells",
        "It is a CAR T-cell therapy: the patient's own immune cells, changed in a lab to attack a cancer.",
        "Fever, low blood pressure and confusion (cytokine release "
        "and nerve effects) need close watching in a treatment center.",
    ),
)
_CLASS_RX = tuple((re.compile(rx, re.I), what, side) for rx, what, side in _CLASSES)


def drug(f: Facts, s: dict[str, Section]) -> None:
    """Drugs: the class from the generic name's stem, the BETOS and type-of-service setting, and the
    HCPCS file's entries."""
    name = f.service.drug or f.title
    for rx, what, side in _CLASS_RX:
        if rx.search(name):
            _first(s, "what_it_treats", items=[what])
            _first(s, "side_effects", items=[side])
            break
    betos = str(f.attr("betos") or "").upper()
    tos = set(hcpcs_data.type_of_service(f))
    if betos == "D1G":
        _first(
            s,
            "setting",
            "It is breathed in at home through equipment such as a nebulizer, supplied by a "
            "medical equipment supplier or pharmacy.",
        )
    elif any(t.startswith("an immunosuppressive drug") for t in tos):
        _first(
            s,
            "setting",
            "Medicare lists it as an immunosuppressive drug: one that calms the immune system, "
            "as used after a transplant.",
        )
        _first(
            s, "questions", items=["How will my immune system and blood counts be checked while I take it?"]
        )
    elif betos == "O1D" and f.service.route != df.ORAL:
        _first(
            s,
            "setting",
            "Medicare groups it with chemotherapy, which is usually given in an infusion center, "
            "a clinic or a hospital.",
        )
    unit = f.service.unit
    if unit:
        _first(s, "questions", items=[f"How many units of {unit} make up my dose?"])
    _medicare(f, s)


def reporting(f: Facts, s: dict[str, Section]) -> None:
    """Quality-reporting codes: what the descriptor says was recorded, what that means for the measure, the
    measure's topic and time frame, and who reports such codes."""
    title = f"{f.title} {f.record.short_title or ''}"
    action = measures.action_of(f.title)
    topic = measures.topic_of(title)
    what = [action.reports]
    said = measures.screen_result(f.title)
    if said:
        what.append(said)
    if topic:
        what.append(f"The measure is about {topic.about}")
    _first(s, "what_it_reports", items=what)
    for key, text in (
        ("result", action.result),
        ("topic", f"The measure is about {topic.about}" if topic else ""),
    ):
        if text:
            s.setdefault(key, Section(key, "")).text = text
    timing = measures.timing_of(f.title)
    if timing:
        s["timing"] = Section("timing", "", items=timing)
    who = []
    if topic:
        who.append(f"Clinicians who usually report measures like this: {topic.who}")
        _first(s, "questions", items=[topic.question])
    if f.code[:1] in "GM" and f.system == "hcpcs":
        who.append(
            "Clinicians in Medicare's Merit-based Incentive Payment System (MIPS) report these codes on claims "
            "or through a registry."
        )
    if who:
        s["who_reports"] = Section("who_reports", "", items=who)
    _medicare_billing(f, s)


def _medicare_billing(f: Facts, s: dict[str, Section]) -> None:
    if f.system != "hcpcs":
        return
    b = s.get("billing")
    if b is None:
        return
    tos = hcpcs_data.type_of_service(f)
    cov = str(f.attr("coverage_code") or "").strip()[:1]
    extra = [table("coverage")[cov]] if cov in table("coverage") else []
    if tos:
        extra.append("On a Medicare claim it counts as " + hcpcs_data._join(tos) + ".")
    b.items = b.items + [i for i in extra if i not in b.items]


_PAYERS = {
    "S": "S codes are temporary national codes that private health plans and some Medicaid programs use. "
    "Medicare does not pay for them.",
    "T": "T codes are national codes for state Medicaid agencies. Medicare does not pay for them.",
    "H": "H codes are used by state Medicaid agencies for mental health and substance use services.",
}
_FALLBACK_WORDS = (
    (
        r"\btransportation\b|\bvan\b|\bambulance\b|\bmileage\b",
        "It is a transport service: a trip to or from care.",
    ),
    (r"\bhospice\b", "Hospice is comfort care for people near the end of life."),
    (r"\bhome health\b", "Home health care is skilled care, such as nursing or therapy, given at home."),
    (
        r"\bassisted living\b|\bskilled nursing facility\b|\bsnf\b|\bnursing facility\b",
        "The code names the place where the care was given.",
    ),
    (r"\blens\b|\bspectacle\b|\bframe\b", "It is an eyeglass item or service."),
    (r"\btherapy\b|\brehabilitation\b", "It is a therapy service."),
    (r"\bclasses?\b|\beducation\b|\btraining\b", "It is a class or teaching session."),
    (r"\bday care\b", "Adult day care gives supervision and activities during the day."),
    (r"\bcrisis\b", "Crisis services give urgent help to someone in a mental health crisis."),
    (r"\bmental health\b|\bbehavioral health\b", "It is a mental or behavioral health service."),
    (r"\bpatch(?:es)?\b|\bmicrogram\b|\bmg\b|\blegend\b", "It is a medicine or drug product."),
    (r"\bequipment\b|\btransmitter\b|\bdevice\b", "It is a piece of medical equipment or a device."),
    (
        r"\bwaiver\b",
        "Waiver codes are for services a state Medicaid waiver program pays for, such as home- and "
        "community-based care.",
    ),
    (r"\bveterans affairs\b", "It is used for care given through the Department of Veterans Affairs."),
    (r"\blaser\b|\bfetoscopic\b|\belectromyography\b", "It is a procedure or test done by a specialist."),
)
_FALLBACK_RX = tuple((re.compile(rx, re.I), text) for rx, text in _FALLBACK_WORDS)


def fallback(f: Facts, s: dict[str, Section]) -> None:
    """Codes without a kind of their own (mostly S, T and temporary Q codes): which payers use the code,
    how it is counted, what its words say it is, and the HCPCS file's entries."""
    if f.system != "hcpcs" or f.record.kind != "code":
        return
    what = [text for rx, text in _FALLBACK_RX if rx.search(f.title)][:2]
    if what:
        _first(s, "details", items=what)
    payer = _PAYERS.get(f.code[:1])
    if payer:
        s["payer"] = Section("payer", "", items=[payer])
    units = unit_items(f.title)
    if units:
        s["unit"] = Section("unit", "", text=" ".join(units))
    _medicare(f, s)


def skin_substitute(f: Facts, s: dict[str, Section]) -> None:
    if "topical use only" in f.title.lower():
        _first(
            s, "how_it_is_used", items=["The product is for topical use only: it goes on the wound surface."]
        )
    _medicare(f, s)

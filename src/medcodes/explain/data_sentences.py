"""Sentences about a procedure or a lab test built from the data CMS publishes for it and from the words
of its descriptor: the surgical action and body part, the approach, the Medicare follow-up period (PFS
global days), the PFS surgery indicators (assistant, co-surgeons, team, both sides, office rate) and the
OPPS status; for labs, the analyte, the method and the CLFS waived-test modifier.

Each sentence is added only when its fact is present, and says only what that fact means, so the text is
true for this one code and differs from code to code as its facts do. `specific.adjust` calls these after
the kind's profile has filled the sections.
"""

from __future__ import annotations

import re

from medcodes.codesets import descriptor_facts as df
from medcodes.explain import Section
from medcodes.explain.facts import Facts

# What each kind of surgical action does, in plain words; "{part}" is the body part when it is known.
_ACTION = {
    "replacement": "takes out a worn or damaged part{of} and puts in a new one, often an implant",
    "removal": "takes out tissue, a growth or a part{of}",
    "biopsy": "takes a small piece of tissue{of} so it can be checked under a microscope",
    "repair": "fixes or rebuilds a damaged part{of}",
    "drainage": "lets out fluid, pus or blood that has built up{in}",
    "insertion": "places a device, tube or implant{in}",
    "injection": "puts medicine or another substance{in} with a needle",
    "destruction": "destroys abnormal tissue{of}, for example with heat, cold, a laser or chemicals",
    "fusion": "joins bones{of} so they heal into one solid piece and stop moving",
    "release": "frees a trapped nerve, tendon or other tissue{of} to ease pressure or improve movement",
    "fracture treatment": "treats a broken bone{of}, putting it back in line if needed and holding it while it heals",
    "dislocation treatment": "puts a joint{of} that has come out of place back in position",
    "graft or transplant": "moves tissue from one place to another{to}",
    "revision": "redoes or changes an earlier operation or implant{of}",
    "exploration": "opens an area{of} to look at it and treat what is found",
    "incision": "cuts into tissue{of} to reach, open or treat it",
}
_BENEFIT = {
    "replacement": "A new part can ease pain and bring back use of the {part}.",
    "removal": "Taking out the problem tissue from the {part} can ease symptoms, give a diagnosis, or stop a growth "
    "from spreading.",
    "biopsy": "The tissue sample shows what the problem in the {part} is, so the right treatment can be chosen.",
    "repair": "Fixing the {part} can bring back its shape and use.",
    "drainage": "Letting the fluid out of the {part} eases pressure and pain and helps an infection clear.",
    "insertion": "The device placed in the {part} does its job from inside the body.",
    "injection": "Medicine put right into the {part} can work where it is needed.",
    "destruction": "Destroying the abnormal tissue of the {part} can treat it without a larger operation.",
    "fusion": "Stopping movement between the bones can ease pain and make the {part} stable.",
    "release": "Freeing the tissue can ease pain, numbness or stiffness of the {part}.",
    "fracture treatment": "Holding the bone in line helps the {part} heal straight and work again.",
    "dislocation treatment": "Putting the joint back in place eases pain and lets the {part} move again.",
    "graft or transplant": "The moved tissue helps cover, fill or rebuild the {part}.",
    "revision": "Redoing the earlier work on the {part} can fix a problem with it, such as a worn or loose implant.",
    "exploration": "Looking inside the {part} lets the provider find and treat the problem.",
    "incision": "Opening the {part} lets the provider reach and treat the problem.",
}
_APPROACH = {
    df.OPEN: "through a surgical cut (open surgery)",
    df.LAPAROSCOPIC: "through small cuts with a thin camera (laparoscopic)",
    df.PERCUTANEOUS: "through the skin with a needle or small tube (percutaneous)",
    df.ENDOSCOPIC: "with a thin lighted scope (endoscopic)",
}
_APPROACH_TOOLS = {
    df.OPEN: "Surgical tools used through a cut in the skin.",
    df.LAPAROSCOPIC: "A laparoscope (a thin tube with a camera) and small tools put in through small cuts.",
    df.PERCUTANEOUS: "Needles, wires or thin tubes passed through the skin, often guided by imaging.",
    df.ENDOSCOPIC: "A thin, lighted scope with a camera, and small tools passed through it.",
}
_APPROACH_RISK = {
    df.OPEN: "A surgical cut can bleed, get infected or leave a scar.",
    df.LAPAROSCOPIC: "The small cuts can bleed or get infected; rarely a nearby organ is hurt.",
    df.PERCUTANEOUS: "The needle site can bruise, bleed or get infected.",
    df.ENDOSCOPIC: "Rarely, the scope can cause bleeding or a small tear.",
}
_GLOBAL = {
    "000": "Medicare's follow-up period for this code is 0 days: care on the day of the procedure is part of it.",
    "010": "Medicare's follow-up period for this code is 10 days: routine follow-up visits in that time are part "
    "of the code, not billed again.",
    "090": "Medicare's follow-up period for this code is 90 days: routine follow-up visits in that time are part "
    "of the code, not billed again. The visit the day before is part of it too.",
    "ZZZ": "This is an add-on code: it is always billed together with a main procedure, and its follow-up is part "
    "of the main procedure's.",
    "XXX": "Medicare's follow-up period rules do not apply to this code: any later visits are billed on their own.",
    "YYY": "The local Medicare contractor sets the follow-up period for this code.",
}
_ASSISTANT = {
    "0": "Medicare pays for an assistant at surgery on this code only when the records show one was needed.",
    "1": "Medicare does not pay for an assistant at surgery on this code.",
    "2": "Medicare pays for an assistant at surgery on this code, so a second surgeon or assistant may help.",
}
_CO_SURGEONS = {
    "1": "Two surgeons of different specialties may share it (co-surgery) when the records show the need.",
    "2": "Two surgeons of different specialties may share it (co-surgery).",
}
_TEAM = {
    "1": "A surgical team may do it when the records show the need.",
    "2": "A surgical team of several surgeons may do it.",
}


def _add(s: dict[str, Section], key: str, text: str = "", items: list[str] | None = None) -> None:
    """Put the code's own sentence first in a section that exists in the kind's template."""
    sec = s.get(key)
    if sec is None:
        return
    if text:
        sec.text = f"{text} {sec.text}".strip() if sec.text else text
    if items:
        sec.items = [*items, *[i for i in sec.items if i not in items]]


def _what(action: str, part: str) -> str:
    spec = _ACTION[action]
    if not part:
        return spec.format(of="", **{"in": ""}, to="")
    return spec.format(of=f" of the {part}", **{"in": f" in the {part}"}, to=f" to the {part}")


def procedure(f: Facts, s: dict[str, Section]) -> None:
    """Procedure (CPT, HCPCS) sections from the action, body part, approach and the PFS and OPPS data."""
    if f.system == "icd10pcs":
        return
    sv = f.service
    action, part = sv.action, sv.body_part
    approach = sorted(f.descriptor.approach)
    how = _APPROACH[approach[0]] if len(approach) == 1 else ""
    if action in _ACTION:
        what = _what(action, part)
        _add(s, "purpose", f"It is a {action} procedure: it {what}.")
        _add(
            s,
            "procedure_description",
            items=[f"The provider {what}" + (f", {how}." if how else ".")],
        )
        benefit = _BENEFIT[action]
        if part:
            _add(s, "benefits", items=[benefit.format(part=part)])
    elif how:
        _add(s, "procedure_description", items=[f"It is done {how}."])
    if len(approach) == 1:
        a = approach[0]
        if "tools" not in s:
            s["tools"] = Section("tools", "")
        _add(s, "tools", items=[_APPROACH_TOOLS[a]])
        _add(s, "risks", items=[_APPROACH_RISK[a]])
    pfs = f.attr("pfs") or {}
    if not isinstance(pfs, dict):
        return
    glob = str(pfs.get("global") or "")
    if glob in _GLOBAL:
        said = _GLOBAL[glob]
        if action in _ACTION and part and said.startswith("Medicare's follow-up period for this code"):
            said = said.replace("for this code", f"for this {action} of the {part}", 1)
        _add(s, "recovery", items=[said])
    team = [
        t
        for t in (
            _ASSISTANT.get(str(pfs.get("assistant") or "")) if glob in ("000", "010", "090") else None,
            _CO_SURGEONS.get(str(pfs.get("co_surgeons") or "")),
            _TEAM.get(str(pfs.get("team") or "")),
        )
        if t
    ]
    if team:
        _add(s, "personnel", items=team)
    if str(pfs.get("bilateral") or "") == "1" and df.BILATERAL not in f.descriptor.laterality:
        _add(
            s,
            "procedure_description",
            items=[
                "If it is done on both sides in the same session, the claim shows it once with modifier 50."
            ],
        )
    if pfs.get("nonfacility_na"):
        _add(
            s,
            "setting",
            "Medicare pays for it only in a facility, such as a hospital or surgery center; it has no office rate.",
        )
    elif _rvu(pfs.get("total_nonfacility_rvu")) > _rvu(pfs.get("total_facility_rvu")) > 0:
        _add(s, "setting", "Medicare also pays a rate for doing it in a provider's office.")


def _rvu(value: object) -> float:
    try:
        return float(str(value))
    except ValueError:
        return 0.0


_METHOD_RESULT = {
    "culture": "A culture shows whether germs grow from the sample and, often, which medicines work against them.",
    "molecular (DNA or RNA) test": "The lab looks for genetic material (DNA or RNA) in the sample.",
    "antibody test": "The lab looks for antibodies: proteins the body makes against a germ or a substance.",
    "antigen test": "The lab looks for antigens: parts of a germ or other substance in the sample.",
    "microscope exam": "A trained person looks at the sample under a microscope.",
    "automated count": "A machine counts or measures what is in the sample.",
    "quick test": "It is a quick test: the result can be ready within minutes to an hour.",
    "drug test": "The lab looks for drugs or their breakdown products in the sample.",
}
_METHOD_TIME = {
    "culture": "A culture takes at least a day, often a few days, because the germs need time to grow.",
    "molecular (DNA or RNA) test": "Genetic tests can take from a day to several weeks, depending on the test.",
    "quick test": "A quick test can give a result within minutes to an hour.",
    "automated count": "Automated tests are often ready the same day or the next day.",
}


def lab(f: Facts, s: dict[str, Section]) -> None:
    """Lab sections from the analyte, the method and the CLFS waived-test modifier."""
    lab_coverage(f, s)
    sv = f.service
    if sv.method in _METHOD_RESULT:
        _add(s, "results", _METHOD_RESULT[sv.method])
    if sv.method in _METHOD_TIME:
        _add(s, "turnaround", _METHOD_TIME[sv.method])
    analyte = sv.analyte[0].lower() + sv.analyte[1:] if sv.analyte else ""
    if analyte and sv.analyte.lower() != f.title.lower():
        _add(s, "questions", items=[f"What does my result for {analyte} mean for me?"])
    clfs = f.attr("clfs")
    if isinstance(clfs, dict) and "QW" not in (clfs.get("modifiers") or []):
        _add(
            s,
            "setting",
            "Medicare lists no simple office (CLIA-waived) version of this test, so the sample usually goes to a laboratory.",
        )


# HCPCS pricing indicators for supplies and equipment (the HCPCS record layout): how Medicare pays for the item.
_PRICING = {
    "31": "Medicare pays for it as an item that needs frequent servicing: it is rented for as long as it is needed.",
    "32": "Medicare pays for it as an inexpensive or routinely bought item: it can be bought or rented.",
    "33": "Medicare pays for it under the rules for oxygen and oxygen equipment, usually as a monthly rental.",
    "34": "Medicare pays for it as a supply used with medical equipment.",
    "35": "Medicare pays for it as a surgical dressing.",
    "36": "Medicare pays for it as a capped rental: it is rented by the month, and after a set time you own it.",
    "37": "Medicare pays for it as an ostomy, tracheostomy or urinary supply.",
    "38": "Medicare pays for it as an orthotic, prosthetic or vision item.",
    "39": "Medicare pays for it as nutrition given through a feeding tube or a vein.",
    "40": "Medicare pays for it as a lymphedema compression item.",
    "45": "Medicare pays for it as custom-made equipment, priced case by case.",
    "46": "The local Medicare contractor sets the price case by case.",
    "57": "The local Medicare contractor sets the price.",
}
_FEATURES = (
    (
        r"\bcustom[- ]fabricated\b|\bmolded to patient model\b|\bcustom\b",
        "It is made to fit you, from a model or measurements.",
    ),
    (r"\bprefabricated\b", "It comes ready-made (prefabricated)."),
    (r"\boff-the-shelf\b", "It is sold off the shelf and needs little or no fitting."),
    (r"\bincludes fitting and adjustment\b", "Fitting and adjustment are part of the code."),
    (
        r"\bimplantable\b|\bimplanted\b",
        "It is placed inside the body during a procedure; the procedure has its own code.",
    ),
    (r"\bsterile\b", "It comes sterile (free of germs)."),
    (r"\bdisposable\b", "It is used once and thrown away."),
    (r"\breusable\b", "It can be cleaned and used again."),
    (r"\bpair\b", "The code is for a pair."),
    (r"\bper month\b|\bmonthly\b", "The code covers a month of the item."),
    (r"\bper week\b|\bweekly\b", "The code covers a week of the item."),
    (r"\brental\b", "The code is for renting the item."),
    (r"\bbattery\b|\bbatteries\b", "It is or uses a battery."),
    (r"\badjustable\b", "It can be adjusted."),
    (r"\bpediatric\b|\bchild\b|\binfant\b", "It is made for children."),
    (r"\bheavy duty\b|\bbariatric\b|\bextra wide\b", "It is built for heavier use or a larger body size."),
)
_SIZE = re.compile(
    r"\b(?:size|sized?)\s+(?:[a-z]+\s+)?((?:\d[\d.]*\s*(?:sq\.?\s*in\.?|sq\.?\s*cm|cm|in\.?|inches))[^,;]*)",
    re.I,
)
_FEATURE_RX = tuple((re.compile(rx, re.I), text) for rx, text in _FEATURES)


def supply(f: Facts, s: dict[str, Section]) -> None:
    """Supply and equipment sections from the descriptor's words and the HCPCS pricing indicator."""
    title = f.title
    feats = [text for rx, text in _FEATURE_RX if rx.search(title)]
    m = _SIZE.search(title)
    if m:
        feats.append(f"The code covers the size {' '.join(m.group(1).split()).rstrip('.')}.")
    if feats:
        _add(s, "how_it_is_used", items=feats[:4])
    part = f.service.body_part
    group = f.path[-1] if f.path else ""
    if part:
        _add(s, "uses", items=[f"The descriptor names the {part}: the item is made for it."])
    elif group:
        _add(s, "uses", items=[f"It is listed among the HCPCS {group.lower()}."])
    pricing = [str(p) for p in f.attr("pricing_indicators") or []]
    said = [_PRICING[p] for p in pricing if p in _PRICING]
    if said:
        _add(s, "billing", items=said[:1])
        question = {
            "36": "How long will I rent it before I own it, and who services it?",
            "31": "Who services the equipment while I rent it?",
            "33": "Who delivers and refills the oxygen, and how often?",
            "38": "How many fittings will I need, and how often can it be replaced?",
            "35": "How often should the dressing be changed, and who changes it?",
            "39": "Who teaches me to give the nutrition, and how is it delivered?",
        }.get(pricing[0])
        if question:
            _add(s, "questions", items=[question])


# ICD-10-CM: what the words of the title mean, in plain words, for the sections a category profile fills.
_INJURY = (
    (
        "fracture",
        r"\bfracture\b",
        {
            "symptoms": "A broken bone in the {part} usually causes pain, swelling and bruising, and it can be hard to move or bear weight.",
            "diagnosis": "An X-ray of the {part} shows the break; sometimes a CT scan is used.",
            "question": "How long will the bone in my {part} take to heal, and when can I use it again?",
        },
    ),
    (
        "dislocation",
        r"\bdislocation\b|\bsubluxation\b",
        {
            "symptoms": "A joint out of place in the {part} causes pain and swelling and looks or feels wrong.",
            "diagnosis": "An exam and an X-ray of the {part} show the joint's position.",
            "question": "Is my {part} joint likely to come out of place again?",
        },
    ),
    (
        "sprain",
        r"\bsprain\b",
        {
            "symptoms": "A sprain (stretched or torn ligament) of the {part} causes pain, swelling and bruising.",
            "diagnosis": "An exam of the {part}; an X-ray may be taken to rule out a broken bone.",
            "question": "When can I put weight on or use my {part} again?",
        },
    ),
    (
        "strain",
        r"\bstrain\b",
        {
            "symptoms": "A strain (stretched or torn muscle or tendon) of the {part} causes pain, weakness and spasm.",
            "diagnosis": "An exam of the {part}; imaging is rarely needed.",
            "question": "Which movements of my {part} should I avoid while it heals?",
        },
    ),
    (
        "laceration",
        r"\blaceration\b",
        {
            "symptoms": "A cut (laceration) of the {part} bleeds and can hurt; a deep cut can harm what lies under it.",
            "diagnosis": "An exam of the wound on the {part} checks its depth and the nerves, blood vessels and tendons near it.",
            "question": "How should I care for the cut on my {part}, and when do stitches come out?",
        },
    ),
    (
        "contusion",
        r"\bcontusion\b",
        {
            "symptoms": "A bruise (contusion) of the {part} causes pain, swelling and skin color changes.",
            "diagnosis": "An exam of the {part}; an X-ray if a broken bone is possible.",
            "question": "When should a bruise on my {part} be checked again?",
        },
    ),
    (
        "burn",
        r"\bburn\b|\bcorrosion\b",
        {
            "symptoms": "A burn of the {part} causes pain, redness and, when deeper, blisters or white or dark skin.",
            "diagnosis": "An exam of the {part} shows how deep and how large the burn is.",
            "question": "How should I care for the burn on my {part}, and what signs of infection should I watch for?",
        },
    ),
)
_INJURY_RX = tuple((name, re.compile(rx, re.I), text) for name, rx, text in _INJURY)
_TITLE_WORDS = (
    (
        r"\bnondisplaced\b",
        "treatment",
        "Nondisplaced means the bone pieces stayed in line; a cast, splint or brace is often enough.",
    ),
    (
        r"(?<!non)\bdisplaced\b",
        "treatment",
        "Displaced means the bone pieces moved out of line; they may need to be set, sometimes with surgery.",
    ),
    (
        r"\bopen fracture\b|\bfor open fracture\b",
        "treatment",
        "An open fracture breaks through the skin; it needs cleaning and often surgery to prevent infection.",
    ),
    (r"\bwith routine healing\b", "outlook", "Routine healing means the injury is healing as expected."),
    (
        r"\bwith delayed healing\b",
        "outlook",
        "Delayed healing means the bone is healing more slowly than expected.",
    ),
    (
        r"\bwith nonunion\b",
        "outlook",
        "Nonunion means the broken bone has not joined; more treatment, sometimes surgery, may be needed.",
    ),
    (
        r"\bwith malunion\b",
        "outlook",
        "Malunion means the bone healed out of line; some people need treatment to correct it.",
    ),
    (
        r"\bwith foreign body\b",
        "treatment",
        "Something is stuck in the wound; it is usually taken out before the wound is closed.",
    ),
    (r"\bwithout foreign body\b", "treatment", "Nothing is stuck in the wound."),
    (
        r"\bfirst degree\b",
        "outlook",
        "A first-degree burn affects only the top layer of skin and usually heals in about a week.",
    ),
    (
        r"\bsecond degree\b",
        "outlook",
        "A second-degree burn goes into the second layer of skin, causes blisters, and can take weeks to heal.",
    ),
    (
        r"\bthird degree\b",
        "outlook",
        "A third-degree burn goes through the skin; it often needs a skin graft.",
    ),
    (r"\bchronic\b", "outlook", "Chronic means the condition lasts a long time or keeps coming back."),
    (r"\bacute\b", "outlook", "Acute means the condition started recently or suddenly."),
    (
        r"\bin remission\b",
        "outlook",
        "In remission means the signs of the disease have lessened or gone for now.",
    ),
    (r"\bmalignant\b", "what_it_is", "Malignant means cancer."),
    (r"\bbenign\b", "what_it_is", "Benign means not cancer."),
    (
        r"\bin situ\b",
        "what_it_is",
        "In situ means abnormal cells that have not spread beyond where they started.",
    ),
    (r"\bsecondary malignant\b", "what_it_is", "Secondary means the cancer spread there from another place."),
    (r"\badverse effect of\b", "causes", "Adverse effect means harm from a medicine taken the right way."),
    (
        r"\bunderdosing of\b",
        "causes",
        "Underdosing means taking less of a medicine than prescribed, or stopping it.",
    ),
    (r"\bpoisoning by .*accidental\b", "causes", "The poisoning was accidental."),
    (
        r"\bpoisoning by .*assault\b",
        "causes",
        "The poisoning was done on purpose by another person (assault).",
    ),
    (
        r"\bpoisoning by .*undetermined\b",
        "causes",
        "The records do not say whether the poisoning was on purpose.",
    ),
)
_TITLE_RX = tuple((re.compile(rx, re.I), key, text) for rx, key, text in _TITLE_WORDS)


def diagnosis(f: Facts, s: dict[str, Section]) -> None:
    """ICD-10-CM sections from the title's words: injury type and body part, fracture and healing terms,
    burn depth, acute or chronic, cancer terms, and drug-harm intent."""
    title = f.title
    for rx, key, text in _TITLE_RX:
        if rx.search(title):
            sec = s.get(key)
            if sec is None:
                continue
            if key in ("outlook", "what_it_is"):
                _append(sec, text)
            else:
                _add(s, key, items=[text])
    part = df.body_part(title)
    if not part:
        return
    for _name, injury_rx, said in _INJURY_RX:
        if injury_rx.search(title):
            _add(s, "symptoms", items=[said["symptoms"].format(part=part)])
            _add(s, "diagnosis", items=[said["diagnosis"].format(part=part)])
            _add(s, "questions", items=[said["question"].format(part=part)])
            break


def _append(sec: Section, text: str) -> None:
    if text not in sec.text:
        sec.text = f"{sec.text} {text}".strip()


_DELIVERY = re.compile(
    r"\bdelivery\b|\boutcome of delivery\b|\bpuerperi\w*\b|\bpostpartum\b|\bliveborn\b", re.I
)


def delivery(f: Facts, s: dict[str, Section]) -> None:
    """Delivery and after-birth codes get delivery care, not the prenatal care of the pregnancy profile."""
    if not _DELIVERY.search(f.title) or re.search(r"\bsupervision\b|\bhistory of\b", f.title, re.I):
        return
    care = s.get("care")
    if care is not None:
        care.items = [
            "During labor and birth, the care team checks you and the baby and helps with the delivery.",
            "After the birth, the team checks your bleeding, blood pressure and healing, and helps with feeding.",
        ]
    expect = s.get("what_to_expect")
    if expect is not None:
        expect.items = [
            "A checkup after the birth is usually planned within the first weeks.",
            *[i for i in expect.items if "prenatal" not in i.lower()],
        ]


# ICD-10-CM coding notes explained in plain words, in the sections they inform: Excludes1 and Excludes2 name
# the conditions a provider tells this one apart from; "code first" names the condition behind it; "use
# additional code" and "code also" name the details recorded with a second code.
_CODE_REF = re.compile(r"\s*\((?:[A-Z]\d[\dA-Z.\-]*(?:[-,]\s*[A-Z]?\d?[\dA-Z.\-]*)*\s*,?\s*)+\)")


def _plain_note(text: str) -> str:
    text = _CODE_REF.sub("", text).strip().rstrip(":;,. ")
    text = re.sub(r"\s*-\s*see\b.*$", "", text, flags=re.I)
    text = re.sub(
        r"^(?:code (?:first|also)|use additional code(?:,? if applicable,)?(?: to identify)?)\s*",
        "",
        text,
        flags=re.I,
    )
    text = re.sub(r"^[,;:\s]*(?:if applicable[,:]?\s*)?(?:to identify\s*)?", "", text, flags=re.I)
    return text.strip()


def cm_notes(f: Facts, s: dict[str, Section]) -> None:
    notes = [(n.type, n.text) for n in f.notes] + [(n.type, n.text) for _w, n in f.ancestor_notes]
    by: dict[str, list[str]] = {}
    for kind, text in notes:
        plain = _plain_note(text)
        if plain and len(plain) <= 120 and plain not in by.setdefault(kind, []):
            by[kind].append(plain)
    ex1, ex2 = by.get("excludes1", [])[:3], by.get("excludes2", [])[:3]
    if ex2:
        _add_last(
            s,
            "diagnosis",
            items=["These are coded separately and can be present at the same time: " + "; ".join(ex2) + "."],
        )
    if ex1:
        _add_last(
            s,
            "diagnosis",
            items=[
                "Providers tell it apart from conditions that have codes of their own and are never coded "
                "with it: " + "; ".join(ex1) + "."
            ],
        )
    first = by.get("code_first", [])[:2]
    if first:
        _add_last(
            s,
            "causes",
            items=[
                "It often comes from or goes with another condition, which is coded first: "
                + "; ".join(first)
                + "."
            ],
        )
    extra = (by.get("use_additional", []) + by.get("code_also", []))[:2]
    if extra:
        _add_last(
            s,
            "treatment" if "treatment" in s else "what_to_expect",
            items=["The record adds another code for related details, such as: " + "; ".join(extra) + "."],
        )


def lab_coverage(f: Facts, s: dict[str, Section]) -> None:
    """ "Medicare covers this test for ...": the lab NCDs that list the code, from the ingested CMS spreadsheet."""
    items = []
    for ncd in f.lab_ncds:
        rule = f"Medicare's national coverage rule for {ncd.title} (NCD {ncd.number}) applies to this test."
        if ncd.covered:
            items.append(
                f"{rule} Medicare covers the test when the claim shows one of the {ncd.covered:,} "
                "diagnosis codes the rule lists."
            )
            if ncd.top_categories:
                groups = "; ".join(f"{title} ({cat})" for cat, title, _n in ncd.top_categories)
                items.append(f"The groups with the most covered diagnosis codes are: {groups}.")
            if ncd.not_supporting:
                items.append(f"{ncd.not_supporting:,} diagnosis codes on the rule do not support the test.")
        elif ncd.not_supporting:
            items.append(
                f"{rule} It lists {ncd.not_supporting:,} diagnosis codes that do not by themselves show the "
                "test is needed; a diagnosis not on that list can support it."
            )
    if items:
        s["coverage"] = Section("coverage", "", items=items)


def _add_last(s: dict[str, Section], key: str, items: list[str]) -> None:
    """After the profile's own lines: the notes explain, the profile describes."""
    sec = s.get(key)
    if sec is not None:
        sec.items = [*sec.items, *[i for i in items if i not in sec.items]]

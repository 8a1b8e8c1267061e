"""Facts stated by a procedure descriptor: side, contrast, views, patient status, minutes, approach, count.

Pure text functions. The same parser reads raw CMS short descriptors ("Mri brain stem w/o dye",
"Office o/p est low 20 min", "X-ray exam ribs/chest4/> vws"), readable long descriptors and the
project's own plain names ("Brain MRI without contrast"), so two texts can be compared fact by fact:
`contradictions(descriptor, name)` lists what a name states that its descriptor rules out. A text
that says nothing about a fact leaves it empty; an empty fact never contradicts anything.

Short descriptors reuse abbreviations for several meanings ("endo" is endoscopic in surgery but
endoskeletal in orthotics, "lt" is left, light or "less than", "est" is established or estimate),
so the ambiguous ones only count where their neighbours make the meaning clear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LEFT, RIGHT, BILATERAL, UNILATERAL = "left", "right", "bilateral", "unilateral"
WITHOUT, WITH, WITHOUT_THEN_WITH = "without", "with", "without then with"
NEW, ESTABLISHED = "new", "established"
OPEN, LAPAROSCOPIC, PERCUTANEOUS, ENDOSCOPIC = "open", "laparoscopic", "percutaneous", "endoscopic"
SINGLE, EACH_ADDITIONAL, MULTIPLE = "single", "each additional", "multiple"


@dataclass(frozen=True)
class Range:
    """An inclusive count range; `high` None means open-ended ("3 or more")."""

    low: int
    high: int | None

    def within(self, other: Range) -> bool:
        if self.low < other.low:
            return False
        if other.high is None:
            return True
        return self.high is not None and self.high <= other.high


@dataclass(frozen=True)
class DescriptorFacts:
    laterality: frozenset[str] = field(default_factory=frozenset)
    contrast: frozenset[str] = field(default_factory=frozenset)
    views: Range | None = None
    patient: frozenset[str] = field(default_factory=frozenset)
    minutes: frozenset[int] = field(default_factory=frozenset)
    approach: frozenset[str] = field(default_factory=frozenset)
    count: frozenset[str] = field(default_factory=frozenset)


def _norm(text: str) -> str:
    text = text.lower().replace("\u2013", "-").replace("\u2014", "-")
    return re.sub(r"\s+", " ", text)


def _tags(t: str, table: tuple[tuple[re.Pattern[str], str], ...]) -> frozenset[str]:
    """Every tag whose pattern is found in the normalised text `t`."""
    return frozenset(tag for rx, tag in table if rx.search(t))


def _compiled(table: tuple[tuple[str, str], ...], flags: int = 0) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((name, re.compile(rx, flags)) for name, rx in table)


def _first(t: str, table: tuple[tuple[str, re.Pattern[str]], ...]) -> str:
    """The name of the first pattern found in the normalised text `t` (tables list the narrowest first)."""
    return next((name for name, rx in table if rx.search(t)), "")


# --- laterality -----------------------------------------------------------------------------------
_BOTH = re.compile(r"\b(bilat(eral)?|bi|both|bil)\b(?!-)")
_ONE = re.compile(
    r"\b(unilat(eral)?|uni|one-sided|single side|one (side|breast|eye|ear|leg|arm|hip|knee|kidney))\b"
)
_LEFT = re.compile(r"\bleft\b|\blt\s*$|\blt\s*/\s*rt\b|\brt\s*/\s*lt\b|\blt side\b")
_RIGHT = re.compile(r"\bright\b|\brt\s*$|\blt\s*/\s*rt\b|\brt\s*/\s*lt\b|\brt side\b")
# "uni/bi", "unilat or bilat": either is allowed, so the text states no side.
_EITHER = re.compile(
    r"\b(uni(lat(eral)?)?\s*(/|or|and)\s*bi(lat(eral)?)?|bi(lat(eral)?)?\s*(/|or)\s*uni(lat(eral)?)?)\b"
)


def laterality(text: str) -> frozenset[str]:
    t = _norm(text)
    if _EITHER.search(t):
        return frozenset()
    found = set()
    if _BOTH.search(t):
        found.add(BILATERAL)
    if _ONE.search(t):
        found.add(UNILATERAL)
    if re.search(r"\blt\s*/\s*rt\b|\brt\s*/\s*lt\b|\bleft or right\b|\bright or left\b", t):
        found.add(UNILATERAL)
    else:
        if _LEFT.search(t):
            found.add(LEFT)
        if _RIGHT.search(t):
            found.add(RIGHT)
    return frozenset(found)


# --- contrast -------------------------------------------------------------------------------------
_DYE = r"(dye|contrast|contrst|cntrst|cntr|contrast material|contrast materials?)"
_BOTH_CONTRAST = re.compile(
    r"w/o\s*(&|and|/)?\s*w/?\s*" + _DYE + r"|wo/w\s*" + _DYE + r"|w/o\s*&\s*w\b|without and with"
    r"|(?:w/o|\bwo)\s*"
    + _DYE
    + r"\s*(flwd|followed by)|without,? followed by|followed by contrast|before and after contrast|c-\s*\+|c-/c\+|c-\+"
    r"|\bw/o\s*&\s*w\b|without contrast,? then with|without and with\b|without\s+" + _DYE + r"\s+followed\b"
)
_WITHOUT = re.compile(
    r"(?:w/o|\bwo)\s*" + _DYE + r"|without\s+" + _DYE + r"|\bno\s+" + _DYE + r"|non-?contrast|\bc-(?!\+)"
)
_WITH = re.compile(r"w/\s*" + _DYE + r"|\bwith\s+" + _DYE + r"|contrast-enhanced|\bc\+")


def contrast(text: str) -> frozenset[str]:
    t = _norm(text)
    if _BOTH_CONTRAST.search(t):
        return frozenset({WITHOUT_THEN_WITH})
    found = set()
    if _WITHOUT.search(t):
        found.add(WITHOUT)
    if _WITH.search(_WITHOUT.sub(" ", t)):
        found.add(WITH)
    return frozenset(found)


# --- views ----------------------------------------------------------------------------------------
_NUMBER_WORDS = {"one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_VW = r"(?:vws?|views?)\b"


def views(text: str) -> Range | None:
    t = _norm(text)
    for word, n in _NUMBER_WORDS.items():
        t = re.sub(rf"\b{word}\b(?=\s*(?:or more\s*)?{_VW})", str(n), t)
    m = re.search(rf"(?:min(?:imum)?\.?\s*(?:of\s*)?|at least\s*)(\d+)\s*{_VW}", t)
    if m:
        return Range(int(m.group(1)), None)
    m = re.search(rf"(?:<\s*|fewer than\s*|less than\s*|under\s*)(\d+)\s*{_VW}", t)
    if m:
        return Range(1, int(m.group(1)) - 1)
    m = re.search(rf"(?:up to|max(?:imum)?\.?\s*(?:of)?)\s*(\d+)\s*{_VW}", t)
    if m:
        return Range(1, int(m.group(1)))
    m = re.search(rf"(\d+)\s*(?:/>|\+|/\s*more|or more|/or more|or greater)\s*{_VW}", t)
    if m:
        return Range(int(m.group(1)), None)
    m = re.search(rf"(\d+)\s*(?:-|/|to|or)\s*(\d+)\s*{_VW}", t)
    if m:
        return Range(int(m.group(1)), int(m.group(2)))
    m = re.search(rf"(\d+)\s*{_VW}", t)
    if m:
        return Range(int(m.group(1)), int(m.group(1)))
    return None


# --- patient status -------------------------------------------------------------------------------
_EST = r"(?:est|estab|established)"
_PT_EST = re.compile(
    rf"\b{_EST}\s+(?:pt|pts|patient|patients)\b|\b(?:o/p|visit|exam|e/m|dom|home|nf|fac)\s+{_EST}\b"
)
_PT_NEW = re.compile(
    r"\bnew\s+(?:pt|pts|patient|patients)\b|\b(?:o/p|visit|exam|e/m|dom|home|nf|fac)\s+new\b"
)
_PT_BOTH = re.compile(rf"\bnew\s*(?:/|or)\s*{_EST}\b|\b{_EST}\s*(?:/|or)\s*new\b")


def patient(text: str) -> frozenset[str]:
    t = _norm(text)
    if _PT_BOTH.search(t):
        return frozenset()
    return _tags(t, ((_PT_EST, ESTABLISHED), (_PT_NEW, NEW)))


# --- minutes --------------------------------------------------------------------------------------
_MIN = r"(?:min|mins|minute|minutes|m)\b"
_HR = r"(?:hr|hrs|hour|hours)\b"


def minutes(text: str) -> frozenset[int]:
    t = _norm(text)
    found: set[int] = set()
    for m in re.finditer(rf"(\d+)\s*(?:-|to|–)\s*(\d+)\s*{_MIN}", t):
        found.update({int(m.group(1)), int(m.group(2))})
    t2 = re.sub(rf"(\d+)\s*(?:-|to|–)\s*(\d+)\s*{_MIN}", " ", t)
    for m in re.finditer(rf"(\d+)\s*(?:\+|/>|or more)?\s*{_MIN}", t2):
        found.add(int(m.group(1)))
    for m in re.finditer(rf"(\d+)\s*(?:-|to)\s*(\d+)\s*{_HR}", t):
        found.update({60 * int(m.group(1)), 60 * int(m.group(2))})
    t3 = re.sub(rf"(\d+)\s*(?:-|to)\s*(\d+)\s*{_HR}", " ", t)
    for m in re.finditer(rf"(?<![\d.])(\d+)\s*{_HR}", t3):
        found.add(60 * int(m.group(1)))
    # "addl hr", "first hour", "per hour": one hour without a number
    if re.search(rf"\b(?:addl|additional|first|1st|per|each|ea|init|initial|an)\s+{_HR}", t):
        found.add(60)
    return frozenset(found)


# --- approach -------------------------------------------------------------------------------------
_LAP = re.compile(r"\b(lap|lapx|laparoscopic|laparoscopically|laparoscopy|lsc)\b")
_PERQ = re.compile(r"\b(perq|perc|percutaneous|percutaneously|perq\.)\b")
_OPEN = re.compile(r"\b(open|opn)\b(?![- ]?(angle|loop|mri|heart))")
_ENDO = re.compile(
    r"\b(endoscopic|endoscopically|endoscopy|endoscope|arthroscopic|arthroscopy|arthroscopically"
    r"|thoracoscopic|thoracoscopy|cystoscopy|cystoscopic|hysteroscopy|hysteroscopic|ureteroscopy"
    r"|ureteroscopic|bronchoscopy|bronchoscopic|laryngoscopy|laryngoscopic|colonoscopy|sigmoidoscopy"
    r"|esophagoscopy|egd|nasal endoscopy|sinus endoscopy|scope)\b"
)
# "endo" alone is endoscopic in surgical descriptors but endoskeletal (orthotics) or endovascular
# (drugs) elsewhere: count it only beside a surgical word.
_ENDO_ABBR = re.compile(r"\bendo\b(?!\s*(?:knee|poly|single|dual|coil|\)|ft|hip|ak|bk|socket|shin))")


_APPROACHES = (
    (_LAP, LAPAROSCOPIC),
    (_PERQ, PERCUTANEOUS),
    (_OPEN, OPEN),
    (_ENDO, ENDOSCOPIC),
    (_ENDO_ABBR, ENDOSCOPIC),
)


def approach(text: str) -> frozenset[str]:
    return _tags(_norm(text), _APPROACHES)


# --- single / each additional / multiple ----------------------------------------------------------
_ADDL = re.compile(r"\b(each additional|ea addl|each addl|addl|add'l|additional|add-on|addon|ea add)\b")
_SINGLE = re.compile(r"\b(single|sngl|1st|first|initial|init|one lesion|1 lesion)\b(?!\s*(?:view|vw|side))")
_MULTI = re.compile(r"\b(multiple|mult|multi|several)\b(?!-)")


def count(text: str) -> frozenset[str]:
    return _tags(_norm(text), ((_ADDL, EACH_ADDITIONAL), (_SINGLE, SINGLE), (_MULTI, MULTIPLE)))


def parse(text: str) -> DescriptorFacts:
    """Every fact the text states, each empty (or None) when it says nothing about it."""
    return DescriptorFacts(
        laterality=laterality(text),
        contrast=contrast(text),
        views=views(text),
        patient=patient(text),
        minutes=minutes(text),
        approach=approach(text),
        count=count(text),
    )


def merge(*facts: DescriptorFacts) -> DescriptorFacts:
    """Facts of several descriptors of one code (short and long): each fact from the first that states it."""

    def first(attr: str):
        for f in facts:
            value = getattr(f, attr)
            if value:
                return value
        return getattr(DescriptorFacts(), attr)

    return DescriptorFacts(**{name: first(name) for name in DescriptorFacts.__dataclass_fields__})


def _sides(values: frozenset[str]) -> frozenset[str]:
    # a left or right code is also a one-sided code; a name may say "one side" for either
    out = set(values)
    if LEFT in out or RIGHT in out:
        out.add(UNILATERAL)
    return frozenset(out)


def contradictions(descriptor: DescriptorFacts, name: DescriptorFacts) -> list[str]:
    """What `name` states that `descriptor` rules out (empty when they agree or the name omits it)."""
    problems = []

    def check(label: str, have: frozenset, said: frozenset) -> None:
        if have and said and not said <= have:
            problems.append(f"{label}: name says {sorted(said)}, descriptor says {sorted(have)}")

    check("laterality", _sides(descriptor.laterality), name.laterality)
    check("contrast", descriptor.contrast, name.contrast)
    check("patient", descriptor.patient, name.patient)
    check("approach", descriptor.approach, name.approach)
    check("count", descriptor.count, name.count)
    if descriptor.minutes and name.minutes and not name.minutes <= descriptor.minutes:
        problems.append(
            f"minutes: name says {sorted(name.minutes)}, descriptor says {sorted(descriptor.minutes)}"
        )
    if descriptor.views and name.views and not name.views.within(descriptor.views):
        problems.append(f"views: name says {name.views}, descriptor says {descriptor.views}")
    return problems


# === Service facts =================================================================================
# What kind of service a descriptor names, read from its words: imaging modality and body part, lab
# specimen and method, visit setting and level, vaccine disease and dose, drug route and billing unit,
# surgical action, place of service. Each parser returns "" (or an empty set) when the text is silent.
# Body-part and action words cover the abbreviations CMS short descriptors use ("ctrc", "arthrp").

MRI, CT, XRAY, ULTRASOUND, NUCLEAR, PET, MAMMOGRAPHY, FLUOROSCOPY, DEXA, ECHO = (
    "MRI",
    "CT",
    "X-ray",
    "ultrasound",
    "nuclear medicine",
    "PET",
    "mammogram",
    "fluoroscopy",
    "bone density scan",
    "echocardiogram",
)
# Modalities that use ionizing radiation (X-rays or a radioactive tracer).
RADIATION = frozenset({CT, XRAY, NUCLEAR, PET, MAMMOGRAPHY, FLUOROSCOPY, DEXA})

_MODALITY: tuple[tuple[str, re.Pattern[str]], ...] = (
    (MRI, re.compile(r"\b(mri|mra|mr angio\w*|magnetic resonance|fmri|mrs)\b")),
    (PET, re.compile(r"\b(pet|positron emission)\b")),
    (CT, re.compile(r"\b(ct|cta|computed tomograph\w*|cat scan)\b")),
    (MAMMOGRAPHY, re.compile(r"\b(mammo\w*|mam)\b")),
    (DEXA, re.compile(r"\b(dxa|dexa|bone density|densitometry)\b")),
    (ECHO, re.compile(r"\b(echo|echocardiograph\w*|tte|tee)\b")),
    (
        ULTRASOUND,
        re.compile(r"\b(us|ultrasound|ultrasonograph\w*|sonograph\w*|echograph\w*|doppler|duplex)\b"),
    ),
    (
        NUCLEAR,
        re.compile(
            r"\b(nuclear|nm|spect|scintigraph\w*|radionuclide|radiopharm\w*|\w+ scan imaging|bone scan)\b"
        ),
    ),
    (FLUOROSCOPY, re.compile(r"\b(fluoro\w*)\b")),
    (XRAY, re.compile(r"\b(x-ray|xray|x-rays|radiologic exam\w*|radiograph\w*|radiologic examination)\b")),
)


def modality(text: str) -> str:
    return _first(_norm(text), _MODALITY)


# Plain body-part names keyed by the words (and CMS abbreviations) that name them. Order matters:
# the first that matches wins, so narrower parts come before wider ones.
_BODY_PARTS: tuple[tuple[str, str], ...] = (
    ("eye lens (cataract)", r"\b(ctrc|cataract|catarct|lens)\b"),
    ("retina", r"\b(retina\w*|retin)\b"),
    ("eye", r"\b(eye|eyes|ocular|orbit|cornea\w*|glaucoma|eyelid|vitreous)\b"),
    ("ear", r"\b(ear|ears|tympan\w*|middle ear|cochlea\w*)\b"),
    ("brain", r"\b(brain|head/brain|cerebral|cranial|intracranial)\b"),
    ("nose", r"\b(nose|nasal)\b"),
    ("mouth", r"\b(mouth|tongue|tooth|teeth|gum|gums|palate|lip|lips)\b"),
    ("throat", r"\b(throat|larynx|laryng\w*|pharynx|tonsils?|vocal cords?)\b"),
    ("esophagus", r"\b(esophagus|esophageal|esophag\w*)\b"),
    ("head", r"\b(head|skull|face|facial|sinus\w*|sinuses|maxillofacial|jaw|mandible)\b"),
    ("neck", r"\b(neck|thyroid|cervical spine|c-spine|cerv spine)\b"),
    (
        "spine",
        r"\b(spine|spinal|intraspinal|vertebra\w*|lumbar|thoracic spine|sacrum|sacral|coccyx|disc|disk)\b",
    ),
    ("heart", r"\b(heart|cardiac|coronary|cardio\w*|myocardial|valve|aortic valve|mitral)\b"),
    ("breast", r"\b(breast|breasts|mammary)\b"),
    ("chest", r"\b(chest|thorax|thoracic|lung|lungs|pulmonary|ribs?)\b"),
    ("abdomen and pelvis", r"\b(abd&plv|abdomen and pelvis|abdomen & pelvis|abd/pelvis|abd & pelvis)\b"),
    (
        "abdomen",
        r"\b(abdomen|abdominal|abd|liver|hepatic|pancrea\w*|spleen|gallbladder|gall bladder|biliary|stomach|bowel|colon|rectum|rectal|appendix|hernia)\b",
    ),
    ("kidney", r"\b(kidney|kidneys|renal|ureter\w*)\b"),
    ("bladder", r"\b(bladder|urethra\w*|prostate)\b"),
    ("pelvis", r"\b(pelvis|pelvic|uterus|uterine|ovary|ovaries|cervix|vagina\w*)\b"),
    ("hip", r"\b(hip|hips|acetabul\w*|femoral head)\b"),
    ("knee", r"\b(knee|knees|kneecap|patella\w*|menisc\w*)\b"),
    ("ankle", r"\b(ankle|ankles)\b"),
    ("foot", r"\b(foot|feet|toe|toes|heel|calcaneus|metatars\w*)\b"),
    ("shoulder", r"\b(shoulder|shoulders|rotator cuff|clavicle|scapula)\b"),
    ("elbow", r"\b(elbow|elbows)\b"),
    ("wrist", r"\b(wrist|wrists|carpal)\b"),
    ("hand", r"\b(hand|hands|finger|fingers|thumb|palm|metacarp\w*)\b"),
    ("arm", r"\b(arm|arms|humerus|forearm|upper extremity|upr extremity|upper ext)\b"),
    ("leg", r"\b(leg|legs|femur|tibia|fibula|lower extremity|lwr extremity|lower ext|thigh)\b"),
    ("blood vessels", r"\b(artery|arteries|arterial|vein|veins|venous|vascular|aorta|angiogra\w*)\b"),
    ("skin", r"\b(skin|cutaneous|subcutaneous|subq|wound|scalp|nail)\b"),
)
_BODY_RX = _compiled(_BODY_PARTS)


def body_part(text: str) -> str:
    return _first(_norm(text), _BODY_RX)


# --- lab -------------------------------------------------------------------------------------------
_SPECIMENS = (
    ("urine", r"\b(urine|urinalysis|urinary)\b"),
    ("stool", r"\b(stool|feces|fecal|occult blood)\b"),
    ("breath", r"\bbreath\b"),
    ("saliva", r"\b(saliva|salivary)\b"),
    ("spinal fluid", r"\b(spinal fluid|csf|cerebrospinal)\b"),
    ("tissue", r"\b(tissue|biopsy|surgical pathology|tumor)\b"),
    ("swab", r"\b(swab|nasopharyngeal|throat)\b"),
    ("semen", r"\b(semen|sperm)\b"),
    (
        "blood",
        r"\b(blood|serum|plasma|venous|arterial|hemoglobin|glucose|cholesterol|lipid|platelet|cbc|wbc|rbc)\b",
    ),
)
_METHODS = (
    ("culture", r"\bculture\b"),
    (
        "molecular (DNA or RNA) test",
        r"\b(dna|rna|pcr|amplified probe|amplif\w*|nucleic acid|gene|genes|genomic|sequenc\w*|mutation)\b",
    ),
    ("antibody test", r"\b(antibody|antibodies|ab)\b"),
    ("antigen test", r"\b(antigen|ag)\b"),
    ("microscope exam", r"\b(microscop\w*|smear|cytopath\w*)\b"),
    ("automated count", r"\b(automated|count)\b"),
    ("quick test", r"\b(rapid|dipstick|reagent strip)\b"),
    ("drug test", r"\b(drug screen|drug test|drug class\w*|presumptive|definitive)\b"),
)
_SPECIMEN_RX = _compiled(_SPECIMENS)
_METHOD_RX = _compiled(_METHODS)


def specimen(text: str) -> str:
    return _first(_norm(text), _SPECIMEN_RX)


def method(text: str) -> str:
    return _first(_norm(text), _METHOD_RX)


def analyte(text: str) -> str:
    """What a lab test measures: the descriptor's head before its first ';' or ',' (e.g. "Glucose")."""
    head = re.split(r"[;,(]", text, maxsplit=1)[0].strip()
    head = re.sub(r"^(assay of|test for|measurement of|blood test,?)\s+", "", head, flags=re.I)
    return head if 2 < len(head) <= 60 else ""


# --- visits ----------------------------------------------------------------------------------------
HOME, OFFICE, INPATIENT, EMERGENCY, NURSING, TELEHEALTH = (
    "home",
    "office",
    "hospital",
    "emergency department",
    "nursing facility",
    "telehealth",
)
_PLACES = (
    (
        TELEHEALTH,
        r"\b(telehealth|telemedicine|audio-video|audio-only|audio only|synch audio|video|virtual|e-visit|online digital|interprofessional|phone|telephone|remote)\b",
    ),
    (HOME, r"\b(home|residence|res vst|home/res|domiciliary|dom)\b"),
    (EMERGENCY, r"\b(emergency dept|emergency department|emergency|ed visit|er)\b"),
    (NURSING, r"\b(nursing facility|nursing fac|nf|snf|skilled nursing)\b"),
    (INPATIENT, r"\b(hospital|inpatient|inp|initial hosp|subsq hosp|hosp|observation|obs)\b"),
    (OFFICE, r"\b(office|o/p|outpatient|clinic)\b"),
)
_PLACE_RX = _compiled(_PLACES)


def place(text: str) -> str:
    return _first(_norm(text), _PLACE_RX)


_LEVELS = (
    ("straightforward", r"\b(straightforward|sf)\b"),
    ("high", r"\b(high|hi)\b"),
    ("moderate", r"\b(moderate|mod)\b"),
    ("low", r"\b(low)\b"),
)
_LEVEL_RX = _compiled(_LEVELS)


def level(text: str) -> str:
    """Medical decision-making level of a visit code ("straightforward", "low", "moderate", "high")."""
    t = _norm(text)
    if not re.search(r"\b(mdm|o/p|visit|vst|office|hosp|e/m|decision|home|nf|synch|evaluation|care)\b", t):
        return ""
    return _first(t, _LEVEL_RX)


# --- vaccines ------------------------------------------------------------------------------------------
_VACCINES = (
    ("flu (influenza)", r"\b(influenza|flu|iiv\d?|riv\d?|laiv\d?|ccIIV\d?)\b"),
    ("COVID-19", r"\b(covid|sars-cov-2|coronavirus)\b"),
    ("pneumonia (pneumococcal disease)", r"\b(pneumococcal|pcv\d*|ppsv\d*|pneumo)\b"),
    ("shingles (zoster)", r"\b(zoster|shingles|rzv)\b"),
    ("hepatitis A and B", r"\b(hepa-hepb|hep a-hep b|hepatitis a and hepatitis b)\b"),
    ("hepatitis B", r"\b(hepatitis b|hepb|hep b)\b"),
    ("hepatitis A", r"\b(hepatitis a|hepa|hep a)\b"),
    ("HPV (human papillomavirus)", r"\b(hpv|papillomavirus)\b"),
    ("measles, mumps and rubella", r"\b(mmr\w*|measles)\b"),
    ("chickenpox (varicella)", r"\b(varicella|var)\b"),
    ("tetanus, diphtheria and whooping cough", r"\b(tdap|dtap\w*|dtp)\b"),
    ("tetanus and diphtheria", r"\b(td|tetanus|diphtheria)\b"),
    ("RSV (respiratory syncytial virus)", r"\b(rsv|respiratory syncytial)\b"),
    ("meningococcal disease", r"\b(meningococcal|menacwy\w*|menb\w*|mcv4|mening)\b"),
    ("polio", r"\b(polio\w*|ipv)\b"),
    ("rotavirus", r"\b(rotavirus|rv\d)\b"),
    ("Hib (Haemophilus influenzae type b)", r"\b(hib|haemophilus)\b"),
    ("rabies", r"\brabies\b"),
    ("typhoid", r"\btyphoid\b"),
    ("yellow fever", r"\byellow fever\b"),
    ("Japanese encephalitis", r"\bjapanese encephalitis\b"),
    ("cholera", r"\bcholera\b"),
    ("dengue", r"\bdengue\b"),
    ("chikungunya", r"\bchikungunya\b"),
    ("anthrax", r"\banthrax\b"),
    ("smallpox and mpox", r"\b(smallpox|vaccinia|mpox|monkeypox)\b"),
    ("tick-borne encephalitis", r"\btick-borne\b"),
    ("tuberculosis (BCG)", r"\bbcg\b"),
)
_VACCINE_RX = _compiled(_VACCINES, re.IGNORECASE)
_VACCINE_WORD = re.compile(r"\b(vaccine|vacc|vaccination|toxoid|immunization|vax)\b|\b(iiv|riv|laiv)\d?\b")


def vaccine(text: str) -> str:
    """The disease a vaccine protects against, when the text names a vaccine."""
    t = _norm(text)
    if not _VACCINE_WORD.search(t):
        return ""
    return _first(t, _VACCINE_RX)


def dose(text: str) -> str:
    m = re.search(r"\b(\d+(?:\.\d+)?)\s*(ml|mcg|mg)\b", _norm(text))
    return f"{m.group(1)} {m.group(2)}" if m else ""


# --- drugs -------------------------------------------------------------------------------------------
ORAL, IV, IM, SUBCUTANEOUS, INHALED, TOPICAL, INTRAVITREAL, INTRATHECAL = (
    "by mouth",
    "into a vein",
    "into a muscle",
    "under the skin",
    "inhaled",
    "on the skin",
    "into the eye",
    "into the spinal fluid",
)
# A route named as what the drug replaces ("substitute for an iv anti-emetic") is not its route.
_NOT_ROUTE = re.compile(
    r"(?:substitute|replacement|alternative) for (?:an? )?(?:iv|intravenous|injectable)\b[\w -]*"
)
_ROUTES = (
    (ORAL, r"\b(oral|orally|by mouth|tablet|tab|capsule|cap|po)\b"),
    (INHALED, r"\b(inhalation|inhaled|inh|nebuliz\w*)\b"),
    (INTRAVITREAL, r"\b(intravitreal|intraocular)\b"),
    (INTRATHECAL, r"\b(intrathecal|it)\b(?=.*\b(inj|injection|admin)\b)"),
    (IV, r"\b(intravenous|iv|infusion|infuse|ivp)\b"),
    (IM, r"\b(intramuscular|im)\b"),
    (SUBCUTANEOUS, r"\b(subcutaneous|subq|sc|sq)\b(?!\s*(?:cm|centimeter))"),
    (TOPICAL, r"\b(topical|transdermal|patch)\b"),
)
_ROUTE_RX = _compiled(_ROUTES)


def route(text: str) -> str:
    return _first(_NOT_ROUTE.sub(" ", _norm(text)), _ROUTE_RX)


_UNIT = re.compile(
    r"\b(per|each|up to)?\s*(\d[\d,.]*)\s*(mg|mcg|micrograms?|milligrams?|grams?|gm|g|ml|units?|iu|meq|mci|millicuries?|"
    r"microcuries?|uci|calories|cc)\b"
)


def unit(text: str) -> str:
    """The billing unit the descriptor names: "per 10 mg", "per square centimeter", "per dose", "100 calories"."""
    t = _norm(text)
    if re.search(r"\b(per|each|/)\s*(sq|square)\s*(cm|centimeter)\b|\bsq cm\b", t):
        return "per square centimeter"
    if re.search(r"\bper study dose\b", t):
        return "per study dose"
    m = _UNIT.search(t)
    if m:
        amount = f"{m.group(2)} {m.group(3)}"
        return "per " + amount if (m.group(1) or "").strip() in ("", "per", "each") else f"up to {amount}"
    if re.search(r"\bper dose\b|\bdose\b", t):
        return "per dose"
    return ""


def drug_name(text: str) -> str:
    """The drug a HCPCS drug descriptor names: "Injection, ondansetron ..., 1 mg" -> "ondansetron"."""
    m = re.match(r"^\s*(?:injection|infusion|inhalation solution|inj)[,:]?\s*([^,;(]+)", text, re.I)
    name = m.group(1) if m else re.split(r"[,;(]", text, maxsplit=1)[0]
    name = re.sub(r"\s*\d.*$", "", name).strip()
    return name if 2 < len(name) <= 60 else ""


# --- surgery ---------------------------------------------------------------------------------------
_ACTIONS = (
    ("replacement", r"\b(replacement|replace|arthroplasty|arthrp|prosth\w*)\b"),
    ("biopsy", r"\b(biopsy|bx)\b"),
    (
        "removal",
        r"\b(removal|remove|rmvl|excision|exc|excise|resection|resect|extraction|ectomy|\w+ectomy|amputation|amputate"
        r"|shave)\b",
    ),
    ("dislocation treatment", r"\b(dislocation|disloc|dislocated)\b"),
    ("fracture treatment", r"\b(fracture|fx)\b"),
    ("repair", r"\b(repair|rpr|repr|reconstruction|reconstruct|\w+plasty|\w+rrhaphy|closure)\b"),
    ("drainage", r"\b(drainage|drain|i&d|incision and drainage|aspiration|aspirate)\b"),
    ("insertion", r"\b(insertion|insert|insj|implant\w*|placement|place)\b"),
    ("injection", r"\b(injection|inject|inj)\b"),
    ("destruction", r"\b(destruction|destroy|ablation|ablate|dstrj)\b"),
    ("fusion", r"\b(fusion|arthrodesis)\b"),
    ("release", r"\b(release|decompression|decompress)\b"),
    ("graft or transplant", r"\b(graft|grft|transplant\w*|flap)\b"),
    ("revision", r"\b(revision|revise)\b"),
    ("exploration", r"\b(explore|exploration|expl)\b"),
    ("incision", r"\b(incision|incise)\b"),
)
_ACTION_RX = _compiled(_ACTIONS)


def action(text: str) -> str:
    return _first(_norm(text), _ACTION_RX)


@dataclass(frozen=True)
class ServiceFacts:
    """What kind of service a descriptor names (see the section comment above); empty when silent."""

    modality: str = ""
    body_part: str = ""
    specimen: str = ""
    method: str = ""
    analyte: str = ""
    place: str = ""
    level: str = ""
    vaccine: str = ""
    dose: str = ""
    drug: str = ""
    route: str = ""
    unit: str = ""
    action: str = ""


def parse_service(text: str) -> ServiceFacts:
    return ServiceFacts(
        modality=modality(text),
        body_part=body_part(text),
        specimen=specimen(text),
        method=method(text),
        analyte=analyte(text),
        place=place(text),
        level=level(text),
        vaccine=vaccine(text),
        dose=dose(text),
        drug=drug_name(text),
        route=route(text),
        unit=unit(text),
        action=action(text),
    )


def merge_service(*facts: ServiceFacts) -> ServiceFacts:
    """Each fact from the first text that states it (list the most trusted text first)."""
    return ServiceFacts(
        **{
            name: next((getattr(f, name) for f in facts if getattr(f, name)), "")
            for name in ServiceFacts.__dataclass_fields__
        }
    )

"""What a quality-reporting code (HCPCS G and M codes with pricing indicator 00, CPT Category II) says,
read from its descriptor: the measure action (done, not done, not done for a medical, patient or system
reason, excluded, a screening result), the clinical topic, and the time frame it names.

Every sentence rests on a word of the descriptor, so it holds for the code that carries that word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Action:
    id: str
    reports: str  # what the code records, in plain words
    result: str  # what it means for the measure score


# In order: the first match decides.
_ACTIONS: tuple[tuple[re.Pattern[str], Action], ...] = tuple(
    (re.compile(rx, re.I), Action(id, reports, result))
    for rx, id, reports, result in (
        (
            r"\bmips (?:specialty set|value pathway)\b|\bvalue pathway\b",
            "set",
            "It names a group of quality measures that a clinician can choose to report together.",
            "It does not report a result: it tells Medicare which group of measures the clinician reports.",
        ),
        (
            r"\breason not (?:given|otherwise specified)\b",
            "not-met",
            "It records that the care the measure asks for was not done, and that no reason was recorded.",
            "This usually counts as 'performance not met': the care was expected and is missing.",
        ),
        (
            r"\bmedical reason|\bnot medically possible\b|\bnot clinically indicated\b|contraindicat",
            "medical-exception",
            "It records that the care was not done because of a medical reason written in the record.",
            "A documented medical reason is usually an exception: the case is taken out of the measure's "
            "score instead of counting as a miss.",
        ),
        (
            r"\bpatient reason|\bpatient (?:refused|declined)|\brefused\b|\bdeclined\b",
            "patient-exception",
            "It records that the care was not done for a reason of the patient's, such as declining it.",
            "A documented patient reason is usually an exception: the case is taken out of the measure's score.",
        ),
        (
            r"\bsystem reason",
            "system-exception",
            "It records that the care was not done for a reason of the health system, such as supply or access.",
            "A documented system reason is usually an exception: the case is taken out of the measure's score.",
        ),
        (
            r"\bhospice\b|\bpalliative\b|\bdied\b|\bleave the practice\b|\bterminal\b|\bend of life\b",
            "exclusion",
            "It records a situation that takes the patient out of the measure, such as hospice care or death.",
            "The patient is left out of (excluded from) the measure, so the case does not count either way.",
        ),
        (
            r"\bunable to\b|\bdid not complete\b|\bdid not respond\b",
            "not-completed",
            "It records that the patient did not or could not complete the assessment the measure uses.",
            "Whether this counts for or against the measure depends on the measure's rules for missing answers.",
        ),
        (
            r"\bnot (?:performed|documented|done|prescribed|received|evaluated|screened|provided|measured|"
            r"assessed|ordered|given|administered|achieved|up to date|to have)\b|\bdid not\b|\bwithout\b|"
            r"\bno (?:documentation|evidence)\b|\bfailed\b",
            "not-done",
            "It records that something the measure looks for was not done, not found or not documented.",
            "Depending on the measure, this counts as 'performance not met' or describes the group of patients "
            "the measure watches.",
        ),
        (
            r"\bpositive\b|\bnegative\b|\bscreen(?:ed|ing)?\b",
            "screened",
            "It records a screening and its result.",
            "A documented screening, with its result and any follow-up the measure asks for, usually counts as "
            "'performance met'.",
        ),
        (
            r"\bdocumented\b|\bperformed\b|\bprovided\b|\bprescribed\b|\breceived\b|\bachieved\b|\bused\b|"
            r"\bcompleted\b|\breferral\b|\bordered\b|\bgiven\b|\bassessed\b|\bmeasured\b|\bor less\b|\bat least\b",
            "done",
            "It records that something the measure looks for was done, documented or reached.",
            "When it is the care the measure asks for, it counts as 'performance met'.",
        ),
    )
)
OTHER = Action(
    "fact",
    "It records a fact about the patient or the care, such as a diagnosis, a stage or a score, that decides "
    "which patients a measure counts.",
    "Facts like this place the patient in or out of a measure's group; they are not a result on their own.",
)


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    about: str  # "The measure is about ..."
    who: str  # clinicians who usually report it
    question: str


_TOPICS: tuple[tuple[re.Pattern[str], Topic], ...] = tuple(
    (re.compile(rx, re.I), Topic(id, about, who, question))
    for rx, id, about, who, question in (
        (
            r"tobacco|smok|nicotine|cessation",
            "tobacco",
            "tobacco use: asking about it and helping people who use tobacco to quit.",
            "Primary care clinicians and others who see patients for ongoing care.",
            "What help is there for quitting tobacco?",
        ),
        (
            r"alcohol",
            "alcohol",
            "unhealthy alcohol use: screening for it and brief counseling.",
            "Primary care and behavioral health clinicians.",
            "What does my alcohol screening result mean for me?",
        ),
        (
            r"depress|phq|suicid",
            "depression",
            "depression: screening for it, follow-up and how symptoms change.",
            "Primary care and behavioral health clinicians.",
            "What does my depression screening result mean, and what is the follow-up plan?",
        ),
        (
            r"body mass index|\bbmi\b|weight",
            "weight",
            "body weight (BMI) and a follow-up plan when it is outside the normal range.",
            "Primary care clinicians.",
            "What is my BMI, and is a follow-up plan needed?",
        ),
        (
            r"blood pressure|hypertens|systolic|diastolic",
            "blood-pressure",
            "blood pressure: checking it and controlling high blood pressure.",
            "Primary care clinicians and heart specialists.",
            "Is my blood pressure under control?",
        ),
        (
            r"hba1c|hemoglobin a1c|diabet|glucose",
            "diabetes",
            "diabetes care, such as blood sugar control and related checks.",
            "Primary care clinicians and diabetes specialists.",
            "Is my diabetes under control, and which checks am I due for?",
        ),
        (
            r"retin|intraocular|\biop\b|visual|cataract|\beye\b|ophthalm|optometr|glaucoma|macular",
            "eye",
            "eye care, such as eye exams, eye pressure or vision after surgery.",
            "Eye care providers: ophthalmologists and optometrists.",
            "What did my eye exam show, and when is my next one?",
        ),
        (
            r"hearing|otolog|\bear\b|audiolog",
            "hearing",
            "hearing and ear problems, and when to send a patient to an ear specialist.",
            "Audiologists and other clinicians who check hearing.",
            "Do I need to see an ear specialist?",
        ),
        (
            r"fall",
            "falls",
            "falls: checking the risk of falling and planning to prevent falls.",
            "Primary care clinicians and therapists.",
            "What can I do to lower my risk of falling?",
        ),
        (
            r"\bprom\b|functional|function|lepf|residual score|impairment|low back|\bneck\b|shoulder|knee|hip|"
            r"ankle|wrist|elbow",
            "function",
            "physical function: how well a patient can move and do daily tasks, measured with a questionnaire "
            "at the start and end of care.",
            "Physical and occupational therapists and other rehabilitation clinicians.",
            "How has my ability to move and do daily tasks changed during my care?",
        ),
        (
            r"medication|drug class|\bmeds?\b|prescri|opioid|antiplatelet|aspirin|statin|anticoag",
            "medicines",
            "medicine safety or the use of recommended medicines.",
            "Clinicians who prescribe or review medicines.",
            "Are all my medicines still right for me?",
        ),
        (
            r"antibiotic|antimicrobial",
            "antibiotics",
            "using antibiotics only when they help.",
            "Clinicians who treat infections.",
            "Do I need an antibiotic for this?",
        ),
        (
            r"vaccin|immuniz|influenza|pneumococcal|covid",
            "vaccines",
            "vaccines a patient is due for.",
            "Primary care clinicians and others who give vaccines.",
            "Which vaccines am I due for?",
        ),
        (
            r"stroke|puncture|thrombectomy|\bmrs\b|cerebral",
            "stroke",
            "stroke care, such as how fast treatment starts and how well patients recover.",
            "Stroke teams: neurologists and the clinicians who treat stroke.",
            "How quickly was my stroke treated, and what recovery should I expect?",
        ),
        (
            r"cancer|tumor|lymph node|ajcc|malignan|oncolog|chemotherapy|radiation|biopsy",
            "cancer",
            "cancer care, such as the stage of the cancer and the treatment or tests chosen.",
            "Cancer specialists, surgeons and pathologists.",
            "What stage is my cancer, and what does it mean for my treatment?",
        ),
        (
            r"anesthe|temperature|hypotherm|normotherm|\bponv\b|nausea",
            "anesthesia",
            "care around anesthesia, such as keeping the body warm or preventing sickness after surgery.",
            "Anesthesia clinicians.",
            "How will my care team keep me safe and comfortable during anesthesia?",
        ),
        (
            r"surgery|surgical|operative|procedure|venous thrombo|\bvte\b|\bdvt\b|discharge",
            "surgery",
            "care before and after surgery, such as checking risks and avoiding complications.",
            "Surgeons and the teams who care for patients around surgery.",
            "What are my risks around surgery, and how are they lowered?",
        ),
        (
            r"maltreatment|abuse|safety concern|interpersonal safety|violence",
            "safety",
            "patient safety at home, such as screening for abuse or neglect, and a plan when a risk is found.",
            "Primary care and other clinicians who screen for safety concerns.",
            "Who can help me if I do not feel safe at home?",
        ),
        (
            r"food insecurity|housing|transportation|utility|social need|social driver",
            "social-needs",
            "social needs that affect health, such as food, housing, transport and utilities.",
            "Clinicians and care teams who screen for social needs.",
            "Is there help in my area for food, housing or transport?",
        ),
        (
            r"felt heard|patient experience|\bpam\b|activation|satisfaction",
            "patient-experience",
            "the patient's own view of the care or of managing their health, taken from a survey.",
            "Clinicians whose patients answer the survey.",
            "How is my feedback about my care used?",
        ),
        (
            r"\bascvd\b|cardiovascular|heart|coronary|cardiac|\bpvd\b|vascular|arter",
            "heart",
            "heart and blood vessel disease and the care that lowers the risk of a heart attack or stroke.",
            "Primary care clinicians and heart and vascular specialists.",
            "What can lower my risk of heart attack or stroke?",
        ),
        (
            r"\bburn\b",
            "burns",
            "burns that happen to patients during care, which should never occur.",
            "Surgical and procedure teams.",
            "What does my care team do to prevent burns during a procedure?",
        ),
        (
            r"pain",
            "pain",
            "pain: checking it and making a plan to manage it.",
            "Clinicians who treat pain.",
            "What is the plan for managing my pain?",
        ),
        (
            r"dementia|cognitive|memory",
            "memory",
            "memory and thinking problems and support for patients and caregivers.",
            "Primary care clinicians and neurologists.",
            "What support is there for memory problems?",
        ),
        (
            r"kidney|renal|dialysis|nephro",
            "kidney",
            "kidney care, such as checking kidney function or dialysis care.",
            "Kidney specialists and primary care clinicians.",
            "How well are my kidneys working?",
        ),
        (
            r"asthma|copd|lung|respirat|spirometr",
            "lungs",
            "lung conditions such as asthma and COPD.",
            "Primary care clinicians and lung specialists.",
            "Is my breathing condition under control?",
        ),
    )
)

_TIMING = (
    (
        r"\bduring the measurement period\b",
        "It applies to the measurement period: the time, usually a calendar year, that the measure covers.",
    ),
    (r"\bwithin (\d+) (day|hour|month|week|minute)s?\b", "It names a time limit of {0} {1}s."),
    (r"\b(?:in|within) the (?:past|prior|last) (\d+) (month|year|day|week)s?\b", "It looks back {0} {1}s."),
    (r"\b(\d+) (minute|hour|day)s? or less\b", "It names a limit of {0} {1}s or less."),
    (
        r"\bat (?:the )?initial evaluation\b|\bat discharge\b|\binitial evaluation and/or discharge\b",
        "It is tied to the first and last visits of a course of care, when the questionnaire is given.",
    ),
    (
        r"\bprior to (?:the )?(?:procedure|surgery|discharge|anesthesia)\b|\bbefore (?:the )?(?:procedure|surgery)\b",
        "It looks at the time before a procedure or before leaving the hospital.",
    ),
    (
        r"\bfollow-up period\b|\bfollow-up assessment\b",
        "It looks at a follow-up period after the first assessment.",
    ),
    (r"\b(?:aged|age|ages) (\d+)\b", "It names an age group starting at {0} years."),
    (r"\b(?:six|twelve|\d+) months? prior\b", "It looks back over the months before the measurement period."),
)
_TIMING_RX = tuple((re.compile(rx, re.I), text) for rx, text in _TIMING)


def action_of(title: str) -> Action:
    for rx, action in _ACTIONS:
        if rx.search(title):
            return action
    return OTHER


def topic_of(title: str) -> Topic | None:
    for rx, topic in _TOPICS:
        if rx.search(title):
            return topic
    return None


def timing_of(title: str) -> list[str]:
    out = []
    for rx, text in _TIMING_RX:
        m = rx.search(title)
        if m:
            out.append(text.format(*m.groups()))
    return out


def screen_result(title: str) -> str | None:
    t = title.lower()
    if "positive" in t and "negative" not in t:
        said = "The screening result recorded is positive: the screening found a possible problem."
    elif "negative" in t and "positive" not in t:
        said = "The screening result recorded is negative: the screening found no sign of the problem."
    else:
        return None
    if re.search(r"follow-up plan (?:is )?not documented|no follow-up", t):
        said += " No follow-up plan was recorded."
    elif re.search(r"follow-up plan documented|provision of recommendations|follow-up .*provided", t):
        said += " A follow-up plan or advice was recorded."
    return said

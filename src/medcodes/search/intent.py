"""What a worded query is after, and the other spellings of its words.

Intent: a query naming a service or procedure ("knee scope", "chest x-ray", "flu shot") wants what
appears on a bill (CPT, HCPCS), then inpatient procedures (ICD-10-PCS); a query naming a condition
("back pain", "tonsillitis") wants diagnosis codes. The words and their endings decide; a query
with signs of both, or of neither, has no intent and ranks by text alone.

Spellings: people split and join words differently from the code sets ("back ache" / "backache",
"xray" / "x ray"); each other spelling the index knows becomes one more reading of the query.
"""

from __future__ import annotations

import re

SERVICE_WORDS = frozenset(
    """
    surgery surgeries surgical operation removal remove removed repair replacement replace
    reconstruction x xray ray rays scan scans mri ct cat pet ultrasound sonogram echo imaging
    mammogram mammography test tests testing screening screen panel level count culture
    injection injections shot shots vaccine vaccines vaccination immunization infusion drip
    therapy therapies rehab rehabilitation visit visits appointment checkup exam examination
    consult consultation evaluation assessment counseling psychotherapy session
    biopsy scope endoscopy implant implantation insertion insert transplant graft drainage drain
    excision incision stitches sutures cast splinting splint transfusion dialysis anesthesia
    ambulance transport ride supply supplies device machine equipment brace wheelchair walker
    cane crutches bed pump monitor monitoring meter strips kit procedure treatment ekg ecg eeg
    physical pt ot speech draw delivery c section cesarean circumcision vasectomy tubal
    """.split()
)
CONDITION_WORDS = frozenset(
    """
    pain ache aches hurts hurting sore disease disorder syndrome fracture fractured broken break
    infection infected cancer tumor tumour mass lump diabetes failure deficiency injury injured
    sprain strain sprained abscess ulcer bleeding bleed swelling swollen rash cough fever
    attack stroke flu cold virus allergy allergic allergies
    problem problems trouble condition illness sick symptoms symptom loss weakness numbness
    tingling itching itchy dizzy dizziness nausea vomiting diarrhea constipation cramps
    depression anxiety insomnia fatigue tired headache migraine asthma arthritis obesity
    """.split()
)
SERVICE_ENDINGS = ("ectomy", "otomy", "ostomy", "oscopy", "plasty", "graphy", "gram", "pexy", "rrhaphy",
                   "centesis", "tripsy")  # fmt: skip
CONDITION_ENDINGS = ("itis", "osis", "emia", "algia", "pathy", "oma", "ism", "itus", "iasis", "cele", "rrhea")
_WORD = re.compile(r"[a-z]+")


def of_words(words: list[str]) -> str | None:
    """The intent the words show: "service", "condition", or None for neither or both."""
    service = condition = 0
    for w in words:
        w = w.lower()
        if w in SERVICE_WORDS or w.endswith(SERVICE_ENDINGS):
            service += 1
        elif w in CONDITION_WORDS or w.endswith(CONDITION_ENDINGS):
            condition += 1
    if service and not condition:
        return "service"
    if condition and not service:
        return "condition"
    return None


# A split's parts must be real words of the code sets, used at least this often.
MIN_PART_FREQ = 3
# A word used this often as written is not split ("headache" stays whole).
MAX_SPLIT_FREQ = 20
# One-letter words that start compounds ("x ray").
SHORT_HEADS = frozenset({"x"})


def _split(word: str, vocab: dict[str, int]) -> list[str] | None:
    if vocab.get(word, 0) >= MAX_SPLIT_FREQ or len(word) < 4 or not word.isalpha():
        return None
    best, best_freq = None, 0
    for i in range(1, len(word) - 2):
        head, tail = word[:i], word[i:]
        if len(head) < 3 and head not in SHORT_HEADS:
            continue
        freq = min(vocab.get(head, 0), vocab.get(tail, 0))
        if freq >= MIN_PART_FREQ and freq > best_freq:
            best, best_freq = [head, tail], freq
    return best


def spellings(words: list[str], vocab: dict[str, int], limit: int = 3) -> list[list[str]]:
    """Other readings of the words: two neighbours joined when the joined word is known
    ("back ache" -> "backache"), a rare word split into two known ones ("xray" -> "x ray")."""
    lowered = [w.lower() for w in words]
    out: list[list[str]] = []
    for i in range(len(lowered) - 1):
        joined = lowered[i] + lowered[i + 1]
        if vocab.get(joined, 0) >= 2:
            out.append([*lowered[:i], joined, *lowered[i + 2 :]])
    for i, w in enumerate(lowered):
        parts = _split(w, vocab)
        if parts:
            out.append([*lowered[:i], *parts, *lowered[i + 1 :]])
    return out[:limit]

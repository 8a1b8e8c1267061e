"""Which template a code gets. The one place that decides it, from all the data a code carries.

In order: what the descriptor's words say the service is (a blood draw, a vaccine, an injection given,
anesthesia, a home or telehealth visit, a skin substitute billed per square centimeter, a tracer or
contrast agent), HCPCS pricing indicator 00 with a quality-measure BETOS or wording (a reporting code),
then the CPT section and subsection (by the published code ranges, with the breadcrumb titles as a
second opinion), HCPCS BETOS and letter range, the ICD-10-PCS section character, and the ICD-10-CM
chapter and category (pregnancy and delivery, Z status and encounter codes).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from medcodes.explain.profiles import service_for
from medcodes.models import CodeRecord

GROUP_KINDS = ("chapter", "section")

# CPT ranges (inclusive, five-digit codes) that are not plain procedures.
_CPT_RANGES: tuple[tuple[str, str, str], ...] = (
    ("70010", "76499", "imaging"),  # diagnostic radiology
    ("76506", "76999", "imaging"),  # diagnostic ultrasound
    ("77001", "77022", "imaging"),  # radiologic guidance
    ("77046", "77092", "imaging"),  # breast and bone/joint imaging
    ("78012", "79999", "imaging"),  # nuclear medicine (therapeutic 79xxx stays imaging-led)
    ("80047", "89398", "lab"),  # pathology and laboratory
    ("90281", "90399", "drug"),  # immune globulins
    ("90476", "90759", "drug"),  # vaccines and toxoids
    ("99202", "99499", "visit"),  # evaluation and management
)

_BETOS_KINDS = (
    ("M", "visit"),
    ("I", "imaging"),
    ("T1", "lab"),
    ("D", "supply"),
    ("O1D", "drug"),
    ("O1E", "drug"),
    ("O1G", "drug"),
    ("O1C", "supply"),
    ("O1F", "supply"),
    ("P", "procedure"),
)

# A billing unit ("per 10 mg", "1 mcg", "per ml") marks a drug descriptor.
DOSE_UNIT = re.compile(
    r"\b(?:per\s+)?\d[\d,.]*\s*(?:mg|mcg|microgram|micrograms|milligrams?|grams?|g|ml|milliliters?|units?|iu|meq|mci|millicuries?|microcuries?|uci)\b",
    re.IGNORECASE,
)
_INJECTION = re.compile(r"^(injection|infusion|inhalation solution|drug|chemotherapy)\b", re.IGNORECASE)


def kind_of(rec: CodeRecord, breadcrumb: Sequence[str] = (), names: Sequence[str] = ()) -> str:
    """Template kind for a record; `breadcrumb` is the ancestors' titles from the root down, `names`
    other descriptors of the code (the project's common name, the CLFS long descriptor)."""
    if rec.kind in GROUP_KINDS or rec.kind == "modifier":
        return "fallback"
    svc = service_for(rec.system, rec.code)  # a project service profile names the kind of the codes it fits
    if svc is not None:
        return svc.kind
    if rec.system == "icd10cm":
        return _cm_kind(rec.code, rec.title)
    if rec.system == "icd10pcs":
        return _pcs_kind(rec.code)
    words = " ".join([rec.title or "", rec.short_title or "", *names]).lower()
    if rec.system == "cpt":
        return _service_kind(rec, words) or _cpt_kind(rec.code, breadcrumb)
    if rec.system == "hcpcs":
        return _reporting(rec, words) or _service_kind(rec, words) or _hcpcs_kind(rec)
    return "fallback"


# -- ICD-10-CM ---------------------------------------------------------------------------------------
# Z categories that record a pregnancy, its care or its outcome: explained as pregnancy, never as a disease.
_CM_PREGNANCY_Z = ("Z33", "Z34", "Z36", "Z37", "Z39", "Z3A")


def _cm_kind(code: str, title: str) -> str:
    cat = code[:3]
    if cat[0] == "O" or cat in _CM_PREGNANCY_Z:
        return "pregnancy"
    if cat[0] == "Z":  # factors influencing health status and contact with health services (Z32.01 too)
        return "status"
    return "diagnosis"


# -- descriptor words ---------------------------------------------------------------------------------
_SPECIMEN_COLLECTION = re.compile(
    r"\b(collection of (?:venous|capillary|arterial)? ?blood|venipuncture|coll venous bld|capillary blood|"
    r"specimen collection|collect(?:ion)? (?:of )?(?:a )?specimen|blood draw)\b"
)
_ADMINISTRATION = re.compile(
    r"\b(ther/proph/diag|therapeutic, prophylactic,? (?:or|and) diagnostic (?:injection|infusion)|hydration|"
    r"chemotherapy administration|chemo admin|immunization admin|imadm|admn|admin(?:istration)? of|"
    r"administration,|injection procedure|push|iv infusion|ivp)\b"
)
_VACCINE = re.compile(r"\b(vaccine|vacc|toxoid)\b|\b(?:iiv|riv|laiv)\d")
_ANESTHESIA = re.compile(r"^(anesth(?:esia)?\b|anes\b)")
_TELEHEALTH = re.compile(
    r"\b(telehealth|telemedicine|synch audio|audio-video|audio-only|audio only|video|virtual check|e-visit|"
    r"online digital|tele\w* visit|remote evaluation|phone e/m|telephone e/m|telephone evaluation)\b"
)
_HOME = re.compile(
    r"\b(home visit|home/res|home nfs|home vst|home or residence|home health visit|home infusion visit|"
    r"at home|domiciliary|home or domiciliary|prolng home)\b|^home\b"
)
_SKIN_SUBSTITUTE = re.compile(r"\b(per (?:square|sq)\.? ?(?:centimeter|cm)|skin substitute)\b")
_AGENT = re.compile(
    r"\b(radiopharmaceutical|contrast|tracer|per study dose|diagnostic, per|millicurie|mci|gadolinium|"
    r"superparamagnetic|microbubble|ultrasound contrast)\b"
)
_QUALITY = re.compile(
    r"\b(measurement period|documented|documentation|patient(?:s)? (?:had|has|with|received|was|were|not)|"
    r"not performed|not documented|reason|measure|performed|assessed|screened|screening performed|verification)\b"
)


def _reporting(rec: CodeRecord, words: str) -> str | None:
    """HCPCS quality-reporting codes: pricing indicator 00 (not separately paid), a BETOS of Z2 (undefined)
    or M5/M… with measure wording. They record that something was done or documented; no service is paid."""
    attrs = rec.attrs or {}
    pricing = [str(p) for p in attrs.get("pricing_indicators") or []]
    if pricing != ["00"] or rec.code[:1] not in "GM":
        return None
    betos = betos_of(rec)
    if betos.startswith("Z") or _QUALITY.search(words):
        return "reporting"
    return None


def _service_kind(rec: CodeRecord, words: str) -> str | None:
    code = rec.code
    if rec.system == "cpt" and code.endswith("F"):
        return "reporting"
    if rec.system == "cpt" and code.isdigit() and "00100" <= code <= "01999":
        return "anesthesia"
    if _SPECIMEN_COLLECTION.search(words) and "travel" not in words:
        return "specimen_collection"
    if _SKIN_SUBSTITUTE.search(words) and rec.system == "hcpcs":
        return "skin_substitute"
    if rec.system == "hcpcs" and code[:1] in "AQ" and _AGENT.search(words):
        return "agent"
    if _VACCINE.search(words) and not re.search(
        r"\badministration of\b|\bimmunization admin|\bimadm|\bcounsel|^admin", words
    ):
        return "vaccine"
    if rec.system == "cpt" and re.search(r"\b(tte|tee|echocardiograph\w*|echo)\b", words):
        return "imaging"  # echocardiography sits in the medicine section but is an ultrasound of the heart
    if _ANESTHESIA.search(words):
        return "anesthesia"
    if _TELEHEALTH.search(words):
        return "telehealth"
    if _HOME.search(words) or (rec.system == "cpt" and code.isdigit() and "99341" <= code <= "99350"):
        return "home_visit"
    if rec.system == "hcpcs" and re.search(
        r"\b(counseling|wellness visit|preventive visit|annual wellness|education)\b", words
    ):
        return "visit"
    if rec.system == "cpt" and code.isdigit() and ("96360" <= code <= "96549" or "90460" <= code <= "90474"):
        return "drug_administration"
    if rec.system == "hcpcs" and _ADMINISTRATION.search(words) and code[:1] in "GQ":
        return "drug_administration"
    return None


def _pcs_kind(code: str) -> str:
    section = code[:1]
    if section in ("B", "C"):
        return "imaging"
    return "procedure"


def _cpt_kind(code: str, breadcrumb: Sequence[str]) -> str:
    if len(code) == 5 and code.isdigit():
        for lo, hi, kind in _CPT_RANGES:
            if lo <= code <= hi:
                return kind
        return "procedure"
    if code.endswith("U"):  # proprietary laboratory analyses
        return "lab"
    joined = " ".join(breadcrumb).lower()
    if "laboratory" in joined or "pathology" in joined:
        return "lab"
    if "radiology" in joined or "imaging" in joined:
        return "imaging"
    if "evaluation and management" in joined:
        return "visit"
    if code.endswith("F"):  # performance measures: a tracking code, not a service
        return "reporting"
    return "procedure"


def betos_of(rec: CodeRecord) -> str:
    attrs = rec.attrs or {}
    value = attrs.get("betos") or attrs.get("BETOS") or ""
    return str(value).strip().upper()


def _hcpcs_kind(rec: CodeRecord) -> str:
    letter = rec.code[:1]
    title = rec.title or ""
    if letter == "J" or (letter in "CQ" and (_INJECTION.match(title) or DOSE_UNIT.search(title))):
        return "drug"
    if letter == "A" and rec.code >= "A9500" and rec.code <= "A9700" and DOSE_UNIT.search(title):
        return "drug"  # radiopharmaceuticals and contrast
    betos = betos_of(rec)
    for prefix, kind in _BETOS_KINDS:
        if betos.startswith(prefix):
            return kind
    if letter in "ABEKLV":
        return "supply" if not (letter == "A" and rec.code < "A2000") else "fallback"
    if letter in "PU":
        return "lab"
    if letter == "R":
        return "imaging"
    if letter == "H":
        return "visit"
    if letter == "D":
        return "procedure"
    if letter == "G":
        return "procedure"
    return "fallback"

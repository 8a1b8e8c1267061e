"""Section models: which sections each kind of code gets, and a typed JSON schema for each kind.

Both writers fill the same templates, and the checker validates against them, so a section list
lives here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

KINDS: tuple[str, ...] = (
    "procedure",
    "lab",
    "imaging",
    "visit",
    "diagnosis",
    "supply",
    "drug",
    "fallback",
    "specimen_collection",
    "drug_administration",
    "vaccine",
    "reporting",
    "anesthesia",
    "telehealth",
    "home_visit",
    "pregnancy",
    "skin_substitute",
    "agent",
    "status",
)

KIND_LABELS: dict[str, str] = {
    "procedure": "procedure",
    "lab": "laboratory test",
    "imaging": "imaging test",
    "visit": "office or hospital visit",
    "diagnosis": "diagnosis",
    "supply": "supply or equipment",
    "drug": "drug",
    "fallback": "code",
    "specimen_collection": "specimen collection",
    "drug_administration": "drug administration service",
    "vaccine": "vaccine",
    "reporting": "reporting code",
    "anesthesia": "anesthesia service",
    "telehealth": "telehealth visit",
    "home_visit": "home visit",
    "pregnancy": "pregnancy code",
    "skin_substitute": "skin substitute",
    "agent": "tracer or contrast agent",
    "status": "status or encounter code",
}


@dataclass(frozen=True, slots=True)
class SectionSpec:
    key: str
    heading: str
    shape: str  # "text" (a paragraph), "list" (bullets), "steps" (numbered), "mixed" (paragraph + bullets)
    required: bool = True
    hint: str = ""  # what the section must say; goes into the LLM prompt


def _s(key: str, heading: str, shape: str, hint: str, required: bool = True) -> SectionSpec:
    return SectionSpec(key, heading, shape, required, hint)


# The procedure template follows the seed pages exactly, with tools and anesthesia as their own
# optional sections because they only apply to some procedures.
PROCEDURE = (
    _s(
        "name",
        "Name of the Procedure",
        "mixed",
        "official name, then common name and medical term as bullets",
    ),
    _s("summary", "Summary", "text", "two or three sentences on what is done"),
    _s("purpose", "Purpose", "text", "the problem it addresses and its goals"),
    _s("indications", "Indications", "list", "symptoms or conditions that lead to it"),
    _s("preparation", "Preparation", "list", "what the patient does beforehand"),
    _s("procedure_description", "Procedure Description", "steps", "the steps, in order"),
    _s("tools", "Tools, Equipment, or Technology Used", "list", "equipment used", required=False),
    _s(
        "anesthesia",
        "Anesthesia or Sedation Details",
        "text",
        "anesthesia or sedation, if any",
        required=False,
    ),
    _s("duration", "Duration", "text", "how long it usually takes"),
    _s("setting", "Setting", "text", "where it is done"),
    _s("personnel", "Personnel", "list", "who is involved"),
    _s("risks", "Risks and Complications", "list", "common and rare risks"),
    _s("benefits", "Benefits", "list", "expected benefits"),
    _s("recovery", "Recovery", "list", "recovery and follow-up"),
    _s("alternatives", "Alternatives", "list", "other options, each with pros and cons"),
    _s("patient_experience", "Patient Experience", "list", "what the patient feels during and after"),
)

LAB = (
    _s("name", "Name of the Test", "mixed", "official name, then common name and medical term as bullets"),
    _s("summary", "Summary", "text", "what the test measures or looks for"),
    _s("purpose", "Purpose", "text", "why a provider orders it"),
    _s("indications", "When It Is Ordered", "list", "situations in which it is ordered"),
    _s("preparation", "Preparation", "list", "what the patient does beforehand"),
    _s("sample", "How the Sample Is Taken", "steps", "how the specimen is collected, in order"),
    _s("results", "What the Result Means", "text", "how results are read; never give normal ranges"),
    _s("turnaround", "How Long Results Take", "text", "typical time until results"),
    _s("setting", "Setting", "text", "where the sample is taken and tested"),
    _s(
        "coverage",
        "Medicare Coverage",
        "list",
        "the Medicare national coverage rule (lab NCD) for the test and the diagnoses it covers",
        required=False,
    ),
    _s("personnel", "Personnel", "list", "who collects and who tests"),
    _s("risks", "Risks", "list", "risks of collecting the sample"),
    _s("patient_experience", "Patient Experience", "list", "what the patient feels"),
    _s("questions", "Questions to Ask Your Provider", "list", "useful questions"),
)

IMAGING = (
    _s("name", "Name of the Test", "mixed", "official name, then common name and medical term as bullets"),
    _s("summary", "Summary", "text", "what the imaging shows"),
    _s("purpose", "Purpose", "text", "why it is done"),
    _s("indications", "Indications", "list", "reasons it is ordered"),
    _s("preparation", "Preparation", "list", "what the patient does beforehand"),
    _s("procedure_description", "Procedure Description", "steps", "the steps, in order"),
    _s("duration", "Duration", "text", "how long it usually takes"),
    _s("setting", "Setting", "text", "where it is done"),
    _s("personnel", "Personnel", "list", "who is involved"),
    _s("risks", "Risks", "list", "radiation, contrast and other risks"),
    _s("results", "Getting the Results", "text", "who reads the images and when results come"),
    _s("alternatives", "Alternatives", "list", "other tests, each with pros and cons"),
    _s("patient_experience", "Patient Experience", "list", "what the patient feels"),
)

VISIT = (
    _s("name", "Name of the Service", "mixed", "official name, then common name as a bullet"),
    _s("summary", "Summary", "text", "what kind of visit this is"),
    _s("what_happens", "What Happens During the Visit", "list", "what the provider usually does"),
    _s("who_needs_it", "Who Needs It", "list", "who has this kind of visit"),
    _s("preparation", "How to Prepare", "list", "what to bring and do"),
    _s("duration", "Duration", "text", "how long it usually takes"),
    _s("setting", "Setting", "text", "where it takes place"),
    _s("personnel", "Personnel", "list", "who is involved"),
    _s("billing", "How This Visit Is Billed", "text", "what decides the code level"),
    _s("questions", "Questions to Ask Your Provider", "list", "useful questions"),
)

DIAGNOSIS = (
    _s("name", "Name of the Condition", "mixed", "official name, then other names as bullets"),
    _s("what_it_is", "What It Is", "text", "what the condition is"),
    _s("causes", "Causes", "list", "common causes and risk factors"),
    _s("symptoms", "Symptoms", "list", "common signs and symptoms"),
    _s("diagnosis", "How It Is Diagnosed", "list", "how providers find it"),
    _s("treatment", "Treatment", "list", "usual treatment options"),
    _s("outlook", "Outlook", "text", "what to expect"),
    _s("coding_notes", "Coding Notes", "list", "official notes for this code"),
    _s("questions", "Questions to Ask Your Provider", "list", "useful questions"),
)

# Optional on the HCPCS kinds: the code's own entries in the HCPCS file (pricing, coverage, type of service).
_MEDICARE = _s(
    "medicare",
    "Medicare Payment and Coverage",
    "list",
    "what the HCPCS file says about how Medicare prices and covers the code",
    required=False,
)

SUPPLY = (
    _s("name", "Name of the Item", "mixed", "official name, then common name as a bullet"),
    _s("summary", "Summary", "text", "what the item is"),
    _s("uses", "What It Is Used For", "list", "what it is used for"),
    _s("who_needs_it", "Who Needs It", "list", "who usually gets it"),
    _s("how_it_is_used", "How It Is Used", "list", "how it is used or fitted"),
    _s("supplier", "Who Supplies It", "list", "who supplies or fits it, bought or rented", required=False),
    _s("billing", "Billing and Coverage", "list", "billing unit and coverage facts"),
    _MEDICARE,
    _s("questions", "Questions to Ask Your Provider", "list", "useful questions"),
)

DRUG = (
    _s("name", "Name of the Drug", "mixed", "official name, then common name as a bullet"),
    _s("summary", "Summary", "text", "what the drug is"),
    _s("what_it_treats", "What It Treats", "list", "what it is used for"),
    _s("how_given", "How It Is Given", "list", "route and who gives it"),
    _s("billing_unit", "Billing Unit", "text", "the unit in the descriptor, e.g. per 10 mg"),
    _s("side_effects", "Possible Side Effects", "list", "general side effects"),
    _s("setting", "Setting", "text", "where it is given"),
    _MEDICARE,
    _s("questions", "Questions to Ask Your Provider", "list", "useful questions"),
)

FALLBACK = (
    _s("name", "Name", "mixed", "official name"),
    _s("summary", "Summary", "text", "what the code stands for"),
    _s("details", "What the Code Covers", "list", "what is and is not included"),
    _s("billing", "How This Code Is Used", "list", "how it is used on a claim"),
    _s("payer", "Who Uses This Code", "list", "which payers use the code", required=False),
    _s("unit", "How It Is Counted", "text", "the unit the descriptor bills by", required=False),
    _MEDICARE,
    _s("questions", "Questions to Ask Your Provider", "list", "useful questions"),
)

SPECIMEN_COLLECTION = (
    _s("name", "Name of the Service", "mixed", "official name, then common name as a bullet"),
    _s("summary", "Summary", "text", "which sample is collected and how"),
    _s("purpose", "Purpose", "text", "why the sample is collected"),
    _s("preparation", "Preparation", "list", "what the patient does beforehand"),
    _s("sample", "How the Sample Is Taken", "steps", "how the specimen is collected, in order"),
    _s("duration", "Duration", "text", "how long it usually takes"),
    _s("setting", "Setting", "text", "where the sample is taken"),
    _s("personnel", "Personnel", "list", "who collects it"),
    _s("risks", "Risks", "list", "risks of collecting the sample"),
    _s(
        "billing", "How This Code Is Billed", "text", "what the code pays for (the collection, not the tests)"
    ),
    _s("questions", "Questions to Ask Your Provider", "list", "useful questions"),
)

DRUG_ADMINISTRATION = (
    _s("name", "Name of the Service", "mixed", "official name, then common name as a bullet"),
    _s("summary", "Summary", "text", "how a drug or fluid is given"),
    _s("purpose", "Purpose", "text", "why the drug is given this way"),
    _s("preparation", "Preparation", "list", "what the patient does beforehand"),
    _s("how_given", "How It Is Given", "steps", "the steps, in order"),
    _s("duration", "Duration", "text", "how long it usually takes"),
    _s("setting", "Setting", "text", "where it is given"),
    _s("personnel", "Personnel", "list", "who gives it"),
    _s("risks", "Risks", "list", "risks of the injection or infusion itself"),
    _s(
        "billing",
        "How This Code Is Billed",
        "text",
        "the code pays for giving the drug; the drug has its own code",
    ),
    _s("questions", "Questions to Ask Your Provider", "list", "useful questions"),
)

VACCINE = (
    _s("name", "Name of the Vaccine", "mixed", "official name, then common name as a bullet"),
    _s("summary", "Summary", "text", "which disease the vaccine protects against"),
    _s("what_it_prevents", "What It Protects Against", "list", "the disease and why it matters"),
    _s("who_needs_it", "Who Gets It", "list", "who usually gets it"),
    _s("how_given", "How It Is Given", "list", "route and dose"),
    _s("side_effects", "Possible Side Effects", "list", "common, mild side effects and rare ones"),
    _s("billing_unit", "Billing", "text", "the code is the vaccine product; giving it has its own code"),
    _s("setting", "Setting", "text", "where it is given"),
    _s("questions", "Questions to Ask Your Provider", "list", "useful questions"),
)

REPORTING = (
    _s("name", "Name", "mixed", "official name"),
    _s("summary", "Summary", "text", "what the code reports"),
    _s("what_it_reports", "What the Code Reports", "list", "what the provider records with it"),
    _s(
        "result",
        "What It Means for the Measure",
        "text",
        "met, not met, exception or exclusion",
        required=False,
    ),
    _s("topic", "What the Measure Is About", "text", "the clinical topic of the measure", required=False),
    _s("timing", "Time Frame", "list", "the time window the descriptor names", required=False),
    _s("who_reports", "Who Reports It", "list", "which clinicians report it", required=False),
    _s("billing", "How This Code Is Used", "list", "reporting only: no separate payment"),
    _s("questions", "Questions to Ask Your Provider", "list", "useful questions"),
)

ANESTHESIA = (
    _s("name", "Name of the Service", "mixed", "official name, then common name as a bullet"),
    _s("summary", "Summary", "text", "which surgery the anesthesia is for"),
    _s("purpose", "Purpose", "text", "keeping the patient safe and comfortable during the procedure"),
    _s("preparation", "Preparation", "list", "fasting and medicines"),
    _s("what_happens", "What Happens", "steps", "the steps, in order"),
    _s("personnel", "Personnel", "list", "who gives and watches the anesthesia"),
    _s("risks", "Risks", "list", "anesthesia risks"),
    _s("recovery", "Recovery", "list", "waking up and going home"),
    _s("billing", "How Anesthesia Is Billed", "text", "base units plus time"),
    _s("questions", "Questions to Ask Your Provider", "list", "useful questions"),
)

TELEHEALTH = (
    _s("name", "Name of the Service", "mixed", "official name, then common name as a bullet"),
    _s("summary", "Summary", "text", "what kind of remote visit this is"),
    _s("what_happens", "What Happens During the Visit", "list", "what the provider usually does"),
    _s("who_needs_it", "Who Uses It", "list", "who has this kind of visit"),
    _s("preparation", "How to Prepare", "list", "device, connection, quiet place"),
    _s("duration", "Duration", "text", "how long it usually takes"),
    _s("setting", "Setting", "text", "where patient and provider are"),
    _s("personnel", "Personnel", "list", "who is involved"),
    _s("billing", "How This Visit Is Billed", "text", "what decides the code"),
    _s("questions", "Questions to Ask Your Provider", "list", "useful questions"),
)

HOME_VISIT = (
    _s("name", "Name of the Service", "mixed", "official name, then common name as a bullet"),
    _s("summary", "Summary", "text", "a visit in the patient's home"),
    _s("what_happens", "What Happens During the Visit", "list", "what the provider usually does"),
    _s("who_needs_it", "Who Needs It", "list", "who has home visits"),
    _s("preparation", "How to Prepare", "list", "what to have ready at home"),
    _s("duration", "Duration", "text", "how long it usually takes"),
    _s("setting", "Setting", "text", "the patient's home or residence"),
    _s("personnel", "Personnel", "list", "who comes"),
    _s("billing", "How This Visit Is Billed", "text", "what decides the code"),
    _s("questions", "Questions to Ask Your Provider", "list", "useful questions"),
)

PREGNANCY = (
    _s("name", "Name", "mixed", "official name, then other names as bullets"),
    _s("what_it_is", "What It Means", "text", "what the code records about the pregnancy"),
    _s("care", "Care", "list", "the care that usually goes with it"),
    _s("what_to_expect", "What to Expect", "list", "what usually happens next"),
    _s("warning_signs", "When to Get Help", "list", "signs that need a call or urgent care"),
    _s("coding_notes", "Coding Notes", "list", "official notes for this code"),
    _s("questions", "Questions to Ask Your Provider", "list", "useful questions"),
)

SKIN_SUBSTITUTE = (
    _s("name", "Name of the Product", "mixed", "official name, then common name as a bullet"),
    _s("summary", "Summary", "text", "what a skin substitute is"),
    _s("uses", "What It Is Used For", "list", "wounds it is used on"),
    _s("how_it_is_used", "How It Is Applied", "steps", "the steps, in order"),
    _s("billing_unit", "Billing Unit", "text", "billed by the area covered"),
    _s("risks", "Risks", "list", "possible problems"),
    _s("setting", "Setting", "text", "where it is applied"),
    _MEDICARE,
    _s("questions", "Questions to Ask Your Provider", "list", "useful questions"),
)

AGENT = (
    _s("name", "Name of the Agent", "mixed", "official name, then common name as a bullet"),
    _s("summary", "Summary", "text", "what the tracer or contrast agent is"),
    _s("uses", "What It Is Used For", "list", "which tests use it"),
    _s("how_given", "How It Is Given", "list", "route"),
    _s("billing_unit", "Billing Unit", "text", "the unit in the descriptor"),
    _s("side_effects", "Possible Side Effects", "list", "general side effects"),
    _s("setting", "Setting", "text", "where it is given"),
    _s("questions", "Questions to Ask Your Provider", "list", "useful questions"),
)

STATUS = (
    _s("name", "Name", "mixed", "official name, then other names as bullets"),
    _s(
        "what_it_is",
        "What It Means",
        "text",
        "what the code records: a reason for a visit or a status, not a disease",
    ),
    _s("why_used", "Why It Is Used", "list", "when providers use it"),
    _s("what_to_expect", "What to Expect", "list", "the care that usually goes with it"),
    _s("coding_notes", "Coding Notes", "list", "official notes for this code"),
    _s("questions", "Questions to Ask Your Provider", "list", "useful questions"),
)

TEMPLATES: dict[str, tuple[SectionSpec, ...]] = {
    "specimen_collection": SPECIMEN_COLLECTION,
    "drug_administration": DRUG_ADMINISTRATION,
    "vaccine": VACCINE,
    "reporting": REPORTING,
    "anesthesia": ANESTHESIA,
    "telehealth": TELEHEALTH,
    "home_visit": HOME_VISIT,
    "pregnancy": PREGNANCY,
    "skin_substitute": SKIN_SUBSTITUTE,
    "agent": AGENT,
    "status": STATUS,
    "procedure": PROCEDURE,
    "lab": LAB,
    "imaging": IMAGING,
    "visit": VISIT,
    "diagnosis": DIAGNOSIS,
    "supply": SUPPLY,
    "drug": DRUG,
    "fallback": FALLBACK,
}


def specs(kind: str) -> tuple[SectionSpec, ...]:
    try:
        return TEMPLATES[kind]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}") from None


def required_keys(kind: str) -> list[str]:
    return [s.key for s in specs(kind) if s.required]


class SectionBody(BaseModel):
    """One section as a writer returns it: a paragraph, bullet items, or both."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field("", description="A paragraph in plain language.")
    items: list[str] = Field(default_factory=list, description="Bullet points or steps, one per string.")


@cache
def model_for(kind: str) -> type[BaseModel]:
    """A pydantic model whose fields are the kind's sections; required sections are required."""
    fields: dict[str, Any] = {}
    for spec in specs(kind):
        desc = f"{spec.heading}: {spec.hint} ({spec.shape})"
        if spec.required:
            fields[spec.key] = (SectionBody, Field(..., description=desc))
        else:
            fields[spec.key] = (SectionBody | None, Field(None, description=desc))
    model = create_model(
        f"{kind.capitalize()}Explanation",
        __config__=ConfigDict(extra="forbid"),
        **fields,
    )
    return model


@cache
def json_schema(kind: str) -> dict[str, Any]:
    return model_for(kind).model_json_schema()

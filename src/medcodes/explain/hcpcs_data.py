"""What the HCPCS Level II file itself says about a code, in plain words: the pricing indicator (how Medicare
prices it), the coverage code, the type of service, the BETOS category and the manual and statute
references. Meanings follow the CMS HCPCS record layout; each sentence is added only when the code's own
row carries the value, so the list differs from code to code as the file does.
"""

from __future__ import annotations

from medcodes.explain.facts import Facts

# HCPCS pricing indicator (record layout field 9).
PRICING = {
    "00": "Medicare Part B does not pay for it as a separate item (it is not covered, is bundled into "
    "another payment, or is used by Part A only).",
    "11": "Medicare prices it with national relative value units (the physician fee schedule).",
    "13": "The local Medicare contractor sets its price case by case.",
    "21": "Medicare pays for it under the clinical lab fee schedule, up to a national limit.",
    "22": "The local Medicare contractor sets its lab price.",
    "31": "Medicare pays for it as equipment that needs frequent servicing: it is rented for as long as it "
    "is needed.",
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
    "51": "Medicare prices it as a drug.",
    "52": "Medicare pays a reasonable charge for it.",
    "53": "Its Medicare price is set by law (statute).",
    "54": "Medicare prices it as a vaccine.",
    "55": "Medicare pays for it as splint or cast supplies, priced by the local contractor.",
    "56": "Medicare pays for it as a lens put in the eye in a provider's office, priced by the local contractor.",
    "57": "The local Medicare contractor sets the price.",
    "99": "Medicare has not set a value for it.",
}
# HCPCS type of service (field 19): the kind of Medicare claim line the code goes on.
TYPE_OF_SERVICE = {
    "0": "whole blood",
    "1": "medical care",
    "2": "surgery",
    "3": "consultation",
    "4": "diagnostic radiology",
    "5": "diagnostic laboratory",
    "6": "radiation treatment",
    "7": "anesthesia",
    "9": "other medical items or services",
    "A": "used medical equipment",
    "D": "ambulance",
    "E": "feeding-tube or IV nutrition and supplies",
    "F": "ambulatory surgery center",
    "G": "an immunosuppressive drug (one that calms the immune system)",
    "I": "medical equipment bought in installments",
    "J": "diabetic shoes",
    "K": "hearing items and services",
    "L": "kidney dialysis supplies",
    "M": "monthly dialysis payment",
    "P": "medical equipment, prosthetics or orthotics bought outright",
    "Q": "vision items or services",
    "R": "rented medical equipment",
    "S": "surgical dressings or other medical supplies",
    "U": "occupational therapy",
    "V": "pneumococcal or flu vaccine",
    "W": "physical therapy",
}
# BETOS categories (field 18) that read well in plain words.
BETOS = {
    "D1A": "medical and surgical supplies",
    "D1B": "hospital beds",
    "D1C": "oxygen and supplies",
    "D1D": "wheelchairs",
    "D1E": "other medical equipment",
    "D1F": "prosthetic and orthotic devices",
    "D1G": "drugs given through medical equipment",
    "O1A": "ambulance",
    "O1C": "feeding-tube and IV nutrition",
    "O1D": "chemotherapy",
    "O1E": "other drugs",
    "O1F": "hearing and speech services",
    "O1G": "immunizations and vaccines",
    "O1L": "lymphedema compression items",
    "M5B": "specialist visits",
    "M5D": "specialist visits",
    "P6C": "minor procedures",
    "Y1": "other services on a Medicare fee schedule",
    "Y2": "other services not on a Medicare fee schedule",
    "Z2": "undefined codes",
}


def _list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def pricing(f: Facts) -> list[str]:
    return [str(p) for p in f.attr("pricing_indicators") or []]


def pricing_items(f: Facts) -> list[str]:
    return [PRICING[p] for p in pricing(f) if p in PRICING][:2]


def type_of_service(f: Facts) -> list[str]:
    return [TYPE_OF_SERVICE[t] for t in _list(f.attr("type_of_service")) if t in TYPE_OF_SERVICE]


def medicare_items(f: Facts, coverage: dict[str, str]) -> list[str]:
    """The code's HCPCS-file entries, one plain sentence each."""
    out = pricing_items(f)
    cov = str(f.attr("coverage_code") or "").strip()[:1]
    if cov in coverage:
        out.append(coverage[cov])
    tos = type_of_service(f)
    if tos:
        out.append("On a Medicare claim it counts as " + _join(tos) + ".")
    betos = str(f.attr("betos") or "").strip().upper()
    if betos in BETOS and betos != "Z2":
        out.append(f"Medicare groups it with {BETOS[betos]} (BETOS {betos}).")
    refs = []
    for value in _list(f.attr("coverage_issues_manual")):
        refs.append(f"section {value} of Medicare's Coverage Issues Manual")
    for value in _list(f.attr("carriers_manual")):
        refs.append(f"section {value} of the Medicare Carriers Manual")
    if refs:
        out.append("Medicare rules for it are in " + _join(refs[:3]) + ".")
    for value in _list(f.attr("statute"))[:1]:
        out.append(f"A law sets how Medicare handles it (Social Security Act section {value}).")
    return out


def _join(parts: list[str]) -> str:
    parts = list(dict.fromkeys(parts))
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " or " + parts[-1]

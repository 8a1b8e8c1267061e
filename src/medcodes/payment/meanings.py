"""What the fee schedule's codes and indicators mean, in plain words.

Written for medcodes from the record layout CMS publishes with the RVU file (RVU25D read-me) and
the OPPS and NCCI documentation; the wording is ours and short on purpose. General information only.
"""

from __future__ import annotations

# PFS status code: whether the fee schedule pays the code and how.
STATUS = {
    "A": "Active: paid separately under the physician fee schedule when covered",
    "B": "Bundled: payment is always included in the payment for other services",
    "C": "Carrier-priced: the Medicare contractor sets the amount, often case by case",
    "D": "Deleted at the start of the year",
    "E": "Excluded from the physician fee schedule by regulation",
    "F": "Deleted or discontinued, with no grace period",
    "G": "Not valid for Medicare: another code is used instead (grace period applies)",
    "H": "Deleted modifier: this professional or technical component no longer exists",
    "I": "Not valid for Medicare: another code is used instead",
    "J": "Anesthesia service: paid by base and time units, not by RVUs",
    "M": "Measurement code: reported for quality programs, not paid",
    "N": "Not covered by Medicare",
    "P": "Bundled or excluded: no separate payment under the fee schedule",
    "R": "Restricted coverage: special coverage rules apply; if covered, the contractor prices it",
    "T": "Injection: paid only when no other fee-schedule service is billed that day by the same provider",
    "X": "Statutory exclusion: not a physician service under the law (for example ambulance or lab tests)",
}

# Status codes whose RVUs the fee schedule uses to pay.
PAID_STATUS = {"A", "R", "T"}

# Why there is no fee schedule amount, per status code: the short reasons the API returns.
NO_PAYMENT_REASON = {
    "B": "bundled",
    "P": "bundled",
    "C": "carrier-priced",
    "E": "not on the physician fee schedule",
    "X": "not on the physician fee schedule",
    "J": "anesthesia: paid by base and time units",
    "M": "reporting only",
    "N": "not covered by Medicare",
    "G": "not valid for Medicare",
    "I": "not valid for Medicare",
    "D": "deleted",
    "F": "deleted",
    "H": "deleted",
}

PCTC = {
    "0": "Physician service: cannot be split into professional and technical parts (no 26 or TC)",
    "1": "Diagnostic test with a professional part (modifier 26) and a technical part (modifier TC)",
    "2": "Professional part only: a stand-alone code for the physician's reading",
    "3": "Technical part only: a stand-alone code for staff and equipment",
    "4": "Global test only: stand-alone code whose parts have their own codes",
    "5": "Incident-to service: not paid to the practitioner for hospital patients",
    "6": "Lab physician interpretation: the test itself is paid under the lab fee schedule",
    "7": "Physical therapy service not payable when an independent therapist treats hospital patients",
    "8": "Physician interpretation of an abnormal smear for a hospital inpatient",
    "9": "Professional/technical split does not apply",
}

GLOBAL_DAYS = {
    "000": "Same-day global period: related care on the day of the procedure is included",
    "010": "10-day global period: related care that day and for 10 days after is included",
    "090": "90-day global period: related care from the day before to 90 days after is included",
    "MMM": "Maternity code: the usual global period does not apply",
    "XXX": "Global period does not apply",
    "YYY": "The contractor decides the global period",
    "ZZZ": "Add-on code: falls within the global period of the main procedure",
}

MULT_PROC = {
    "0": "No multiple-procedure reduction",
    "1": "Older standard multiple-procedure reduction rules apply",
    "2": "Standard multiple-procedure reduction: second and later procedures the same day paid at 50%",
    "3": "Multiple endoscopy rules apply within the same endoscopic family",
    "4": "Multiple imaging reduction applies to procedures in the same imaging family",
    "5": "Practice expense reduced by 50% for certain therapy services",
    "6": "Technical part of later diagnostic cardiovascular services reduced by 25%",
    "7": "Technical part of later diagnostic eye services reduced by 20%",
    "9": "Multiple-procedure rules do not apply",
}

BILAT_SURG = {
    "0": "Bilateral adjustment does not apply: both sides paid at no more than one side's amount",
    "1": "Bilateral procedure paid at 150% of one side's amount (modifier 50)",
    "2": "Already valued as bilateral: both sides paid at 100% of the amount",
    "3": "Each side paid at 100% of the amount (usually imaging or other tests)",
    "9": "Bilateral concept does not apply",
}

ASST_SURG = {
    "0": "Assistant at surgery paid only with documentation of medical necessity",
    "1": "Assistant at surgery may not be paid",
    "2": "Assistant at surgery may be paid",
    "9": "Assistant-at-surgery concept does not apply",
}

CO_SURG = {
    "0": "Co-surgeons not permitted (modifier 62)",
    "1": "Co-surgeons may be paid with documentation (modifier 62)",
    "2": "Co-surgeons permitted without documentation when two specialties take part (modifier 62)",
    "9": "Co-surgeon concept does not apply",
}

TEAM_SURG = {
    "0": "Team surgery not permitted (modifier 66)",
    "1": "Team surgery may be paid by report with documentation (modifier 66)",
    "2": "Team surgery permitted, paid by report (modifier 66)",
    "9": "Team surgery concept does not apply",
}

SUPERVISION = {
    "01": "General supervision by a physician",
    "02": "Direct supervision by a physician",
    "03": "Personal supervision by a physician",
    "04": "No supervision needed when done by a qualified psychologist; otherwise general supervision",
    "05": "No supervision needed when done by a qualified audiologist; otherwise general supervision",
    "06": "Done by a physician or a specially certified physical therapist",
    "21": "Certified technician under general supervision; otherwise direct supervision",
    "22": "Technician with real-time contact with a physician",
    "66": "Physician or a physical therapist certified for this procedure",
    "6A": "As 66; a certified therapist may also supervise another therapist",
    "77": "Certified therapist, or others under the required supervision",
    "7A": "As 77; a certified therapist may also supervise another therapist",
    "09": "Supervision rules do not apply",
}

IMAGING_FAMILY = {
    "88": "Subject to the multiple imaging reduction",
    "99": "Imaging family does not apply",
}

MODIFIER = {
    "": "Global: the whole service",
    "26": "Professional component (modifier 26): the physician's part",
    "TC": "Technical component (modifier TC): staff, equipment and supplies",
    "53": "Discontinued procedure (modifier 53)",
}

# OPPS status indicators (Addendum B), how the hospital outpatient system treats a code.
OPPS_SI = {
    "A": "Paid under another fee schedule, not the outpatient system",
    "B": "Not paid under the outpatient system on a hospital outpatient claim; another code may apply",
    "C": "Inpatient only: not paid when done as an outpatient",
    "D": "Discontinued code",
    "E1": "Not covered by Medicare or not paid under the outpatient system",
    "E2": "Not paid under the outpatient system for this setting",
    "F": "Paid at reasonable cost (corneal tissue, CRNA, some vaccines)",
    "G": "Drug or biological with pass-through payment",
    "H": "Device with pass-through payment",
    "J1": "Comprehensive APC: one payment covers related services on the claim",
    "J2": "Comprehensive observation payment when conditions are met",
    "K": "Drug or biological paid separately",
    "L": "Flu or pneumococcal vaccine, paid at reasonable cost",
    "M": "Not billable to the outpatient contractor",
    "N": "Packaged: payment is included in other services",
    "P": "Partial hospitalization",
    "Q1": "Packaged with some services on the same day; otherwise paid separately",
    "Q2": "Packaged with a procedure on the same day; otherwise paid separately",
    "Q3": "Paid through a composite APC or separately",
    "Q4": "Lab test: packaged, or paid under the lab fee schedule when billed alone",
    "R": "Blood or blood product, paid separately",
    "S": "Procedure paid separately, no multiple-procedure reduction",
    "T": "Procedure paid separately, with multiple-procedure reduction",
    "U": "Brachytherapy source, paid separately",
    "V": "Clinic or emergency visit, paid separately",
    "Y": "Non-implantable durable medical equipment",
}

MUE_INDICATOR = {
    "1": "Line edit: limit applies to each claim line",
    "2": "Date-of-service edit, set by policy: the limit is absolute for the day",
    "3": "Date-of-service edit, set clinically: the limit applies per day and may be appealed",
}

MUE_SETTING = {
    "practitioner": "Practitioner services",
    "outpatient_hospital": "Outpatient hospital services",
    "dme": "DME supplier services",
}

TIME_UNIT_MINUTES = 15  # Medicare counts anesthesia time in units of 15 minutes


def meaning(table: dict[str, str], value: str) -> str | None:
    return table.get((value or "").strip().upper()) if value else None

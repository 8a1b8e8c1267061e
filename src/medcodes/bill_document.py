"""A pasted bill explained line by line: the one document the API (POST /api/v1/bill), the /bill page
and `medcodes bill` share.

This module sits beside medcodes.documents, above the features, because it composes them: the bill
parser finds the lines; the store, history, explanations, payment and policies features describe each
one through their public functions. Nothing here keeps or logs the pasted text."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from medcodes.bill import BillLine, ParsedBill, parse
from medcodes.codes import display as display_of
from medcodes.explain import explanation_for
from medcodes.history import service as history
from medcodes.payment import Payment, payment_for
from medcodes.payment.serialize import label as payment_label
from medcodes.policies import policies_for
from medcodes.store import Store
from medcodes.systems import LABELS, NAMES

MAX_BYTES = 1_000_000  # pasted text larger than this is refused (413)
MAX_LINES = 2000  # codes explained per bill; a longer paste is cut with a note
PRIVACY = (
    "The text you paste is read in memory to find the codes and is then discarded: it is never stored, "
    "logged or sent anywhere, and this page makes no requests to other sites."
)
EMPTY_HELP = (
    "No medical codes were found. Paste the lines of an itemized bill or an Explanation of Benefits "
    "that show procedure codes (5-digit CPT codes such as 99213, or HCPCS codes such as J1885) with "
    'their dates and amounts, and any diagnosis codes (lines such as "Dx: E11.9, I10").'
)
PAID = ("cpt", "hcpcs")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")
_SUMMARY_KEYS = ("summary", "what_it_is", "purpose", "what_happens")


class Flag(BaseModel):
    type: str  # status | date | mue | mce | lab_ncd | policy | system
    severity: str  # warning | info
    message: str
    detail: dict[str, Any] = {}


class PaymentRef(BaseModel):
    amount: float | None  # per unit: the Medicare reference amount this line is compared with
    total: float | None  # amount x units
    basis: str | None  # which fee schedule and setting the amount comes from
    label: str  # "Medicare's fee schedule amount for 2025; what your plan ... can differ"
    locality: str
    year: int | None
    non_facility: float | None = None
    facility: float | None = None
    lab_rate: float | None = None
    hospital_outpatient: float | None = None
    reason: str | None = None  # why there is no amount
    notes: list[str] = []


class Alternative(BaseModel):
    system: str
    code: str
    display: str
    title: str
    reason: str


class BillLineOut(BaseModel):
    kind: str  # service | diagnosis
    system: str
    system_name: str
    code: str
    display: str
    url: str
    title: str
    common_name: str | None
    modifiers: list[str]
    units: int
    date: str | None
    line: int  # line number in the pasted text
    status: str
    status_label: str | None
    replaced_by: list[dict] = []
    summary: str | None
    payment: PaymentRef | None
    flags: list[Flag]
    also: Alternative | None = None  # the other reading of a code that fits two systems


class Unrecognised(BaseModel):
    text: str
    line: int
    reason: str


class BillOut(BaseModel):
    lines: list[BillLineOut]
    unrecognised: list[Unrecognised]
    locality: str
    date: str | None
    age: int | None
    sex: str | None
    total: float | None  # sum of the Medicare reference totals of the service lines that have one
    message: str | None  # what to paste, when nothing was recognised
    privacy: str
    notes: list[str] = []


class BillInputError(ValueError):
    """Something the caller sent cannot be read (status 400 or 413 on the API)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def decode_text(data: bytes) -> str:
    """Pasted bytes as text: over MAX_BYTES is 413, binary or undecodable is 400."""
    if len(data) > MAX_BYTES:
        raise BillInputError(
            413, f"The text is {len(data):,} bytes; the limit is {MAX_BYTES:,} bytes (1 MB). Paste less."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BillInputError(400, "That is not text (UTF-8). Paste the text of a bill, not a file.") from None
    check_text(text)
    return text


def check_text(text: str) -> None:
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise BillInputError(413, f"The text is over the limit of {MAX_BYTES:,} bytes (1 MB). Paste less.")
    controls = sum(1 for c in text[:20000] if ord(c) < 32 and c not in "\t\n\r\f")
    if "\x00" in text or controls > max(8, len(text[:20000]) // 50):
        raise BillInputError(400, "That looks like a binary file, not text. Paste the text of a bill.")


# -- per-code facts, cached per database: a bill repeats codes, and many bills share them -------------


def _cache(store: Store, name: str) -> dict:
    caches = store.__dict__.setdefault("_bill_caches", {})
    key = (store.build_id, name)
    if key not in caches:
        caches[key] = {}
    c = caches[key]
    if len(c) > 50_000:
        c.clear()
    return c


def summary_of(store: Store, system: str, code: str) -> str | None:
    """The first two sentences of the code's plain-language explanation."""
    cache = _cache(store, "summary")
    key = (system, code)
    if key not in cache:
        cache[key] = _summary(store, system, code)
    return cache[key]


def _summary(store: Store, system: str, code: str) -> str | None:
    expl = explanation_for(store, system, code)
    if expl is None:
        return None
    by_key = {s.key: s for s in expl.sections}
    for key in _SUMMARY_KEYS:
        s = by_key.get(key)
        if s is not None and s.text.strip():
            sentences = _SENTENCE.split(" ".join(s.text.split()))
            return " ".join(sentences[:2])
    return None


def _exists(store: Store, system: str, code: str) -> tuple[Any, Any]:
    """(record, status) of a code, or (None, None) when neither the release nor its history knows it."""
    cache = _cache(store, "exists")
    if (system, code) not in cache:
        cache[(system, code)] = _exists_now(store, system, code)
    return cache[(system, code)]


def _exists_now(store: Store, system: str, code: str) -> tuple[Any, Any]:
    rec = store.get(system, code)
    statuses = history.hit_statuses(store, [(system, code)])
    st = statuses.get((system, code))
    if rec is None and st is None:
        return None, None
    return rec, st


def _policies(store: Store, system: str, code: str) -> list:
    cache = _cache(store, "policies")
    key = (system, code)
    if key not in cache:
        cache[key] = policies_for(store, system, code)
    return cache[key]


def _common_name(rec: Any, system: str, code: str) -> str | None:
    return getattr(rec, "common_name", None)  # stored beside the titles by the build


# -- payment --------------------------------------------------------------------------------------


def _num(v: Decimal | None) -> float | None:
    return float(v) if v is not None else None


def _payment(p: Payment, modifiers: list[str], units: int, when: str | None) -> PaymentRef:
    pfs = p.pfs
    line = pfs.main
    for mod in ("26", "TC", "53"):
        if mod in modifiers:
            line = next((ln for ln in pfs.lines if ln.modifier == mod), line)
    amount: Decimal | None = None
    basis: str | None = None
    nf = fac = None
    if line is not None:
        nf, fac = line.non_facility_amount, line.facility_amount
        if nf is not None:
            amount, basis = nf, "physician fee schedule, office rate"
        elif fac is not None:
            amount, basis = fac, "physician fee schedule, facility rate"
        if basis is not None and line.modifier:
            basis += f" (modifier {line.modifier})"
    clfs = p.clfs.rate if p.clfs.available else None
    opps = p.opps.payment_rate if p.opps.available else None
    if amount is None and clfs is not None:
        amount, basis = clfs, "clinical laboratory fee schedule"
    if amount is None and opps is not None:
        amount, basis = opps, "hospital outpatient (OPPS) rate"
    year = pfs.year or p.clfs.year or p.opps.year
    notes = []
    reason = None
    if amount is None:
        reason = (line.reason if line is not None and line.reason else None) or pfs.reason or p.clfs.reason
    if when and year and when[:4] != str(year):
        notes.append(f"Amounts are from the {year} files in this build; the date of service is {when}.")
    return PaymentRef(
        amount=_num(amount),
        total=_num(amount * units) if amount is not None else None,
        basis=basis,
        label=payment_label(year),
        locality=p.locality.name if p.locality.id == "national" else f"{p.locality.name} ({p.locality.id})",
        year=year,
        non_facility=_num(nf),
        facility=_num(fac),
        lab_rate=_num(clfs),
        hospital_outpatient=_num(opps),
        reason=reason,
        notes=notes,
    )


def _mue_flag(p: Payment, units: int, hcpcs_dme: bool) -> Flag | None:
    limits = {m.setting: m for m in p.mue}
    order = (
        ("dme", "practitioner", "outpatient_hospital")
        if hcpcs_dme
        else ("practitioner", "outpatient_hospital")
    )
    for setting in order:
        m = limits.get(setting)
        if m is None or (setting == "dme" and m.value == 0):
            continue
        if m.value == 0:
            return Flag(
                type="mue",
                severity="info",
                message=(
                    f"Medicare's unit limit for this code ({m.setting_label}) is 0: "
                    "Medicare does not pay it in that setting."
                ),
                detail={"limit": 0, "setting": m.setting, "indicator": m.indicator_meaning},
            )
        if units > m.value:
            return Flag(
                type="mue",
                severity="warning",
                message=(
                    f"{units} units billed; Medicare's limit for one patient on one day ({m.setting_label}) "
                    f"is {m.value}. Lines above it are usually denied or questioned."
                ),
                detail={"limit": m.value, "setting": m.setting, "indicator": m.indicator_meaning},
            )
        return None
    return None


# -- diagnoses: Medicare Code Editor edits for the patient's age and sex -----------------------------

_AGE_EDITS = {
    "newborn": (0, 0),
    "pediatric": (0, 17),
    "maternity": (9, 64),
    "adult": (15, 124),
}


def _mce_flags(hist: Any, age: int | None, sex: str | None) -> list[Flag]:
    out = []
    for e in hist.edits if hist is not None else []:
        rng = _AGE_EDITS.get(e.edit)
        if rng is not None and age is not None and not rng[0] <= age <= rng[1]:
            out.append(
                Flag(
                    type="mce",
                    severity="warning",
                    message=f"{e.name}: the patient's age ({age}) is outside it. {e.meaning}",
                    detail={"edit": e.edit, "age": age},
                )
            )
        if e.edit == "maternity" and sex == "M":
            out.append(
                Flag(
                    type="mce",
                    severity="warning",
                    message=(
                        "A pregnancy-related diagnosis on a patient recorded as male. Medicare's Code Editor "
                        "stopped running its sex-conflict edit in October 2024; a payer may still question it."
                    ),
                    detail={"edit": "maternity", "sex": sex},
                )
            )
    return out


# -- the whole bill ------------------------------------------------------------------------------------


def _status_flags(hist: Any, when: str | None) -> list[Flag]:
    if hist is None:
        return []
    out = []
    st = hist.status
    if st.status in ("deleted", "terminated"):
        succ = ", ".join(
            f"{link.display} ({link.title})" if link.title else link.display for link in hist.replaced_by
        )
        out.append(
            Flag(
                type="status",
                severity="warning",
                message=st.label + (f"; replaced by {succ}." if succ else "; no successor is on record."),
                detail={"status": st.status, "date": st.date},
            )
        )
    elif st.status == "possibly_outdated":
        out.append(Flag(type="status", severity="info", message=st.note or st.label))
    if hist.as_of is not None and not (st.status in ("deleted", "terminated") and not hist.as_of.exists):
        a = hist.as_of
        if not a.exists or not a.billable:
            out.append(
                Flag(
                    type="date",
                    severity="warning",
                    message=f"On the date of service ({when}) this code {a.note}.",
                    detail={"date": when, "exists": a.exists, "billable": a.billable},
                )
            )
    return out


def _lab_ncd_flags(store: Store, system: str, code: str, dx: list[BillLineOut]) -> list[Flag]:
    ncds = {p.policy_id: p for p in _policies(store, system, code) if p.policy_id.startswith("ncd-")}
    out = []
    for pid, pol in ncds.items():
        covered, not_covered, unlisted = [], [], []
        for d in dx:
            hits = [p for p in _policies(store, "icd10cm", d.code) if p.policy_id == pid]
            if any(p.disposition == "covered" for p in hits):
                covered.append(d.display)
            elif hits:
                not_covered.append(d.display)
            else:
                unlisted.append(d.display)
        if not dx:
            msg = f"Medicare's lab rule {pol.title} lists which diagnoses it covers; this bill gives none."
            sev = "info"
        elif covered:
            msg = f"{pol.title}: covered for {', '.join(covered)}."
            sev = "info"
        else:
            msg = f"{pol.title}: none of the bill's diagnoses is on its covered list; Medicare may deny this test."
            sev = "warning"
        if not_covered and dx:
            msg += f" Listed as not covered: {', '.join(not_covered)}."
        out.append(
            Flag(
                type="lab_ncd",
                severity=sev,
                message=msg,
                detail={
                    "policy_id": pid,
                    "url": f"/policies/{pid}",
                    "covered": covered,
                    "not_covered": not_covered,
                    "not_listed": unlisted,
                },
            )
        )
    return out


def _policy_flags(store: Store, system: str, code: str) -> list[Flag]:
    out = []
    for p in _policies(store, system, code):
        if p.policy_id.startswith("ncd-") and system != "icd10cm":
            continue  # the lab NCDs get their own flag, read against the bill's diagnoses
        if p.policy_id.startswith("ncd-"):
            continue  # a diagnosis's NCD entries are read from the lab lines
        out.append(
            Flag(
                type="policy",
                severity="info",
                message=f"{p.payer or 'A payer'}: {p.title} — {p.disposition_label}.",
                detail={
                    "policy_id": p.policy_id,
                    "disposition": p.disposition,
                    "url": f"/policies/{p.policy_id}",
                },
            )
        )
    return out[:8]


def _resolve(store: Store, b: BillLine) -> tuple[str | None, Any, Any, Alternative | None, str | None]:
    """Which system the code belongs to: the context's choice when it exists, else the other one."""
    found = []
    for system in b.systems:
        rec, st = _exists(store, system, b.code)
        if rec is not None or st is not None:
            found.append((system, rec, st))
    if not found:
        names = " or ".join(NAMES[s] for s in b.systems)
        return None, None, None, None, f"no {names} code {b.code} in this database"
    system, rec, st = found[0]
    also = None
    if len(found) > 1:
        s2, r2, _ = found[1]
        also = Alternative(
            system=s2,
            code=b.code,
            display=display_of(s2, b.code),
            title=r2.title if r2 else "",
            reason=b.reason or f"the code is also {LABELS[s2]}",
        )
    elif system != b.systems[0]:
        also = None
    return system, rec, st, also, None


def explain_bill(
    store: Store,
    text: str,
    *,
    locality: str | None = None,
    on: date | None = None,
    age: int | None = None,
    sex: str | None = None,
) -> BillOut:
    """Every line of a pasted bill explained. Raises UnknownLocality for a bad locality."""
    parsed: ParsedBill = parse(text)
    return explain_parsed(store, parsed, locality=locality, on=on, age=age, sex=sex)


def explain_parsed(
    store: Store,
    parsed: ParsedBill,
    *,
    locality: str | None = None,
    on: date | None = None,
    age: int | None = None,
    sex: str | None = None,
) -> BillOut:
    from medcodes.payment import resolve_locality

    loc = resolve_locality(store, locality)  # raises UnknownLocality before any work
    notes = []
    items = parsed.lines
    if len(items) > MAX_LINES:
        notes.append(f"Only the first {MAX_LINES} codes are explained.")
        items = items[:MAX_LINES]
    lines: list[BillLineOut] = []
    unrecognised = [Unrecognised(text=t.text, line=t.line, reason=t.reason) for t in parsed.unrecognised]
    pay_cache: dict[tuple[str, str, str | None], Payment] = _cache(store, "payment")
    hist_cache: dict[tuple[str, str, str | None], Any] = _cache(store, "history")
    for b in items:
        system, rec, st, also, why = _resolve(store, b)
        if system is None:
            unrecognised.append(Unrecognised(text=b.raw, line=b.line, reason=why or "unknown code"))
            continue
        when = b.date or (on.isoformat() if on else None)
        hkey = (system, b.code, when)
        if hkey not in hist_cache:
            day = date.fromisoformat(when) if when else None
            hist_cache[hkey] = history.code_history(store, system, b.code, on=day)
        hist = hist_cache[hkey]
        title = rec.title if rec is not None else (hist.title if hist is not None else "")
        flags = _status_flags(hist, when)
        payment = None
        if system in PAID:
            pkey = (system, b.code, loc.id if loc else None)
            if pkey not in pay_cache:
                pay_cache[pkey] = payment_for(store, system, b.code, loc.id if loc else None)
            p = pay_cache[pkey]
            payment = _payment(p, b.modifiers, b.units, when)
            mue = _mue_flag(p, b.units, system == "hcpcs" and b.code[:1] in "ABEKL")
            if mue:
                flags.append(mue)
        if system == "icd10cm":
            flags += _mce_flags(hist, age, sex)
        flags += _policy_flags(store, system, b.code)
        if also is not None:
            flags.append(
                Flag(
                    type="system",
                    severity="info",
                    message=f"{also.display} is also {LABELS[also.system]} ({also.title}); {also.reason}.",
                )
            )
        lines.append(
            BillLineOut(
                kind=b.kind,
                system=system,
                system_name=NAMES[system],
                code=b.code,
                display=display_of(system, b.code),
                url=f"/codes/{system}/{display_of(system, b.code)}",
                title=title or "",
                common_name=_common_name(rec, system, b.code),
                modifiers=b.modifiers if b.kind == "service" else [],
                units=b.units,
                date=when,
                line=b.line,
                status=st.status if st is not None else (hist.status.status if hist else "active"),
                status_label=(st.label if st is not None else None),
                replaced_by=[
                    {
                        "system": link.system,
                        "code": link.code,
                        "display": link.display,
                        "title": link.title,
                        "url": link.url,
                    }
                    for link in (hist.replaced_by if hist is not None else [])
                ],
                summary=summary_of(store, system, b.code),
                payment=payment,
                flags=flags,
                also=also,
            )
        )
    dx = [ln for ln in lines if ln.system == "icd10cm"]
    for ln in lines:
        if ln.kind == "service":
            ln.flags[0:0] = _lab_ncd_flags(store, ln.system, ln.code, dx)
    totals = [ln.payment.total for ln in lines if ln.payment and ln.payment.total is not None]
    return BillOut(
        lines=lines,
        unrecognised=unrecognised,
        locality=loc.id if loc else "national",
        date=on.isoformat() if on else parsed.date,
        age=age,
        sex=sex,
        total=round(sum(totals), 2) if totals else None,
        message=None if lines else EMPTY_HELP,
        privacy=PRIVACY,
        notes=notes,
    )

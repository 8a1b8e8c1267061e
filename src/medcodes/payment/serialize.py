"""The one JSON document of a payment lookup, shared by the API and `medcodes price --json`.
Amounts and factors are JSON numbers (US dollars); an empty part says why in `reason`."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from medcodes.payment.model import Indicator, Locality, LocalityRef, Payment, PfsLine, Source


def label(year: int | None) -> str:
    return (
        f"Medicare's fee schedule amount for {year}; " if year else "Medicare's fee schedule amount; "
    ) + "what your plan or the hospital charges can differ"


def _num(v: Decimal | None) -> float | None:
    return float(v) if v is not None else None


def _src(s: Source | None) -> dict | None:
    return {"file": s.file, "year": s.year, "release": s.release} if s else None


def _ref(r: LocalityRef) -> dict:
    return {"id": r.id, "name": r.name, "state": r.state}


def _ind(i: Indicator | None) -> dict | None:
    return {"name": i.name, "value": i.value, "meaning": i.meaning} if i else None


def _line(ln: PfsLine) -> dict[str, Any]:
    return {
        "modifier": ln.modifier or None,
        "modifier_meaning": ln.modifier_meaning,
        "status": {"code": ln.status, "meaning": ln.status_meaning},
        "non_facility_amount": _num(ln.non_facility_amount),
        "facility_amount": _num(ln.facility_amount),
        "reason": ln.reason,
        "rvus": {k: _num(v) for k, v in ln.rvus.items()},
        "global_days": _ind(ln.global_days),
        "indicators": [_ind(i) for i in ln.indicators],
        "opps_cap_applied": ln.opps_cap_applied,
        "notes": ln.notes,
    }


def payment_json(p: Payment) -> dict[str, Any]:
    pfs = p.pfs
    main = _line(pfs.main) if pfs.main else None
    pfs_doc: dict[str, Any] = {
        "available": pfs.available,
        "reason": pfs.reason,
        "source": _src(pfs.source),
        "year": pfs.year,
        "label": label(pfs.year),
        "conversion_factor": _num(pfs.conversion_factor),
        "locality": _ref(pfs.locality),
        "gpci": {k: _num(v) for k, v in pfs.gpci.items()},
    }
    if main:
        main.pop("modifier")
        pfs_doc.update(main)
        pfs_doc["reason"] = pfs.reason
    pfs_doc["modifiers"] = [_line(ln) for ln in pfs.lines[1:]]
    c, o, a = p.clfs, p.opps, p.anesthesia
    return {
        "system": p.system,
        "code": p.code,
        "locality": _ref(p.locality),
        "pfs": pfs_doc,
        "clfs": {
            "available": c.available,
            "reason": c.reason,
            "source": _src(c.source),
            "year": c.year,
            "rate": _num(c.rate),
            "effective": c.effective,
            "modifiers": [{"modifier": mod, "rate": _num(r)} for mod, r in c.modifiers],
        },
        "opps": {
            "available": o.available,
            "reason": o.reason,
            "source": _src(o.source),
            "year": o.year,
            "status_indicator": o.status_indicator,
            "status_meaning": o.status_meaning,
            "apc": o.apc,
            "relative_weight": _num(o.relative_weight),
            "payment_rate": _num(o.payment_rate),
            "copay": _num(o.national_copay),
            "minimum_copay": _num(o.minimum_copay),
            "note": o.note,
        },
        "anesthesia": {
            "available": a.available,
            "reason": a.reason,
            "source": _src(a.source),
            "year": a.year,
            "locality": _ref(a.locality),
            "conversion_factor": _num(a.conversion_factor),
            "national_conversion_factor": _num(a.national_conversion_factor),
            "base_units": _num(a.base_units),
            "time_unit_minutes": a.time_unit_minutes,
            "amount_per_time_unit": _num(a.amount_per_time_unit),
            "explanation": a.explanation,
        },
        "mue": [
            {
                "setting": x.setting,
                "setting_label": x.setting_label,
                "value": x.value,
                "indicator": x.indicator,
                "indicator_meaning": x.indicator_meaning,
                "rationale": x.rationale,
                "source": _src(x.source),
            }
            for x in p.mue
        ],
        "mue_reason": p.mue_reason,
        "notes": p.notes,
    }


def locality_json(loc: Locality) -> dict[str, Any]:
    return {
        "id": loc.id,
        "mac": loc.mac,
        "locality": loc.locality,
        "state": loc.state,
        "name": loc.name,
        "gpci": {"work": _num(loc.work_gpci), "pe": _num(loc.pe_gpci), "mp": _num(loc.mp_gpci)},
        "anesthesia_conversion_factor": _num(loc.anesthesia_cf),
        "counties": [{"state_name": s, "area": a, "counties": c} for s, a, c in loc.counties],
    }


__all__ = ["asdict", "label", "locality_json", "payment_json"]

"""The terminology operations as pure functions of the store and the inputs: $lookup,
$validate-code, $subsumes, $expand and $translate. Each returns a FHIR resource as a dict or raises
FhirError; the text search behind `filter` is passed in by the face, which owns composing features."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from medcodes import systems
from medcodes.fhir import codesystems as cs
from medcodes.fhir.errors import FhirError, invalid, not_found
from medcodes.fhir.params import Inputs
from medcodes.fhir.valuesets import ImplicitValueSet, parse_value_set
from medcodes.models import CodeRecord
from medcodes.store import Store

MAX_COUNT = 1000
DEFAULT_COUNT = 100
# How many search results an is-a expansion with a filter looks through for descendants.
FILTER_SCAN = 2000
HEADER_KINDS = ("chapter", "section")


@dataclass(frozen=True, slots=True)
class Found:
    """One search result as the expansion needs it."""

    system: str
    code: str  # canonical
    display: str  # display form of the code
    title: str
    kind: str


# (text, system, active_on, limit, offset) -> (total, results)
Finder = Callable[[str, str, date | None, int, int], tuple[int, list[Found]]]


def _param(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"name": name, "valueBoolean": value}
    if isinstance(value, int):
        return {"name": name, "valueInteger": value}
    if isinstance(value, dict) and "system" in value:
        return {"name": name, "valueCoding": value}
    return {"name": name, "valueString": str(value)}


def parameters(*items: dict[str, Any] | None) -> dict[str, Any]:
    return {"resourceType": "Parameters", "parameter": [p for p in items if p]}


def common_name(rec: CodeRecord) -> str | None:
    """The project's plain name, once the codes table carries one (older databases do not)."""
    value = getattr(rec, "common_name", None) or (rec.attrs or {}).get("common_name")
    return value if isinstance(value, str) and value else None


def is_active(rec: CodeRecord, on: date | None = None) -> bool:
    iso = (on or date.today()).isoformat()
    started = not rec.effective_date or rec.effective_date <= iso
    return started and (not rec.termination_date or rec.termination_date > iso)


def designations(rec: CodeRecord) -> list[tuple[str, str]]:
    """(use, value): the readable title, the project's common name and the CMS short descriptor."""
    out = [("readable-title", rec.title)]
    name = common_name(rec)
    if name:
        out.append(("common-name", name))
    if rec.short_title and rec.short_title != rec.title:
        out.append(("short-descriptor", rec.short_title))
    return out


# -- which code -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    system: str
    code: str  # as the caller wrote it
    display: str | None
    version: str | None


def _target(inputs: Inputs, system_param: str = "system", *, default: str | None = None) -> Target:
    """system+code (+display, version), or a `coding`; the instance id gives the system by default."""
    coding = inputs.coding("coding")
    if coding is not None:
        system = cs.resolve_system(str(coding.get("system") or "") or None)
        code, display, version = coding.get("code"), coding.get("display"), coding.get("version")
    else:
        uri = inputs.text(system_param)
        system = cs.resolve_system(uri) if uri else default
        code, display, version = inputs.text("code", 60), inputs.text("display"), inputs.text("version", 60)
    if system is None:
        raise invalid(f"the code system is missing: give `{system_param}`")
    if not code or not isinstance(code, str):
        raise invalid("the code is missing: give `code` (or `coding`)")
    return Target(system, code.strip(), display if isinstance(display, str) else None, version)


def _record(store: Store, system: str, code: str) -> CodeRecord | None:
    if len(code) > 60:
        return None
    return store.get(system, code)


def _coding(rec: CodeRecord, version: str | None = None) -> dict[str, Any]:
    out = {"system": systems.get(rec.system).fhir_uri, "code": rec.display, "display": rec.title}
    if version:
        out["version"] = version
    return out


# -- $lookup ----------------------------------------------------------------------------------


def lookup(store: Store, inputs: Inputs, default_system: str | None = None) -> dict[str, Any]:
    t = _target(inputs, default=default_system)
    version = cs.check_version(store, t.system, t.version)
    rec = _record(store, t.system, t.code)
    if rec is None:
        raise not_found(f"{t.code[:60]!r} is not a code of {systems.get(t.system).name}")
    on = inputs.date("date")
    wanted = set(inputs.many("property"))
    view = store.code_view(rec)

    def keep(code: str) -> bool:
        return not wanted or code in wanted or "*" in wanted

    props: list[tuple[str, Any]] = []
    if rec.parent:
        props.append(
            ("parent", {"valueCode": store.displays(rec.system, [rec.parent]).get(rec.parent, rec.parent)})
        )
    props += [("child", {"valueCode": c.display}) for c in store.children(rec.system, rec.code)]
    active = is_active(rec, on)
    props.append(("status", {"valueCode": "active" if active else "inactive"}))
    props.append(("inactive", {"valueBoolean": not active}))
    props.append(("billable", {"valueBoolean": rec.billable}))
    props.append(("notSelectable", {"valueBoolean": rec.kind in HEADER_KINDS or "-" in rec.code}))
    props.append(("kind", {"valueCode": rec.kind}))
    if rec.effective_date:
        props.append(("effectiveDate", {"valueDateTime": rec.effective_date}))
    if rec.termination_date:
        props.append(("retirementDate", {"valueDateTime": rec.termination_date}))
    props += [("comment", {"valueString": f"{n.type}: {n.text}"}) for n in view.notes]

    out: list[dict[str, Any] | None] = [
        _param("name", systems.get(rec.system).name),
        _param("version", version) if version else None,
        _param("display", rec.title),
    ]
    for use, value in designations(rec):
        out.append(
            {
                "name": "designation",
                "part": [
                    {"name": "language", "valueCode": "en"},
                    {"name": "use", "valueCoding": {"system": cs.DESIGNATION_USE, "code": use}},
                    {"name": "value", "valueString": value},
                ],
            }
        )
    for code, value in props:
        if keep(code):
            out.append(
                {
                    "name": "property",
                    "part": [{"name": "code", "valueCode": code}, {"name": "value", **value}],
                }
            )
    return parameters(*out)


# -- $validate-code ---------------------------------------------------------------------------


def _same_display(given: str, rec: CodeRecord) -> bool:
    norm = " ".join(given.split()).casefold()
    return any(norm == " ".join(v.split()).casefold() for _, v in designations(rec))


def _validation(rec: CodeRecord | None, t: Target, version: str | None, on: date | None, why_not: str | None):
    label = systems.get(t.system).name
    if rec is None:
        return parameters(
            _param("result", False), _param("message", f"{t.code[:60]!r} is not a code of {label}")
        )
    common = [
        _param("display", rec.title),
        _param("code", rec.display),
        _param("system", systems.get(t.system).fhir_uri),
    ]
    if version:
        common.append(_param("version", version))
    if why_not:
        return parameters(_param("result", False), _param("message", why_not), *common)
    if on is not None and not is_active(rec, on):
        message = f"{rec.display} was not in effect on {on.isoformat()}"
        return parameters(_param("result", False), _param("message", message), *common)
    if t.display and not _same_display(t.display, rec):
        message = f"the display {t.display[:200]!r} is not a name of {rec.display}; it is {rec.title!r}"
        return parameters(_param("result", False), _param("message", message), *common)
    return parameters(_param("result", True), *common)


def validate_code(store: Store, inputs: Inputs, default_system: str | None = None) -> dict[str, Any]:
    """CodeSystem/$validate-code: the code system comes as `url` (or `system`, or a coding)."""
    param = "url" if inputs.one("url") is not None else "system"
    t = _target(inputs, param, default=default_system)
    version = cs.check_version(store, t.system, t.version)
    return _validation(_record(store, t.system, t.code), t, version, inputs.date("date"), None)


def validate_in_value_set(store: Store, inputs: Inputs) -> dict[str, Any]:
    """ValueSet/$validate-code on an implicit value set ({system}?fhir_vs[=isa/code])."""
    vs = _value_set(inputs)
    t = _target(inputs, default=vs.system)
    if t.system != vs.system:
        raise invalid(f"the code's system is not the value set's ({systems.get(vs.system).fhir_uri})")
    version = cs.check_version(store, t.system, t.version)
    rec = _record(store, t.system, t.code)
    why_not = None
    if rec is not None and vs.isa and not _descends(store, rec, vs.isa):
        why_not = f"{rec.display} is not {vs.isa_display(store)} or below it"
    return _validation(rec, t, version, inputs.date("date"), why_not)


def _value_set(inputs: Inputs) -> ImplicitValueSet:
    url = inputs.text("url", 300)
    if url is None:
        if inputs.one("valueSet") is not None:
            raise FhirError(422, "not-supported", "only implicit value sets by `url` are supported")
        raise invalid("the value set is missing: give `url`, e.g. http://hl7.org/fhir/sid/icd-10-cm?fhir_vs")
    return parse_value_set(url)


def _descends(store: Store, rec: CodeRecord, ancestor: str) -> bool:
    if rec.code == ancestor:
        return True
    if "-" not in ancestor and rec.system in ("icd10cm", "icd10pcs"):
        return rec.code.startswith(ancestor)  # these codes spell out their ancestors
    return any(a.code == ancestor for a in store.breadcrumb(rec.system, rec.code))


# -- $subsumes --------------------------------------------------------------------------------


def subsumes(store: Store, inputs: Inputs, default_system: str | None = None) -> dict[str, Any]:
    a_coding, b_coding = inputs.coding("codingA"), inputs.coding("codingB")
    uri = inputs.text("system")
    system = cs.resolve_system(uri) if uri else default_system
    codes = []
    for code_name, coding in (("codeA", a_coding), ("codeB", b_coding)):
        if coding is not None:
            sys_ = cs.resolve_system(str(coding.get("system") or "") or None)
            system = system or sys_
            if sys_ != system:
                raise invalid("codingA and codingB must be in the same code system")
            code = coding.get("code")
        else:
            code = inputs.text(code_name, 60)
        if not code or not isinstance(code, str):
            raise invalid(f"{code_name} (or coding{code_name[-1]}) is missing")
        codes.append(code)
    if system is None:
        raise invalid("the code system is missing: give `system`")
    cs.check_version(store, system, inputs.text("version", 60))
    recs = []
    for code in codes:
        rec = _record(store, system, code)
        if rec is None:
            raise not_found(f"{code[:60]!r} is not a code of {systems.get(system).name}")
        recs.append(rec)
    a, b = recs
    if a.code == b.code:
        outcome = "equivalent"
    elif _descends(store, b, a.code):
        outcome = "subsumes"
    elif _descends(store, a, b.code):
        outcome = "subsumed-by"
    else:
        outcome = "not-subsumed"
    return parameters({"name": "outcome", "valueCode": outcome})


# -- $expand ----------------------------------------------------------------------------------


def expand(store: Store, inputs: Inputs, finder: Finder) -> dict[str, Any]:
    vs = _value_set(inputs)
    count = inputs.integer("count", lo=0, hi=MAX_COUNT)
    count = DEFAULT_COUNT if count is None else count
    offset = inputs.integer("offset", lo=0, hi=10_000) or 0
    active_only = bool(inputs.boolean("activeOnly"))
    on = inputs.date("date")
    active_on = on or (date.today() if active_only else None)
    text = inputs.text("filter", 200)
    version = cs.check_version(store, vs.system, inputs.text("system-version", 60))
    if vs.isa and not store.exists(vs.system, vs.isa):
        raise not_found(f"{vs.isa!r} is not a code of {systems.get(vs.system).name}")

    contains: list[dict[str, Any]]
    if text:
        total, found = _filtered(store, vs, text, active_on, count, offset, finder)
        contains = [
            _entry(vs.system, f.display, f.title, f.kind, f.code, version, inactive=None) for f in found
        ]
    else:
        total, recs = store.concepts(vs.system, under=vs.isa, active_on=active_on, limit=count, offset=offset)
        contains = [
            _entry(vs.system, r.display, r.title, r.kind, r.code, version, inactive=not is_active(r, on))
            for r in recs
        ]
    used = [
        {"name": "count", "valueInteger": count},
        {"name": "offset", "valueInteger": offset},
        *([{"name": "filter", "valueString": text}] if text else []),
        *([{"name": "activeOnly", "valueBoolean": True}] if active_only else []),
        *([{"name": "date", "valueDateTime": on.isoformat()}] if on else []),
        *(
            [{"name": "version", "valueUri": f"{systems.get(vs.system).fhir_uri}|{version}"}]
            if version
            else []
        ),
    ]
    expansion: dict[str, Any] = {
        "identifier": f"urn:uuid:{uuid.uuid4()}",
        "timestamp": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "total": total,
        "offset": offset,
        "parameter": used,
    }
    if contains:
        expansion["contains"] = contains
    name = systems.get(vs.system).name
    return {
        "resourceType": "ValueSet",
        "url": vs.url,
        "status": "active",
        "name": "All" + name.replace("-", "").replace(" ", "") + ("Below" + vs.isa if vs.isa else ""),
        "title": f"{name} codes" + (f" at and below {vs.isa_display(store)}" if vs.isa else ""),
        "expansion": expansion,
    }


def _entry(system, display_code, title, kind, code, version, inactive) -> dict[str, Any]:
    out: dict[str, Any] = {"system": systems.get(system).fhir_uri, "code": display_code, "display": title}
    if version:
        out["version"] = version
    if kind in HEADER_KINDS or "-" in code:
        out["abstract"] = True
    if inactive:
        out["inactive"] = True
    return out


def _filtered(store, vs: ImplicitValueSet, text, active_on, count, offset, finder: Finder):
    if not vs.isa:
        return finder(text, vs.system, active_on, count, offset)
    # Search ranks the whole system; keep the results at or below the is-a code, then page them.
    kept: list[Found] = []
    seen = 0
    while seen < FILTER_SCAN:
        total, page = finder(text, vs.system, active_on, 100, seen)
        if not page:
            break
        seen += len(page)
        for f in page:
            rec = store.get(f.system, f.code)
            if rec is not None and _descends(store, rec, vs.isa):
                kept.append(f)
        if seen >= total:
            break
    return len(kept), kept[offset : offset + count]


# -- $translate -------------------------------------------------------------------------------


def translate(store: Store, inputs: Inputs) -> dict[str, Any]:
    """Deleted or replaced codes -> the codes to use instead, from the history step's successors."""
    url = inputs.text("url", 300)
    if url and url != cs.SUCCESSOR_MAP:
        raise not_found(f"no ConceptMap {url[:200]!r}; this server has {cs.SUCCESSOR_MAP}")
    t = _target(inputs)
    target_system = None
    for name in ("targetsystem", "targetSystem", "target"):
        uri = inputs.text(name, 300)
        if uri and name != "target":
            target_system = cs.resolve_system(uri)
    rows = store.successors(t.system, t.code)
    if rows is None:
        raise FhirError(
            501,
            "not-supported",
            "code history (deleted codes and their successors) is not loaded in this database; rebuild it "
            "with a release that carries the history step",
        )
    label = systems.get(t.system).label
    matches = [r for r in rows if target_system is None or r.new_system == target_system]
    if not matches:
        return parameters(
            _param("result", False),
            _param("message", f"no successor is recorded for {label} {t.code[:60]!r}"),
        )
    out: list[dict[str, Any] | None] = [_param("result", True)]
    notes: list[str] = []
    for r in matches:
        rec = store.get(r.new_system, r.new)
        concept = (
            _coding(rec)
            if rec
            else {
                "system": systems.get(r.new_system).fhir_uri,
                "code": systems.get(r.new_system).display(r.new),
            }
        )
        parts: list[dict[str, Any]] = [
            {"name": "equivalence", "valueCode": "relatedto"},
            {"name": "concept", "valueCoding": concept},
            {"name": "source", "valueUri": cs.SUCCESSOR_MAP},
        ]
        out.append({"name": "match", "part": parts})
        notes.append(f"{concept['code']} ({r.source}{', from ' + r.date if r.date else ''})")
    out.insert(1, _param("message", f"{label} {t.code[:60]} is replaced by " + "; ".join(notes)))
    return parameters(*out)

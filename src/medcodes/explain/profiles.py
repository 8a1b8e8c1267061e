"""Profiles: general facts per kind and per code range, merged from the widest to the narrowest, and the
project's service profiles (services/*.yaml), each scoped to the exact codes it fits, on top.

Service profile format (one YAML list per file; ids unique across files):

    - id: cataract-surgery
      label: Cataract surgery
      kind: procedure
      scope: {cpt: ["66982", "66984", "66987-66988"], icd10pcs: ["08RJ3JZ"]}
      fields: {purpose: ..., steps: [...]}

services/diagnoses.yaml may instead hold `icd10cm:` with range entries in the profiles.yaml format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml


@dataclass(slots=True)
class Profile:
    fields: dict[str, Any] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)  # matched categories, widest first

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)

    @property
    def label(self) -> str | None:
        return self.labels[-1] if self.labels else None


@dataclass(slots=True, frozen=True)
class _Entry:
    lo: str
    hi: str
    fields: dict[str, Any]

    @property
    def width(self) -> tuple[int, str]:
        return (len(self.lo), self.lo)


class ProfileError(ValueError):
    """A profile file breaks the format; the message names the file and the entry."""


@dataclass(slots=True, frozen=True)
class Service:
    id: str
    label: str
    kind: str
    scope: dict[
        str, tuple[tuple[str, str], ...]
    ]  # system -> inclusive (lo, hi) ranges; exact codes have lo == hi
    fields: dict[str, Any]
    file: str

    def covers(self, system: str, code: str) -> bool:
        return any(lo <= code <= hi and len(code) == len(lo) for lo, hi in self.scope.get(system, ()))

    def width(self, system: str, code: str) -> int:
        """How many codes the matching scope entry could hold (exact code: 0), to prefer the narrowest."""
        for lo, hi in self.scope.get(system, ()):
            if lo <= code <= hi and len(code) == len(lo):
                return _span(_Entry(lo, hi, {}))
        return 1 << 62


_SYSTEMS = ("cpt", "hcpcs", "icd10cm", "icd10pcs")


def _scope(raw: Any, where: str) -> dict[str, tuple[tuple[str, str], ...]]:
    if not isinstance(raw, dict) or not raw:
        raise ProfileError(f"{where}: scope must map a system to a list of codes or ranges")
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for system, codes in raw.items():
        if system not in _SYSTEMS:
            raise ProfileError(
                f"{where}: unknown system {system!r} in scope (expected one of {', '.join(_SYSTEMS)})"
            )
        if isinstance(codes, str):
            codes = [codes]
        ranges = []
        for item in codes or []:
            lo, _, hi = str(item).upper().replace(".", "").partition("-")
            lo, hi = lo.strip(), (hi.strip() or lo.strip())
            if not lo or len(lo) != len(hi) or lo > hi:
                raise ProfileError(f"{where}: bad scope entry {item!r} for {system}")
            ranges.append((lo, hi))
        out[system] = tuple(ranges)
    return out


def read_services(files: list[tuple[str, str]]) -> tuple[tuple[Service, ...], list[dict[str, Any]]]:
    """Parse service files given as (name, text) -> (services, icd10cm range entries). Raises ProfileError."""
    from medcodes.explain.templates import KINDS

    services: list[Service] = []
    cm: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for name, text in files:
        data = yaml.safe_load(text)
        if data is None:
            continue
        if isinstance(data, dict):
            entries = data.get("icd10cm") or []
            for i, e in enumerate(entries):
                if not isinstance(e, dict) or not isinstance(e.get("range"), list) or len(e["range"]) != 2:
                    raise ProfileError(f"{name} icd10cm entry {i + 1}: needs range: [lo, hi]")
                cm.append(e)
            data = data.get("services") or []
        if not isinstance(data, list):
            raise ProfileError(f"{name}: expected a list of service profiles")
        for i, e in enumerate(data):
            where = f"{name} entry {i + 1}"
            if not isinstance(e, dict) or not e.get("id"):
                raise ProfileError(f"{where}: every service profile needs an id")
            sid = str(e["id"])
            where = f"{name} {sid}"
            if sid in seen:
                raise ProfileError(f"{where}: id already used in {seen[sid]}")
            seen[sid] = name
            kind = str(e.get("kind") or "")
            if kind not in KINDS:
                raise ProfileError(f"{where}: unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
            fields = e.get("fields") or {}
            if not isinstance(fields, dict):
                raise ProfileError(f"{where}: fields must be a mapping")
            services.append(
                Service(
                    sid, str(e.get("label") or sid), kind, _scope(e.get("scope"), where), dict(fields), name
                )
            )
    return tuple(services), cm


@cache
def _service_data() -> tuple[tuple[Service, ...], list[dict[str, Any]]]:
    folder = resources.files("medcodes.explain").joinpath("services")
    files = []
    if folder.is_dir():
        for f in sorted(folder.iterdir(), key=lambda f: f.name):
            if f.name.endswith((".yaml", ".yml")):
                files.append((f.name, f.read_text(encoding="utf-8")))
    return read_services(files)


def services() -> tuple[Service, ...]:
    return _service_data()[0]


@cache
def _services_by_system(system: str) -> tuple[Service, ...]:
    return tuple(s for s in services() if system in s.scope)


def service_for(system: str, code: str) -> Service | None:
    """The narrowest service profile whose scope holds the code, if any."""
    found = [s for s in _services_by_system(system) if s.covers(system, code)]
    return min(found, key=lambda s: s.width(system, code)) if found else None


@cache
def _data() -> dict[str, Any]:
    text = resources.files("medcodes.explain").joinpath("profiles.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    extra_cm = _service_data()[1]
    if extra_cm:
        data = {**data, "icd10cm": [*data.get("icd10cm", []), *extra_cm]}
    return data


def _range_key(system: str, code: str) -> str:
    if system == "icd10cm":
        return code[:3]
    if system == "icd10pcs":
        return code[:1]
    return code


@cache
def _entries(system: str) -> tuple[_Entry, ...]:
    out = [
        _Entry(str(e["range"][0]), str(e["range"][1]), {k: v for k, v in e.items() if k != "range"})
        for e in _data().get(system, [])
    ]
    return tuple(out)


def _merge(into: dict[str, Any], fields: dict[str, Any]) -> None:
    into.update({k: v for k, v in fields.items() if k != "label"})


# Kinds whose range profiles were written for them. The newer kinds (a blood draw inside the vascular
# surgery range, a vaccine among the drugs) take only the range labels, never their procedure text.
RANGE_KINDS = frozenset({"procedure", "lab", "imaging", "visit", "diagnosis", "supply", "drug", "fallback"})


def profile_for(system: str, code: str, kind: str) -> Profile:
    """Merged profile; shared between calls, so callers must not change it."""
    svc = service_for(system, code)
    if svc is None:
        return _profile_for(system, _range_key(system, code), kind)
    return _with_service(system, _range_key(system, code), kind, svc.id)


@cache
def _service_ids() -> dict[str, Service]:
    return {s.id: s for s in services()}


@lru_cache(maxsize=4096)
def _with_service(system: str, key: str, kind: str, sid: str) -> Profile:
    svc = _service_ids()[sid]
    base = _profile_for(system, key, kind)
    fields = dict(base.fields)
    fields.update(svc.fields)
    fields["service_id"] = svc.id
    return Profile(fields=fields, labels=[*base.labels, svc.label])


@lru_cache(maxsize=16384)
def _profile_for(system: str, key: str, kind: str) -> Profile:
    data = _data()
    prof = Profile(fields=dict(data["kinds"].get(kind, {})))
    if system == "cpt" and not key.isdigit():
        return prof  # Category II/III and PLA codes sit outside the numeric section ranges
    matches = [e for e in _entries(system) if key and e.lo <= key[: len(e.lo)] <= e.hi]
    # Wider ranges first so that the narrowest category has the last word.
    matches.sort(key=lambda e: _span(e))
    for e in reversed(matches):
        if kind in RANGE_KINDS:
            _merge(prof.fields, e.fields)
        if "label" in e.fields:
            prof.labels.append(str(e.fields["label"]))
    return prof


def _span(e: _Entry) -> int:
    """Size of a range, for ordering; codes mix digits and letters so use base-36."""
    try:
        return int(e.hi, 36) - int(e.lo, 36)
    except ValueError:
        return 0


def pcs_approach(name: str) -> dict[str, Any]:
    return dict(_data().get("pcs_approaches", {}).get(name, {}))


def table(name: str) -> Any:
    """A top-level lookup table of the profile file (specimens, modalities, glossary, coverage)."""
    return _data().get(name, {})

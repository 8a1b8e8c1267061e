"""Category profiles: general facts per kind and per code range, merged from the widest to the narrowest."""

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


@cache
def _data() -> dict[str, Any]:
    text = resources.files("medcodes.explain").joinpath("profiles.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


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


def profile_for(system: str, code: str, kind: str) -> Profile:
    """Merged profile; shared between calls, so callers must not change it."""
    return _profile_for(system, _range_key(system, code), kind)


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

"""Operation inputs: the same names whether they came as query parameters (GET) or in a Parameters
resource (POST), read into one typed record per operation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from medcodes.fhir.errors import invalid

# Leading part of an ISO date(Time) the operations accept for `date`: a year, a month or a day.
_DATE_LENGTHS = {4: "-01-01", 7: "-01", 10: ""}


@dataclass(slots=True)
class Inputs:
    """Parameter name -> values, in the order they came."""

    values: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, name: str, value: Any) -> None:
        self.values.setdefault(name, []).append(value)

    def one(self, name: str) -> Any | None:
        got = self.values.get(name) or []
        if len(got) > 1:
            raise invalid(f"parameter {name!r} may be given once, not {len(got)} times")
        return got[0] if got else None

    def text(self, name: str, limit: int = 400) -> str | None:
        value = self.one(name)
        if value is None:
            return None
        if not isinstance(value, str | int | float | bool):
            raise invalid(f"parameter {name!r} must be a simple value")
        s = str(value).strip()
        if len(s) > limit:
            raise invalid(f"parameter {name!r} is longer than {limit} characters")
        return s or None

    def many(self, name: str) -> list[str]:
        return [str(v) for v in self.values.get(name, []) if isinstance(v, str | int)]

    def coding(self, name: str) -> dict[str, Any] | None:
        value = self.one(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise invalid(f"parameter {name!r} must be a Coding")
        return value

    def integer(self, name: str, *, lo: int, hi: int) -> int | None:
        value = self.text(name, limit=12)
        if value is None:
            return None
        try:
            n = int(value)
        except ValueError:
            raise invalid(f"parameter {name!r} must be a whole number, not {value[:20]!r}") from None
        if not lo <= n <= hi:
            raise invalid(f"parameter {name!r} must be between {lo} and {hi}")
        return n

    def boolean(self, name: str) -> bool | None:
        value = self.one(name)
        if value is None or isinstance(value, bool):
            return value
        s = str(value).strip().lower()
        if s in ("true", "false"):
            return s == "true"
        raise invalid(f"parameter {name!r} must be true or false")

    def date(self, name: str) -> date | None:
        value = self.text(name, limit=40)
        return None if value is None else parse_date(name, value)


def parse_date(name: str, value: str) -> date:
    head = value[:10] if len(value) > 10 and value[10] == "T" else value
    pad = _DATE_LENGTHS.get(len(head))
    try:
        if pad is None:
            raise ValueError(value)
        return date.fromisoformat(head + pad)
    except ValueError:
        raise invalid(
            f"parameter {name!r} must be a date (YYYY, YYYY-MM or YYYY-MM-DD), not {value[:30]!r}"
        ) from None


def from_query(items: list[tuple[str, str]]) -> Inputs:
    out = Inputs()
    for name, value in items:
        out.add(name, value)
    return out


def from_parameters(body: Any) -> Inputs:
    """Read a Parameters resource: each parameter's one value[x] (a Coding stays a dict)."""
    if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
        raise invalid("the request body must be a FHIR Parameters resource")
    out = Inputs()
    for p in body.get("parameter") or []:
        if not isinstance(p, dict) or not isinstance(p.get("name"), str):
            raise invalid("every parameter needs a name")
        values = [v for k, v in p.items() if k.startswith("value")]
        if "resource" in p:
            values.append(p["resource"])
        if len(values) != 1:
            raise invalid(f"parameter {p['name']!r} needs exactly one value")
        out.add(p["name"], values[0])
    return out

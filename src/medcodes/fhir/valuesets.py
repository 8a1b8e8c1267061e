"""Implicit value sets of the code systems: `{system uri}?fhir_vs` (every code) and
`{system uri}?fhir_vs=isa/{code}` (the code and everything below it)."""

from __future__ import annotations

from dataclasses import dataclass

from medcodes import systems
from medcodes.codes import canonical
from medcodes.fhir.errors import FhirError, invalid
from medcodes.store import Store


@dataclass(frozen=True, slots=True)
class ImplicitValueSet:
    url: str
    system: str
    isa: str | None = None  # canonical code

    def isa_display(self, store: Store) -> str:
        if not self.isa:
            return ""
        return store.displays(self.system, [self.isa]).get(self.isa, self.isa)


def parse_value_set(url: str) -> ImplicitValueSet:
    base, sep, query = url.partition("?")
    system = systems.by_fhir_uri(base.split("|", 1)[0])
    if not sep or not (query == "fhir_vs" or query.startswith("fhir_vs=")):
        if system is None:
            raise FhirError(
                404, "not-found", f"unknown value set {url[:200]!r}; use {{code system uri}}?fhir_vs"
            )
        raise invalid(f"{url[:200]!r} is not an implicit value set: add ?fhir_vs or ?fhir_vs=isa/CODE")
    if system is None:
        raise FhirError(404, "not-found", f"unknown code system {base[:200]!r} in the value set URL")
    if query == "fhir_vs":
        return ImplicitValueSet(url, system)
    kind, _, code = query[len("fhir_vs=") :].partition("/")
    if kind != "isa" or not code:
        raise FhirError(422, "not-supported", "only fhir_vs and fhir_vs=isa/CODE are supported")
    return ImplicitValueSet(url, system, canonical(code[:60]))

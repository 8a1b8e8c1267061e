"""The four code systems as FHIR resources: CodeSystem, and the server's CapabilityStatement and
TerminologyCapabilities, with each system's version taken from the database's sources."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from medcodes import __version__, systems
from medcodes.fhir.errors import FhirError, invalid, not_found
from medcodes.store import Store

FHIR_VERSION = "4.0.1"
# Designation uses and the successor map are this service's own; FHIR asks for an absolute URI.
DESIGNATION_USE = "urn:medcodes:designation-use"
SUCCESSOR_MAP = "urn:medcodes:conceptmap:successors"
CPT_NOTICE = (
    "CPT is a registered trademark of the American Medical Association (AMA). CPT descriptors are "
    "copyright AMA and are served only from the user's own licensed files."
)
PUBLISHERS = {
    "cpt": "American Medical Association",
    "hcpcs": "Centers for Medicare & Medicaid Services",
    "icd10cm": "National Center for Health Statistics (CDC)",
    "icd10pcs": "Centers for Medicare & Medicaid Services",
}

# Concept properties every $lookup may return (codes from http://hl7.org/fhir/concept-properties
# where one fits).
PROPERTIES: dict[str, tuple[str, str]] = {
    "parent": ("code", "The node directly above this one"),
    "child": ("code", "A node directly below this one"),
    "status": ("code", "active, or inactive once the code's termination date has passed"),
    "inactive": ("boolean", "True when the code is no longer in effect"),
    "billable": ("boolean", "Whether the code may be reported on a claim"),
    "notSelectable": ("boolean", "True for headers that are not codes a claim can carry"),
    "kind": ("code", "chapter, section, category, subcategory, code or modifier"),
    "effectiveDate": ("dateTime", "First date the code may be used, when the release says"),
    "retirementDate": ("dateTime", "Last date of service for a terminated code"),
    "comment": ("string", "Coding notes: includes, excludes, code first, use additional, code also"),
}
OPERATIONS = {
    "CodeSystem": ("lookup", "validate-code", "subsumes"),
    "ValueSet": ("expand", "validate-code"),
    "ConceptMap": ("translate",),
}


def versions(store: Store) -> dict[str, str]:
    """{system: version of the release the database holds}."""
    return {s["system"]: str(s["version"]) for s in store.sources()}


def version_of(store: Store, system: str) -> str | None:
    return versions(store).get(system)


def resolve_system(uri: str | None, *, required: bool = True) -> str | None:
    """The system id for a FHIR system URI (canonical or alias; `|version` suffix allowed)."""
    if not uri:
        if required:
            raise invalid("the code system is missing: give `system` (or `url`)")
        return None
    system = systems.by_fhir_uri(uri.split("|", 1)[0])
    if system is None:
        raise not_found(f"unknown code system {uri[:200]!r}; this server has {', '.join(all_uris())}")
    return system


def all_uris() -> list[str]:
    return [u for s in systems.REGISTRY.values() for u in (s.fhir_uri, *s.fhir_aliases)]


def check_version(store: Store, system: str, version: str | None) -> str | None:
    """The database's version of `system`; an error when the caller asked for another one."""
    ours = version_of(store, system)
    if version and ours and not (version == ours or ours.startswith(version)):
        raise FhirError(
            404,
            "not-found",
            f"{systems.get(system).name} version {version[:40]!r} is not loaded; this server has {ours}",
        )
    return ours


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def code_system(store: Store, system: str) -> dict[str, Any]:
    s = systems.get(system)
    res: dict[str, Any] = {
        "resourceType": "CodeSystem",
        "id": system,
        "url": s.fhir_uri,
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": a} for a in s.fhir_aliases],
        "name": s.name.replace("-", "").replace(" ", ""),
        "title": s.name,
        "status": "active",
        "experimental": False,
        "publisher": PUBLISHERS[system],
        "description": s.blurb,
        "caseSensitive": False,
        "valueSet": f"{s.fhir_uri}?fhir_vs",
        "hierarchyMeaning": "is-a",
        "content": "not-present",  # concepts through $lookup and $expand, not inline
        "count": store.node_counts().get(system, 0),
        "filter": [
            {
                "code": "concept",
                "description": "The concept and its descendants",
                "operator": ["is-a"],
                "value": "A code",
            }
        ],
        "property": [{"code": c, "type": t, "description": d} for c, (t, d) in PROPERTIES.items()],
    }
    if not res["identifier"]:
        del res["identifier"]
    version = version_of(store, system)
    if version:
        res["version"] = version
    if system == "cpt":
        res["copyright"] = CPT_NOTICE
    return res


def read(store: Store, id_: str) -> dict[str, Any]:
    if id_ not in systems.REGISTRY:
        raise not_found(f"no CodeSystem {id_[:60]!r}; this server has {', '.join(systems.SYSTEMS)}")
    return code_system(store, id_)


def search(store: Store, url: str | None = None, id_: str | None = None) -> dict[str, Any]:
    """A searchset Bundle of the CodeSystems whose URL (or an alias) or id matches."""
    chosen = list(systems.SYSTEMS)
    if url is not None:
        found = systems.by_fhir_uri(url.split("|", 1)[0])
        chosen = [found] if found else []
    if id_ is not None:
        chosen = [s for s in chosen if s == id_]
    return bundle([code_system(store, s) for s in chosen])


def bundle(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [
            {"fullUrl": f"{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
            for r in resources
        ],
    }


def capability_statement(store: Store) -> dict[str, Any]:
    ops = {
        t: [{"name": op, "definition": f"http://hl7.org/fhir/OperationDefinition/{t}-{op}"} for op in names]
        for t, names in OPERATIONS.items()
    }
    version_line = "; ".join(f"{systems.get(s).name} {v}" for s, v in versions(store).items())
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": _now(),
        "publisher": "medcodes",
        "kind": "instance",
        "software": {"name": "medcodes", "version": __version__},
        "implementation": {"description": f"medcodes terminology service ({version_line})"},
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "instantiates": ["http://hl7.org/fhir/CapabilityStatement/terminology-server"],
        "rest": [
            {
                "mode": "server",
                "resource": [
                    {
                        "type": "CodeSystem",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [{"name": "url", "type": "uri"}, {"name": "_id", "type": "token"}],
                        "operation": ops["CodeSystem"],
                    },
                    {"type": "ValueSet", "operation": ops["ValueSet"]},
                    {"type": "ConceptMap", "operation": ops["ConceptMap"]},
                ],
            }
        ],
    }


def terminology_capabilities(store: Store) -> dict[str, Any]:
    have = versions(store)
    return {
        "resourceType": "TerminologyCapabilities",
        "status": "active",
        "date": _now(),
        "kind": "instance",
        "software": {"name": "medcodes", "version": __version__},
        "codeSystem": [
            {
                "uri": s.fhir_uri,
                **({"version": [{"code": have[s.id], "isDefault": True}]} if s.id in have else {}),
            }
            for s in systems.REGISTRY.values()
        ],
        "expansion": {
            "hierarchical": False,
            "paging": True,
            "parameter": [{"name": n} for n in ("filter", "count", "offset", "activeOnly", "date")],
            "textFilter": "Words, lay terms and misspellings, ranked by medcodes search",
        },
        "validateCode": {"translations": False},
        "translation": {"needsMap": False},
    }

"""A FHIR R4 terminology facade over the store: CodeSystem resources, $lookup, $validate-code,
$subsumes, $expand on implicit value sets and $translate for deleted codes. Pure functions that
return resources as dicts; the web face routes requests to them and supplies the text search."""

from medcodes.fhir.codesystems import (
    capability_statement,
    code_system,
    read,
    search,
    terminology_capabilities,
)
from medcodes.fhir.errors import FhirError, operation_outcome
from medcodes.fhir.operations import (
    Found,
    expand,
    lookup,
    subsumes,
    translate,
    validate_code,
    validate_in_value_set,
)
from medcodes.fhir.params import Inputs, from_parameters, from_query

__all__ = [
    "FhirError",
    "Found",
    "Inputs",
    "capability_statement",
    "code_system",
    "expand",
    "from_parameters",
    "from_query",
    "lookup",
    "operation_outcome",
    "read",
    "search",
    "subsumes",
    "terminology_capabilities",
    "translate",
    "validate_code",
    "validate_in_value_set",
]

"""FHIR errors: an exception carrying the HTTP status and the OperationOutcome issue code, and the
OperationOutcome resource a face answers with."""

from __future__ import annotations

from typing import Any


class FhirError(Exception):
    """A request the terminology service cannot answer; `status` is the HTTP status, `code` the
    OperationOutcome issue type (http://hl7.org/fhir/issue-type)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def invalid(message: str) -> FhirError:
    return FhirError(400, "invalid", message)


def not_found(message: str) -> FhirError:
    return FhirError(404, "not-found", message)


def operation_outcome(code: str, message: str, severity: str = "error") -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": message, "details": {"text": message}}],
    }

"""FHIR errors: one exception type, and handlers that answer every error as an OperationOutcome."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from plan_service.http import fhir_response

# HTTP status -> OperationOutcome issue type, for errors raised by Flask/Werkzeug themselves.
_ISSUE_CODE_BY_STATUS = {
    400: "invalid",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    409: "conflict",
    410: "deleted",
    412: "conflict",
    413: "too-long",
    415: "not-supported",
    428: "required",
}


@dataclass(frozen=True)
class Issue:
    code: str
    diagnostics: str
    expression: str | None = None

    def as_json(self) -> dict[str, Any]:
        issue: dict[str, Any] = {
            "severity": "error",
            "code": self.code,
            "diagnostics": self.diagnostics,
        }
        if self.expression:
            issue["expression"] = [self.expression]
        return issue


@dataclass(eq=False)  # exceptions compare and hash by identity
class FhirError(Exception):
    """An error answered as an OperationOutcome with `status`."""

    status: int
    code: str
    diagnostics: str
    expression: str | None = None
    extra_issues: list[Issue] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.diagnostics}"

    @classmethod
    def from_issues(cls, status: int, issues: Iterable[Issue]) -> FhirError:
        first, *rest = issues
        return cls(status, first.code, first.diagnostics, first.expression, rest)

    @property
    def issues(self) -> list[Issue]:
        return [Issue(self.code, self.diagnostics, self.expression), *self.extra_issues]


def bad_request(
    diagnostics: str, expression: str | None = None, code: str = "invalid"
) -> FhirError:
    return FhirError(400, code, diagnostics, expression)


def not_found(diagnostics: str) -> FhirError:
    return FhirError(404, "not-found", diagnostics)


def operation_outcome(issues: Iterable[Issue]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": [i.as_json() for i in issues]}


def init_app(app: Flask) -> None:
    @app.errorhandler(FhirError)
    def _fhir_error(error: FhirError):  # type: ignore[no-untyped-def]
        return fhir_response(operation_outcome(error.issues), error.status, error.headers)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        status = error.code or 500
        code = _ISSUE_CODE_BY_STATUS.get(status, "exception" if status >= 500 else "invalid")
        response = fhir_response(
            operation_outcome([Issue(code, error.description or error.name)]), status
        )
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):  # type: ignore[no-untyped-def]
        # Details go to the log only: an OperationOutcome must not leak internals to clients.
        app.logger.exception("Unhandled error in plan service", exc_info=error)
        return fhir_response(operation_outcome([Issue("exception", "Internal server error.")]), 500)

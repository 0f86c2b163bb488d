"""The portal's side of the shared plan API: the client, FHIR names, and one module per resource family that
maps FHIR JSON to the domain objects in domain.py and back and offers typed operations (see docs/plan-api-module.md)."""

from .client import Fetched, PlanClient, Stored
from .errors import (
    PlanAPIConflict,
    PlanAPIError,
    PlanAPINotFound,
    PlanAPIRejected,
    PlanAPIUnavailable,
)

__all__ = [
    "Fetched",
    "PlanAPIConflict",
    "PlanAPIError",
    "PlanAPINotFound",
    "PlanAPIRejected",
    "PlanAPIUnavailable",
    "PlanClient",
    "Stored",
]

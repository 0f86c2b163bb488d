"""The portal's side of the shared plan API: client, FHIR names and builders, mapping to domain objects."""

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

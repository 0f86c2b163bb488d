"""The one place that says which resource types the service supports and how each is searched.

Adding a type (Task, Appointment, QuestionnaireResponse, ...) is one `_type(...)` entry below: its
search parameters, its required fields and the code sets of its required bindings. Storage,
indexing, search, validation, the CapabilityStatement and $everything all read from here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

SD = "https://borgerensplan.dk/fhir/StructureDefinition/"
SUBSTITUTE_EXTENSION = SD + "substitute"

# Use with fullmatch: "$" would also accept a trailing newline.
ID_PATTERN = re.compile(r"[A-Za-z0-9\-.]{1,64}")

TokenDatatype = Literal["code", "CodeableConcept", "Identifier"]
FieldKind = Literal["code", "object"]


@dataclass(frozen=True)
class SearchParam:
    name: str
    kind: Literal["token", "reference"]
    paths: tuple[str, ...]
    # token: the FHIR datatype found at the paths; reference: the types a reference may target
    # to be indexed (empty = any type).
    datatype: TokenDatatype | None = None
    targets: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ResourceType:
    name: str
    search_params: Mapping[str, SearchParam]
    required: Mapping[str, FieldKind]
    # Required bindings on top-level code fields: field -> allowed codes.
    code_sets: Mapping[str, frozenset[str]]

    @property
    def in_patient_compartment(self) -> bool:
        return "patient" in self.search_params


def _token(name: str, path: str, datatype: TokenDatatype) -> SearchParam:
    return SearchParam(name, "token", (path,), datatype=datatype)


def _reference(name: str, *paths: str, targets: tuple[str, ...] = ()) -> SearchParam:
    return SearchParam(name, "reference", paths, targets=frozenset(targets))


IDENTIFIER = _token("identifier", "identifier", "Identifier")
# The contract: `patient` matches the resource's `subject` or `patient`.
PATIENT = _reference("patient", "subject", "patient", targets=("Patient",))
STATUS = _token("status", "status", "code")


def _type(
    name: str,
    *params: SearchParam,
    required: Mapping[str, FieldKind] | None = None,
    code_sets: Mapping[str, str] | None = None,
) -> ResourceType:
    """A resource type; `code_sets` maps a code field to its allowed codes, space-separated."""
    # Every type is searchable by identifier (the client-assigned idempotency key lives there).
    by_name = {p.name: p for p in (IDENTIFIER, *params)}
    return ResourceType(
        name=name,
        search_params=MappingProxyType(by_name),
        required=MappingProxyType(dict(required or {})),
        code_sets=MappingProxyType({k: frozenset(v.split()) for k, v in (code_sets or {}).items()}),
    )


_TYPES = (
    _type("Patient"),
    _type("RelatedPerson", PATIENT, required={"patient": "object"}),
    _type("Practitioner"),
    _type(
        "PractitionerRole",
        _reference("practitioner", "practitioner", targets=("Practitioner",)),
    ),
    _type(
        "CareTeam",
        PATIENT,
        _reference("participant", "participant.member"),
        STATUS,
        code_sets={"status": "proposed active suspended inactive entered-in-error"},
    ),
    _type(
        "CarePlan",
        PATIENT,
        STATUS,
        required={"status": "code", "intent": "code", "subject": "object"},
        code_sets={
            "status": "draft active on-hold revoked completed entered-in-error unknown",
            "intent": "proposal plan order option",
        },
    ),
    _type(
        "Goal",
        PATIENT,
        _token("lifecycle-status", "lifecycleStatus", "code"),
        required={"lifecycleStatus": "code", "description": "object", "subject": "object"},
        code_sets={
            "lifecycleStatus": "proposed planned accepted active on-hold completed cancelled"
            " entered-in-error rejected"
        },
    ),
    _type(
        "Observation",
        PATIENT,
        _reference("focus", "focus"),
        _token("code", "code", "CodeableConcept"),
        required={"status": "code", "code": "object"},
        code_sets={
            "status": "registered preliminary final amended corrected cancelled"
            " entered-in-error unknown"
        },
    ),
    _type(
        "Communication",
        PATIENT,
        _reference("recipient", "recipient"),
        _reference("sender", "sender"),
        STATUS,
        _reference("part-of", "partOf"),
        _reference("about", "about"),
        _token("category", "category", "CodeableConcept"),
        required={"status": "code"},
        code_sets={
            "status": "preparation in-progress not-done on-hold stopped completed"
            " entered-in-error unknown"
        },
    ),
    # A citizen's application or case: where it stands (businessStatus), by when a decision is due
    # (restriction.period.end), what it is about (focus/basedOn), whose it is (for).
    _type(
        "Task",
        _reference("patient", "for", targets=("Patient",)),
        STATUS,
        _reference("owner", "owner"),
        _reference("focus", "focus"),
        required={"status": "code", "intent": "code", "for": "object"},
        code_sets={
            "status": "draft requested received accepted rejected ready cancelled in-progress"
            " on-hold failed completed entered-in-error",
            "intent": "unknown proposal plan order original-order reflex-order filler-order"
            " instance-order option",
        },
    ),
    # A meeting: the citizen among the participants.
    _type(
        "Appointment",
        _reference("patient", "participant.actor", targets=("Patient",)),
        _reference("actor", "participant.actor"),
        STATUS,
        required={"status": "code"},
        code_sets={
            "status": "proposed pending booked arrived fulfilled cancelled noshow"
            " entered-in-error checked-in waitlist"
        },
    ),
    # Answers to a short questionnaire (meeting preparation, contact feedback); linked to its
    # Appointment or Communication through an extension's valueReference.
    _type(
        "QuestionnaireResponse",
        PATIENT,
        STATUS,
        _reference("about", "extension.valueReference"),
        required={"status": "code", "subject": "object"},
        code_sets={"status": "in-progress completed amended entered-in-error stopped"},
    ),
    # Who wrote what, for whom: written with the resource (X-Provenance on POST/PUT) or on its own.
    # Not in the patient compartment: $everything (the plan page) stays as it was.
    _type(
        "Provenance",
        _reference("target", "target"),
        _reference("agent", "agent.who"),
        _reference("on-behalf-of", "agent.onBehalfOf"),
    ),
)

RESOURCE_TYPES: Mapping[str, ResourceType] = MappingProxyType({t.name: t for t in _TYPES})

# $everything: the Patient, its compartment, and the caseworkers its CareTeams lead to.
EVERYTHING_TYPES: tuple[str, ...] = (
    "Patient",
    *(t.name for t in _TYPES if t.in_patient_compartment),
    "PractitionerRole",
    "Practitioner",
)

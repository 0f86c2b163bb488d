"""can(actor, action, citizen, resource=None): the one authorization policy. Deny by default.

Permissions are named `<area>:<resource>:<action>`. The actor carries the facts the policy needs (its own
plan reference, the delegations it holds, the citizens it covers as a caseworker), loaded once per request;
where the answer depends on the thing acted on (whose delegation, of which kind; whose absence), the guard
passes that thing's facts as `resource`. So the policy itself is a pure function, with no database and no
request: the same question always gets the same answer, and the matrix test can ask it directly.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from ..models import AccountKind


class Action(enum.StrEnum):
    PLAN_READ = "citizen:plan:read"
    PROGRESS_SIGN_WRITE = "citizen:progress-sign:write"
    GOAL_PROPOSE = "citizen:goal:propose"
    GOAL_FEEDBACK_WRITE = "citizen:goal-feedback:write"
    MESSAGE_READ = "citizen:message:read"
    MESSAGE_WRITE = "citizen:message:write"
    DELEGATION_MANAGE = "citizen:delegation:manage"
    ACCESS_LOG_READ = "citizen:access-log:read"
    MY_DATA_EXPORT = "citizen:my-data:export"
    CASE_READ = "citizen:case:read"
    MEETING_PREPARE = "citizen:meeting:prepare"
    CONTACT_FEEDBACK_WRITE = "citizen:contact-feedback:write"
    COMPLAINT_WRITE = "citizen:complaint:write"
    # Goal Attainment Scaling: the levels of a goal in the citizen's words, and rating where it stands.
    GAS_LEVELS_WRITE = "citizen:gas-levels:write"
    GAS_RATING_WRITE = "citizen:gas-rating:write"
    # The signed-in person's own sign-in settings: passkeys and sessions. No citizen's plan data.
    OWN_ACCOUNT_MANAGE = "account:sign-in:manage"
    # Caseworker area: my own caseload and absence (any caseworker), and a citizen's case (the fixed
    # caseworker, and the substitute during an absence).
    CASELOAD_READ = "caseworker:caseload:read"
    ABSENCE_MANAGE = "caseworker:absence:manage"
    CASE_PLAN_READ = "caseworker:plan:read"
    CASE_REVIEW = "caseworker:review:write"
    CASE_UPDATE = "caseworker:case:write"
    # My whole caseload to a colleague (any caseworker, for their own caseload), and the team's
    # satisfaction and complaint figures (counts only beyond my own citizens).
    CASELOAD_HAND_OVER = "caseworker:caseload:hand-over"
    TEAM_READ = "caseworker:team:read"


class Role(enum.StrEnum):
    CITIZEN = "citizen"
    RELATIVE = "relative"
    GUARDIAN = "guardian"
    PARENT = "parent"
    FULDMAGT = (
        "fuldmagt"  # a power of attorney from Digital Fuldmagt, as carried by the MitID sign-in
    )
    FIXED_CASEWORKER = "fixed-caseworker"
    SUBSTITUTE = "substitute"


@dataclass(frozen=True)
class Grant:
    """One relation of the actor to one citizen, already checked as in force today (not expired, revoked)."""

    citizen_ref: str
    role: Role
    scopes: frozenset[str] = frozenset()
    # Who writes, in the plan API, when this actor writes for the citizen (RelatedPerson/…).
    author_ref: str | None = None
    delegation_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Actor:
    account_id: uuid.UUID | None
    kind: AccountKind | None
    fhir_ref: str | None
    display_name: str = ""
    grants: tuple[Grant, ...] = ()

    @property
    def anonymous(self) -> bool:
        return self.account_id is None

    def grant_for(self, citizen_ref: str | None) -> Grant | None:
        return next((g for g in self.grants if g.citizen_ref == citizen_ref), None)


ANONYMOUS = Actor(None, None, None)


@dataclass(frozen=True)
class DelegationFacts:
    """What the policy needs to know of one delegation: whose it is, its kind, and who acts through it."""

    citizen_ref: str
    role: Role
    relative_account_id: uuid.UUID | None = None


@dataclass(frozen=True)
class AbsenceFacts:
    """A caseworker's absence and substitute, as stored on one PractitionerRole."""

    role_ref: str


@dataclass(frozen=True)
class Missing:
    """The route names a resource that does not exist (or an id that is no id): nobody may act on it."""


NOTHING = Missing()
Resource = DelegationFacts | AbsenceFacts | Missing


@dataclass(frozen=True)
class Decision:
    allowed: bool
    # How the actor stands to the citizen, for the audit log and the "acting for" banner.
    role: str

    def __bool__(self) -> bool:
        return self.allowed


_CITIZEN_OWN = frozenset(
    {
        Action.PLAN_READ,
        Action.PROGRESS_SIGN_WRITE,
        Action.GOAL_PROPOSE,
        Action.GOAL_FEEDBACK_WRITE,
        Action.MESSAGE_READ,
        Action.MESSAGE_WRITE,
        Action.DELEGATION_MANAGE,
        Action.ACCESS_LOG_READ,
        Action.MY_DATA_EXPORT,
        Action.CASE_READ,
        Action.MEETING_PREPARE,
        Action.CONTACT_FEEDBACK_WRITE,
        Action.COMPLAINT_WRITE,
        Action.GAS_LEVELS_WRITE,
        Action.GAS_RATING_WRITE,
    }
)
# What each scope of a delegation allows; nothing else is ever allowed through a delegation.
_BY_SCOPE = {
    "read": frozenset({Action.PLAN_READ, Action.CASE_READ}),
    "write": frozenset(
        {
            Action.PROGRESS_SIGN_WRITE,
            Action.GOAL_PROPOSE,
            Action.GOAL_FEEDBACK_WRITE,
            Action.MEETING_PREPARE,
            Action.CONTACT_FEEDBACK_WRITE,
            Action.GAS_LEVELS_WRITE,
            Action.GAS_RATING_WRITE,
        }
    ),
    "message": frozenset({Action.MESSAGE_READ, Action.MESSAGE_WRITE, Action.COMPLAINT_WRITE}),
}
_DELEGATED = frozenset({Role.RELATIVE, Role.GUARDIAN, Role.PARENT, Role.FULDMAGT})
_CASEWORKER = frozenset({Action.CASE_PLAN_READ, Action.CASE_REVIEW, Action.CASE_UPDATE})


def can(
    actor: Actor, action: Action, citizen_ref: str | None, resource: Resource | None = None
) -> Decision:
    """May `actor` do `action` for the citizen `citizen_ref`, on `resource` when the route names one?"""
    decision = _can(actor, action, citizen_ref)
    if not decision or resource is None:
        return decision
    if _on_resource(actor, action, citizen_ref, resource, decision):
        return decision
    return Decision(False, decision.role)


def _on_resource(
    actor: Actor, action: Action, citizen_ref: str | None, resource: Resource, decision: Decision
) -> bool:
    """The rules that depend on the thing acted on, for an actor already allowed the action itself."""
    if isinstance(resource, AbsenceFacts):
        # A caseworker's absence is their own to set: nobody sets another's.
        return action is Action.ABSENCE_MANAGE and resource.role_ref == actor.fhir_ref
    if isinstance(resource, DelegationFacts):
        if action is Action.OWN_ACCOUNT_MANAGE:
            # A relative's own grant: only the person who acts through it may end their own access (a
            # guardian's or parent's ends with a caseworker, a power of attorney in Digital Fuldmagt).
            return (
                actor.kind is AccountKind.RELATIVE
                and resource.role is Role.RELATIVE
                and resource.relative_account_id is not None
                and resource.relative_account_id == actor.account_id
            )
        if resource.citizen_ref != citizen_ref:
            return False  # another citizen's delegation answers like a missing one
        if action is Action.DELEGATION_MANAGE:
            # The citizen changes and ends the relatives they invited; a guardian's, a parent's or a power
            # of attorney is not theirs to end (a caseworker or Digital Fuldmagt does).
            return decision.role == Role.CITIZEN.value and resource.role is Role.RELATIVE
        if action is Action.CASE_REVIEW:
            # Staff register and end guardians and parents (and see powers of attorney); a relative's
            # delegation is the citizen's alone.
            return resource.role is not Role.RELATIVE
        return False
    return False  # Missing, or a resource no rule speaks of


def _can(actor: Actor, action: Action, citizen_ref: str | None) -> Decision:
    if actor.anonymous:
        return Decision(False, "anonymous")
    if action is Action.OWN_ACCOUNT_MANAGE:
        return Decision(True, "self")
    if action in (
        Action.CASELOAD_READ,
        Action.ABSENCE_MANAGE,
        Action.CASELOAD_HAND_OVER,
        Action.TEAM_READ,
    ):
        return Decision(actor.kind is AccountKind.CASEWORKER, "self")
    if citizen_ref is None:
        return Decision(False, "none")
    if actor.kind is AccountKind.CITIZEN and actor.fhir_ref == citizen_ref:
        return Decision(action in _CITIZEN_OWN, Role.CITIZEN.value)
    grant = actor.grant_for(citizen_ref)
    if grant is None:
        return Decision(False, "none")
    if grant.role in _DELEGATED:
        allowed = any(action in _BY_SCOPE.get(scope, frozenset()) for scope in grant.scopes)
        return Decision(allowed, grant.role.value)
    if grant.role in (Role.FIXED_CASEWORKER, Role.SUBSTITUTE):
        return Decision(action in _CASEWORKER, grant.role.value)
    return Decision(False, "none")

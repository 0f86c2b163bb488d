"""can(actor, action, citizen): deny by default.

Permissions are named `<area>:<resource>:<action>`. Only rules written below allow anything; an action nobody
has a rule for is refused to everyone.
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
    # The signed-in person's own sign-in settings: passkeys and sessions. No citizen's plan data.
    OWN_ACCOUNT_MANAGE = "account:sign-in:manage"


@dataclass(frozen=True)
class Actor:
    account_id: uuid.UUID | None
    kind: AccountKind | None
    fhir_ref: str | None
    display_name: str = ""

    @property
    def anonymous(self) -> bool:
        return self.account_id is None


ANONYMOUS = Actor(None, None, None)


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
    }
)


def can(actor: Actor, action: Action, citizen_ref: str | None) -> Decision:
    if action is Action.OWN_ACCOUNT_MANAGE:
        return Decision(not actor.anonymous, "self" if not actor.anonymous else "anonymous")
    if actor.anonymous or citizen_ref is None:
        return Decision(False, "anonymous" if actor.anonymous else "none")
    if actor.kind is AccountKind.CITIZEN and actor.fhir_ref == citizen_ref:
        return Decision(action in _CITIZEN_OWN, "citizen")
    return Decision(False, "none")

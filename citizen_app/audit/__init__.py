"""The access log: one append-only event per access to a citizen's data. Content never goes in it."""

from __future__ import annotations

from flask import g
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from .. import db
from ..authz.policy import Actor, Decision
from ..models import Account, AccountKind, AuditEvent, utcnow


def record(
    actor: Actor,
    action: str,
    resource_type: str,
    citizen_ref: str | None,
    decision: Decision,
) -> AuditEvent:
    """Add the event to this request's session: it commits with the request's own writes, or alone below."""
    audit_event = AuditEvent(
        actor_account_id=actor.account_id,
        actor_role=decision.role,
        actor_unit=g.get("staff_unit"),
        citizen_ref=citizen_ref,
        action=action,
        resource_type=resource_type,
        outcome="allowed" if decision.allowed else "denied",
    )
    session = db.session()
    session.add(audit_event)
    # A refused or read-only request commits nothing else; the event must still be written.
    session.commit()
    return audit_event


# A list page showed the citizen's name (and what waits) to a caseworker: one event per citizen named.
LISTED_IN_CASELOAD = "caseworker:caseload:listed"
NAMED_ON_TEAM_PAGE = "caseworker:team:named"


def record_listed(actor: Actor, action: str, resource_type: str, roles: dict[str, str]) -> None:
    """One event per citizen a list page names, `roles` = {citizen_ref: the actor's role for them}, written
    in one INSERT: the page's query count does not grow with the number of citizens it lists."""
    if not roles:
        return
    now = utcnow()
    rows = [
        {
            "at": now,
            "actor_account_id": actor.account_id,
            "actor_role": role,
            "actor_unit": g.get("staff_unit"),
            "citizen_ref": citizen_ref,
            "action": action,
            "resource_type": resource_type,
            "outcome": "allowed",
        }
        for citizen_ref, role in roles.items()
    ]
    session = db.session()
    session.execute(insert(AuditEvent), rows)
    session.commit()


def record_account_event(
    account: Account | None, action: str, resource_type: str, outcome: str
) -> None:
    """Sign-in events: who (if known), the action, allowed or refused. Never the code or the credential."""
    is_citizen = account is not None and account.kind is AccountKind.CITIZEN
    session = db.session()
    session.add(
        AuditEvent(
            actor_account_id=account.id if account else None,
            actor_role=account.kind.value if account else "anonymous",
            citizen_ref=account.fhir_ref if is_citizen else None,
            action=action,
            resource_type=resource_type,
            outcome=outcome,
        )
    )
    session.commit()


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, _context: object, _instances: object) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise PermissionError("the access log is append-only")

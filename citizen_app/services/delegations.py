"""Delegated access: invite, accept, change, renew, revoke; guardians and parents registered by a caseworker.

Rules (docs/delegation.md): a delegation has an end date, at most 12 months ahead, renewable; "see my plan" is
part of every scope; a relative's delegation is the citizen's to change or revoke (and the relative's own to
end), a guardian's or parent's is the caseworker's; a parent's ends when the child turns 18, and from 15 the child has their own account too.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date, timedelta

from sqlalchemy.orm import Session

from ..auth import activation
from ..data.delegations import by_invitation_hash
from ..models import Account, AccountKind, Delegation, DelegationKind, Scope, utcnow
from ..plan_api import PlanClient, patients
from . import receipts

MAX_DAYS = 366  # "at most 12 months": a year from today, a leap day included
INVITATION_DAYS = 14
RELATIONSHIP = {
    DelegationKind.RELATIVE: "pårørende",
    DelegationKind.GUARDIAN: "værge",
    DelegationKind.PARENT: "forælder med forældremyndighed",
    DelegationKind.FULDMAGT: "fuldmagt",
}


class DelegationError(ValueError):
    """A request the rules refuse; `reason` names which rule, for the form to explain."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalise_scopes(scopes: set[str]) -> str:
    chosen = {s for s in scopes if s in Scope._value2member_map_}
    if not chosen:
        raise DelegationError("no-scope")
    chosen.add(Scope.READ.value)  # writing or messaging for someone means seeing their plan
    return " ".join(sorted(chosen))


def check_end(ends_on: date | None, today: date) -> date:
    if ends_on is None:
        raise DelegationError("no-end")
    if ends_on < today:
        raise DelegationError("end-past")
    if ends_on > today + timedelta(days=MAX_DAYS):
        raise DelegationError("end-too-far")
    return ends_on


def invite(
    db_session: Session,
    *,
    citizen: Account,
    name: str,
    contact: str,
    scopes: set[str],
    ends_on: date | None,
    secret_key: str,
    kind: DelegationKind = DelegationKind.RELATIVE,
    created_by: uuid.UUID | None = None,
    decision_note: str = "",
    today: date | None = None,
) -> tuple[Delegation, str]:
    """A delegation waiting for its invitation code; returns the code, shown once and stored only hashed."""
    today = today or date.today()
    code = activation.new_code()
    delegation = Delegation(
        citizen_account_id=citizen.id,
        citizen_ref=citizen.fhir_ref,
        kind=kind,
        name=name.strip(),
        contact=contact.strip(),
        scopes=normalise_scopes(scopes),
        ends_on=check_end(ends_on, today)
        if kind is DelegationKind.RELATIVE
        else (ends_on or today),
        invitation_hash=activation.code_hash(secret_key, code, "invitation"),
        invitation_expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
        created_by=created_by or citizen.id,
        decision_note=decision_note,
    )
    db_session.add(delegation)
    db_session.flush()
    return delegation, code


def accept(
    db_session: Session,
    client: PlanClient,
    *,
    code: str,
    secret_key: str,
    relative: Account | None,
) -> tuple[Delegation, Account] | None:
    """Redeem an invitation code: link (or create) the relative's account and their RelatedPerson."""
    digest = activation.code_hash(secret_key, activation.normalise(code), "invitation")
    delegation = by_invitation_hash(db_session, digest)
    now = utcnow()
    if (
        delegation is None
        or delegation.accepted_at is not None
        or delegation.revoked_at is not None
        or (delegation.invitation_expires_at or now) <= now
    ):
        return None
    # The plan API's record of this person for this citizen: the author of all they write for them.
    given, _, family = delegation.name.partition(" ")
    related = patients.related_person(
        client,
        delegation.citizen_ref,
        name=delegation.name,
        given=given,
        family=family,
        relationship=RELATIONSHIP[delegation.kind],
        message_id=uuid.uuid5(uuid.NAMESPACE_URL, f"borgerensplan:delegation:{delegation.id}"),
    )
    if relative is None:
        relative = Account(
            username=f"relative-{secrets.token_hex(5)}",
            kind=AccountKind.RELATIVE,
            display_name=delegation.name,
            fhir_ref=related,
        )
        db_session.add(relative)
        db_session.flush()
    delegation.relative_account_id = relative.id
    delegation.related_person_ref = related
    delegation.accepted_at = now
    delegation.invitation_hash = None  # spent
    db_session.flush()
    return delegation, relative


def change(
    db_session: Session,
    delegation: Delegation,
    *,
    scopes: set[str],
    ends_on: date | None,
    today: date | None = None,
) -> None:
    delegation.scopes = normalise_scopes(scopes)
    delegation.ends_on = check_end(ends_on, today or date.today())
    db_session.flush()


def revoke(db_session: Session, delegation: Delegation, *, by: Account) -> None:
    """End a delegation now. Who may end which (the citizen a relative's, staff a guardian's or a parent's,
    the relative their own) the policy decides, before this is called."""
    if delegation.revoked_at is None:
        delegation.revoked_at = utcnow()
        delegation.revoked_by = by.id
    db_session.flush()


def end_own(
    db_session: Session, delegation: Delegation, *, relative: Account, today: date | None = None
) -> bool:
    """A relative ends their own access. The policy has checked it is theirs; here it ends only when it is
    still in force (a second press, or one after the citizen ended it, changes nothing and tells no one).
    The citizen is told by a receipt, committed with the change. True when it ended now."""
    if not delegation.active_on(today or date.today()):
        return False
    revoke(db_session, delegation, by=relative)
    receipts.note_access_ended(db_session, delegation)
    db_session.flush()
    return True


def parent_ends_on(birth_date: date) -> date:
    """Custody ends when the child comes of age: the day before the 18th birthday."""
    try:
        eighteen = birth_date.replace(year=birth_date.year + 18)
    except ValueError:  # born 29 February
        eighteen = date(birth_date.year + 18, 3, 1)
    return eighteen - timedelta(days=1)

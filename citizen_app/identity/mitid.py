"""Who signed in with MitID: the CPR number matched to a Patient in the plan API, the account found or made,
and the Digital Fuldmagt privileges turned into delegations for this sign-in.

The CPR number is used for two things only, and then forgotten: a search in the plan API (Patient by
identifier `urn:oid:1.2.208.176.1.2`), and a keyed hash (HMAC-SHA256) kept on the account to find it again.
It is never stored, logged, put in a URL of the portal, or written in the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Account, AccountKind, Delegation, DelegationKind, utcnow
from ..plan_api import PlanClient, patients
from .saml import SignedInPerson

# The "borgerfuldmagt" rights the portal defines in Digital Fuldmagt, mapped to the delegation scopes.
PRIVILEGE_SCOPES = {"see-plan": "read", "write": "write", "message": "message"}


class NoPatient(Exception):
    """The person is not a citizen in the plan API, and holds no power of attorney we can use."""


class StaffAccount(Exception):
    """The CPR number leads to a staff account: staff sign in their own way, never as citizens."""


def cpr_hash(key: str, cpr: str) -> str:
    return hmac.new(key.encode(), b"cpr:" + cpr.encode("ascii"), hashlib.sha256).hexdigest()


def find_patient(client: PlanClient, cpr: str) -> str | None:
    found = patients.find_by_cpr(client, cpr)
    if len(found) != 1:
        return None  # none, or (wrongly) several: never guess between people
    return found[0]


def scopes_from(privileges: frozenset[str], prefix: str) -> set[str]:
    return {
        PRIVILEGE_SCOPES[p.removeprefix(prefix)]
        for p in privileges
        if p.startswith(prefix) and p.removeprefix(prefix) in PRIVILEGE_SCOPES
    }


def account_for(
    db_session: Session,
    client: PlanClient,
    person: SignedInPerson,
    *,
    key: str,
    privilege_prefix: str,
    today: date | None = None,
) -> tuple[Account, list[Delegation]]:
    """The account to sign in, and the fuldmagt delegations in force for it now. Commits."""
    digest = cpr_hash(key, person.cpr)
    by_hash = db_session.scalar(select(Account).where(Account.cpr_hash == digest))
    if by_hash is not None and by_hash.kind is AccountKind.CASEWORKER:
        raise StaffAccount
    patient_ref = find_patient(client, person.cpr)
    if patient_ref is not None:
        account = db_session.scalar(select(Account).where(Account.fhir_ref == patient_ref))
        if account is not None and account.kind is not AccountKind.CITIZEN:
            raise StaffAccount
        if account is None:
            account = Account(
                username=f"citizen-{secrets.token_hex(5)}",
                kind=AccountKind.CITIZEN,
                display_name=person.name or "—",
                fhir_ref=patient_ref,
            )
            db_session.add(account)
        if by_hash is not None and by_hash is not account:
            by_hash.cpr_hash = None  # the number now leads to this Patient's account only
            db_session.flush()
        account.cpr_hash = digest
        db_session.flush()
        return account, []
    granted = {
        cpr: scopes
        for cpr, rights in person.privileges.items()
        if cpr != person.cpr and (scopes := scopes_from(rights, privilege_prefix))
    }
    if by_hash is None and not granted:
        raise NoPatient
    if by_hash is not None and by_hash.kind is not AccountKind.RELATIVE:
        raise NoPatient  # a citizen account whose Patient is gone in the plan API
    delegations = _sync_fuldmagt(
        db_session, client, by_hash, person, digest, granted, today or date.today()
    )
    account = by_hash or (
        db_session.get(Account, delegations[0].relative_account_id) if delegations else None
    )
    if account is None:
        raise NoPatient
    db_session.flush()
    return account, delegations


def _sync_fuldmagt(
    db_session: Session,
    client: PlanClient,
    relative: Account | None,
    person: SignedInPerson,
    digest: str,
    granted: dict[str, set[str]],
    today: date,
) -> list[Delegation]:
    """Delegations as the assertion says now: new ones made, changed ones updated, gone ones ended."""
    now = utcnow()
    existing: list[Delegation] = []
    if relative is not None:
        existing = list(
            db_session.scalars(
                select(Delegation).where(
                    Delegation.relative_account_id == relative.id,
                    Delegation.revoked_at.is_(None),
                )
            )
        )
    fuldmagt = {d.citizen_ref: d for d in existing if d.kind is DelegationKind.FULDMAGT}
    # A grant the portal registered (an invitation, a guardian, a parent) stands as it is: a power of
    # attorney for the same citizen never widens it, nor adds a second grant beside it.
    other = {d.citizen_ref for d in existing if d.kind is not DelegationKind.FULDMAGT}
    kept: list[Delegation] = []
    for cpr, scopes in granted.items():
        citizen_ref = find_patient(client, cpr)
        if citizen_ref is None or citizen_ref in other:
            continue
        citizen = db_session.scalar(select(Account).where(Account.fhir_ref == citizen_ref))
        if citizen is None:
            citizen = Account(
                username=f"citizen-{secrets.token_hex(5)}",
                kind=AccountKind.CITIZEN,
                display_name="—",
                fhir_ref=citizen_ref,
            )
            db_session.add(citizen)
            db_session.flush()
        related = patients.related_person(
            client,
            citizen_ref,
            name=person.name or "—",
            relationship="fuldmagt",
            message_id=uuid.uuid5(
                uuid.NAMESPACE_URL, f"borgerensplan:fuldmagt:{digest}:{citizen_ref}"
            ),
        )
        if relative is None:
            relative = Account(
                username=f"relative-{secrets.token_hex(5)}",
                kind=AccountKind.RELATIVE,
                display_name=person.name or "—",
                fhir_ref=related,
                cpr_hash=digest,
            )
            db_session.add(relative)
            db_session.flush()
        delegation = fuldmagt.pop(citizen_ref, None)
        if delegation is None:
            delegation = Delegation(
                citizen_account_id=citizen.id,
                citizen_ref=citizen_ref,
                relative_account_id=relative.id,
                kind=DelegationKind.FULDMAGT,
                name=person.name or "—",
                accepted_at=now,
                related_person_ref=related,
                scopes="",
                ends_on=today,
            )
            db_session.add(delegation)
        delegation.scopes = " ".join(sorted(scopes))
        # In force for the day of this sign-in: the next day needs a sign-in that still carries it.
        delegation.ends_on = today
        kept.append(delegation)
    for gone in fuldmagt.values():
        gone.revoked_at = now  # the power of attorney is no longer in the assertion
    db_session.flush()
    return kept

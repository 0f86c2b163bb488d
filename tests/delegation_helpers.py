"""Making relatives, guardians and parents for tests, through the same service the pages use."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from citizen_app import db
from citizen_app.models import Account, Delegation, DelegationKind
from citizen_app.services import delegations
from citizen_app.services.plan_reading import plan_client


def delegate(
    app: Any,
    citizen: Account,
    name: str,
    scopes: set[str],
    *,
    kind: DelegationKind = DelegationKind.RELATIVE,
    relative: Account | None = None,
    ends_on: date | None = None,
) -> tuple[Delegation, Account]:
    """Invite and accept in one go; returns the delegation and the relative's account."""
    with app.app_context():
        session = db.session()
        _pending, code = delegations.invite(
            session,
            citizen=session.get(Account, citizen.id),
            name=name,
            contact="",
            scopes=scopes,
            ends_on=ends_on or date.today() + timedelta(days=90),
            secret_key=app.config["SECRET_KEY"],
            kind=kind,
        )
        accepted = delegations.accept(
            session,
            plan_client(),
            code=code,
            secret_key=app.config["SECRET_KEY"],
            relative=session.get(Account, relative.id) if relative else None,
        )
        assert accepted is not None
        found, account = accepted
        session.commit()  # services only flush: the caller's boundary (one transaction per request)
        session.expunge_all()
        return found, account

"""`flask … accounts | audit | delegations`: each command through the app's own CLI, as an operator runs it."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from citizen_app import db
from citizen_app.models import Account, AccountKind, AuditEvent, utcnow
from tests.helpers import post_form


def test_create_staff_then_an_activation_code_that_works_once(app) -> None:
    runner = app.test_cli_runner()
    created = runner.invoke(
        args=["accounts", "create-staff", "ole", "--name", "Ole Andersen", "--phone", "33 17 50 00"]
    )
    assert created.exit_code == 0, created.output
    assert "ole: caseworker account linked to PractitionerRole/" in created.output
    again = runner.invoke(
        args=["accounts", "create-staff", "ole", "--name", "Ole Andersen", "--phone", "33 17 50 00"]
    )
    assert again.exit_code == 0, again.output  # idempotent per username
    with app.app_context():
        (ole,) = db.session().scalars(select(Account).where(Account.username == "ole")).all()
        assert ole.kind is AccountKind.CASEWORKER
    issued = runner.invoke(args=["accounts", "activation-code", "ole"])
    assert issued.exit_code == 0, issued.output
    code = re.search(r"Activation code for ole: (\S+)", issued.output).group(1)
    assert post_form(app.test_client(), "/activate", {"code": code}).status_code == 303
    assert post_form(app.test_client(), "/activate", {"code": code}).status_code != 303
    unknown = runner.invoke(args=["accounts", "activation-code", "nobody"])
    assert unknown.exit_code != 0 and "no account named 'nobody'" in unknown.output


def test_audit_purge_removes_only_what_is_older_than_the_retention(app, demo) -> None:
    days = app.config["AUDIT_RETENTION_DAYS"]
    with app.app_context():
        session = db.session()
        for age in (days + 1, days - 1):
            session.add(
                AuditEvent(
                    at=utcnow() - timedelta(days=age),
                    actor_account_id=demo["sara"].id,
                    actor_role="citizen",
                    citizen_ref=demo["sara"].fhir_ref,
                    action="citizen:plan:read",
                    resource_type="CarePlan",
                    outcome="allowed",
                )
            )
        session.commit()
        before = session.scalar(select(func.count(AuditEvent.id)))
    result = app.test_cli_runner().invoke(args=["audit", "purge"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("removed 1 event(s) older than")
    with app.app_context():
        assert db.session().scalar(select(func.count(AuditEvent.id))) == before - 1


def test_registering_a_guardian_needs_an_end_date(app, demo) -> None:
    result = app.test_cli_runner().invoke(
        args=["delegations", "register", "sara", "--kind", "guardian", "--name", "Grethe Værge"]
    )
    assert result.exit_code != 0 and "--until is required" in result.output

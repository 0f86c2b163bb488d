"""`flask --app citizen_app accounts …`: staff accounts, activation codes, disabling an account."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from . import db
from .auth import activation
from .auth.sessions import end_sessions_of
from .data.audit import purge_before
from .demo_data import UNIT
from .models import Account, AccountKind, DelegationKind, utcnow
from .plan_api import patients
from .services import delegations
from .services.plan_reading import plan_client

STAFF_NAMESPACE = uuid.UUID("0b7d0f0e-8f0e-4d7e-9f57-5d8c43f0a6c1")


def _account(username: str) -> Account:
    account = db.session().scalar(select(Account).where(Account.username == username))
    if account is None:
        raise click.ClickException(f"no account named {username!r}")
    return account


def create_staff(username: str, name: str, unit: str, phone: str) -> Account:
    """A caseworker: Practitioner and PractitionerRole in the plan API (idempotent per username), and the
    portal account linked to the role."""
    client = plan_client()
    role = patients.staff(
        client,
        name=name,
        unit=unit,
        phone=phone,
        ids=(
            uuid.uuid5(STAFF_NAMESPACE, f"practitioner:{username}"),
            uuid.uuid5(STAFF_NAMESPACE, f"role:{username}"),
        ),
    )
    session = db.session()
    account = session.scalar(select(Account).where(Account.username == username))
    if account is None:
        account = Account(
            username=username, kind=AccountKind.CASEWORKER, display_name=name, fhir_ref=role
        )
        session.add(account)
    session.commit()
    return account


# The command groups, registered on the app by init_app. Flask's AppGroup runs each command in an app context.
accounts_group = AppGroup("accounts", help="Accounts: staff, activation codes, disabling.")
audit_group = AppGroup("audit", help="The access log.")
delegations_group = AppGroup(
    "delegations", help="Guardians and parents, registered by a caseworker."
)


def init_app(app: Flask) -> None:
    for group in (accounts_group, audit_group, delegations_group):
        app.cli.add_command(group)


@accounts_group.command("create-staff")
@click.argument("username")
@click.option("--name", required=True, help="Full name, e.g. 'Jonas Holm'.")
@click.option("--unit", default=UNIT, show_default=True)
@click.option("--phone", required=True, help="The number citizens call for urgent matters.")
def create_staff_command(username: str, name: str, unit: str, phone: str) -> None:
    """A caseworker account, linked to its PractitionerRole in the plan API."""
    account = create_staff(username, name, unit, phone)
    click.echo(f"{account.username}: caseworker account linked to {account.fhir_ref}")
    click.echo(
        f"Give them an activation code: flask --app citizen_app accounts activation-code {username}"
    )


@accounts_group.command("activation-code")
@click.argument("username")
def activation_code(username: str) -> None:
    """A new one-time code (the earlier ones stop working). Printed once; only its hash is kept."""
    account = _account(username)
    code, expires = activation.issue(
        db.session(),
        account,
        secret_key=current_app.config["SECRET_KEY"],
        days=current_app.config["ACTIVATION_CODE_DAYS"],
    )
    db.session().commit()  # the command's boundary
    click.echo(f"Activation code for {account.username}: {code}")
    click.echo(f"Valid until {expires:%Y-%m-%d %H:%M} UTC, once.")


@accounts_group.command("disable")
@click.argument("username")
def disable(username: str) -> None:
    """Disable an account and end all its sessions at once."""
    account = _account(username)
    session = db.session()
    account.disabled_at = utcnow()
    ended = end_sessions_of(session, account.id, "account-disabled")
    session.commit()  # the command's boundary
    click.echo(f"{username} is disabled; {ended} session(s) ended.")


@audit_group.command("purge")
def audit_purge() -> None:
    """Remove access-log events older than AUDIT_RETENTION_DAYS."""
    cutoff = utcnow() - timedelta(days=current_app.config["AUDIT_RETENTION_DAYS"])
    removed = purge_before(db.session(), cutoff)
    db.session().commit()  # the command's boundary
    click.echo(f"removed {removed} event(s) older than {cutoff:%Y-%m-%d}")


@delegations_group.command("register")
@click.argument("citizen")
@click.option("--kind", type=click.Choice(["guardian", "parent"]), required=True)
@click.option("--name", required=True, help="The guardian's or parent's full name.")
@click.option(
    "--scope", "scopes", multiple=True, default=("read", "write", "message"), show_default=True
)
@click.option(
    "--until", "until", default=None, help="YYYY-MM-DD; a parent's default: the day before 18."
)
@click.option("--decision", default="", help="For a guardian: the scope of the court's decision.")
def register(
    citizen: str,
    kind: str,
    name: str,
    scopes: tuple[str, ...],
    until: str | None,
    decision: str,
) -> None:
    """Prints a one-time invitation code for the guardian or parent."""
    account = _account(citizen)
    ends = date.fromisoformat(until) if until else None
    if ends is None:
        raise click.ClickException(
            "--until is required (for a parent: the day before the child turns 18)"
        )
    _delegation, code = delegations.invite(
        db.session(),
        citizen=account,
        name=name,
        contact="",
        scopes=set(scopes),
        ends_on=ends,
        secret_key=current_app.config["SECRET_KEY"],
        kind=DelegationKind(kind),
        decision_note=decision,
    )
    db.session().commit()  # the command's boundary
    click.echo(f"Invitation code for {name} ({kind} of {citizen}): {code}")


__all__ = ["create_staff", "init_app"]

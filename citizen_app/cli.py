"""Commands: `flask --app citizen_app db upgrade | demo-data | outbox run | status | retry`."""

from __future__ import annotations

import time
from pathlib import Path

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app

from . import accounts_cli, db
from .data.outbox import counts_by_state, dead_rows, held_count, send_again
from .demo_data import load, load_unit
from .models import utcnow
from .outbox import Dispatcher, Worker
from .outbox.enqueue import WAKE_KEY
from .services.notifications import poll_answers
from .services.plan_reading import plan_client

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> AlembicConfig:
    cfg = AlembicConfig(str(MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade_database(app: Flask) -> None:
    command.upgrade(alembic_config(app.config["DATABASE_URL"]), "head")


def init_app(app: Flask) -> None:
    @app.cli.group("db")
    def db_group() -> None:
        """The portal's own database."""

    @db_group.command("upgrade")
    def db_upgrade() -> None:
        """Apply every Alembic migration."""
        upgrade_database(current_app._get_current_object())  # type: ignore[attr-defined]
        click.echo("database is at the newest migration")

    @app.cli.command("demo-data")
    @click.option(
        "--unit-size",
        type=click.IntRange(min=0, max=100_000),
        default=0,
        help="Also build a unit of N citizens with plans, waiting items and history (Jonas has 100).",
    )
    def demo_data(unit_size: int) -> None:
        """Put the demo people and Sara's plan into the plan API and the portal (idempotent)."""
        people = load(
            db.session(),
            plan_client(),
            secret_key=current_app.config["SECRET_KEY"],
            code_days=current_app.config["ACTIVATION_CODE_DAYS"],
        )
        click.echo("Demo data is in place. A fresh activation code for each demo person:")
        for line in people:
            click.echo(f"  {line}")
        click.echo(
            "Open the portal, choose 'Start with your activation code' and type one of them."
        )
        if unit_size:
            started = time.monotonic()
            counts = load_unit(plan_client(), unit_size)
            click.echo(
                f"A unit of {counts['citizens']} citizens with {counts['caseworkers']} caseworkers "
                f"and {counts['waiting']} items waiting is in place "
                f"({time.monotonic() - started:.0f} s). Jonas has the first 100."
            )

    accounts_cli.init_app(app)

    @app.cli.group("outbox")
    def outbox_group() -> None:
        """Delivering writes to the plan API."""

    @outbox_group.command("run")
    @click.option("--once", is_flag=True, help="Deliver what is due now, then stop.")
    @click.option(
        "--interval", default=1.0, show_default=True, help="Longest pause between turns (s)."
    )
    def outbox_run(once: bool, interval: float) -> None:
        """A worker: deliver due rows; several may run side by side (PostgreSQL). It never exits on an
        error: database and plan-API failures are logged and waited out (docs/plan-api.md)."""
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        worker = Worker(
            Dispatcher(app, plan_client()),
            poll_seconds=interval,
            extra=lambda: poll_answers(app),
            extra_every=app.config["NOTIFY_POLL_SECONDS"],
        )
        while True:
            report, wait = worker.turn()
            if report is not None and report.attempted:
                click.echo(
                    f"delivered {report.delivered}, retry later {report.retried}, dead {report.dead}"
                )
            if once:
                return
            time.sleep(wait)

    @outbox_group.command("status")
    def outbox_status() -> None:
        """Rows per state, then every dead row with its reason and age (never its content)."""
        session = db.session()
        for state, count in counts_by_state(session).items():
            click.echo(f"{state.value}: {count}")
        held = held_count(session)
        if held:
            click.echo(f"held (plan API refuses the portal's credentials): {held}")
        now = utcnow()
        for row in dead_rows(session):
            age = now - (row.waiting_since or row.created_at)
            click.echo(
                f"dead #{row.id} {row.purpose} {row.method} {row.resource_type}"
                f" age {_age(age.total_seconds())}: {row.last_error or ''}"
            )

    @outbox_group.command("retry")
    @click.option("--id", "ids", type=int, multiple=True, help="A dead row's number (repeatable).")
    @click.option("--all-dead", is_flag=True, help="Every dead row.")
    def outbox_retry(ids: tuple[int, ...], all_dead: bool) -> None:
        """Send dead rows again: back in line at their place, due now, with a fresh give-up clock."""
        if bool(ids) == all_dead:
            raise click.UsageError("give --id (one or more) or --all-dead")
        session = db.session()
        rows = send_again(session, ids=None if all_dead else list(ids))
        session.commit()
        wake = app.extensions.get(WAKE_KEY)
        if wake is not None:
            wake()
        found = {row.id for row in rows}
        click.echo(f"sent again: {len(rows)}")
        for missing in sorted(set(ids) - found):
            click.echo(f"#{missing}: no dead row with that number", err=True)


def _age(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"

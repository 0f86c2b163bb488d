"""Commands: `flask --app citizen_app db upgrade | demo-data | outbox run | outbox status`."""

from __future__ import annotations

import time
from pathlib import Path

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app

from . import accounts_cli, db
from .data.outbox import counts_by_state
from .outbox import Dispatcher
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
        from .demo_data import load, load_unit

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
    @click.option("--interval", default=1.0, show_default=True, help="Seconds between turns.")
    def outbox_run(once: bool, interval: float) -> None:
        """A worker: deliver due rows; several may run side by side (PostgreSQL)."""
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        dispatcher = Dispatcher(app, plan_client())
        notified_at = 0.0
        while True:
            report = dispatcher.dispatch_due()
            if time.monotonic() - notified_at >= app.config["NOTIFY_POLL_SECONDS"]:
                notified_at = time.monotonic()
                poll_answers(app)
            if report.attempted:
                click.echo(
                    f"delivered {report.delivered}, retry later {report.retried}, dead {report.dead}"
                )
            if once:
                return
            time.sleep(interval)

    @outbox_group.command("status")
    def outbox_status() -> None:
        """Rows per state."""
        for state, count in counts_by_state(db.session()).items():
            click.echo(f"{state.value}: {count}")

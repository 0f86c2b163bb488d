"""Rules of the architecture that a reviewer would otherwise have to remember."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Flask

from citizen_app.authz import GUARD_ATTRIBUTE
from citizen_app.i18n import LANGUAGES
from citizen_app.i18n.catalogues import problems

ROOT = Path(__file__).resolve().parents[2]


def test_every_route_declares_its_guard(make_app) -> None:
    app: Flask = make_app()
    unguarded = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        and getattr(app.view_functions[rule.endpoint], GUARD_ATTRIBUTE, None) is None
    ]
    assert unguarded == []


def test_the_portal_never_imports_the_plan_service() -> None:
    """Nor the NemLog-in simulator: both are stand-ins the portal meets only over HTTP."""
    offenders = []
    for path in (ROOT / "citizen_app").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.relative_to(ROOT)}: {n}"
                for n in names
                if n.split(".")[0] in ("plan_service", "nemlogin_sim")
            ]
    assert offenders == []


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_catalogue_is_complete(language: str) -> None:
    assert problems(language) == []


def test_the_migrations_build_exactly_the_models(migrated: str) -> None:
    """Alembic from the first table on: a model change without its migration fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from citizen_app.models import Base

    engine = create_engine(migrated)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []

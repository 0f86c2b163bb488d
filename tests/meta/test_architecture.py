"""Rules of the architecture that a reviewer would otherwise have to remember."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Flask

from citizen_app.i18n import LANGUAGES
from citizen_app.i18n.catalogues import problems
from citizen_app.views._guard import GUARD_ATTRIBUTE

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


def test_the_policy_is_pure() -> None:
    """authz/ is the policy alone: no request, no database, no sign-in, no audit log (the guard beside the
    views collects those facts and asks). So it never imports upward, nor Flask or SQLAlchemy."""
    allowed_inside = {"citizen_app.authz", "citizen_app.authz.policy", "citizen_app.models"}
    offenders = []
    for path in (ROOT / "citizen_app" / "authz").rglob("*.py"):
        package = "citizen_app.authz"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                    module = f"{base}.{node.module}" if node.module else base
                else:
                    module = node.module or ""
                names = [module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                upward = top == "citizen_app" and name not in allowed_inside
                if upward or top in ("flask", "flask_babel", "sqlalchemy", "werkzeug"):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_templates_ask_the_policy_not_who_someone_is() -> None:
    """A control is shown when `may(action, thing)` says so; no template tests the actor's kind."""
    import re

    pattern = re.compile(r"actor\.kind|\.kind\.value\s*[!=]=|is_staff|is_caseworker|is_citizen")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "templates").rglob("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []

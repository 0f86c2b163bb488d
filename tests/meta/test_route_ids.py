"""URL ids are typed by the route (issue #15.4): every id parameter has the uuid converter, so a view gets a
uuid.UUID (or a 404 for anything else) and never converts a route argument by hand."""

from __future__ import annotations

import ast
from pathlib import Path

from flask import Flask
from werkzeug.routing import UUIDConverter

ROOT = Path(__file__).resolve().parents[2]
# Route parameters that carry an id without saying so in their name.
ALSO_IDS = {"receipt"}
# uuid.UUID(...) in views that does not convert a route argument, with the reason.
NOT_ROUTE_ARGUMENTS = {
    "citizen_app/views/auth.py": "the account id kept in the session during activation",
}


def untyped_ids(app: Flask) -> list[str]:
    return [
        f"{rule.rule}: {name}"
        for rule in app.url_map.iter_rules()
        for name in sorted(rule.arguments)
        if (name == "id" or name.endswith("_id") or name in ALSO_IDS)
        and not isinstance(rule._converters.get(name), UUIDConverter)
    ]


def test_every_id_in_a_route_is_a_uuid(make_app) -> None:
    app = make_app()
    assert untyped_ids(app) == []
    assert sum(1 for rule in app.url_map.iter_rules() if "uuid" in rule.rule) > 20


def test_the_check_catches_an_untyped_id(make_app) -> None:
    app = make_app()
    app.add_url_rule("/probe/<thing_id>", "probe_untyped", lambda thing_id: "")
    app.add_url_rule("/probe/<uuid:thing_id>/ok", "probe_typed", lambda thing_id: "")
    app.add_url_rule("/probe/receipts/<receipt>", "probe_receipt", lambda receipt: "")
    assert untyped_ids(app) == ["/probe/<thing_id>: thing_id", "/probe/receipts/<receipt>: receipt"]


def test_no_view_converts_an_id_by_hand() -> None:
    """No uuid.UUID(...) call in views (a syntax-tree search), but for the listed non-route values."""
    calls = []
    for path in sorted((ROOT / "citizen_app" / "views").rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "UUID"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "uuid"
                and where not in NOT_ROUTE_ARGUMENTS
            ):
                calls.append(f"{where}:{node.lineno}")
    assert calls == []

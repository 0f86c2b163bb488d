"""No arrow runs back up the floors (docs/architecture.md, "Which floor may import which"): checked on the
syntax tree of every module of citizen_app. The rule is in floors_rule.py; the tests below also show it
catching a planted upward import, and the floors as the document gives them."""

from __future__ import annotations

import textwrap
from pathlib import Path

from .floors_rule import floors_from, upward_arrows

ROOT = Path(__file__).resolve().parents[2]
FLOORS = floors_from((ROOT / "docs/architecture.md").read_text(encoding="utf-8"))


def test_no_import_runs_up_a_floor() -> None:
    found = [str(arrow) for arrow in upward_arrows(ROOT, FLOORS)]
    assert found == [], (
        "an import from a lower floor to a higher one: offer a hook, wire it in create_app"
    )


def test_the_floors_are_read_from_the_document() -> None:
    """Top first: the views above the services, the services above the outbox, identity and the database."""
    names = [sorted(floor) for floor in FLOORS]
    order = {name: n for n, floor in enumerate(FLOORS) for name in floor}
    assert len(names) >= 8
    assert order["views"] < order["services"] < order["identity"] < order["data"] < order["db"]
    assert order["services"] < order["outbox"] < order["plan_api"]
    assert order["audit"] < order["db"]
    assert sum(len(floor) for floor in FLOORS) == len(order)  # no module on two floors


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = tmp_path / "citizen_app" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return tmp_path


def test_the_rule_catches_a_planted_upward_import(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "__init__.py": "from . import db, audit\n",
            "db.py": """
                def end_request():
                    from . import audit  # the old circle: db.py reaching up to the access log

                    return audit.take_pending
            """,
            "audit/__init__.py": "from .. import db\nfrom ..models import AuditEvent\n",
            "models/__init__.py": "",
            "outbox/__init__.py": "",
            "outbox/enqueue.py": "from ..services.receipts import note_delegated_act\n",
            "services/__init__.py": "",
            "services/receipts.py": "from ..outbox import enqueue\n",
            "identity/__init__.py": """
                from typing import TYPE_CHECKING

                if TYPE_CHECKING:
                    from citizen_app.services.caseload import Coverage
            """,
            "newthing.py": "from .models import AuditEvent\n",
        },
    )
    assert [str(arrow) for arrow in upward_arrows(root, FLOORS)] == [
        "citizen_app/db.py:3: db imports audit",
        "citizen_app/identity/__init__.py:5: identity imports services",
        "citizen_app/outbox/enqueue.py:1: outbox imports services",
        "newthing: on no floor (place it in docs/architecture.md)",
    ]


def test_the_rule_leaves_downward_and_outside_imports_alone(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "views/__init__.py": "import flask\nfrom ..services import receipts\nfrom . import acting\n",
            "views/acting.py": "from .. import db\nfrom ..audit import record\nfrom ..authz import can\n",
            "services/receipts.py": "from sqlalchemy import select\nfrom ..outbox import enqueue\n",
        },
    )
    assert upward_arrows(root, FLOORS) == []

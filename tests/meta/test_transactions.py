"""One transaction per request (issue #15, item 3), checked by syntax tree, not by text search.

- Views neither query nor commit: no SQLAlchemy import, and no call on the request's session (`db.session()`, or a
  name bound to it) other than handing it to a service or data function.
- Services, data functions and the rest of the request's code only add and flush: `.commit()` is called only at
  the boundaries of background work (their own `standalone_session`) listed below, and `commit_now` (a commit
  before the request ends, on purpose) only where listed, each with its reason. citizen_app/db.py commits the
  request; the CLI commands, demo data and the outbox dispatcher commit at their own boundary.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "citizen_app"

# (file, function) → why it commits in a session of its own (background work, its own boundary).
OWN_BOUNDARY = {
    ("citizen_app/auth/sessions.py", "_open"): "the session interface: an expired session ends now",
    (
        "citizen_app/auth/sessions.py",
        "_save",
    ): "the session interface saves after the request commits",
    ("citizen_app/audit/__init__.py", "write_alone"): "a failed request's events, alone",
    (
        "citizen_app/services/caseload_model.py",
        "_refresh",
    ): "the shared read model, citizen by citizen",
    ("citizen_app/services/caseload_model.py", "_sync"): "the change feed's cursor with its rows",
    ("citizen_app/services/notifications.py", "poll_answers"): "the notification thread's turn",
    ("citizen_app/db.py", "commit_now"): "the one early commit, below",
    ("citizen_app/db.py", "end_request_transaction"): "the request's one commit",
}
# (file, function) → why the request's transaction commits before the request ends.
COMMIT_NOW = {
    ("citizen_app/data/drafts.py", "save"): "typed words are kept, also when the form answers 400",
    (
        "citizen_app/auth/challenges.py",
        "take",
    ): "a WebAuthn challenge is spent even if the ceremony fails",
    ("citizen_app/identity/saml.py", "finish"): "a SAML assertion is taken once, also when refused",
}
# Where committing is the module's job: commands, demo data, the dispatcher's own sessions.
COMMITTING_MODULES = {
    "citizen_app/cli.py",
    "citizen_app/accounts_cli.py",
    "citizen_app/demo_data.py",
    "citizen_app/outbox/dispatcher.py",
}
SESSION_METHODS = {
    "add",
    "add_all",
    "begin",
    "commit",
    "delete",
    "execute",
    "flush",
    "get",
    "merge",
    "query",
    "refresh",
    "rollback",
    "scalar",
    "scalars",
}


def _modules(folder: Path) -> list[tuple[str, ast.Module]]:
    return [
        (str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(folder.rglob("*.py"))
    ]


def _functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _is_request_session(node: ast.expr, bound: set[str]) -> bool:
    """`db.session()`, `session()` imported from db, or a name bound to one of them."""
    if isinstance(node, ast.Name):
        return node.id in bound
    if isinstance(node, ast.Call):
        func = node.func
        return (
            isinstance(func, ast.Attribute) and func.attr == "session" and _is_db(func.value)
        ) or (isinstance(func, ast.Name) and func.id == "session")
    return False


def _is_db(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "db"


def _session_calls(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple[int, str]]:
    bound: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and _is_request_session(node.value, set()):
            bound |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return [
        (node.lineno, node.func.attr)
        for node in ast.walk(function)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in SESSION_METHODS
        and _is_request_session(node.func.value, bound)
    ]


def _calls_named(node: ast.AST, name: str) -> list[int]:
    return [
        call.lineno
        for call in ast.walk(node)
        if isinstance(call, ast.Call)
        and (
            (isinstance(call.func, ast.Attribute) and call.func.attr == name)
            or (isinstance(call.func, ast.Name) and call.func.id == name)
        )
    ]


def _owner(tree: ast.Module, line: int) -> str:
    """The innermost function around `line`."""
    best = "<module>"
    best_start = -1
    for function in _functions(tree):
        end = function.end_lineno or function.lineno
        if function.lineno <= line <= end and function.lineno > best_start:
            best, best_start = function.name, function.lineno
    return best


def test_views_neither_query_nor_commit() -> None:
    offenders = []
    for path, tree in _modules(APP / "views"):
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                module = node.module if isinstance(node, ast.ImportFrom) else None
                if any(n.split(".")[0] == "sqlalchemy" for n in [*names, module or ""]):
                    offenders.append(f"{path}:{node.lineno} imports SQLAlchemy")
        for function in _functions(tree):
            offenders += [
                f"{path}:{line} {function.name} calls session.{method}()"
                for line, method in _session_calls(function)
            ]
        offenders += [f"{path}:{line} commits early" for line in _calls_named(tree, "commit_now")]
    assert sorted(set(offenders)) == []


def test_only_the_listed_boundaries_commit() -> None:
    """Everything a request runs only adds and flushes; the request commits once (citizen_app/db.py)."""
    commits, early = set(), set()
    for path, tree in _modules(APP):
        if path in COMMITTING_MODULES:
            continue
        commits |= {(path, _owner(tree, line)) for line in _calls_named(tree, "commit")}
        early |= {
            (path, _owner(tree, line))
            for line in _calls_named(tree, "commit_now")
            if _owner(tree, line) != "<module>"
        }
    assert commits - set(OWN_BOUNDARY) == set(), "a commit outside the listed boundaries"
    assert early - set(COMMIT_NOW) == set(), "an early commit that is not listed with its reason"
    # The lists stay true: every entry still commits.
    assert set(OWN_BOUNDARY) - commits == set()
    assert set(COMMIT_NOW) - early == set()


def test_the_checker_sees_a_query_and_a_commit_in_a_view() -> None:
    """The syntax-tree check itself: a view that queries through a name bound to the session is caught."""
    tree = ast.parse(
        "def view():\n"
        "    s = db.session()\n"
        "    row = s.scalar(stmt)\n"
        "    db.session().commit()\n"
        "    service(db.session(), row)\n"
    )
    (function,) = _functions(tree)
    assert [method for _line, method in _session_calls(function)] == ["scalar", "commit"]

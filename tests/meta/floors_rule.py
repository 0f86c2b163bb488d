"""The rule "no arrow runs back up the floors", checked on the syntax tree (every import, also one inside a
function or under `if TYPE_CHECKING:`).

The floors are read from docs/architecture.md (the table after the line `<!-- floors: … -->`), top floor
first; each names the top-level modules and packages of `citizen_app` that live on it. A module may import
from its own floor and from any floor below; an import from a floor above is an upward arrow. A module on no
floor is an offence too, so a new package has to be placed before it can be used.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "citizen_app"
MARKER = "<!-- floors:"


@dataclass(frozen=True)
class Arrow:
    path: str
    line: int
    source: str  # the importing module's top-level name ("db", "outbox", …)
    target: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.source} imports {self.target}"


def floors_from(markdown: str) -> list[frozenset[str]]:
    """The floors, top first: the rows of the table that follows the marker, each row's `names`."""
    lines = markdown.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith(MARKER))
    floors: list[frozenset[str]] = []
    for line in lines[start + 1 :]:
        if not line.startswith("|"):
            if floors:
                break
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if set(cells[0]) <= set("-: "):
            continue  # the line under the header
        names = re.findall(r"`([^`]+)`", cells[1] if len(cells) > 1 else "")
        if names:
            floors.append(frozenset(name.strip("/").removesuffix(".py") for name in names))
    return floors


def top_level(module: str) -> str | None:
    """`citizen_app.services.receipts` → `services`; `citizen_app` itself → `__init__`; outside → None."""
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def imported_modules(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, absolute module) for every import in the tree; `from . import x` counts as `<package>.x`."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                absolute = ".".join(base + ([node.module] if node.module else []))
            else:
                absolute = node.module or ""
            if node.module is None or absolute == PACKAGE:
                # `from .. import db, audit`: each name may be a module of its own
                found += [(node.lineno, f"{absolute}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, absolute))
    return found


def module_name(path: Path, root: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def upward_arrows(root: Path, floors: list[frozenset[str]]) -> list[Arrow | str]:
    """Every import in `root/citizen_app` from a floor to a floor above it, and every module on no floor."""
    level = {name: index for index, floor in enumerate(floors) for name in floor}
    found: list[Arrow | str] = []
    unplaced: set[str] = set()
    for path in sorted((root / PACKAGE).rglob("*.py")):
        module, is_package = module_name(path, root)
        source = top_level(module)
        assert source is not None
        if source not in level:
            unplaced.add(source)
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, imported in imported_modules(tree, module, is_package):
            target = top_level(imported)
            if target is None or target == source:
                continue
            if target not in level:
                unplaced.add(target)
            elif level[target] < level[source]:
                found.append(Arrow(str(path.relative_to(root)), line, source, target))
    found += [
        f"{name}: on no floor (place it in docs/architecture.md)" for name in sorted(unplaced)
    ]
    return found

"""The rule "FHIR JSON stays in citizen_app/plan_api/", checked on the syntax tree (not by searching text).

Outside plan_api/ (and plan_service/, which is a FHIR server) code must not:
1. subscript with a FHIR element name: `resource["subject"]`, `x.get("resourceType")`, `x.setdefault("extension", …)`;
2. build FHIR JSON: a dict literal with a FHIR element name as a key, or `dict(…, statusReason=…)` with one as a keyword;
3. call the plan client's generic methods (`read`, `vread`, `update`, `create`, `search`, `search_all`,
   `search_by_post`, `history`, `everything`) on something named like a plan client (`client`, `self.client`,
   `plan_client()`, `*_client`). Only the outbox's delivery may hand prepared payloads to `create`/`update`.

A FHIR element name is one of FHIR_KEYS: the element names of the resources the portal reads and writes that do not
also mean something ordinary (see the note below the list). A subscript of a Flask session or `g`, a request's
form/args/headers/cookies, a config or os.environ is never FHIR, whatever the key.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

FHIR_KEYS = frozenset(
    {
        # every resource and the data types
        "resourceType",
        "meta",
        "versionId",
        "lastUpdated",
        "extension",
        "contained",
        "reference",
        "coding",
        "system",
        "valueReference",
        "valueCode",
        "valueString",
        "valueDateTime",
        "valueDate",
        "valueCoding",
        "valueCodeableConcept",
        "valueBoolean",
        "valueInteger",
        "valueQuantity",
        "authorReference",
        "contentString",
        "telecom",
        # Patient, RelatedPerson, Practitioner, PractitionerRole, CareTeam
        "birthDate",
        "relationship",
        "practitioner",
        "notAvailable",
        "during",
        "participant",
        "onBehalfOf",
        # Goal, CarePlan, Observation
        "lifecycleStatus",
        "achievementStatus",
        "statusReason",
        "expressedBy",
        "scheduledPeriod",
        "effectiveDateTime",
        # Communication
        "payload",
        "inResponseTo",
        "partOf",
        # Task, QuestionnaireResponse
        "businessStatus",
        "restriction",
        "authoredOn",
        "linkId",
    }
)
# Not in the list, although FHIR uses them, because ordinary code does too: "id", "status", "text", "name",
# "subject" (an e-mail's), "owner" (a kept draft's), "actor" (flask.g's), "identifier" (SAML's), "about",
# "answer", "note", "period", "entry", "author", "start", "end", "url", "value". Where FHIR JSON uses them it
# is reached through one of the names above (`x["subject"]["reference"]`), so the rule still sees it.

CLIENT_METHODS = frozenset(
    {
        "read",
        "vread",
        "update",
        "create",
        "search",
        "search_all",
        "search_by_post",
        "history",
        "everything",
    }
)
# Receivers whose subscripts are never FHIR: session, request parts, configuration, environment.
NOT_FHIR = frozenset(
    {"session", "g", "form", "args", "headers", "cookies", "values", "files", "config", "environ"}
)


@dataclass(frozen=True)
class Offence:
    line: int
    what: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.what}"


def _tail(node: ast.AST) -> str | None:
    """The last name of a receiver: `session` for `session`, `form` for `request.form`, `client` for
    `self.client`, `plan_client` for `plan_client()`."""
    if isinstance(node, ast.Call):
        return _tail(node.func)
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _is_client(node: ast.AST) -> bool:
    name = _tail(node)
    return name is not None and (name == "client" or name.endswith("_client"))


def _key(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def offences(source: str, *, may_deliver: bool = False) -> list[Offence]:
    """What in `source` breaks the rule. `may_deliver`: the outbox, which hands prepared payloads to the
    client's create/update (it still may not index or build FHIR JSON)."""
    found: list[Offence] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript):
            key = _key(node.slice)
            if key in FHIR_KEYS and _tail(node.value) not in NOT_FHIR:
                found.append(Offence(node.lineno, f'subscript ["{key}"]'))
        elif isinstance(node, ast.Dict):
            keys = [k for k in map(_key, node.keys) if k in FHIR_KEYS]
            if keys:
                found.append(Offence(node.lineno, f"dict literal with FHIR keys {sorted(keys)}"))
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "dict":
                keys = [k.arg for k in node.keywords if k.arg in FHIR_KEYS]
                if keys:
                    found.append(Offence(node.lineno, f"dict(...) with FHIR keys {sorted(keys)}"))
            if not isinstance(func, ast.Attribute):
                continue
            if func.attr in {"get", "setdefault", "pop"} and node.args:
                key = _key(node.args[0])
                if key in FHIR_KEYS and _tail(func.value) not in NOT_FHIR:
                    found.append(Offence(node.lineno, f'.{func.attr}("{key}")'))
            delivery = may_deliver and func.attr in {"create", "update"}
            if func.attr in CLIENT_METHODS and _is_client(func.value) and not delivery:
                found.append(Offence(node.lineno, f"generic client call .{func.attr}(...)"))
    return sorted(found, key=lambda o: o.line)


# Walked: the portal and what ships beside it. Not walked: plan_api/ (where FHIR JSON belongs), plan_service/ (a
# FHIR server), and tests/ and bench/, which talk to the plan API as a second, independent client: they seed it and
# check what the portal wrote there, so they must read FHIR JSON themselves rather than through the code they test.
WALKED = ("citizen_app", "nemlogin_sim", "embedded.py")
NOT_WALKED = ("citizen_app/plan_api/",)


def offending_files(root: Path) -> dict[str, list[Offence]]:
    """Every module of the portal outside plan_api/, with its offences."""
    paths: list[Path] = []
    for name in WALKED:
        top = root / name
        paths += [top] if top.is_file() else sorted(top.rglob("*.py"))
    result: dict[str, list[Offence]] = {}
    for path in paths:
        relative = path.relative_to(root).as_posix()
        if relative.startswith(NOT_WALKED):
            continue
        found = offences(
            path.read_text(encoding="utf-8"), may_deliver=relative.startswith("citizen_app/outbox/")
        )
        if found:
            result[relative] = found
    return result

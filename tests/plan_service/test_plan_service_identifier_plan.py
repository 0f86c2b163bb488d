"""If-None-Exist and `identifier=system|value` are index lookups whatever the number of stored resources: the
query plan on SQLite, and on PostgreSQL the generic plan a driver gets once it prepares the statement (psycopg
prepares after 5 executions). Run on PostgreSQL with PLAN_SERVICE_TEST_DATABASE_URL (see conftest.py)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text

from plan_service.models import IdentifierRow, ResourceRow
from plan_service.search import by_identifier

FHIR_JSON = "application/fhir+json"
URN = "urn:ietf:rfc:3986"

STORED = 3000


def _fill(engine, resource_type: str = "Observation") -> list[str]:
    """STORED resources with client identifiers, written in bulk (the plan is what is under test)."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    ids = [str(uuid.uuid4()) for _ in range(STORED)]
    with engine.begin() as conn:
        conn.execute(
            insert(ResourceRow),
            [
                {
                    "resource_type": resource_type,
                    "id": rid,
                    "version_id": 1,
                    "last_updated": start + timedelta(seconds=i),
                    "deleted": False,
                    "content": f'{{"resourceType":"{resource_type}","id":"{rid}"}}',
                }
                for i, rid in enumerate(ids)
            ],
        )
        conn.execute(
            insert(IdentifierRow),
            [
                {
                    "resource_type": resource_type,
                    "system": URN,
                    "value": f"urn:uuid:{rid}",
                    "resource_id": rid,
                }
                for rid in ids
            ],
        )
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE plan_resource"))
            conn.execute(text("ANALYZE plan_identifier"))
    return ids


def _statement_sql(engine, resource_type: str, value: str) -> tuple[str, dict]:
    from sqlalchemy.orm import Session

    captured: dict = {}
    with Session(engine) as session:
        from sqlalchemy import event

        def grab(conn, cursor, statement, parameters, context, executemany):
            captured.setdefault("sql", statement)
            captured.setdefault("params", parameters)

        event.listen(engine, "before_cursor_execute", grab)
        try:
            assert len(by_identifier(session, resource_type, URN, value)) == 1
        finally:
            event.remove(engine, "before_cursor_execute", grab)
    return captured["sql"], captured["params"]


def test_the_identifier_lookup_is_an_index_probe(app) -> None:
    engine = app.extensions["plan_service"].engine
    ids = _fill(engine)
    value = f"urn:uuid:{ids[STORED // 2]}"
    sql, params = _statement_sql(engine, "Observation", value)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            plan = "\n".join(
                str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)
            )
            assert "uq_plan_identifier" in plan or "sqlite_autoindex_plan_identifier" in plan, plan
            assert "SCAN plan_resource" not in plan and "TEMP B-TREE" not in plan, plan
            return
        # PostgreSQL: the generic plan, as after the driver's prepare threshold.
        names: list[str] = []

        def numbered(match: re.Match[str]) -> str:
            if match.group(1) not in names:
                names.append(match.group(1))
            return f"${names.index(match.group(1)) + 1}"

        prepared = re.sub(r"%\((\w+)\)s", numbered, sql)
        conn.execute(text("SET plan_cache_mode = force_generic_plan"))
        conn.exec_driver_sql(f"PREPARE by_identifier AS {prepared}")
        args = ", ".join("'" + str(params[n]).replace("'", "''") + "'" for n in names)
        plan = "\n".join(
            row[0] for row in conn.exec_driver_sql(f"EXPLAIN EXECUTE by_identifier({args})")
        )
        assert "uq_plan_identifier" in plan, plan
        assert "Seq Scan" not in plan and "ix_plan_resource_type_updated" not in plan, plan
        assert "Sort" not in plan, plan


def test_if_none_exist_and_identifier_search_answer_from_the_index(client, app) -> None:
    engine = app.extensions["plan_service"].engine
    ids = _fill(engine)
    ident = f"urn:uuid:{ids[7]}"
    response = client.post(
        "/fhir/Observation",
        json={"resourceType": "Observation", "status": "final", "code": {"text": "x"}},
        headers={"If-None-Exist": f"identifier={URN}|{ident}", "Content-Type": FHIR_JSON},
    )
    assert response.status_code == 200 and response.get_json()["id"] == ids[7]
    found = client.get("/fhir/Observation", query_string={"identifier": f"{URN}|{ident}"})
    bundle = found.get_json()
    assert bundle["total"] == 1 and bundle["entry"][0]["resource"]["id"] == ids[7]
    none = client.get("/fhir/Observation", query_string={"identifier": f"{URN}|urn:uuid:nobody"})
    assert none.get_json()["total"] == 0

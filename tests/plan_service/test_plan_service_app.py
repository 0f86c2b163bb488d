"""create_app settings and the CapabilityStatement."""

from __future__ import annotations

import sqlite3

import pytest

from plan_service import create_app

CONTRACT_SEARCH_PARAMS = {
    "Patient": {"identifier", "_id", "_lastUpdated"},
    "RelatedPerson": {"patient", "identifier", "_id", "_lastUpdated"},
    "Practitioner": {"identifier", "_id", "_lastUpdated"},
    "PractitionerRole": {"practitioner", "identifier", "_id", "_lastUpdated"},
    "CareTeam": {"patient", "participant", "status", "identifier", "_id", "_lastUpdated"},
    "CarePlan": {"patient", "status", "identifier", "_id", "_lastUpdated"},
    "Goal": {"patient", "lifecycle-status", "identifier", "_id", "_lastUpdated"},
    "Observation": {"patient", "focus", "code", "identifier", "_id", "_lastUpdated"},
    "Communication": {
        *("patient", "recipient", "sender", "status", "part-of", "about", "category", "identifier"),
        *("_id", "_lastUpdated"),
    },
    "Task": {"patient", "status", "owner", "focus", "identifier", "_id", "_lastUpdated"},
    "Appointment": {"patient", "actor", "status", "identifier", "_id", "_lastUpdated"},
    "QuestionnaireResponse": {"patient", "status", "about", "identifier", "_id", "_lastUpdated"},
    "Provenance": {"target", "agent", "on-behalf-of", "identifier", "_id", "_lastUpdated"},
}


def _dispose(app) -> None:
    app.extensions["plan_service"].dispose()


def test_default_database_is_instance_sqlite_under_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PLAN_SERVICE_DATABASE_URL", raising=False)
    app = create_app()
    try:
        assert app.test_client().get("/fhir/metadata").status_code == 200
        database = tmp_path / "instance" / "plan_service.sqlite"
        assert database.is_file()
        with sqlite3.connect(database) as connection:
            (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
        connection.close()
        assert mode == "wal"
    finally:
        _dispose(app)


def test_environment_overrides_default_and_config_overrides_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAN_SERVICE_DATABASE_URL", f"sqlite:///{tmp_path / 'env' / 'a.sqlite'}")
    app = create_app()
    _dispose(app)
    assert (tmp_path / "env" / "a.sqlite").is_file()

    app = create_app({"PLAN_SERVICE_DATABASE_URL": f"sqlite:///{tmp_path / 'cfg.sqlite'}"})
    _dispose(app)
    assert (tmp_path / "cfg.sqlite").is_file()


@pytest.mark.parametrize(
    ("configured", "metadata_path"),
    [("/api/r4/", "/api/r4/metadata"), ("plan", "/plan/metadata"), ("/", "/metadata")],
)
def test_base_path(tmp_path, configured, metadata_path):
    app = create_app(
        {
            "PLAN_SERVICE_DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite'}",
            "PLAN_SERVICE_BASE_PATH": configured,
        }
    )
    try:
        response = app.test_client().get(metadata_path)
        assert response.status_code == 200
        assert response.json["implementation"]["url"] == "http://localhost" + metadata_path[:-9]
        # Elsewhere /fhir/metadata is no CapabilityStatement (under "/" it is a read: 401 without a token).
        assert app.test_client().get("/fhir/metadata").status_code in (401, 404)
    finally:
        _dispose(app)


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_sqlite_is_refused(url):
    with pytest.raises(ValueError, match="file-based"):
        create_app({"PLAN_SERVICE_DATABASE_URL": url})


def test_capability_statement_lists_the_contract(client):
    response = client.get("/fhir/metadata")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    statement = response.json
    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["fhirVersion"] == "4.0.1"
    assert statement["kind"] == "instance"
    (rest,) = statement["rest"]
    resources = {r["type"]: r for r in rest["resource"]}
    assert set(resources) == set(CONTRACT_SEARCH_PARAMS)
    for name, resource in resources.items():
        assert {p["name"] for p in resource["searchParam"]} == CONTRACT_SEARCH_PARAMS[name]
        assert {i["code"] for i in resource["interaction"]} == {
            "read",
            "vread",
            "search-type",
            "history-type",
            "create",
            "update",
        }
        assert resource["versioning"] == "versioned-update"
        assert resource["updateCreate"] is False
        assert resource["conditionalCreate"] is True
    assert [o["name"] for o in resources["Patient"]["operation"]] == ["everything"]
    assert rest["interaction"] == [{"code": "history-system"}]
    assert all("operation" not in r for n, r in resources.items() if n != "Patient")
    types = {p["name"]: p["type"] for p in resources["Observation"]["searchParam"]}
    assert types == {
        "_id": "token",
        "_lastUpdated": "date",
        "identifier": "token",
        "patient": "reference",
        "focus": "reference",
        "code": "token",
    }

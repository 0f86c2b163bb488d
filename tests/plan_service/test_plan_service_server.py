"""The service on a real port: ThreadedServer, restarts, and concurrent clients."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from plan_service.server import ThreadedServer

FHIR = "application/fhir+json"
THREADS = 8


@pytest.fixture
def server(app):
    with ThreadedServer(app) as running:
        yield running


@pytest.fixture
def token(client) -> dict[str, str]:
    """The bearer token of the authorised test client, for httpx clients of these tests."""
    return {"Authorization": client.environ_base["HTTP_AUTHORIZATION"]}


@pytest.fixture
def http(server, token):
    with httpx.Client(base_url=server.api_url, timeout=10, headers=token) as client:
        yield client


def _goal(patient_id: str, identifier: dict) -> dict:
    return {
        "resourceType": "Goal",
        "identifier": [identifier],
        "lifecycleStatus": "proposed",
        "description": {"text": "Få en læreplads"},
        "subject": {"reference": f"Patient/{patient_id}"},
    }


def _run_together(count: int, action):
    """Run `action` in `count` threads released at the same moment."""
    barrier = threading.Barrier(count)

    def run(_):
        barrier.wait()
        return action()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_url_reports_the_real_port(server):
    assert server.running
    assert server.port > 0
    assert server.url == f"http://127.0.0.1:{server.port}"
    assert server.api_url == f"http://127.0.0.1:{server.port}/fhir"


def test_url_is_unknown_before_a_port_zero_server_starts(app):
    with pytest.raises(RuntimeError):
        _ = ThreadedServer(app).url


def test_starting_twice_is_refused_and_stopping_twice_is_harmless(app):
    server = ThreadedServer(app)
    server.start()
    try:
        with pytest.raises(RuntimeError):
            server.start()
    finally:
        server.stop()
    server.stop()
    assert not server.running


def test_interactions_over_http(http):
    assert http.get("/metadata").json()["resourceType"] == "CapabilityStatement"
    identifier = {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{uuid.uuid4()}"}
    headers = {
        "Content-Type": FHIR,
        "If-None-Exist": f"identifier={identifier['system']}|{identifier['value']}",
    }
    patient = {"resourceType": "Patient", "identifier": [identifier]}
    created = http.post("/Patient", json=patient, headers=headers)
    assert created.status_code == 201
    assert created.headers["Location"].startswith(str(http.base_url))
    again = http.post("/Patient", json=patient, headers=headers)
    assert again.status_code == 200
    assert again.json()["id"] == created.json()["id"]

    path = f"/Patient/{created.json()['id']}"
    read = http.get(path)
    assert read.headers["ETag"] == 'W/"1"'
    assert http.get(path, headers={"If-None-Match": read.headers["ETag"]}).status_code == 304
    unknown = http.get("/Patient/unknown")
    assert unknown.status_code == 404
    assert unknown.headers["Content-Type"].startswith(FHIR)


def test_stop_and_restart_on_the_same_port(app, fhir, token):
    patient = fhir.patient()
    first = ThreadedServer(app)
    first.start()
    port = first.port
    with httpx.Client(timeout=5, headers=token) as client:
        assert client.get(f"{first.api_url}/Patient/{patient['id']}").status_code == 200
        first.stop()
        with pytest.raises(httpx.ConnectError):
            client.get(f"{first.api_url}/metadata")

        second = ThreadedServer(app, port=port)
        second.start()
        try:
            assert second.url == f"http://127.0.0.1:{port}"
            assert client.get(f"{second.api_url}/Patient/{patient['id']}").status_code == 200
        finally:
            second.stop()

        # The same instance comes back on the port it picked the first time.
        first.start()
        try:
            assert first.port == port
            assert client.get(f"{first.api_url}/metadata").status_code == 200
        finally:
            first.stop()


def test_concurrent_idempotent_creates_make_one_resource(server, http, fhir, token):
    patient = fhir.patient()
    identifier = {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{uuid.uuid4()}"}
    headers = {
        "Content-Type": FHIR,
        "If-None-Exist": f"identifier={identifier['system']}|{identifier['value']}",
    }

    def create():
        with httpx.Client(base_url=server.api_url, timeout=10, headers=token) as client:
            return client.post("/Goal", json=_goal(patient["id"], identifier), headers=headers)

    responses = _run_together(THREADS, create)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * (THREADS - 1) + [201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert http.get("/Goal", params={"patient": patient["id"]}).json()["total"] == 1


def test_concurrent_updates_from_one_version_let_exactly_one_win(server, http, fhir, token):
    goal = fhir.goal(fhir.patient())

    def update(status: str):
        with httpx.Client(base_url=server.api_url, timeout=10, headers=token) as client:
            return client.put(
                f"/Goal/{goal['id']}",
                json={**goal, "lifecycleStatus": status},
                headers={"Content-Type": FHIR, "If-Match": 'W/"1"'},
            )

    statuses = iter(["accepted", "active", "rejected", "cancelled"] * THREADS)
    lock = threading.Lock()

    def next_update():
        with lock:
            status = next(statuses)
        return update(status)

    responses = _run_together(THREADS, next_update)
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [412] * (THREADS - 1)
    winner = next(r for r in responses if r.status_code == 200).json()
    current = http.get(f"/Goal/{goal['id']}").json()
    assert current == winner
    assert current["meta"]["versionId"] == "2"
    assert http.get(f"/Goal/{goal['id']}/_history/3").status_code == 404

"""What a conditional `$everything` (an unchanged plan, answered 304) costs the reference plan service.

    .venv/bin/python bench/everything_304.py [--goals 100] [--signs 2000] [--repeat 30]

Builds one plan in a fresh plan service (its own SQLite file; PLAN_SERVICE_TEST_DATABASE_URL for another
database) and asks for it with If-None-Match, in this process through the WSGI test client (no network):
- "counters": the ETag from the per-compartment counters (plan_service/compartments.py): one small query;
- "content": the same request with the Patient's counter taken away, so the service loads the whole plan
  and hashes it, as it did before the counters.
The two are interleaved, request by request, so the machine's load falls on both alike. Prints ms per 304
(median and p90) and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from joserfc import jwt
from joserfc.jwk import ECKey

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from citizen_app.plan_api.smart import public_jwks  # noqa: E402
from plan_service import create_app  # noqa: E402
from plan_service.auth import register_client  # noqa: E402
from plan_service.models import CompartmentVersionRow  # noqa: E402

URN = "urn:ietf:rfc:3986"


def _token(app, http) -> str:  # type: ignore[no-untyped-def]
    """An access token for a client registered here, from the service's own token endpoint (SMART Backend
    Services, as the portal gets one): every FHIR interaction needs one."""
    key = ECKey.generate_key("P-384", auto_kid=True)
    register_client(app.extensions["plan_service"], "bench", public_jwks(key), "system/*.cruds")
    token_url = http.get("/fhir/.well-known/smart-configuration").json["token_endpoint"]
    now = int(time.time())
    claims = {"iss": "bench", "sub": "bench", "aud": token_url, "iat": now, "exp": now + 240}
    claims["jti"] = str(uuid.uuid4())
    header = {"alg": "ES384", "kid": key.kid, "typ": "JWT"}
    assertion = jwt.encode(header, claims, key, algorithms=["ES384"])
    reply = http.post(
        token_url,
        data={
            "grant_type": "client_credentials",
            "scope": "system/*.cruds",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
    )
    assert reply.status_code == 200, reply.json
    return str(reply.json["access_token"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--goals", type=int, default=100)
    parser.add_argument("--signs", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"PLAN_SERVICE_DATABASE_URL": f"sqlite:///{tmp}/plan.sqlite"})
        http = app.test_client()
        headers = {"Authorization": f"Bearer {_token(app, http)}"}

        def create(resource: dict) -> str:
            reply = http.post(f"/fhir/{resource['resourceType']}", json=resource, headers=headers)
            assert reply.status_code == 201, reply.json
            return f"{resource['resourceType']}/{reply.json['id']}"

        patient = create({"resourceType": "Patient", "name": [{"text": "Stor"}]})
        goals = [
            create(
                {
                    "resourceType": "Goal",
                    "lifecycleStatus": "active",
                    "description": {"text": f"Mål {i}"},
                    "subject": {"reference": patient},
                }
            )
            for i in range(args.goals)
        ]
        for j in range(args.signs):
            create(
                {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"text": "tegn"},
                    "subject": {"reference": patient},
                    "focus": [{"reference": goals[j % len(goals)]}],
                    "valueCodeableConcept": {"text": "lidt tættere på"},
                }
            )
        url = f"/fhir/{patient}/$everything"
        database = app.extensions["plan_service"]
        key = patient.split("/", 1)[1]

        def counter(present: bool, version: int) -> None:
            with database.session() as session:
                session.query(CompartmentVersionRow).filter_by(key=key).delete()
                if present:
                    session.add(CompartmentVersionRow(key=key, version=version))
                session.commit()

        version = 1 + args.goals + args.signs
        tags = {}
        for mode, present in (("content", False), ("counters", True)):
            counter(present, version)
            tags[mode] = http.get(url, headers=headers).headers["ETag"]
        times: dict[str, list[float]] = {"counters": [], "content": []}
        for _ in range(args.repeat):
            for mode, present in (("counters", True), ("content", False)):
                counter(present, version)
                started = time.perf_counter()
                reply = http.get(url, headers={**headers, "If-None-Match": tags[mode]})
                times[mode].append(time.perf_counter() - started)
                assert reply.status_code == 304, (mode, reply.status_code)
        database.dispose()

    print(
        f"a 304 for a plan of {args.goals} goals and {args.signs} signs, {args.repeat} times each"
    )
    for mode, values in times.items():
        values.sort()
        p90 = values[int(0.9 * (len(values) - 1))]
        print(
            f"  {mode:<9} median {statistics.median(values) * 1000:8.1f} ms   p90 {p90 * 1000:8.1f} ms"
        )
    ratio = statistics.median(times["content"]) / statistics.median(times["counters"])
    print(f"  the counters answer {ratio:.0f}× faster (median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

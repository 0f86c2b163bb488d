"""Behind a reverse proxy (issue #14, item 6): TRUSTED_PROXY_HOPS decides which address rate limits see."""

from __future__ import annotations

from tests.helpers import csrf_token


def _attempt(client, address: str) -> int:
    token = csrf_token(client, "/activate")
    response = client.post(
        "/activate",
        data={"csrf_token": token, "code": "AAAA-AAAA-AAAA"},
        headers={"X-Forwarded-For": address},
    )
    return response.status_code


def test_without_trusted_proxies_a_forwarded_address_is_ignored(make_app) -> None:
    app = make_app(RATELIMIT_ACTIVATION="3 per minute")
    client = app.test_client()
    # Each attempt claims another address; the limit still counts the connection's own address.
    codes = [_attempt(client, f"203.0.113.{i}") for i in range(4)]
    assert codes == [400, 400, 400, 429]


def test_behind_one_trusted_proxy_each_client_has_its_own_bucket(make_app) -> None:
    app = make_app(RATELIMIT_ACTIVATION="3 per minute", TRUSTED_PROXY_HOPS=1)
    first, second = app.test_client(), app.test_client()
    assert [_attempt(first, "203.0.113.10") for _ in range(4)] == [400, 400, 400, 429]
    # Another person behind the same proxy is not stopped by the first one's attempts …
    assert _attempt(second, "203.0.113.20") == 400
    # … and a client cannot pick a fresh bucket by adding its own X-Forwarded-For entry: with one trusted
    # hop only the address the proxy appended (the last one) counts.
    assert _attempt(first, "198.51.100.7, 203.0.113.10") == 429

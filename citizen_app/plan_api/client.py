"""One client for the shared plan API: httpx, timeouts, conditional reads, idempotent creates, If-Match."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from .errors import (
    PlanAPIConflict,
    PlanAPIError,
    PlanAPINotFound,
    PlanAPIRejected,
    PlanAPIUnavailable,
)

FHIR_JSON = "application/fhir+json"
CLIENT_ID_SYSTEM = "urn:ietf:rfc:3986"


def client_identifier(message_id: uuid.UUID) -> dict[str, str]:
    return {"system": CLIENT_ID_SYSTEM, "value": f"urn:uuid:{message_id}"}


@dataclass(frozen=True)
class Fetched:
    """A conditional read: `resource` is None when the server said 304 (the caller's copy is current)."""

    resource: dict[str, Any] | None
    etag: str | None

    @property
    def not_modified(self) -> bool:
        return self.resource is None


@dataclass(frozen=True)
class Stored:
    resource: dict[str, Any]
    etag: str | None
    created: bool

    @property
    def reference(self) -> str:
        return f"{self.resource['resourceType']}/{self.resource['id']}"

    @property
    def version(self) -> str | None:
        return self.resource.get("meta", {}).get("versionId")


class PlanClient:
    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
        auth: httpx.Auth | None = None,
        verify: Any = True,
        cert: Any = None,
    ) -> None:
        """`auth` is the portal's credential (smart.SmartBackendAuth: a bearer token, renewed once on
        a 401); `verify` a CA bundle or SSL context, `cert` a client certificate for mutual TLS."""
        self.base_url = base_url.rstrip("/")
        self.calls = 0  # requests sent, for bench/queries.py and /healthz-free diagnostics
        self.auth = auth
        # Who acts for whom in the current request (set by the app): the Provenance of direct writes.
        self.provenance_source: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None
        # Told of every resource this client has written (created or updated), after the plan API took it,
        # and of every update refused because the resource had changed (412): the app's copy of what is
        # current forgets its plan (services/plan_freshness.py).
        self.written: list[Callable[[dict[str, Any]], None]] = []
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            headers={"Accept": FHIR_JSON},
            transport=transport,
            auth=auth,
            verify=verify,
            cert=cert,
            event_hooks={"request": [self._count]},
        )

    def _count(self, _request: httpx.Request) -> None:
        self.calls += 1

    def close(self) -> None:
        self._http.close()
        close_auth = getattr(self.auth, "close", None)
        if close_auth is not None:
            close_auth()

    # -- reads -----------------------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        return self._json(self._send("GET", "/metadata"))

    def read(self, resource_type: str, resource_id: str, etag: str | None = None) -> Fetched:
        return self._conditional_get(f"/{resource_type}/{resource_id}", etag)

    def vread(self, resource_type: str, resource_id: str, version: str) -> dict[str, Any]:
        """One earlier version, as it was: what a person saw before they changed it."""
        return self._json(self._send("GET", f"/{resource_type}/{resource_id}/_history/{version}"))

    def everything(self, patient_ref: str, etag: str | None = None) -> Fetched:
        """The whole plan of one citizen in one request (see docs/plan-api.md, `$everything`)."""
        resource_type, _, patient_id = patient_ref.partition("/")
        if resource_type != "Patient" or not patient_id:
            raise ValueError("everything() takes a Patient reference")
        return self._conditional_get(f"/Patient/{patient_id}/$everything", etag)

    def search(self, resource_type: str, params: dict[str, str]) -> list[dict[str, Any]]:
        bundle = self._json(self._send("GET", f"/{resource_type}", params=params))
        return [entry["resource"] for entry in bundle.get("entry", [])]

    def search_all(self, resource_type: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """Every match: follows the Bundle's `next` links, so nothing is silently cut at one page."""
        bundle = self._json(self._send("GET", f"/{resource_type}", params=params))
        found = [entry["resource"] for entry in bundle.get("entry", [])]
        seen: set[str] = set()
        while True:
            following = [
                link.get("url")
                for link in bundle.get("link", []) or []
                if link.get("relation") == "next" and link.get("url")
            ]
            if not following or following[0] in seen:
                return found
            seen.add(following[0])
            bundle = self._json(self._send("GET", following[0]))
            found += [entry["resource"] for entry in bundle.get("entry", [])]

    def history(self, params: dict[str, str]) -> tuple[list[dict[str, Any]], str | None]:
        """The change feed (`GET /_history`), every page: (entries, the first page's meta.lastUpdated,
        which is the `_since` of the next read)."""
        bundle = self._json(self._send("GET", "/_history", params=params))
        entries = list(bundle.get("entry", []))
        since = (bundle.get("meta") or {}).get("lastUpdated")
        seen: set[str] = set()
        while True:
            following = [
                link.get("url")
                for link in bundle.get("link", []) or []
                if link.get("relation") == "next" and link.get("url")
            ]
            if not following or following[0] in seen:
                return entries, since
            seen.add(following[0])
            bundle = self._json(self._send("GET", following[0]))
            entries += bundle.get("entry", [])

    def search_by_post(self, resource_type: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """`POST {type}/_search` with a form body: for parameters that must not be in a URL (a CPR number)."""
        bundle = self._json(self._send("POST", f"/{resource_type}/_search", data=params))
        return [entry["resource"] for entry in bundle.get("entry", [])]

    # -- writes ----------------------------------------------------------------------------------

    def _provenance_header(
        self, resource: dict[str, Any], provenance: dict[str, Any] | None
    ) -> dict[str, str]:
        """X-Provenance: who acted and for whom (given, or from `provenance_source` in a request)."""
        if provenance is None and self.provenance_source is not None:
            provenance = self.provenance_source(resource)
        if provenance is None:
            return {}
        return {"X-Provenance": json.dumps(provenance, separators=(",", ":"))}

    def create(
        self,
        resource: dict[str, Any],
        message_id: uuid.UUID,
        provenance: dict[str, Any] | None = None,
    ) -> Stored:
        """Idempotent: the same message_id always yields the same resource, however often it is sent."""
        ident = client_identifier(message_id)
        body = dict(resource)
        identifiers = [i for i in body.get("identifier", []) if i.get("system") != CLIENT_ID_SYSTEM]
        body["identifier"] = [*identifiers, ident]
        response = self._send(
            "POST",
            f"/{resource['resourceType']}",
            json=body,
            headers={
                "If-None-Exist": f"identifier={ident['system']}|{ident['value']}",
                **self._provenance_header(resource, provenance),
            },
        )
        stored = Stored(
            self._json(response), response.headers.get("ETag"), response.status_code == 201
        )
        self._wrote(stored.resource)
        return stored

    def update(
        self, resource: dict[str, Any], if_match: str, provenance: dict[str, Any] | None = None
    ) -> Stored:
        try:
            response = self._send(
                "PUT",
                f"/{resource['resourceType']}/{resource['id']}",
                json=resource,
                headers={"If-Match": if_match, **self._provenance_header(resource, provenance)},
            )
        except PlanAPIConflict:
            # Changed since the version we had: any copy of its plan held here is older than the plan.
            self._wrote(resource)
            raise
        stored = Stored(self._json(response), response.headers.get("ETag"), False)
        self._wrote(stored.resource)
        return stored

    def _wrote(self, resource: dict[str, Any]) -> None:
        for listener in self.written:
            listener(resource)

    # -- plumbing --------------------------------------------------------------------------------

    def _conditional_get(self, path: str, etag: str | None) -> Fetched:
        headers = {"If-None-Match": etag} if etag else None
        response = self._send("GET", path, headers=headers)
        if response.status_code == 304:
            return Fetched(None, etag)
        return Fetched(self._json(response), response.headers.get("ETag"))

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if "json" in kwargs:
            kwargs.setdefault("headers", {})
            kwargs["headers"] = {**(kwargs["headers"] or {}), "Content-Type": FHIR_JSON}
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise PlanAPIUnavailable(f"plan API timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise PlanAPIUnavailable(f"plan API unreachable ({type(exc).__name__})") from exc
        if response.status_code < 400 or response.status_code == 304:
            return response
        raise _error_for(response)

    @staticmethod
    def _json(response: httpx.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError as exc:
            raise PlanAPIError(
                "plan API answered something that is not JSON", response.status_code
            ) from exc
        if not isinstance(data, dict):
            raise PlanAPIError("plan API answered JSON that is not an object", response.status_code)
        return data


def _error_for(response: httpx.Response) -> PlanAPIError:
    code = None
    try:
        outcome = response.json()
        code = outcome.get("issue", [{}])[0].get("code")
    except (ValueError, AttributeError, IndexError):
        pass
    status = response.status_code
    message = f"plan API answered {status}" + (f" ({code})" if code else "")
    wait = _retry_after(response.headers.get("Retry-After"))
    if status >= 500:
        return PlanAPIUnavailable(message, status, code, wait)
    if status == 412:
        return PlanAPIConflict(message, status, code)
    if status in (404, 410):
        return PlanAPINotFound(message, status, code)
    return PlanAPIRejected(message, status, code, wait)


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date (RFC 9110 10.2.3); None if absent or odd."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())

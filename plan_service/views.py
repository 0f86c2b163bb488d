"""The FHIR REST interactions of docs/plan-api.md, one view per interaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote

from flask import Blueprint, Response, current_app, request
from sqlalchemy.orm import Session
from werkzeug.http import http_date

from plan_service import auth, compartments, gas, provenance, store
from plan_service.bundles import capability_statement, everything_bundle, searchset
from plan_service.db import Database
from plan_service.errors import FhirError, bad_request, not_found
from plan_service.everything import bundle_etag, everything
from plan_service.history import history_bundle
from plan_service.http import fhir_response, if_none_match, parse_if_match, resource_url
from plan_service.resource_types import EVERYTHING_TYPES, ID_PATTERN, RESOURCE_TYPES
from plan_service.search import Criterion, included, parse_search, run_search
from plan_service.validation import read_resource_body

bp = Blueprint("fhir", __name__)
# Flask's automatic OPTIONS answers an empty text/html 200; without it OPTIONS is a 405
# OperationOutcome like every other unsupported method.
_ROUTE = {"provide_automatic_options": False}


@contextmanager
def _session() -> Iterator[Session]:
    database: Database = current_app.extensions["plan_service"]
    with database.session() as session:
        yield session


def _checked_type(resource_type: str) -> str:
    if resource_type not in RESOURCE_TYPES:
        raise not_found(f"Resource type {resource_type!r} is not supported.")
    return resource_type


def _checked_id(resource_type: str, resource_id: str) -> str:
    if not ID_PATTERN.fullmatch(resource_id):
        raise not_found(f"{resource_type}/{resource_id} is not known.")
    return resource_id


def _resource_response(stored: store.StoredResource, status: int = 200) -> Response:
    headers = {"ETag": stored.etag, "Last-Modified": http_date(stored.last_updated)}
    if status == 201:
        location = resource_url(stored.resource_type, stored.id)
        headers["Location"] = f"{location}/_history/{stored.version_id}"
    return fhir_response(stored.content, status, headers)


def _not_modified(etag: str) -> Response:
    return Response(status=304, headers={"ETag": etag})


bp.before_request(auth.require_token)


@bp.get("/metadata", **_ROUTE)
def metadata() -> Response:
    return fhir_response(capability_statement(current_app.config["PLAN_SERVICE_STARTED"]))


@bp.get(auth.SMART_CONFIGURATION_PATH, **_ROUTE)
def smart_configuration() -> Response:
    response = fhir_response(auth.smart_configuration())
    response.content_type = "application/json"
    return response


@bp.post(auth.TOKEN_PATH, **_ROUTE)
def token() -> Response:
    return auth.token_endpoint()


@bp.get("/<resource_type>", **_ROUTE)
def search(resource_type: str) -> Response:
    query = parse_search(_checked_type(resource_type), request.args.items(multi=True))
    with _session() as session:
        total, rows = run_search(session, query)
        page = [store.StoredResource.from_row(row) for row in rows]
        extra = [store.StoredResource.from_row(row) for row in included(session, query, rows)]
    return fhir_response(searchset(query, total, page, extra))


@bp.get("/_history", **_ROUTE)
def system_history() -> Response:
    """Every version of every resource: the change feed (plan_service/history.py)."""
    with _session() as session:
        return fhir_response(history_bundle(session, None, request.args.to_dict()))


@bp.get("/<resource_type>/_history", **_ROUTE)
def type_history(resource_type: str) -> Response:
    _checked_type(resource_type)
    with _session() as session:
        return fhir_response(history_bundle(session, resource_type, request.args.to_dict()))


@bp.post("/<resource_type>/_search", **_ROUTE)
def search_by_post(resource_type: str) -> Response:
    """FHIR's POST search: the parameters in a form body, so that a search by a personal identifier (a CPR
    number) never stands in a URL or an access log."""
    query = parse_search(_checked_type(resource_type), request.form.items(multi=True))
    with _session() as session:
        total, rows = run_search(session, query)
        page = [store.StoredResource.from_row(row) for row in rows]
    return fhir_response(searchset(query, total, page))


@bp.get("/<resource_type>/<resource_id>", **_ROUTE)
def read(resource_type: str, resource_id: str) -> Response:
    _checked_id(_checked_type(resource_type), resource_id)
    with _session() as session:
        stored = store.get_current(session, resource_type, resource_id)
    if if_none_match(stored.etag):
        return _not_modified(stored.etag)
    return _resource_response(stored)


@bp.get("/<resource_type>/<resource_id>/_history/<version_id>", **_ROUTE)
def vread(resource_type: str, resource_id: str, version_id: str) -> Response:
    _checked_id(_checked_type(resource_type), resource_id)
    if not version_id.isascii() or not version_id.isdigit() or len(version_id) > 18:
        raise not_found(f"{resource_type}/{resource_id} has no version {version_id!r}.")
    with _session() as session:
        stored = store.get_version(session, resource_type, resource_id, int(version_id))
    return _resource_response(stored)


@bp.get("/<resource_type>/<resource_id>/$everything", **_ROUTE)
def patient_everything(resource_type: str, resource_id: str) -> Response:
    if _checked_type(resource_type) != "Patient":
        raise not_found(f"$everything is only supported on Patient, not {resource_type}.")
    _checked_id(resource_type, resource_id)
    types = _everything_types()
    with _session() as session:
        # The counters first, then the plan (see compartments.py): a 304 loads nothing else.
        etag = compartments.everything_etag(session, resource_id, types)
        if etag is not None and if_none_match(etag):
            return _not_modified(etag)
        resources = everything(session, resource_id, types)
    etag = etag or bundle_etag(resources)
    if if_none_match(etag):
        return _not_modified(etag)
    bundle = everything_bundle(resource_id, resources, request.url)
    return fhir_response(bundle, headers={"ETag": etag})


def _everything_types() -> tuple[str, ...]:
    unknown = set(request.args) - {"_type"}
    if unknown:
        raise bad_request(f"$everything does not support {', '.join(sorted(unknown))}.")
    raw = request.args.getlist("_type")
    if not raw:
        return EVERYTHING_TYPES
    wanted = [t for value in raw for t in value.split(",")]
    outside = sorted(set(wanted) - set(EVERYTHING_TYPES))
    if outside:
        raise bad_request(f"_type {', '.join(outside)} is not part of $everything.", "_type")
    return tuple(wanted)


def _if_none_exist(resource_type: str) -> list[Criterion] | None:
    header = request.headers.get("If-None-Exist")
    if header is None:
        return None
    # A query string without form encoding: "+" stays "+" (identifier values may contain it).
    pairs = [part.partition("=") for part in header.strip().split("&") if part]
    if not pairs or any(sep != "=" for _, sep, _ in pairs):
        raise bad_request("If-None-Exist must be a search like identifier=system|value.")
    criteria = [(unquote(name), unquote(value)) for name, _, value in pairs]
    return list(parse_search(resource_type, criteria, result_params=False).criteria)


@bp.post("/<resource_type>", **_ROUTE)
def create(resource_type: str) -> Response:
    condition = _if_none_exist(_checked_type(resource_type))
    resource = read_resource_body(resource_type)
    also = provenance.from_request()
    with _session() as session:
        gas.check(session, resource)
        stored, created = store.create(session, resource, condition, also)
    return _resource_response(stored, 201 if created else 200)


@bp.put("/<resource_type>/<resource_id>", **_ROUTE)
def update(resource_type: str, resource_id: str) -> Response:
    _checked_id(_checked_type(resource_type), resource_id)
    if_match = request.headers.get("If-Match")
    if if_match is None:
        raise FhirError(428, "required", 'Updates need If-Match: W/"<versionId>".')
    expected = parse_if_match(if_match)
    if expected is None:
        raise bad_request(f'If-Match must be one version tag like W/"3", not {if_match!r}.')
    resource = read_resource_body(resource_type)
    if resource.get("id") != resource_id:
        raise bad_request(
            f"The body's id must be {resource_id!r}, the id in the URL.", f"{resource_type}.id"
        )
    also = provenance.from_request()
    with _session() as session:
        gas.check(session, resource)
        stored = store.update_resource(session, resource, expected, also)
    return _resource_response(stored)

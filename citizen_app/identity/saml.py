"""The SAML 2.0 service provider for NemLog-in (OIOSAML 3 profile), on pysaml2 with Debian's xmlsec1.

pysaml2 checks the XML signatures (response and assertion), the audience, the destination, the time
conditions and that the answer is to a request we sent; this module adds what the profile and the portal
need on top: a request is used once, an assertion id is accepted once, the NSIS level is at least the
configured minimum, and the CPR number is there. Every refusal is a `SignInRefused` with a reason code for
the audit log (never the assertion's content).
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
from flask import Flask, current_app, session
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.s_utils import UnknownPrincipal
from saml2.saml import NAMEID_FORMAT_PERSISTENT, AuthnContextClassRef, NameID
from saml2.samlp import RequestedAuthnContext
from saml2.xmldsig import SIG_RSA_SHA256
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import commit_now
from ..models import SamlAssertionSeen, SamlRequest, utcnow
from . import LEVELS
from .attributemaps import oiosaml3 as names
from .certificates import ensure_pair

HERE = Path(__file__).resolve().parent
LOA_PREFIX = "https://data.gov.dk/concept/core/nsis/loa/"
REQUEST_MINUTES = 15
# OIO Basic Privilege Profile 1.2: a power of attorney from a person is a PrivilegeGroup scoped to their CPR.
BPP_NS = "http://digst.dk/oiosaml/basic_privilege_profile"
CPR_SCOPE = "urn:dk:gov:saml:cprNumberIdentifier:"
SIMULATOR_MARK = "nemlogin-simulator"
EXTENSION_KEY = "citizen_app.saml_client"
# Where the sign-in keeps the NameID and SessionIndex it needs for a single logout at NemLog-in.
SAML_SESSION = "saml"


class SignInRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SignedInPerson:
    cpr: str
    name: str
    level: str
    name_id: str
    session_index: str | None
    # CPR of the person who gave the power of attorney -> the privilege URIs they gave.
    privileges: dict[str, frozenset[str]] = field(default_factory=dict)


def enabled(app: Flask | None = None) -> bool:
    return bool((app or current_app).config.get("SAML_IDP_METADATA"))


def _sp_files(app: Flask) -> dict[str, str]:
    """Key and certificate files: configured in production (OCES3), generated once in development."""
    config = app.config
    files = {
        key: config.get(key)
        for key in (
            "SAML_SP_KEY_FILE",
            "SAML_SP_CERT_FILE",
            "SAML_SP_ENCRYPTION_KEY_FILE",
            "SAML_SP_ENCRYPTION_CERT_FILE",
        )
    }
    if not (files["SAML_SP_KEY_FILE"] and files["SAML_SP_CERT_FILE"]):
        if config["ENVIRONMENT"] != "development":
            raise RuntimeError(
                "SAML_SP_KEY_FILE and SAML_SP_CERT_FILE must be set outside development."
            )
        folder = Path(app.instance_path) / "saml"
        key, cert = ensure_pair(folder, "sp-signing", "Borgerens Plan SP (development)")
        files["SAML_SP_KEY_FILE"], files["SAML_SP_CERT_FILE"] = str(key), str(cert)
    if not (files["SAML_SP_ENCRYPTION_KEY_FILE"] and files["SAML_SP_ENCRYPTION_CERT_FILE"]):
        if config["ENVIRONMENT"] != "development":
            raise RuntimeError(
                "SAML_SP_ENCRYPTION_KEY_FILE and SAML_SP_ENCRYPTION_CERT_FILE must be set outside development."
            )
        folder = Path(app.instance_path) / "saml"
        key, cert = ensure_pair(
            folder, "sp-encryption", "Borgerens Plan SP encryption (development)"
        )
        files["SAML_SP_ENCRYPTION_KEY_FILE"] = str(key)
        files["SAML_SP_ENCRYPTION_CERT_FILE"] = str(cert)
    return {k: v for k, v in files.items() if v}


def base_url(app: Flask) -> str:
    return str(app.config.get("SAML_SP_BASE_URL") or app.config.get("PUBLIC_URL") or "").rstrip("/")


def sp_config(app: Flask, with_idp: bool = True) -> SPConfig:
    files = _sp_files(app)
    base = base_url(app)
    metadata: dict[str, Any] = {}
    source = app.config.get("SAML_IDP_METADATA") or ""
    if with_idp and source:
        if source.startswith(("http://", "https://")):
            metadata = {"remote": [{"url": source}]}
        else:
            metadata = {"local": [source]}
    config = SPConfig()
    config.load(
        {
            "entityid": app.config.get("SAML_SP_ENTITY_ID") or f"{base}/saml/metadata",
            "xmlsec_binary": app.config.get("SAML_XMLSEC_BINARY", "/usr/bin/xmlsec1"),
            "attribute_map_dir": str(HERE / "attributemaps"),
            "allow_unknown_attributes": True,
            "key_file": files["SAML_SP_KEY_FILE"],
            "cert_file": files["SAML_SP_CERT_FILE"],
            "encryption_keypairs": [
                {
                    "key_file": files["SAML_SP_ENCRYPTION_KEY_FILE"],
                    "cert_file": files["SAML_SP_ENCRYPTION_CERT_FILE"],
                }
            ],
            "metadata": metadata,
            "accepted_time_diff": int(app.config.get("SAML_CLOCK_SKEW_SECONDS", 60)),
            "service": {
                "sp": {
                    "name": "Borgerens Plan",
                    "endpoints": {
                        "assertion_consumer_service": [(f"{base}/saml/acs", BINDING_HTTP_POST)],
                        "single_logout_service": [(f"{base}/saml/slo", BINDING_HTTP_REDIRECT)],
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "authn_requests_signed": True,
                    "logout_requests_signed": True,
                    "want_response_signed": True,
                    "want_assertions_signed": True,
                    "want_assertions_or_response_signed": True,
                    "allow_unsolicited": False,
                    "signing_algorithm": SIG_RSA_SHA256,
                    "digest_algorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
                }
            },
        }
    )
    return config


_lock = threading.Lock()


def client(app: Flask | None = None) -> Saml2Client:
    """One client per app, made on first use (it reads the IdP's metadata then)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    with _lock:
        found = app.extensions.get(EXTENSION_KEY)
        if found is None:
            found = Saml2Client(config=sp_config(app))
            idps = list(found.metadata.identity_providers())
            if app.config["ENVIRONMENT"] != "development" and any(
                SIMULATOR_MARK in idp for idp in idps
            ):
                raise RuntimeError("Production never trusts the NemLog-in simulator.")
            app.extensions[EXTENSION_KEY] = found
        return found


def metadata_xml(app: Flask) -> str:
    """Our EntityDescriptor: signing and encryption keys, the ACS and SLO endpoints."""
    return create_metadata_string(None, sp_config(app, with_idp=False), 4)


def _idp_entity_id(saml_client: Saml2Client) -> str:
    idps = list(saml_client.metadata.identity_providers())
    if len(idps) != 1:
        raise RuntimeError("SAML_IDP_METADATA must describe exactly one identity provider.")
    return idps[0]


def begin(db_session: Session, next_path: str) -> str:
    """A signed AuthnRequest (HTTP-Redirect) asking for at least the configured NSIS level; the URL to go to."""
    saml_client = client()
    minimum = current_app.config["SAML_MIN_LEVEL"]
    request_id, info = saml_client.prepare_for_authenticate(
        entityid=_idp_entity_id(saml_client),
        binding=BINDING_HTTP_REDIRECT,
        sigalg=SIG_RSA_SHA256,
        digest_alg="http://www.w3.org/2001/04/xmlenc#sha256",
        requested_authn_context=RequestedAuthnContext(
            authn_context_class_ref=[AuthnContextClassRef(text=LOA_PREFIX + minimum)],
            comparison="minimum",
        ),
    )
    now = utcnow()
    db_session.add(
        SamlRequest(
            request_id=request_id,
            created_at=now,
            expires_at=now + timedelta(minutes=REQUEST_MINUTES),
            next_path=next_path[:300],
        )
    )
    db_session.flush()
    return dict(info["headers"])["Location"]


class _Outstanding(Mapping[str, str]):
    """The requests we sent (not yet expired), as pysaml2 asks for them (an InResponseTo lookup). A used one
    still counts here, so that a replay is seen as what it is by `finish` and refused there."""

    def __init__(self, db_session: Session) -> None:
        self.db_session = db_session

    def _row(self, key: object) -> SamlRequest | None:
        if not isinstance(key, str):
            return None
        row = self.db_session.get(SamlRequest, key)
        if row is None or row.expires_at <= utcnow():
            return None
        return row

    def __getitem__(self, key: str) -> str:
        row = self._row(key)
        if row is None:
            raise KeyError(key)
        return row.next_path

    def __contains__(self, key: object) -> bool:
        return self._row(key) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __bool__(self) -> bool:
        return True  # pysaml2 ignores an empty-looking mapping; this one is only ever asked by key


def finish(db_session: Session, saml_response: str) -> tuple[SignedInPerson, str]:
    """Check a SAMLResponse from the ACS; the person and the path to go on to, or SignInRefused."""
    saml_client = client()
    try:
        response = saml_client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding=_Outstanding(db_session)
        )
    except Exception as error:  # pysaml2 raises many types; each is a refusal
        raise SignInRefused(_reason(error)) from None
    if response is None:
        raise SignInRefused("invalid")
    assertion = response.assertion
    if assertion is None or not assertion.id:
        raise SignInRefused("invalid")
    # Replay: an assertion id is taken once, whichever process sees it.
    expires = utcnow() + timedelta(minutes=REQUEST_MINUTES)
    db_session.add(
        SamlAssertionSeen(
            assertion_id=str(assertion.id)[:100], seen_at=utcnow(), expires_at=expires
        )
    )
    try:
        db_session.flush()
    except IntegrityError:
        db_session.rollback()
        raise SignInRefused("replayed") from None
    used = db_session.execute(
        update(SamlRequest)
        .where(SamlRequest.request_id == response.in_response_to, SamlRequest.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if not used.rowcount:
        db_session.rollback()
        raise SignInRefused("replayed")
    next_path = db_session.get(SamlRequest, response.in_response_to).next_path  # type: ignore[union-attr]
    # On purpose before the request ends: the assertion and its request are spent even when the sign-in is
    # then refused (too low a level, no Patient): a replay is refused as a replay.
    commit_now(db_session, "a SAML assertion is taken once, also when the sign-in is then refused")
    ava = response.ava or {}
    level = _level(ava)
    minimum = current_app.config["SAML_MIN_LEVEL"]
    if level is None or LEVELS.index(level) < LEVELS.index(minimum):
        raise SignInRefused("level-too-low")
    cpr = (ava.get(names.CPR) or [""])[0].strip()
    if not (len(cpr) == 10 and cpr.isdigit()):
        raise SignInRefused("no-cpr")
    name_id = response.name_id
    session_info = response.session_info()
    return (
        SignedInPerson(
            cpr=cpr,
            name=(ava.get(names.FULL_NAME) or [""])[0].strip(),
            level=level,
            name_id=name_id.text if name_id is not None else "",
            session_index=session_info.get("session_index"),
            privileges=parse_privileges((ava.get(names.PRIVILEGES) or [""])[0]),
        ),
        next_path,
    )


def _level(ava: dict[str, list[str]]) -> str | None:
    raw = (ava.get(names.LOA) or [""])[0]
    if not raw.startswith(LOA_PREFIX):
        return None
    level = raw.removeprefix(LOA_PREFIX)
    return level if level in LEVELS else None


def _reason(error: Exception) -> str:
    """A short reason code for the audit log and the tests; never the message (it may quote the XML)."""
    kind, text = type(error).__name__, str(error)
    # pysaml2's own fixed messages (they do not quote the response).
    if text.startswith("AudienceRestrictions conditions not satisfied"):
        return "wrong-audience"
    if text == "Condition not OK":
        return "outside-validity"  # NotBefore / NotOnOrAfter of the assertion
    return {
        "SignatureError": "bad-signature",
        "MissingSignatureError": "unsigned",
        "UnsolicitedResponse": "unsolicited",
        "ResponseLifetimeExceed": "expired",
        "ToEarly": "not-yet-valid",
        "IncorrectlySigned": "bad-signature",
        "StatusError": "idp-status",
        "UnknownPrincipal": "unknown-principal",
    }.get(kind, kind.lower()[:40])


def parse_privileges(value: str) -> dict[str, frozenset[str]]:
    """OIO BPP privilegesIntermediate: base64 of a bpp:PrivilegeList; groups scoped to a CPR number only."""
    if not value:
        return {}
    try:
        root = SafeET.fromstring(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError, SafeET.ParseError):
        return {}
    found: dict[str, set[str]] = {}
    for group in root.iter():
        if not group.tag.endswith("PrivilegeGroup"):
            continue
        scope = group.get("Scope", "")
        if not scope.startswith(CPR_SCOPE):
            continue
        cpr = scope.removeprefix(CPR_SCOPE)
        if len(cpr) != 10 or not cpr.isdigit():
            continue
        rights = {
            (p.text or "").strip()
            for p in group.iter()
            if p.tag.endswith("Privilege") and p is not group
        }
        found.setdefault(cpr, set()).update(r for r in rights if r)
    return {cpr: frozenset(rights) for cpr, rights in found.items()}


def logout_url(name_id: str, session_index: str | None) -> str | None:
    """A signed LogoutRequest to the IdP (HTTP-Redirect), or None when the IdP offers no SLO."""
    saml_client = client()
    idp = _idp_entity_id(saml_client)
    try:
        destinations = saml_client.metadata.single_logout_service(
            idp, BINDING_HTTP_REDIRECT, "idpsso"
        )
    except UnknownPrincipal:
        return None
    if not destinations:
        return None
    destination = destinations[0]["location"]
    request_id, request = saml_client.create_logout_request(
        destination,
        idp,
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=name_id),
        session_indexes=[session_index] if session_index else None,
        sign=False,
    )
    info = saml_client.apply_binding(
        BINDING_HTTP_REDIRECT, str(request), destination, "", sigalg=SIG_RSA_SHA256
    )
    _ = request_id
    return dict(info["headers"])["Location"]


def logout_request_is_genuine(args: Mapping[str, str]) -> bool:
    """An IdP-initiated LogoutRequest (HTTP-Redirect) signed by NemLog-in; anything else is ignored, so that a
    link cannot sign anyone out."""
    try:
        parsed = client().parse_logout_request(
            args["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=args.get("RelayState"),
            sigalg=args.get("SigAlg"),
            signature=args.get("Signature"),
        )
    except Exception:
        return False
    return parsed is not None and bool(args.get("Signature"))


def logout_redirect() -> str | None:
    """Where to send the browser after a local sign-out of a MitID session: NemLog-in's logout, if any."""
    info = session.get(SAML_SESSION)
    if not isinstance(info, dict) or not enabled():
        return None
    try:
        return logout_url(str(info.get("name_id") or ""), info.get("session_index"))
    except Exception:
        current_app.logger.warning("MitID logout request could not be made")
        return None

"""A local stand-in for NemLog-in: a real SAML 2.0 identity provider (pysaml2) in the OIOSAML 3 profile.

It is to sign-in what plan_service/ is to the case system: something real to talk to on a real port, for
`make run` and the tests. It signs its assertions with its own self-signed test certificate, knows the portal
only from the portal's published SP metadata, and offers a page to choose a demo person (CPR, name, NSIS
level, Digital Fuldmagt privileges) instead of MitID. It refuses to start outside development, and the
portal never imports it (tests/meta/test_architecture.py).

Protocol facts (OIOSAML Web SSO Profile 3.0.x, OIO Basic Privilege Profile 1.2): see docs/sign-in.md.
"""

from __future__ import annotations

import base64
import html
import secrets
import threading
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from flask import Flask, Response, request
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.assertion import Policy
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

from .attributemaps import oiosaml3 as names
from .certificates import ensure_pair

HERE = Path(__file__).resolve().parent
LOA_PREFIX = "https://data.gov.dk/concept/core/nsis/loa/"
LEVELS = ("Low", "Substantial", "High")
# Marks every entity id of the simulator, so a production portal can refuse to trust it.
SIMULATOR_MARK = "nemlogin-simulator"
BPP_NS = "http://digst.dk/oiosaml/basic_privilege_profile"
CPR_SCOPE = "urn:dk:gov:saml:cprNumberIdentifier:"
PRIVILEGE_PREFIX = "https://borgerensplan.dk/privilege/"

# Demo people (fake, well-formed CPR numbers: the demo Patients carry the same in the plan service).
DEMO_PEOPLE: tuple[dict[str, Any], ...] = (
    {"key": "sara", "name": "Sara Jensen", "cpr": "0101901234", "level": "Substantial"},
    {"key": "mads", "name": "Mads Nielsen", "cpr": "0202851235", "level": "Substantial"},
    {
        "key": "peter",
        "name": "Peter Jensen",
        "cpr": "0303881237",
        "level": "Substantial",
        # Sara gave her brother a power of attorney in Digital Fuldmagt: see her plan, write to her caseworker.
        "privileges": {"0101901234": ("see-plan", "message")},
    },
    {"key": "nobody", "name": "Nina Holm", "cpr": "0404921238", "level": "Substantial"},
    {"key": "low", "name": "Sara Jensen", "cpr": "0101901234", "level": "Low"},
)


def privilege_attribute(privileges: dict[str, tuple[str, ...]]) -> str:
    """The privilegesIntermediate value: a base64-encoded bpp:PrivilegeList, one group per CPR scope."""
    groups = "".join(
        f'<PrivilegeGroup Scope="{CPR_SCOPE}{cpr}">'
        + "".join(f"<Privilege>{PRIVILEGE_PREFIX}{html.escape(p)}</Privilege>" for p in rights)
        + "</PrivilegeGroup>"
        for cpr, rights in privileges.items()
    )
    xml = f'<?xml version="1.0" encoding="UTF-8"?><bpp:PrivilegeList xmlns:bpp="{BPP_NS}">{groups}</bpp:PrivilegeList>'
    return base64.b64encode(xml.encode()).decode()


def idp_config(base_url: str, cert_dir: Path, sp_metadata: dict[str, Any]) -> IdPConfig:
    key, cert = ensure_pair(cert_dir, "nemlogin-sim", "NemLog-in SIMULATOR (test only)")
    config = IdPConfig()
    config.load(
        {
            "entityid": f"{base_url}/{SIMULATOR_MARK}/metadata",
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "attribute_map_dir": str(HERE / "attributemaps"),
            "key_file": str(key),
            "cert_file": str(cert),
            "encryption_keypairs": [{"key_file": str(key), "cert_file": str(cert)}],
            "metadata": sp_metadata,
            "service": {
                "idp": {
                    "name": "NemLog-in SIMULATOR",
                    "endpoints": {
                        "single_sign_on_service": [(f"{base_url}/sso", BINDING_HTTP_REDIRECT)],
                        "single_logout_service": [(f"{base_url}/slo", BINDING_HTTP_REDIRECT)],
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "want_authn_requests_signed": True,
                    "sign_response": True,
                    "sign_assertion": True,
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 5},
                            "name_form": NAME_FORMAT_URI,
                            "attribute_restrictions": None,
                        }
                    },
                }
            },
        }
    )
    return config


def create_app(config: dict[str, Any]) -> Flask:
    """config: ENVIRONMENT ("development" only), SIM_BASE_URL, SIM_CERT_DIR, and the portal's SP metadata
    as SIM_SP_METADATA_URL (read on the first sign-in) or SIM_SP_METADATA (the XML itself)."""
    if config.get("ENVIRONMENT") != "development":
        raise RuntimeError("The NemLog-in simulator runs in development only.")
    app = Flask(__name__)
    app.config.update(config)
    cert_dir = Path(config["SIM_CERT_DIR"])

    def base() -> str:
        """Read on use: a test learns its port only after the server started."""
        return str(app.config["SIM_BASE_URL"]).rstrip("/")

    pending: dict[str, dict[str, Any]] = {}
    server_box: dict[str, Server] = {}
    lock = threading.Lock()

    def server() -> Server:
        with lock:
            if "server" not in server_box:
                if app.config.get("SIM_SP_METADATA"):
                    metadata = {"inline": [app.config["SIM_SP_METADATA"]]}
                else:
                    metadata = {"remote": [{"url": app.config["SIM_SP_METADATA_URL"]}]}
                server_box["server"] = Server(config=idp_config(base(), cert_dir, metadata))
            return server_box["server"]

    app.extensions["nemlogin_sim.server"] = server

    @app.get("/metadata")
    @app.get(f"/{SIMULATOR_MARK}/metadata")
    def metadata() -> Response:
        ensure_pair(cert_dir, "nemlogin-sim", "NemLog-in SIMULATOR (test only)")
        xml = create_metadata_string(None, idp_config(base(), cert_dir, {}), 4)
        return Response(xml, mimetype="application/samlmetadata+xml")

    @app.get("/sso")
    def sso() -> Response | tuple[str, int]:
        try:
            parsed = server().parse_authn_request(
                request.args["SAMLRequest"],
                BINDING_HTTP_REDIRECT,
                relay_state=request.args.get("RelayState"),
                sigalg=request.args.get("SigAlg"),
                signature=request.args.get("Signature"),
            )
        except Exception as error:  # a simulator: show what was wrong with the request
            return _page("Forkert anmodning", f"<p>{html.escape(repr(error))}</p>"), 400
        if parsed is None or not request.args.get("Signature"):
            return _page("Forkert anmodning", "<p>Anmodningen var ikke signeret.</p>"), 400
        message = parsed.message
        token = secrets.token_urlsafe(16)
        pending[token] = {
            "id": message.id,
            "sp": message.issuer.text,
            "acs": message.assertion_consumer_service_url
            or server().config.metadata.assertion_consumer_service(message.issuer.text)[0][
                "location"
            ],
            "relay_state": request.args.get("RelayState", ""),
        }
        return _page("Vælg en demo-person", _chooser(token))

    @app.post("/sso")
    def choose() -> Response | tuple[str, int]:
        request_info = pending.pop(request.form.get("token", ""), None)
        if request_info is None:
            return _page("Forkert anmodning", "<p>Start forfra fra portalen.</p>"), 400
        preset = next((p for p in DEMO_PEOPLE if p["key"] == request.form.get("person")), None)
        if preset is not None:
            person = dict(preset)
        else:
            person = {
                "name": request.form.get("name", "").strip() or "Demo Person",
                "cpr": request.form.get("cpr", "").strip(),
                "level": request.form.get("level", "Substantial"),
                "privileges": _parse_privileges(request.form.get("privileges", "")),
            }
        identity: dict[str, list[str]] = {
            names.SPEC_VERSION: ["OIO-SAML-3.0"],
            names.LOA: [LOA_PREFIX + person["level"]],
            names.FULL_NAME: [person["name"]],
        }
        if person["cpr"]:
            identity[names.CPR] = [person["cpr"]]
        if person.get("privileges"):
            identity[names.PRIVILEGES] = [privilege_attribute(person["privileges"])]
        name_id = NameID(
            format=NAMEID_FORMAT_PERSISTENT,
            text=f"https://data.gov.dk/model/core/eid/person/uuid/{secrets.token_hex(8)}",
        )
        response = server().create_authn_response(
            identity,
            request_info["id"],
            request_info["acs"],
            request_info["sp"],
            name_id=name_id,
            authn={"class_ref": LOA_PREFIX + person["level"], "authn_auth": base()},
            sign_response=True,
            sign_assertion=True,
            encrypt_assertion=True,
            encrypt_cert_assertion=None,
            release_policy=Policy(
                {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_URI}},
                mds=server().metadata,
            ),
        )
        encoded = base64.b64encode(str(response).encode()).decode()
        body = (
            f"<p>Du er logget ind som {html.escape(person['name'])} (simuleret).</p>"
            f'<form method="post" action={quoteattr(request_info["acs"])}>'
            f"<input type=hidden name=SAMLResponse value={quoteattr(encoded)}>"
            f"<input type=hidden name=RelayState value={quoteattr(request_info['relay_state'])}>"
            "<button type=submit>Fortsæt til Borgerens Plan</button></form>"
        )
        return _page("Fortsæt", body)

    @app.get("/slo")
    def slo() -> Response:
        srv = server()
        try:
            parsed = srv.parse_logout_request(
                request.args["SAMLRequest"],
                BINDING_HTTP_REDIRECT,
                relay_state=request.args.get("RelayState"),
                sigalg=request.args.get("SigAlg"),
                signature=request.args.get("Signature"),
            )
            response = srv.create_logout_response(parsed.message, [BINDING_HTTP_REDIRECT])
        except Exception as error:  # a simulator: say what was wrong
            return Response(repr(error), status=400, mimetype="text/plain")
        location = srv.config.metadata.single_logout_service(
            parsed.message.issuer.text, BINDING_HTTP_REDIRECT, "spsso"
        )[0]["location"]
        info = srv.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(response),
            location,
            request.args.get("RelayState", ""),
            response=True,
            sigalg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        )
        return Response(status=303, headers=dict(info["headers"]))

    _ = BINDING_HTTP_POST
    return app


def _parse_privileges(text: str) -> dict[str, tuple[str, ...]]:
    """Lines of "<cpr of the one who gave it> right right …", e.g. "0101901234 see-plan message"."""
    found: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            found[parts[0]] = tuple(parts[1:])
    return found


def _chooser(token: str) -> str:
    options = "".join(
        f'<li><label><input type="radio" name="person" value="{p["key"]}"{" checked" if i == 0 else ""}> '
        f"{html.escape(p['name'])}, CPR {p['cpr']}, niveau {p['level']}"
        + (" — har fuldmagt fra Sara" if p.get("privileges") else "")
        + "</label></li>"
        for i, p in enumerate(DEMO_PEOPLE)
    )
    levels = "".join(f'<option value="{lvl}">{lvl}</option>' for lvl in LEVELS)
    return (
        f'<form method="post" action="/sso"><input type="hidden" name="token" value="{token}">'
        f"<fieldset><legend>Demo-personer</legend><ul>{options}"
        '<li><label><input type="radio" name="person" value="custom"> En anden (udfyld herunder)</label></li>'
        "</ul></fieldset>"
        '<p><label for="cpr">CPR-nummer</label><br><input id="cpr" name="cpr" inputmode="numeric"></p>'
        '<p><label for="name">Navn</label><br><input id="name" name="name"></p>'
        f'<p><label for="level">Sikringsniveau</label><br><select id="level" name="level">{levels}</select></p>'
        '<p><label for="privileges">Fuldmagter (en linje pr. fuldmagtsgiver: CPR og rettigheder,'
        ' fx "0101901234 see-plan write message")</label><br>'
        '<textarea id="privileges" name="privileges" rows="3"></textarea></p>'
        '<button type="submit">Log ind (simuleret MitID)</button></form>'
    )


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="da"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} – NemLog-in SIMULATOR</title></head><body>"
        "<p><strong>SIMULATOR – dette er ikke NemLog-in eller MitID. Kun til udvikling og test.</strong></p>"
        f"<h1>{html.escape(title)}</h1>{body}</body></html>"
    )

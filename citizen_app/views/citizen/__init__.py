"""The citizen's own pages."""

from flask import Blueprint, Response

bp = Blueprint("citizen", __name__)


def kept() -> Response:
    """The answer to static/js/keep.js saving a draft as the person types: saved, nothing to show (204)."""
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


from . import cases, delegations, gas, goals, messages, plan, privacy  # noqa: E402,F401  (routes register on import)

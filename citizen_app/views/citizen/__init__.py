"""The citizen's own pages."""

from flask import Blueprint

bp = Blueprint("citizen", __name__)

from . import cases, delegations, goals, messages, plan, privacy  # noqa: E402,F401  (routes register on import)

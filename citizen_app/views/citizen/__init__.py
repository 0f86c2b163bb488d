"""The citizen's own pages."""

from flask import Blueprint

bp = Blueprint("citizen", __name__)

from . import goals, messages, plan  # noqa: E402,F401  (routes register on import)

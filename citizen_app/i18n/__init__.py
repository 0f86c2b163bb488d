"""Language: the person's own setting, then the language cookie, then the browser's Accept-Language.

Danish is the default. Catalogues live in i18n/translations/<lang>/LC_MESSAGES/messages.po (see docs/i18n.md).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request
from flask_babel import Babel, get_locale

from ..identity import current_account

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LANGUAGES = {"da": "Dansk", "en": "English", "ar": "العربية"}
RIGHT_TO_LEFT = frozenset({"ar"})
# Catalogues that no native speaker has reviewed yet: their pages say so in one line beside the language switch.
# Take a language out when its review is done (docs/i18n.md: how a reviewer works through a catalogue).
UNREVIEWED = frozenset({"ar"})
COOKIE = "lang"


def select_locale() -> str:
    account = current_account() if request else None
    if account is not None and account.locale in LANGUAGES:
        return account.locale
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(list(LANGUAGES), default="da") or "da"


def text_direction() -> str:
    return "rtl" if str(get_locale()) in RIGHT_TO_LEFT else "ltr"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def _language() -> dict[str, object]:
        return {
            "current_language": str(get_locale()),
            "text_direction": text_direction(),
            "languages": LANGUAGES,
            "translation_unreviewed": str(get_locale()) in UNREVIEWED,
        }

    @app.before_request
    def _reset_locale_cache() -> None:
        g.pop("_flask_babel", None)

"""Language: the person's own setting, then the language cookie, then the browser's Accept-Language.

Danish is the default. Catalogues live in i18n/translations/<lang>/LC_MESSAGES/messages.po (see docs/i18n.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, g, request
from flask_babel import Babel, get_locale, get_translations

from ..identity import current_account

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LANGUAGES = {"da": "Dansk", "en": "English", "ar": "العربية"}
RIGHT_TO_LEFT = frozenset({"ar"})
# Catalogues that no native speaker has reviewed yet: their pages say so in one line beside the language switch.
# Take a language out when its review is done (docs/i18n.md: how a reviewer works through a catalogue).
UNREVIEWED = frozenset({"ar"})
COOKIE = "lang"
REQUEST_TRANSLATIONS = "_i18n_translations"


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
        g.pop(REQUEST_TRANSLATIONS, None)

    # The templates' _() and ngettext(): the catalogue looked up once per request, not on every string
    # (Flask-Babel's own callables ask for the locale and its cache on each call: a third of a caseload
    # page's rendering). The locale is fixed per request as Flask-Babel fixes it.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
    )


def _request_translations() -> Any:
    translations = g.get(REQUEST_TRANSLATIONS)
    if translations is None:
        translations = get_translations()
        setattr(g, REQUEST_TRANSLATIONS, translations)
    return translations

"""A new passkey's default name, from the device it was made on: "Chrome on Android, added 1 December". The
person can rename it; the name only helps them tell their passkeys apart (it is not used to sign in)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from ua_parser import parse

from ..templating import date_locale

NAME_MAX = 60
# What ua-parser calls a browser, said the way people know it.
_BROWSERS = {
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Chrome Mobile WebView": "Chrome",
    "HeadlessChrome": "Chrome",
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "Safari",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Samsung Internet": "Samsung Internet",
    "Edge Mobile": "Edge",
}
_SYSTEMS = {"Mac OS X": "Mac", "iOS": "iPhone", "Ubuntu": "Linux"}


def device_name(user_agent: str, now: datetime | None = None) -> str:
    found = parse(user_agent or "")
    browser = found.user_agent.family if found.user_agent else ""
    system = found.os.family if found.os else ""
    if found.device and found.device.family == "iPad":
        system = "iPad"
    browser = _BROWSERS.get(browser, browser if browser != "Other" else "")
    system = _SYSTEMS.get(system, system if system != "Other" else "")
    day = _day(now)
    if browser and system:
        name = _(
            "%(browser)s on %(system)s, added %(date)s", browser=browser, system=system, date=day
        )
    elif browser or system:
        name = _("%(device)s, added %(date)s", device=browser or system, date=day)
    else:
        name = _("Passkey added %(date)s", date=day)
    return name[:NAME_MAX]


def _day(now: datetime | None) -> str:
    """The day and the month's name in the reader's language: "1. december", "1 December"."""
    skeleton = date_locale().datetime_skeletons.get("MMMMd")
    return format_datetime(now or datetime.now(UTC), skeleton.pattern if skeleton else "d MMMM")

"""A test client that checks every HTML page it fetches: it parses as HTML5 without errors, has a title,
lang and dir on <html>, exactly one h1, no duplicate ids, a nonce on every script, no inline styles or event
handlers, and every form that posts carries a CSRF token. A page that fails any of these fails the test that
fetched it, so every test doubles as a check of the page it touched."""

from __future__ import annotations

import gzip
from typing import Any

import brotli
import html5lib
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

NS = "{http://www.w3.org/1999/xhtml}"


class PageProblem(AssertionError):
    pass


# A citizen may type control characters; they are kept exactly (nothing lost) and browsers keep them too.
# They are the only parse error a page may have, and only inside text: any structural error still fails.
TOLERATED = {"invalid-codepoint"}


def check_page(body: str, url: str = "") -> None:
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=True)
    document = parser.parse(body)
    problems = [(pos, code, data) for pos, code, data in parser.errors if code not in TOLERATED]
    if problems:
        raise PageProblem(f"{url}: not valid HTML5: {problems[:3]}")
    root = document
    if not root.get("lang") or root.get("dir") not in {"ltr", "rtl"}:
        raise PageProblem(f"{url}: <html> needs lang and dir")
    title = root.find(f"{NS}head/{NS}title")
    if title is None or not (title.text or "").strip():
        raise PageProblem(f"{url}: no <title>")
    h1s = list(root.iter(f"{NS}h1"))
    if len(h1s) != 1:
        raise PageProblem(f"{url}: {len(h1s)} h1 elements, want exactly one")
    seen: set[str] = set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        ident = element.get("id")
        if ident is not None:
            if ident in seen:
                raise PageProblem(f"{url}: duplicate id {ident!r}")
            seen.add(ident)
        if element.get("style") is not None:
            raise PageProblem(f"{url}: inline style on <{element.tag[len(NS) :]}>")
        handlers = [name for name in element.attrib if name.lower().startswith("on")]
        if handlers:
            raise PageProblem(f"{url}: inline event handler {handlers}")
    for script in root.iter(f"{NS}script"):
        if not script.get("nonce") or (script.text or "").strip():
            raise PageProblem(f"{url}: every script needs a nonce and an external src")
    if next(root.iter(f"{NS}style"), None) is not None:
        raise PageProblem(f"{url}: inline <style> is refused by the CSP")
    for form in root.iter(f"{NS}form"):
        if (form.get("method") or "get").lower() == "post":
            names = {i.get("name") for i in form.iter(f"{NS}input")}
            if "csrf_token" not in names:
                raise PageProblem(f"{url}: a POST form without a CSRF token")


def decoded(response: TestResponse) -> bytes:
    """The body as the browser sees it: gzip and brotli undone (only sent when a test asks for them)."""
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding", "identity")
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        return brotli.decompress(body)
    assert encoding == "identity", f"unexpected Content-Encoding {encoding}"
    return body


class CheckingClient(FlaskClient):
    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        response = super().open(*args, **kwargs)
        if response.mimetype == "text/html" and not 300 <= response.status_code < 400:
            url = args[0] if args and isinstance(args[0], str) else kwargs.get("path", "")
            check_page(decoded(response).decode("utf-8"), str(url))
        return response

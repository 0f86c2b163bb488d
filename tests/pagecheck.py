"""A test client that checks every HTML page it fetches. A page must:
- parse as HTML5 with no parse error (html5lib, the reference parsing algorithm);
- keep the HTML5 content models that matter for assistive technology and forms: no form inside a form, no
  interactive element (link, button, field) inside a link or a button, no block element (div, p, list, table,
  heading, section …) inside an element that may hold only phrasing content (p, span, label, button, a heading),
  list items inside a list, dt/dd inside a dl, table cells inside a row;
- have a title, lang and dir on <html>, exactly one h1, no duplicate ids, and every id it refers to
  (`for`, `aria-describedby`, `aria-labelledby`, `aria-controls`, `aria-errormessage`, `list`, `form`) present;
- give every visible form field a label (a <label for>, a wrapping <label>, aria-label or aria-labelledby);
- carry no inline styles or event handlers, and only external scripts whose nonce is the one in the response's
  Content-Security-Policy header;
- carry a CSRF token in every form that posts.
A page that fails any of these fails the test that fetched it, so every test doubles as a check of the page it
touched. tests/unit/test_pagecheck.py shows each rule failing on a page broken on purpose. This is not a full
validator (the Nu checker also checks every attribute value); it checks the rules above, exactly."""

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


IDREF_ATTRIBUTES = (
    "for",
    "aria-describedby",
    "aria-labelledby",
    "aria-controls",
    "aria-errormessage",
)
SINGLE_IDREF = ("list", "form")
PHRASING_ONLY = {
    "p",
    "span",
    "label",
    "button",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "legend",
    "summary",
}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCK = {
    "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset", "figure", "footer",
    "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section",
    "table", "ul",
}  # fmt: skip
REQUIRED_PARENT = {
    "li": {"ul", "ol", "menu"},
    "dt": {"dl", "div"},
    "dd": {"dl", "div"},
    "tr": {"table", "thead", "tbody", "tfoot"},
    "td": {"tr"},
    "th": {"tr"},
    "summary": {"details"},
}
UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}


def _tag(element: Any) -> str:
    return element.tag[len(NS) :] if isinstance(element.tag, str) else ""


def _interactive(element: Any) -> bool:
    tag = _tag(element)
    if tag == "a":
        return element.get("href") is not None
    if tag == "input":
        return (element.get("type") or "text").lower() != "hidden"
    return tag in {"button", "select", "textarea", "details", "iframe", "embed"}


def _check_content_models(root: Any, url: str) -> None:
    def walk(element: Any, ancestors: list[Any]) -> None:
        tag = _tag(element)
        if tag:
            parent = _tag(ancestors[-1]) if ancestors else ""
            grandparent = _tag(ancestors[-2]) if len(ancestors) > 1 else ""
            if parent == "div" and tag in {"dt", "dd"} and grandparent != "dl":
                raise PageProblem(f"{url}: <{tag}> inside a <div> that is not in a <dl>")
            if tag in REQUIRED_PARENT and parent not in REQUIRED_PARENT[tag]:
                raise PageProblem(f"{url}: <{tag}> inside <{parent}>")
            names = [_tag(a) for a in ancestors]
            if tag == "form" and "form" in names:
                raise PageProblem(f"{url}: a form inside a form")
            if _interactive(element) and any(
                _tag(a) == "button" or (_tag(a) == "a" and a.get("href") is not None)
                for a in ancestors
            ):
                raise PageProblem(f"{url}: interactive <{tag}> inside a link or a button")
            if tag in BLOCK:
                holder = next((n for n in reversed(names) if n in PHRASING_ONLY), None)
                if holder is not None and not (holder in {"legend", "summary"} and tag in HEADINGS):
                    raise PageProblem(f"{url}: block <{tag}> inside <{holder}>")
        for child in element:
            walk(child, [*ancestors, element] if tag else ancestors)

    walk(root, [])


def _check_references_and_labels(root: Any, ids: set[str], url: str) -> None:
    labelled_by_for = set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name in IDREF_ATTRIBUTES:
            for ref in (element.get(name) or "").split():
                if ref not in ids:
                    raise PageProblem(f"{url}: {name}={ref!r} refers to no element")
        for name in SINGLE_IDREF:
            ref = element.get(name)
            if ref is not None and _tag(element) != "link" and ref not in ids:
                raise PageProblem(f"{url}: {name}={ref!r} refers to no element")
        if _tag(element) == "label" and element.get("for"):
            labelled_by_for.add(element.get("for"))

    def fields(element: Any, inside_label: bool) -> Any:
        for child in element:
            if not isinstance(child.tag, str):
                continue
            tag = _tag(child)
            yield child, inside_label
            yield from fields(child, inside_label or tag == "label")

    for field, inside_label in fields(root, False):
        tag = _tag(field)
        if tag == "input" and (field.get("type") or "text").lower() in UNLABELLED_INPUT_TYPES:
            continue
        if tag not in {"input", "select", "textarea"}:
            continue
        if inside_label or field.get("aria-label") or field.get("aria-labelledby"):
            continue
        if field.get("id") and field.get("id") in labelled_by_for:
            continue
        raise PageProblem(f"{url}: <{tag} name={field.get('name')!r}> has no label")


def csp_nonce(csp: str | None) -> str | None:
    """The nonce the Content-Security-Policy header allows scripts with (None if it allows none)."""
    for directive in (csp or "").split(";"):
        parts = directive.split()
        if parts and parts[0] == "script-src":
            for source in parts[1:]:
                if source.startswith("'nonce-") and source.endswith("'"):
                    return source[len("'nonce-") : -1]
    return None


def check_page(body: str, url: str = "", csp: str | None = None) -> None:
    """`csp`: the response's Content-Security-Policy header; every script's nonce must be its nonce."""
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
    _check_content_models(root, url)
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
    _check_references_and_labels(root, seen, url)
    allowed = csp_nonce(csp)
    for script in root.iter(f"{NS}script"):
        if not script.get("nonce") or (script.text or "").strip() or not script.get("src"):
            raise PageProblem(f"{url}: every script needs a nonce and an external src")
        if script.get("nonce") != allowed:
            raise PageProblem(
                f"{url}: a script's nonce is not the one in the Content-Security-Policy header"
            )
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
            check_page(
                decoded(response).decode("utf-8"),
                str(url),
                csp=response.headers.get("Content-Security-Policy"),
            )
        return response

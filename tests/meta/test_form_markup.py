"""No hand-written form field or CSRF token in templates: the form macros write them (issue #15.4).

Every template is parsed with the portal's own Jinja environment; a literal <form> (form_open writes it, with
the token), <input>, <textarea> or <select> in its markup (or in a string it prints), or a use of csrf_token,
outside templates/components/form.html is a problem. Comments do not count (the parser drops them). A justified exception is listed below with its reason.
"""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, nodes

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
MACROS = "components/form.html"
FIELD = re.compile(r"<\s*(form|input|textarea|select)\b|csrf_token", re.IGNORECASE)

# (template, what) → why it is not written by a form macro.
EXCEPTIONS: dict[tuple[str, str], str] = {
    (
        "base.html",
        "csrf_token",
    ): 'the <meta name="csrf-token"> that static/js/passkeys.js and keep.js send '
    "with fetch(): a header, not a form field",
    (
        "auth/sign_in.html",
        "<input",
    ): "the passkey autofill field (WebAuthn conditional UI): the browser "
    "offers the passkey in it; it belongs to no form and is never submitted",
}


def markup_problems(env: Environment, name: str, source: str) -> list[tuple[str, int, str]]:
    """(template, line, what) for each hand-written field or CSRF token in one template's source."""
    tree = env.parse(source, name=name)
    found: list[tuple[str, int, str]] = []
    texts: list[tuple[int, str]] = [
        (node.lineno, node.data) for node in tree.find_all(nodes.TemplateData)
    ]
    texts += [
        (node.lineno, node.value)
        for node in tree.find_all(nodes.Const)
        if isinstance(node.value, str)
    ]
    for lineno, text in texts:
        for match in FIELD.finditer(text):
            what = match.group(0).lower().replace(" ", "")
            found.append((name, lineno + text[: match.start()].count("\n"), what))
    found += [
        (name, node.lineno, "csrf_token")
        for node in tree.find_all(nodes.Name)
        if node.name == "csrf_token"
    ]
    return found


def template_problems(env: Environment, root: Path = TEMPLATES) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.html")):
        name = path.relative_to(root).as_posix()
        if name == MACROS:
            continue
        found = markup_problems(env, name, path.read_text(encoding="utf-8"))
        for template, line, what in sorted(found):
            if (template, what) not in EXCEPTIONS:
                problems.append(f"templates/{template}:{line}: {what} (use the macros in {MACROS})")
    return problems


def test_no_template_writes_a_field_or_a_csrf_token_by_hand(make_app) -> None:
    assert template_problems(make_app().jinja_env) == []


def test_every_exception_is_still_needed(make_app) -> None:
    env = make_app().jinja_env
    used = {
        (template, what)
        for template, _reason in EXCEPTIONS
        for template_, _line, what in markup_problems(
            env, template, (TEMPLATES / template).read_text(encoding="utf-8")
        )
        if template_ == template
    }
    assert set(EXCEPTIONS) <= used, set(EXCEPTIONS) - used


def test_the_checker_catches_a_hand_written_form(make_app, tmp_path) -> None:
    """A deliberately bad template: each hand-written field and token is found, with its line; a comment
    mentioning <input> and the macros file itself are not."""
    (tmp_path / "components").mkdir()
    (tmp_path / MACROS).write_text(
        '<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">'
    )
    (tmp_path / "bad.html").write_text(
        "{# an <input> in a comment is fine #}\n"
        '<form method="post">\n'
        '  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">\n'
        '  <TEXTAREA name="text"></TEXTAREA>\n'
        "  {{ '<select name=\"x\">' | safe }}\n"
        "</form>\n"
    )
    (tmp_path / "good.html").write_text(
        '{% from "components/form.html" import form_open, form_close, textarea %}\n'
        "{{ form_open(novalidate=True) }}{{ textarea(form.text) }}{{ form_close() }}\n"
    )
    assert template_problems(make_app().jinja_env, tmp_path) == [
        f"templates/bad.html:2: <form (use the macros in {MACROS})",
        f"templates/bad.html:3: <input (use the macros in {MACROS})",
        f"templates/bad.html:3: csrf_token (use the macros in {MACROS})",
        f"templates/bad.html:3: csrf_token (use the macros in {MACROS})",
        f"templates/bad.html:4: <textarea (use the macros in {MACROS})",
        f"templates/bad.html:5: <select (use the macros in {MACROS})",
    ]

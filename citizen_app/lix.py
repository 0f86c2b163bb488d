"""LIX, the Scandinavian readability index, and the text a sighted reader sees on a page.

LIX = words / sentences + 100 × long words / words. Below 25 is very easy (children's books), 25–34 easy,
35–44 medium (newspapers), 45–54 hard, 55 and above very hard (official and academic prose).

The choices made here (docs/accessibility.md repeats them):

- A *word* is a run of letters or digits; a hyphen, an apostrophe or a full stop between two such runs joins
  them into one word ("ind-indstillinger", "2.2", "f.eks").
- A *long word* has more than 6 letters; digits do not count as letters ("1280" is not a long word).
- A *sentence* ends at ".", ":", "!" or "?" followed by a space or the end of the text (closing quotes and
  brackets may stand between), and at every line break. `visible_text` puts each heading, paragraph, list
  item, table cell, label, button, and legend on its own line, so a heading or a list item
  without a full stop is a sentence of its own. A line with no word is not a sentence.
- A full stop after a common Danish abbreviation ("kl. 9", "fx.", "f.eks.", "ca.", "nr.") does not end the
  sentence (`ABBREVIATIONS`). Any other word followed by a full stop and a space does.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")
SENTENCE_END = re.compile(r"[.:!?]+[\"'”“»’)\]]*(?=\s|$)|\n")
LONG_WORD_LETTERS = 6
ABBREVIATIONS = frozenset(
    {"bl.a", "ca", "dvs", "evt", "f.eks", "fx", "jf", "kl", "mht", "nr", "pga", "pkt", "vedr"}
)


def words(text: str) -> list[str]:
    return WORD.findall(text)


def is_long(word: str) -> bool:
    return sum(1 for char in word if char.isalpha()) > LONG_WORD_LETTERS


def sentences(text: str) -> list[str]:
    """The sentences of `text` that hold at least one word."""
    pieces: list[str] = []
    start = 0
    for end in SENTENCE_END.finditer(text):
        before = WORD.findall(text[start : end.start()])
        if end.group() == "." and before and before[-1].lower() in ABBREVIATIONS:
            continue  # "kl. 9": the sentence goes on
        pieces.append(text[start : end.start()])
        start = end.end()
    pieces.append(text[start:])
    return [piece.strip() for piece in pieces if WORD.search(piece)]


def lix(text: str) -> float:
    """The LIX of `text`; 0.0 for a text without words."""
    found = words(text)
    if not found:
        return 0.0
    count = max(len(sentences(text)), 1)
    long_words = sum(1 for word in found if is_long(word))
    return len(found) / count + 100 * long_words / len(found)


# -- the visible text of a page --------------------------------------------------------------------

# Never shown as text: the head (the title is in the tab, not the page), code, and what a browser does not
# draw (the title and description of an SVG are for screen readers; a <template> is inert).
SKIPPED = frozenset({"head", "script", "style", "template", "title", "desc", "iframe", "object"})
VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)
# Each of these starts a new line, and so a new sentence.
BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "button",
        "caption",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "label",
        "legend",
        "li",
        "main",
        "nav",
        "ol",
        "option",
        "p",
        "pre",
        "section",
        "select",
        "summary",
        "table",
        "td",
        "textarea",
        "th",
        "tr",
        "ul",
    }
)
BUTTON_INPUTS = frozenset({"submit", "button", "reset"})


def _hidden(tag: str, attrs: dict[str, str | None]) -> bool:
    """Not seen by a sighted reader of the page as served: `hidden`, screen-reader-only text, hidden inputs."""
    if tag in SKIPPED or "hidden" in attrs:
        return True
    classes = (attrs.get("class") or "").split()
    return "visually-hidden" in classes


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[list[str]] = [[]]
        self.stack: list[tuple[str, bool]] = []  # (tag, hides its content)

    @property
    def hiding(self) -> bool:
        return any(hides for _tag, hides in self.stack)

    def _break(self) -> None:
        if self.lines[-1]:
            self.lines.append([])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in BLOCKS:
            self._break()
        if tag in VOID:
            # The one attribute a sighted reader reads: the label of an <input type="submit">.
            kind = (attributes.get("type") or "").lower()
            label = attributes.get("value")
            shown = not self.hiding and not _hidden(tag, attributes)
            if tag == "input" and kind in BUTTON_INPUTS and label and shown:
                self._break()
                self.lines[-1].append(label)
                self._break()
            return
        self.stack.append((tag, _hidden(tag, attributes)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self._break()
        if tag in VOID:
            return
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        if not self.hiding:
            self.lines[-1].append(data)

    def text(self) -> str:
        lines = (re.sub(r"\s+", " ", "".join(parts)).strip() for parts in self.lines)
        return "\n".join(line for line in lines if line)


def visible_text(html: str) -> str:
    """The text a sighted reader sees on a page as served (before any script runs), one block per line.

    Left out: the head, scripts, styles, SVG titles and descriptions, elements with the `hidden` attribute,
    screen-reader-only text (class "visually-hidden"), hidden inputs and every attribute (alt, aria-label,
    title, placeholder: a sighted reader does not see them as text), except the label of an input button.
    Headings, paragraphs, list items, table cells, labels, buttons and the other blocks in `BLOCKS` each end
    up on their own line, so `lix` counts each as (at least) a sentence.
    """
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return parser.text()


__all__ = ["is_long", "lix", "sentences", "visible_text", "words"]

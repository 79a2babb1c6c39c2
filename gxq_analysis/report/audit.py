"""Publish checks of a rendered page: self-contained (nothing a browser would fetch), one page
structure, no script of our own making. Standard library only."""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any

_FETCHING_ATTRS = {  # element -> attributes whose URL a browser fetches on its own
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "track": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}


_REMOTE = re.compile(r"^\s*(?:https?:)?//", re.I)


_CSS_REMOTE = [
    re.compile(r"@import\s+(?:url\()?\s*[\"']?\s*(?:https?:)?//", re.I),
    re.compile(r"url\(\s*[\"']?\s*(?:https?:)?//", re.I),
]


_JS_REMOTE = re.compile(r"\bimport\s*\(\s*[\"']\s*(?:https?:)?//", re.I)


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


class _PageStructure(HTMLParser):
    """What the audit looks at: elements and attributes, and the text of <style> and <script>
    elements. Ordinary text (where data lands, escaped) is never searched."""

    def __init__(self, listeners: Iterable[Any] = ()) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in: str | None = None
        self._listeners = list(listeners)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for listener in self._listeners:
            listener.handle_starttag(tag, attrs)
        self._check_tag(tag, attrs)

    def _check_tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        for name in _FETCHING_ATTRS.get(tag, ()):
            if _REMOTE.match(a.get(name, "")):
                self.problems.append(f"external resource: <{tag} {name}={a[name][:100]!r}>")
        if "style" in a:
            self._css(a["style"], f"<{tag} style>")
        if a.get("data-mime-type") == "application/vnd.jupyter.stderr":
            self.problems.append(f"error or stderr output in the page (<{tag} data-mime-type=stderr>)")
        if a.get("id") == "papermill-error-cell":
            self.problems.append("error output in the page (papermill's error cell)")
        if tag in ("style", "script"):
            self._in = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for listener in self._listeners:  # as HTMLParser reports <br/> to a parser that only has these
            listener.handle_starttag(tag, attrs)
            listener.handle_endtag(tag)
        self._check_tag(tag, attrs)
        self._in = None

    def handle_endtag(self, tag: str) -> None:
        for listener in self._listeners:
            listener.handle_endtag(tag)
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        for listener in self._listeners:
            listener.handle_data(data)
        if self._in == "style":
            self._css(data, "<style>")
        elif self._in == "script":
            m = _JS_REMOTE.search(data)
            if m:
                self.problems.append(f"external resource: <script> {data[m.start() : m.start() + 100]!r}")

    def _css(self, css: str, where: str) -> None:
        css = _CSS_COMMENT.sub("", css)  # a URL in a comment is never fetched
        for pattern in _CSS_REMOTE:
            m = pattern.search(css)
            if m:
                self.problems.append(f"external resource: {where} {css[m.start() : m.start() + 100]!r}")


def audit_html(text: str, listeners: Iterable[Any] = ()) -> list[str]:
    """Reasons this HTML must not be published (external resources, error output). Empty = fine.

    ``listeners``: other readers of the page (``handle_starttag``, ``handle_endtag`` and
    ``handle_data`` as :class:`html.parser.HTMLParser` calls them), given the events of this same
    parse, so that a page is tokenised once (e.g. :class:`xlsx_export.TableCollector`).

    Structural: it inspects elements, attributes, and style and script code, never the page's text,
    so a submitted name that reads "Traceback (most recent call last)" or "url(https://…)" (shown
    escaped, as text) cannot block a report. Error outputs are also refused earlier, from the executed
    notebook itself (:func:`prepare_notebook`)."""
    parser = _PageStructure(listeners)
    parser.feed(text)
    parser.close()
    return parser.problems

"""Escaped HTML for the report pages: every value taken from data is escaped before it goes into HTML
or Markdown (nbconvert passes raw HTML inside Markdown straight through, so an indicator name holding
``<script>`` would otherwise run in the reader's browser). Use :func:`esc`, :func:`md`,
:func:`html_table` and :func:`html_block`; never format data into HTML by hand.

Standard library only at module level (the renderer uses it in the parent process).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..i18n import STATUS_COLOURS, STATUS_IDS, status_label
from .numbers import is_missing
from .text import TEXT, t

if TYPE_CHECKING:
    import pandas as pd


_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|~!$])")


def esc(value: Any) -> str:
    """HTML-escape any value taken from data (``None``/NaN → empty)."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return html.escape(str(value), quote=True)


def esc_md(value: Any) -> str:
    """Escape a value for Markdown: HTML-escaped, and Markdown/LaTeX markup characters backslashed."""
    return _MD_SPECIAL.sub(r"\\\1", esc(value))


class SafeHTML(str):
    """A string already safe to put into HTML (built by this module from escaped parts)."""


def _safe(value: Any) -> str:
    return value if isinstance(value, SafeHTML) else esc(value)


def html_page(lang: str, title: str, css: str, body: str, body_class: str = "") -> str:
    """A whole self-contained HTML document (the pack's index and summary pages): ``css`` inline,
    ``body`` (HTML, ending with a newline) inside ``<body>``."""
    cls = f' class="{esc(body_class)}"' if body_class else ""
    return f"""<!DOCTYPE html>
<html lang="{esc(lang)}">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{esc(title)}</title>
<style type="text/css">
{css}
</style>
</head>
<body{cls}>
{body}</body>
</html>
"""


def html_block(template: str, **values: Any) -> SafeHTML:
    """Fill an HTML ``template`` (trusted, written in code) with escaped ``values``."""
    return SafeHTML(template.format(**{k: _safe(v) for k, v in values.items()}))


def md(template: str, **values: Any) -> str:
    """Fill a Markdown ``template`` (trusted) with escaped values; display it in a notebook.

    Returns the Markdown text (also displayed when running inside IPython).
    """
    text = template.format(**{k: (v if isinstance(v, SafeHTML) else esc_md(v)) for k, v in values.items()})
    _display_markdown(text)
    return text


def show(*contents: str) -> None:
    """Display trusted or :class:`SafeHTML` content as HTML (plain strings are escaped); several
    parts go out as one output, one after the other (a display costs the kernel and the notebook
    runner ~0.6 ms, and a report page shows a hundred parts)."""
    from IPython.display import HTML, display

    display(HTML("".join(_safe(content) for content in contents)))


def _display_markdown(text: str) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:  # pragma: no cover
        return
    if get_ipython() is not None:
        display(Markdown(text))


def heading(key_or_text: str, lang: str = "zh", level: int = 2, anchor: str | None = None) -> SafeHTML:
    """An HTML heading from a report-text key (or data text, escaped)."""
    text = t(key_or_text, lang) if key_or_text in TEXT else key_or_text
    ident = f' id="{esc(anchor)}"' if anchor else ""
    return SafeHTML(f"<h{level}{ident}>{esc(text)}</h{level}>")


def html_table(
    rows: pd.DataFrame | Iterable[Mapping[str, Any]],
    columns: Mapping[str, str],
    formats: Mapping[str, Callable[[Any], Any]] | None = None,
    css_class: str = "gxq-table",
    numeric: Iterable[str] = (),
) -> SafeHTML:
    """An HTML table; every cell is escaped unless a formatter returns :class:`SafeHTML`.

    ``columns`` maps source column → header text (headers are escaped too).
    """
    formats = dict(formats or {})
    numeric = set(numeric)
    records = rows.to_dict("records") if hasattr(rows, "to_dict") else list(rows)
    num_attr = ' class="num"'
    head = "".join(f"<th{num_attr if c in numeric else ''}>{esc(h)}</th>" for c, h in columns.items())
    body = []
    for rec in records:
        cells = []
        for col in columns:
            value = rec.get(col)
            if col in formats:
                value = formats[col](value)
            cls = num_attr if col in numeric else ""
            cells.append(f"<td{cls}>{_safe(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return SafeHTML(
        f'<table class="{esc(css_class)}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def stat_cards(items: Iterable[tuple[str, Any]]) -> SafeHTML:
    """A row of headline figures (label, value); both escaped."""
    cards = "".join(
        f'<div class="gxq-card"><div class="gxq-card-value">{_safe(v)}</div>'
        f'<div class="gxq-card-label">{_safe(k)}</div></div>'
        for k, v in items
    )
    return SafeHTML(f'<div class="gxq-cards">{cards}</div>')


def status_light(status: Any, lang: str = "zh", label: str | None = None) -> SafeHTML:
    """A coloured dot and the status label, for tables."""
    sid = "insufficient_data" if is_missing(status) else str(status)
    colour = STATUS_COLOURS.get(sid, STATUS_COLOURS["insufficient_data"])
    text = label if label is not None else status_label(sid, lang)
    return SafeHTML(
        f'<span class="gxq-light" style="background:{esc(colour)}" aria-hidden="true"></span>'
        f'<span class="gxq-status gxq-status-{esc(sid)}">{esc(text)}</span>'
    )


def status_counts(statuses: Iterable[Any], lang: str = "zh", prefix: str | None = None) -> SafeHTML:
    """'共 16 项目标：● 已完成 3 ● 按期可达 5 …' in the stable status order (``prefix`` replaces
    the '共 16 项目标：' lead)."""

    items = ["insufficient_data" if is_missing(s) else str(s) for s in statuses]
    parts = []
    for sid in (*STATUS_IDS, "target_missed"):
        n = items.count(sid)
        if n:
            parts.append(f'<span class="gxq-count">{status_light(sid, lang)} <b>{n}</b></span>')
    lead = prefix if prefix is not None else t("br.counts", lang, n=len(items))
    return SafeHTML(f'<p class="gxq-counts">{esc(lead)}{" ".join(parts)}</p>')


def banner_html(lang: str = "zh", inline: bool = False) -> SafeHTML:
    """The 示例数据 banner. ``inline`` banners (inside a notebook's body) are for JupyterLab readers;
    the rendered HTML shows the banner on its cover instead and hides the inline copy."""
    cls = "gxq-banner gxq-banner-inline" if inline else "gxq-banner"
    return SafeHTML(f'<div class="{cls}" role="alert">{esc(t("banner.illustrative", lang))}</div>')

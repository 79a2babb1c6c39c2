"""The report's words: one catalogue domain (``i18n/report.json``) read by every page, the cover, the
index, the charts and the renderer.

Standard library only: ``gxq report`` uses this in the parent process for titles and labels.
"""

from __future__ import annotations

from typing import Any

from ..i18n import catalogue, lookup_text

DOMAIN = "report"
# Output metadata key a notebook uses to tell the renderer what its report showed (see context.report_meta).
REPORT_META_KEY = "gxq_report"

TEXT: dict[str, dict[str, str]] = catalogue(DOMAIN)


def t(key: str, lang: str = "zh", **values: Any) -> str:
    """The report string ``key`` in ``lang``, formatted with ``values`` (values are NOT escaped here:
    pass the result through :func:`html.esc` or use :func:`html.md`/:func:`html.html_block`)."""
    return lookup_text(TEXT, key, lang, **values)


def has_text(key: str) -> bool:
    return key in TEXT


def notebook_title(stem: str, lang: str = "zh") -> str:
    key = f"title.{stem}"
    return t(key, lang) if key in TEXT else stem


def notebook_description(stem: str, lang: str = "zh") -> str:
    key = f"desc.{stem}"
    return t(key, lang) if key in TEXT else ""

"""The annual evaluation's report text (the ``assess_evaluation`` domain of the i18n catalogue) and
its number formats. Plain text: escape it before display."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ...i18n import catalogue, lookup_text

TEXT: dict[str, dict[str, str]] = catalogue("assess_evaluation")


def t(key: str, lang: str = "zh", **values: Any) -> str:
    """The annual-report string ``key`` (plain text: escape it before display)."""
    return lookup_text(TEXT, key, lang, **values)


def fmt(value: Any, decimals: int = 1, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "—"
    return f"{float(value):+.{decimals}f}" if signed else f"{float(value):.{decimals}f}"


def fmt_share(p: Any) -> str:
    if p is None or pd.isna(p):
        return "—"
    return f"{100 * float(p):.0f}%"

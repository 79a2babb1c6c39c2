"""Number formatting for reports: Chinese conventions by default, natural English units with ``lang="en"``.

- Counts (家, 件, 个, 人 …) are whole numbers: 87家, never 87.00家 (a projection or a ratio in a count
  unit keeps one decimal: 62.6件 per 10k people).
- Rates and shares (%) take one decimal: 5.1%; their differences are percentage points (0.2个百分点).
- Amounts keep two decimals in the catalogue's unit (2.92亿元).
- English pages never show a Chinese unit: 2.92亿元 is "292 million yuan", 87家 is "87".
- A completion rate below 100 % never rounds up to 100 % (99.6 % reads 99.6 %, not 100 %).
"""

from __future__ import annotations

import math
from typing import Any

from ..i18n import likelihood_label
from .text import t

COUNT_UNITS = frozenset({"家", "件", "个", "人", "名", "位", "项", "所", "座", "次"})
# English: Chinese multiplier units become a factor and an English base unit.
EN_SCALED_UNITS = {
    "亿元": (1e8, "yuan"),
    "万元": (1e4, "yuan"),
    "万平方米": (1e4, "m²"),
    "万元/人": (1e4, "yuan per person"),
    "万人": (1e4, "people"),
}


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)
    except (TypeError, ValueError):
        return True


def default_decimals(unit: str, value: float) -> int:
    v = value
    if unit in COUNT_UNITS:  # whole counts; a ratio in a count unit (62.6件 per 10k people) keeps one decimal
        return 0 if abs(v - round(v)) < 1e-6 else 1
    if unit == "%":
        return 1
    if abs(v - round(v)) < 1e-9 and abs(v) >= 1:
        return 0
    return 2


EN_UNIT_LABELS = {
    "亿元": "100 million yuan",
    "万元": "10,000 yuan",
    "万平方米": "10,000 m²",
    "万元/人": "10,000 yuan per person",
    "万人": "10,000 people",
    "位": "rank",
}


def unit_label(unit: str, lang: str = "zh") -> str:
    """A unit as a label (axis, table column): the catalogue's unit in Chinese; in English a translated
    unit ('100 million yuan'), 'number' for counts, and anything else as written (%)."""
    unit = unit or ""
    if lang != "en":
        return unit
    if unit in EN_UNIT_LABELS:
        return EN_UNIT_LABELS[unit]
    return "number" if unit in COUNT_UNITS else unit


def _en_scaled(value: float, unit: str) -> str:
    factor, base = EN_SCALED_UNITS[unit]
    v = value * factor
    for size, word in ((1e9, "billion"), (1e6, "million")):
        if abs(v) >= size:
            x = v / size
            digits = 0 if abs(x) >= 100 else 1 if abs(x) >= 10 else 2  # three significant figures
            return f"{x:,.{digits}f} {word} {base}"
    return f"{v:,.0f} {base}"


def fmt_value(value: Any, unit: str = "", lang: str = "zh", decimals: int | None = None) -> str:
    """87 家 → '87家' / '87'; 5.13 % → '5.1%'; 2.9212 亿元 → '2.92亿元' / '292 million yuan';
    missing → '—'."""
    if _missing(value):
        return "—"
    v = float(value)
    unit = unit or ""
    if decimals is None:
        decimals = default_decimals(unit, v)
    if lang == "en":
        if unit in EN_SCALED_UNITS:
            return _en_scaled(v, unit)
        if unit in COUNT_UNITS:
            unit = ""
    text = f"{v:,.{decimals}f}"
    if not unit:
        return text
    glue = unit == "%" or not unit.isascii()  # 120家, 5.1%, but 3 m²
    return f"{text}{unit}" if glue else f"{text} {unit}"


def fmt_gap_value(gap: Any, unit: str = "", lang: str = "zh") -> str:
    """The size of a difference: percentage points for %, the unit otherwise (no sign)."""
    if _missing(gap):
        return "—"
    g = abs(float(gap))
    if unit == "%":
        digits = 1 if g >= 0.05 or g == 0 else 2  # a near miss (0.01 pp) must not read 0.0
        return f"{g:.{digits}f}" + t("unit.pp", lang)
    return fmt_value(g, unit, lang)


def fmt_change(change: Any, unit: str = "", lang: str = "zh") -> str:
    """A signed change with an arrow: '↑3家', '↓0.4个百分点', '↑0.2 pp', '→0' for no change."""
    if _missing(change):
        return "—"
    c = float(change)
    size = fmt_gap_value(c, unit, lang)
    if size.lstrip("0.,") in ("", "%") or c == 0:
        return t("fmt.to_zero", lang)
    return ("↑" if c > 0 else "↓") + size


def fmt_signed(value: Any, decimals: int = 1) -> str:
    """+1.2 / −0.4 for index points; whole numbers stay whole (+1, not +1.00)."""
    if _missing(value):
        return "—"
    v = float(value)
    if abs(v - round(v)) < 1e-9:
        decimals = 0
    return f"{v:+.{decimals}f}".replace("-", "−")


def fmt_completion(rate: Any) -> str:
    """A completion rate as a percentage with one decimal, rounded down below 100 % so a target not yet
    reached never reads 100 % (0.9996 → '99.9%', 1.0 → '100.0%', 1.234 → '123.4%')."""
    if _missing(rate):
        return "—"
    pct = float(rate) * 100
    if pct < 100:
        return f"{math.floor(pct * 10) / 10:.1f}%"
    return f"{pct:.1f}%"


def fmt_signed_value(value: Any, unit: str = "", lang: str = "zh") -> str:
    """A signed difference in the indicator's unit: '+13家', '−0.2个百分点', '+1.50亿元'; counts whole."""
    if _missing(value):
        return "—"
    v = float(value)
    sign = "+" if v > 0 else "−" if v < 0 else "±"
    return sign + fmt_gap_value(v, unit, lang)


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pd.NA raises → treated below
    except (TypeError, ValueError):
        return True


def fmt_number(value: Any, unit: str = "", decimals: int | None = None, lang: str = "zh") -> str:
    """87 → '87家', 5.13 → '5.1%', 3.456 → '3.46亿元'; missing → '—'. With ``lang="en"`` no Chinese
    unit is shown (87 → '87', 3.456 亿元 → '346 million yuan'). See :mod:`numbers`."""

    return fmt_value(value, unit, lang, decimals)


def fmt_percent(value: Any, decimals: int = 0) -> str:
    """A share in [0, 1] as a percentage: 0.625 → '63%'."""
    if is_missing(value):
        return "—"
    return f"{float(value) * 100:.{decimals}f}%"


def fmt_p_meet(value: Any, lang: str = "zh") -> str:
    """'63%（可能）' / '63% (likely)'; missing → the 'cannot be estimated' wording."""
    if is_missing(value):
        return likelihood_label(None, lang)
    pct = fmt_percent(value)
    label = likelihood_label(float(value), lang)
    return t("fmt.p_meet", lang, pct=pct, label=label)


def fmt_gap(gap: float, unit: str = "", lang: str = "zh") -> str:
    """A difference between two values: percentage points for a % indicator (5.5 % − 5.3 % is
    0.2 个百分点, not 0.2 %), the indicator's unit otherwise."""

    return fmt_gap_value(gap, unit, lang)

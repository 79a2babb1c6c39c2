"""Drawing SVG by hand for the report's charts (:mod:`.svg_charts`): sizes, round ticks, text widths,
the scales from data to pixels, the marks (lines, dots, diamonds, text) and the legend.

Every attribute and text is escaped here. Standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from .html import SafeHTML, esc

GRID = "#cccccc"  # seaborn whitegrid: grid and spines at 0.8 grey
INK = "#262626"  # text at 0.15 grey

# Sizes in px of a 100 dpi figure (1 pt = 100/72 px), as the matplotlib style sets them.
PT = 100 / 72
TREND_SIZE = (720, 390)
TITLE_PX = 12 * PT
TICK_PX = 9 * PT
LABEL_PX = 10 * PT
LEGEND_PX = 8.5 * PT
NOTE_PX = 8 * PT
MINUS = "\u2212"  # a real minus sign, as the matplotlib charts print


# ----------------------------------------------------------------------------------------------
# Scales, ticks and text
# ----------------------------------------------------------------------------------------------
NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


def nice_ticks(lo: float, hi: float, max_intervals: int = 8, integer: bool = False) -> list[float]:
    """Round tick values inside ``[lo, hi]``: a step of 1, 2, 2.5 or 5 times a power of ten, the
    smallest that gives at most ``max_intervals`` intervals (as matplotlib's MaxNLocator picks).
    ``integer``: whole steps only (counts and ranks: no 52.5th place)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    raw = (hi / 4 - lo / 4) / max_intervals * 4
    if not math.isfinite(raw) or raw <= 0:  # a range near the float limits: no round steps to give
        return []
    if integer:
        raw = max(raw, 1.0)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(
        m * magnitude
        for m in NICE_STEPS
        if m * magnitude >= raw * (1 - 1e-9) and (not integer or float(m * magnitude).is_integer())
    )
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [_clean(k * step) for k in range(first, last + 1)]


def _clean(v: float) -> float:
    """Float noise off a tick (0.30000000000000004 -> 0.3), and no negative zero."""
    v = round(v, 12)
    return 0.0 if v == 0 else v


def tick_decimals(ticks: Sequence[float]) -> int:
    """How many decimals show every tick exactly (0.5 steps -> 1, 0.25 -> 2, 20 -> 0)."""
    for d in range(0, 7):
        if all(abs(v * 10**d - round(v * 10**d)) < 1e-6 for v in ticks):
            return d
    return 6


def fmt_tick(v: float, decimals: int) -> str:
    text = f"{v:.{decimals}f}"
    return MINUS + text[1:] if text.startswith("-") else text


def text_width(text: str, px: float) -> float:
    """An estimate of a label's width in px: CJK and full-width characters take a whole em, others
    about 0.6 em (the CJK fonts' Latin). Used to lay out legends and margins, never to cut text."""
    return sum(px if ord(ch) >= 0x2E80 else 0.6 * px for ch in str(text))


def fit_text(text: str, px: float, room: float) -> str:
    """``text`` as it fits ``room`` px at ``px``: whole, or cut with an ellipsis."""
    text = str(text)
    if text_width(text, px) <= room:
        return text
    while text and text_width(text + "…", px) > room:
        text = text[:-1]
    return text + "…"


def num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".") if v % 1 else str(int(v))


class Scale:
    """Data to pixels along one axis (``flip``: larger values towards smaller pixels, as y is drawn)."""

    def __init__(self, lo: float, hi: float, px_lo: float, px_hi: float, flip: bool) -> None:
        self.lo, self.hi, self.px_lo, self.px_hi, self.flip = lo, hi, px_lo, px_hi, flip

    def __call__(self, v: float) -> float:
        # quartered first (exact but for subnormals), so values near the float limit cannot overflow
        span = self.hi / 4 - self.lo / 4
        share = (float(v) / 4 - self.lo / 4) / span if span > 0 else 0.5  # an empty view: the middle
        return (
            self.px_hi - share * (self.px_hi - self.px_lo)
            if self.flip
            else self.px_lo + share * (self.px_hi - self.px_lo)
        )


def view_limits(values: Iterable[float], margin: float = 0.05) -> tuple[float, float]:
    """The view of an axis: the data's range and 5 % either side (matplotlib's default margins)."""
    vals = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not vals:
        return 0.0, 1.0
    lo, hi = min(vals), max(vals)
    span = hi / 4 - lo / 4  # quartered (exact but for subnormals): no overflow near the float limit
    # one value (or values too close to tell apart) gets a margin of its own size
    pad = (abs(lo) * 0.05 or 0.5) if span <= 0 else span * 4 * margin
    if not (math.isfinite(lo - pad) and math.isfinite(hi + pad)):  # near the float limit: no margin
        return lo, hi
    return lo - pad, hi + pad


def year_ticks(lo: float, hi: float) -> list[int]:
    years = list(range(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1))
    step = max(1, math.ceil(len(years) / 10))
    return years[::step]


def svg_attrs(attrs: Mapping[str, str]) -> str:
    """Keyword arguments as SVG attributes: ``class_`` -> class, ``data_value`` -> data-value."""
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in attrs.items())


def text_el(
    x: float, y: float, text: str, px: float, *, anchor: str = "middle", fill: str = INK, **attrs: str
) -> str:
    extra = svg_attrs(attrs)
    return (
        f'<text x="{num(x)}" y="{num(y)}" font-size="{px:.1f}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{esc(text)}</text>"
    )


def polyline(
    points: Sequence[tuple[float, float]], colour: str, width: float, dash: str = "", **attrs: str
) -> str:
    coords = " ".join(f"{num(x)},{num(y)}" for x, y in points)
    style = f' stroke-dasharray="{dash}"' if dash else ""
    extra = svg_attrs(attrs)
    return (
        f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="{width:.2f}"'
        f' stroke-linejoin="round" stroke-linecap="round"{style}{extra}/>'
    )


def circle(
    x: float, y: float, r: float, fill: str, stroke: str = "none", width: float = 0, **attrs: str
) -> str:
    extra = svg_attrs(attrs)
    return (
        f'<circle cx="{num(x)}" cy="{num(y)}" r="{r:.1f}" fill="{fill}" stroke="{stroke}"'
        f' stroke-width="{width:.2f}"{extra}/>'
    )


def diamond(x: float, y: float, r: float, fill: str, stroke: str, width: float, **attrs: str) -> str:
    extra = svg_attrs(attrs)
    pts = f"{num(x)},{num(y - r)} {num(x + r)},{num(y)} {num(x)},{num(y + r)} {num(x - r)},{num(y)}"
    return f'<polygon points="{pts}" fill="{fill}" stroke="{stroke}" stroke-width="{width:.2f}"{extra}/>'


def svg_document(width: int, height: float, alt: str, body: list[str]) -> str:
    h = math.ceil(height)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gxq-chart" width="{width}" height="{h}" '
        f'viewBox="0 0 {width} {h}" role="img" aria-label="{esc(alt)}"><title>{esc(alt)}</title>'
        f'<rect width="{width}" height="{h}" fill="#ffffff"/>' + "".join(body) + "</svg>"
    )


def svg_html(svg: str, caption: str | None = None) -> SafeHTML:
    """An SVG chart of this module as the pages' ``<figure>`` (the SVG carries its own alt text)."""
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return SafeHTML(f'<figure class="gxq-figure">{svg}{cap}</figure>')


# ----------------------------------------------------------------------------------------------
# Legend
# ----------------------------------------------------------------------------------------------
SWATCH = 26.0  # px of line (and marker) sample before an entry's name


def _legend_layout(names: Sequence[str], width: float) -> tuple[int, float]:
    """Columns (at most four, fewer when long names would not fit) and the width of a column."""
    widest = max(text_width(n, LEGEND_PX) for n in names) + SWATCH + 8 + 16
    columns = max(1, min(4, len(names), int((width - 20) // widest)))
    return columns, widest


def legend(entries: Sequence[tuple[str, str]], top: float, width: float) -> list[str]:
    """Entries (swatch SVG drawn around (0, 0), name) in rows of equal columns, centred."""
    if not entries:
        return []
    columns, col_width = _legend_layout([n for _s, n in entries], width)
    row_height = LEGEND_PX * 1.75
    out = []
    for i, (swatch, name) in enumerate(entries):
        row, col = divmod(i, columns)
        in_row = min(columns, len(entries) - row * columns)
        x0 = (width - in_row * col_width) / 2 + col * col_width + 8
        y = top + row * row_height + row_height / 2
        out.append(f'<g transform="translate({num(x0 + SWATCH / 2)},{num(y)})">{swatch}</g>')
        out.append(text_el(x0 + SWATCH + 6, y + LEGEND_PX * 0.35, name, LEGEND_PX, anchor="start"))
    return out


def legend_rows(count: int, width: float, names: Sequence[str]) -> int:
    if not count:
        return 0
    columns, _ = _legend_layout(names, width)
    return math.ceil(count / columns)

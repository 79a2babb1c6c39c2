"""The report's charts written directly as inline SVG: each indicator's trend chart and the pace bars.

Why not matplotlib PNGs in the pages: a quarterly pack shows ~30 trend charts, and drawing them with
matplotlib (text layout, rasterising, PNG encoding: ~21 ms a chart) was the largest single cost of
``gxq report --all``. Written as SVG they take well under a millisecond each. They also print as
vectors on A4, weigh a few KB instead of ~40 KB of base64, and their labels are real text in the
page's own fonts (selectable, searchable, read out by screen readers). Nothing is fetched: the SVG is
part of the page.

The look follows :func:`charts.trend_chart` and :func:`charts.pace_chart` (same colours, marks and
layout, in pixels of the 7.2 x 3.9 in, 100 dpi figure), which analysts keep in JupyterLab.

Every text taken from data (names, units, labels) is escaped. Standard library only, so the pages
and the compute workers need no plotting library for these charts.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..i18n import STATUS_COLOURS
from .html import SafeHTML, esc
from .text import t

if TYPE_CHECKING:
    import pandas as pd

# Palette: zone series dark blue, targets dark grey, projection orange, benchmarks muted.
COLOURS: dict[str, Any] = {
    "actual": "#1f4e79",
    "partial": "#1f4e79",
    "target": "#555555",
    "projection": "#d9822b",
    "fan": "#f3c89b",
    "benchmarks": ("#7f7f7f", "#8e6bb0", "#4f9a94"),
}
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
# Helpers shared with the matplotlib charts (charts.py imports them from here)
# ----------------------------------------------------------------------------------------------
def target_path(
    milestones: pd.DataFrame, baseline: tuple[int, float] | None = None
) -> list[tuple[int, float]]:
    """The planned path: the baseline (last actual year before the plan) joined to each yearly milestone.

    ``milestones`` has ``year, target``; returns sorted ``(year, value)`` points.
    """
    points = sorted((int(y), float(v)) for y, v in zip(milestones["year"], milestones["target"]))
    if baseline is not None and (not points or baseline[0] < points[0][0]):
        points.insert(0, (int(baseline[0]), float(baseline[1])))
    return points


def trend_labels(lang: str) -> dict[str, str]:
    """The legend names of a trend chart's parts."""
    return {
        k: t(f"tr.{k}", lang) for k in ("series", "milestones", "target_path", "projection", "fan", "partial")
    }


def short_number(v: Any) -> str:
    """A milestone's label: few digits (5.1, 0.35, 120)."""
    v = float(v)
    return f"{v:g}" if abs(v) >= 100 or v == int(v) else f"{v:.2g}" if abs(v) < 1 else f"{v:.3g}"


def wrap_label(text: str, lang: str = "zh", width: int | None = None) -> str:
    """Break a long axis label into lines so it is not cut off: by characters for Chinese (no spaces
    to break at), by words for English."""
    text = str(text)
    if lang == "zh":
        width = width or 16
        lines = []
        while len(text) > width:
            # Prefer to break after punctuation in the second half of the line.
            cut = max(
                (i + 1 for i, ch in enumerate(text[:width]) if ch in "、，,（(" and i >= width // 2),
                default=width,
            )
            lines.append(text[:cut])
            text = text[cut:]
        return "\n".join([*lines, text])
    return "\n".join(textwrap.wrap(text, width or 30, break_on_hyphens=False)) or text


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
    raw = (hi - lo) / max_intervals
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


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".") if v % 1 else str(int(v))


class _Scale:
    """Data to pixels along one axis (``flip``: larger values towards smaller pixels, as y is drawn)."""

    def __init__(self, lo: float, hi: float, px_lo: float, px_hi: float, flip: bool) -> None:
        self.lo, self.hi, self.px_lo, self.px_hi, self.flip = lo, hi, px_lo, px_hi, flip

    def __call__(self, v: float) -> float:
        share = (float(v) - self.lo) / (self.hi - self.lo)
        return (
            self.px_hi - share * (self.px_hi - self.px_lo)
            if self.flip
            else self.px_lo + share * (self.px_hi - self.px_lo)
        )


def _limits(values: Iterable[float], margin: float = 0.05) -> tuple[float, float]:
    """The view of an axis: the data's range and 5 % either side (matplotlib's default margins)."""
    vals = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not vals:
        return 0.0, 1.0
    lo, hi = min(vals), max(vals)
    if hi == lo:
        pad = abs(lo) * 0.05 or 0.5
        return lo - pad, hi + pad
    pad = (hi - lo) * margin
    return lo - pad, hi + pad


def _year_ticks(lo: float, hi: float) -> list[int]:
    years = list(range(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1))
    step = max(1, math.ceil(len(years) / 10))
    return years[::step]


def _attrs(attrs: Mapping[str, str]) -> str:
    """Keyword arguments as SVG attributes: ``class_`` -> class, ``data_value`` -> data-value."""
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in attrs.items())


def _text(
    x: float, y: float, text: str, px: float, *, anchor: str = "middle", fill: str = INK, **attrs: str
) -> str:
    extra = _attrs(attrs)
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-size="{px:.1f}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{esc(text)}</text>"
    )


def _polyline(
    points: Sequence[tuple[float, float]], colour: str, width: float, dash: str = "", **attrs: str
) -> str:
    coords = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
    style = f' stroke-dasharray="{dash}"' if dash else ""
    extra = _attrs(attrs)
    return (
        f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="{width:.2f}"'
        f' stroke-linejoin="round" stroke-linecap="round"{style}{extra}/>'
    )


def _circle(
    x: float, y: float, r: float, fill: str, stroke: str = "none", width: float = 0, **attrs: str
) -> str:
    extra = _attrs(attrs)
    return (
        f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{r:.1f}" fill="{fill}" stroke="{stroke}"'
        f' stroke-width="{width:.2f}"{extra}/>'
    )


def _diamond(x: float, y: float, r: float, fill: str, stroke: str, width: float, **attrs: str) -> str:
    extra = _attrs(attrs)
    pts = f"{_num(x)},{_num(y - r)} {_num(x + r)},{_num(y)} {_num(x)},{_num(y + r)} {_num(x - r)},{_num(y)}"
    return f'<polygon points="{pts}" fill="{fill}" stroke="{stroke}" stroke-width="{width:.2f}"{extra}/>'


def _svg(width: int, height: float, alt: str, body: list[str]) -> str:
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
_SWATCH = 26.0  # px of line (and marker) sample before an entry's name


def _legend_layout(names: Sequence[str], width: float) -> tuple[int, float]:
    """Columns (at most four, fewer when long names would not fit) and the width of a column."""
    widest = max(text_width(n, LEGEND_PX) for n in names) + _SWATCH + 8 + 16
    columns = max(1, min(4, len(names), int((width - 20) // widest)))
    return columns, widest


def _legend(entries: Sequence[tuple[str, str]], top: float, width: float) -> list[str]:
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
        out.append(f'<g transform="translate({_num(x0 + _SWATCH / 2)},{_num(y)})">{swatch}</g>')
        out.append(_text(x0 + _SWATCH + 6, y + LEGEND_PX * 0.35, name, LEGEND_PX, anchor="start"))
    return out


def _legend_rows(count: int, width: float, names: Sequence[str]) -> int:
    if not count:
        return 0
    columns, _ = _legend_layout(names, width)
    return math.ceil(count / columns)


# ----------------------------------------------------------------------------------------------
# Trend chart
# ----------------------------------------------------------------------------------------------
def _records(frame: pd.DataFrame | None, *columns: str) -> list[tuple[float, ...]]:
    """Rows of ``columns`` as floats, sorted by the first, rows with a missing value left out."""
    if frame is None or len(frame) == 0:
        return []
    rows = zip(*(frame[c].tolist() for c in columns))
    out = []
    for row in rows:
        vals = tuple(float(v) for v in row)
        if all(math.isfinite(v) for v in vals):
            out.append(vals)
    return sorted(out)


def trend_svg(
    history: pd.DataFrame,
    milestones: pd.DataFrame,
    *,
    title: str = "",
    unit: str = "",
    lang: str = "zh",
    direction: str = "higher",
    baseline: tuple[int, float] | None = None,
    projection: pd.DataFrame | None = None,
    partial: tuple[float, float, str] | None = None,
    benchmarks: Mapping[str, pd.DataFrame] | None = None,
    alt: str = "",
) -> str:
    """One indicator's trend chart as SVG, from the arguments of :func:`charts.trend_chart`.

    - ``history``: ``year, value`` (complete annual values): the thick line with dots.
    - ``milestones``: ``year, target``: hollow diamonds labelled with the target, joined (from
      ``baseline`` when given) by the dashed target path.
    - ``projection``: ``year, median, lo80, hi80``: the shaded 80 % fan and the dotted median.
    - ``partial``: ``(x, value, label)``: the latest in-year value, a hollow dot (x may be 2019.75).
    - ``benchmarks``: label -> ``year, value`` (全国, 江苏省), thin and muted.
    ``direction="lower"`` (ranks) puts smaller values higher, so "up" is always better.
    ``alt`` is the chart's text alternative (``<title>`` and ``aria-label``).
    """
    width, height = TREND_SIZE
    labels = trend_labels(lang)
    hist = _records(history, "year", "value")
    goals = _records(milestones, "year", "target")
    path = [(float(x), float(y)) for x, y in target_path(milestones, baseline)] if len(milestones) else []
    fan = _records(projection, "year", "median", "lo80", "hi80") if projection is not None else []
    benches = [
        (name, _records(frame, "year", "value"))
        for name, frame in (benchmarks or {}).items()
        if frame is not None and len(frame)
    ]
    benches = [(name, rows) for name, rows in benches if rows]
    dot = partial if partial is not None and all(math.isfinite(float(v)) for v in partial[:2]) else None

    # The legend, in drawing order: what is there, and its sample.
    entries: list[tuple[str, str]] = []
    for (name, _rows), colour in zip(benches, COLOURS["benchmarks"]):
        sample = _polyline([(-_SWATCH / 2, 0), (_SWATCH / 2, 0)], colour, 1.2 * PT) + _circle(
            0, 0, 1.7, colour
        )
        entries.append((sample, name))
    if path:
        entries.append(
            (
                _polyline([(-_SWATCH / 2, 0), (_SWATCH / 2, 0)], COLOURS["target"], 1.2 * PT, "5.5 2.4"),
                labels["target_path"],
            )
        )
    if goals:
        entries.append((_diamond(0, 0, 4.2, "#ffffff", COLOURS["target"], 1.5 * PT), labels["milestones"]))
    if len(fan) > 1:
        entries.append(
            (
                f'<rect x="-10" y="-5" width="20" height="10" fill="{COLOURS["fan"]}" fill-opacity="0.6"/>',
                labels["fan"],
            )
        )
        entries.append(
            (
                _polyline([(-_SWATCH / 2, 0), (_SWATCH / 2, 0)], COLOURS["projection"], 1.6 * PT, "2.2 3.6"),
                labels["projection"],
            )
        )
    if hist:
        sample = _polyline([(-_SWATCH / 2, 0), (_SWATCH / 2, 0)], COLOURS["actual"], 2.2 * PT) + _circle(
            0, 0, 3.5, COLOURS["actual"]
        )
        entries.append((sample, labels["series"]))
    if dot is not None:
        name = t("fmt.value_period", lang, value=labels["partial"], period=dot[2])
        entries.append((_circle(0, 0, 4.9, "#ffffff", COLOURS["partial"], 2 * PT), name))

    # The axes' box: the legend's rows under it, the title over it, tick labels to its left.
    rows = _legend_rows(len(entries), width, [n for _s, n in entries])
    legend_top = height - 8 - rows * LEGEND_PX * 1.75
    bottom = legend_top - (TICK_PX + 16 if rows else TICK_PX + 20)
    top = 39.0
    xs = [x for x, *_ in hist] + [x for x, _ in path] + [x for x, *_ in fan]
    xs += [x for _n, rows_ in benches for x, _ in rows_] + ([float(dot[0])] if dot else [])
    ys = [v for _x, v in hist] + [v for _x, v in path] + [v for _x, v in goals]
    ys += [v for _x, *vals in fan for v in vals] + [v for _n, rows_ in benches for _x, v in rows_]
    ys += [float(dot[1])] if dot else []
    x_lo, x_hi = _limits(xs)
    y_lo, y_hi = _limits(ys)
    # counts and ranks (every value drawn a whole number) get whole-number ticks
    y_ticks = nice_ticks(y_lo, y_hi, integer=bool(ys) and all(float(v).is_integer() for v in ys))
    decimals = tick_decimals(y_ticks)
    tick_texts = [fmt_tick(v, decimals) for v in y_ticks]
    left = max(65.0, 24 + max((text_width(s, TICK_PX) for s in tick_texts), default=0) + 10)
    right = width - 14.0
    sx = _Scale(x_lo, x_hi, left, right, flip=False)
    # y grows downwards in SVG: higher values up (flip), unless the indicator is better when lower.
    sy = _Scale(y_lo, y_hi, top, bottom, flip=direction != "lower")

    out: list[str] = []
    # grid and ticks
    for v, text in zip(y_ticks, tick_texts):
        y = sy(v)
        out.append(
            f'<line class="gxq-ygrid" x1="{_num(left)}" y1="{_num(y)}" x2="{_num(right)}" y2="{_num(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(_text(left - 6, y + TICK_PX * 0.35, text, TICK_PX, anchor="end", class_="gxq-ytick"))
    for year in _year_ticks(x_lo, x_hi):
        x = sx(year)
        out.append(
            f'<line class="gxq-xgrid" x1="{_num(x)}" y1="{_num(top)}" x2="{_num(x)}" y2="{_num(bottom)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(_text(x, bottom + TICK_PX + 5, str(year), TICK_PX, class_="gxq-xtick"))
    out.append(
        f'<polyline points="{_num(left)},{_num(top)} {_num(left)},{_num(bottom)} {_num(right)},{_num(bottom)}" '
        f'fill="none" stroke="{GRID}" stroke-width="{1.25 * PT:.2f}"/>'
    )
    # the drawing, back to front as the matplotlib chart stacks it
    if len(fan) > 1:
        upper = [(sx(x), sy(hi)) for x, _m, _lo, hi in fan]
        lower = [(sx(x), sy(lo)) for x, _m, lo, _hi in reversed(fan)]
        pts = " ".join(f"{_num(x)},{_num(y)}" for x, y in upper + lower)
        out.append(
            f'<polygon class="gxq-fan" points="{pts}" fill="{COLOURS["fan"]}" fill-opacity="0.6" stroke="none"/>'
        )
    for (_name, rows_), colour in zip(benches, COLOURS["benchmarks"]):
        pts_b = [(sx(x), sy(v)) for x, v in rows_]
        out.append(f'<g class="gxq-benchmark" opacity="0.9">{_polyline(pts_b, colour, 1.2 * PT)}')
        out.extend(_circle(x, y, 1.7, colour) for x, y in pts_b)
        out.append("</g>")
    if path:
        out.append(
            _polyline(
                [(sx(x), sy(v)) for x, v in path],
                COLOURS["target"],
                1.2 * PT,
                "5.5 2.4",
                class_="gxq-target-path",
            )
        )
    for x, v in goals:
        out.append(
            _diamond(
                sx(x),
                sy(v),
                4.2,
                "#ffffff",
                COLOURS["target"],
                1.5 * PT,
                class_="gxq-milestone",
                data_value=repr(v),
            )
        )
    if len(fan) > 1:
        out.append(
            _polyline(
                [(sx(x), sy(m)) for x, m, _lo, _hi in fan],
                COLOURS["projection"],
                1.6 * PT,
                "2.2 3.6",
                class_="gxq-projection",
            )
        )
    if hist:
        pts_h = [(sx(x), sy(v)) for x, v in hist]
        if len(pts_h) > 1:
            out.append(_polyline(pts_h, COLOURS["actual"], 2.2 * PT, class_="gxq-actual-line"))
        out.extend(
            _circle(x, y, 3.5, COLOURS["actual"], class_="gxq-actual", data_value=repr(v))
            for (x, y), (_x, v) in zip(pts_h, hist)
        )
    if dot is not None:
        out.append(
            _circle(
                sx(float(dot[0])),
                sy(float(dot[1])),
                4.9,
                "#ffffff",
                COLOURS["partial"],
                2 * PT,
                class_="gxq-partial",
                data_value=repr(float(dot[1])),
            )
        )
    # the milestones' labels above their diamonds (7 pt up, whichever way the axis runs), drawn last
    # with a white halo: a line or dot passing there (a rank just better than its target) leaves
    # them readable
    for x, v in goals:
        out.append(
            _text(
                sx(x),
                sy(v) - 7 * PT - 1,
                short_number(v),
                NOTE_PX,
                fill=COLOURS["target"],
                stroke="#ffffff",
                stroke_width="3",
                paint_order="stroke",
                class_="gxq-milestone-label",
            )
        )
    # title, unit, legend
    # a long name is set smaller rather than cut at the chart's edges
    title_px = min(TITLE_PX, (width - 24) / max(text_width(title, 1.0), 1.0))
    half = text_width(title, title_px) / 2
    centre = min(max((left + right) / 2, 12 + half), width - 12 - half)
    out.append(_text(centre, top - 10, title, title_px, font_weight="bold"))
    if unit:
        y_mid = (top + bottom) / 2
        out.append(_text(16, y_mid, unit, LABEL_PX, transform=f"rotate(-90 16 {_num(y_mid)})"))
    out.extend(_legend(entries, legend_top, width))
    return _svg(width, height, alt or title, out)


# ----------------------------------------------------------------------------------------------
# Pace bars
# ----------------------------------------------------------------------------------------------
def pace_svg(
    names: Iterable[str],
    completion: Iterable[float],
    time_elapsed: float,
    lang: str = "zh",
    behind: Iterable[bool] | None = None,
    alt: str = "",
) -> str:
    """Horizontal bars of in-year completion (share of the annual target, 0-1) against the 时间进度
    line, as :func:`charts.pace_chart` draws them: red-amber when behind, green when on pace."""
    labels = [wrap_label(n, lang, width=20 if lang == "zh" else None).split("\n") for n in names]
    pct = [float(c) * 100 for c in completion]
    late = list(behind) if behind is not None else [c < time_elapsed * 100 for c in pct]
    elapsed = time_elapsed * 100
    width = 720
    line_px = TICK_PX * 1.25
    rows = [max(30.0, len(lines) * line_px + 8) for lines in labels]
    top, axis_gap = 35.0, TICK_PX + 26 + LABEL_PX
    height = top + sum(rows) + axis_gap + 6
    longest = max((text_width(line, TICK_PX) for lines in labels for line in lines), default=40)
    left = min(width * 0.5, 16 + longest + 10)
    right = width - 22.0
    bottom = top + sum(rows)
    lo = min([0.0, *[c - 10 for c in pct]])
    hi = max([110.0, *[c + 15 for c in pct]])
    sx = _Scale(lo, hi, left, right, flip=False)

    out: list[str] = []
    for v in nice_ticks(lo, hi, 8):
        x = sx(v)
        out.append(
            f'<line class="gxq-xgrid" x1="{_num(x)}" y1="{_num(top)}" x2="{_num(x)}" y2="{_num(bottom)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(
            _text(x, bottom + TICK_PX + 5, fmt_tick(v, tick_decimals([v])), TICK_PX, class_="gxq-xtick")
        )
    out.append(
        f'<polyline points="{_num(left)},{_num(top)} {_num(left)},{_num(bottom)} {_num(right)},{_num(bottom)}" '
        f'fill="none" stroke="{GRID}" stroke-width="{1.25 * PT:.2f}"/>'
    )
    y = top
    zero = sx(0.0)
    for lines, c, is_late, h in zip(labels, pct, late, rows):
        colour = STATUS_COLOURS["limited_progress"] if is_late else STATUS_COLOURS["on_track"]
        bar_h = 0.6 * 30
        mid = y + h / 2
        x_end = sx(c)
        out.append(
            f'<rect class="gxq-bar" x="{_num(min(zero, x_end))}" y="{_num(mid - bar_h / 2)}" '
            f'width="{_num(abs(x_end - zero))}" height="{_num(bar_h)}" fill="{colour}" data-value="{c!r}"/>'
        )
        out.append(_text(max(zero, x_end) + 4, mid + NOTE_PX * 0.35, f"{c:.0f}%", NOTE_PX, anchor="start"))
        first = mid - (len(lines) - 1) * line_px / 2
        for i, line in enumerate(lines):
            out.append(_text(left - 6, first + i * line_px + TICK_PX * 0.35, line, TICK_PX, anchor="end"))
        y += h
    xe = sx(elapsed)
    out.append(
        f'<line class="gxq-elapsed" x1="{_num(xe)}" y1="{_num(top - 6)}" x2="{_num(xe)}" y2="{_num(bottom)}" stroke="#333333" stroke-width="{1.5 * PT:.2f}" stroke-dasharray="5.5 2.4"/>'
    )
    out.append(
        _text(xe + 4, top - 10, f"{t('col.time_elapsed', lang)} {elapsed:.0f}%", 8.5 * PT, anchor="start")
    )
    out.append(
        _text(
            (left + right) / 2, bottom + TICK_PX + 14 + LABEL_PX, t("col.completion", lang) + " (%)", LABEL_PX
        )
    )
    return _svg(width, height, alt, out)

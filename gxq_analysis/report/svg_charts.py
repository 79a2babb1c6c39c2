"""The report's charts written directly as inline SVG: each indicator's trend chart and the pace bars.

Why not matplotlib PNGs in the pages: a quarterly pack shows ~30 trend charts, and drawing them with
matplotlib (text layout, rasterising, PNG encoding: ~21 ms a chart) was the largest single cost of
``gxq report --all``. Written as SVG they take well under a millisecond each. They also print as
vectors on A4, weigh a few KB instead of ~40 KB of base64, and their labels are real text in the
page's own fonts (selectable, searchable, read out by screen readers). Nothing is fetched: the SVG is
part of the page.

The look follows :func:`charts.trend_chart` and :func:`charts.pace_chart` (same colours, marks and
layout, in pixels of the 7.2 x 3.9 in, 100 dpi figure), which analysts keep in JupyterLab.

Every text taken from data (names, units, labels) is escaped (:mod:`.svg_draw` draws the marks).
Standard library only, so the pages and the compute workers need no plotting library for these charts.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..i18n import STATUS_COLOURS
from .svg_draw import (
    GRID,
    LABEL_PX,
    LEGEND_PX,
    NOTE_PX,
    PT,
    SWATCH,
    TICK_PX,
    TITLE_PX,
    TREND_SIZE,
    Scale,
    circle,
    diamond,
    fit_text,
    fmt_tick,
    legend,
    legend_rows,
    nice_ticks,
    num,
    polyline,
    svg_document,
    text_el,
    text_width,
    tick_decimals,
    view_limits,
    year_ticks,
)
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
    # the planned path through the finite milestones only (a careless NaN or ∞ target is left out)
    path = [
        (float(x), float(y))
        for x, y in (target_path(milestones, baseline) if len(milestones) else [])
        if math.isfinite(float(x)) and math.isfinite(float(y))
    ]
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
        sample = polyline([(-SWATCH / 2, 0), (SWATCH / 2, 0)], colour, 1.2 * PT) + circle(0, 0, 1.7, colour)
        entries.append((sample, name))
    if path:
        entries.append(
            (
                polyline([(-SWATCH / 2, 0), (SWATCH / 2, 0)], COLOURS["target"], 1.2 * PT, "5.5 2.4"),
                labels["target_path"],
            )
        )
    if goals:
        entries.append((diamond(0, 0, 4.2, "#ffffff", COLOURS["target"], 1.5 * PT), labels["milestones"]))
    if len(fan) > 1:
        entries.append(
            (
                f'<rect x="-10" y="-5" width="20" height="10" fill="{COLOURS["fan"]}" fill-opacity="0.6"/>',
                labels["fan"],
            )
        )
        entries.append(
            (
                polyline([(-SWATCH / 2, 0), (SWATCH / 2, 0)], COLOURS["projection"], 1.6 * PT, "2.2 3.6"),
                labels["projection"],
            )
        )
    if hist:
        sample = polyline([(-SWATCH / 2, 0), (SWATCH / 2, 0)], COLOURS["actual"], 2.2 * PT) + circle(
            0, 0, 3.5, COLOURS["actual"]
        )
        entries.append((sample, labels["series"]))
    if dot is not None:
        name = t("fmt.value_period", lang, value=labels["partial"], period=dot[2])
        entries.append((circle(0, 0, 4.9, "#ffffff", COLOURS["partial"], 2 * PT), name))

    # The axes' box: the legend's rows under it, the title over it, tick labels to its left.
    rows = legend_rows(len(entries), width, [n for _s, n in entries])
    legend_top = height - 8 - rows * LEGEND_PX * 1.75
    bottom = legend_top - (TICK_PX + 16 if rows else TICK_PX + 20)
    top = 39.0
    xs = [x for x, *_ in hist] + [x for x, _ in path] + [x for x, *_ in fan]
    xs += [x for _n, rows_ in benches for x, _ in rows_] + ([float(dot[0])] if dot else [])
    ys = [v for _x, v in hist] + [v for _x, v in path] + [v for _x, v in goals]
    ys += [v for _x, *vals in fan for v in vals] + [v for _n, rows_ in benches for _x, v in rows_]
    ys += [float(dot[1])] if dot else []
    x_lo, x_hi = view_limits(xs)
    y_lo, y_hi = view_limits(ys)
    # counts and ranks (every value drawn a whole number) get whole-number ticks
    y_ticks = nice_ticks(y_lo, y_hi, integer=bool(ys) and all(float(v).is_integer() for v in ys))
    decimals = tick_decimals(y_ticks)
    tick_texts = [fmt_tick(v, decimals) for v in y_ticks]
    # room for the tick labels, but never more than 40 % of the chart (absurd numbers run off the edge)
    left = min(width * 0.4, max(65.0, 24 + max((text_width(s, TICK_PX) for s in tick_texts), default=0) + 10))
    right = width - 14.0
    sx = Scale(x_lo, x_hi, left, right, flip=False)
    # y grows downwards in SVG: higher values up (flip), unless the indicator is better when lower.
    sy = Scale(y_lo, y_hi, top, bottom, flip=direction != "lower")

    out: list[str] = []
    # grid and ticks
    for v, text in zip(y_ticks, tick_texts):
        y = sy(v)
        out.append(
            f'<line class="gxq-ygrid" x1="{num(left)}" y1="{num(y)}" x2="{num(right)}" y2="{num(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(text_el(left - 6, y + TICK_PX * 0.35, text, TICK_PX, anchor="end", class_="gxq-ytick"))
    for year in year_ticks(x_lo, x_hi):
        x = sx(year)
        out.append(
            f'<line class="gxq-xgrid" x1="{num(x)}" y1="{num(top)}" x2="{num(x)}" y2="{num(bottom)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(text_el(x, bottom + TICK_PX + 5, str(year), TICK_PX, class_="gxq-xtick"))
    out.append(
        f'<polyline points="{num(left)},{num(top)} {num(left)},{num(bottom)} {num(right)},{num(bottom)}" '
        f'fill="none" stroke="{GRID}" stroke-width="{1.25 * PT:.2f}"/>'
    )
    # the drawing, back to front as the matplotlib chart stacks it
    if len(fan) > 1:
        upper = [(sx(x), sy(hi)) for x, _m, _lo, hi in fan]
        lower = [(sx(x), sy(lo)) for x, _m, lo, _hi in reversed(fan)]
        pts = " ".join(f"{num(x)},{num(y)}" for x, y in upper + lower)
        out.append(
            f'<polygon class="gxq-fan" points="{pts}" fill="{COLOURS["fan"]}" fill-opacity="0.6" stroke="none"/>'
        )
    for (_name, rows_), colour in zip(benches, COLOURS["benchmarks"]):
        pts_b = [(sx(x), sy(v)) for x, v in rows_]
        out.append(f'<g class="gxq-benchmark" opacity="0.9">{polyline(pts_b, colour, 1.2 * PT)}')
        out.extend(circle(x, y, 1.7, colour) for x, y in pts_b)
        out.append("</g>")
    if path:
        out.append(
            polyline(
                [(sx(x), sy(v)) for x, v in path],
                COLOURS["target"],
                1.2 * PT,
                "5.5 2.4",
                class_="gxq-target-path",
            )
        )
    for x, v in goals:
        out.append(
            diamond(
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
            polyline(
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
            out.append(polyline(pts_h, COLOURS["actual"], 2.2 * PT, class_="gxq-actual-line"))
        out.extend(
            circle(x, y, 3.5, COLOURS["actual"], class_="gxq-actual", data_value=repr(v))
            for (x, y), (_x, v) in zip(pts_h, hist)
        )
    if dot is not None:
        out.append(
            circle(
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
            text_el(
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
    # a long name is set smaller (down to the tick labels' size), then shortened with "…": the page's
    # heading above the chart and the chart's <title> carry it whole
    title_px = max(TICK_PX, min(TITLE_PX, (width - 24) / max(text_width(title, 1.0), 1.0)))
    title = fit_text(title, title_px, width - 24)
    half = text_width(title, title_px) / 2
    centre = min(max((left + right) / 2, 12 + half), width - 12 - half)
    out.append(text_el(centre, top - 10, title, title_px, font_weight="bold"))
    if unit:
        y_mid = (top + bottom) / 2
        out.append(text_el(16, y_mid, unit, LABEL_PX, transform=f"rotate(-90 16 {num(y_mid)})"))
    out.extend(legend(entries, legend_top, width))
    return svg_document(width, height, alt or title, out)


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
    shown = [c for c in pct if math.isfinite(c)]  # a completion that cannot be told (∞, NaN): no bar
    lo = min([0.0, *[c - 10 for c in shown]])
    hi = max([110.0, *[c + 15 for c in shown]])
    sx = Scale(lo, hi, left, right, flip=False)

    out: list[str] = []
    for v in nice_ticks(lo, hi, 8):
        x = sx(v)
        out.append(
            f'<line class="gxq-xgrid" x1="{num(x)}" y1="{num(top)}" x2="{num(x)}" y2="{num(bottom)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(
            text_el(x, bottom + TICK_PX + 5, fmt_tick(v, tick_decimals([v])), TICK_PX, class_="gxq-xtick")
        )
    out.append(
        f'<polyline points="{num(left)},{num(top)} {num(left)},{num(bottom)} {num(right)},{num(bottom)}" '
        f'fill="none" stroke="{GRID}" stroke-width="{1.25 * PT:.2f}"/>'
    )
    y = top
    zero = sx(0.0)
    for lines, c, is_late, h in zip(labels, pct, late, rows):
        colour = STATUS_COLOURS["limited_progress"] if is_late else STATUS_COLOURS["on_track"]
        bar_h = 0.6 * 30
        mid = y + h / 2
        if math.isfinite(c):
            x_end = sx(c)
            out.append(
                f'<rect class="gxq-bar" x="{num(min(zero, x_end))}" y="{num(mid - bar_h / 2)}" '
                f'width="{num(abs(x_end - zero))}" height="{num(bar_h)}" fill="{colour}" data-value="{c!r}"/>'
            )
            out.append(
                text_el(max(zero, x_end) + 4, mid + NOTE_PX * 0.35, f"{c:.0f}%", NOTE_PX, anchor="start")
            )
        else:
            out.append(text_el(zero + 4, mid + NOTE_PX * 0.35, "—", NOTE_PX, anchor="start"))
        first = mid - (len(lines) - 1) * line_px / 2
        for i, line in enumerate(lines):
            out.append(text_el(left - 6, first + i * line_px + TICK_PX * 0.35, line, TICK_PX, anchor="end"))
        y += h
    xe = sx(elapsed)
    out.append(
        f'<line class="gxq-elapsed" x1="{num(xe)}" y1="{num(top - 6)}" x2="{num(xe)}" y2="{num(bottom)}" stroke="#333333" stroke-width="{1.5 * PT:.2f}" stroke-dasharray="5.5 2.4"/>'
    )
    out.append(
        text_el(xe + 4, top - 10, f"{t('col.time_elapsed', lang)} {elapsed:.0f}%", 8.5 * PT, anchor="start")
    )
    out.append(
        text_el(
            (left + right) / 2, bottom + TICK_PX + 14 + LABEL_PX, t("col.completion", lang) + " (%)", LABEL_PX
        )
    )
    return svg_document(width, height, alt, out)

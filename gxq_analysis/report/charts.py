"""One chart style for every report: CJK font, target path and yearly milestones, fans, benchmarks.

- :func:`use_cjk_font` registers Noto Sans CJK (Debian ``fonts-noto-cjk``) with ``font_manager.addfont``
  (which gets around a stale font cache) and puts it first in ``font.sans-serif``. seaborn's theme
  resets fonts, so :func:`apply_style` calls it *after* the theme (and an analyst who calls
  ``sns.set_theme()`` calls it again).
- Every trend chart draws the plan's yearly milestones and the target path (DESIGN §2).
- Figures go into reports as ``<img>`` with embedded PNG data and alt text (:func:`figure_html`), so
  the HTML is self-contained and the Chinese glyphs are baked into the image.
- The report pages' trend charts and pace bars are written as inline SVG instead
  (:mod:`.svg_charts`, same look, ~50x cheaper); :func:`trend_chart` and :func:`pace_chart` are the
  matplotlib versions analysts get in JupyterLab, to restyle or save.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
from matplotlib import font_manager, rcParams
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..i18n import STATUS_COLOURS
from .chart_theme import SEABORN_WHITEGRID_NOTEBOOK
from .html import SafeHTML, esc
from .svg_charts import COLOURS, short_number, target_path, trend_labels, wrap_label
from .text import t

# zlib level 3: about 30 % faster to encode than the default 6 for ~20 % more bytes.
PNG_OPTIONS = {"compress_level": 3}

# No backend is forced: in a kernel the inline backend shows figures to analysts, and report helpers
# embed figures themselves (figure_html closes them, so nothing is displayed twice).

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

# Static OFL fonts from Debian fonts-noto-cjk; Regular and Bold so bold titles work.
CJK_FONT_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
)
CJK_FONT_FILES = ("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc")
# Family names that carry simplified-Chinese glyphs, best first.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "PingFang SC",
    "Microsoft YaHei",
)
FONT_HINT = (
    "install the OFL font package: sudo apt-get install fonts-noto-cjk (python3 tasks.py setup does it)"
)


_font_family: str | None = None


class FontNotFoundError(RuntimeError):
    """No font with Chinese glyphs is available to matplotlib."""


def find_cjk_font_files() -> list[Path]:
    files = []
    for folder in CJK_FONT_DIRS:
        for name in CJK_FONT_FILES:
            p = folder / name
            if p.is_file():
                files.append(p)
    return files


def use_cjk_font() -> str:
    """Make matplotlib draw Chinese: register the Noto CJK files and set rcParams. Returns the family.

    Call it after ``sns.set_theme()`` (which resets fonts). Raises :class:`FontNotFoundError` with the
    fix when no CJK font exists, rather than drawing boxes.
    """
    global _font_family
    if _font_family is None:
        for path in find_cjk_font_files():
            font_manager.fontManager.addfont(str(path))
        available = {f.name for f in font_manager.fontManager.ttflist}
        family = next((f for f in CJK_FAMILIES if f in available), None)
        if family is None:
            raise FontNotFoundError(f"no font with Chinese glyphs found for the charts; {FONT_HINT}")
        _font_family = family
    rcParams["font.family"] = "sans-serif"
    rcParams["font.sans-serif"] = [_font_family, "DejaVu Sans"]
    rcParams["axes.unicode_minus"] = True  # Noto has U+2212: keep a real minus sign
    return _font_family


def apply_style() -> None:
    """The one chart style: seaborn's whitegrid theme (written out, seaborn is not imported), then
    the CJK font and a few sizes."""
    rcParams.update(SEABORN_WHITEGRID_NOTEBOOK)
    use_cjk_font()
    rcParams.update(
        {
            "figure.figsize": (7.2, 3.9),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "axes.labelsize": 10,
            "legend.fontsize": 8.5,
            "legend.frameon": False,
            "xtick.labelsize": 9,
            "ytick.labelsize": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )


# ----------------------------------------------------------------------------------------------
# Embedding
# ----------------------------------------------------------------------------------------------
def figure_png(fig: plt.Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", pil_kwargs=dict(PNG_OPTIONS))
    return buf.getvalue()


def figure_html(fig: plt.Figure, alt: str, caption: str | None = None, close: bool = True) -> SafeHTML:
    """The figure as an ``<img>`` with embedded PNG and escaped alt text (and optional caption)."""

    png = figure_png(fig)
    if close:
        plt.close(fig)
    return png_html(png, alt, caption)


def png_html(png: bytes, alt: str, caption: str | None = None) -> SafeHTML:
    """PNG bytes as an ``<img>`` with escaped alt text (and optional caption), as :func:`figure_html`."""
    data = base64.b64encode(png).decode("ascii")
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return SafeHTML(
        f'<figure class="gxq-figure"><img alt="{esc(alt)}" src="data:image/png;base64,{data}"/>{cap}</figure>'
    )


# ----------------------------------------------------------------------------------------------
# Trend chart
# ----------------------------------------------------------------------------------------------
def trend_chart(
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
    ax: plt.Axes | None = None,
) -> plt.Figure:
    """A trend chart: actual annual values, milestones + target path, projection fan, benchmarks.

    - ``history``: ``year, value`` (complete annual values).
    - ``milestones``: ``year, target`` (the plan's yearly targets).
    - ``projection``: ``year, median, lo80, hi80`` (the fan; 80 % interval).
    - ``partial``: ``(x, value, label)`` for an in-year latest value (x may be fractional, 2019.75).
    - ``benchmarks``: label → ``year, value`` (e.g. 全国, 江苏省), drawn thin and muted.
    ``direction="lower"`` (ranks) inverts the y axis so "up" is always better.
    """
    if ax is None:
        fig, ax = plt.subplots()
    else:
        fig = ax.figure  # type: ignore[assignment]  # a caller's Axes sits on a Figure, not a SubFigure
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _draw_trend(
        fig,
        ax,
        history,
        milestones,
        title=title,
        unit=unit,
        lang=lang,
        direction=direction,
        baseline=baseline,
        projection=projection,
        partial=partial,
        benchmarks=benchmarks,
    )
    return fig


def _draw_trend(
    fig: Figure,
    ax: Axes,
    history: pd.DataFrame,
    milestones: pd.DataFrame,
    *,
    title: str,
    unit: str,
    lang: str,
    direction: str,
    baseline: tuple[int, float] | None,
    projection: pd.DataFrame | None,
    partial: tuple[float, float, str] | None,
    benchmarks: Mapping[str, pd.DataFrame] | None,
) -> None:
    """Draw a trend chart's artists on ``ax`` (whose x locator is already integer years), its legend
    in a band under the axes."""
    labels = trend_labels(lang)
    if benchmarks:
        for colour, (name, bench) in zip(COLOURS["benchmarks"], benchmarks.items()):
            if bench is None or len(bench) == 0:
                continue
            b = bench.sort_values("year")
            ax.plot(
                b["year"], b["value"], color=colour, lw=1.2, ls="-", marker=".", ms=5, alpha=0.9, label=name
            )
    path = target_path(milestones, baseline)
    if path:
        xs, ys = zip(*path)
        ax.plot(xs, ys, color=COLOURS["target"], lw=1.2, ls="--", label=labels["target_path"], zorder=2)
        ax.plot(
            milestones["year"],
            milestones["target"],
            ls="none",
            marker="D",
            ms=6,
            mfc="white",
            mec=COLOURS["target"],
            mew=1.5,
            label=labels["milestones"],
            zorder=3,
        )
        for y, v in zip(milestones["year"], milestones["target"]):
            ax.annotate(
                short_number(v),
                (y, v),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                fontsize=8,
                color=COLOURS["target"],
            )
    if projection is not None and len(projection):
        pr = projection.sort_values("year")
        ax.fill_between(
            pr["year"],
            pr["lo80"],
            pr["hi80"],
            color=COLOURS["fan"],
            alpha=0.6,
            lw=0,
            label=labels["fan"],
            zorder=1,
        )
        ax.plot(
            pr["year"],
            pr["median"],
            color=COLOURS["projection"],
            lw=1.6,
            ls=":",
            label=labels["projection"],
            zorder=4,
        )
    if history is not None and len(history):
        h = history.sort_values("year")
        ax.plot(
            h["year"],
            h["value"],
            color=COLOURS["actual"],
            lw=2.2,
            marker="o",
            ms=5,
            label=labels["series"],
            zorder=5,
        )
    if partial is not None:
        ax.plot(
            [partial[0]],
            [partial[1]],
            ls="none",
            marker="o",
            ms=7,
            mfc="white",
            mec=COLOURS["partial"],
            mew=2,
            label=t("fmt.value_period", lang, value=labels["partial"], period=partial[2]),
            zorder=6,
        )
    ax.set_title(
        title, y=1.0
    )  # explicit y: skips matplotlib's costly automatic title placement (no top ticks here)
    if unit:
        ax.set_ylabel(unit)
    if direction == "lower":
        ax.invert_yaxis()
    # A fixed layout (legend in a band under the axes) instead of tight_layout / bbox_inches="tight" /
    # loc="best": each of those costs a full extra layout pass, and a report draws dozens of charts.
    handles, names = ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, names, loc="lower center", ncols=min(4, len(handles)), bbox_to_anchor=(0.5, 0.0))
    rows = (len(handles) + 3) // 4
    fig.subplots_adjust(left=0.09, right=0.98, top=0.90, bottom=0.14 + 0.065 * rows)


# ----------------------------------------------------------------------------------------------
# Pace chart and traffic-light helpers
# ----------------------------------------------------------------------------------------------
def pace_chart(
    names: Iterable[str],
    completion: Iterable[float],
    time_elapsed: float,
    lang: str = "zh",
    behind: Iterable[bool] | None = None,
) -> plt.Figure:
    """Horizontal bars of in-year completion (share of the annual target) against 时间进度."""

    names = [wrap_label(n, lang, width=20 if lang == "zh" else None) for n in names]
    completion = [float(c) * 100 for c in completion]
    behind = list(behind) if behind is not None else [c < time_elapsed * 100 for c in completion]
    extra_lines = sum(n.count("\n") for n in names)
    fig, ax = plt.subplots(figsize=(7.2, 0.3 * len(names) + 0.3 * extra_lines + 1.0))
    colours = [STATUS_COLOURS["limited_progress"] if b else STATUS_COLOURS["on_track"] for b in behind]
    ypos = list(range(len(names)))[::-1]
    ax.barh(ypos, completion, color=colours, height=0.6)
    ax.set_yticks(ypos, names)
    ax.axvline(time_elapsed * 100, color="#333333", lw=1.5, ls="--")
    ax.annotate(
        f"{t('col.time_elapsed', lang)} {time_elapsed * 100:.0f}%",
        (time_elapsed * 100, max(ypos) + 0.5),
        textcoords="offset points",
        xytext=(4, 0),
        fontsize=8.5,
        va="bottom",
    )
    for y, c in zip(ypos, completion):
        ax.annotate(f"{c:.0f}%", (c, y), textcoords="offset points", xytext=(3, 0), va="center", fontsize=8)
    ax.set_xlabel(t("col.completion", lang) + " (%)")
    ax.set_xlim(min([0.0, *[c - 10 for c in completion]]), max([110.0, *[c + 15 for c in completion]]))
    ax.grid(axis="y", visible=False)
    height = fig.get_figheight()
    longest = max((len(line) for n in names for line in n.split("\n")), default=4)
    # About 0.125 in per CJK character at 9 pt on a 7.2 in wide figure, plus the tick padding.
    fig.subplots_adjust(
        left=min(0.5, 0.04 + 0.0185 * longest), right=0.97, top=1 - 0.35 / height, bottom=0.55 / height
    )
    return fig

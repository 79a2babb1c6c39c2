"""The annual report's index charts (the shared style and colours come from :mod:`gxq_analysis.report.charts`)."""

from __future__ import annotations

import numpy as np

from ..index import DIMENSIONS, Decomposition, IndexResult, Sensitivity, dimension_name
from .tables import contribution_table
from .text import t

DIMENSION_COLOURS = ("#1f4e79", "#d9822b", "#4f9a94", "#8e6bb0", "#a0a0a0")


def index_chart(result: IndexResult, sens: Sensitivity, lang: str = "zh", year: int | None = None):
    """The overall index with its random-weight band, and the five dimensions as thin lines."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from ...report.charts import COLOURS

    band = sens.band(result.normalisation)
    years = [y for y in result.years if year is None or y <= year]
    fig, ax = plt.subplots()
    for colour, d in zip(DIMENSION_COLOURS, DIMENSIONS):
        s = result.dimensions.loc[years, d]
        if s.notna().any():
            ax.plot(
                years,
                s,
                color=colour,
                lw=1.0,
                ls="--",
                marker=".",
                ms=4,
                alpha=0.8,
                label=dimension_name(d, lang),
            )
    lo = band.loc[years, "lo"]
    hi = band.loc[years, "hi"]
    ok = lo.notna() & hi.notna()
    if ok.any():
        ax.fill_between(
            [y for y, k in zip(years, ok) if k],
            lo[ok],
            hi[ok],
            color=COLOURS["fan"],
            alpha=0.6,
            lw=0,
            label=t("col.band", lang),
        )
    ax.plot(
        years,
        result.overall.loc[years],
        color=COLOURS["actual"],
        lw=2.4,
        marker="o",
        ms=6,
        label=t("col.overall", lang),
    )
    for y in years:
        v = result.overall[y]
        if not np.isnan(v):
            ax.annotate(
                f"{v:.1f}", (y, v), textcoords="offset points", xytext=(0, 8), ha="center", fontsize=8.5
            )
    ax.set_ylim(-5, 110)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(t("h.index", lang).split("、")[-1].split(". ")[-1])
    ax.legend(loc="upper left", ncols=2)
    fig.tight_layout()
    return fig


def contribution_chart(dec: Decomposition, result: IndexResult, lang: str = "zh", top: int = 12):
    """Horizontal bars of the indicators' contributions to the change (largest first)."""
    import matplotlib.pyplot as plt

    table = contribution_table(dec, result, lang).head(top)
    fig, ax = plt.subplots(figsize=(7.2, 0.38 * max(len(table), 1) + 1.2))
    ypos = list(range(len(table)))[::-1]
    colours = ["#2da44e" if c >= 0 else "#cf222e" for c in table["contribution"]]
    ax.barh(ypos, table["contribution"], color=colours, height=0.6)
    ax.set_yticks(
        ypos,
        [t("chart.bar_label", lang, name=n, dimension=d) for n, d in zip(table["name"], table["dimension"])],
    )
    ax.axvline(0, color="#333333", lw=0.8)
    for y, c in zip(ypos, table["contribution"]):
        ax.annotate(
            f"{c:+.1f}",
            (c, y),
            textcoords="offset points",
            xytext=(3 if c >= 0 else -3, 0),
            ha="left" if c >= 0 else "right",
            va="center",
            fontsize=8,
        )
    ax.set_xlabel(t("col.contribution", lang))
    ax.grid(axis="y", visible=False)
    ax.set_title(f"{dec.previous}→{dec.year}: {dec.total:+.1f}")
    fig.tight_layout()
    return fig

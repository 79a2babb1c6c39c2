"""seaborn's whitegrid/notebook theme as plain rcParams, so that drawing a chart needs no seaborn.

Used by :func:`gxq_analysis.report.charts.apply_style`.
"""

from __future__ import annotations

from typing import Any

from matplotlib.colors import to_rgb
from matplotlib.rcsetup import cycler

# seaborn's "deep" palette, the colour cycle of its default theme.
SEABORN_DEEP = (
    "#4C72B0",
    "#DD8452",
    "#55A868",
    "#C44E52",
    "#8172B3",
    "#937860",
    "#DA8BC3",
    "#8C8C8C",
    "#CCB974",
    "#64B5CD",
)

# What ``seaborn.set_theme(style="whitegrid", context="notebook")`` sets in rcParams, for the pinned
# seaborn 0.13.2 (requirements.lock), written out so that drawing a chart does not import seaborn
# (about 0.45 s: it pulls in scipy). Two things set_theme does are left out, as no report chart uses
# them: image.cmap "rocket" (a colormap only seaborn registers) and the remapping of the colour
# codes "b", "g", "r"... to the palette. tests/test_charts.py compares this with seaborn's own
# set_theme, so a seaborn upgrade that changes the theme is caught. Analysts can still use seaborn.
SEABORN_WHITEGRID_NOTEBOOK: dict[Any, Any] = {  # keys: rcParams names
    # seaborn.axes_style("whitegrid")
    "axes.axisbelow": True,
    "axes.edgecolor": ".8",
    "axes.facecolor": "white",
    "axes.grid": True,
    "axes.labelcolor": ".15",
    "axes.linewidth": 1.25,
    "axes.spines.bottom": True,
    "axes.spines.left": True,
    "axes.spines.right": True,
    "axes.spines.top": True,
    "figure.facecolor": "white",
    "font.family": ["sans-serif"],
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "grid.color": ".8",
    "grid.linestyle": "-",
    "lines.solid_capstyle": "round",
    "patch.edgecolor": "w",
    "patch.force_edgecolor": True,
    "text.color": ".15",
    "xtick.bottom": False,
    "xtick.color": ".15",
    "xtick.direction": "out",
    "xtick.top": False,
    "ytick.color": ".15",
    "ytick.direction": "out",
    "ytick.left": False,
    "ytick.right": False,
    # seaborn.plotting_context("notebook")
    "axes.labelsize": 12.0,
    "axes.titlesize": 12.0,
    "font.size": 12.0,
    "grid.linewidth": 1.0,
    "legend.fontsize": 11.0,
    "legend.title_fontsize": 12.0,
    "lines.linewidth": 1.5,
    "lines.markersize": 6.0,
    "patch.linewidth": 1.0,
    "xtick.labelsize": 11.0,
    "xtick.major.size": 6.0,
    "xtick.major.width": 1.25,
    "xtick.minor.size": 4.0,
    "xtick.minor.width": 1.0,
    "ytick.labelsize": 11.0,
    "ytick.major.size": 6.0,
    "ytick.major.width": 1.25,
    "ytick.minor.size": 4.0,
    "ytick.minor.width": 1.0,
    # seaborn.set_palette("deep")
    "axes.prop_cycle": cycler(color=[to_rgb(c) for c in SEABORN_DEEP]),
}

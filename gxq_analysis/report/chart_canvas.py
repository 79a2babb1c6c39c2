"""The reused figure report trend charts are drawn on (:func:`gxq_analysis.report.charts.trend_png`),
with its legend-pixel cache, and what it shares with :func:`~gxq_analysis.report.charts.figure_png`."""

from __future__ import annotations

import io
from collections import OrderedDict
from typing import Any

import numpy as np
from matplotlib import rcParams
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imsave
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

# zlib level 3: about 30 % faster to encode than the default 6 for ~20 % more bytes.
PNG_OPTIONS = {"compress_level": 3}


def add_trend_legend(fig: Figure, handles: list[Any], names: list[str]) -> Legend:
    """A trend chart's legend: centred in a band under the axes, four entries a row."""
    return fig.legend(
        handles, names, loc="lower center", ncols=min(4, len(handles)), bbox_to_anchor=(0.5, 0.0)
    )


class TrendCanvas:
    """One Figure + Axes per process that report trend charts are drawn on, one after the other.

    Creating a figure (``plt.subplots``), its axis ticks and a fresh renderer is about half the cost of
    a chart; reusing them keeps the ticks and the renderer's text-metrics cache warm. After each chart
    every artist it added is removed and the axes are put back as new (limits, inversion, labels), so
    a chart's PNG is byte-identical to the one ``charts.trend_chart`` draws on a fresh figure. It is
    built without pyplot (nothing to close, nothing shown by the inline backend) and rebuilt whenever
    rcParams changed since it was made (the style is read when artists are created).

    The legend (about a fifth of a chart's cost) is the same for most charts of a page and sits at a
    fixed place in the band under the axes, whatever the data. So its pixels are rendered once per
    set of entries (alone on the figure) and pasted in after the rest of the chart is drawn, when
    that place came out blank: pasting then gives exactly the pixels drawing it would. Otherwise the
    legend is drawn as usual.
    """

    LEGENDS_KEPT = 32  # a page has a handful; each is ~0.15 MB of pixels

    def __init__(self) -> None:
        self.rc = dict(dict.items(rcParams))  # the raw values: no per-key validation or warnings
        self.fig = Figure()
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_subplot()
        self.ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        # legend key -> (rows, columns, pixels) of the legend drawn alone (None: cannot be pasted)
        self.legends: OrderedDict[tuple, tuple[slice, slice, np.ndarray] | None] = OrderedDict()

    def current(self) -> bool:
        return self.rc == dict(dict.items(rcParams))

    def png(self, handles: list[Any], names: list[str]) -> bytes:
        """Draw the figure (its legend from ``handles``/``names``) and encode it as figure_png does."""
        if not self._savefig_is_plain():
            if handles:
                add_trend_legend(self.fig, handles, names)
            out = io.BytesIO()
            self.fig.savefig(out, format="png", pil_kwargs=dict(PNG_OPTIONS))
            return out.getvalue()
        patch = self._legend_pixels(handles, names) if handles else None
        if handles and patch is None:
            add_trend_legend(self.fig, handles, names)
        self.canvas.draw()
        pixels = np.asarray(self.canvas.buffer_rgba())
        if patch is not None:
            rows, cols, legend = patch
            if (pixels[rows, cols] == pixels[0, 0]).all():
                pixels[rows, cols] = legend
            else:  # something of the chart reaches into the legend's place: draw the legend over it
                add_trend_legend(self.fig, handles, names)
                self.canvas.draw()
                pixels = np.asarray(self.canvas.buffer_rgba())
        buf = io.BytesIO()
        # What savefig(format="png") does on an Agg canvas (FigureCanvasAgg._print_pil), without its
        # second draw: same encoder, options and metadata, hence the same bytes.
        imsave(buf, pixels, format="png", origin="upper", dpi=self.fig.dpi, pil_kwargs=dict(PNG_OPTIONS))
        return buf.getvalue()

    def _savefig_is_plain(self) -> bool:
        """Whether savefig would just encode the figure as drawn on its canvas (so in the report
        style): no other dpi, no tight bounding box, no other background."""
        dpi = rcParams["savefig.dpi"]
        return (
            (dpi == "figure" or dpi == self.fig.dpi)
            and rcParams["savefig.bbox"] is None
            and not rcParams["savefig.transparent"]
            and rcParams["savefig.facecolor"] == "auto"
            and rcParams["savefig.edgecolor"] == "auto"
        )

    def _legend_pixels(self, handles: list[Any], names: list[str]) -> tuple[slice, slice, np.ndarray] | None:
        key = legend_key(handles, names)
        if key is None:
            return None
        if key in self.legends:
            self.legends.move_to_end(key)
            return self.legends[key]
        # The legend alone: hide the axes, draw, and keep the box of pixels it changed (plus a margin).
        legend = add_trend_legend(self.fig, handles, names)
        self.ax.set_visible(False)
        try:
            self.canvas.draw()
        finally:
            self.ax.set_visible(True)
            legend.remove()
        pixels = np.asarray(self.canvas.buffer_rgba())
        changed = (pixels != pixels[0, 0]).any(axis=2)
        patch = None
        if changed.any() and not changed[0, 0]:
            ys, xs = np.nonzero(changed)
            margin = 2
            rows = slice(max(int(ys.min()) - margin, 1), int(ys.max()) + margin + 1)
            cols = slice(max(int(xs.min()) - margin, 1), int(xs.max()) + margin + 1)
            patch = (rows, cols, pixels[rows, cols].copy())
        self.legends[key] = patch
        if len(self.legends) > self.LEGENDS_KEPT:
            self.legends.popitem(last=False)
        return patch

    def reset(self) -> None:
        ax = self.ax
        for artist in [*ax.lines, *ax.collections, *ax.texts, *self.fig.legends]:
            artist.remove()
        ax.set_title("", y=1.0)
        ax.set_ylabel("")
        if ax.yaxis_inverted():
            ax.invert_yaxis()
        ax.set_prop_cycle(None)
        ax.relim()
        ax.set_autoscale_on(True)


def legend_key(handles: list[Any], names: list[str]) -> tuple | None:
    """What a legend's pixels depend on: its entries' names and the look of their handles (the figure
    and the style are the canvas's own). None for a kind of handle not described here."""
    key: list[tuple] = []
    for handle, name in zip(handles, names):
        if isinstance(handle, Line2D):
            key.append(
                (
                    name,
                    "line",
                    str(handle.get_color()),
                    handle.get_linewidth(),
                    str(handle.get_linestyle()),
                    str(handle.get_marker()),
                    handle.get_markersize(),
                    str(handle.get_markerfacecolor()),
                    str(handle.get_markeredgecolor()),
                    handle.get_markeredgewidth(),
                    handle.get_alpha(),
                    handle.get_zorder(),
                )
            )
        elif type(handle).__name__ == "FillBetweenPolyCollection":
            key.append(
                (
                    name,
                    "fill",
                    repr(handle.get_facecolor().tolist()),
                    repr(handle.get_edgecolor().tolist()),
                    repr(list(handle.get_linewidth())),
                    handle.get_alpha(),
                )
            )
        else:
            return None
    return tuple(key)

"""The annual evaluation page's (40) figures: the index over time with its band, the contributions to
the change, and the forecasts' track record. Each is the pack's drawing (:mod:`report.figures`) when
there is one, else drawn here from the period's assessment (a notebook run on its own)."""

from __future__ import annotations

from ..assess import evaluation as E
from .charts import figure_html
from .context import ReportContext, annual_evaluation, pack_figure
from .html import SafeHTML
from .pack_files import CONTRIBUTION_FIGURE, INDEX_FIGURE, TRACK_RECORD_SECTION
from .track_record import track_record_section


def index_figure(ctx: ReportContext) -> SafeHTML:
    """The overall index and its dimensions over the years, with the random-weight band."""
    drawn = pack_figure(ctx, INDEX_FIGURE)
    if drawn is not None:
        return drawn
    ev, lang = annual_evaluation(ctx), ctx.lang
    return figure_html(
        E.index_chart(ev.index, ev.sensitivity, lang, year=ctx.period.year),
        alt=E.t("h.index", lang),
        caption=E.t("index.band_note", lang, n=ev.sensitivity.n_draws, seed=ev.sensitivity.seed),
    )


def contribution_figure(ctx: ReportContext) -> SafeHTML | None:
    """The indicators' contributions to the change since last year (None when not computable)."""
    drawn = pack_figure(ctx, CONTRIBUTION_FIGURE)
    if drawn is not None:
        return drawn
    ev, lang = annual_evaluation(ctx), ctx.lang
    dec = ev.decomposition
    if dec is None or not dec.computable:
        return None
    return figure_html(E.contribution_chart(dec, ev.index, lang), alt=E.t("h.contrib", lang))


def track_record(ctx: ReportContext) -> SafeHTML:
    """The section on how often the forecasts' claims came true (with its reliability diagram)."""
    return pack_figure(ctx, TRACK_RECORD_SECTION) or track_record_section(ctx.lang)

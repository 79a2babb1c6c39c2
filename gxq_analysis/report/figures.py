"""The pack's figures, drawn once in a compute worker while the pages' kernels start.

Drawing is the costliest part of a page (the trajectories page shows ~30 trend charts, the annual
page matplotlib figures). `gxq report` therefore draws every figure its pages show in ``figures``
jobs, beside the assessment, into files of the pack (figure key -> the ``<figure>`` HTML), and the
pages show those; their kernels then never draw, and their imports overlap with the drawing. Each
page's figures are one job.

The figures are made by the pages' own functions from the same assessment, so a page shows exactly
what it would have drawn itself. A page looks a figure up only when it asks for the assessment's own
projection (:func:`context.pack_figure`); the file carries the assessment's fingerprint and a page
refuses one for other inputs. A notebook run on its own (JupyterLab) draws its figures itself, and so
does a page of a pack whose figures job failed (its error then surfaces in that page, as it would
without this job). Missing Chinese glyphs fail the job, so the page redraws and the renderer's glyph
check names it.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

from .pack_files import (
    CONTRIBUTION_FIGURE,
    FAILED_SUFFIX,
    INDEX_FIGURE,
    PACE_FIGURE,
    TRACK_RECORD_SECTION,
    trajectory_figure_key,
    write_figures,
)

TREND_PAGE = "20_trajectories"  # the page with ~30 trend charts (the longest figures job)


def figures_file(stem: str) -> str:
    """The file of a page's figures in the pack's folder."""
    return f"_figures.{stem}.json"


def draw_page_figures(ctx: Any, stem: str) -> dict[str, str]:
    """The figures page ``stem`` shows, keyed as the page looks them up. The page functions draw here
    because ``ctx`` has no figures file."""
    from .annual_page import contribution_figure, index_figure, track_record
    from .brief import period_pace_figure
    from .charts import apply_style
    from .context import project
    from .trajectories import indicators_with_targets, trajectory_chart_html, trajectory_inputs

    apply_style()
    drawn: dict[str, Any] = {}
    if stem == "30_quarterly_brief":
        drawn[PACE_FIGURE] = period_pace_figure(ctx)
    elif stem == "40_annual_evaluation":
        drawn[INDEX_FIGURE] = index_figure(ctx)
        drawn[CONTRIBUTION_FIGURE] = contribution_figure(ctx)
        drawn[TRACK_RECORD_SECTION] = track_record(ctx)
    elif stem == TREND_PAGE:
        for iid in indicators_with_targets(ctx.plan):
            inputs = trajectory_inputs(ctx, iid, project(ctx, iid))
            if inputs is not None:
                drawn[trajectory_figure_key(iid)] = trajectory_chart_html(ctx, iid, inputs)
    return {key: str(html) for key, html in drawn.items() if html is not None}


def figures_job(job: dict) -> dict:
    """Draw the pack's figures (in a compute worker). Never raises: on failure it leaves a ``.failed``
    marker, and the pages waiting for the file draw their own figures."""
    t0 = time.perf_counter()
    try:
        from .context import period_assessment, setup_notebook, validate_params
        from .worker_inputs import kept_inputs

        setup_notebook(charts=False)
        ctx = validate_params(
            job["period"],
            job["lang"],
            job["plan_dir"],
            job["observations_path"],
            assessment=job["assessment"],
            kept=lambda: kept_inputs(job["plan_dir"], job["observations_path"])[1:],
        )
        assessment = period_assessment(ctx)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            figures = draw_page_figures(ctx, job["stem"])
        lost = [str(w.message) for w in caught if "missing from font" in str(w.message)]
        if lost:
            raise RuntimeError(f"charts lost Chinese characters: {lost[0]}")
        write_figures(figures, assessment.fingerprint, job["out"])
        return {"ok": True, "count": len(figures), "seconds": time.perf_counter() - t0}
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        Path(job["out"] + FAILED_SUFFIX).write_text(error, encoding="utf-8")
        return {"ok": False, "error": error, "seconds": time.perf_counter() - t0}

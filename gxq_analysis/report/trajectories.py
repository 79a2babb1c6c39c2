"""The trajectories page (20): per indicator, the trend chart (history, milestones, target path,
projection fan, benchmarks) and its status lines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..assess.benchmarks import BENCHMARK_GEOS, COMPARABLE_KINDS  # noqa: F401  (the notebooks' namespace)
from ..assess.benchmarks import benchmark_series as shared_benchmark_series
from .charts import trend_chart
from .context import ReportContext, pack_figure, project
from .html import SafeHTML, esc, html_block, status_light
from .numbers import fmt_number, is_missing, unit_label
from .pack_files import trajectory_figure_key
from .sentences import _row_get, projection_sentence
from .svg_charts import trend_svg
from .svg_draw import svg_html
from .text import TEXT, t

if TYPE_CHECKING:
    import matplotlib.pyplot as plt

    from ..model.plan import Plan


def indicators_with_targets(plan: Plan) -> list[str]:
    """Plan indicators that have at least one target, in the plan's order."""
    have = set(plan.targets["indicator_id"])
    return [iid for iid in plan.indicators.index if iid in have]


def headline_indicator(plan: Plan) -> str:
    """The indicator the trajectories report leads with: ``plan.json`` ``headline_indicator``, else the
    first indicator of the plan's table (no. 1)."""
    iid = plan.meta.get("headline_indicator")
    if iid and iid in plan.indicators.index:
        return str(iid)
    numbered = [(int(no), i) for i, no in plan.indicators["no"].items() if str(no).strip().isdigit()]
    return min(numbered)[1] if numbered else str(plan.indicators.index[0])


def benchmark_series(ctx: ReportContext, iid: str) -> dict[str, pd.DataFrame]:
    """Annual benchmark values (全国, 江苏省) for an indicator, when comparable; label → year/value.
    The comparison rules are the assessment's (:func:`assess.benchmarks.benchmark_series`)."""
    out = {}
    obs = ctx.obs if ctx.obs_index is None else ctx.obs_index  # the same rows, looked up faster
    for geo, vals in shared_benchmark_series(ctx.plan, obs, iid).items():
        key = f"geo.{geo}"
        out[t(key, ctx.lang) if key in TEXT else geo] = vals[["year", "value"]]
    return out


def trajectory_chart(ctx: ReportContext, iid: str, projection: Any = None) -> SafeHTML | None:
    """The trend chart of one indicator as embedded HTML, or None when it has no data at all.
    With the assessment's own projection, the pack's drawing of it when there is one."""
    if projection is not None and ctx.figures_path and projection is project(ctx, iid):
        drawn = pack_figure(ctx, trajectory_figure_key(iid))
        if drawn is not None:
            return drawn
    inputs = trajectory_inputs(ctx, iid, projection)
    return None if inputs is None else trajectory_chart_html(ctx, iid, inputs)


def trajectory_chart_html(ctx: ReportContext, iid: str, inputs: dict[str, Any]) -> SafeHTML:
    """The chart drawn from :func:`trajectory_inputs`, as an inline SVG figure with its alt text."""
    lang = ctx.lang
    alt = t(
        "tr.chart_alt",
        lang,
        name=ctx.plan.name(iid, lang),
        series=t("tr.series", lang),
        milestones=t("tr.milestones", lang),
        path=t("tr.target_path", lang),
    )
    return svg_html(trend_svg(**inputs, alt=alt))


def trajectory_figure(ctx: ReportContext, iid: str, projection: Any = None) -> plt.Figure | None:
    """The trend chart of one indicator: complete annual values as the line, the latest in-year value
    as a separate point, milestones and target path, the projection fan and benchmarks."""
    inputs = trajectory_inputs(ctx, iid, projection)
    return None if inputs is None else trend_chart(**inputs)


def trajectory_inputs(ctx: ReportContext, iid: str, projection: Any = None) -> dict[str, Any] | None:
    """The arguments of :func:`trend_chart` for one indicator's trend chart, or None when it has no
    data at all (what :func:`trajectory_figure` and :func:`trajectory_chart` draw)."""
    from ..assess.plan_lookup import plan_lookup
    from ..model.series import annual_values, frame_columns, latest_value

    plan, lang = ctx.plan, ctx.lang
    obs = ctx.obs if ctx.obs_index is None else ctx.obs_index  # the same rows, looked up faster
    hist = annual_values(obs, plan, iid)
    latest = latest_value(obs, plan, iid)
    if hist.empty and latest is None:
        return None
    milestones = _milestones(ctx, iid)
    start_year = plan.start_year
    years, values = frame_columns(obs, hist, ("year", "value"))
    baseline = None
    before = [i for i, y in enumerate(years) if y < start_year]  # the years before the plan
    if before:
        baseline = (int(years[before[-1]]), float(values[before[-1]]))
    partial = None
    if latest is not None and not latest.get("complete", True):
        from ..model.periods import parse_period

        per = parse_period(latest["period"])
        partial = (per.year - 1 + per.end_month / 12.0, float(latest["value"]), str(per))
    proj = None
    if projection is not None and getattr(projection, "path", None) is not None and len(projection.path) > 1:
        path = projection.path
        proj = path.assign(year=path["time"] if "time" in path else path["year"])
        first = proj.iloc[0]
        fitted = getattr(projection, "history", None)  # may be quarter-ends: not the annual line
        if (
            partial is None
            and bool(first.get("observed", False))
            and float(first["year"]) % 1
            and fitted is not None
            and len(fitted)
            and "period" in fitted
        ):
            # a flow's year-to-date value (or an in-year level) the projection starts from
            partial = (float(first["year"]), float(first["median"]), str(fitted["period"].iloc[-1]))
    # the indicator's row, kept per plan on a worker's index (Plan.indicator selects it anew)
    ind = plan.indicator(iid) if ctx.obs_index is None else plan_lookup(plan, ctx.obs_index).indicator(iid)
    name = plan.name(iid, lang)
    # Benchmarks only over the chart's own years (the zone's history and the plan).
    first_year = min([int(y) for y in years] + [start_year - 1])
    benchmarks = {k: v[v["year"] >= first_year] for k, v in benchmark_series(ctx, iid).items()}

    return dict(
        history=hist[["year", "value"]],
        milestones=milestones,
        title=name,
        unit=unit_label(str(ind["unit"]), lang),
        lang=lang,
        direction=str(ind["direction"]),
        baseline=baseline,
        projection=proj,
        partial=partial,
        benchmarks={k: v for k, v in benchmarks.items() if len(v)},
    )


def _milestones(ctx: ReportContext, iid: str) -> pd.DataFrame:
    """``plan.targets_for(iid)[["year", "target"]]``: selected once per plan and indicator on a compute
    worker's index (the trend pages of `gxq report --all` ask for each indicator's in every pack);
    each call gets its own copy."""
    plan = ctx.plan
    if ctx.obs_index is None:
        return plan.targets_for(iid)[["year", "target"]]
    kept = ctx.obs_index.root.remember(
        plan, ("milestones", iid), lambda: plan.targets_for(iid)[["year", "target"]]
    )
    return kept.copy()


def headline_html(row: Mapping[str, Any], lang: str = "zh") -> SafeHTML:
    """The trajectories headline: the question (e.g. will R&D reach 5.5 % of GDP?) and the answer."""
    unit = str(_row_get(row, "unit") or "")
    question = t(
        "tr.headline_q",
        lang,
        name=_row_get(row, "name") or "",
        year=int(_row_get(row, "target_year") or 0),
        target=fmt_number(_row_get(row, "target"), unit, lang=lang),
    )
    return html_block(
        '<div class="gxq-headline"><b>{q}</b><br/>{light} {a}</div>',
        q=question,
        light=status_light(_row_get(row, "status"), lang),
        a=projection_sentence(row, lang),
    )


def indicator_summary(status: pd.DataFrame, iid: str, lang: str = "zh") -> SafeHTML:
    """The status lines of one indicator (one per target year) for its trajectory section."""
    rows = status[status["indicator_id"] == iid]
    lines = []
    for r in rows.to_dict("records"):
        unit = str(r.get("unit", ""))
        head = t(
            "tr.target_head",
            lang,
            year=int(r["target_year"]),
            target=fmt_number(r["target"], unit, lang=lang),
        )
        lines.append(f"<li>{status_light(r['status'], lang)} {esc(head + projection_sentence(r, lang))}</li>")
    if not lines:
        return SafeHTML("")
    last = rows["source_rows"].iloc[-1] if "source_rows" in rows else None
    trace = "" if is_missing(last) else str(last).replace("; ", t("sep.trace", lang))
    source = f'<p class="gxq-muted">{esc(t("tr.sources", lang))}{esc(trace)}</p>' if trace else ""
    return SafeHTML(f'<ul class="gxq-attention">{"".join(lines)}</ul>{source}')

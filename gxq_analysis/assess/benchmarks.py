"""Benchmarks: the zone next to 全国 / 江苏省, with one set of comparability rules for every page.

The single implementation of the benchmark comparison (issue #13: the trajectories page and the annual
evaluation used to apply different rules). An indicator is compared only when

- it is an intensive measure (:data:`COMPARABLE_KINDS`: shares, ratios, indices): a province's count of
  enterprises is not comparable with a zone's; and
- the benchmark's rows are in the plan's unit (rows without a unit are taken to be in it).

:func:`benchmark_series` gives the annual values per area (the trajectories chart);
:func:`benchmarks` the table of one year (the annual evaluation).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..model.periods import Period
from ..model.plan import Plan
from ..model.series import ObsIndex, annual_values, frame_columns

BENCHMARK_GEOS = ("全国", "江苏省")
COMPARABLE_KINDS = ("share", "ratio", "index")


def comparable(plan: Plan, indicator_id: str, kinds: tuple[str, ...] = COMPARABLE_KINDS) -> bool:
    """Whether the indicator's values compare across areas of different size."""
    return str(plan.indicator(indicator_id).get("kind", "")) in kinds


def _rows_in_plan_unit(obs: pd.DataFrame | ObsIndex, plan: Plan, indicator_id: str, geo: str) -> pd.DataFrame:
    if isinstance(obs, ObsIndex):
        rows = obs.rows(indicator_id, geo)  # its point rows: all annual_values would take of them
    else:
        rows = obs[(obs["indicator_id"] == indicator_id) & (obs["geo"] == geo)]
    if "unit" in rows:
        units = rows["unit"].fillna("").astype(str)
        rows = rows[(units == "") | (units == str(plan.indicator(indicator_id)["unit"]))]
    return rows


def benchmark_series(
    plan: Plan,
    obs: pd.DataFrame | ObsIndex,
    indicator_id: str,
    as_of: Period | str | None = None,
    geos: tuple[str, ...] = BENCHMARK_GEOS,
    kinds: tuple[str, ...] = COMPARABLE_KINDS,
) -> dict[str, pd.DataFrame]:
    """Area → its annual values of a comparable indicator (:func:`series.annual_values` rows, with
    provenance); areas without data are left out, and a non-comparable indicator gives ``{}``. On an
    :class:`ObsIndex` the result is remembered for every cut of it holding the same rows (treat it as
    read-only)."""
    if not comparable(plan, indicator_id, kinds):
        return {}
    if isinstance(obs, ObsIndex):
        # The areas' rows up to as_of decide the series: every cut holding the same rows shares it
        # (the benchmarks are annual, so most periods of `gxq report --all` see the same rows).
        rows = tuple(obs.rows_key(indicator_id, geo, as_of) for geo in geos)
        key = ("benchmark_series", indicator_id, geos, kinds, rows)
        return obs.share(plan, key, lambda: _benchmark_series(plan, obs, indicator_id, as_of, geos))
    return _benchmark_series(plan, obs, indicator_id, as_of, geos)


def _benchmark_series(
    plan: Plan,
    obs: pd.DataFrame | ObsIndex,
    indicator_id: str,
    as_of: Period | str | None,
    geos: tuple[str, ...],
) -> dict[str, pd.DataFrame]:
    out = {}
    for geo in geos:
        rows = _rows_in_plan_unit(obs, plan, indicator_id, geo)
        if rows.empty:
            continue
        vals = annual_values(rows, plan, indicator_id, geo=geo, as_of=as_of)
        if len(vals):
            out[geo] = vals
    return out


def _last_row(obs: pd.DataFrame | ObsIndex, annual: pd.DataFrame, keep: Callable[[int], bool]) -> int | None:
    """The position of the last row of an annual series whose year ``keep`` accepts, or None."""
    years = frame_columns(obs, annual, ("year",))[0]
    kept = [j for j, y in enumerate(years) if keep(y)]
    return kept[-1] if kept else None


def benchmarks(
    plan: Plan,
    obs: pd.DataFrame | ObsIndex,
    year: int,
    lang: str = "zh",
    geos: tuple[str, ...] = BENCHMARK_GEOS,
    kinds: tuple[str, ...] = COMPARABLE_KINDS,
) -> pd.DataFrame:
    """The zone's value in ``year`` next to 全国 / 江苏省 (their value in ``year`` or the latest earlier
    year with a point value), for comparable indicators with any benchmark. ``obs``: the table or an
    :class:`ObsIndex` of it (whose annual series the assessment's other parts share)."""
    rows = []
    for iid, ind in plan.indicators.iterrows():
        series = benchmark_series(plan, obs, str(iid), as_of=str(year), geos=geos, kinds=kinds)
        # each area's last row up to the year (a[a["year"] <= year].iloc[-1]), by position
        last_rows = {g: _last_row(obs, a, lambda y: y <= year) for g, a in series.items()}
        last_rows = {g: j for g, j in last_rows.items() if j is not None}
        if not last_rows:
            continue
        rec = {
            "indicator_id": iid,
            "name": plan.name(iid, lang),
            "unit": ind["unit"],
            "direction": ind["direction"],
        }
        zone = annual_values(obs, plan, iid, as_of=str(year))
        z = _last_row(obs, zone, lambda y: y == year)  # the zone's row of the year itself
        rec["zone"] = float(zone["value"].iat[z]) if z is not None else np.nan
        rec["zone_illustrative"] = bool(zone["illustrative"].iat[z]) if z is not None else False
        for g in geos:
            if g not in last_rows:
                rec[g], rec[f"{g}_year"], rec[f"{g}_source"] = np.nan, pd.NA, ""
                continue
            a, j = series[g], last_rows[g]
            rec[g], rec[f"{g}_year"], rec[f"{g}_source"] = (
                float(a["value"].iat[j]),
                int(a["year"].iat[j]),
                a["source_file"].iat[j],  # the scalar a.iloc[j] holds
            )
        rows.append(rec)
    cols = ["indicator_id", "name", "unit", "direction", "zone", "zone_illustrative"]
    for g in geos:
        cols += [g, f"{g}_year", f"{g}_source"]
    return pd.DataFrame(rows, columns=cols)

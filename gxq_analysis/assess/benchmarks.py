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

import numpy as np
import pandas as pd

from ..model.periods import Period
from ..model.plan import Plan
from ..model.series import ObsIndex, annual_values

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
        series = {g: a[a["year"] <= year] for g, a in series.items()}
        series = {g: a for g, a in series.items() if not a.empty}
        if not series:
            continue
        rec = {
            "indicator_id": iid,
            "name": plan.name(iid, lang),
            "unit": ind["unit"],
            "direction": ind["direction"],
        }
        zone = annual_values(obs, plan, iid, as_of=str(year))
        zone = zone[zone["year"] == year]
        rec["zone"] = float(zone["value"].iloc[-1]) if not zone.empty else np.nan
        rec["zone_illustrative"] = bool(zone["illustrative"].iloc[-1]) if not zone.empty else False
        for g in geos:
            if g not in series:
                rec[g], rec[f"{g}_year"], rec[f"{g}_source"] = np.nan, pd.NA, ""
                continue
            last = series[g].iloc[-1]
            rec[g], rec[f"{g}_year"], rec[f"{g}_source"] = (
                float(last["value"]),
                int(last["year"]),
                last["source_file"],
            )
        rows.append(rec)
    cols = ["indicator_id", "name", "unit", "direction", "zone", "zone_illustrative"]
    for g in geos:
        cols += [g, f"{g}_year", f"{g}_source"]
    return pd.DataFrame(rows, columns=cols)

"""In-year pace: year-to-date completion against the annual target versus the share of the year
elapsed (时间进度, "时间过半、任务过半"), an annual projection from historical seasonal shares, and a
"behind schedule" flag sized by the historical spread (reference note §5.3, §6.4).

For a **flow** (patent applications, tax relief, new talents) the completion rate is
``YTD / annual target``. For a **stock** with a target for the year (high-tech enterprises, R&D
institutions) it is the share of the year's required increase achieved so far:
``(level − start level) / (target − start level)``, the start level being the previous year-end.

Seasonal shares: for each earlier year k with both the value through the same month and the full
year, ``s_k = YTD_k,m / Y_k`` (for stocks: ``(level_k,m − start_k) / (Y_k − start_k)``); their mean
is the **expected completion** by this month (the time elapsed when no earlier year exists).

完成进度 (completion) is descriptive. The year-end forecast (全年预计, with its 80 % interval) and the
**behind-schedule** flag (落后) are not computed here: they are the one forecast of the year from
:func:`outlook.outlook` (an in-year nowcast from the same seasonal shares, on the calibrated damped
trend), and 落后 means that forecast's median falls short of the year's target (P(meet) < 0.5). With
too little data there is no forecast and the flag is empty (None).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..model.observations import filter_as_of
from ..model.periods import Period, parse_period
from ..model.plan import Plan
from ..model.series import ObsIndex, annual_values, any_flag, data_cutoff, frame_columns, ytd_path
from .outlook import PATH_READ, outlook, path_value_through
from .plan_lookup import plan_lookup
from .progress import sign

PACE_COLUMNS = [
    "indicator_id",
    "name",
    "unit",
    "accumulation",
    "year",
    "period",
    "ytd_value",
    "start_level",
    "annual_target",
    "completion_rate",
    "time_elapsed",
    "pace_ratio",
    "expected_completion",
    "projected_annual",
    "projected_lo",
    "projected_hi",
    "p_meet_year",
    "behind_schedule",
    "history_years",
    "method",
    "note",
    "illustrative",
]


def seasonal_ratios(
    plan: Plan, obs: pd.DataFrame | ObsIndex, indicator_id: str, year: int, month: int, geo: str | None = None
) -> pd.DataFrame:
    """For each earlier year with the value through ``month`` and the full-year value: the share of
    the year's amount (flows) or increase (stocks) reached by then. Columns ``year, share, ratio``."""
    out = _seasonal_shares(plan, obs, indicator_id, year, month, geo)
    return pd.DataFrame(out, columns=["year", "share", "ratio"])


def _seasonal_shares(
    plan: Plan, obs: pd.DataFrame | ObsIndex, indicator_id: str, year: int, month: int, geo: str | None
) -> list[dict]:
    """The rows of :func:`seasonal_ratios` (the pace row needs only their count and mean share)."""
    acc = plan_lookup(plan, obs).indicator(indicator_id)["accumulation"]
    annual = annual_values(obs, plan, indicator_id, geo=geo)
    years, values, complete = frame_columns(obs, annual, ("year", "value", "complete"))
    full = {int(y): float(v) for y, v, c in zip(years, values, complete) if c}
    out = []
    for k in sorted(full):
        if k >= year:
            continue
        value = path_value_through(obs, ytd_path(obs, plan, indicator_id, k, geo=geo), month)
        if value is None:
            continue
        through = value
        if acc == "stock":
            start = full.get(k - 1)
            if start is None or full[k] == start:
                continue
            share = (through - start) / (full[k] - start)
        else:
            if full[k] == 0:
                continue
            share = through / full[k]
        if share > 0:
            out.append({"year": k, "share": share, "ratio": 1 / share})
    return out


def assess_pace(
    plan: Plan,
    obs: pd.DataFrame | ObsIndex,
    as_of: Period | str | None = None,
    lang: str = "zh",
    geo: str | None = None,
) -> pd.DataFrame:
    """One row per indicator that has a target for the as-of year and in-year data for it: flows,
    and stocks with an in-year target. Columns ``PACE_COLUMNS``."""
    cut = parse_period(as_of) if as_of is not None else data_cutoff(obs, plan.zone_geo)
    if cut is None:
        return pd.DataFrame(columns=PACE_COLUMNS)
    if isinstance(obs, ObsIndex):
        idx = obs.cut(cut)
    else:
        idx = ObsIndex(filter_as_of(obs, cut) if not obs.empty else obs, cut)
    year = cut.year
    records = []
    facts = plan_lookup(plan, idx)
    for iid, _ind in plan.indicators.iterrows():
        target = facts.target(iid, year)
        if target is None:
            continue
        rec = pace_row(plan, idx, iid, year, target, cut, lang, geo)
        if rec is not None:
            records.append(rec)
    df = pd.DataFrame.from_records(records, columns=PACE_COLUMNS)
    for col in (
        "ytd_value",
        "start_level",
        "annual_target",
        "completion_rate",
        "time_elapsed",
        "pace_ratio",
        "expected_completion",
        "projected_annual",
        "projected_lo",
        "projected_hi",
        "p_meet_year",
    ):
        df[col] = df[col].astype("float64")
    return df


def pace_row(
    plan: Plan,
    obs: pd.DataFrame | ObsIndex,
    iid: str,
    year: int,
    target: float,
    cut: Period,
    lang: str = "zh",
    geo: str | None = None,
) -> dict | None:
    facts = plan_lookup(plan, obs)
    ind = facts.indicator(iid)
    acc = str(ind["accumulation"])
    path = ytd_path(obs, plan, iid, year, geo=geo)
    months, values, periods, flags = frame_columns(obs, path, PATH_READ)
    # the path's month-ends not after the cut, and the last of them
    rows = [i for i, m in enumerate(months) if (year, m) <= (cut.year, cut.end_month)]
    if not rows:
        return None
    month = int(months[rows[-1]])
    value = float(values[rows[-1]])
    last_period = periods[rows[-1]]
    d = sign(str(ind["direction"]))
    notes: list[str] = []
    rec: dict[str, Any] = {
        "indicator_id": iid,
        "name": facts.name(iid, lang),
        "unit": str(ind["unit"]),
        "accumulation": acc,
        "year": year,
        "period": str(last_period),
        "ytd_value": value,
        "start_level": math.nan,
        "annual_target": target,
        "time_elapsed": month / 12.0,
        "illustrative": any_flag(flags[i] for i in rows),
    }
    if acc == "stock":
        annual = annual_values(obs, plan, iid, geo=geo)
        years, levels, complete = frame_columns(obs, annual, ("year", "value", "complete"))
        # the last complete value of the year before
        prev = [v for y, v, c in zip(years, levels, complete) if y == year - 1 and bool(c)]
        start = float(prev[-1]) if prev else None
        if start is None:
            notes.append(
                f"no {year - 1} year-end level: completion of the year's increase cannot be measured"
            )
            rec.update(
                completion_rate=math.nan,
                pace_ratio=math.nan,
                expected_completion=math.nan,
                projected_annual=math.nan,
                projected_lo=math.nan,
                projected_hi=math.nan,
                p_meet_year=math.nan,
                behind_schedule=False,
                history_years=0,
                method="no_start_level",
                note="; ".join(notes),
            )
            return rec
        rec["start_level"] = start
        need = target - start
        if d * need <= 0:
            notes.append("target already reached at the start of the year")
            rec.update(
                completion_rate=math.nan,
                pace_ratio=math.nan,
                expected_completion=math.nan,
                projected_annual=math.nan,
                projected_lo=math.nan,
                projected_hi=math.nan,
                p_meet_year=math.nan,
                history_years=0,
                method="target_reached_at_start",
                behind_schedule=bool(d * (value - target) < 0),
                note="; ".join(notes),
            )
            return rec
        done = value - start
        completion = done / need
    else:
        start = 0.0
        if target == 0:
            notes.append("annual target is zero")
            completion = math.nan
        else:
            completion = value / target
        done = value
    rec["completion_rate"] = completion
    rec["pace_ratio"] = completion / rec["time_elapsed"] if math.isfinite(completion) else math.nan

    shares = [r["share"] for r in _seasonal_shares(plan, obs, iid, year, month, geo)]
    K = len(shares)
    rec["history_years"] = K
    if month == 12:
        expected = 1.0
    elif K:
        # The mean as pandas takes it (numpy's sum, then / n), to the last bit.
        expected = float(np.array(shares, dtype="float64").sum() / K)
    else:
        expected = rec["time_elapsed"]
    # The year-end forecast and the behind-schedule flag come from the one forecast of the year
    # (outlook): 落后 ⇔ the median year-end value falls short ⇔ P(meet) < 0.5.
    fc = outlook(plan, obs, iid, year, cut, geo=geo)
    rec.update(
        expected_completion=expected,
        projected_annual=fc.projected_value,
        projected_lo=fc.lo80,
        projected_hi=fc.hi80,
        p_meet_year=fc.p_meet,
        method=fc.method,
    )
    if fc.reason:
        notes.append(fc.reason)
    behind = (fc.p_meet < 0.5) if math.isfinite(fc.p_meet) else None
    rec["behind_schedule"] = behind
    if behind and month < 12:
        notes.append(f"completion {completion:.0%} against {expected:.0%} expected by {last_period}")
    rec["note"] = "; ".join(notes)
    return rec

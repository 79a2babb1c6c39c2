"""In-year pace: year-to-date completion against the annual target versus the share of the year
elapsed (时间进度, "时间过半、任务过半"), an annual projection from historical seasonal shares, and a
"behind schedule" flag sized by the historical spread (reference note §5.3, §6.4).

For a **flow** (patent applications, tax relief, new talents) the completion rate is
``YTD / annual target``. For a **stock** with a target for the year (high-tech enterprises, R&D
institutions) it is the share of the year's required increase achieved so far:
``(level − start level) / (target − start level)``, the start level being the previous year-end.

Seasonal shares: for each earlier year k with both the value through the same month and the full
year, ``s_k = YTD_k,m / Y_k`` (for stocks: ``(level_k,m − start_k) / (Y_k − start_k)``).
The annual projection is ``YTD_m · mean_k(1/s_k)`` (the mean historical ratio of annual to YTD),
with an 80 % interval from the spread of those ratios, ``r̄ ± t_{K−1,0.9}·sd(r)·√(1 + 1/K)``,
when K ≥ 2 earlier years exist. With one earlier year its ratio is used without an interval; with
none, the straight annualisation ``YTD / (m/12)``.

Behind schedule: with K ≥ 2, when the upper end of the 80 % interval of the projection is short of
the target (the year-to-date is clearly below what the seasonal pattern needs); otherwise when the
completion rate trails the expected completion (the historical share, or the time elapsed) by more
than ``FIXED_TOLERANCE`` (10 percentage points).
"""

from __future__ import annotations

import math

import pandas as pd
from scipy import stats

from .observations import filter_as_of
from .periods import Period, parse_period
from .plan import Plan
from .progress import sign
from .series import annual_values, data_cutoff, ytd_path

PACE_COLUMNS = [
    "indicator_id", "name", "unit", "accumulation", "year", "period", "ytd_value", "start_level",
    "annual_target", "completion_rate", "time_elapsed", "pace_ratio", "expected_completion",
    "projected_annual", "projected_lo", "projected_hi", "p_meet_year", "behind_schedule",
    "history_years", "method", "note", "illustrative",
]
FIXED_TOLERANCE = 0.10
SHARE_SD_FLOOR = 0.01


def _value_through(path: pd.DataFrame, month: int) -> float | None:
    hit = path[path["end_month"] == month]
    return None if hit.empty else float(hit["value"].iat[-1])


def seasonal_ratios(plan: Plan, obs: pd.DataFrame, indicator_id: str, year: int, month: int,
                    geo: str | None = None) -> pd.DataFrame:
    """For each earlier year with the value through ``month`` and the full-year value: the share of
    the year's amount (flows) or increase (stocks) reached by then. Columns ``year, share, ratio``."""
    acc = plan.indicator(indicator_id)["accumulation"]
    annual = annual_values(obs, plan, indicator_id, geo=geo)
    full = {int(y): float(v) for y, v, c in zip(annual["year"], annual["value"], annual["complete"]) if c}
    out = []
    for k in sorted(full):
        if k >= year:
            continue
        through = _value_through(ytd_path(obs, plan, indicator_id, k, geo=geo), month)
        if through is None:
            continue
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
    return pd.DataFrame(out, columns=["year", "share", "ratio"])


def assess_pace(plan: Plan, obs: pd.DataFrame, as_of: Period | str | None = None, lang: str = "zh",
                geo: str | None = None) -> pd.DataFrame:
    """One row per indicator that has a target for the as-of year and in-year data for it: flows,
    and stocks with an in-year target. Columns ``PACE_COLUMNS``."""
    cut = parse_period(as_of) if as_of is not None else data_cutoff(obs, plan.zone_geo)
    if cut is None:
        return pd.DataFrame(columns=PACE_COLUMNS)
    obs = filter_as_of(obs, cut) if not obs.empty else obs
    year = cut.year
    records = []
    for iid, ind in plan.indicators.iterrows():
        target = plan.target(iid, year)
        if target is None:
            continue
        rec = pace_row(plan, obs, iid, year, target, cut, lang, geo)
        if rec is not None:
            records.append(rec)
    df = pd.DataFrame.from_records(records, columns=PACE_COLUMNS)
    for col in ("ytd_value", "start_level", "annual_target", "completion_rate", "time_elapsed", "pace_ratio",
                "expected_completion", "projected_annual", "projected_lo", "projected_hi", "p_meet_year"):
        df[col] = df[col].astype("float64")
    return df


def pace_row(plan: Plan, obs: pd.DataFrame, iid: str, year: int, target: float, cut: Period,
             lang: str = "zh", geo: str | None = None) -> dict | None:
    ind = plan.indicator(iid)
    acc = str(ind["accumulation"])
    path = ytd_path(obs, plan, iid, year, geo=geo)
    path = path[[(year, m) <= (cut.year, cut.end_month) for m in path["end_month"]]] if not path.empty else path
    if path.empty:
        return None
    last = path.iloc[-1]
    month = int(last["end_month"])
    value = float(last["value"])
    d = sign(str(ind["direction"]))
    notes: list[str] = []
    rec = {"indicator_id": iid, "name": plan.name(iid, lang), "unit": str(ind["unit"]), "accumulation": acc,
           "year": year, "period": str(last["period"]), "ytd_value": value, "start_level": math.nan,
           "annual_target": target, "time_elapsed": month / 12.0,
           "illustrative": bool(pd.Series(path["illustrative"]).fillna(False).astype(bool).any())}
    if acc == "stock":
        prev = annual_values(obs, plan, iid, geo=geo)
        prev = prev[(prev["year"] == year - 1) & prev["complete"].astype(bool)]
        if prev.empty:
            start = None
        else:
            start = float(prev["value"].iat[-1])
        if start is None:
            notes.append(f"no {year - 1} year-end level: completion of the year's increase cannot be measured")
            rec.update(completion_rate=math.nan, pace_ratio=math.nan, expected_completion=math.nan,
                       projected_annual=math.nan, projected_lo=math.nan, projected_hi=math.nan,
                       p_meet_year=math.nan, behind_schedule=False, history_years=0, method="no_start_level",
                       note="; ".join(notes))
            return rec
        rec["start_level"] = start
        need = target - start
        if d * need <= 0:
            notes.append("target already reached at the start of the year")
            rec.update(completion_rate=math.nan, pace_ratio=math.nan, expected_completion=math.nan,
                       projected_annual=math.nan, projected_lo=math.nan, projected_hi=math.nan,
                       p_meet_year=math.nan, history_years=0, method="target_reached_at_start",
                       behind_schedule=bool(d * (value - target) < 0), note="; ".join(notes))
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

    hist = seasonal_ratios(plan, obs, iid, year, month, geo)
    K = len(hist)
    rec["history_years"] = K
    lo = hi = p_year = math.nan
    if month == 12:
        proj = value
        expected = 1.0
        method = "year_complete"
        lo = hi = value
        p_year = 1.0 if d * (value - target) >= 0 else 0.0
    elif K >= 2:
        r = hist["ratio"].to_numpy(float)
        rbar = float(r.mean())
        sd = max(float(r.std(ddof=1)), SHARE_SD_FLOOR * rbar)
        q = stats.t.ppf(0.9, K - 1)
        half = q * sd * math.sqrt(1 + 1 / K)
        proj = start + done * rbar
        lo, hi = sorted((start + done * (rbar - half), start + done * (rbar + half)))
        expected = 1 / rbar
        tstat = ((target - start) / done - rbar) / (sd * math.sqrt(1 + 1 / K)) if done != 0 else math.inf
        # P(annual ≥ target) = P(ratio ≥ (target − start)/done) for done > 0 (higher is better).
        if done > 0:
            p_year = float(stats.t.sf(tstat, K - 1)) if d > 0 else float(stats.t.cdf(tstat, K - 1))
        method = f"seasonal_shares(K={K})"
    elif K == 1:
        rbar = float(hist["ratio"].iat[0])
        proj = start + done * rbar
        expected = 1 / rbar
        method = "seasonal_share(K=1)"
        notes.append("one earlier year: projection without an interval")
    else:
        expected = rec["time_elapsed"]
        proj = start + done / rec["time_elapsed"]
        method = "linear_annualisation"
        notes.append("no earlier year with the same month: straight-line annualisation")
    rec.update(expected_completion=expected, projected_annual=proj, projected_lo=lo, projected_hi=hi,
               p_meet_year=p_year, method=method)
    if month == 12:
        behind = d * (value - target) < 0
    elif K >= 2:
        behind = d * (hi - target) < 0 if d > 0 else d * (lo - target) < 0
    else:
        behind = math.isfinite(completion) and completion < expected - FIXED_TOLERANCE
    rec["behind_schedule"] = bool(behind)
    if behind and month < 12:
        notes.append(f"completion {completion:.0%} against {expected:.0%} expected by {last['period']}")
    rec["note"] = "; ".join(notes)
    return rec

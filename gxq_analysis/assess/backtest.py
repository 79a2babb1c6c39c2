"""Backtesting: re-run the assessment as of each past period and compare with what happened.

A *case* is one (indicator, target year) assessed as of a period before the target year closed,
whose outcome (the target year's own value: year-end level or complete-year flow) is known in the
full data. Two forecasts of "the target will be met" are scored on the same cases:

- the **deterministic rule** alone (the status table's neutral ``rule_status`` column, the Open SDG
  growth-ratio rule): met ⇔ it is ``target_achieved`` or ``on_track`` (as a
  probability: 1 or 0);
- the **method**: ``p_meet`` from the trend model (met ⇔ p_meet ≥ 0.5 for the hit rate).

Scores: hit rate (share of correct yes/no calls) and Brier score (mean squared difference between
the forecast probability and the 0/1 outcome; lower is better; a 0/1 forecast's Brier score equals
its error rate). Cases where the method gives no p_meet are counted and scored for the rule only;
the head-to-head comparison uses the cases both can score.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd

from ..model.observations import filter_as_of
from ..model.periods import Period, parse_period
from ..model.plan import Plan
from ..model.series import annual_values, data_cutoff
from .progress import Thresholds, at_or_beyond
from .status import assess_plan

CASE_COLUMNS = [
    "as_of",
    "indicator_id",
    "target_year",
    "horizon_years",
    "target",
    "status",
    "p_meet",
    "rule_prob",
    "outcome_value",
    "met",
    "method",
]
RULE_MET = ("target_achieved", "on_track")


def default_as_of_periods(obs: pd.DataFrame, plan: Plan) -> list[Period]:
    """Every quarter end from the first quarter with zone data to the quarter before the cut-off."""
    zone = obs[obs["geo"] == plan.zone_geo] if "geo" in obs else obs
    if zone.empty:
        return []
    cutoff = data_cutoff(zone)
    if cutoff is None:  # rows without a point value (ranges, bounds) give no cut-off
        return []
    first = min(zone["period_obj"]).to_quarter()
    last = cutoff.to_quarter()
    out, p = [], first
    while p < last:
        out.append(p)
        nxt = Period.quarter(p.year + (p.number == 4), p.number % 4 + 1)
        p = nxt
    return out


def outcomes(plan: Plan, obs: pd.DataFrame, thresholds: Thresholds | dict | None = None) -> pd.DataFrame:
    """The observed value of every (indicator, target year) whose target year's value is known."""
    th = Thresholds.coerce(thresholds)
    recs = []
    for iid, g in plan.targets.groupby("indicator_id"):
        ind = plan.indicator(iid)
        a = annual_values(obs, plan, iid)
        a = a[a["complete"].astype(bool)]
        vals = dict(zip(a["year"].astype(int), a["value"].astype(float)))
        for T, target in zip(g["year"].astype(int), g["target"].astype(float)):
            if T in vals:
                met = at_or_beyond(
                    vals[T],
                    target,
                    str(ind["direction"]),
                    str(ind["kind"]),
                    plan.bounds(iid),
                    th.bound_tolerance,
                )
                recs.append(
                    {"indicator_id": iid, "target_year": T, "outcome_value": vals[T], "met": bool(met)}
                )
    return pd.DataFrame(recs, columns=["indicator_id", "target_year", "outcome_value", "met"])


def brier(p, y) -> float:
    p = np.asarray(p, dtype=float)
    y = np.asarray(y, dtype=float)
    return float(np.mean((p - y) ** 2)) if p.size else math.nan


def hit_rate(p, y) -> float:
    p = np.asarray(p, dtype=float)
    y = np.asarray(y, dtype=bool)
    return float(np.mean((p >= 0.5) == y)) if p.size else math.nan


def run_backtest(
    plan: Plan,
    obs: pd.DataFrame,
    as_of_periods=None,
    thresholds: Thresholds | dict | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Return (per-case DataFrame ``CASE_COLUMNS``, summary dict).

    ``as_of_periods`` defaults to :func:`default_as_of_periods`. Outcomes come from the full ``obs``;
    each assessment sees only data up to its as-of period.
    """
    th = Thresholds.coerce(thresholds)
    periods = [
        parse_period(p)
        for p in (as_of_periods if as_of_periods is not None else default_as_of_periods(obs, plan))
    ]
    truth = outcomes(plan, obs, th).set_index(["indicator_id", "target_year"])
    cases = []
    for p in periods:
        df = assess_plan(plan, filter_as_of(obs, p), as_of=p, thresholds=th)
        for r in df.itertuples(index=False):
            closed = (p.year, p.end_month) >= (r.target_year, 12)
            key = (r.indicator_id, int(r.target_year))
            if closed or key not in truth.index:
                continue
            o = truth.loc[key]
            cases.append(
                {
                    "as_of": str(p),
                    "indicator_id": r.indicator_id,
                    "target_year": int(r.target_year),
                    "horizon_years": round(r.target_year - (p.year - 1 + p.end_month / 12), 2),
                    "target": r.target,
                    "status": r.status,
                    "p_meet": r.p_meet,
                    "rule_prob": (
                        math.nan
                        if r.rule_status in ("", "insufficient_data")
                        else float(r.rule_status in RULE_MET)
                    ),
                    "outcome_value": float(o["outcome_value"]),
                    "met": bool(o["met"]),
                    "method": r.method,
                }
            )
    per_case = pd.DataFrame(cases, columns=CASE_COLUMNS)
    return per_case, summarise(per_case)


def summarise(per_case: pd.DataFrame) -> dict:
    """Hit rates and Brier scores of the rule and the method, overall and on the common cases."""
    y = per_case["met"].astype(float)
    has_rule = per_case["rule_prob"].notna()
    has_p = per_case["p_meet"].notna()
    both = has_rule & has_p
    out: dict[str, Any] = {
        "n_cases": len(per_case),
        "n_met": int(per_case["met"].sum()),
        "n_rule": int(has_rule.sum()),
        "n_method": int(has_p.sum()),
        "n_both": int(both.sum()),
        "rule_hit_rate": hit_rate(per_case.loc[has_rule, "rule_prob"], y[has_rule]),
        "rule_brier": brier(per_case.loc[has_rule, "rule_prob"], y[has_rule]),
        "method_hit_rate": hit_rate(per_case.loc[has_p, "p_meet"], y[has_p]),
        "method_brier": brier(per_case.loc[has_p, "p_meet"], y[has_p]),
        "both_rule_hit_rate": hit_rate(per_case.loc[both, "rule_prob"], y[both]),
        "both_rule_brier": brier(per_case.loc[both, "rule_prob"], y[both]),
        "both_method_hit_rate": hit_rate(per_case.loc[both, "p_meet"], y[both]),
        "both_method_brier": brier(per_case.loc[both, "p_meet"], y[both]),
        "base_rate": float(y.mean()) if len(y) else math.nan,
    }
    # Reliability: observed frequency of "met" by p_meet band.
    bands = [0, 0.1, 0.33, 0.66, 0.9, 1.0001]
    cal = []
    pm = per_case.loc[has_p]
    for lo, hi in itertools.pairwise(bands):
        sel = pm[(pm["p_meet"] >= lo) & (pm["p_meet"] < hi)]
        if len(sel):
            cal.append(
                {
                    "band": f"[{lo:g}, {min(hi, 1):g}{']' if hi > 1 else ')'}",
                    "n": len(sel),
                    "mean_p": float(sel["p_meet"].mean()),
                    "observed": float(sel["met"].mean()),
                }
            )
    out["calibration"] = cal
    return out

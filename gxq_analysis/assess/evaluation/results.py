"""The year's results against every target, and the in-year pace history month by month.

Conventions shared with :mod:`..status`: ``gap = d × (value − target)`` with ``d = +1`` for ``higher``
and ``−1`` for ``lower`` indicators, so a positive gap is always "beyond the target".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...i18n import check_lang, status_label
from ...model.observations import filter_as_of
from ...model.periods import Period, parse_period
from ...model.plan import Plan
from ...model.series import ObsIndex, annual_values, ytd_path
from ..pace import pace_row

RESULT_COLUMNS = [
    "indicator_id",
    "no",
    "name",
    "unit",
    "direction",
    "year",
    "target",
    "value",
    "status",
    "status_label",
    "met",
    "gap",
    "completion",
    "period",
    "method",
    "source_file",
    "source_row",
    "illustrative",
]


def year_results(
    plan: Plan, obs: pd.DataFrame | ObsIndex, year: int, lang: str = "zh", geo: str | None = None
) -> pd.DataFrame:
    """One row per indicator with a target in ``year``: the target, the year's complete annual value,
    met / missed (direction-aware), ``gap = d × (value − target)`` (positive = beyond the target) and
    ``completion`` (value / target; target / value for ``lower``). No value → ``insufficient_data``."""
    check_lang(lang)
    rows = []
    tg = plan.targets[plan.targets["year"] == year]
    for iid in [i for i in plan.indicators.index if i in set(tg["indicator_id"])]:
        ind = plan.indicators.loc[iid]
        target = plan.target(iid, year)
        if target is None:  # not reached: iid has a target in year
            continue
        a = annual_values(obs, plan, iid, geo=geo, as_of=str(year))
        a = a[a["year"] == year]
        d = 1 if ind["direction"] == "higher" else -1
        rec = {
            "indicator_id": iid,
            "no": ind["no"],
            "name": plan.name(iid, lang),
            "unit": ind["unit"],
            "direction": ind["direction"],
            "year": year,
            "target": target,
            "value": np.nan,
            "status": "insufficient_data",
            "met": pd.NA,
            "gap": np.nan,
            "completion": np.nan,
            "period": "",
            "method": "",
            "source_file": "",
            "source_row": pd.NA,
            "illustrative": False,
        }
        if not a.empty:
            r = a.iloc[-1]
            v = float(r["value"])
            met = d * (v - target) >= 0
            comp = (v / target if target else np.nan) if d == 1 else (target / v if v else np.nan)
            rec.update(
                value=v,
                met=bool(met),
                status="target_achieved" if met else "target_missed",
                gap=d * (v - target),
                completion=comp,
                period=r["period"],
                method=r["method"],
                source_file=r["source_file"],
                source_row=r["source_row"],
                illustrative=bool(r["illustrative"]) if pd.notna(r["illustrative"]) else False,
            )
        rec["status_label"] = status_label(rec["status"], lang)
        rows.append(rec)
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


# --------------------------------------------------------------------------------------------------
# In-year pace history
# --------------------------------------------------------------------------------------------------

PACE_COLUMNS = [
    "indicator_id",
    "name",
    "unit",
    "accumulation",
    "end_month",
    "period",
    "value",
    "baseline",
    "target",
    "completion",
    "time_elapsed",
    "behind",
    "illustrative",
    "note",
]


def pace_history(
    plan: Plan, obs: pd.DataFrame | ObsIndex, year: int, lang: str = "zh", geo: str | None = None
) -> pd.DataFrame:
    """The in-year path of every indicator with a target in ``year`` and in-year data, month by month:
    :func:`pace.pace_row` as of each month-end reported, so the annual report and the quarterly brief
    measure completion and "behind schedule" the same way (see :mod:`pace`). ``completion`` is NaN
    where it cannot be measured (no previous year-end for a stock, or the target already reached at
    the start of the year); ``note`` says why."""
    # One index of the year's data for every month's pace row (each row's outlook reads it all).
    if isinstance(obs, ObsIndex):
        obs = obs.cut(str(year))
    else:
        obs = ObsIndex(filter_as_of(obs, str(year)) if not obs.empty else obs, parse_period(str(year)))
    rows = []
    tg = plan.targets[plan.targets["year"] == year]
    for iid in [i for i in plan.indicators.index if i in set(tg["indicator_id"])]:
        target = plan.target(iid, year)
        if target is None:  # not reached: iid has a target in year
            continue
        path = ytd_path(obs, plan, iid, year, geo=geo)
        for month in path["end_month"]:
            # as known at that month's end: the table cut there, so the outlook behind "behind
            # schedule" sees no later figure (the quarterly brief's pace as of that quarter)
            as_of = Period.month(year, int(month))
            rec = pace_row(plan, obs.cut(as_of), iid, year, target, as_of, lang, geo)
            if rec is None:
                continue
            behind = rec.get("behind_schedule")
            rows.append(
                {
                    "indicator_id": iid,
                    "name": rec["name"],
                    "unit": rec["unit"],
                    "accumulation": rec["accumulation"],
                    "end_month": int(month),
                    "period": rec["period"],
                    "value": rec["ytd_value"],
                    "baseline": rec["start_level"],
                    "target": target,
                    "completion": rec["completion_rate"],
                    "time_elapsed": rec["time_elapsed"],
                    "behind": pd.NA if behind is None else bool(behind),
                    "illustrative": rec["illustrative"],
                    "note": rec.get("note", ""),
                }
            )
    return pd.DataFrame(rows, columns=PACE_COLUMNS)


def pace_summary(pace: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: completion at the end of each quarter (months 3, 6, 9, 12) as columns Q1..Q4,
    and how many of those quarter-ends were behind the time elapsed."""
    if pace.empty:
        return pd.DataFrame(columns=["indicator_id", "name", "Q1", "Q2", "Q3", "Q4", "quarters_behind"])
    q = pace[pace["end_month"].isin([3, 6, 9, 12])].copy()
    q["q"] = "Q" + (q["end_month"] // 3).astype(str)
    wide = q.pivot_table(index=["indicator_id", "name"], columns="q", values="completion", aggfunc="last")
    wide = wide.reindex(columns=["Q1", "Q2", "Q3", "Q4"])
    behind = q.groupby("indicator_id")["behind"].apply(lambda s: int(s.fillna(False).astype(bool).sum()))
    out = wide.reset_index()
    out["quarters_behind"] = out["indicator_id"].map(behind).fillna(0).astype(int)
    order = {iid: k for k, iid in enumerate(pace["indicator_id"].drop_duplicates())}
    return out.sort_values("indicator_id", key=lambda s: s.map(order)).reset_index(drop=True)

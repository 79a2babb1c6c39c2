"""The outlook of one (indicator, target year) as of a period: the plan-aware side of :mod:`forecast`.

Everything a page says about whether a target will be met comes from :func:`outlook`: the status
table (:mod:`status`), the in-year pace table's 全年预计 and 落后 flag (:mod:`pace`), the trajectory
charts (:mod:`trajectory`). So no two numbers on a page can disagree.

Points used: the complete annual values (year-end levels of stocks, complete-year flows) up to the
as-of period, plus the current year's in-year nowcast when there is one; at least
``Calibration.min_points`` of them (the panel calibration starts at two); fewer gives
``insufficient_data`` with no probability. Within a year the latest information moves the starting
level:

- an **in-year nowcast** of the current year when earlier years have both the value through the same
  month and the year-end value (:func:`year_end_ratios`): the year-end estimate is
  ``value × mean_k(year-end_k / value_k through the month)``;
- otherwise, for a stock, the latest level itself, as a point at its own time;
- otherwise (a flow with no earlier year to scale its year-to-date total) the last year-end, with a note.

The interval is sized by the time from the latest information to the target year's end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..model.periods import Period, parse_period
from ..model.plan import Plan
from ..model.series import ObsIndex, annual_values, frame_columns, ytd_path
from .forecast import Bands, Calibration, Predictive, choose_scale, load_calibration, predict, verdict
from .plan_lookup import plan_lookup
from .progress import sign, target_on_bound

PATH_COLUMNS = ["year", "time", "median", "lo80", "hi80", "observed"]
POINT_COLUMNS = [
    "year",
    "time",
    "value",
    "period",
    "complete",
    "source_file",
    "source_sheet",
    "source_row",
    "illustrative",
]


# Empty frames to copy (a shallow copy costs a tenth of building one; copy-on-write keeps them apart).
_EMPTY_POINTS = pd.DataFrame(columns=POINT_COLUMNS)
_EMPTY_PATH = pd.DataFrame(columns=PATH_COLUMNS)


@dataclass
class Outlook:
    indicator_id: str
    target_year: int
    target: float | None
    direction: str
    kind: str
    scale: str = ""
    status: str = "insufficient_data"  # "ok" | "observed" | "insufficient_data"
    p_meet: float = math.nan
    projected_value: float = math.nan
    lo80: float = math.nan
    hi80: float = math.nan
    verdict: str = "insufficient_data"
    slope_towards: float = 0.0
    already_met: bool = False
    method: str = ""
    reason: str = ""
    n_points: int = 0
    points: pd.DataFrame = field(default_factory=lambda: _EMPTY_POINTS.copy(deep=False))
    anchor: dict = field(default_factory=dict)
    path: pd.DataFrame = field(default_factory=lambda: _EMPTY_PATH.copy(deep=False))
    predictive: Predictive | None = None


def year_end_ratios(
    plan: Plan,
    obs: pd.DataFrame | ObsIndex,
    indicator_id: str,
    year: int,
    month: int,
    annual: pd.DataFrame,
    geo: str | None = None,
) -> pd.DataFrame:
    """For each earlier year with a value through ``month`` and its year-end value: the ratio
    year-end / value-through-month (a flow's full-year total over its year-to-date total; a stock's
    year-end level over its level at that month, which carries both the trend and the season, e.g.
    certifications landing in Q4). Columns ``year, ratio``."""
    out = _year_end_ratios(plan, obs, indicator_id, year, month, annual, geo)
    return pd.DataFrame([{"year": k, "ratio": r} for k, r in out], columns=["year", "ratio"])


def _year_end_ratios(
    plan: Plan,
    obs: pd.DataFrame | ObsIndex,
    indicator_id: str,
    year: int,
    month: int,
    annual: pd.DataFrame,
    geo: str | None,
) -> list[tuple[int, float]]:
    years, values, complete = frame_columns(obs, annual, ("year", "value", "complete"))
    full = {int(y): float(v) for y, v, c in zip(years, values, complete) if c}
    out = []
    for k in sorted(full):
        if k >= year or full[k] <= 0:
            continue
        through = path_value_through(obs, ytd_path(obs, plan, indicator_id, k, geo=geo), month)
        if through is None or through <= 0:
            continue
        out.append((k, full[k] / through))
    return out


def value_through(path: pd.DataFrame, month: int) -> float | None:
    """The value of an in-year path (:func:`series.ytd_path`) through ``month`` (the last row for
    that month), or None."""
    rows = [j for j, m in enumerate(path["end_month"].tolist()) if m == month]
    return float(path["value"].iat[rows[-1]]) if rows else None


PATH_READ = ("end_month", "value", "period", "illustrative")  # the in-year path's columns read


def path_value_through(obs: pd.DataFrame | ObsIndex, path: pd.DataFrame, month: int) -> float | None:
    """:func:`value_through` reading the path's columns once per path an index keeps (the outlooks
    and pace rows of many cuts ask the same closed years' paths)."""
    months, values = frame_columns(obs, path, PATH_READ)[:2]
    rows = [j for j, m in enumerate(months) if m == month]
    return float(values[rows[-1]]) if rows else None


def in_year_anchor(
    plan: Plan,
    obs: pd.DataFrame | ObsIndex,
    iid: str,
    year: int,
    cut: Period,
    annual: pd.DataFrame,
    geo: str | None = None,
) -> dict:
    """The starting level from the latest in-year information of ``year`` (see the module docstring).
    Returns ``{}`` when there is none, else ``kind`` (nowcast | level | none), ``time``, ``value``,
    ``info_time``, ``period``, ``note``."""
    facts = plan_lookup(plan, obs)
    acc = str(facts.indicator(iid)["accumulation"])
    path = ytd_path(obs, plan, iid, year, geo=geo)
    if path.empty:
        return {}
    months, values, periods = frame_columns(obs, path, PATH_READ)[:3]
    # The last month-end before December and not after the cut.
    usable = [j for j, m in enumerate(months) if (year, int(m)) <= (cut.year, cut.end_month) and m < 12]
    if not usable:
        return {}
    j = usable[-1]
    month, value = int(months[j]), float(values[j])
    info_time = year - 1 + month / 12.0
    base = {
        "info_time": info_time,
        "period": str(periods[j]),
        "ytd_value": value,
        "month": month,
        # the scalars path.iloc[j] holds (numpy's for numpy columns), as the history frame gets them
        **{c: path[c].iat[j] if c in path else None for c in ("source_file", "source_sheet", "source_row")},
    }
    ratios = [r for _, r in _year_end_ratios(plan, obs, iid, year, month, annual, geo)]
    if ratios:
        # The mean as pandas takes it (numpy's sum, then / n), to the last bit.
        rbar = float(np.array(ratios, dtype="float64").sum() / len(ratios))
        est = value * rbar
        if (
            est > 0
            or choose_scale(str(facts.indicator(iid)["kind"]), [est], None, facts.bounds(iid)) != "log"
        ):
            return {
                **base,
                "kind": "nowcast",
                "time": float(year),
                "value": est,
                "ratio_years": len(ratios),
                "note": f"in-year nowcast from {base['period']} and {len(ratios)} earlier year(s)",
            }
    if acc == "stock":
        return {
            **base,
            "kind": "level",
            "time": info_time,
            "value": value,
            "note": f"latest level {base['period']}",
        }
    return {
        **base,
        "kind": "none",
        "note": f"year-to-date {base['period']} not used: no earlier year with the same month to scale it",
    }


def outlook(
    plan: Plan,
    obs: pd.DataFrame | ObsIndex,
    iid: str,
    target_year: int,
    cut: Period | str,
    geo: str | None = None,
    cal: Calibration | None = None,
    bands: Bands | dict | None = None,
    annual: pd.DataFrame | None = None,
) -> Outlook:
    """The forecast of ``iid`` for the end of ``target_year`` from data up to ``cut`` (``obs`` must
    already be cut at ``cut``; pass ``annual`` to reuse :func:`series.annual_values`).

    With an :class:`series.ObsIndex` (and the shipped calibration and the plan's bands) the outlook
    is remembered on the index: the status table, the pace table and the trajectories of one
    period (and other cuts of the table with the same rows) then share one object per (indicator,
    target year) (treat it as read-only)."""
    cut = parse_period(cut)
    if isinstance(obs, ObsIndex) and cal is None and bands is None and annual is None:
        # The outlook reads the indicator's rows in the cut and, of the cut, its year and month
        # only: every cut with the same rows at the same month-end (the quarter 2019Q2 and the month
        # 2019-06 of an annual pace history) shares it.
        rows = obs.rows_key(iid, plan.zone_geo if geo is None else geo)
        key = ("outlook", iid, int(target_year), geo, cut.year, cut.end_month, rows)
        return obs.share(plan, key, lambda: _outlook(plan, obs, iid, target_year, cut, geo, None, None, None))
    return _outlook(plan, obs, iid, target_year, cut, geo, cal, bands, annual)


def _outlook(
    plan: Plan,
    obs: pd.DataFrame | ObsIndex,
    iid: str,
    target_year: int,
    cut: Period,
    geo: str | None,
    cal: Calibration | None,
    bands: Bands | dict | None,
    annual: pd.DataFrame | None,
) -> Outlook:
    cal = cal or load_calibration()
    bands = Bands.coerce(bands if bands is not None else plan.meta.get("status_bands"))
    facts = plan_lookup(plan, obs)
    ind = facts.indicator(iid)
    kind, direction = str(ind["kind"]), str(ind["direction"])
    bounds = facts.bounds(iid)
    target = facts.target(iid, int(target_year))
    d = sign(direction)
    # the root's memo holds the annual values read here (and so keeps their id for the key)
    memo = obs.root.memo if annual is None and isinstance(obs, ObsIndex) else None
    if annual is None:
        annual = annual_values(obs, plan, iid, geo=geo, include_partial=True)
    pts = _complete_points(annual, int(target_year), memo)
    res = Outlook(
        indicator_id=iid,
        target_year=int(target_year),
        target=target,
        direction=direction,
        kind=kind,
        points=pts.frame,
    )
    res.n_points = len(pts.years)
    # The target year's own value is known: the outcome is observed.
    if target is not None and int(target_year) in pts.years:
        v = float(pts.value[len(pts.years) - 1 - pts.years[::-1].index(int(target_year))])
        met = _meets(v, target, direction, kind, bounds)
        res.status, res.method, res.reason = "observed", "observed", "the target year's value is observed"
        res.p_meet, res.projected_value, res.lo80, res.hi80 = (1.0 if met else 0.0), v, v, v
        res.verdict = "target_achieved" if met else "target_missed"
        res.path = pd.DataFrame(
            [
                {
                    "year": target_year,
                    "time": float(target_year),
                    "median": v,
                    "lo80": v,
                    "hi80": v,
                    "observed": True,
                }
            ],
            columns=PATH_COLUMNS,
        )
        return res
    anchor = in_year_anchor(plan, obs, iid, int(cut.year), cut, annual, geo) if cut.end_month < 12 else {}
    res.anchor = anchor
    # A flow's year-to-date total already beyond the year's target: met, whatever comes.
    if (
        target is not None
        and anchor
        and str(ind["accumulation"]) == "flow"
        and d > 0
        and int(target_year) == cut.year
        and anchor["ytd_value"] >= target
    ):
        v = anchor["ytd_value"]
        res.status, res.method, res.reason = (
            "observed",
            "ytd_beyond_target",
            "year-to-date total already at the target",
        )
        res.p_meet, res.projected_value, res.lo80, res.hi80 = 1.0, v, v, v
        res.verdict, res.already_met = "target_achieved", True
        return res
    t, y = pts.time, pts.value
    info_time = None
    if anchor.get("kind") in ("nowcast", "level"):
        # The current year's nowcast (at the year's end) or a stock's latest level (at its own
        # time) is the newest point; the interval is sized from when that information dates.
        t, y, info_time = np.append(t, anchor["time"]), np.append(y, anchor["value"]), anchor["info_time"]
    res.n_points = len(t)
    if len(t) < cal.min_points:
        res.method = "insufficient_data"
        res.reason = f"needs at least {cal.min_points} annual points for a calibrated forecast (has {len(t)})"
        return res
    scale = choose_scale(kind, y, target, bounds)
    res.scale = scale
    if scale == "linear":
        # Positions (ranks) move in jumps of their own; the public panel holds no ranking series to
        # calibrate an interval on, so no probability is claimed for them.
        res.method = "insufficient_data"
        res.reason = "no calibrated forecast for positions (ranks): the public panel holds no ranking series"
        return res
    pred = predict(t, y, float(target_year), scale, bounds, kind, cal, info_time=info_time)
    res.predictive = pred
    res.projected_value = pred.median
    res.lo80, res.hi80 = pred.interval()
    notes = [anchor["note"]] if anchor.get("note") else []
    if target is not None:
        eff = target
        if kind == "share" and target_on_bound(target, bounds):
            eff = target - 1.0 if target == bounds[1] else target + 1.0
            notes.append(f"target on its bound: met within 1 pp (effective {eff:g})")
        res.p_meet = pred.prob_beyond(eff, direction)
        state_slope = float(np.polyfit(t[-cal.window :], y[-cal.window :], 1)[0]) if len(t) >= 2 else 0.0
        res.slope_towards = d * state_slope
        # A stock's latest level (in-year or year-end) already at the target.
        level_now = float(anchor["ytd_value"]) if anchor else float(y[-1])
        res.already_met = str(ind["accumulation"]) == "stock" and _meets(
            level_now, target, direction, kind, bounds
        )
        res.verdict = verdict(res.p_meet, res.slope_towards, bands, res.already_met)
    res.status = "ok"
    res.method = f"damped_trend_{scale}" + ("_nowcast" if anchor.get("kind") == "nowcast" else "")
    res.reason = "; ".join(notes)
    res.path = _path(
        t, y, int(target_year), scale, bounds, kind, cal, info_time, nowcast=anchor.get("kind") == "nowcast"
    )
    return res


class _CompletePoints:
    """The complete annual values up to a target year: their years, times and values as plain
    columns (what the forecast reads) and as a frame of ``POINT_COLUMNS`` (``Outlook.points``)."""

    __slots__ = ("frame", "time", "value", "years")

    def __init__(self, years: list[int], time: np.ndarray, value: np.ndarray, frame: pd.DataFrame) -> None:
        self.years, self.time, self.value, self.frame = years, time, value, frame


def _annual_points(annual: pd.DataFrame, memo: dict | None) -> tuple[list, list, np.ndarray, pd.DataFrame]:
    """``annual``'s years, complete flags, values and its rows with their time as ``POINT_COLUMNS``:
    converted once per annual frame (in ``memo``), then every target year only picks rows."""
    key = ("annual_points", id(annual))
    hit = memo.get(key) if memo is not None else None
    if hit is None or hit[0] is not annual:  # the frame itself is kept: its id cannot be reused
        # annual.assign(time=annual["year"].astype(float))[POINT_COLUMNS], by one column take and
        # one insert (a third cheaper; the same frame)
        frame = annual[[c for c in POINT_COLUMNS if c != "time"]]
        frame.insert(POINT_COLUMNS.index("time"), "time", annual["year"].to_numpy(dtype=float))
        hit = (
            annual,
            annual["year"].tolist(),
            annual["complete"].tolist(),
            frame["value"].to_numpy(float),
            frame,
        )
        if memo is not None:
            memo[key] = hit
    return hit[1:]


def _complete_points(annual: pd.DataFrame, target_year: int, memo: dict | None) -> _CompletePoints:
    """The complete annual values up to the target year, with their time (and as ``POINT_COLUMNS``).
    Remembered in ``memo`` (an index's, holding ``annual`` too) by the rows kept: the target years
    of one indicator usually keep the same rows."""
    years, complete, values, frame = _annual_points(annual, memo)
    keep = tuple(i for i, (c, y) in enumerate(zip(complete, years)) if bool(c) and y <= target_year)
    key = ("complete_points", id(annual), keep)
    hit = memo.get(key) if memo is not None else None
    if hit is None or hit[0] is not annual:
        # annual[annual["complete"] & (annual["year"] <= target_year)], with its time column; the
        # same rows and labels as that mask selects (all of them: the converted frame itself)
        kept = frame if len(keep) == len(frame) else frame.take(list(keep))
        time = kept["time"].to_numpy(float)
        hit = (annual, _CompletePoints([years[i] for i in keep], time, values[list(keep)], kept))
        if memo is not None:
            memo[key] = hit
    return hit[1]


def _meets(value: float, target: float, direction: str, kind: str, bounds) -> bool:
    if kind == "share" and target_on_bound(target, bounds) and abs(value - target) <= 1.0:
        return True
    return sign(direction) * (value - target) >= 0


def _path(t, y, target_year, scale, bounds, kind, cal, info_time, nowcast: bool) -> pd.DataFrame:
    """The last observed point, then the median and 80 % interval at each year-end to the target year.

    A nowcast is not an observation: the path then starts at the last complete year and the current
    year-end gets its own interval (the in-year value is drawn separately by the charts)."""
    k = len(t) - 2 if nowcast else len(t) - 1
    rows = [
        {
            "year": math.ceil(t[k] - 1e-9),
            "time": float(t[k]),
            "median": float(y[k]),
            "lo80": float(y[k]),
            "hi80": float(y[k]),
            "observed": True,
        }
    ]
    first = math.floor(t[k] + 1e-9) + 1
    for year in range(first, target_year + 1):
        p = predict(t, y, float(year), scale, bounds, kind, cal, info_time=info_time)
        lo, hi = p.interval()
        rows.append(
            {"year": year, "time": float(year), "median": p.median, "lo80": lo, "hi80": hi, "observed": False}
        )
    return pd.DataFrame(rows, columns=PATH_COLUMNS)

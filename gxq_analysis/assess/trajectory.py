"""Trend projections to a target year, an 80 % interval and the probability of meeting the target.

Layer 2 of the assessment (reference note §5): a straight-line trend fitted by least squares on a
scale that suits the indicator, and the Student-t predictive distribution at the target year, which
carries the parameter uncertainty that matters for short series:

    z = g(y);  z_i = a + b·t_i + e_i;  m = â + b̂·T;
    s² = σ̂²·(1 + 1/n + (T − t̄)² / Σ(t_i − t̄)²);   (z_T − m)/s ~ t_{n−2}
    p_meet = P(g(Y_T) ≥ g(y*))  (≤ for lower-is-better)

Scales ``g``: ``logit`` of the position between the bounds for shares (the bounds can never be
crossed), ``log`` for counts, amounts, ratios and indices (a constant growth rate), ``log1p`` for counts
that are or aim at zero (独角兽 0 → 1), ``linear`` for ranks (positions). The median and the interval
are back-transformed; the median on the transformed scale is the median on the original scale.

Edge rules:
- At least ``MIN_POINTS`` (3) points at distinct times; fewer gives ``insufficient_data`` with a reason.
- A share target on its bound (coverage 100 %) is taken as met within ``bound_tolerance`` pp of the
  bound (UNSD rule), so p_meet uses an effective target of 99 %; observed values on a bound are
  clipped to 0.1 % of the range inside it before the logit.
- The residual standard deviation on the transformed scale is floored (``SIGMA_FLOOR``): reported
  figures are rounded, so a perfect fit does not mean zero uncertainty.
- When the target year's value is already observed, p_meet is 1 or 0 (``status == "observed"``).
- Ranks are clipped at their lower bound (1) in the reported median and interval.

A damped-trend ETS cross-check (statsmodels ``ETSModel``) is available with ``cross_check=True`` when
there are at least ``ETS_MIN_POINTS`` points; it is slow, so it is not in the default path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..model.observations import filter_as_of
from ..model.periods import Period, parse_period
from ..model.plan import Plan
from ..model.series import ObsIndex, _pick, annual_values, data_cutoff, indicator_rows, ytd_path
from .forecast import choose_scale
from .forecast import from_scale as backward
from .forecast import to_scale as forward
from .outlook import PATH_COLUMNS, POINT_COLUMNS, outlook
from .progress import Thresholds, period_time, sign, target_on_bound

MIN_POINTS = 3
MIN_SEASONAL_DF = 2  # quarter-end model: points − parameters (trend 2 + up to 3 quarter effects)
ETS_MIN_POINTS = 8
INTERVAL = 0.80
SIGMA_FLOOR = {"logit": 0.01, "log": 0.01, "log1p": 0.05, "linear": 1.0}
"""Floor of the residual SD on the transformed scale: about 3 % of the level around the trend for
logs and logits (administrative counts and shares rarely sit closer than that to a straight line;
with n = 3 a near-collinear fit would otherwise claim near certainty), one position for ranks. For
non-rank linear series 3 % of the mean absolute level is used instead."""

HISTORY_COLUMNS = POINT_COLUMNS  # the points a forecast used (outlook.POINT_COLUMNS)


@dataclass
class TrajectoryResult:
    indicator_id: str
    target_year: int
    target: float | None
    direction: str
    scale: str
    history: pd.DataFrame
    path: pd.DataFrame
    p_meet: float = float("nan")
    projected_value: float = float("nan")
    interval80: tuple[float, float] = (float("nan"), float("nan"))
    method: str = ""
    status: str = "insufficient_data"  # "ok" | "observed" | "insufficient_data"
    reason: str = ""
    n_points: int = 0
    cross_check: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "observed")


# --- scales ---------------------------------------------------------------------------------------


# --- the t predictive ---------------------------------------------------------------------------


@dataclass
class TrendFit:
    """OLS trend z = a + b·t (+ quarter effects, Q4 = reference) with its t predictive."""

    beta: np.ndarray
    xtx_inv: np.ndarray
    sigma: float  # residual SD after the floor
    sigma_raw: float
    n: int
    quarters: tuple[int, ...] = ()  # quarters with their own effect (never 4)

    @property
    def df(self) -> int:
        return self.n - len(self.beta)

    def design(self, t, quarter=4) -> np.ndarray:
        t = np.atleast_1d(np.asarray(t, dtype=float))
        qs = np.broadcast_to(np.asarray(quarter), t.shape)
        cols = [np.ones_like(t), t - T0] + [(qs == q).astype(float) for q in self.quarters]
        return np.column_stack(cols)

    def mean(self, t, quarter=4) -> np.ndarray:
        return self.design(t, quarter) @ self.beta

    def scale_at(self, t, quarter=4) -> np.ndarray:
        x = self.design(t, quarter)
        return self.sigma * np.sqrt(1 + np.einsum("ij,jk,ik->i", x, self.xtx_inv, x))


T0 = 2000.0  # centring of the time axis, for numerical stability only


def fit_trend(t, z, sigma_floor: float = 0.0, quarters=None) -> TrendFit:
    """OLS of z on (1, t) plus, when ``quarters`` (1–4 per point) is given, a dummy for each quarter
    other than Q4 that occurs; the residual SD is floored at ``sigma_floor``."""
    t = np.asarray(t, dtype=float)
    z = np.asarray(z, dtype=float)
    qset: tuple[int, ...] = ()
    if quarters is not None:
        qarr = np.asarray(quarters, dtype=int)
        qset = tuple(sorted(int(q) for q in set(qarr.tolist()) if q != 4))
    fit = TrendFit(np.zeros(2 + len(qset)), np.eye(2 + len(qset)), 0.0, 0.0, t.size, qset)
    X = fit.design(t, qarr if quarters is not None else 4)
    if t.size <= X.shape[1] or np.linalg.matrix_rank(X) < X.shape[1]:
        raise ValueError("too few points for the trend's parameters")
    xtx_inv = np.linalg.inv(X.T @ X)
    beta = xtx_inv @ X.T @ z
    resid = z - X @ beta
    sigma_raw = math.sqrt(float(resid @ resid) / (t.size - X.shape[1]))
    fit.beta, fit.xtx_inv, fit.sigma_raw, fit.sigma = beta, xtx_inv, sigma_raw, max(sigma_raw, sigma_floor)
    return fit


def fit_line(t, z, sigma_floor: float = 0.0) -> TrendFit:
    """Ordinary least squares z = a + b·t, with the residual SD floored at ``sigma_floor``."""
    t = np.asarray(t, dtype=float)
    if t.size < 3 or np.unique(t).size < 2:
        raise ValueError("a line with a predictive interval needs at least 3 points at 2+ distinct times")
    return fit_trend(t, z, sigma_floor)


# --- projection of one series ----------------------------------------------------------------


def project_series(
    times,
    values,
    target: float | None,
    target_time: float,
    direction: str,
    kind: str = "",
    bounds: tuple[float | None, float | None] = (None, None),
    thresholds: Thresholds | dict | None = None,
    quarters=None,
) -> dict:
    """Project one series to ``target_time``; returns a dict of the TrajectoryResult fields
    (``scale, p_meet, projected_value, interval80, method, status, reason, n_points, path``).

    ``quarters`` (1–4 per point) switches to the seasonal model on quarter-end values (levels of
    stocks, year-to-date totals of flows): the trend plus an effect for each quarter other than Q4,
    so year-ends are projected without the within-year pattern (certifications that land in Q4,
    the build-up of a year-to-date total) biasing the slope.
    """
    th = Thresholds.coerce(thresholds)
    t = np.asarray(times, dtype=float)
    y = np.asarray(values, dtype=float)
    order = np.argsort(t, kind="stable")
    t, y = t[order], y[order]
    qs = None if quarters is None else np.asarray(quarters, dtype=int)[order]
    nan2 = (float("nan"), float("nan"))
    out = {
        "scale": choose_scale(kind, y, target, bounds),
        "p_meet": float("nan"),
        "projected_value": float("nan"),
        "interval80": nan2,
        "method": "",
        "status": "insufficient_data",
        "reason": "",
        "n_points": int(t.size),
        "path": pd.DataFrame(columns=PATH_COLUMNS),
    }
    d = sign(direction)

    # The target year's value is observed: the outcome is known.
    at_t = np.isclose(t, target_time)
    if at_t.any() and target is not None:
        v = float(y[at_t][-1])
        met = d * (v - target) >= 0 or (
            kind == "share" and target_on_bound(target, bounds) and abs(v - target) <= th.bound_tolerance
        )
        out.update(
            p_meet=1.0 if met else 0.0,
            projected_value=v,
            interval80=(v, v),
            method="observed",
            status="observed",
            reason="the target year's value is observed",
        )
        out["path"] = pd.DataFrame(
            [
                {
                    "year": int(round(target_time)),
                    "time": float(target_time),
                    "median": v,
                    "lo80": v,
                    "hi80": v,
                    "observed": True,
                }
            ],
            columns=PATH_COLUMNS,
        )
        return out
    if qs is not None:
        n_par = 2 + len(set(qs.tolist()) - {4})
        if 4 not in set(qs.tolist()) or t.size < n_par + MIN_SEASONAL_DF or np.unique(t).size < t.size:
            out["reason"] = (
                f"seasonal model needs a Q4 level and at least {MIN_SEASONAL_DF} degrees of freedom "
                f"({t.size} quarter-end points for {n_par} parameters)"
            )
            out["method"] = "insufficient_data"
            return out
    elif t.size < MIN_POINTS or np.unique(t).size < MIN_POINTS:
        out["reason"] = (
            f"needs at least {MIN_POINTS} points at distinct times for a trend with a predictive "
            f"interval (has {np.unique(t).size})"
        )
        out["method"] = "insufficient_data"
        return out
    if target_time <= t[-1]:
        out["reason"] = "target year is not after the latest observation"
        out["method"] = "insufficient_data"
        return out

    scale = out["scale"]
    z = forward(y, scale, bounds)
    floor = SIGMA_FLOOR[scale]
    if scale == "linear" and kind != "rank":
        floor = 0.03 * max(float(np.abs(y).mean()), 1e-12)
    fit = fit_line(t, z, floor) if qs is None else fit_trend(t, z, floor, qs)
    from scipy import stats  # the legacy baseline only (a heavy import; see forecast.t_ppf)

    q = stats.t.ppf(0.5 + INTERVAL / 2, fit.df)

    # Path: the last observed point, then each year-end up to the target year.
    last_t, last_y = float(t[-1]), float(y[-1])
    rows = [
        {
            "year": int(math.ceil(last_t - 1e-9)),
            "time": last_t,
            "median": last_y,
            "lo80": last_y,
            "hi80": last_y,
            "observed": True,
        }
    ]
    first_year = int(math.floor(last_t + 1e-9)) + 1
    years = np.arange(first_year, int(round(target_time)) + 1)
    if years.size:
        m = fit.mean(years)
        s = fit.scale_at(years)
        med, lo, hi = (backward(v, scale, bounds) for v in (m, m - q * s, m + q * s))
        for yr, a, b_, c in zip(years, med, lo, hi):
            rows.append(
                {
                    "year": int(yr),
                    "time": float(yr),
                    "median": float(a),
                    "lo80": float(b_),
                    "hi80": float(c),
                    "observed": False,
                }
            )
    path = pd.DataFrame(rows, columns=PATH_COLUMNS)
    if kind == "rank":
        lo_b = bounds[0] if bounds[0] is not None else 1.0
        for col in ("median", "lo80", "hi80"):
            path[col] = path[col].clip(lower=lo_b)

    mT = float(fit.mean(target_time)[0])
    sT = float(fit.scale_at(target_time)[0])
    proj = float(backward(mT, scale, bounds))
    lo80 = float(backward(mT - q * sT, scale, bounds))
    hi80 = float(backward(mT + q * sT, scale, bounds))
    if kind == "rank":
        lo_b = bounds[0] if bounds[0] is not None else 1.0
        proj, lo80, hi80 = max(proj, lo_b), max(lo80, lo_b), max(hi80, lo_b)

    notes = []
    p_meet = float("nan")
    if target is not None:
        eff = target
        if kind == "share" and target_on_bound(target, bounds) and th.bound_tolerance > 0:
            eff = target - th.bound_tolerance if target == bounds[1] else target + th.bound_tolerance
            notes.append(f"target on its bound: met within {th.bound_tolerance:g} pp (effective {eff:g})")
        zstar = float(forward(eff, scale, bounds))
        tstat = (zstar - mT) / sT
        p_meet = float(stats.t.sf(tstat, fit.df)) if d > 0 else float(stats.t.cdf(tstat, fit.df))
    if fit.sigma_raw < fit.sigma:
        notes.append("residual SD floored")
    method = f"ols_t_{scale}" + ("_quarterly" if qs is not None else "")
    out.update(
        p_meet=p_meet,
        projected_value=proj,
        interval80=(lo80, hi80),
        method=method,
        status="ok",
        reason="; ".join(notes),
        path=path,
    )
    return out


def ets_cross_check(
    times,
    values,
    target: float,
    target_time: float,
    direction: str,
    kind: str = "",
    bounds: tuple[float | None, float | None] = (None, None),
    repetitions: int = 2000,
    seed: int = 0,
) -> dict:
    """Damped additive-trend ETS on the transformed scale, simulated to the target year.

    Returns ``{"p_meet_ets", "projected_value_ets", "interval80_ets"}`` or ``{"ets_reason": ...}``.
    Intervals ignore parameter uncertainty (reference note §5.1): a cross-check, not the headline.
    """
    t = np.asarray(times, dtype=float)
    y = np.asarray(values, dtype=float)
    if t.size < ETS_MIN_POINTS:
        return {"ets_reason": f"ETS needs at least {ETS_MIN_POINTS} points (has {t.size})"}
    steps = np.diff(t)
    if not np.allclose(steps, 1.0):
        return {"ets_reason": "ETS needs equally spaced annual points"}
    h = int(round(target_time - t[-1]))
    if h < 1:
        return {"ets_reason": "target year is not after the latest observation"}
    import warnings

    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    scale = choose_scale(kind, y, target, bounds)
    z = pd.Series(forward(y, scale, bounds))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ETSModel(z, error="add", trend="add", damped_trend=True).fit(disp=False)
        sims = res.simulate(h, anchor="end", repetitions=repetitions, rng=np.random.default_rng(seed))
    zT = np.asarray(sims)[-1]
    zstar = float(forward(target, scale, bounds))
    met = zT >= zstar if sign(direction) > 0 else zT <= zstar
    lo, med, hi = np.quantile(zT, [0.1, 0.5, 0.9])
    return {
        "p_meet_ets": float(met.mean()),
        "projected_value_ets": float(backward(med, scale, bounds)),
        "interval80_ets": (float(backward(lo, scale, bounds)), float(backward(hi, scale, bounds))),
    }


# --- from the plan and the tidy table -------------------------------------------------------------


def indicator_history(
    plan: Plan,
    obs: pd.DataFrame | ObsIndex,
    indicator_id: str,
    as_of: Period | str | None = None,
    geo: str | None = None,
) -> pd.DataFrame:
    """The points used for trends: annual values (year-end levels of stocks, complete-year flows)
    plus, for a stock, the latest level of a year not yet complete. Columns ``HISTORY_COLUMNS``."""
    a = annual_values(obs, plan, indicator_id, geo=geo, as_of=as_of, include_partial=True)
    if a.empty:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    h = a.copy()
    h["time"] = [float(y) if c else period_time(p) for y, c, p in zip(h["year"], h["complete"], h["period"])]
    return h[HISTORY_COLUMNS].reset_index(drop=True)


def quarterly_history(
    plan: Plan,
    obs: pd.DataFrame | ObsIndex,
    indicator_id: str,
    as_of: Period | str | None = None,
    geo: str | None = None,
) -> pd.DataFrame:
    """Quarter-end values (columns ``HISTORY_COLUMNS`` + ``quarter``), one per quarter: for a stock
    the level, from a quarterly, monthly (March, June, September, December) or annual (= Q4) value;
    for a flow the year-to-date total through the quarter end (Q4 = the year's total), from
    :func:`series.ytd_path` and, for Q4, the annual value."""
    cols = HISTORY_COLUMNS + ["quarter"]
    geo = plan.zone_geo if geo is None else geo
    if plan.indicator(indicator_id)["accumulation"] == "flow":
        rows = indicator_rows(obs, indicator_id, geo, as_of)
        annual = annual_values(rows, plan, indicator_id, geo=geo)
        full = {int(y): r for y, r in zip(annual["year"], annual.to_dict("records"))}
        out = []
        for year in sorted({int(y) for y in rows["year"]}):
            path = ytd_path(rows, plan, indicator_id, year, geo=geo)
            byq = {
                int(m) // 3: r for m, r in zip(path["end_month"], path.to_dict("records")) if int(m) % 3 == 0
            }
            if year in full:
                byq[4] = full[year]
            for q in sorted(byq):
                r = byq[q]
                out.append(
                    {
                        "year": year,
                        "time": year - 1 + q / 4.0,
                        "value": float(r["value"]),
                        "period": r["period"],
                        "complete": q == 4,
                        "source_file": r.get("source_file"),
                        "source_sheet": r.get("source_sheet"),
                        "source_row": r.get("source_row"),
                        "illustrative": r.get("illustrative"),
                        "quarter": q,
                    }
                )
        return pd.DataFrame(out, columns=cols)
    rows = indicator_rows(obs, indicator_id, geo, as_of)
    rows = rows[rows["end_month"] % 3 == 0]
    out = []
    for (year, month), g in rows.groupby(["year", "end_month"], sort=True):
        r = _pick(g)
        out.append(
            {
                "year": int(year),
                "time": int(year) - 1 + int(month) / 12.0,
                "value": float(r["value"]),
                "period": r["period"],
                "complete": int(month) == 12,
                "source_file": r.get("source_file"),
                "source_sheet": r.get("source_sheet"),
                "source_row": r.get("source_row"),
                "illustrative": r.get("illustrative"),
                "quarter": int(month) // 3,
            }
        )
    return pd.DataFrame(out, columns=cols)


def project_indicator(
    plan: Plan,
    obs: pd.DataFrame | ObsIndex,
    indicator_id: str,
    target_year: int,
    as_of: Period | str | None = None,
    geo: str | None = None,
    thresholds: Thresholds | dict | None = None,
    cross_check: bool = False,
    history: pd.DataFrame | None = None,
    seasonal: bool | None = None,
) -> TrajectoryResult:
    """The trajectory of one indicator to ``target_year`` from data up to ``as_of`` (default: the
    latest period in ``obs``): the calibrated forecast of :func:`outlook.outlook`, the same one the
    status table and the pace table use, with its path of year-end medians and 80 % intervals.

    ``.history`` holds the points the forecast used (complete years, then the in-year nowcast or
    latest level). ``thresholds``, ``history`` and ``seasonal`` are accepted for compatibility and
    ignored: the previous OLS models are :func:`project_series` (kept as a benchmark baseline).
    With ``cross_check=True`` a damped-trend ETS fit is added when the series is long enough.
    """
    if indicator_id not in plan.indicators.index:
        raise KeyError(f"indicator {indicator_id!r} is not in the plan")
    if as_of is None:
        as_of = data_cutoff(obs)
    cut = parse_period(as_of)
    if isinstance(obs, ObsIndex):
        obs_cut = obs.cut(cut)
    else:
        obs_cut = ObsIndex(filter_as_of(obs, cut) if not obs.empty else obs, cut)
    fc = outlook(plan, obs_cut, indicator_id, int(target_year), cut, geo=geo)
    hist = fc.points  # read only: the concat and the reindex below give the result its own frame
    if fc.anchor.get("kind") in ("nowcast", "level"):
        a = fc.anchor
        extra = {
            "year": int(math.ceil(a["time"] - 1e-9)),
            "time": a["time"],
            "value": a["value"],
            "period": a["period"],
            "complete": False,
            "source_file": a.get("source_file"),
            "source_sheet": a.get("source_sheet"),
            "source_row": a.get("source_row"),
            "illustrative": None,
        }
        hist = (
            pd.concat([hist, pd.DataFrame([extra])], ignore_index=True)
            if len(hist)
            else pd.DataFrame([extra])
        )
    res = TrajectoryResult(
        indicator_id=indicator_id,
        target_year=int(target_year),
        target=fc.target,
        direction=fc.direction,
        scale=fc.scale,
        history=hist.reindex(columns=HISTORY_COLUMNS),
        path=fc.path,
        p_meet=fc.p_meet,
        projected_value=fc.projected_value,
        interval80=(fc.lo80, fc.hi80),
        method=fc.method,
        status=fc.status,
        reason=fc.reason,
        n_points=fc.n_points,
    )
    if fc.target is None:
        res.reason = "; ".join(x for x in (f"no target for {target_year}", res.reason) if x)
    if cross_check and fc.target is not None and res.status == "ok":
        complete = fc.points
        res.cross_check = ets_cross_check(
            complete["time"],
            complete["value"],
            fc.target,
            float(target_year),
            fc.direction,
            str(plan.indicator(indicator_id)["kind"]),
            plan.bounds(indicator_id),
        )
    return res

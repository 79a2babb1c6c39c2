"""Deterministic progress status against a quantified target (Eurostat / Open SDG family).

Layer 1 of the assessment: transparent and comparable with Eurostat, StatCan and Open SDG 2.4.

- **Target achieved** when the latest value is at or beyond the target (respecting direction). For a
  share whose target sits on its bound (coverage 100 %), a value within ``bound_tolerance``
  percentage points of the bound counts as achieved (UNSD Progress Chart rule: 1 pp).
- **Target missed** when the target year's value is observed and is short of the target.
- Otherwise ``R = d·g_obs / |g_req|`` (Open SDG 2.4), where ``g`` is the compound annual growth rate
  (CAGR), or the linear change per year for ranks (positions) and for series with a zero or negative
  base, value or target (CAGR is undefined there: 独角兽企业 0 → 1). ``g_obs`` runs from the base
  point to the latest point; ``g_req`` from the base point to the target.
  R ≥ 0.95 on track · 0.60 ≤ R < 0.95 needs acceleration · 0 ≤ R < 0.60 limited progress ·
  R < 0 deterioration (thresholds configurable).
- With ``growth="regression"`` the observed growth is the least-squares slope over all points on
  the log scale (``exp(b) − 1``, a "trend CAGR"), or on the raw scale for linear-change series.

Time is measured in years with the end of calendar year ``Y`` at ``Y``; a level at the end of
2019Q3 sits at 2018.75 (see :func:`period_time`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ..model.periods import Period, parse_period

STATUS_ORDER = ("target_achieved", "on_track", "needs_acceleration", "limited_progress", "deterioration")
"""Best to worst. ``target_missed`` ranks with ``deterioration`` for comparisons; ``insufficient_data``
is unranked."""

_RANK = {s: i for i, s in enumerate(STATUS_ORDER)}
_RANK["target_missed"] = len(STATUS_ORDER)


def status_rank(status: str) -> int | None:
    """0 = best (target achieved) … 5 = worst (target missed); None for insufficient data."""
    return _RANK.get(status)


@dataclass(frozen=True)
class Thresholds:
    """Cut-offs of the ratio R and the other knobs of the deterministic rule."""

    high: float = 0.95
    med: float = 0.60
    low: float = 0.0
    growth: str = "endpoint"  # "endpoint" (Eurostat CAGR) or "regression" (slope on log scale)
    bound_tolerance: float = 1.0  # pp: a share within this of a 0 % / 100 % target counts as achieved

    def __post_init__(self) -> None:
        if not self.low <= self.med <= self.high:
            raise ValueError(
                f"thresholds must satisfy low <= med <= high, got {self.low}, {self.med}, {self.high}"
            )
        if self.growth not in ("endpoint", "regression"):
            raise ValueError(f"growth must be 'endpoint' or 'regression', not {self.growth!r}")
        if self.bound_tolerance < 0:
            raise ValueError("bound_tolerance must be >= 0")

    @classmethod
    def coerce(cls, value: Thresholds | dict | None) -> Thresholds:
        if value is None:
            return cls()
        if isinstance(value, Thresholds):
            return value
        if isinstance(value, dict):
            return replace(cls(), **value)
        raise TypeError(f"thresholds must be a Thresholds, a dict or None, not {type(value).__name__}")


def period_time(period: Period | str) -> float:
    """Position of a period's end on the time axis: end of year Y = Y; end of 2019Q3 = 2018.75."""
    p = parse_period(period)
    return p.year - 1 + p.end_month / 12.0


def classify_ratio(ratio: float, thresholds: Thresholds | None = None) -> str:
    th = thresholds or Thresholds()
    if ratio >= th.high:
        return "on_track"
    if ratio >= th.med:
        return "needs_acceleration"
    if ratio >= th.low:
        return "limited_progress"
    return "deterioration"


def cagr(y0: float, y1: float, years: float) -> float:
    """Compound annual growth rate ``(y1/y0)^(1/years) − 1``; needs positive values and years > 0."""
    if years <= 0:
        raise ValueError("CAGR needs a positive time span")
    if y0 <= 0 or y1 <= 0:
        raise ValueError("CAGR needs positive values")
    return (y1 / y0) ** (1.0 / years) - 1.0


def sign(direction: str) -> int:
    if direction == "higher":
        return 1
    if direction == "lower":
        return -1
    raise ValueError(f"direction must be 'higher' or 'lower', not {direction!r}")


def at_or_beyond(
    value: float,
    target: float,
    direction: str,
    kind: str = "",
    bounds: tuple[float | None, float | None] = (None, None),
    tolerance: float = 0.0,
) -> bool:
    """True when ``value`` meets ``target`` in its direction. For a share whose target lies on a bound,
    ``tolerance`` (pp) is allowed (UNSD: within 1 pp of a 0 % or 100 % target counts as achieved)."""
    d = sign(direction)
    if d * (value - target) >= 0:
        return True
    if kind == "share" and tolerance > 0 and target_on_bound(target, bounds):
        return abs(value - target) <= tolerance + 1e-12
    return False


def target_on_bound(target: float, bounds: tuple[float | None, float | None]) -> bool:
    lo, hi = bounds
    return (lo is not None and target == lo) or (hi is not None and target == hi)


@dataclass
class ProgressResult:
    status: str
    ratio: float | None = None
    observed_growth: float | None = None
    required_growth: float | None = None
    growth_unit: str = ""  # "cagr" (per year, fraction) or "linear" (indicator units per year)
    base_time: float | None = None
    base_value: float | None = None
    latest_time: float | None = None
    latest_value: float | None = None
    note: str = ""


def assess_progress(
    times,
    values,
    target: float,
    target_time: float,
    direction: str,
    kind: str = "",
    bounds: tuple[float | None, float | None] = (None, None),
    thresholds: Thresholds | dict | None = None,
    level_counts_as_achieved: bool = True,
) -> ProgressResult:
    """Deterministic status of one series against one target.

    ``times``/``values``: the points (sorted or not; time as in :func:`period_time`). The first point
    is the base, the last the latest. ``level_counts_as_achieved=False`` is for flows before their
    target year is complete: a past year's flow beyond the target is "on track", not "achieved".
    """
    th = Thresholds.coerce(thresholds)
    d = sign(direction)
    t = np.asarray(times, dtype=float)
    y = np.asarray(values, dtype=float)
    if t.shape != y.shape:
        raise ValueError("times and values differ in length")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(y)) and math.isfinite(target)):
        raise ValueError("times, values and target must be finite numbers")
    if t.size == 0:
        return ProgressResult("insufficient_data", note="no observation")
    order = np.argsort(t, kind="stable")
    t, y = t[order], y[order]
    t0, y0, tl, yl = float(t[0]), float(y[0]), float(t[-1]), float(y[-1])
    res = ProgressResult("insufficient_data", base_time=t0, base_value=y0, latest_time=tl, latest_value=yl)

    if at_or_beyond(yl, target, direction, kind, bounds, th.bound_tolerance):
        within = d * (yl - target) < 0
        note = f"within {th.bound_tolerance:g} pp of a bound target (UNSD rule)" if within else ""
        if tl >= target_time - 1e-9 or level_counts_as_achieved:
            res.status = "target_achieved"
            res.note = note
            return res
        res.status = "on_track"
        res.note = "latest complete year already at or beyond the target; the target year is not complete"
        return res
    if tl >= target_time - 1e-9:
        res.status = "target_missed"
        res.note = f"target year observed and short of the target by {abs(yl - target):.4g}"
        return res
    if t.size < 2 or tl - t0 <= 0:
        res.note = "one observation: growth needs at least two points in time"
        return res

    linear = kind == "rank" or min(y.min(), target) <= 0
    res.growth_unit = "linear" if linear else "cagr"
    notes = []
    if linear and kind != "rank":
        notes.append("zero or negative base/value/target: linear change per year instead of CAGR")
    if th.growth == "regression" and t.size >= 3:
        if linear:
            slope = float(np.polyfit(t, y, 1)[0])
            obs = slope
        else:
            obs = math.expm1(float(np.polyfit(t, np.log(y), 1)[0]))
        notes.append("observed growth: least-squares trend over all points")
    else:
        if th.growth == "regression":
            notes.append("regression growth needs 3 points: endpoint growth used")
        obs = (yl - y0) / (tl - t0) if linear else cagr(y0, yl, tl - t0)
    if target_time - t0 <= 0:
        res.note = "base point is not before the target year"
        return res
    req = (target - y0) / (target_time - t0) if linear else cagr(y0, target, target_time - t0)
    res.observed_growth, res.required_growth = obs, req
    if req == 0:
        # The base sits exactly on the target and the latest value is short of it: moved away.
        res.status = "deterioration" if d * obs < 0 else "limited_progress"
        notes.append("base equals the target: ratio undefined, status from the sign of the change")
        res.note = "; ".join(notes)
        return res
    if d * req < 0:
        notes.append("base already beyond the target (R uses |required growth|)")
    res.ratio = d * obs / abs(req) + 0.0  # + 0.0 turns −0.0 into 0.0
    res.status = classify_ratio(res.ratio, th)
    res.note = "; ".join(notes)
    return res

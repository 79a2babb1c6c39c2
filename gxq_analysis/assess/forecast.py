"""One predictive distribution per (indicator, target year): the single source of every forecast a
reader sees: the median, the 80 % interval, P(meet the target) and, through :func:`verdict`, the status.

The model (docs/methods.md §"One calibrated forecast"):

- Work on a scale ``g`` on which change is roughly additive (:func:`trajectory.choose_scale`: logit
  between the bounds for shares, log for counts and amounts, log1p when zeros occur, linear for ranks).
- **Location**: a damped local trend. The slope ``b`` is the least-squares slope of the last
  ``window`` annual points; the forecast ``h`` years after the anchor (the latest year-end value, or an
  in-year nowcast of the current year) is ``z_anchor + b·φ(1 − φ^h)/(1 − φ)``.
- **Bias**: the panel's median error ``β(h)·σ̂`` is added on growth scales (log, logit): the public
  S&T series kept growing a little beyond a damped trend. It moves the whole distribution, so
  coherence is kept. Ranks get none (no panel evidence).
- **Scale**: ``sd(h) = σ̂·c(h)``. ``σ̂`` is the series' own spread of annual changes, shrunk towards a
  prior fitted on a real public panel (``σ_prior = a0 + a1·|b|``: fast-moving series move erratically),
  with the prior counting as ``prior_weight`` changes, so that three points borrow strength from many
  series. ``c(h)`` (and a small bias ``β(h)`` in units of ``σ̂``) is estimated on the panel's rolling-origin
  forecast errors at horizons 1…3 years, so the 80 % intervals contain 80 % of the panel's outcomes.
- **Shape**: Student-t with ``df`` degrees of freedom (fitted on the panel), symmetric on the ``g``
  scale, so ``P(meet) ≥ 0.5`` exactly when the median meets the target.

The parameters live in ``forecast_calibration.json`` beside this module, written by
:mod:`gxq_analysis.assess.calibration` from ``data/raw/public/calibration/panel.csv``; a test refits them
from the shipped panel and checks they match.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

CALIBRATION_FILE = Path(__file__).with_name("forecast_calibration.json")
INTERVAL = 0.80
BOUND_CLIP = 0.001  # share of the bounded range kept between a value and its bound before the logit


@dataclass(frozen=True)
class Calibration:
    """Parameters of the forecast model (see the module docstring); fitted on a public panel."""

    phi: float = 0.8
    window: int = 4
    prior_sd0: float = 0.02
    prior_sd1: float = 0.5
    prior_weight: float = 2.0
    df: float = 5.0
    horizon_scale: tuple[float, ...] = (1.0, 1.8, 2.6)
    horizon_bias: tuple[float, ...] = (0.0, 0.0, 0.0)
    min_points: int = 3
    fitted_on: dict = field(default_factory=dict, compare=False)

    def to_json(self) -> str:
        d = asdict(self)
        d["horizon_scale"] = list(self.horizon_scale)
        d["horizon_bias"] = list(self.horizon_bias)
        return json.dumps(d, ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, d: dict) -> Calibration:
        known = {f for f in cls.__dataclass_fields__}
        kw = {k: v for k, v in d.items() if k in known}
        for k in ("horizon_scale", "horizon_bias"):
            if k in kw:
                kw[k] = tuple(float(x) for x in kw[k])
        return cls(**kw)

    def horizon_factor(self, h: float) -> tuple[float, float]:
        """``(c(h), β(h))`` at a horizon of ``h`` years: the fitted values at whole years, linear in
        between, 0 at h = 0 (nothing left to forecast), extended linearly past the last fitted year."""
        knots_h = np.arange(0, len(self.horizon_scale) + 1, dtype=float)
        c = np.concatenate([[0.0], self.horizon_scale])
        b = np.concatenate([[0.0], self.horizon_bias])
        h = max(float(h), 0.0)
        if h <= knots_h[-1]:
            return float(np.interp(h, knots_h, c)), float(np.interp(h, knots_h, b))
        step = c[-1] - c[-2]
        return float(c[-1] + step * (h - knots_h[-1])), float(b[-1])


@lru_cache(maxsize=4)
def _load(path: str) -> Calibration:
    with open(path, encoding="utf-8") as fh:
        return Calibration.from_dict(json.load(fh))


def load_calibration(path: str | Path | None = None) -> Calibration:
    """The shipped calibration (or the one at ``path``)."""
    return _load(str(path or CALIBRATION_FILE))


# --- scales --------------------------------------------------------------------------------------


def choose_scale(kind: str, values, target: float | None, bounds: tuple[float | None, float | None]) -> str:
    """The transformed scale on which the trend is linear (see module docstring)."""
    y = np.asarray(values, dtype=float)
    lo, hi = bounds
    if kind == "rank":
        return "linear"
    if kind == "share" and lo is not None and hi is not None and hi > lo:
        return "logit"
    if (y.size and y.min() < 0) or (target is not None and target < 0):
        return "linear"
    if (y.size and y.min() == 0) or (target is not None and target == 0):
        return "log1p"
    return "log"


def _both_bounds(bounds) -> tuple[float, float]:
    lo, hi = bounds
    if lo is None or hi is None:
        raise ValueError(f"the logit scale needs both bounds, not {bounds}")
    return lo, hi


def to_scale(y, scale: str, bounds=(None, None)) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    if scale == "logit":
        lo, hi = _both_bounds(bounds)
        p = np.clip((y - lo) / (hi - lo), BOUND_CLIP, 1 - BOUND_CLIP)
        return np.log(p / (1 - p))
    if scale == "log":
        return np.log(np.maximum(y, 1e-12))
    if scale == "log1p":
        return np.log1p(np.maximum(y, 0.0))
    return y.copy()


def from_scale(z, scale: str, bounds=(None, None)) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    if scale == "logit":
        lo, hi = _both_bounds(bounds)
        return lo + (hi - lo) / (1 + np.exp(-z))
    if scale == "log":
        return np.exp(z)
    if scale == "log1p":
        return np.expm1(z)
    return z.copy()


# --- the trend state ----------------------------------------------------------------------------


def damped_sum(h: float, phi: float) -> float:
    """Σ_{j=1..h} φ^j, continued to real h ≥ 0 (h for φ = 1)."""
    if h <= 0:
        return 0.0
    if phi >= 1.0:
        return float(h)
    return float(phi * (1 - phi**h) / (1 - phi))


@dataclass(frozen=True)
class TrendState:
    """What the location and scale need from a series on the ``g`` scale."""

    slope: float  # per year, on the g scale
    sigma: float  # σ̂ after shrinkage towards the prior
    sigma_own: float  # the series' own spread of annual changes (nan with fewer than 2 changes)
    n_changes: int


def trend_state(t, z, cal: Calibration) -> TrendState:
    """Slope of the last ``cal.window`` points and the shrunk spread of the annual changes."""
    t = np.asarray(t, dtype=float)
    z = np.asarray(z, dtype=float)
    tw, zw = t[-cal.window :], z[-cal.window :]
    slope = float(np.polyfit(tw, zw, 1)[0]) if tw.size >= 2 and np.ptp(tw) > 0 else 0.0
    dt = np.diff(t)
    changes = np.diff(z)[dt > 0] / dt[dt > 0]
    n = int(changes.size)
    own = float(np.std(changes, ddof=1)) if n >= 2 else float("nan")
    prior = cal.prior_sd0 + cal.prior_sd1 * abs(slope)
    k = max(n - 1, 0)  # degrees of freedom of the own spread
    var = ((k * own**2 if k else 0.0) + cal.prior_weight * prior**2) / (k + cal.prior_weight)
    return TrendState(slope=slope, sigma=math.sqrt(var), sigma_own=own, n_changes=n)


# --- the predictive distribution ----------------------------------------------------------------

# Student-t with ``df`` degrees of freedom, standard location and scale: scipy.stats.t computes its
# cdf, sf and ppf with exactly these scipy.special functions (stdtr, stdtrit). They are imported on
# first use and not from scipy.stats, which takes about half a second to import: a notebook that
# only reads an assessment file (holding these objects) never pays for it.


def t_cdf(x: float, df: float) -> float:
    from scipy.special import stdtr

    return float(stdtr(df, x))


def t_sf(x: float, df: float) -> float:
    from scipy.special import stdtr

    return float(stdtr(df, -x))


def t_ppf(q: float, df: float) -> float:
    from scipy.special import stdtrit

    return float(stdtrit(df, q))


@dataclass(frozen=True)
class Predictive:
    """Student-t on the ``g`` scale: location ``loc``, scale ``sd``, ``df`` degrees of freedom."""

    scale: str
    bounds: tuple
    loc: float
    sd: float
    df: float
    horizon: float
    kind: str = ""

    def _clip(self, y: float) -> float:
        if self.kind == "rank":
            return max(y, self.bounds[0] if self.bounds[0] is not None else 1.0)
        return y

    def quantile(self, q: float) -> float:
        zq = self.loc + (self.sd * t_ppf(q, self.df) if self.sd > 0 else 0.0)
        return self._clip(float(from_scale(zq, self.scale, self.bounds)))

    @property
    def median(self) -> float:
        return self._clip(float(from_scale(self.loc, self.scale, self.bounds)))

    def interval(self, level: float = INTERVAL) -> tuple[float, float]:
        return self.quantile(0.5 - level / 2), self.quantile(0.5 + level / 2)

    def prob_beyond(self, threshold: float, direction: str) -> float:
        """P(value at or beyond ``threshold`` in the good ``direction``)."""
        zstar = float(to_scale(threshold, self.scale, self.bounds))
        if self.sd <= 0:
            return 1.0 if (self.loc >= zstar if direction != "lower" else self.loc <= zstar) else 0.0
        x = (zstar - self.loc) / self.sd
        return t_sf(x, self.df) if direction != "lower" else t_cdf(x, self.df)


def predict(
    t,
    y,
    target_time: float,
    scale: str,
    bounds=(None, None),
    kind: str = "",
    cal: Calibration | None = None,
    anchor: tuple[float, float] | None = None,
    info_time: float | None = None,
) -> Predictive:
    """The predictive distribution at ``target_time`` from annual points ``(t, y)``.

    ``anchor`` = ``(time, value)`` replaces the last point as the starting level (an in-year nowcast
    of the current year); ``info_time`` is when the latest information dates from (the horizon that
    sizes the interval is ``target_time − info_time``; default: the anchor's time).
    """
    cal = cal or load_calibration()
    t = np.asarray(t, dtype=float)
    z = to_scale(y, scale, bounds)
    state = trend_state(t, z, cal)
    a_t, a_z = (
        (float(t[-1]), float(z[-1]))
        if anchor is None
        else (float(anchor[0]), float(to_scale(anchor[1], scale, bounds)))
    )
    h_loc = max(target_time - a_t, 0.0)
    h_sd = max(target_time - (a_t if info_time is None else info_time), 0.0)
    c, beta = cal.horizon_factor(h_sd)
    # The panel's growth series beat a damped trend by β(h)·σ̂ on the log/logit scale; no such
    # evidence exists for positions (ranks), so no bias there.
    bias = beta * state.sigma if scale in ("log", "logit", "log1p") else 0.0
    loc = a_z + state.slope * damped_sum(h_loc, cal.phi) + bias
    return Predictive(
        scale=scale, bounds=tuple(bounds), loc=loc, sd=state.sigma * c, df=cal.df, horizon=h_sd, kind=kind
    )


# --- verdicts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bands:
    """Status bands of P(meet) for open target years (data: plan.json ``status_bands`` may override).

    ``P ≥ on_track`` → on_track; ``P ≥ at_risk`` → needs_acceleration (shown as 有风险 / at risk);
    below → limited_progress, or deterioration when the recent trend moves away from the target.
    The cut-offs are the IPCC likelihood scale's 'likely' (≥ 66 %) and 'unlikely' (< 33 %), the same
    words :func:`i18n.likelihood_label` prints beside the probability, so label and words agree.
    """

    on_track: float = 0.66
    at_risk: float = 0.33

    @classmethod
    def coerce(cls, value) -> Bands:
        if value is None:
            return cls()
        if isinstance(value, Bands):
            return value
        b = cls(**{k: float(v) for k, v in dict(value).items()})
        if not 0.5 <= b.on_track <= 1 or not 0 <= b.at_risk <= 0.5:
            raise ValueError(f"status bands need 0.5 <= on_track <= 1 and 0 <= at_risk <= 0.5, got {b}")
        return b


def verdict(
    p_meet: float, slope_towards: float, bands: Bands | None = None, already_met: bool = False
) -> str:
    """The status id of an open target year from its P(meet) (and the trend's direction).

    ``slope_towards``: the recent slope signed so that > 0 moves towards the target. ``already_met``
    (a stock at or beyond its target) reads as target_achieved when the probability agrees.
    """
    b = bands or Bands()
    if p_meet is None or not math.isfinite(p_meet):
        return "insufficient_data"
    if p_meet >= b.on_track:
        return "target_achieved" if already_met else "on_track"
    if p_meet >= b.at_risk:
        return "needs_acceleration"
    return "deterioration" if slope_towards < 0 else "limited_progress"

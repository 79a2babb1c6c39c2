"""Fit and check the forecast model (:mod:`forecast`) on a real public panel of annual S&T series.

Rolling origin: for every series, every origin year ``t`` and every window length ``n`` of 2–6 annual
points (the zone has that few), forecast ``t + 1 … t + 3`` from the ``n`` points ending at ``t`` and
compare with what was published. The standardised errors ``u = (z_actual − loc)/σ̂`` give the horizon
factors ``c(h)``, the bias ``β(h)`` and the t degrees of freedom; the location parameters (damping
``φ``, slope window) and the prior's weight are chosen on the same errors.

:func:`fit` returns a :class:`forecast.Calibration`; :func:`cross_validate` refits on four fifths of the
geographies and scores the rest (coverage of the 80 % interval by horizon, PIT histogram, Brier score
and log-loss of P(meet) against naive baselines), which is what ``benchmarks/bench_calibration.py``
prints and the annual report's track-record page shows.

``python -m gxq_analysis.assess.calibration`` refits from the shipped panel and writes
``forecast_calibration.json``.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import PUBLIC_DIR
from .forecast import CALIBRATION_FILE, Calibration, damped_sum, to_scale


def _t_distribution():
    """scipy's Student-t, imported when a fit needs it: the report pages import this module only for
    its file names, and scipy.stats takes about half a second to import."""
    from scipy import stats

    return stats.t


WINDOWS = (2, 3, 4, 5, 6)
HORIZONS = (1, 2, 3)
MAX_W = max(WINDOWS)
PHI_GRID = (0.5, 0.7, 0.8, 0.9, 1.0)
SLOPE_WINDOW_GRID = (2, 3, 4, 6)
PRIOR_WEIGHT_GRID = (0.5, 1.0, 2.0, 4.0, 8.0)
DF_GRID = (2.0, 3.0, 4.0, 5.0, 7.0, 10.0, 20.0, 50.0)
EPS = 0.01  # probabilities are clipped to [EPS, 1 − EPS] for the log-loss (a 0/1 forecast is otherwise ∞)
N_FOLDS = 5


CALIBRATION_DATA = PUBLIC_DIR / "calibration"


def panel_path() -> Path:
    return CALIBRATION_DATA / "panel.csv"


def targets_path() -> Path:
    return CALIBRATION_DATA / "targets.csv"


def series_scale(unit: str) -> tuple[str, tuple]:
    """The forecast scale of a panel series: shares in % between 0 and 100 on the logit, the rest on logs."""
    if str(unit).strip().startswith("%"):
        return "logit", (0.0, 100.0)
    return "log", (None, None)


def load_panel(path: Path | None = None) -> pd.DataFrame:
    df = pd.read_csv(path or panel_path(), dtype={"geo": str, "indicator": str})
    df = df[np.isfinite(pd.to_numeric(df["value"], errors="coerce"))].copy()
    df["value"] = df["value"].astype(float)
    df["year"] = df["year"].astype(int)
    df = df[df["value"] > 0]
    return df.sort_values(["indicator", "geo", "year"]).reset_index(drop=True)


def fold_of(geo: str) -> int:
    """A stable fold for cross-validation by geography (no geography is in two folds)."""
    return int(hashlib.sha256(geo.encode("utf-8")).hexdigest(), 16) % N_FOLDS


# --- the windows ------------------------------------------------------------------------------------


def build_windows(panel: pd.DataFrame) -> dict:
    """Every (series, origin, window length) with its points right-aligned in ``(N, MAX_W)`` arrays,
    and the actual values 1–3 years after the origin (NaN when not published)."""
    rows_t, rows_z, rows_mask, meta, actual = [], [], [], [], []
    for (ind, geo), g in panel.groupby(["indicator", "geo"], sort=True):
        scale, bounds = series_scale(g["unit"].iat[0])
        direction = str(g["direction"].iat[0]) if "direction" in g else "higher"
        years = g["year"].to_numpy(int)
        vals = g["value"].to_numpy(float)
        z = to_scale(vals, scale, bounds)
        by_year = dict(zip(years.tolist(), z.tolist()))
        for i in range(len(years)):
            origin = int(years[i])
            fut = [by_year.get(origin + h, np.nan) for h in HORIZONS]
            if all(np.isnan(fut)):
                continue
            for n in WINDOWS:
                if i + 1 < n:
                    continue
                tt = years[i + 1 - n : i + 1].astype(float)
                if tt[-1] - tt[0] > 2 * (n - 1):  # too gappy to be an annual series
                    continue
                t_row = np.full(MAX_W, np.nan)
                z_row = np.full(MAX_W, np.nan)
                t_row[MAX_W - n :] = tt
                z_row[MAX_W - n :] = z[i + 1 - n : i + 1]
                rows_t.append(t_row)
                rows_z.append(z_row)
                rows_mask.append(~np.isnan(t_row))
                meta.append((ind, geo, origin, n, scale, direction, fold_of(geo)))
                actual.append(fut)
    m = pd.DataFrame(meta, columns=["indicator", "geo", "origin", "n", "scale", "direction", "fold"])
    return {
        "t": np.array(rows_t),
        "z": np.array(rows_z),
        "mask": np.array(rows_mask),
        "meta": m,
        "actual": np.array(actual),
    }


def _states(w: dict, window: int, cal: Calibration) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`forecast.trend_state`: slope and shrunk σ̂ for every window row."""
    t, z, mask = w["t"], w["z"], w["mask"]
    # Slope of the last `window` valid points (rows are right-aligned).
    cols = np.arange(MAX_W)
    use = mask & (cols[None, :] >= MAX_W - window)
    k = use.sum(1)
    tm = np.where(use, t, 0).sum(1) / np.maximum(k, 1)
    zm = np.where(use, z, 0).sum(1) / np.maximum(k, 1)
    dt = np.where(use, t - tm[:, None], 0)
    dz = np.where(use, z - zm[:, None], 0)
    sxx = (dt * dt).sum(1)
    slope = np.where((k >= 2) & (sxx > 0), (dt * dz).sum(1) / np.where(sxx > 0, sxx, 1), 0.0)
    # Spread of the annual changes over the whole window.
    step = np.diff(t, axis=1)
    ch = np.diff(z, axis=1) / step
    ok = mask[:, 1:] & mask[:, :-1] & (step > 0)
    n = ok.sum(1)
    mean = np.where(ok, ch, 0).sum(1) / np.maximum(n, 1)
    ss = np.where(ok, (ch - mean[:, None]) ** 2, 0).sum(1)
    dof = np.maximum(n - 1, 0)
    prior = cal.prior_sd0 + cal.prior_sd1 * np.abs(slope)
    var = (ss + cal.prior_weight * prior**2) / (dof + cal.prior_weight)
    return slope, np.sqrt(var)


def _errors(w: dict, cal: Calibration) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw location (no bias), σ̂ and the error on the g scale, each ``(N, len(HORIZONS))``."""
    slope, sigma = _states(w, cal.window, cal)
    z_last = w["z"][:, -1]
    loc = np.column_stack([z_last + slope * damped_sum(h, cal.phi) for h in HORIZONS])
    err = w["actual"] - loc
    return loc, np.repeat(sigma[:, None], len(HORIZONS), 1), err


def _fit_prior(w: dict, window: int) -> tuple[float, float]:
    """σ_prior = a0 + a1·|slope|: least squares of the own spread of annual changes on the slope,
    over windows of 6 points (5 changes), floored at zero."""
    base = Calibration(window=window, prior_weight=1e-9, prior_sd0=0.0, prior_sd1=0.0)
    rows = w["meta"]["n"].to_numpy() == MAX_W
    sub = {
        k: (v[rows] if isinstance(v, np.ndarray) else v[rows].reset_index(drop=True)) for k, v in w.items()
    }
    slope, sigma = _states(sub, window, base)
    ok = np.isfinite(sigma)
    a1, a0 = np.polyfit(np.abs(slope[ok]), sigma[ok], 1)
    return max(float(a0), 1e-4), max(float(a1), 0.0)


def _scale_and_df(u: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...], float]:
    """Horizon bias (median), scale (80 % of |u − β| inside ±c·t_0.9) and the df with the best
    likelihood, from standardised errors ``u`` (N, H)."""
    best: tuple[float, tuple[float, ...], tuple[float, ...], float] | None = None
    for df in DF_GRID:
        q = _t_distribution().ppf(0.9, df)
        betas, cs, ll = [], [], 0.0
        for j in range(u.shape[1]):
            uj = u[:, j][np.isfinite(u[:, j])]
            b = float(np.median(uj))
            c = float(np.quantile(np.abs(uj - b), INTERVAL_COVER) / q)
            betas.append(b)
            cs.append(c)
            ll += float(_t_distribution().logpdf((uj - b) / c, df).sum() - uj.size * math.log(c))
        if best is None or ll > best[0]:
            best = (ll, tuple(cs), tuple(betas), df)
    assert best is not None
    return best[1], best[2], best[3]


INTERVAL_COVER = 0.80


def fit(w: dict, rows: np.ndarray | None = None) -> Calibration:
    """Fit every parameter on the window rows ``rows`` (all by default)."""
    if rows is not None:
        w = {
            k: (v[rows] if isinstance(v, np.ndarray) else v[rows].reset_index(drop=True))
            for k, v in w.items()
        }
    # 1. Location: damping and slope window by the median absolute error on the g scale.
    loc_best: tuple[float, float, int] | None = None
    for window in SLOPE_WINDOW_GRID:
        for phi in PHI_GRID:
            cal = Calibration(phi=phi, window=window)
            _, _, err = _errors(w, cal)
            err = err - np.nanmedian(err, axis=0)  # the bias is corrected afterwards: score what remains
            score = float(np.nanmean(np.abs(err)))
            if loc_best is None or score < loc_best[0]:
                loc_best = (score, phi, window)
    assert loc_best is not None
    _, phi, window = loc_best
    # 2. Prior of the spread, 3. its weight, 4. horizon factors and df (by log-likelihood).
    a0, a1 = _fit_prior(w, window)
    best: tuple[float, Calibration] | None = None
    for pw in PRIOR_WEIGHT_GRID:
        cal = Calibration(phi=phi, window=window, prior_sd0=a0, prior_sd1=a1, prior_weight=pw)
        _, sigma, err = _errors(w, cal)
        u = err / sigma
        cs, betas, df = _scale_and_df(u)
        ok = np.isfinite(u)
        ll = 0.0
        for j in range(u.shape[1]):
            uj, sj = u[:, j][ok[:, j]], sigma[:, j][ok[:, j]]
            ll += float((_t_distribution().logpdf((uj - betas[j]) / cs[j], df) - np.log(cs[j] * sj)).sum())
        if best is None or ll > best[0]:
            best = (ll, replace(cal, horizon_scale=cs, horizon_bias=betas, df=df))
    assert best is not None
    cal = best[1]
    meta = w["meta"]
    return replace(
        cal,
        min_points=min(WINDOWS),
        fitted_on={
            "panel": "data/raw/public/calibration/panel.csv",
            "series": int(meta.groupby(["indicator", "geo"]).ngroups),
            "indicators": sorted(meta["indicator"].unique().tolist()),
            "windows": len(meta),
            "cases_by_horizon": {
                str(h): int(np.isfinite(w["actual"][:, j]).sum()) for j, h in enumerate(HORIZONS)
            },
        },
    )


def predictive_arrays(w: dict, cal: Calibration) -> tuple[np.ndarray, np.ndarray]:
    """Location (with bias) and scale of the predictive t for every window row and horizon."""
    loc, sigma, _ = _errors(w, cal)
    c = np.array(cal.horizon_scale[: len(HORIZONS)])
    b = np.array(cal.horizon_bias[: len(HORIZONS)])
    return loc + b[None, :] * sigma, sigma * c[None, :]


# --- honest scores ---------------------------------------------------------------------------------


def brier(p, y) -> float:
    p, y = np.asarray(p, float), np.asarray(y, float)
    return float(np.mean((p - y) ** 2))


def log_loss(p, y) -> float:
    p = np.clip(np.asarray(p, float), EPS, 1 - EPS)
    y = np.asarray(y, float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def cross_validate(w: dict) -> dict:
    """Refit without each fold of geographies and forecast that fold: the out-of-sample location,
    scale and df of every window row (so every score below is on data the fit never saw)."""
    n = len(w["meta"])
    loc = np.full((n, len(HORIZONS)), np.nan)
    sd = np.full((n, len(HORIZONS)), np.nan)
    df = np.full(n, np.nan)
    folds = w["meta"]["fold"].to_numpy()
    cals = {}
    for f in range(N_FOLDS):
        test = folds == f
        if not test.any():
            continue
        cal = fit(w, ~test)
        sub = {
            k: (v[test] if isinstance(v, np.ndarray) else v[test].reset_index(drop=True))
            for k, v in w.items()
        }
        lo, s = predictive_arrays(sub, cal)
        loc[test], sd[test], df[test] = lo, s, cal.df
        cals[f] = cal
    return {"loc": loc, "sd": sd, "df": df, "cals": cals}


def coverage_table(w: dict, cv: dict) -> pd.DataFrame:
    """Share of outcomes inside the out-of-sample 80 % interval, by horizon and window length."""
    rows = []
    q = _t_distribution().ppf(0.9, cv["df"])[:, None]
    inside = np.abs(w["actual"] - cv["loc"]) <= q * cv["sd"]
    have = np.isfinite(w["actual"])
    n_pts = w["meta"]["n"].to_numpy()
    for j, h in enumerate(HORIZONS):
        for n in (None,) + WINDOWS:
            sel = have[:, j] & ((n_pts == n) if n is not None else True)
            rows.append(
                {
                    "horizon": h,
                    "points": "all" if n is None else n,
                    "cases": int(sel.sum()),
                    "coverage80": float(inside[sel, j].mean()) if sel.any() else math.nan,
                }
            )
    return pd.DataFrame(rows)


def pit_values(w: dict, cv: dict) -> np.ndarray:
    """Probability integral transforms of the outcomes (uniform when the distribution is calibrated)."""
    x = (w["actual"] - cv["loc"]) / cv["sd"]
    pit = _t_distribution().cdf(x, cv["df"][:, None])
    return pit[np.isfinite(w["actual"])]


PSEUDO_FACTORS = (0.5, 1.0, 1.5)
"""Targets a plan might have set at the origin: the window's average change continued at half, the
same and one and a half times its pace (modest, trend-following and ambitious targets)."""


def pseudo_target_cases(w: dict, cv: dict) -> pd.DataFrame:
    """P(meet) against naive rules on targets built from information at the origin only."""
    t, z = w["t"], w["z"]
    first = np.argmax(w["mask"], axis=1)
    idx = np.arange(len(t))
    span = t[:, -1] - t[idx, first]
    avg = np.where(span > 0, (z[:, -1] - z[idx, first]) / np.where(span > 0, span, 1), 0.0)
    # Straight line through the last 3 points (the baseline of the issue).
    t3, z3 = t[:, -3:], z[:, -3:]
    tm, zm = t3.mean(1), z3.mean(1)
    b3 = ((t3 - tm[:, None]) * (z3 - zm[:, None])).sum(1) / ((t3 - tm[:, None]) ** 2).sum(1)
    dirs = np.where(w["meta"]["direction"].to_numpy() == "lower", -1.0, 1.0)
    out = []
    for j, h in enumerate(HORIZONS):
        have = np.isfinite(w["actual"][:, j])
        for f in PSEUDO_FACTORS:
            zstar = z[:, -1] + f * avg * h
            met = dirs * (w["actual"][:, j] - zstar) >= 0
            x = (zstar - cv["loc"][:, j]) / cv["sd"][:, j]
            p = np.where(dirs > 0, _t_distribution().sf(x, cv["df"]), _t_distribution().cdf(x, cv["df"]))
            last = (dirs * (z[:, -1] - zstar) >= 0).astype(float)
            line3 = (dirs * (zm + b3 * (t[:, -1] + h - tm) - zstar) >= 0).astype(float)
            for k in np.flatnonzero(have):
                out.append((h, f, int(w["meta"]["n"].iat[k]), bool(met[k]), float(p[k]), last[k], line3[k]))
    return pd.DataFrame(out, columns=["horizon", "factor", "points", "met", "p_model", "p_last", "p_line3"])


def score_probabilities(cases: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Brier score, log-loss and hit rate (p ≥ 0.5 read as 'will meet') of each forecast column."""
    y = cases["met"].astype(float).to_numpy()
    rows = []
    for label, col in columns.items():
        p = np.full(len(cases), 0.5) if col == "coin" else cases[col].to_numpy(float)
        rows.append(
            {
                "forecast": label,
                "cases": len(cases),
                "brier": brier(p, y),
                "log_loss": log_loss(p, y),
                "hit_rate": float(((p >= 0.5) == (y == 1)).mean()) if col != "coin" else 0.5,
            }
        )
    return pd.DataFrame(rows)


def reliability(p, met, bins: int = 5) -> pd.DataFrame:
    """Observed frequency of 'met' per band of forecast probability (the reliability diagram)."""
    p = np.asarray(p, float)
    y = np.asarray(met, float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    rows = []
    for b in range(bins):
        sel = which == b
        rows.append(
            {
                "bin_lo": edges[b],
                "bin_hi": edges[b + 1],
                "cases": int(sel.sum()),
                "mean_p": float(p[sel].mean()) if sel.any() else math.nan,
                "observed": float(y[sel].mean()) if sel.any() else math.nan,
            }
        )
    return pd.DataFrame(rows)


# --- real past plan targets --------------------------------------------------------------------------


def load_targets(path: Path | None = None) -> pd.DataFrame:
    df = pd.read_csv(path or targets_path(), dtype={"geo": str, "indicator": str})
    df["target"] = pd.to_numeric(df["target"], errors="coerce")
    return df[np.isfinite(df["target"])].reset_index(drop=True)


def real_target_cases(
    panel: pd.DataFrame, targets: pd.DataFrame, cals: dict[int, Calibration], max_horizon: int = 3
) -> pd.DataFrame:
    """Every real past target forecast as of each year 1…``max_horizon`` before its target year, from
    the values published up to then, with the calibration fitted WITHOUT the target's geography (its
    cross-validation fold). Columns: the case, the outcome ``met``, and the forecasts ``p_model``
    (this model), ``p_ols`` (the previous OLS t-predictive), ``p_last`` (the last value already at the
    target), ``p_line3`` (a straight line through the last three points reaches it)."""
    from .forecast import predict
    from .trajectory import project_series

    series = {k: g.sort_values("year") for k, g in panel.groupby(["geo", "indicator"])}
    out = []
    for tg in targets.itertuples(index=False):
        g = series.get((tg.geo, tg.indicator))
        if g is None:
            continue
        by_year = dict(zip(g["year"].astype(int), g["value"].astype(float)))
        T = int(tg.target_year)
        if T not in by_year:
            continue
        direction = str(tg.direction) if str(tg.direction) in ("higher", "lower") else "higher"
        d = 1.0 if direction == "higher" else -1.0
        met = d * (by_year[T] - float(tg.target)) >= 0
        scale, bounds = series_scale(g["unit"].iat[0])
        cal = cals[fold_of(str(tg.geo))]
        for h in range(1, max_horizon + 1):
            origin = T - h
            hist = g[g["year"] <= origin].tail(MAX_W)
            if len(hist) < cal.min_points or int(hist["year"].iat[-1]) != origin:
                continue
            t = hist["year"].to_numpy(float)
            y = hist["value"].to_numpy(float)
            pred = predict(t, y, float(T), scale, bounds, cal=cal)
            p_model = pred.prob_beyond(float(tg.target), direction)
            kind = "share" if scale == "logit" else ""
            p_ols = math.nan
            if len(t) >= 3:
                p_ols = project_series(t, y, float(tg.target), float(T), direction, kind, bounds)["p_meet"]
            line = np.polyfit(t[-3:], y[-3:], 1) if len(t) >= 3 else np.polyfit(t, y, 1)
            out.append(
                {
                    "geo": tg.geo,
                    "indicator": tg.indicator,
                    "plan": tg.plan,
                    "target_year": T,
                    "target": float(tg.target),
                    "origin": origin,
                    "horizon": h,
                    "points": len(t),
                    "outcome": by_year[T],
                    "met": bool(met),
                    "p_model": p_model,
                    "median": pred.median,
                    "lo80": pred.interval()[0],
                    "hi80": pred.interval()[1],
                    "p_ols": p_ols,
                    "p_last": float(d * (y[-1] - float(tg.target)) >= 0),
                    "p_line3": float(d * (np.polyval(line, T) - float(tg.target)) >= 0),
                }
            )
    return pd.DataFrame(out)


def track_record(panel_file: Path | None = None, targets_file: Path | None = None) -> dict:
    """Everything the benchmark and the annual report's track-record page show, out of sample."""
    panel = load_panel(panel_file)
    w = build_windows(panel)
    cv = cross_validate(w)
    pseudo = pseudo_target_cases(w, cv)
    real = pd.DataFrame()
    tfile = targets_file or targets_path()
    if Path(tfile).is_file():
        real = real_target_cases(panel, load_targets(tfile), cv["cals"])
    cols = {
        "this model": "p_model",
        "last value": "p_last",
        "line through last 3": "p_line3",
        "p = 0.5": "coin",
    }
    return {
        "coverage": coverage_table(w, cv),
        "pit": np.histogram(pit_values(w, cv), bins=10, range=(0, 1))[0],
        "pseudo_scores": score_probabilities(pseudo, cols),
        "pseudo_reliability": reliability(pseudo["p_model"], pseudo["met"]),
        "real_cases": real,
        "real_scores": (
            score_probabilities(real.dropna(subset=["p_ols"]), {**cols, "previous OLS model": "p_ols"})
            if not real.empty
            else pd.DataFrame()
        ),
        "real_coverage": (
            float(((real["lo80"] <= real["outcome"]) & (real["outcome"] <= real["hi80"])).mean())
            if not real.empty
            else math.nan
        ),
        "n_series": int(w["meta"].groupby(["indicator", "geo"]).ngroups),
        "n_windows": len(w["meta"]),
    }


TRACK_RECORD_FILE = CALIBRATION_FILE.with_name("forecast_track_record.json")


def summarise_track_record(r: dict) -> dict:
    """The figures the annual report's track-record page shows, rounded, as plain JSON."""

    def rows(df: pd.DataFrame) -> list[dict]:
        out = []
        for rec in df.to_dict("records"):
            out.append(
                {
                    k: (
                        round(float(v), 4)
                        if isinstance(v, (float, np.floating))
                        else int(v)
                        if isinstance(v, (np.integer,))
                        else v
                    )
                    for k, v in rec.items()
                }
            )
        return out

    cov = r["coverage"]
    real = r["real_cases"]
    return {
        "n_series": r["n_series"],
        "n_windows": r["n_windows"],
        "coverage_by_horizon": rows(cov[cov["points"] == "all"].drop(columns="points")),
        "coverage_by_points": rows(cov[cov["points"] != "all"]),
        "pit_histogram": [int(x) for x in r["pit"]],
        "pseudo_scores": rows(r["pseudo_scores"]),
        "pseudo_reliability": rows(r["pseudo_reliability"]),
        "real_scores": rows(r["real_scores"]) if len(real) else [],
        "real_coverage": round(float(r["real_coverage"]), 4) if len(real) else None,
        "real_targets": int(real.groupby(["geo", "indicator", "target_year", "plan"]).ngroups)
        if len(real)
        else 0,
        "real_forecasts": len(real),
        "real_met": int(real["met"].sum()) if len(real) else 0,
    }


def main(argv: list[str] | None = None) -> int:
    """Refit from the shipped panel; write the calibration and its out-of-sample track record."""
    argv = sys.argv[1:] if argv is None else argv
    panel = load_panel(Path(argv[0]) if argv else None)
    cal = fit(build_windows(panel))
    CALIBRATION_FILE.write_text(cal.to_json(), encoding="utf-8")
    summary = summarise_track_record(track_record(Path(argv[0]) if argv else None))
    TRACK_RECORD_FILE.write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {CALIBRATION_FILE} and {TRACK_RECORD_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

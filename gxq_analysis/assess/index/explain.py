"""What the index's change means: decomposition, sensitivity, leave-one-out, robustness (steps 6-7)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...model.plan import Plan
from .compute import IndexResult, aggregate_arrays, with_normalisation
from .config import COVERAGE_CHANGE, DIMENSIONS, OVERALL

# --------------------------------------------------------------------------------------------------
# Decomposition
# --------------------------------------------------------------------------------------------------


@dataclass
class Decomposition:
    year: int
    previous: int
    computable: bool
    reason: str
    total: float  # overall change (index points)
    by_indicator: pd.DataFrame  # dimension, indicator_id, kind, prev, curr, delta, share, contribution
    by_dimension: (
        pd.DataFrame
    )  # dimension, prev, curr, change, dimension_share, contribution, coverage_changed

    @property
    def coverage_changed(self) -> list[str]:
        return list(self.by_dimension.loc[self.by_dimension["coverage_changed"], "dimension"])


def decompose(result: IndexResult, year: int, previous: int | None = None) -> Decomposition:
    """Exact contributions of each indicator and dimension to the change of the overall score.

    With dimension shares ``s_d = W_d / ΣW`` and, for the indicators ``C`` available in both years,
    within-dimension shares ``a_i = w_i / Σ_C w``:

    ``contribution_i = s_d × a_i × 100 × (n_i,t − n_i,t−1)``.

    When the dimension's set of available indicators differs between the two years, the rest of the
    dimension's change, ``s_d × (ΔS_d − Σ_C a_i × 100 × Δn_i)``, is a separate ``__coverage_change__`` line
    (flagged), so the contributions always add up to the total change.
    """
    previous = year - 1 if previous is None else previous
    cols_i = ["dimension", "indicator_id", "kind", "prev", "curr", "delta", "share", "contribution"]
    cols_d = ["dimension", "prev", "curr", "change", "dimension_share", "contribution", "coverage_changed"]
    empty = Decomposition(
        year, previous, False, "", np.nan, pd.DataFrame(columns=cols_i), pd.DataFrame(columns=cols_d)
    )
    for y in (previous, year):
        ok, why = result.computable(y)
        if not ok:
            empty.reason = f"{y}: {why}"
            return empty
    cfg = result.config
    active = result.mapping[result.mapping["weight"] > 0]
    dims_used = [
        d for d in DIMENSIONS if cfg.dimension_weights.get(d, 0) > 0 and (active["dimension"] == d).any()
    ]
    wsum = sum(cfg.dimension_weights[d] for d in dims_used)
    rows_i, rows_d = [], []
    for d in dims_used:
        s_d = cfg.dimension_weights[d] / wsum
        ids = list(active.index[active["dimension"] == d])
        n0 = result.normalised.loc[ids, previous]
        n1 = result.normalised.loc[ids, year]
        common = [i for i in ids if not np.isnan(n0[i]) and not np.isnan(n1[i])]
        changed = set(i for i in ids if not np.isnan(n0[i])) != set(i for i in ids if not np.isnan(n1[i]))
        S0, S1 = result.dimensions.at[previous, d], result.dimensions.at[year, d]
        wc = active.loc[common, "weight"].sum() if common else 0.0
        like = 0.0
        for i in ids:
            if i in common and wc > 0:
                a = active.at[i, "weight"] / wc
                delta = 100.0 * (n1[i] - n0[i])
                c = s_d * a * delta
                like += a * delta
                rows_i.append(
                    {
                        "dimension": d,
                        "indicator_id": i,
                        "kind": "indicator",
                        "prev": 100 * n0[i],
                        "curr": 100 * n1[i],
                        "delta": delta,
                        "share": s_d * a,
                        "contribution": c,
                    }
                )
            else:
                rows_i.append(
                    {
                        "dimension": d,
                        "indicator_id": i,
                        "kind": "not_in_both_years",
                        "prev": 100 * n0[i],
                        "curr": 100 * n1[i],
                        "delta": np.nan,
                        "share": 0.0,
                        "contribution": 0.0,
                    }
                )
        rest = (S1 - S0) - like
        if changed:
            rows_i.append(
                {
                    "dimension": d,
                    "indicator_id": COVERAGE_CHANGE,
                    "kind": "coverage_change",
                    "prev": np.nan,
                    "curr": np.nan,
                    "delta": rest,
                    "share": s_d,
                    "contribution": s_d * rest,
                }
            )
        rows_d.append(
            {
                "dimension": d,
                "prev": S0,
                "curr": S1,
                "change": S1 - S0,
                "dimension_share": s_d,
                "contribution": s_d * (S1 - S0),
                "coverage_changed": changed,
            }
        )
    total = float(result.overall[year] - result.overall[previous])
    return Decomposition(
        year,
        previous,
        True,
        "",
        total,
        pd.DataFrame(rows_i, columns=cols_i),
        pd.DataFrame(rows_d, columns=cols_d),
    )


# --------------------------------------------------------------------------------------------------
# Sensitivity
# --------------------------------------------------------------------------------------------------


def _weight_draws(
    mapping: pd.DataFrame, dimension_weights: dict[str, float], draws: int, seed: int, concentration: float
):
    """Random weights centred on the chosen ones: Dirichlet(c · k · p) over the k dimensions (p = chosen
    shares) and likewise over each dimension's indicators. Returns (dimension draws × dims,
    indicator draws × indicators) with indicator weights normalised within their dimension."""
    rng = np.random.default_rng(seed)
    active = mapping[mapping["weight"] > 0]
    dims = [d for d in DIMENSIONS if dimension_weights.get(d, 0) > 0 and (active["dimension"] == d).any()]
    p = np.array([dimension_weights[d] for d in dims], dtype="float64")
    p /= p.sum()
    W = rng.dirichlet(concentration * len(dims) * p, size=draws) if len(dims) > 1 else np.ones((draws, 1))
    w = np.zeros((draws, len(mapping)))
    pos = {iid: k for k, iid in enumerate(mapping.index)}
    for d in dims:
        ids = list(active.index[active["dimension"] == d])
        q = active.loc[ids, "weight"].to_numpy(dtype="float64", copy=True)
        q = q / q.sum()
        wd = rng.dirichlet(concentration * len(ids) * q, size=draws) if len(ids) > 1 else np.ones((draws, 1))
        for j, iid in enumerate(ids):
            w[:, pos[iid]] = wd[:, j]
    return dims, W, w


def _overall_for_weights(result: IndexResult, dims, W: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Overall score (draws × years) for many weight vectors at once, with the same coverage rule."""
    norm = result.normalised.to_numpy(dtype="float64")
    avail = ~np.isnan(norm)
    n0 = np.where(avail, norm, 0.0)
    comp = result.coverage.set_index(["year", "dimension"])["computable"]
    out = np.zeros((W.shape[0], len(result.years)))
    dim_of = result.mapping["dimension"].to_numpy()
    for k, d in enumerate(dims):
        rows = dim_of == d
        num = w[:, rows] @ n0[rows]
        den = w[:, rows] @ avail[rows].astype("float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            s = 100.0 * num / den
        ok = np.array([bool(comp.get((y, d), False)) for y in result.years])
        s[:, ~ok] = np.nan
        out += W[:, [k]] * s
    return out


@dataclass
class Sensitivity:
    summary: (
        pd.DataFrame
    )  # normalisation, year, central, lo, median, hi, change_central, change_lo, change_hi, p_rise
    p_rise: pd.Series  # by year: share of all draws (all normalisations) with a rise
    draws: dict[str, np.ndarray]  # normalisation -> draws × years
    years: list[int]
    interval: tuple[float, float]
    n_draws: int
    seed: int

    def band(self, normalisation: str) -> pd.DataFrame:
        return self.summary[self.summary["normalisation"] == normalisation].set_index("year")


def sensitivity(
    result: IndexResult,
    plan: Plan,
    draws: int | None = None,
    seed: int | None = None,
    normalisations=None,
    concentration: float | None = None,
    interval: tuple[float, float] | None = None,
) -> Sensitivity:
    """Uncertainty of the index and its year-on-year change under random weights and normalisations.

    The same seeded weight draws are used under each normalisation (the result's own first, then the
    configured alternatives). ``p_rise`` is the share of draws in which the overall score rose from the
    previous year (all normalisations pooled; per normalisation in ``summary``).
    """
    cfg = result.config
    draws = cfg.draws if draws is None else draws
    seed = cfg.seed if seed is None else seed
    concentration = cfg.concentration if concentration is None else concentration
    interval = cfg.interval if interval is None else interval
    if normalisations is None:
        normalisations = [result.normalisation] + [a for a in cfg.alternatives if a != result.normalisation]
    dims, W, w = _weight_draws(result.mapping, cfg.dimension_weights, draws, seed, concentration)
    rows, store = [], {}
    pooled_rise: dict[int, list[np.ndarray]] = {y: [] for y in result.years[1:]}
    for method in normalisations:
        r = result if method == result.normalisation else with_normalisation(result, method, plan)
        sims = _overall_for_weights(r, dims, W, w)
        store[method] = sims
        for j, y in enumerate(result.years):
            col = sims[:, j]
            c = r.overall[y]
            rec = {
                "normalisation": method,
                "year": y,
                "central": c,
                "lo": np.nan,
                "median": np.nan,
                "hi": np.nan,
                "change_central": np.nan,
                "change_lo": np.nan,
                "change_hi": np.nan,
                "p_rise": np.nan,
            }
            if not np.isnan(col).any():
                rec.update(
                    lo=float(np.quantile(col, interval[0])),
                    median=float(np.median(col)),
                    hi=float(np.quantile(col, interval[1])),
                )
            if j > 0:
                ch = col - sims[:, j - 1]
                rec["change_central"] = c - r.overall[result.years[j - 1]]
                if not np.isnan(ch).any():
                    rec.update(
                        change_lo=float(np.quantile(ch, interval[0])),
                        change_hi=float(np.quantile(ch, interval[1])),
                        p_rise=float(np.mean(ch > 0)),
                    )
                    pooled_rise[y].append(ch)
            rows.append(rec)
    p_rise = pd.Series(
        {y: (float(np.mean(np.concatenate(v) > 0)) if v else np.nan) for y, v in pooled_rise.items()},
        name="p_rise",
        dtype="float64",
    )
    p_rise.index.name = "year"
    return Sensitivity(
        summary=pd.DataFrame(rows),
        p_rise=p_rise,
        draws=store,
        years=list(result.years),
        interval=(float(interval[0]), float(interval[1])),
        n_draws=draws,
        seed=seed,
    )


def leave_one_out(result: IndexResult, plan: Plan) -> pd.DataFrame:
    """The overall score and its change when each indicator (weight > 0) is left out in turn.

    Columns: ``indicator_id, dimension, year, overall, change, overall_shift, change_shift, computable,
    reason`` (shift = difference from the full index). Leaving an indicator out can make its dimension
    not computable; that shows as NaN with the reason.
    """
    rows = []
    central = _by_year(result.overall)
    for iid in result.mapping.index[result.mapping["weight"] > 0]:
        m = result.mapping.copy()
        m.loc[iid, "weight"] = 0.0
        norm = result.normalised  # normalisation does not depend on the weights
        # aggregate's numbers without its frames: the overall score and its reason by year
        years, _scores, overall_vals, cov = aggregate_arrays(
            norm, m, result.config.dimension_weights, result.config.min_share, result.config.min_count
        )
        overall = dict(zip(years, overall_vals))
        reasons = {r["year"]: r["reason"] for r in cov if r["dimension"] == OVERALL}
        dimension = result.mapping.at[iid, "dimension"]
        for j, y in enumerate(result.years):
            ch = overall[y] - overall[result.years[j - 1]] if j > 0 else np.nan
            cch = central[y] - central[result.years[j - 1]] if j > 0 else np.nan
            rows.append(
                {
                    "indicator_id": iid,
                    "dimension": dimension,
                    "year": y,
                    "overall": overall[y],
                    "change": ch,
                    "overall_shift": overall[y] - central[y],
                    "change_shift": ch - cch,
                    "computable": not np.isnan(overall[y]),
                    "reason": reasons.get(y, ""),
                }
            )
    return pd.DataFrame(rows)


def _by_year(scores: pd.Series) -> dict:
    """A year-indexed score Series as a dict (leave_one_out reads each year's score per indicator),
    with the same numpy scalars ``scores[y]`` gives."""
    return dict(zip(scores.index, scores.to_numpy()))


ROBUSTNESS_LEVELS = (
    "robust_rise",
    "likely_rise",
    "uncertain",
    "likely_fall",
    "robust_fall",
    "not_computable",
)


def robustness(p_rise: float, loo_changes=None, threshold: float = 0.9) -> str:
    """Classify a year's change: ``robust_rise`` when at least ``threshold`` of the draws rose and no
    leave-one-out variant fell; ``likely_rise`` when over two thirds rose; symmetric for falls."""
    if p_rise is None or np.isnan(p_rise):
        return "not_computable"
    loo = np.asarray([c for c in (loo_changes if loo_changes is not None else []) if not np.isnan(c)])
    if p_rise >= threshold and (loo.size == 0 or (loo > 0).all()):
        return "robust_rise"
    if 1 - p_rise >= threshold and (loo.size == 0 or (loo < 0).all()):
        return "robust_fall"
    if p_rise > 2 / 3:
        return "likely_rise"
    if p_rise < 1 / 3:
        return "likely_fall"
    return "uncertain"

"""The index from the tidy table: transform, normalise, aggregate, rebase (steps 1-5 of the method)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...model.periods import Period, parse_period
from ...model.plan import Plan
from ...model.series import ObsIndex, annual_values
from .config import DIMENSIONS, NORMALISATIONS, OVERALL, IndexConfig, load_index_config, load_index_mapping

# --------------------------------------------------------------------------------------------------
# Data, transform, normalisation
# --------------------------------------------------------------------------------------------------


def annual_long(
    obs: pd.DataFrame | ObsIndex,
    plan: Plan,
    indicator_ids,
    geo: str | None = None,
    as_of: Period | str | None = None,
) -> pd.DataFrame:
    """Complete annual values of the given indicators (long: ``indicator_id, year, value`` + provenance)."""
    frames = []
    for iid in indicator_ids:
        a = annual_values(obs, plan, iid, geo=geo, as_of=as_of)
        if not a.empty:
            frames.append(a.assign(indicator_id=iid))
    if not frames:
        return pd.DataFrame(
            columns=[
                "indicator_id",
                "year",
                "value",
                "period",
                "method",
                "source_file",
                "source_row",
                "illustrative",
            ]
        )
    out = pd.concat(frames, ignore_index=True)
    return out[["indicator_id", *[c for c in out.columns if c != "indicator_id"]]]


def values_table(long: pd.DataFrame, indicator_ids, years) -> pd.DataFrame:
    """Pivot long annual values to an indicator × year table (NaN where missing)."""
    t = pd.DataFrame(
        np.nan,
        index=pd.Index(list(indicator_ids), name="indicator_id"),
        columns=pd.Index(list(years), name="year"),
        dtype="float64",
    )
    for iid, year, value in zip(long["indicator_id"], long["year"], long["value"]):
        if iid in t.index and int(year) in t.columns:
            t.at[iid, int(year)] = float(value)
    return t


def apply_transform(x, transform: str):
    """``none`` | ``sqrt`` | ``log`` (ln(1 + x)). Negative inputs cannot be transformed (NaN)."""
    x = np.asarray(x, dtype="float64")
    if transform == "none":
        return x
    with np.errstate(invalid="ignore"):
        neg = x < 0
        if transform == "sqrt":
            out = np.sqrt(np.where(neg, np.nan, x))
        elif transform == "log":
            out = np.log1p(np.where(neg, np.nan, x))
        else:
            raise ValueError(f"unknown transform {transform!r}")
    return out


class _PlanTargets:
    """Each indicator's targets as :meth:`Plan.targets_for` orders them (by year), as ``(year, target)``
    pairs read in one pass over the plan's targets: a normalisation asks for every indicator's
    (``targets_for`` selects and sorts a frame per call). An indicator with two targets for one year
    is left to ``targets_for`` itself, whose sort decides their order."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.end_year = plan.end_year
        t = plan.targets
        pairs: dict[str, list[tuple[int, float]]] = {}
        for iid, year, target in zip(t["indicator_id"].tolist(), t["year"].tolist(), t["target"].tolist()):
            pairs.setdefault(iid, []).append((year, target))
        self._pairs = {
            iid: sorted(p, key=lambda yt: yt[0])
            for iid, p in pairs.items()
            if len({y for y, _ in p}) == len(p)
        }
        self._ties = set(pairs) - set(self._pairs)

    def pairs(self, iid: str) -> list[tuple]:
        if iid in self._ties:
            f = self.plan.targets_for(iid)
            return list(zip(f["year"].tolist(), f["target"].tolist()))
        return self._pairs.get(iid, [])


def _target_values(plan: Plan | _PlanTargets, iid: str, years) -> list[float]:
    pairs = (plan if isinstance(plan, _PlanTargets) else _PlanTargets(plan)).pairs(iid)
    return [float(v) for y, v in pairs if int(y) in set(years)]


def _final_target(plan: Plan | _PlanTargets, iid: str) -> tuple[int | None, float | None]:
    """The target of the plan's end year, else of the indicator's last target year."""
    targets = plan if isinstance(plan, _PlanTargets) else _PlanTargets(plan)
    pairs = targets.pairs(iid)
    if not pairs:
        return None, None
    at_end = [(y, v) for y, v in pairs if y == targets.end_year]
    year, target = at_end[0] if at_end else pairs[-1]
    return int(year), float(target)


def normalise(
    values: pd.DataFrame,
    mapping: pd.DataFrame,
    plan: Plan,
    method: str,
    years=None,
    base_year: int | None = None,
    include_targets: bool = True,
    target_years=None,
) -> tuple[pd.DataFrame, list[dict]]:
    """Direction-aware normalisation of an indicator × year table to [0, 1] (``ratio`` is unbounded).

    ``years`` is the pooled window of values for ``minmax`` (default: every column); with
    ``include_targets`` the plan's targets for ``target_years`` (default: ``years``) join the pool, so
    an edition as of 2019 already places its values against the 2020 targets. Returns the normalised
    table and a list of notes (``indicator_id, method, flag, reason``) for indicators that could not be
    normalised or were treated specially.
    """
    if method not in NORMALISATIONS:
        raise ValueError(f"normalisation must be one of {', '.join(NORMALISATIONS)}, not {method!r}")
    years = list(values.columns) if years is None else list(years)
    target_years = years if target_years is None else list(target_years)
    # Plain arrays in the loop (the same numbers as .loc / .at on the frames): each indicator's row
    # of values, its transform and direction, its targets; the rows of ``out`` filled in place.
    table = values.to_numpy(dtype="float64")
    out_rows = np.full(table.shape, np.nan, dtype="float64")
    transforms = dict(zip(mapping.index, mapping["transform"].tolist()))
    directions = dict(zip(mapping.index, mapping["direction"].tolist()))
    targets = _PlanTargets(plan) if method in ("minmax", "target") else None
    notes: list[dict] = []

    def note(iid, flag, reason):
        notes.append({"indicator_id": iid, "method": method, "flag": flag, "reason": reason})

    for i, iid in enumerate(values.index):
        transform = transforms[iid]
        lower = directions[iid] == "lower"
        x = apply_transform(table[i], transform)
        if np.all(np.isnan(x)):
            continue
        if method == "minmax":
            pool = [v for y, v in zip(values.columns, x) if y in years and not np.isnan(v)]
            if include_targets:
                pool += [
                    v
                    for v in apply_transform(_target_values(targets or plan, iid, target_years), transform)
                    if not np.isnan(v)
                ]
            if not pool:
                note(iid, "no_data_in_window", "no value in the pooled window")
                continue
            lo, hi = min(pool), max(pool)
            if hi == lo:
                n = np.where(np.isnan(x), np.nan, 0.5)
                note(iid, "constant_in_window", "the same value in every year of the window: scored 0.5")
            else:
                n = (hi - x) / (hi - lo) if lower else (x - lo) / (hi - lo)
        elif method == "target":
            _ty, t = _final_target(targets or plan, iid)
            if t is None:
                note(iid, "no_target", "no target in the plan")
                continue
            t = float(apply_transform([t], transform)[0])
            if not t > 0:
                note(iid, "target_not_positive", f"target {t:g} is not positive: completion undefined")
                continue
            with np.errstate(divide="ignore", invalid="ignore"):
                n = np.where(x <= 0, 1.0, t / x) if lower else np.clip(x / t, 0, None)
            n = np.where(np.isnan(x), np.nan, np.minimum(n, 1.0))
        else:  # ratio
            if base_year is None or base_year not in values.columns:
                note(iid, "no_base_year", "no base year configured or base year outside the table")
                continue
            b = x[list(values.columns).index(base_year)]
            if np.isnan(b) or not b > 0:
                note(iid, "no_base_value", f"no positive value in the base year {base_year}")
                continue
            with np.errstate(divide="ignore", invalid="ignore"):
                n = np.where(x > 0, b / x, np.nan) if lower else x / b
        out_rows[i] = n
    out = pd.DataFrame(out_rows, index=values.index, columns=values.columns, dtype="float64")
    return out, notes


# --------------------------------------------------------------------------------------------------
# Aggregation
# --------------------------------------------------------------------------------------------------


def required_count(n_indicators: int, min_share: float, min_count: int) -> int:
    """Indicators a dimension needs in a year: ``max(min_count, ceil(min_share × n))`` (never above n)."""
    if n_indicators == 0:
        return 0
    return min(n_indicators, max(min_count, math.ceil(min_share * n_indicators - 1e-9)))


def aggregate(
    normalised: pd.DataFrame,
    mapping: pd.DataFrame,
    dimension_weights: dict[str, float] | None = None,
    min_share: float = 0.5,
    min_count: int = 1,
):
    """Dimension scores (year × dimension, 0–100), the overall score (Series by year) and a coverage table.

    The coverage table has one row per (year, dimension) with ``n_indicators, n_available, required,
    share_available, computable, reason``, plus rows with dimension ``overall``.
    """
    years, score_mat, overall_vals, rows = aggregate_arrays(
        normalised, mapping, dimension_weights, min_share, min_count
    )
    scores = pd.DataFrame(
        score_mat, index=pd.Index(years, name="year"), columns=list(DIMENSIONS), dtype="float64"
    )
    overall = pd.Series(overall_vals, index=pd.Index(years, name="year"), name=OVERALL, dtype="float64")
    coverage = pd.DataFrame(rows)
    return scores, overall, coverage


def aggregate_arrays(
    normalised: pd.DataFrame,
    mapping: pd.DataFrame,
    dimension_weights: dict[str, float] | None = None,
    min_share: float = 0.5,
    min_count: int = 1,
) -> tuple[list, np.ndarray, np.ndarray, list[dict]]:
    """:func:`aggregate` before its frames: the years, the year × dimension scores, the overall scores
    by year and the coverage rows (leave_one_out reads only the overall ones, once per indicator)."""
    dimension_weights = dimension_weights or {d: 1.0 for d in DIMENSIONS}
    years = list(normalised.columns)
    active = mapping[mapping["weight"] > 0]
    active_ids, active_dims = list(active.index), active["dimension"].tolist()
    active_weights = active["weight"].to_numpy(dtype="float64")
    dims_used = [d for d in DIMENSIONS if dimension_weights.get(d, 0) > 0 and d in active_dims]
    # Plain arrays in the loops (leave_one_out calls this once per indicator): the same numbers,
    # in the same order, as .loc / .at on the frames.
    values = normalised.to_numpy(dtype="float64")
    score_mat = np.full((len(years), len(DIMENSIONS)), np.nan, dtype="float64")
    dim_pos = {d: k for k, d in enumerate(DIMENSIONS)}
    rows = []
    for d in DIMENSIONS:
        in_d = [k for k, dim in enumerate(active_dims) if dim == d]
        ids = [active_ids[k] for k in in_d]
        w = active_weights[in_d]
        need = required_count(len(ids), min_share, min_count)
        pos = normalised.index.get_indexer(ids) if ids else np.array([], dtype=int)
        if (pos < 0).any():
            raise KeyError(
                f"indicators not in the normalised table: {[i for i, p in zip(ids, pos) if p < 0]}"
            )
        for j, y in enumerate(years):
            n = values[pos, j] if ids else np.array([])
            avail = ~np.isnan(n)
            k = int(avail.sum())
            if not ids:
                ok, reason = False, "no indicator with a positive weight"
            elif dimension_weights.get(d, 0) <= 0:
                ok, reason = False, "dimension weight is 0"
            elif k < need:
                ok, reason = False, f"only {k} of {len(ids)} indicators have a value (at least {need} needed)"
            else:
                ok, reason = True, ""
            if ok:
                score_mat[j, dim_pos[d]] = 100.0 * float(np.sum(w[avail] * n[avail]) / np.sum(w[avail]))
            rows.append(
                {
                    "year": y,
                    "dimension": d,
                    "n_indicators": len(ids),
                    "n_available": k,
                    "required": need,
                    "share_available": (k / len(ids)) if ids else np.nan,
                    "computable": ok,
                    "reason": reason,
                }
            )
    overall_vals = np.full(len(years), np.nan, dtype="float64")
    wd = np.array([dimension_weights[d] for d in dims_used], dtype="float64")
    used_pos = [dim_pos[d] for d in dims_used]
    for j, y in enumerate(years):
        missing = [d for d in dims_used if np.isnan(score_mat[j, dim_pos[d]])]
        if dims_used and not missing:
            overall_vals[j] = float(np.sum(wd * score_mat[j, used_pos]) / wd.sum())
            reason = ""
        else:
            reason = ("not computable: " + "、".join(missing)) if missing else "no dimension to aggregate"
        n_dims = len(dims_used)
        rows.append(
            {
                "year": y,
                "dimension": OVERALL,
                "n_indicators": n_dims,
                "n_available": n_dims - len(missing),
                "required": n_dims,
                "share_available": (n_dims - len(missing)) / n_dims if n_dims else np.nan,
                "computable": not np.isnan(overall_vals[j]),
                "reason": reason,
            }
        )
    return years, score_mat, overall_vals, rows


def rebase(scores, base_year: int | None):
    """``100 × score_t / score_base`` for a Series (by year) or a year × column DataFrame.

    Where the base-year score is missing or not positive the rebased values are NaN (not computable);
    check :func:`rebase_reason` for the explanation. No base year (``None``): not computable.
    """
    if isinstance(scores, pd.Series):
        b = scores.get(base_year, np.nan)
        if pd.isna(b) or b <= 0:
            return scores * np.nan
        return 100.0 * scores / b
    out = scores.copy() * np.nan
    if base_year not in scores.index:
        return out
    for c in scores.columns:
        out[c] = rebase(scores[c], base_year)
    return out


def rebase_reason(scores: pd.Series, base_year: int) -> str:
    b = scores.get(base_year, np.nan)
    if pd.isna(b):
        return f"the base year {base_year} has no score"
    if b <= 0:
        return f"the base-year ({base_year}) score is {b:g}: a ratio to it is undefined"
    return ""


# --------------------------------------------------------------------------------------------------
# The index
# --------------------------------------------------------------------------------------------------


@dataclass
class IndexResult:
    """Everything the index computed, kept together so reports can show coverage and flags."""

    config: IndexConfig
    mapping: pd.DataFrame
    years: list[int]
    values: pd.DataFrame  # indicator × year, raw annual values (catalogue units)
    normalised: pd.DataFrame  # indicator × year, [0, 1] (ratio: relative to base)
    dimensions: pd.DataFrame  # year × dimension, 0–100 (NaN = not computable)
    overall: pd.Series  # by year
    coverage: pd.DataFrame  # (year, dimension|overall) rows: n_available, computable, reason
    notes: list[dict]
    provenance: pd.DataFrame  # long annual values with source and illustrative flag
    normalisation: str = "minmax"
    window: list[int] = field(default_factory=list)  # the plan window whose targets set the goalposts

    @property
    def availability(self) -> pd.DataFrame:
        """Indicator × year table of True/False (a value exists), with the dimension as first column."""
        t = self.values.notna()
        t.insert(0, "dimension", self.mapping.loc[t.index, "dimension"])
        return t

    def scores(self) -> pd.DataFrame:
        """Year × (dimensions + overall) table of scores."""
        return self.dimensions.assign(**{OVERALL: self.overall})

    def rebased(self, base_year: int | None = None) -> pd.DataFrame:
        base = self.config.base_year if base_year is None else base_year
        return rebase(self.scores(), base)

    def computable(self, year: int, dimension: str = OVERALL) -> tuple[bool, str]:
        r = self.coverage[(self.coverage["year"] == year) & (self.coverage["dimension"] == dimension)]
        if r.empty:
            return False, f"{year} is outside the index years {self.years[0]}–{self.years[-1]}"
        return bool(r["computable"].iloc[0]), str(r["reason"].iloc[0])

    @property
    def any_illustrative(self) -> bool:
        return bool(
            self.provenance.get("illustrative", pd.Series(dtype=bool)).fillna(False).astype(bool).any()
        )


def compute_index(
    obs: pd.DataFrame | ObsIndex,
    plan: Plan,
    config: IndexConfig | None = None,
    mapping: pd.DataFrame | None = None,
    geo: str | None = None,
    as_of: Period | str | None = None,
    normalisation: str | None = None,
) -> IndexResult:
    """Compute the index for the window years from the clean table (zone values by default).

    ``as_of`` limits the data to what had been reported by then (an annual report for 2019 passes 2019).
    """
    config = config or load_index_config(plan)
    mapping = load_index_mapping(plan) if mapping is None else mapping
    method = normalisation or config.normalisation
    years = config.years(plan)
    if as_of is not None:  # a report as of 2019 shows the years up to 2019, not empty later years
        cut = parse_period(as_of)
        last = cut.year if cut.end_month == 12 else cut.year - 1
        years = [y for y in years if y <= last] or years[:1]
    long = annual_long(obs, plan, mapping.index, geo=geo, as_of=as_of)
    long = long[long["year"].isin(years)].reset_index(drop=True)
    values = values_table(long, mapping.index, years)
    return _index_from_values(values, mapping, plan, config, method, long, window=config.years(plan))


def _index_from_values(values, mapping, plan, config, method, provenance=None, window=None) -> IndexResult:
    values = values.reindex(mapping.index)
    years = list(values.columns)
    window = list(years) if window is None else list(window)
    norm, notes = normalise(
        values,
        mapping,
        plan,
        method,
        years=years,
        base_year=config.base_year,
        include_targets=config.minmax_include_targets,
        target_years=window,
    )
    dims, overall, coverage = aggregate(
        norm, mapping, config.dimension_weights, config.min_share, config.min_count
    )
    if provenance is None:
        provenance = pd.DataFrame(columns=["indicator_id", "year", "value", "illustrative"])
    return IndexResult(
        config=config,
        mapping=mapping,
        years=years,
        values=values,
        normalised=norm,
        dimensions=dims,
        overall=overall,
        coverage=coverage,
        notes=notes,
        provenance=provenance,
        normalisation=method,
        window=window,
    )


def index_from_values(
    values: pd.DataFrame,
    mapping: pd.DataFrame,
    plan: Plan,
    config: IndexConfig | None = None,
    normalisation: str | None = None,
) -> IndexResult:
    """The index from an indicator × year table of values (for tests and what-if analysis)."""
    config = config or IndexConfig(base_year=int(values.columns[0]))
    return _index_from_values(values, mapping, plan, config, normalisation or config.normalisation)


def with_normalisation(result: IndexResult, method: str, plan: Plan) -> IndexResult:
    """The same data and weights under another normalisation."""
    return _index_from_values(
        result.values, result.mapping, plan, result.config, method, result.provenance, window=result.window
    )

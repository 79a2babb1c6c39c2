"""The composite innovation-capability index (plan 三(三): 创新主体, 创新投入, 创新人才, 创新成果, 创新环境).

Method (details and reasons in ``docs/methods.md``, section "Innovation-capability index"):

1. **Data.** The zone's complete annual value of every indicator and year, from the clean table through
   :func:`gxq_analysis.series.annual_values` (so each value keeps its provenance).
2. **Mapping as data.** ``index_dimensions.csv`` in the plan folder maps every plan indicator to one of the
   five dimensions, with a weight (equal by default) and a transform for skewed counts
   (``none | sqrt | log``; ``log`` is ln(1 + x) so zeros are allowed). ``index_config.json`` (optional)
   holds the normalisation, the window, the base year and the coverage rule.
3. **Normalisation** (direction-aware, to [0, 1]):

   - ``minmax`` (default): min–max over a pooled window of years (EIS). The goalposts are the lowest and
     highest of the window's observed values *and* of the plan's targets for all the window's years
     (an edition as of 2019 already places its values against the 2020 targets), so that the scale does
     not collapse when only two years are known and stays close from one edition to the next. ``lower`` indicators (ranks) are flipped: ``(hi − x) / (hi − lo)``.
   - ``target``: completion of the plan's final-year target, ``x / T`` (``T / x`` for ``lower``), capped at 1.
   - ``ratio``: value relative to the base year, ``x / x_base`` (``x_base / x`` for ``lower``): a fixed-base
     index whose base year scores 100 by construction, like the zone's 高质量发展指数 (2018 = 100).

4. **Aggregation.** Dimension score = weighted mean of its available normalised indicators × 100;
   overall = weighted mean of the dimension scores. A dimension is *not computable* in a year when fewer
   than ``max(min_count, ceil(min_share × n))`` of its ``n`` indicators (weight > 0) have a value; the
   overall index is then not computable either. Both come with an explicit reason, never a silent average.
5. **Rebasing** (:func:`rebase`): ``100 × I_t / I_base``; not computable when the base score is 0 or missing.
6. **Decomposition** (:func:`decompose`): the exact contribution of each indicator and dimension to the
   change since the previous year; when an indicator enters or leaves a dimension between the two years,
   the effect of that coverage change is a separate, flagged line, so the contributions still add up.
7. **Sensitivity** (:func:`sensitivity`, :func:`leave_one_out`): seeded Dirichlet random weights around the
   chosen weights, under each normalisation, and leave-one-indicator-out; the share of draws in which the
   index rose tells whether a rise is robust.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..periods import Period
from ..plan import Plan, PlanError, read_json_object
from ..series import annual_values

DIMENSIONS = ("创新主体", "创新投入", "创新人才", "创新成果", "创新环境")
DIMENSION_NAMES = {
    "zh": {d: d for d in DIMENSIONS},
    "en": {
        "创新主体": "Innovation actors",
        "创新投入": "Innovation inputs",
        "创新人才": "Innovation talent",
        "创新成果": "Innovation outputs",
        "创新环境": "Innovation environment",
    },
}
TRANSFORMS = ("none", "sqrt", "log")
NORMALISATIONS = ("minmax", "target", "ratio")
MAPPING_FILE = "index_dimensions.csv"
CONFIG_FILE = "index_config.json"
MAPPING_REQUIRED = ("indicator_id", "dimension")
OVERALL = "overall"
COVERAGE_CHANGE = "__coverage_change__"


class IndexConfigError(PlanError):
    """A bad ``index_dimensions.csv`` or ``index_config.json``: a plan-folder file, so it reports
    like any plan error, naming file, row and column."""


def dimension_name(dimension: str, lang: str = "zh") -> str:
    return DIMENSION_NAMES.get(lang, DIMENSION_NAMES["zh"]).get(dimension, dimension)


# --------------------------------------------------------------------------------------------------
# Configuration and mapping
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexConfig:
    """How the index is computed. Defaults are the documented choices; ``index_config.json`` overrides."""

    normalisation: str = "minmax"
    alternatives: tuple[str, ...] = ("target", "ratio")
    window: tuple[int, int] | None = None  # None: the plan's start_year..end_year
    base_year: int | None = 2018
    min_share: float = 0.5
    min_count: int = 1
    minmax_include_targets: bool = True
    dimension_weights: dict[str, float] = field(default_factory=lambda: {d: 1.0 for d in DIMENSIONS})
    draws: int = 1000
    seed: int = 20181228
    concentration: float = 1.0
    interval: tuple[float, float] = (0.05, 0.95)

    def __post_init__(self):
        if self.normalisation not in NORMALISATIONS:
            raise ValueError(
                f"normalisation must be one of {', '.join(NORMALISATIONS)}, not {self.normalisation!r}"
            )
        for alt in self.alternatives:
            if alt not in NORMALISATIONS:
                raise ValueError(
                    f"alternative normalisation {alt!r} is not one of {', '.join(NORMALISATIONS)}"
                )
        if not 0 <= self.min_share <= 1:
            raise ValueError(f"min_share must be in [0, 1], not {self.min_share}")
        if self.min_count < 1:
            raise ValueError(f"min_count must be at least 1, not {self.min_count}")

    def years(self, plan: Plan) -> list[int]:
        lo, hi = self.window if self.window else (plan.start_year, plan.end_year)
        return list(range(int(lo), int(hi) + 1))


def load_index_config(plan: Plan, path: Path | str | None = None) -> IndexConfig:
    """Read ``index_config.json`` from the plan folder (optional: defaults when absent)."""
    path = Path(path) if path is not None else plan.folder / CONFIG_FILE
    base = IndexConfig(base_year=plan.start_year)
    if not path.exists():
        return base
    raw = read_json_object(path, IndexConfigError)
    kw: dict = {}
    simple = {"normalisation": str, "min_share": float, "min_count": int, "minmax_include_targets": bool}
    for key, typ in simple.items():
        if key in raw:
            kw[key] = typ(raw[key])
    if "alternatives" in raw:
        kw["alternatives"] = tuple(str(a) for a in raw["alternatives"])
    if raw.get("window") is not None:
        w = raw["window"]
        if not (isinstance(w, list) and len(w) == 2):
            raise IndexConfigError(path, "window must be null or [first_year, last_year]", column="window")
        kw["window"] = (int(w[0]), int(w[1]))
    if "base_year" in raw:
        kw["base_year"] = None if raw["base_year"] is None else int(raw["base_year"])
    if "dimension_weights" in raw:
        dw = {}
        for d, w in raw["dimension_weights"].items():
            if d not in DIMENSIONS:
                raise IndexConfigError(
                    path,
                    f"unknown dimension {d!r} (expected one of {', '.join(DIMENSIONS)})",
                    column="dimension_weights",
                )
            w = float(w)
            if not math.isfinite(w) or w < 0:
                raise IndexConfigError(
                    path, f"weight of {d} must be a non-negative number, not {w}", column="dimension_weights"
                )
            dw[d] = w
        kw["dimension_weights"] = {d: dw.get(d, 1.0) for d in DIMENSIONS}
    sens = raw.get("sensitivity", {}) or {}
    for key, typ in (("draws", int), ("seed", int), ("concentration", float)):
        if key in sens:
            kw[key] = typ(sens[key])
    if "interval" in sens:
        kw["interval"] = (float(sens["interval"][0]), float(sens["interval"][1]))
    try:
        return replace(base, **kw)
    except ValueError as exc:
        raise IndexConfigError(path, str(exc)) from exc


def load_index_mapping(plan: Plan, path: Path | str | None = None) -> pd.DataFrame:
    """Read and validate ``index_dimensions.csv``: one row per plan indicator.

    Returns a DataFrame indexed by indicator id with ``dimension, weight, transform, note, direction,
    name_zh, name_en`` (plan order). Raises :class:`IndexConfigError` naming file, row and column for an
    unknown indicator or dimension, a negative or non-numeric weight, an unknown transform, a duplicate,
    or a plan indicator left unmapped.
    """
    path = Path(path) if path is not None else plan.folder / MAPPING_FILE
    if not path.exists():
        raise IndexConfigError(
            path, "file is missing (map every plan indicator to one of the five dimensions)"
        )
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in MAPPING_REQUIRED if c not in header]
        if missing:
            raise IndexConfigError(path, f"missing required column(s): {', '.join(missing)}", row=1)
        records, seen = [], {}
        for row in reader:
            i = reader.line_num
            if None in row:
                raise IndexConfigError(path, "more cells than header columns", row=i)
            row = {k.strip(): (v or "").strip() for k, v in row.items()}
            iid = row["indicator_id"]
            if iid not in plan.indicators.index:
                raise IndexConfigError(
                    path,
                    f"unknown indicator {iid!r} (not in the plan's indicators.csv)",
                    row=i,
                    column="indicator_id",
                )
            if iid in seen:
                raise IndexConfigError(
                    path,
                    f"indicator {iid!r} mapped twice (first at row {seen[iid]})",
                    row=i,
                    column="indicator_id",
                )
            seen[iid] = i
            dim = row["dimension"]
            if dim not in DIMENSIONS:
                raise IndexConfigError(
                    path,
                    f"unknown dimension {dim!r} (expected one of {', '.join(DIMENSIONS)})",
                    row=i,
                    column="dimension",
                )
            wtext = row.get("weight", "") or "1"
            try:
                weight = float(wtext)
            except ValueError:
                raise IndexConfigError(
                    path, f"weight is not a number: {wtext!r}", row=i, column="weight"
                ) from None
            if not math.isfinite(weight) or weight < 0:
                raise IndexConfigError(
                    path,
                    f"weight must be a non-negative finite number, not {wtext!r}",
                    row=i,
                    column="weight",
                )
            transform = row.get("transform", "") or "none"
            if transform not in TRANSFORMS:
                raise IndexConfigError(
                    path,
                    f"unknown transform {transform!r} (expected one of {', '.join(TRANSFORMS)})",
                    row=i,
                    column="transform",
                )
            records.append(
                {
                    "indicator_id": iid,
                    "dimension": dim,
                    "weight": weight,
                    "transform": transform,
                    "note": row.get("note", ""),
                    "_row": i,
                }
            )
    unmapped = [iid for iid in plan.indicators.index if iid not in seen]
    if unmapped:
        raise IndexConfigError(
            path,
            f"plan indicator(s) not mapped to a dimension: {', '.join(unmapped)} "
            "(add a row; weight 0 excludes an indicator)",
        )
    m = pd.DataFrame.from_records(records).set_index("indicator_id")
    m = m.loc[[i for i in plan.indicators.index]]  # plan order
    for col in ("direction", "name_zh", "name_en"):
        m[col] = plan.indicators.loc[m.index, col].values
    m.index.name = "indicator_id"
    return m


# --------------------------------------------------------------------------------------------------
# Data, transform, normalisation
# --------------------------------------------------------------------------------------------------


def annual_long(
    obs: pd.DataFrame, plan: Plan, indicator_ids, geo: str | None = None, as_of: Period | str | None = None
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


def _target_values(plan: Plan, iid: str, years) -> list[float]:
    t = plan.targets_for(iid)
    return [float(v) for y, v in zip(t["year"], t["target"]) if int(y) in set(years)]


def _final_target(plan: Plan, iid: str) -> tuple[int | None, float | None]:
    t = plan.targets_for(iid)
    if t.empty:
        return None, None
    at_end = t[t["year"] == plan.end_year]
    row = at_end.iloc[0] if not at_end.empty else t.iloc[-1]
    return int(row["year"]), float(row["target"])


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
    out = pd.DataFrame(np.nan, index=values.index, columns=values.columns, dtype="float64")
    notes: list[dict] = []

    def note(iid, flag, reason):
        notes.append({"indicator_id": iid, "method": method, "flag": flag, "reason": reason})

    for iid in values.index:
        transform = mapping.at[iid, "transform"]
        lower = mapping.at[iid, "direction"] == "lower"
        x = apply_transform(values.loc[iid].to_numpy(dtype="float64"), transform)
        if np.all(np.isnan(x)):
            continue
        if method == "minmax":
            pool = [v for y, v in zip(values.columns, x) if y in years and not np.isnan(v)]
            if include_targets:
                pool += [
                    v
                    for v in apply_transform(_target_values(plan, iid, target_years), transform)
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
            _ty, t = _final_target(plan, iid)
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
        out.loc[iid] = n
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
    dimension_weights = dimension_weights or {d: 1.0 for d in DIMENSIONS}
    years = list(normalised.columns)
    active = mapping[mapping["weight"] > 0]
    dims_used = [
        d for d in DIMENSIONS if dimension_weights.get(d, 0) > 0 and (active["dimension"] == d).any()
    ]
    scores = pd.DataFrame(
        np.nan, index=pd.Index(years, name="year"), columns=list(DIMENSIONS), dtype="float64"
    )
    rows = []
    for d in DIMENSIONS:
        ids = list(active.index[active["dimension"] == d])
        w = active.loc[ids, "weight"].to_numpy(dtype="float64")
        need = required_count(len(ids), min_share, min_count)
        for y in years:
            n = normalised.loc[ids, y].to_numpy(dtype="float64") if ids else np.array([])
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
                scores.at[y, d] = 100.0 * float(np.sum(w[avail] * n[avail]) / np.sum(w[avail]))
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
    overall = pd.Series(np.nan, index=pd.Index(years, name="year"), name=OVERALL, dtype="float64")
    wd = np.array([dimension_weights[d] for d in dims_used], dtype="float64")
    for y in years:
        missing = [d for d in dims_used if np.isnan(scores.at[y, d])]
        if dims_used and not missing:
            overall[y] = float(np.sum(wd * scores.loc[y, dims_used].to_numpy(dtype="float64")) / wd.sum())
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
                "computable": not np.isnan(overall[y]),
                "reason": reason,
            }
        )
    coverage = pd.DataFrame(rows)
    return scores, overall, coverage


def rebase(scores, base_year: int):
    """``100 × score_t / score_base`` for a Series (by year) or a year × column DataFrame.

    Where the base-year score is missing or not positive the rebased values are NaN (not computable);
    check :func:`rebase_reason` for the explanation.
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
    obs: pd.DataFrame,
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
        from ..periods import parse_period

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
    pooled_rise = {y: [] for y in result.years[1:]}
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
        interval=tuple(interval),
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
    central = result.overall
    for iid in result.mapping.index[result.mapping["weight"] > 0]:
        m = result.mapping.copy()
        m.loc[iid, "weight"] = 0.0
        norm = result.normalised  # normalisation does not depend on the weights
        _dims, overall, cov = aggregate(
            norm, m, result.config.dimension_weights, result.config.min_share, result.config.min_count
        )
        reasons = cov[cov["dimension"] == OVERALL].set_index("year")["reason"]
        for j, y in enumerate(result.years):
            ch = overall[y] - overall[result.years[j - 1]] if j > 0 else np.nan
            cch = central[y] - central[result.years[j - 1]] if j > 0 else np.nan
            rows.append(
                {
                    "indicator_id": iid,
                    "dimension": result.mapping.at[iid, "dimension"],
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


def skew_diagnostics(values: pd.DataFrame) -> pd.DataFrame:
    """Skewness and kurtosis of each indicator's pooled values (JRC-COIN rule: flag when |skew| > 2 and
    kurtosis > 3.5). With fewer than 5 values the statistics are not meaningful and are left empty."""
    from scipy import stats

    rows = []
    for iid, row in values.iterrows():
        x = row.dropna().to_numpy(dtype="float64")
        if len(x) < 5 or np.ptp(x) == 0:
            rows.append({"indicator_id": iid, "n": len(x), "skew": np.nan, "kurtosis": np.nan, "flag": False})
            continue
        sk, ku = float(stats.skew(x)), float(stats.kurtosis(x))
        rows.append(
            {"indicator_id": iid, "n": len(x), "skew": sk, "kurtosis": ku, "flag": abs(sk) > 2 and ku > 3.5}
        )
    return pd.DataFrame(rows)

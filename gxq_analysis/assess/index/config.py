"""The index's configuration as data: dimensions, the plan folder's ``index_dimensions.csv``
(mapping, weights, transforms) and ``index_config.json`` (normalisation, window, base year, coverage)."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ...i18n import LANGS, text
from ...model.plan import Plan, PlanError, read_json_object

DIMENSIONS = ("创新主体", "创新投入", "创新人才", "创新成果", "创新环境")
DIMENSION_NAMES = {
    lang: {d: text("assess", f"index.dimension.{d}", lang) for d in DIMENSIONS} for lang in LANGS
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
        records: list[dict] = []
        seen: dict[str, int] = {}  # indicator id -> its first row
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

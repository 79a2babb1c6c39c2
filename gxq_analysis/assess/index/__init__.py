"""The composite innovation-capability index (plan 三(三): 创新主体, 创新投入, 创新人才, 创新成果, 创新环境).

Method (details and reasons in ``docs/methods.md``, section "Innovation-capability index"):

1. **Data.** The zone's complete annual value of every indicator and year, from the clean table through
   :func:`gxq_analysis.model.series.annual_values` (so each value keeps its provenance).
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

from .compute import (
    IndexResult,
    aggregate,
    annual_long,
    apply_transform,
    compute_index,
    index_from_values,
    normalise,
    rebase,
    rebase_reason,
    required_count,
    values_table,
    with_normalisation,
)
from .config import (
    CONFIG_FILE,
    COVERAGE_CHANGE,
    DIMENSION_NAMES,
    DIMENSIONS,
    MAPPING_FILE,
    MAPPING_REQUIRED,
    NORMALISATIONS,
    OVERALL,
    TRANSFORMS,
    IndexConfig,
    IndexConfigError,
    dimension_name,
    load_index_config,
    load_index_mapping,
)
from .explain import (
    ROBUSTNESS_LEVELS,
    Decomposition,
    Sensitivity,
    decompose,
    leave_one_out,
    robustness,
    sensitivity,
)

__all__ = [
    "CONFIG_FILE",
    "COVERAGE_CHANGE",
    "DIMENSIONS",
    "DIMENSION_NAMES",
    "MAPPING_FILE",
    "MAPPING_REQUIRED",
    "NORMALISATIONS",
    "OVERALL",
    "ROBUSTNESS_LEVELS",
    "TRANSFORMS",
    "Decomposition",
    "IndexConfig",
    "IndexConfigError",
    "IndexResult",
    "Sensitivity",
    "aggregate",
    "annual_long",
    "apply_transform",
    "compute_index",
    "decompose",
    "dimension_name",
    "index_from_values",
    "leave_one_out",
    "load_index_config",
    "load_index_mapping",
    "normalise",
    "rebase",
    "rebase_reason",
    "required_count",
    "robustness",
    "sensitivity",
    "values_table",
    "with_normalisation",
]

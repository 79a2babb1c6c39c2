"""The annual evaluation (plan 三(三) 发布年度评价报告), one job per module:

- :mod:`.results`: the year's results against every target and the in-year pace history;
- :mod:`..benchmarks`: the zone next to 全国 / 江苏省 (shared with the trajectories page);
- :mod:`.tables` and :mod:`.charts`: the index tables and charts the annual notebook shows;
- :mod:`.annual`: :func:`evaluate_year`, everything above computed in one call;
- :mod:`.text`: the report text (i18n domain ``assess_evaluation``, zh default, en), so the notebook
  stays thin.
"""

from ..benchmarks import BENCHMARK_GEOS, COMPARABLE_KINDS, benchmarks
from ..index import DIMENSIONS
from .annual import AnnualEvaluation, evaluate_year
from .charts import DIMENSION_COLOURS, contribution_chart, index_chart
from .results import PACE_COLUMNS, RESULT_COLUMNS, pace_history, pace_summary, year_results
from .tables import (
    contribution_table,
    coverage_table,
    index_table,
    not_computable,
    robustness_verdicts,
    source_files,
)
from .text import TEXT, fmt, fmt_share, t

__all__ = [
    "BENCHMARK_GEOS",
    "COMPARABLE_KINDS",
    "DIMENSIONS",
    "DIMENSION_COLOURS",
    "PACE_COLUMNS",
    "RESULT_COLUMNS",
    "TEXT",
    "AnnualEvaluation",
    "benchmarks",
    "contribution_chart",
    "contribution_table",
    "coverage_table",
    "evaluate_year",
    "fmt",
    "fmt_share",
    "index_chart",
    "index_table",
    "not_computable",
    "pace_history",
    "pace_summary",
    "robustness_verdicts",
    "source_files",
    "t",
    "year_results",
]

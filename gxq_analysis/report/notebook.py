"""What a report notebook imports as ``P``: one flat namespace over the report modules (set-up and
context, text, escaped HTML, number formatting, and the page builders of each page family)."""

# ruff: noqa: F401
from .annual_page import contribution_figure, index_figure, track_record
from .brief import (
    attention_list,
    detail_table,
    latest_source,
    lights_table,
    pace_figure,
    pace_table,
    period_pace_figure,
    status_counts_by_year,
)
from .context import (
    ReportContext,
    ReportParameterError,
    annual_evaluation,
    any_illustrative,
    assess,
    assess_pace,
    illustrative_banner,
    pack_figure,
    period_assessment,
    project,
    report_meta,
    setup_notebook,
    validate_params,
)
from .html import (
    _MD_SPECIAL,
    SafeHTML,
    _display_markdown,
    _safe,
    banner_html,
    esc,
    esc_md,
    heading,
    html_block,
    html_table,
    md,
    show,
    stat_cards,
    status_counts,
    status_light,
)
from .numbers import (
    fmt_gap,
    fmt_number,
    fmt_p_meet,
    fmt_percent,
    is_missing,
)
from .quality import (
    MANIFEST_COLUMNS,
    QUARANTINE_CATEGORIES,
    _category_label,
    _needs_check,
    coverage_matrix,
    files_table,
    illustrative_summary,
    quarantine_overview,
    quarantine_to_check,
    read_manifest,
    read_optional_csv,
    revisions_table,
    sources_summary,
)
from .sentences import (
    ATTENTION_ORDER,
    _row_get,
    attention_sentence,
    closed_target_sentence,
    needs_attention,
    projection_sentence,
    target_year_closed,
)
from .text import (
    REPORT_META_KEY,
    TEXT,
    notebook_description,
    notebook_title,
    t,
)
from .trajectories import (
    BENCHMARK_GEOS,
    COMPARABLE_KINDS,
    benchmark_series,
    headline_html,
    headline_indicator,
    indicator_summary,
    indicators_with_targets,
    trajectory_chart,
    trajectory_figure,
)

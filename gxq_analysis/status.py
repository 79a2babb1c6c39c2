"""Moved to gxq_analysis.assess.status (the assessment) and gxq_analysis.assess.status_table (the
`gxq status` table and command); this alias is removed when the move is integrated."""

from gxq_analysis.assess.status import *  # noqa: F403
from gxq_analysis.assess.status import (  # noqa: F401
    _CACHE,
    _CACHE_SIZE,
    STATUS_COLUMNS,
    _assess_plan,
    _assess_row,
    _fingerprint,
    assess_plan,
    target_years_for,
)
from gxq_analysis.assess.status_table import (  # noqa: F401
    _jsonable,
    command_status,
    display_width,
    fmt_number,
    format_table,
    pad,
    truncate,
)

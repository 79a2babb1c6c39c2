"""Split into gxq_analysis.report (text, html, numbers, context, quality, sentences, trajectories,
brief; gathered for the notebooks in gxq_analysis.report.notebook); this alias re-exports the old
names and is removed when the move is integrated."""

# ruff: noqa: F401, F403
from gxq_analysis.report.html import _MD_SPECIAL, _display_markdown, _safe
from gxq_analysis.report.notebook import *
from gxq_analysis.report.quality import _category_label, _needs_check
from gxq_analysis.report.sentences import _row_get

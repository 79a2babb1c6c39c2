"""Moved to gxq_analysis.report.charts; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.report import charts as _moved

sys.modules[__name__] = _moved

"""Moved to gxq_analysis.report.xlsx_export; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.report import xlsx_export as _moved

sys.modules[__name__] = _moved

"""Moved to gxq_analysis.report.summary; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.report import summary as _moved

sys.modules[__name__] = _moved

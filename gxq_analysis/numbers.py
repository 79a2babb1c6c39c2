"""Moved to gxq_analysis.report.numbers; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.report import numbers as _moved

sys.modules[__name__] = _moved

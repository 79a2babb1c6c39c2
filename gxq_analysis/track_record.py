"""Moved to gxq_analysis.report.track_record; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.report import track_record as _moved

sys.modules[__name__] = _moved

"""Moved to gxq_analysis.report.pack_outputs; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.report import pack_outputs as _moved

sys.modules[__name__] = _moved

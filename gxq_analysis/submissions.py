"""Moved to gxq_analysis.loop.submissions; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.loop import submissions as _moved

sys.modules[__name__] = _moved

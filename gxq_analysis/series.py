"""Moved to gxq_analysis.model.series; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.model import series as _moved

sys.modules[__name__] = _moved

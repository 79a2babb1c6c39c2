"""Moved to gxq_analysis.model.plan; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.model import plan as _moved

sys.modules[__name__] = _moved

"""Moved to gxq_analysis.assess.pace; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.assess import pace as _moved

sys.modules[__name__] = _moved

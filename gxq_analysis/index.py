"""Moved to gxq_analysis.assess.index; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.assess import index as _moved

sys.modules[__name__] = _moved

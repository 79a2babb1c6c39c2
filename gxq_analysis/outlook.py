"""Moved to gxq_analysis.assess.outlook; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.assess import outlook as _moved

sys.modules[__name__] = _moved

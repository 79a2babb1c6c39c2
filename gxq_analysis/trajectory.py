"""Moved to gxq_analysis.assess.trajectory; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.assess import trajectory as _moved

sys.modules[__name__] = _moved

"""Moved to gxq_analysis.assess.calibration; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.assess import calibration as _moved

sys.modules[__name__] = _moved

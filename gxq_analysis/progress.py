"""Moved to gxq_analysis.assess.progress; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.assess import progress as _moved

sys.modules[__name__] = _moved

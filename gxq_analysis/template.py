"""Moved to gxq_analysis.loop.template; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.loop import template as _moved

sys.modules[__name__] = _moved

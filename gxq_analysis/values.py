"""Moved to gxq_analysis.ingest.values; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.ingest import values as _moved

sys.modules[__name__] = _moved

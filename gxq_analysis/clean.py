"""Moved to gxq_analysis.ingest.clean; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.ingest import clean as _moved

sys.modules[__name__] = _moved

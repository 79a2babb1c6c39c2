"""Moved to gxq_analysis.ingest.matching; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.ingest import matching as _moved

sys.modules[__name__] = _moved

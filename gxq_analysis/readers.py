"""Moved to gxq_analysis.ingest.readers; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.ingest import readers as _moved

sys.modules[__name__] = _moved

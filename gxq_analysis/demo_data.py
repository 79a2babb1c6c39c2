"""Moved to gxq_analysis.ingest.demo_data; this alias is removed when the move is integrated."""

import sys

from gxq_analysis.ingest import demo_data as _moved

sys.modules[__name__] = _moved

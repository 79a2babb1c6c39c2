from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gxq_analysis.config import DEFAULT_PLAN_DIR, PROJ_ROOT

ROOT = PROJ_ROOT


@pytest.fixture
def plan_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped plan folder, for tests that break it."""
    dest = tmp_path / "plan"
    shutil.copytree(DEFAULT_PLAN_DIR, dest)
    return dest

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


@pytest.fixture
def tidy_obs(tmp_path: Path):
    """Write a hand-made tidy observations CSV and load it as the analysis sees it (zone geo default)."""
    from gxq_analysis.model.observations import load_observations
    from gxq_analysis.model.plan import load_plan

    zone = load_plan(DEFAULT_PLAN_DIR).zone_geo

    def make(text: str, name: str = "obs.csv"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return load_observations(path, default_geo=zone)

    return make

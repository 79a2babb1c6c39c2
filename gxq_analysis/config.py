"""Project paths, resolved from the package location so notebooks behave the same under papermill
and in JupyterLab, whatever the working directory."""

from __future__ import annotations

import os
from pathlib import Path

PROJ_ROOT = Path(os.environ.get("GXQ_ROOT", Path(__file__).resolve().parents[1]))
DATA_DIR = PROJ_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
PLANS_DIR = RAW_DIR / "plans"
DEFAULT_PLAN_ID = "jiangyin-gxq-2018-2020"
DEFAULT_PLAN_DIR = PLANS_DIR / DEFAULT_PLAN_ID
SUBMISSIONS_DIR = RAW_DIR / "submissions"
PUBLIC_DIR = RAW_DIR / "public"
DEFAULT_OBSERVATIONS = PROCESSED_DIR / "observations.csv"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
REPORTS_DIR = PROJ_ROOT / "reports"
KERNEL_NAME = "gxq"

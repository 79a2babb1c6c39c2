"""Shared by the render and browser tests: render the fixture pack once per test process.

(No tests here; pytest collects the module and finds none.) The render tests and the browser test are
in the xdist group ``render`` so they run in one worker and share this cache.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from gxq_analysis.config import KERNEL_NAME
from gxq_analysis.report.render import RenderResult, render_pack

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "report"
PLAN = FIXTURES / "plan"
OBSERVATIONS = FIXTURES / "processed" / "observations.csv"
PERIOD = "2019Q3"
SCRIPT = "<script>alert(1)</script>"


def render_fixture(period: str = PERIOD, **options: Any) -> RenderResult:
    """``render_pack`` of the fixture plan and data, quietly (no progress bar, messages dropped);
    ``options`` are render_pack's and win over those."""
    quiet = {"plan_dir": PLAN, "observations_path": OBSERVATIONS, "progress": False, "say": lambda _m: None}
    return render_pack(period, **{**quiet, **options})


@functools.cache
def render_fixture_pack(out_dir: str, lang: str = "zh", pack: tuple[str, ...] | None = None) -> RenderResult:
    return render_fixture(lang=lang, out_dir=Path(out_dir), pack=pack)


def write_notebook(path: Path, cells: list[str]) -> Path:
    """A small report-shaped notebook: a parameters cell, then ``cells``."""
    params = new_code_cell(
        'period = "2019Q3"\nlang = "zh"\nplan_dir = ""\nobservations_path = ""',
        metadata={"tags": ["parameters"]},
    )
    nb = new_notebook(
        cells=[params, *(new_code_cell(src) for src in cells)],
        metadata={"kernelspec": {"name": KERNEL_NAME, "display_name": KERNEL_NAME, "language": "python"}},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def executed_notebooks(result: RenderResult) -> list[dict]:
    return [
        json.loads(p.read_text(encoding="utf-8")) for p in sorted((result.path / "_executed").glob("*.ipynb"))
    ]

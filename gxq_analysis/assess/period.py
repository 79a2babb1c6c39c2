"""One assessment per period: every number the pack's pages show, computed once.

`gxq report` computes the period's :class:`PeriodAssessment` once (the status table with its one
forecast per target, the in-year pace, the trajectory of every indicator to the plan's final year,
the status a quarter and a year earlier for the summary's changes, and for a year the annual
evaluation), writes it into the pack being built, and every notebook reads that file: one set of
numbers across all pages, and no page pays for the same computation again.

The file is a pickle written atomically with a ``fingerprint`` of its inputs (the plan folder's
files, the observations file and the package version); :func:`read_assessment` refuses a file whose
fingerprint does not match the inputs it is asked for, so a stale assessment is never shown.
A notebook run on its own (JupyterLab) without an assessment file computes the same object itself.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from ..model.files import atomic_write

ASSESSMENT_FILE = "_assessment.pkl"
FORMAT = 1


class AssessmentError(ValueError):
    """An assessment file that cannot be used (missing, unreadable, or for other inputs)."""


@dataclass
class PeriodAssessment:
    period: str
    lang: str
    fingerprint: str
    status: pd.DataFrame
    pace: pd.DataFrame
    projections: dict[str, Any] = field(default_factory=dict)  # indicator id -> TrajectoryResult (final year)
    previous_status: pd.DataFrame | None = None  # as of the quarter before (a year: its Q3)
    year_ago_status: pd.DataFrame | None = None  # as of the same period a year earlier
    annual: Any = None  # evaluation.AnnualEvaluation for a year
    format: int = FORMAT


def input_fingerprint(plan_dir: Path | str, observations_path: Path | str) -> str:
    """SHA-256 over the plan folder's files, the observations file and the package version."""
    h = hashlib.sha256(f"gxq {__version__} format {FORMAT}\n".encode())
    pdir = Path(plan_dir)
    for p in sorted(pdir.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(pdir).as_posix().encode("utf-8") + b"\0")
            h.update(p.read_bytes())
    h.update(b"\0observations\0")
    h.update(Path(observations_path).read_bytes())
    return h.hexdigest()


def compute_assessment(
    plan: Any,
    obs_all: pd.DataFrame,
    period: Any,
    lang: str,
    fingerprint: str,
    index_all: Any = None,
) -> PeriodAssessment:
    """Everything the pages of ``period`` show (``obs_all``: every row of the observations file).
    ``index_all``, an :class:`ObsIndex` of ``obs_all`` kept by the caller, lets the assessments of
    several periods (`gxq report --all`) share its series, outlooks and status tables."""
    from ..model.periods import Period, parse_period
    from ..model.series import ObsIndex
    from .evaluation import evaluate_year
    from .pace import assess_pace
    from .status import assess_plan
    from .trajectory import project_indicator

    per = parse_period(period)
    # Split the table by indicator once; the status, pace and trajectories of the period then share
    # every annual series, in-year path and outlook (one per indicator and target year), and the
    # three cuts (the period, the quarter before, a year earlier) share the paths of closed years.
    if index_all is None:
        index_all = ObsIndex(obs_all)
    index = index_all.cut(per)
    # the status table asked of the whole table's index (it assesses on its cut, ``index``): then it
    # is remembered under the same key as another period's "quarter before" or "year earlier"
    status = assess_plan(plan, index_all, per, lang=lang)
    pace = assess_pace(plan, index, per, lang=lang)
    final_year = max(int(y) for y in plan.targets["year"])
    ids = list(dict.fromkeys(plan.targets["indicator_id"]))
    projections = {iid: project_indicator(plan, index, iid, final_year, as_of=per) for iid in ids}
    annual = evaluate_year(plan, index, per.year, lang) if per.freq == "A" else None
    # The summary's comparisons: the quarter before (for a year, its Q3) and the same period a year earlier.
    prev_per = Period.quarter(per.year, 3) if per.freq == "A" else per.to_quarter().previous()
    ago_per = Period(per.year - 1, per.freq, per.number)
    previous = assess_plan(plan, index_all, prev_per, lang=lang) if len(obs_all) else None
    year_ago = assess_plan(plan, index_all, ago_per, lang=lang) if len(obs_all) else None
    return PeriodAssessment(
        period=str(per),
        lang=lang,
        fingerprint=fingerprint,
        status=status,
        pace=pace,
        projections=projections,
        previous_status=previous,
        year_ago_status=year_ago,
        annual=annual,
    )


def write_assessment(assessment: PeriodAssessment, path: Path | str) -> Path:
    """Write atomically (a temporary file renamed into place)."""
    path = Path(path)
    atomic_write(path, pickle.dumps(assessment, protocol=pickle.HIGHEST_PROTOCOL))
    return path


def read_assessment(
    path: Path | str, fingerprint: str | None = None, period: Any = None, lang: str | None = None
) -> PeriodAssessment:
    """Read an assessment written by :func:`write_assessment`, refusing one for other inputs."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            obj = pickle.load(fh)  # the pack's own file, written by this package moments before
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as exc:
        raise AssessmentError(f"cannot read the assessment {path}: {exc}") from None
    if not isinstance(obj, PeriodAssessment) or obj.format != FORMAT:
        raise AssessmentError(f"{path} is not an assessment of this version of gxq-analysis")
    if fingerprint is not None and obj.fingerprint != fingerprint:
        raise AssessmentError(f"{path} was computed from other inputs (plan or observations changed)")
    if period is not None and obj.period != str(period):
        raise AssessmentError(f"{path} is for {obj.period}, not {period}")
    if lang is not None and obj.lang != lang:
        raise AssessmentError(f"{path} is in {obj.lang}, not {lang}")
    return obj

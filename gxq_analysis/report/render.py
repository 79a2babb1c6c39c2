"""`gxq report`: execute the report notebooks with papermill and publish offline HTML (DESIGN §3).

How a pack is rendered:

1. Two pools of worker processes (:mod:`run_pools`; fork start so papermill is imported once):
   notebook workers, by default one per two cores, each starting a kernel of the project (``gxq``)
   the moment it starts, having it import the report package, and keeping it for every page it runs
   (cleared between pages); and compute workers, one per core, for the period's assessment, the
   pack's figures (one job per page) and the summary (:mod:`pack_run`,
   :mod:`figures`), which run while the kernels start. The pages run with an explicit working
   directory and injected parameters, and read the assessment and figures files. A kernel that
   fails to start is started again once.
2. As each notebook finishes, the parent converts it to HTML with one ``HTMLExporter`` and the
   offline ``gxq_report`` template (no input cells, no prompts, no stderr, no CDN scripts, a cover).
3. Everything is written to a temporary directory beside the target; only when every notebook
   succeeded, the HTML passed the publish checks and ``index.html`` is written, the directory is
   swapped into ``<out>/<period>`` (atomically where the OS allows). A failed notebook stops the run
   with a message naming notebook and cell, its executed notebook is kept under
   ``<out>/_failed/<period>/``, and any earlier report of that period stays untouched.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import (
    DEFAULT_OBSERVATIONS,
    DEFAULT_PLAN_DIR,
    KERNEL_NAME,
    NOTEBOOKS_DIR,
    RAW_DIR,
    REPORTS_DIR,
)
from ..model.periods import (
    FREQ_ANNUAL,
    FREQ_QUARTER,
    Period,
    PeriodError,
    latest_quarter_covered,
    parse_period,
)
from ..model.plan import plan_meta
from .audit import audit_html
from .errors import RenderError
from .export import NotebookResult, make_exporter
from .pack_outputs import (
    PackOutputError,
    check_period_covered,
    zone_periods,
)
from .pack_run import (
    PackRun,
    drop_pack,
    prepare_pack,
)
from .publish import sweep_stale_temp
from .run_pools import _Progress, _run_packs

# The report pack per period kind, in reading order (notebook file stems under notebooks/).
PACKS: dict[str, tuple[str, ...]] = {
    FREQ_QUARTER: ("10_data_quality", "20_trajectories", "30_quarterly_brief"),
    FREQ_ANNUAL: ("10_data_quality", "40_annual_evaluation"),
}
# Notebooks another engineer is still writing: while the file is absent the pack renders without
# it and says so. Any other missing notebook is an error.
PENDING_NOTEBOOKS = frozenset({"40_annual_evaluation"})


@dataclass
class RenderResult:
    period: Period
    path: Path
    notebooks: list[NotebookResult]
    skipped: list[str]
    seconds: float
    outputs: list[str] = field(default_factory=list)  # summary.html, summary.pdf, report.pdf, tables.xlsx

    @property
    def index(self) -> Path:
        return self.path / "index.html"


# ----------------------------------------------------------------------------------------------
# Periods and packs
# ----------------------------------------------------------------------------------------------
def default_period(
    observations_path: Path | str = DEFAULT_OBSERVATIONS, plan_dir: Path | str = DEFAULT_PLAN_DIR
) -> Period:
    """The latest quarter the zone's data covers (what a scheduler renders when given no period).

    Read with the csv module only (no pandas in the parent process). Benchmark rows (other geos) and
    bounds (rows with a qualifier) do not count. Quarterly reporting follows the quarterly and monthly
    submissions, so when the zone has any sub-annual data only those periods count: an annual figure
    published later (a 2021 public figure, say) does not make a 2021Q4 quarterly pack due.
    """
    try:
        found = zone_periods(observations_path, plan_dir)
    except PackOutputError as exc:
        raise RenderError(str(exc)) from None
    today = dt.date.today()
    # a hand-made table with 2031Q1 must not make a future pack due
    periods = [p for p in found if p.end <= today]
    sub_annual = [p for p in periods if p.freq != FREQ_ANNUAL]
    latest = latest_quarter_covered(sub_annual or periods)
    if latest is None:
        raise RenderError(
            f"{observations_path}: no period of the zone ({plan_meta(plan_dir).get('zone_geo', 'zone')}) found; "
            "cannot choose a default --period"
        )
    return latest


def pack_for(period: Period) -> tuple[str, ...]:
    try:
        return PACKS[period.freq]
    except KeyError:
        raise RenderError(
            f"period {period}: reports exist for quarters (2019Q3) and years (2019), not months"
        ) from None


def pack_kind(period: Period) -> str:
    return "annual" if period.freq == FREQ_ANNUAL else "quarterly"


# ----------------------------------------------------------------------------------------------
# Notebook execution (in worker processes)
# ----------------------------------------------------------------------------------------------
def notebook_parameters(path: Path) -> list[str]:
    """Names assigned in the cell tagged ``parameters`` (error when there is none or several)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = [c for c in nb.get("cells", []) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise RenderError(f"{path.name}: needs exactly one cell tagged 'parameters' (found {len(cells)})")
    source = cells[0]["source"]
    source = "".join(source) if isinstance(source, list) else source
    return re.findall(r"^([A-Za-z_]\w*)\s*(?::[^=]+)?=", source, flags=re.M)


def _check_kernel(name: str) -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise RenderError(
            f"Jupyter kernel '{name}' is not registered. Run `python3 tasks.py setup`, or "
            f"`.venv/bin/python -m ipykernel install --sys-prefix --name {name}`"
        ) from None


# ----------------------------------------------------------------------------------------------
# The packs
# ----------------------------------------------------------------------------------------------
def _inputs(plan_dir: Path | str | None, observations_path: Path | str | None) -> tuple[Path, Path]:
    plan = Path(plan_dir) if plan_dir else DEFAULT_PLAN_DIR
    obs = Path(observations_path) if observations_path else DEFAULT_OBSERVATIONS
    if not plan.is_dir():
        raise RenderError(f"plan folder not found: {plan}")
    if not obs.is_file():
        raise RenderError(f"observations file not found: {obs} (run `gxq clean` first)")
    return plan, obs


def _pack_notebooks(
    per: Period, pack: Iterable[str] | None, notebooks_dir: Path
) -> tuple[list[str], list[str]]:
    stems = list(pack) if pack is not None else list(pack_for(per))
    present, skipped = [], []
    for stem in stems:
        if (notebooks_dir / f"{stem}.ipynb").is_file():
            present.append(stem)
        elif stem in PENDING_NOTEBOOKS:
            skipped.append(stem)
        else:
            raise RenderError(f"report notebook missing: {notebooks_dir / (stem + '.ipynb')}")
    if not present:
        raise RenderError(f"no report notebook of the {pack_kind(per)} pack exists in {notebooks_dir}")
    return present, skipped


def render_pack(
    period: str | Period | None = None,
    *,
    lang: str = "zh",
    out_dir: Path | str = REPORTS_DIR,
    plan_dir: Path | str | None = None,
    observations_path: Path | str | None = None,
    jobs: int | None = None,
    progress: bool = True,
    notebooks_dir: Path | str = NOTEBOOKS_DIR,
    pack: Iterable[str] | None = None,
    kernel_name: str = KERNEL_NAME,
    say: Callable[[str], None] | None = None,
    pdf: bool = True,
) -> RenderResult:
    """Render the report pack of ``period`` to ``<out_dir>/<period>/`` (``<period>-en`` in English; see
    the module docstring). ``pdf=False`` leaves out summary.pdf and report.pdf (no browser needed)."""
    t0 = time.perf_counter()
    if lang not in ("zh", "en"):
        raise RenderError(f"--lang must be zh or en, not {lang!r}")
    plan_dir, observations_path = _inputs(plan_dir, observations_path)
    if period is None or period == "":
        per = default_period(observations_path, plan_dir)
        chosen = " (the latest quarter the data covers)"
    else:
        try:
            per = parse_period(period)
        except PeriodError as exc:
            raise RenderError(f"--period: {exc}") from None
        chosen = ""
        pack_for(per)  # months have no pack: say so before anything else
        try:
            check_period_covered(per, observations_path, plan_dir, lang)
        except PackOutputError as exc:
            raise RenderError(str(exc)) from None
    notebooks_dir = Path(notebooks_dir)
    present, skipped = _pack_notebooks(per, pack, notebooks_dir)
    _check_kernel(kernel_name)

    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    # Kernels for half the cores (each notebook worker keeps its kernel for the next page): the pages
    # only present, and a kernel's start costs more than a page; the compute workers, one per core,
    # compute the assessment and draw the figures meanwhile, and use the kernels' cores once they idle.
    cores = os.cpu_count() or 1
    n_workers = jobs if jobs and jobs > 0 else min(len(present), max(1, cores // 2), 8)
    n_workers = max(1, min(n_workers, len(present)))
    prog = _Progress(len(present), progress)
    say = say or prog.say
    say(
        f"gxq report: {pack_kind(per)} pack for {per}{chosen}, lang={lang}: {', '.join(present)} "
        f"({n_workers} in parallel)"
    )
    for stem in skipped:
        say(f"  skipped {stem}.ipynb: the notebook does not exist yet")
    sweep_stale_temp(out_dir)
    n_compute = min(cores, 8)
    run = prepare_pack(
        per,
        lang,
        present,
        skipped,
        out_dir,
        plan_dir,
        observations_path,
        notebooks_dir,
        kernel_name,
        notebook_parameters,
    )
    try:
        errors = _run_packs([run], n_workers, n_compute, pdf, say, prog, stop_on_failure=True)
        if errors:
            raise RenderError(errors[0])
    finally:
        prog.close()
        drop_pack(run)
    return RenderResult(
        period=per,
        path=run.final,
        notebooks=run.results,
        skipped=skipped,
        seconds=time.perf_counter() - t0,
        outputs=run.outputs,
    )


def covered_periods(observations_path: Path | str, plan_dir: Path | str) -> list[Period]:
    """Every quarter and every year the zone's data cover (what `gxq report --period` accepts), in order:
    the quarters from the zone's first period to the latest quarter its quarterly data reach, and
    the years with a value of the zone."""
    periods = zone_periods(observations_path, plan_dir)
    if not periods:
        return []
    sub_annual = [p for p in periods if p.freq != FREQ_ANNUAL]
    latest = latest_quarter_covered(sub_annual or periods)
    first = min(periods).to_quarter()
    quarters = [
        Period.quarter(y, n)
        for y in range(first.year, (latest.year if latest else first.year - 1) + 1)
        for n in range(1, 5)
        if latest is not None and first <= Period.quarter(y, n) <= latest
    ]
    years = [Period.annual(y) for y in sorted({p.year for p in periods})]
    return quarters + years


def render_all(
    *,
    lang: str = "zh",
    out_dir: Path | str = REPORTS_DIR,
    plan_dir: Path | str | None = None,
    observations_path: Path | str | None = None,
    jobs: int | None = None,
    progress: bool = True,
    notebooks_dir: Path | str = NOTEBOOKS_DIR,
    kernel_name: str = KERNEL_NAME,
    say: Callable[[str], None] | None = None,
    pdf: bool = True,
    periods: Iterable[Period | str] | None = None,
) -> list[RenderResult]:
    """Render the pack of every quarter and year the data cover (:func:`covered_periods`) in one run:
    one pool of workers, each keeping its kernel (and so its imports) from one notebook to the next;
    every pack is published atomically as soon as its own pages are done, a failed pack publishes
    nothing and the others go on. Raises :class:`RenderError` naming every pack that failed."""
    t0 = time.perf_counter()
    if lang not in ("zh", "en"):
        raise RenderError(f"--lang must be zh or en, not {lang!r}")
    plan_dir, observations_path = _inputs(plan_dir, observations_path)
    if periods is None:
        pers = covered_periods(observations_path, plan_dir)
    else:
        pers = [parse_period(p) for p in periods]
    if not pers:
        raise RenderError(f"{observations_path}: no period of the zone found; nothing to render")
    notebooks_dir = Path(notebooks_dir)
    packs = [(per, *_pack_notebooks(per, None, notebooks_dir)) for per in pers]
    _check_kernel(kernel_name)
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    total = sum(len(present) for _per, present, _skipped in packs)
    cores = os.cpu_count() or 1
    n_workers = jobs if jobs and jobs > 0 else min(total, cores, 8)
    n_compute = min(len(packs), cores, 8)
    prog = _Progress(total, progress)
    say = say or prog.say
    say(
        f"gxq report --all: {len(packs)} packs ({', '.join(str(p) for p in pers)}), lang={lang}, "
        f"{total} notebooks on {n_workers} kept kernels"
    )
    sweep_stale_temp(out_dir)
    runs: list[PackRun] = []
    try:
        for per, present, skipped in packs:
            runs.append(
                prepare_pack(
                    per,
                    lang,
                    present,
                    skipped,
                    out_dir,
                    plan_dir,
                    observations_path,
                    notebooks_dir,
                    kernel_name,
                    notebook_parameters,
                )
            )
        errors = _run_packs(runs, n_workers, n_compute, pdf, say, prog, stop_on_failure=False)
    finally:
        prog.close()
        for run in runs:
            drop_pack(run)
    if errors:
        raise RenderError(
            f"{len(errors)} of {len(runs)} packs failed (the others were published):\n" + "\n".join(errors)
        )
    seconds = time.perf_counter() - t0
    return [
        RenderResult(
            period=run.period,
            path=run.final,
            notebooks=run.results,
            skipped=run.skipped,
            seconds=seconds,
            outputs=run.outputs,
        )
        for run in runs
    ]


def check_fresh(observations_path: Path, raw_dir: Path) -> None:
    """Refuse to report from a clean table older than the raw data (a new, changed or removed raw
    file since the last `gxq clean`), naming the files. Only for the default paths, whose raw folder
    is known; an explicit --observations file is taken as it is."""
    from ..ingest.clean import stale_inputs

    changed = stale_inputs(Path(raw_dir), Path(observations_path).parent)
    if changed:
        shown = "; ".join(changed[:5]) + (f"; … {len(changed) - 5} more" if len(changed) > 5 else "")
        raise RenderError(
            f"the raw data changed since the last `gxq clean` ({shown}); run `gxq clean` first "
            f"(nothing was published)"
        )


def command_report(args: Any) -> int:
    """Entry point of `gxq report` (arguments parsed in cli.py)."""
    render_every = bool(getattr(args, "all", False))
    try:
        if render_every and args.period:
            raise RenderError("--all renders every period the data cover: leave out --period")
        if Path(args.observations) == DEFAULT_OBSERVATIONS:
            check_fresh(DEFAULT_OBSERVATIONS, RAW_DIR)
        options = dict(
            lang=args.lang,
            out_dir=args.out,
            plan_dir=args.plan,
            observations_path=args.observations,
            jobs=args.jobs,
            progress=not args.no_progress,
            pdf=not getattr(args, "no_pdf", False),
        )
        results = render_all(**options) if render_every else [render_pack(args.period, **options)]
    except RenderError as exc:
        print(f"gxq report: {exc}", file=sys.stderr)
        return 1
    for result in results:
        for r in result.notebooks:
            if r.stderr_lines:
                print(
                    f"gxq report: note: {r.stem} wrote to stderr (left out of the HTML): "
                    f"{r.stderr_lines[0][:160]}",
                    file=sys.stderr,
                )
        print(f"{result.index}  ({len(result.notebooks)} reports, {result.seconds:.1f}s)")
    return 0


__all__ = [
    "PACKS",
    "PENDING_NOTEBOOKS",
    "RenderError",
    "RenderResult",
    "audit_html",
    "check_fresh",
    "command_report",
    "covered_periods",
    "default_period",
    "make_exporter",
    "render_all",
    "render_pack",
]

"""`gxq report`: execute the report notebooks with papermill and publish offline HTML (DESIGN §3).

How a pack is rendered:

1. The notebooks of the pack (:data:`PACKS`, by period kind) run in parallel worker processes
   (``ProcessPoolExecutor``, fork start so papermill is imported once), each with the project kernel
   ``gxq``, an explicit working directory and injected parameters. A kernel that fails to start
   (ZMQ port race, start timeout) is retried once.
2. As each notebook finishes, the parent converts it to HTML with one ``HTMLExporter`` and the
   offline ``gxq_report`` template (no input cells, no prompts, no stderr, no CDN scripts, a cover).
3. Everything is written to a temporary directory beside the target; only when every notebook
   succeeded, the HTML passed the publish checks and ``index.html`` is written, the directory is
   swapped into ``<out>/<period>`` (atomically where the OS allows). A failed notebook stops the run
   with a message naming notebook and cell, its executed notebook is kept under
   ``<out>/_failed/<period>/``, and any earlier report of that period stays untouched.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
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
from ..periods import FREQ_ANNUAL, FREQ_QUARTER, Period, PeriodError, latest_quarter_covered, parse_period
from .audit import audit_html
from .errors import RenderError
from .execute import _execute_job, _worker_init
from .export import NotebookResult, _export, css, make_exporter, plan_title, version_string
from .index_page import index_html
from .pack_outputs import (
    REPORT_PDF,
    SUMMARY_HTML,
    SUMMARY_PDF,
    TABLES_XLSX,
    PackOutputError,
    check_period_covered,
    pack_folder,
    summary_job,
    write_pdfs,
    write_tables,
)
from .publish import _TMP_MARK, publish, sweep_stale_temp

# The report pack per period kind, in reading order (notebook file stems under notebooks/).
PACKS: dict[str, tuple[str, ...]] = {
    FREQ_QUARTER: ("10_data_quality", "20_trajectories", "30_quarterly_brief"),
    FREQ_ANNUAL: ("10_data_quality", "40_annual_evaluation"),
}
# Notebooks another engineer is still writing: while the file is absent the pack renders without
# it and says so. Any other missing notebook is an error.
PENDING_NOTEBOOKS = frozenset({"40_annual_evaluation"})

FAILED_DIR = "_failed"
EXECUTED_DIR = "_executed"


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
def _zone_geo(plan_dir: Path) -> str:
    meta_path = Path(plan_dir) / "plan.json"
    if meta_path.is_file():
        try:
            return str(json.loads(meta_path.read_text(encoding="utf-8")).get("zone_geo", "zone"))
        except (json.JSONDecodeError, AttributeError):
            pass
    return "zone"


def default_period(
    observations_path: Path | str = DEFAULT_OBSERVATIONS, plan_dir: Path | str = DEFAULT_PLAN_DIR
) -> Period:
    """The latest quarter the zone's data covers (what a scheduler renders when given no period).

    Read with the csv module only (no pandas in the parent process). Benchmark rows (other geos) and
    bounds (rows with a qualifier) do not count. Quarterly reporting follows the quarterly and monthly
    submissions, so when the zone has any sub-annual data only those periods count: an annual figure
    published later (a 2021 public figure, say) does not make a 2021Q4 quarterly pack due.
    """
    path = Path(observations_path)
    if not path.is_file():
        raise RenderError(
            f"observations file not found: {path} (run `gxq clean` first, or pass --observations)"
        )
    zone = _zone_geo(Path(plan_dir))
    today = dt.date.today()
    periods: list[Period] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            geo = (row.get("geo") or "").strip()
            if geo not in ("", zone) or (row.get("qualifier") or "").strip():
                continue
            try:
                per = parse_period(row.get("period", ""))
            except PeriodError:
                continue
            if per.end <= today:  # a hand-made table with 2031Q1 must not make a future pack due
                periods.append(per)
    sub_annual = [p for p in periods if p.freq != FREQ_ANNUAL]
    latest = latest_quarter_covered(sub_annual or periods)
    if latest is None:
        raise RenderError(f"{path}: no period of the zone ({zone}) found; cannot choose a default --period")
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
# HTML conversion (in the parent process)
# ----------------------------------------------------------------------------------------------


# ----------------------------------------------------------------------------------------------
# Progress
# ----------------------------------------------------------------------------------------------
class _Progress:
    def __init__(self, total: int, enabled: bool, stream=sys.stderr):
        self.stream = stream
        self.bar = None
        if enabled and total and hasattr(stream, "isatty") and stream.isatty():
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, desc="gxq report", unit="nb", file=stream, leave=False)

    def say(self, msg: str) -> None:
        if self.bar is not None:
            self.bar.write(msg, file=self.stream)
        else:
            print(msg, file=self.stream, flush=True)

    def step(self, label: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(label)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ----------------------------------------------------------------------------------------------
# The pack
# ----------------------------------------------------------------------------------------------
def _failure_message(res: dict, nb_path: Path, kept: Path | None, final: Path) -> str:
    stem = res["stem"]
    if res["kind"] == "cell":
        src_lines = [ln for ln in str(res.get("source", "")).splitlines() if ln.strip()]
        first = src_lines[0].strip() if src_lines else ""
        injected = 0
        if kept is not None and kept.exists():
            try:
                cells = json.loads(kept.read_text(encoding="utf-8"))["cells"]
                real = [
                    c
                    for c in cells
                    if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])
                ]
                idx = res["cell_index"]
                injected = sum(
                    1 for c in real[:idx] if "injected-parameters" in c.get("metadata", {}).get("tags", [])
                )
            except (OSError, ValueError, KeyError):
                injected = 0
        cell_no = res["cell_index"] - injected + 1
        where = f"cell {cell_no} (In [{res.get('exec_count')}]: {first[:80]})"
        what = f"{res['ename']}: {res['evalue']}"
    else:
        where = "kernel start or run (no cell error)"
        what = f"{res['ename']}: {res['evalue']}"
        if res.get("log_tail"):
            what += "\n  kernel log:\n    " + res["log_tail"].replace("\n", "\n    ")
    lines = [f"notebook {stem}.ipynb failed at {where}", f"  {what}"]
    if kept is not None:
        lines.append(f"  executed notebook kept for debugging: {kept}")
    lines.append(
        f"  nothing was published; {'the earlier report ' + str(final) + ' is unchanged' if final.exists() else 'no report existed for this period'}"
    )
    return "\n".join(lines)


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
    plan_dir = Path(plan_dir) if plan_dir else DEFAULT_PLAN_DIR
    observations_path = Path(observations_path) if observations_path else DEFAULT_OBSERVATIONS
    if not plan_dir.is_dir():
        raise RenderError(f"plan folder not found: {plan_dir}")
    if not observations_path.is_file():
        raise RenderError(f"observations file not found: {observations_path} (run `gxq clean` first)")
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
    _check_kernel(kernel_name)

    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / pack_folder(per, lang)
    n_workers = jobs if jobs and jobs > 0 else min(len(present), (os.cpu_count() or 1) + 1, 8)
    n_workers = max(1, min(n_workers, len(present)))
    prog = _Progress(len(present), progress)
    say = say or prog.say
    say(
        f"gxq report: {pack_kind(per)} pack for {per}{chosen}, lang={lang}: {', '.join(present)} "
        f"({n_workers} in parallel)"
    )
    for stem in skipped:
        say(f"  skipped {stem}.ipynb: the notebook does not exist yet")

    title = plan_title(plan_dir, lang)
    generated = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    version = version_string()
    sweep_stale_temp(out_dir)
    tmp = Path(tempfile.mkdtemp(prefix=f".{per}{_TMP_MARK}{os.getpid()}-", dir=out_dir))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; the published report is readable like any folder
    try:
        exec_dir = tmp / EXECUTED_DIR
        exec_dir.mkdir()
        jobs_list = []
        for stem in present:
            src = notebooks_dir / f"{stem}.ipynb"
            names = notebook_parameters(src)
            params = {
                "period": str(per),
                "lang": lang,
                "plan_dir": str(plan_dir.resolve()),
                "observations_path": str(observations_path.resolve()),
            }
            if "year" in names:
                params["year"] = per.year
            jobs_list.append(
                {
                    "stem": stem,
                    "input": str(src),
                    "output": str(exec_dir / f"{stem}.ipynb"),
                    "log": str(exec_dir / f"{stem}.log"),
                    "parameters": params,
                    "kernel": kernel_name,
                    "cwd": str(notebooks_dir),
                }
            )
        import papermill  # noqa: F401  (imported before forking so the workers inherit it)

        results: list[NotebookResult] = []
        outputs: list[str] = []
        failure: dict | None = None
        ctx = get_context("fork") if sys.platform.startswith("linux") else None
        with ProcessPoolExecutor(
            max_workers=n_workers, mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),)
        ) as pool:
            pending = {pool.submit(_execute_job, job): job for job in jobs_list}
            summary_spec = {
                "period": str(per),
                "lang": lang,
                "plan_dir": str(plan_dir.resolve()),
                "observations_path": str(observations_path.resolve()),
                "out": str(tmp / SUMMARY_HTML),
                "plan_title": title,
                "generated": generated,
                "version": version,
                "css": css(),
            }
            summary_future = pool.submit(summary_job, summary_spec)
            exporter = make_exporter(lang)  # built while the kernels start
            while pending and failure is None:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    job = pending.pop(fut)
                    res = fut.result()
                    if not res["ok"]:
                        failure = res
                        break
                    t1 = time.perf_counter()
                    results.append(
                        _export(exporter, job, per, lang, title, generated, version, tmp, res["seconds"])
                    )
                    retry = " (kernel restarted once)" if res.get("attempts", 1) > 1 else ""
                    prog.step(job["stem"])
                    say(
                        f"  ok  {job['stem']}: executed in {res['seconds']:.1f}s, "
                        f"html in {time.perf_counter() - t1:.1f}s{retry}"
                    )
            if failure is not None:
                for fut in pending:
                    fut.cancel()
            summary_res = summary_future.result()
        prog.close()
        if failure is not None:
            failed_nb = exec_dir / f"{failure['stem']}.ipynb"
            kept = None
            if failed_nb.exists():
                keep_dir = out_dir / FAILED_DIR / pack_folder(per, lang)
                keep_dir.mkdir(parents=True, exist_ok=True)
                kept = keep_dir / failed_nb.name
                shutil.copyfile(failed_nb, kept)
            raise RenderError(_failure_message(failure, failed_nb, kept, final))
        if not summary_res["ok"]:
            raise RenderError(
                f"the summary page could not be built: {summary_res['error']}\n  nothing was published"
            )
        order = {s: i for i, s in enumerate(present)}
        results.sort(key=lambda r: order[r.stem])
        illustrative = summary_res["illustrative"] or any(r.meta.get("illustrative") for r in results)
        outputs = [SUMMARY_HTML]
        pages = [(r.stem, r.html_path.name) for r in results]
        try:
            t1 = time.perf_counter()
            outputs += write_tables(
                tmp,
                per,
                lang,
                title,
                generated,
                observations_path,
                pages,
                illustrative,
                summary_values=summary_res.get("values"),
            )
            say(f"  ok  {TABLES_XLSX}: {time.perf_counter() - t1:.1f}s")
            if pdf:
                t1 = time.perf_counter()
                outputs += write_pdfs(tmp, lang, [name for _stem, name in pages], illustrative, title)
                say(f"  ok  {SUMMARY_PDF}, {REPORT_PDF}: {time.perf_counter() - t1:.1f}s")
        except PackOutputError as exc:
            raise RenderError(f"{exc}\n  nothing was published") from None
        (tmp / "index.html").write_text(
            index_html(per, lang, title, generated, version, results, skipped, outputs), encoding="utf-8"
        )
        publish(tmp, final)
        shutil.rmtree(out_dir / FAILED_DIR / pack_folder(per, lang), ignore_errors=True)
        for r in results:
            r.html_path = final / r.html_path.name
    finally:
        prog.close()
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return RenderResult(
        period=per,
        path=final,
        notebooks=results,
        skipped=skipped,
        seconds=time.perf_counter() - t0,
        outputs=outputs,
    )


def check_fresh(observations_path: Path, raw_dir: Path) -> None:
    """Refuse to report from a clean table older than the raw data (a new, changed or removed raw
    file since the last `gxq clean`), naming the files. Only for the default paths, whose raw folder
    is known; an explicit --observations file is taken as it is."""
    from ..clean import stale_inputs

    changed = stale_inputs(Path(raw_dir), Path(observations_path).parent)
    if changed:
        shown = "; ".join(changed[:5]) + (f"; … {len(changed) - 5} more" if len(changed) > 5 else "")
        raise RenderError(
            f"the raw data changed since the last `gxq clean` ({shown}); run `gxq clean` first "
            f"(nothing was published)"
        )


def command_report(args: Any) -> int:
    """Entry point of `gxq report` (arguments parsed in cli.py)."""
    try:
        if Path(args.observations) == DEFAULT_OBSERVATIONS:
            check_fresh(DEFAULT_OBSERVATIONS, RAW_DIR)
        result = render_pack(
            args.period,
            lang=args.lang,
            out_dir=args.out,
            plan_dir=args.plan,
            observations_path=args.observations,
            jobs=args.jobs,
            progress=not args.no_progress,
            pdf=not getattr(args, "no_pdf", False),
        )
    except RenderError as exc:
        print(f"gxq report: {exc}", file=sys.stderr)
        return 1
    for r in result.notebooks:
        if r.stderr_lines:
            print(
                f"gxq report: note: {r.stem} wrote to stderr (left out of the HTML): {r.stderr_lines[0][:160]}",
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
    "default_period",
    "make_exporter",
    "render_pack",
]

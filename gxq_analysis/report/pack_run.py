"""One pack's life in `gxq report`: prepared (temporary folder beside the target, notebook jobs,
the assessment job, the summary job), then finished (HTML pages, tables.xlsx, PDFs, index.html) and
published atomically, or dropped with nothing published when any part failed.

The period's one assessment (:mod:`gxq_analysis.assess.period`) is computed by an ``assessment``
job in a worker process into ``<pack>/_assessment.pkl``; the notebooks that show assessed numbers and
the summary run after it and read that file, so every page of the pack shows the same numbers.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..assess.period import ASSESSMENT_FILE
from ..model.periods import Period
from .errors import RenderError
from .export import NotebookResult, _export, css, plan_title, version_string
from .figures import TREND_PAGE, figures_file
from .index_page import index_html
from .pack_files import FAILED_SUFFIX
from .pack_outputs import (
    REPORT_PDF,
    SUMMARY_HTML,
    SUMMARY_PDF,
    TABLES_XLSX,
    PackOutputError,
    pack_folder,
    write_pdfs,
    write_tables,
)
from .publish import _TMP_MARK, publish
from .worker_inputs import kept_inputs

FAILED_DIR = "_failed"
EXECUTED_DIR = "_executed"
ASSESSMENT_PARAMETER = "assessment"
FIGURES_PARAMETER = "figures"


@dataclass
class PackRun:
    """A pack being rendered: its notebook jobs, the jobs waiting for its assessment, its results."""

    period: Period
    lang: str
    present: list[str]
    skipped: list[str]
    out_dir: Path
    tmp: Path
    plan_dir: Path
    observations_path: Path
    title: str
    generated: str
    version: str
    jobs: list[dict] = field(
        default_factory=list
    )  # the notebooks (those with an assessment parameter wait for it)
    assessment_job: dict | None = None
    figures_jobs: list[dict] = field(default_factory=list)  # the figures, in parts (report.figures)
    summary_spec: dict = field(default_factory=dict)
    results: list[NotebookResult] = field(default_factory=list)
    summary_res: dict | None = None
    failure: dict | None = None
    outputs: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    @property
    def final(self) -> Path:
        return self.out_dir / pack_folder(self.period, self.lang)

    @property
    def label(self) -> str:
        return pack_folder(self.period, self.lang)


def prepare_pack(
    per: Period,
    lang: str,
    present: list[str],
    skipped: list[str],
    out_dir: Path,
    plan_dir: Path,
    observations_path: Path,
    notebooks_dir: Path,
    kernel_name: str,
    parameters_of: Callable[[Path], list[str]],
) -> PackRun:
    """Make the pack's temporary folder and its jobs (nothing runs yet)."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{per}{_TMP_MARK}{os.getpid()}-", dir=out_dir))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; the published report is readable like any folder
    exec_dir = tmp / EXECUTED_DIR
    exec_dir.mkdir()
    plan_abs, obs_abs = str(plan_dir.resolve()), str(observations_path.resolve())
    assessment_path = str(tmp / ASSESSMENT_FILE)
    figures_jobs: dict[str, dict] = {}  # page -> the job drawing its figures
    run = PackRun(
        period=per,
        lang=lang,
        present=present,
        skipped=skipped,
        out_dir=out_dir,
        tmp=tmp,
        plan_dir=plan_dir,
        observations_path=observations_path,
        title=plan_title(plan_dir, lang),
        generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        version=version_string(),
    )
    # what every page and every compute job of the pack is given
    inputs = {"period": str(per), "lang": lang, "plan_dir": plan_abs, "observations_path": obs_abs}
    compute = {"pack": run.label, **inputs}
    for stem in present:
        src = notebooks_dir / f"{stem}.ipynb"
        names = parameters_of(src)
        params: dict[str, Any] = dict(inputs)
        if "year" in names:
            params["year"] = per.year
        job = {
            "stem": stem,
            "pack": run.label,
            "input": str(src),
            "output": str(exec_dir / f"{stem}.ipynb"),
            "log": str(exec_dir / f"{stem}.log"),
            "parameters": params,
            "kernel": kernel_name,
            "cwd": str(notebooks_dir),
        }
        if ASSESSMENT_PARAMETER in names:
            params[ASSESSMENT_PARAMETER] = assessment_path
            if FIGURES_PARAMETER in names:
                figures_jobs[stem] = {
                    "kind": "figures",
                    **compute,
                    "assessment": assessment_path,
                    "stem": stem,
                    "out": str(tmp / figures_file(stem)),
                }
                params[FIGURES_PARAMETER] = figures_jobs[stem]["out"]
        run.jobs.append(job)
    run.summary_spec = {
        "kind": "summary",
        **compute,
        "assessment": assessment_path,
        "out": str(tmp / SUMMARY_HTML),
        "plan_title": run.title,
        "generated": run.generated,
        "version": run.version,
        "css": css(),
    }
    run.assessment_job = {"kind": "assessment", **compute, "out": assessment_path}
    # the pages' few figures first (quick, a page waits for them), then the trend charts
    run.figures_jobs = sorted(figures_jobs.values(), key=lambda job: job["stem"] == TREND_PAGE)
    # a page starts when what it waits for is likely ready: no assessment, the assessment, single figures, trend charts
    run.jobs.sort(key=lambda job: _waits_for(job["stem"], job["parameters"]))
    return run


def _waits_for(stem: str, parameters: dict) -> int:
    if ASSESSMENT_PARAMETER not in parameters:
        return 0
    if FIGURES_PARAMETER not in parameters:
        return 1
    return 3 if stem == TREND_PAGE else 2


def assessment_job(job: dict) -> dict:
    """Compute the period's assessment and write it into the pack (in a worker process). Never raises."""
    t0 = time.perf_counter()
    try:
        from ..assess.period import compute_assessment, write_assessment

        fingerprint, plan, obs, index = kept_inputs(job["plan_dir"], job["observations_path"])
        assessment = compute_assessment(plan, obs, job["period"], job["lang"], fingerprint, index_all=index)
        write_assessment(assessment, job["out"])
        return {"ok": True, "fingerprint": fingerprint, "seconds": time.perf_counter() - t0}
    except Exception as exc:
        # The pages waiting for the file then compute what they show themselves (as a notebook run on
        # its own does), so an error that matters surfaces in the page and cell that needs the part.
        error = f"{type(exc).__name__}: {exc}"
        Path(job["out"] + FAILED_SUFFIX).write_text(error, encoding="utf-8")
        return {"ok": False, "error": error, "seconds": time.perf_counter() - t0}


def export_result(run: PackRun, exporter: Any, job: dict, res: dict) -> NotebookResult:
    """The executed notebook of ``job`` as the pack's HTML page (in the parent)."""
    result = _export(
        exporter, job, run.period, run.lang, run.title, run.generated, run.version, run.tmp, res["seconds"]
    )
    run.results.append(result)
    return result


def fail_pack(run: PackRun) -> RenderError:
    """Keep the failed notebook for debugging; the error says what failed. Nothing is published."""
    failure = run.failure or {}
    if failure.get("kind") in ("assessment", "summary"):
        what = "the period's assessment" if failure["kind"] == "assessment" else "the summary page"
        return RenderError(f"{what} could not be built: {failure['error']}\n  nothing was published")
    failed_nb = run.tmp / EXECUTED_DIR / f"{failure['stem']}.ipynb"
    kept = None
    if failed_nb.exists():
        keep_dir = run.out_dir / FAILED_DIR / run.label
        keep_dir.mkdir(parents=True, exist_ok=True)
        kept = keep_dir / failed_nb.name
        shutil.copyfile(failed_nb, kept)
    return RenderError(_failure_message(failure, failed_nb, kept, run.final))


def write_pack_tables(run: PackRun, say: Callable[[str], None]) -> list[str]:
    """Once every job of the pack is done: its pages in reading order, then tables.xlsx. Returns the
    outputs so far (summary.html, tables.xlsx). Raises RenderError (nothing is published)."""
    order = {s: i for i, s in enumerate(run.present)}
    run.results.sort(key=lambda r: order[r.stem])
    try:
        t1 = time.perf_counter()
        outputs = [SUMMARY_HTML]
        outputs += write_tables(
            run.tmp,
            run.period,
            run.lang,
            run.title,
            run.generated,
            run.observations_path,
            [(r.stem, r.html_path.name) for r in run.results],
            _illustrative(run),
            summary_values=(run.summary_res or {}).get("values"),
            read_tables=_tables_read(run),
        )
        say(f"  ok  {TABLES_XLSX}: {time.perf_counter() - t1:.1f}s")
    except PackOutputError as exc:
        raise RenderError(f"{exc}\n  nothing was published") from None
    return outputs


def _tables_read(run: PackRun) -> dict[str, list]:
    """The tables of the pack's pages already read in their publish audits (file name -> tables)."""
    read = {r.html_path.name: r.tables for r in run.results if r.tables is not None}
    summary_tables = (run.summary_res or {}).get("tables")
    if summary_tables is not None:
        read[SUMMARY_HTML] = summary_tables
    return read


def write_pack_pdfs(run: PackRun, say: Callable[[str], None], browser: Any = None) -> list[str]:
    """summary.pdf and report.pdf of the pack (``browser``: a kept one, see :mod:`pdf_printer`).
    Raises RenderError (nothing is published)."""
    try:
        t1 = time.perf_counter()
        outputs = write_pdfs(
            run.tmp,
            run.lang,
            [r.html_path.name for r in run.results],
            _illustrative(run),
            run.title,
            browser=browser,
        )
        # printed beside other packs' pages: the line names its pack
        say(f"  ok  {run.label}/{SUMMARY_PDF}, {REPORT_PDF}: {time.perf_counter() - t1:.1f}s")
    except PackOutputError as exc:
        raise RenderError(f"{exc}\n  nothing was published") from None
    return outputs


def _illustrative(run: PackRun) -> bool:
    summary_res = run.summary_res or {}
    return bool(summary_res.get("illustrative") or any(r.meta.get("illustrative") for r in run.results))


def publish_pack(run: PackRun, outputs: list[str]) -> list[str]:
    """index.html, then the pack published atomically in place of any earlier one. Returns the outputs."""
    (run.tmp / "index.html").write_text(
        index_html(
            run.period, run.lang, run.title, run.generated, run.version, run.results, run.skipped, outputs
        ),
        encoding="utf-8",
    )
    # the notes failed jobs left for the pages, and the figures (now in the pages), are not part of the pack
    (run.tmp / (ASSESSMENT_FILE + FAILED_SUFFIX)).unlink(missing_ok=True)
    for job in run.figures_jobs:
        for path in (job["out"], job["out"] + FAILED_SUFFIX):
            Path(path).unlink(missing_ok=True)
    final = run.final
    publish(run.tmp, final)
    shutil.rmtree(run.out_dir / FAILED_DIR / run.label, ignore_errors=True)
    for r in run.results:
        r.html_path = final / r.html_path.name
    return outputs


def drop_pack(run: PackRun) -> None:
    if run.tmp.exists():
        shutil.rmtree(run.tmp, ignore_errors=True)


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

"""The two pools of worker processes a `gxq report` run uses, and the loop that drives them.

Notebook workers (one per kernel) each start a kernel of the project the moment they start and keep
it for every page they run (:mod:`execute`); compute workers compute each period's assessment, draw
its figures (:mod:`figures`) and build its summary, while the kernels start. Both pools fork from the
report process (papermill and the compute modules are imported once, before forking). As a pack's
jobs finish, the parent converts its pages to HTML; once all are done it writes tables.xlsx and
publishes the pack (:mod:`pack_run`), after its PDFs when there are any: those print in a thread on a
kept browser (:mod:`pdf_printer`) while the parent goes on with the next packs.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from typing import Any

from .errors import RenderError
from .execute import _execute_job, _kernel_worker_init, _worker_init, skip_iri_grammar
from .export import make_exporter
from .figures import figures_job
from .pack_outputs import summary_job
from .pack_run import (
    PackRun,
    assessment_job,
    export_result,
    fail_pack,
    publish_pack,
    write_pack_tables,
)
from .pdf_printer import PdfPrinter


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


def _job_runner(job: dict) -> dict:
    """What a worker does with one job (a notebook, an assessment, a share of figures or a summary)."""
    kind = job.get("kind", "notebook")
    if kind == "assessment":
        return assessment_job(job)
    if kind == "summary":
        return summary_job(job)
    if kind == "figures":
        return figures_job(job)
    return _execute_job(job)


def _preload_compute_modules() -> None:
    """Import what the compute jobs use (the assessment, the charts with their style and fonts, the
    summary) in the parent, so the compute workers forked after it start with it imported: paid
    once, not by every worker, and while the kernels start; and openpyxl, for the parent's own
    tables.xlsx at the end of each pack."""
    import openpyxl  # noqa: F401
    import scipy.special  # noqa: F401  (the forecast's Student-t)

    from ..assess import period  # noqa: F401
    from . import annual_page, brief, figures, summary, trajectories  # noqa: F401
    from .charts import apply_style

    apply_style()


def _run_packs(
    runs: list[PackRun],
    n_kernels: int,
    n_compute: int,
    pdf: bool,
    say: Callable[[str], None],
    prog: _Progress,
    stop_on_failure: bool,
) -> list[str]:
    """Run every job of ``runs`` on two pools of workers: notebook workers, each starting its kernel at
    once and keeping it from one notebook to the next, and compute workers (no kernel) for the
    assessments, figures and summaries. Each pack is published as soon as its own jobs (and PDFs)
    are done.
    Returns the error messages of packs that failed (nothing published)."""
    skip_iri_grammar()
    import papermill  # noqa: F401  (imported before forking so the workers inherit it)

    errors: list[str] = []
    exporters: dict[str, Any] = {}
    # a pack is finished once every job of it is done: notebooks, summary, assessment and figures
    # (a figures share no page needed must not write into a published or dropped folder)
    remaining = {
        id(run): len(run.present) + 1 + (run.assessment_job is not None) + len(run.figures_jobs)
        for run in runs
    }
    ctx = get_context("fork") if sys.platform.startswith("linux") else None
    kernel = (runs[0].jobs[0]["kernel"], runs[0].jobs[0]["cwd"])  # one kernel spec and folder per call
    with (
        ProcessPoolExecutor(
            max_workers=n_kernels,
            mp_context=ctx,
            initializer=_kernel_worker_init,
            initargs=(os.getpid(), *kernel),
        ) as notebook_pool,
        ProcessPoolExecutor(
            max_workers=n_compute, mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),)
        ) as compute_pool,
        # a pack's PDFs print (in a thread, on one kept browser) while the next packs render
        PdfPrinter(say) if pdf else contextlib.nullcontext() as printer,
    ):
        pending: dict[Any, tuple[PackRun, dict]] = {}

        def fail_outputs(run: PackRun, exc: RenderError) -> None:
            run.failure = {"kind": "outputs", "error": str(exc)}
            errors.append(str(exc))
            if stop_on_failure:
                for other in pending:
                    other.cancel()

        def submit(run: PackRun, job: dict) -> None:
            pool = notebook_pool if job.get("kind", "notebook") == "notebook" else compute_pool
            pending[pool.submit(_job_runner, job)] = (run, job)

        for run in runs:  # the pages first, so the kernels start at once (in the order of what
            # they wait for: pack_run.prepare_pack), so no kernel waits while another page could run
            for job in run.jobs:
                submit(run, job)
        _preload_compute_modules()  # while the kernels start; the compute workers fork after it
        # The assessment first: the figures and the summary wait for its file. With several packs,
        # the next pack's assessment goes before this pack's figures, so a compute worker taking a
        # figures job finds its assessment done (or nearly) instead of waiting idle for it.
        for i, run in enumerate(runs):
            for ahead in runs[i : i + 2] if i == 0 else runs[i + 1 : i + 2]:
                if ahead.assessment_job is not None:
                    submit(ahead, ahead.assessment_job)
            for job in run.figures_jobs:
                submit(run, job)
            submit(run, run.summary_spec)
        for run in runs:  # built while the kernels start
            if run.lang not in exporters:
                exporters[run.lang] = make_exporter(run.lang)
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                run, job = pending.pop(fut)
                if fut.cancelled() or run.failure is not None:
                    continue
                kind = job.get("kind", "notebook")
                if kind == "pdf":  # the last step of a pack: publish it, or drop it
                    try:
                        run.outputs = publish_pack(run, job["outputs"] + fut.result())
                    except RenderError as exc:
                        fail_outputs(run, exc)
                    continue
                res = fut.result()
                if kind in ("assessment", "figures"):
                    if not res["ok"]:  # the pages compute or draw their own (see pack_run, figures)
                        say(f"  note {run.label}: the shared {kind} failed ({res['error']})")
                elif not res["ok"]:
                    run.failure = res if kind == "notebook" else {**res, "kind": kind}
                    errors.append(str(fail_pack(run)))
                    if stop_on_failure:
                        for other in pending:
                            other.cancel()
                    continue
                elif kind == "summary":
                    run.summary_res = res
                else:
                    t1 = time.perf_counter()
                    export_result(run, exporters[run.lang], job, res)
                    retry = " (kernel restarted once)" if res.get("attempts", 1) > 1 else ""
                    prog.step(job["stem"])
                    say(
                        f"  ok  {run.label + '/' if len(runs) > 1 else ''}{job['stem']}: executed in "
                        f"{res['seconds']:.1f}s, html in {time.perf_counter() - t1:.1f}s{retry}"
                    )
                remaining[id(run)] -= 1
                if remaining[id(run)] == 0:
                    try:
                        outputs = write_pack_tables(run, say)
                        if printer is not None:
                            pending[printer.submit(run)] = (run, {"kind": "pdf", "outputs": outputs})
                        else:
                            run.outputs = publish_pack(run, outputs)
                    except RenderError as exc:
                        fail_outputs(run, exc)
    return errors

"""Notebook execution in `gxq report`'s worker processes: papermill with the project kernel, one retry
when a kernel fails to start, stderr to a per-notebook log; never raises (returns a result dict)."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

EXECUTION_TIMEOUT = 900  # seconds per cell


START_TIMEOUT = 120  # seconds for a kernel to start


def _is_kernel_start_error(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    return any(
        s in text
        for s in (
            "ZMQError",
            "Address already in use",
            "didn't respond",
            "Kernel died before",
            "kernel_info",
            "TimeoutError",
            "Timeout waiting",
        )
    )


def _worker_init(parent_pid: int) -> None:
    """Report workers die with the report process, even when it is killed outright (Linux
    PR_SET_PDEATHSIG); their kernels follow, as ipykernel exits when its parent changes."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGKILL))  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the line above took effect
        os._exit(1)


def _execute_job(job: dict) -> dict:
    """Run one notebook with papermill (in a worker process). Never raises: returns a result dict."""
    import logging

    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    # The kernel process inherits this worker's stderr: send its chatter (ipykernel's "running over
    # TCP without encryption" warning, crash messages) to a per-notebook log, not the console.
    log = open(job["log"], "ab")  # noqa: SIM115  (stays open as this worker's stderr)
    saved_stderr = os.dup(2)
    os.dup2(log.fileno(), 2)
    try:
        if job.get("reuse_kernel"):
            return _execute_on_kept_kernel(job, pm, PapermillExecutionError)
        return _execute_with_retry(job, pm, PapermillExecutionError)
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        log.close()


# ----------------------------------------------------------------------------------------------
# One kernel kept per worker across many notebook runs (`gxq report --all`)
# ----------------------------------------------------------------------------------------------
# Starting a kernel and importing pandas, matplotlib, scipy and the package costs more than most
# notebooks' own work. A worker rendering many packs keeps its kernel: before each notebook the
# user namespace is cleared (``%reset -f``) and open figures closed, so every run starts from the
# same state as a fresh kernel except for the modules already imported (which hold no report data).
_KEPT: dict = {}
RESET_CODE = "%reset -f\nimport matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt\n"


def _kept_kernel(job: dict) -> Any:
    key = (job["kernel"], job["cwd"])
    if _KEPT.get("key") != key:
        _shutdown_kept_kernel()
        from multiprocessing.util import Finalize

        from jupyter_client.manager import start_new_kernel

        # the kernel's own stderr goes to a log of this worker (it outlives any one notebook's log)
        log_path = Path(tempfile.gettempdir()) / f"gxq-kernel-{os.getpid()}.log"
        job_stderr = os.dup(2)
        with open(log_path, "ab") as log:
            os.dup2(log.fileno(), 2)
            try:
                km, kc = start_new_kernel(
                    kernel_name=job["kernel"], cwd=job["cwd"], startup_timeout=START_TIMEOUT
                )
            finally:
                os.dup2(job_stderr, 2)
                os.close(job_stderr)
        kc.stop_channels()  # each run connects its own client (see _execute_on_kept_kernel)
        _KEPT.update(key=key, km=km, log=str(log_path))
        if "finalizer" not in _KEPT:
            _KEPT["finalizer"] = Finalize(None, _shutdown_kept_kernel, exitpriority=10)
    return _KEPT["km"]


def _shutdown_kept_kernel() -> None:
    km = _KEPT.pop("km", None)
    _KEPT.pop("key", None)
    if km is not None:
        with contextlib.suppress(Exception):  # already gone
            km.shutdown_kernel(now=True)


def _execute_on_kept_kernel(job: dict, pm: Any, PapermillExecutionError: Any) -> dict:
    start = time.perf_counter()
    try:
        km = _kept_kernel(job)
        # A new client per run: clients of one kernel manager share a session identity, and the
        # kernel routes replies to the newest connection (ROUTER handover), so an older client
        # would wait for a reply in vain once papermill's client of the previous run connected.
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=START_TIMEOUT)
            reply = kc.execute_interactive(RESET_CODE, timeout=START_TIMEOUT, output_hook=lambda _msg: None)
        finally:
            kc.stop_channels()
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the kept kernel could not be reset: {reply['content'].get('evalue')}")
    except Exception:  # a kernel that cannot start or be reset: run this notebook the usual way
        _shutdown_kept_kernel()
        return _execute_with_retry(job, pm, PapermillExecutionError)
    res = _execute_with_retry(job, pm, PapermillExecutionError, km=km)
    res["seconds"] = time.perf_counter() - start
    if not res["ok"]:  # never run the next notebook on a kernel that failed one
        _shutdown_kept_kernel()
    return res


def _log_tail(path: str, lines: int = 5) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    keep = [ln for ln in text.splitlines() if ln.strip() and "without encryption" not in ln]
    return "\n".join(keep[-lines:])


def _execute_with_retry(job: dict, pm: Any, PapermillExecutionError: Any, km: Any = None) -> dict:
    start = time.perf_counter()
    attempts = 0
    while True:
        attempts += 1
        try:
            pm.execute_notebook(
                job["input"],
                job["output"],
                parameters=job["parameters"],
                kernel_name=job["kernel"],
                cwd=job["cwd"],
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                start_timeout=START_TIMEOUT,
                execution_timeout=job.get("timeout", EXECUTION_TIMEOUT),
                **({"km": km} if km is not None else {}),
            )
            return {
                "stem": job["stem"],
                "ok": True,
                "seconds": time.perf_counter() - start,
                "attempts": attempts,
            }
        except PapermillExecutionError as exc:
            return {
                "stem": job["stem"],
                "ok": False,
                "kind": "cell",
                "cell_index": exc.cell_index,
                "exec_count": exc.exec_count,
                "source": exc.source,
                "ename": exc.ename,
                "evalue": exc.evalue,
                "seconds": time.perf_counter() - start,
                "attempts": attempts,
            }
        except Exception as exc:  # kernel could not start, died, timed out …
            if attempts == 1 and km is None and _is_kernel_start_error(exc):
                time.sleep(0.5)
                continue
            return {
                "stem": job["stem"],
                "ok": False,
                "kind": "kernel",
                "ename": type(exc).__name__,
                "evalue": str(exc).strip().splitlines()[0] if str(exc).strip() else "",
                "log_tail": _log_tail(job["log"]),
                "seconds": time.perf_counter() - start,
                "attempts": attempts,
            }

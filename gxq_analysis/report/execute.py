"""Notebook execution in `gxq report`'s worker processes: papermill with the project kernel, one retry
when a kernel fails to start, stderr to a per-notebook log; never raises (returns a result dict)."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.blocking.client import BlockingKernelClient

EXECUTION_TIMEOUT = 900  # seconds per cell


START_TIMEOUT = 120  # seconds for a kernel to start


def skip_iri_grammar() -> None:
    """Keep jsonschema from compiling the IRI grammar of ``rfc3987_syntax`` in the report process.

    papermill and nbconvert import nbformat, which imports jsonschema, whose format checkers import
    ``rfc3987_syntax`` if it is installed (it comes with jupyter-events); that module builds a lark
    parser at import, ~0.7 s: more than the rest of papermill's imports together. Notebook validation
    uses no format checker, so the report process marks the module absent (``sys.modules`` entry
    None: its import then raises ImportError, which jsonschema expects of an optional checker).
    Kernels are separate processes and are not affected.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


OUTPUT_TYPES = frozenset({"execute_result", "display_data", "stream", "error"})


def skip_output_validation() -> None:
    """In a notebook worker, leave out nbformat's check of each output on its own.

    nbclient builds every output of a run with nbformat's ``new_output``, which validates it against
    the notebook schema by itself (jsonschema, ~1 ms an output, a third of a worker's CPU on a
    report page). The report process reads every executed notebook with nbformat's full check and
    refuses an invalid one (:func:`export._export`), so the per-output check finds nothing that
    would be published. Only that check is replaced (outputs; other nodes, such as new cells, are
    still validated), and only in the notebook workers of `gxq report`.
    """
    from nbformat.v4 import nbbase

    validate = getattr(nbbase.validate, "validates_all", nbbase.validate)

    def validate_except_outputs(node: Any, ref: str | None = None) -> Any:
        if ref in OUTPUT_TYPES:
            return None
        return validate(node, ref)

    validate_except_outputs.validates_all = validate  # type: ignore[attr-defined]
    nbbase.validate = validate_except_outputs


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
        return _execute_on_kept_kernel(job, pm, PapermillExecutionError)
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        log.close()


# ----------------------------------------------------------------------------------------------
# One kernel kept per worker across notebook runs
# ----------------------------------------------------------------------------------------------
# Starting a kernel and importing pandas, matplotlib and the package costs more than most pages'
# own work. A notebook worker starts its kernel the moment the worker starts (:func:`_kernel_worker_init`),
# and has it import the report package straight away, so both overlap with the period's assessment in
# the compute worker; then it runs every notebook it is given on that kernel. Before each notebook
# the user namespace is cleared (``%reset -f``) and open figures closed, so every run starts from
# the same state as a fresh kernel except for the modules already imported (which hold no report data).
_KEPT: dict = {}
RESET_CODE = "%reset -f\nimport matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt\n"
# What every report page imports first (``from gxq_analysis.report import notebook as P``); then the
# imported modules are moved out of the collector's sight (gc.freeze): they live as long as the
# kernel, and ``%reset -f`` ends with a full collection that would otherwise walk them all (~90 ms).
WARM_UP_CODE = "import gxq_analysis.report.notebook\nimport gc\ngc.freeze()\n"
# Report kernels keep no input history: IPython would write every cell to its SQLite history file
# (a write per cell, and kernels of parallel workers contending for the one file) for nobody to read.
# Only the kept kernels of `gxq report`; the kernel spec JupyterLab uses is unchanged.
KEPT_KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]


class QuickReadyClient(BlockingKernelClient):
    """A client of a kernel already known to be up (the worker's kept kernel).

    jupyter_client's ``wait_for_ready`` ends by draining IOPub until it has been quiet for 0.2 s,
    which costs every notebook run 0.2 s of idle waiting. Here, ready means what that method checks
    first: a ``kernel_info`` reply on the shell channel and one message on IOPub (so the subscription
    is live). Leftover status messages are harmless: nbclient reads only the replies to its own requests.
    """

    def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else START_TIMEOUT)
        while True:
            self.kernel_info()
            reply = self._next_kernel_info_reply(min(1.0, max(deadline - time.monotonic(), 0.01)))
            if reply is not None:
                try:
                    self.get_iopub_msg(timeout=0.2)
                except Empty:
                    pass  # IOPub not subscribed yet: ask again
                else:
                    self._handle_kernel_info_reply(reply)
                    return
            if not self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    def _next_kernel_info_reply(self, wait: float) -> dict | None:
        """The next ``kernel_info`` reply on the shell channel (other replies, e.g. to the warm-up
        import, are skipped; any kernel_info reply will do: this client's channel gets only its own)."""
        until = time.monotonic() + wait
        while True:
            try:
                msg = self.get_shell_msg(timeout=max(until - time.monotonic(), 0.0))
            except Empty:
                return None
            if msg["msg_type"] == "kernel_info_reply":
                return msg


def _kernel_worker_init(parent_pid: int, kernel_name: str, cwd: str) -> None:
    """Initializer of a notebook worker: the worker's ties to the report process, then its kernel,
    started now and told to import the report package (neither is waited for here)."""
    _worker_init(parent_pid)
    skip_output_validation()
    try:
        _launch_kept_kernel(kernel_name, cwd)
    except Exception:  # the first notebook starts it again and reports what fails
        _shutdown_kept_kernel()


def _launch_kept_kernel(kernel_name: str, cwd: str) -> Any:
    from multiprocessing.util import Finalize

    from jupyter_client.manager import KernelManager

    _shutdown_kept_kernel()
    # the kernel's own stderr goes to a log of this worker (it outlives any one notebook's log)
    log_path = Path(tempfile.gettempdir()) / f"gxq-kernel-{os.getpid()}.log"
    job_stderr = os.dup(2)
    with open(log_path, "ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            km = KernelManager(kernel_name=kernel_name, client_factory=QuickReadyClient)
            km.start_kernel(cwd=cwd, extra_arguments=KEPT_KERNEL_ARGUMENTS)  # returns once launched
        finally:
            os.dup2(job_stderr, 2)
            os.close(job_stderr)
    # The warm-up import is queued on the shell channel now; the kernel runs it as soon as it is up.
    kc = km.client()
    kc.start_channels()
    kc.execute(WARM_UP_CODE, silent=True, store_history=False)
    _KEPT.update(key=(kernel_name, cwd), km=km, warm_client=kc, log=str(log_path))
    if "finalizer" not in _KEPT:
        _KEPT["finalizer"] = Finalize(None, _shutdown_kept_kernel, exitpriority=10)
    return km


def _kept_kernel(job: dict) -> Any:
    key = (job["kernel"], job["cwd"])
    if _KEPT.get("key") != key or _KEPT.get("km") is None:
        _launch_kept_kernel(job["kernel"], job["cwd"])
    return _KEPT["km"]


def _shutdown_kept_kernel() -> None:
    kc = _KEPT.pop("warm_client", None)
    if kc is not None:
        with contextlib.suppress(Exception):
            kc.stop_channels()
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
        # The client that queued the warm-up import serves the first reset, then closes.
        kc = _KEPT.pop("warm_client", None) or km.client()
        if not kc.channels_running:
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

"""The mechanisms that make `gxq report` fast (issue #14) keep their promises: notebook validation is
unchanged without the IRI grammar, and the quick ready-check of a kept kernel waits for the kernel.
(How much time they save is measured by benchmarks/bench_render.py, not asserted here.)"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from gxq_analysis.config import KERNEL_NAME, NOTEBOOKS_DIR, PROJ_ROOT


def test_the_report_process_validates_notebooks_without_the_iri_grammar():
    code = (
        "import sys\n"
        "from gxq_analysis.report.execute import skip_iri_grammar\n"
        "skip_iri_grammar()\n"
        "import nbformat, papermill, nbconvert\n"
        f"nb = nbformat.read({str(NOTEBOOKS_DIR / '20_trajectories.ipynb')!r}, as_version=4)\n"
        "nbformat.validate(nb)\n"
        "bad = nbformat.from_dict({**nb, 'cells': [{'cell_type': 'code'}]})\n"
        "try:\n"
        "    nbformat.validate(bad)\n"
        "except nbformat.ValidationError:\n"
        "    print('invalid refused')\n"
        "print('grammar imported' if sys.modules.get('rfc3987_syntax') else 'grammar skipped')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJ_ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "invalid refused" in out and "grammar skipped" in out


@pytest.mark.slow
def test_the_quick_ready_check_answers_only_when_the_kernel_is_up():
    from jupyter_client.manager import KernelManager

    from gxq_analysis.report.execute import QuickReadyClient

    km = KernelManager(kernel_name=KERNEL_NAME, client_factory=QuickReadyClient)
    km.start_kernel(cwd=str(NOTEBOOKS_DIR))
    try:
        kc = km.client()
        assert isinstance(kc, QuickReadyClient)
        kc.start_channels()
        kc.execute("import time\ntime.sleep(1.5)\nready = 1", silent=True)  # queued before the check
        t0 = time.perf_counter()
        kc.wait_for_ready(timeout=60)  # answered only after the queued cell ran (the kernel is serial)
        assert time.perf_counter() - t0 >= 1.0
        reply = kc.execute_interactive("assert ready == 1", timeout=30, output_hook=lambda _m: None)
        assert reply["content"]["status"] == "ok"
        kc.stop_channels()
        again = km.client()  # the next run's client of the kept kernel: ready, and it is heard
        again.start_channels()
        again.wait_for_ready(timeout=60)
        reply = again.execute_interactive("ready += 1", timeout=30, output_hook=lambda _m: None)
        assert reply["content"]["status"] == "ok"
        again.stop_channels()
    finally:
        km.shutdown_kernel(now=True)


@pytest.mark.slow
def test_a_kept_report_kernel_writes_no_input_history():
    from gxq_analysis.report import execute

    execute._launch_kept_kernel(KERNEL_NAME, str(NOTEBOOKS_DIR))
    try:
        kc = execute._KEPT.pop("warm_client")
        kc.wait_for_ready(timeout=120)
        code = "hm = get_ipython().history_manager\nassert not hm.enabled and hm.save_thread is None, (hm.enabled, hm.save_thread)"
        reply = kc.execute_interactive(code, timeout=60, output_hook=lambda _m: None)
        assert reply["content"]["status"] == "ok", reply["content"]
        kc.stop_channels()
    finally:
        execute._shutdown_kept_kernel()
    # the kernel spec JupyterLab uses keeps its history
    from jupyter_client.kernelspec import KernelSpecManager

    argv = KernelSpecManager().get_kernel_spec(KERNEL_NAME).argv
    assert not any("HistoryManager" in arg for arg in argv)

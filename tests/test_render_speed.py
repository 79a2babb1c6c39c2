"""The mechanisms that make `gxq report` fast (issue #14) keep their promises: notebook validation is
unchanged without the IRI grammar, and the quick ready-check of a kept kernel waits for the kernel.
(How much time they save is measured by benchmarks/bench_render.py, not asserted here.)"""

from __future__ import annotations

import time

import pytest
from test_fresh_process_support import python_output

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
    out = python_output(code, cwd=PROJ_ROOT)
    assert "invalid refused" in out and "grammar skipped" in out


def test_a_notebook_worker_leaves_out_only_the_per_output_check_and_invalid_outputs_are_still_refused():
    """Notebook workers skip nbformat's check of each output on its own (a third of their CPU); the
    report process still refuses an executed notebook with an invalid output when it reads it for
    export (nbconvert's own check is relaxed and would let it through). Cells are still checked one
    by one. Run in a fresh process: the change is process-wide."""
    code = (
        "import tempfile\n"
        "import nbformat\n"
        "from nbformat.v4 import new_code_cell, new_notebook, new_output\n"
        "from gxq_analysis.model.periods import parse_period\n"
        "from gxq_analysis.report.execute import skip_output_validation\n"
        "from gxq_analysis.report.export import _export\n"
        "from gxq_analysis.report.render import RenderError, make_exporter\n"
        "try:\n"
        "    new_output('display_data', data={'text/html': 5})\n"
        "except nbformat.ValidationError:\n"
        "    print('checked before')\n"
        "skip_output_validation()\n"
        "skip_output_validation()  # twice: still one wrapper over nbformat's own check\n"
        "bad = new_output('display_data', data={'text/html': 5})\n"
        "cell = new_code_cell('x')\n"
        "cell.outputs.append(bad)\n"
        "nb = new_notebook()\n"
        "nb.cells.append(cell)\n"
        "tmp = tempfile.mkdtemp()\n"
        "nbformat.write(nb, tmp + '/out.ipynb')\n"
        "job = {'stem': '30_quarterly_brief', 'output': tmp + '/out.ipynb'}\n"
        "try:\n"
        "    _export(make_exporter('zh'), job, parse_period('2019Q3'), 'zh', 'p', 'g', 'v', tmp, 0.0)\n"
        "except RenderError as exc:\n"
        "    print('notebook refused' if 'not valid nbformat' in str(exc) else exc)\n"
        "try:\n"
        "    new_code_cell(source=5)\n"
        "except nbformat.ValidationError:\n"
        "    print('cell refused')\n"
    )
    out = python_output(code, cwd=PROJ_ROOT).split()
    assert out == ["checked", "before", "notebook", "refused", "cell", "refused"]


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

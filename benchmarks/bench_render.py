#!/usr/bin/env python3
"""How fast is `gxq report`? Three wall times for the same pack on the same data:

1. **pack**  — ``gxq_analysis.render.render_pack`` (parallel kernels, one HTMLExporter in the parent);
2. **naive** — a loop running ``papermill`` then ``jupyter nbconvert --to html`` per notebook, one after
   the other, each as its own command (what one would write in a Makefile without thinking);
3. **floor** — one bare kernel start with the same imports the notebooks make, times the number of
   notebooks, divided by the cores: no report can start its kernels faster than that.

Aim: pack ≤ 1.3 × floor and ≥ 3 × faster than naive.

    .venv/bin/python benchmarks/bench_render.py [--period 2019Q3] [--observations FILE] [--repeat 3]

Without ``--observations`` the demo data is cleaned into a temporary folder first (``gxq clean``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gxq_analysis.config import DEFAULT_PLAN_DIR, KERNEL_NAME, NOTEBOOKS_DIR  # noqa: E402
from gxq_analysis.periods import parse_period  # noqa: E402
from gxq_analysis.render import pack_for, render_pack  # noqa: E402

BIN = Path(sys.executable).parent
# What the report notebooks import, directly or through the package (kept in step with notebooks/).
NOTEBOOK_IMPORTS = (
    "import pandas, numpy, scipy.stats, matplotlib.pyplot, seaborn\n"
    "import gxq_analysis.presentation, gxq_analysis.charts, gxq_analysis.status, gxq_analysis.pace"
)


def bare_kernel_start(imports: str) -> float:
    """Seconds from starting a `gxq` kernel to having run ``imports`` in it."""
    from jupyter_client.manager import start_new_kernel

    t0 = time.perf_counter()
    km, kc = start_new_kernel(kernel_name=KERNEL_NAME, cwd=str(NOTEBOOKS_DIR))
    try:
        reply = kc.execute_interactive(imports, timeout=120, output_hook=lambda _msg: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"imports failed in the kernel: {reply['content']}")
        return time.perf_counter() - t0
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def naive(period: str, stems: list[str], plan: Path, obs: Path, out: Path) -> float:
    t0 = time.perf_counter()
    for stem in stems:
        executed = out / f"{stem}.ipynb"
        subprocess.run(
            [
                BIN / "papermill",
                NOTEBOOKS_DIR / f"{stem}.ipynb",
                executed,
                "-k",
                KERNEL_NAME,
                "--cwd",
                NOTEBOOKS_DIR,
                "--no-progress-bar",
                "-r",
                "period",
                period,
                "-r",
                "lang",
                "zh",
                "-r",
                "plan_dir",
                plan,
                "-r",
                "observations_path",
                obs,
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", executed],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--period", default="2019Q3")
    ap.add_argument("--observations", type=Path, default=None)
    ap.add_argument("--plan", type=Path, default=DEFAULT_PLAN_DIR)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement (median reported)")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="gxq-bench-") as tmp:
        tmp = Path(tmp)
        obs = args.observations
        if obs is None:
            subprocess.run(
                [BIN / "gxq", "clean", "--out", tmp / "processed", "--no-progress"],
                check=True,
                capture_output=True,
            )
            obs = tmp / "processed" / "observations.csv"
        obs, args.plan = Path(obs).resolve(), Path(args.plan).resolve()  # the kernels run in notebooks/
        stems = [s for s in pack_for(parse_period(args.period)) if (NOTEBOOKS_DIR / f"{s}.ipynb").exists()]
        cores = os.cpu_count() or 1
        print(
            f"pack {args.period}: {', '.join(stems)}; {cores} cores; median of {args.repeat} runs", flush=True
        )

        floor_runs = [bare_kernel_start(NOTEBOOK_IMPORTS) for _ in range(args.repeat)]
        kernel = statistics.median(floor_runs)
        floor = kernel * len(stems) / cores

        pack_runs = []
        for i in range(args.repeat):  # HTML + summary + tables.xlsx, like the naive loop's HTML (no PDFs)
            t0 = time.perf_counter()
            render_pack(
                args.period,
                out_dir=tmp / f"pack{i}",
                plan_dir=args.plan,
                observations_path=obs,
                progress=False,
                say=lambda _m: None,
                pdf=False,
            )
            pack_runs.append(time.perf_counter() - t0)
        pack = statistics.median(pack_runs)
        pdf_runs = []
        for i in range(args.repeat):  # the whole pack with summary.pdf and report.pdf (headless Chromium)
            t0 = time.perf_counter()
            render_pack(
                args.period,
                out_dir=tmp / f"pdf{i}",
                plan_dir=args.plan,
                observations_path=obs,
                progress=False,
                say=lambda _m: None,
            )
            pdf_runs.append(time.perf_counter() - t0)
        with_pdf = statistics.median(pdf_runs)

        naive_runs = []
        for i in range(args.repeat):
            out = tmp / f"naive{i}"
            out.mkdir()
            naive_runs.append(naive(args.period, stems, args.plan, obs, out))
        slow = statistics.median(naive_runs)

    print(
        f"floor  {floor:6.2f} s   (bare kernel start + imports {kernel:.2f} s × {len(stems)} notebooks "
        f"÷ {cores} cores)"
    )
    print(f"pack   {pack:6.2f} s   ({pack / floor:.2f} × floor; aim ≤ 1.3)")
    print(f"naive  {slow:6.2f} s   (pack is {slow / pack:.1f} × faster; aim ≥ 3)")
    print(
        f"+pdf   {with_pdf:6.2f} s   (the pack with summary.pdf and report.pdf: PDFs add {with_pdf - pack:.2f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

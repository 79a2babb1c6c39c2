#!/usr/bin/env python3
"""How fast is `gxq report`? Wall times for the same pack on the same data:

1. **pack**  — ``gxq_analysis.report.render.render_pack`` (parallel kernels, one HTMLExporter in the parent);
2. **naive** — a loop running ``papermill`` then ``jupyter nbconvert --to html`` per notebook, one after
   the other, each as its own command (what one would write in a Makefile without thinking);
3. **floor** — one bare kernel start with the imports the pages make first (the kernels' warm-up),
   times the number of notebooks, divided by the cores: what starting one kernel per page costs.

4. with ``--all``: **all** — ``gxq report --all`` (every quarter and year the data cover, one pool
   of kept kernels), against **one by one** — ``render_pack`` for each of those periods in turn; with
   the CPU-seconds the run used (steadier than its wall time on a busy machine) and what each pack
   after the first adds; **cli-all**, ``gxq report --all`` as a new process against ``gxq report``;
   and **all+pdf**, the run with its PDFs against one pack with its PDFs.

Aims (issue #14): pack ≤ 1.6 × floor and ≥ 5 × faster than naive; all ≤ 3 × one pack.

    .venv/bin/python benchmarks/bench_render.py [--period 2019Q3] [--observations FILE] [--repeat 3] [--all]

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
from gxq_analysis.model.periods import parse_period  # noqa: E402
from gxq_analysis.report.execute import WARM_UP_CODE  # noqa: E402
from gxq_analysis.report.render import pack_for, render_pack  # noqa: E402

try:  # `gxq report --all` (absent before issue #14: then only the one-by-one loop is timed)
    from gxq_analysis.report.render import covered_periods, render_all
except ImportError:  # pragma: no cover
    covered_periods = render_all = None

BIN = Path(sys.executable).parent
# What a report kernel imports before its first page: the warm-up each notebook worker sends its
# kernel (gxq_analysis.report.execute.WARM_UP_CODE), the same import every page makes first.
NOTEBOOK_IMPORTS = WARM_UP_CODE


def _cpu_seconds() -> float:
    """CPU time of this process and its waited-for children (workers, kernels, Chromium)."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


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
    ap.add_argument("--all", action="store_true", help="also time --all against the packs one by one")
    ap.add_argument("--periods", default="", help="with --all: these periods (comma-separated), not all")
    ap.add_argument("--skip-naive", action="store_true", help="leave out the naive loop")
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
        cli_runs = []
        for i in range(args.repeat):  # what a user waits for: `gxq report` as a new process, imports included
            t0 = time.perf_counter()
            subprocess.run(
                [
                    BIN / "gxq",
                    "report",
                    "--period",
                    args.period,
                    "--out",
                    tmp / f"cli{i}",
                    "--no-pdf",
                    "--no-progress",
                    "--plan",
                    args.plan,
                    "--observations",
                    obs,
                ],
                check=True,
                capture_output=True,
            )
            cli_runs.append(time.perf_counter() - t0)
        cli = statistics.median(cli_runs)
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
        for i in range(0 if args.skip_naive else args.repeat):
            out = tmp / f"naive{i}"
            out.mkdir()
            naive_runs.append(naive(args.period, stems, args.plan, obs, out))
        slow = statistics.median(naive_runs) if naive_runs else float("nan")

        every = one_by_one = every_cpu = cli_all = every_pdf = float("nan")
        n_packs = 0
        if args.all:
            if args.periods:
                periods = [p.strip() for p in args.periods.split(",") if p.strip()]
            elif covered_periods is not None:
                periods = [str(p) for p in covered_periods(obs, args.plan)]
            else:  # the code before --all: the same periods, found the same way
                from gxq_analysis.report.pack_outputs import check_period_covered, zone_periods

                zp = zone_periods(obs, args.plan)
                cands = sorted({str(p.to_quarter()) for p in zp if p.freq != "A"} | {str(p.year) for p in zp})
                periods = []
                for c in cands:
                    try:
                        check_period_covered(parse_period(c), obs, args.plan)
                        periods.append(c)
                    except Exception:
                        pass
            n_packs = len(periods)
            print(f"all: {n_packs} packs: {', '.join(periods)}", flush=True)
            if render_all is not None:

                def run_all(folder: str, pdf: bool) -> float:
                    t0 = time.perf_counter()
                    render_all(
                        periods=periods,
                        out_dir=tmp / folder,
                        plan_dir=args.plan,
                        observations_path=obs,
                        progress=False,
                        say=lambda _m: None,
                        pdf=pdf,
                    )
                    return time.perf_counter() - t0

                cpu0 = _cpu_seconds()
                every = run_all("all", pdf=False)
                every_cpu = _cpu_seconds() - cpu0
                # and as a user runs it: `gxq report --all` as a new process, against `gxq report`
                t0 = time.perf_counter()
                subprocess.run(
                    [BIN / "gxq", "report", "--all", "--out", tmp / "cli-all", "--no-pdf", "--no-progress"]
                    + ["--plan", args.plan, "--observations", obs],
                    check=True,
                    capture_output=True,
                )
                cli_all = time.perf_counter() - t0
                every_pdf = run_all("all-pdf", pdf=True)  # as `gxq report --all` runs by default
            t0 = time.perf_counter()
            for p in periods:
                render_pack(
                    p,
                    out_dir=tmp / "one-by-one",
                    plan_dir=args.plan,
                    observations_path=obs,
                    progress=False,
                    say=lambda _m: None,
                    pdf=False,
                )
            one_by_one = time.perf_counter() - t0

    print(
        f"floor  {floor:6.2f} s   (bare kernel start + imports {kernel:.2f} s × {len(stems)} notebooks "
        f"÷ {cores} cores)"
    )
    print(f"pack   {pack:6.2f} s   ({pack / floor:.2f} × floor; aim ≤ 1.6)")
    print(f"naive  {slow:6.2f} s   (pack is {slow / pack:.1f} × faster; aim ≥ 5)")
    print(
        f"cli    {cli:6.2f} s   (`gxq report` as a new process, its imports included: "
        f"{cli / floor:.2f} × floor, {slow / cli:.1f} × faster than naive)"
    )
    print(
        f"+pdf   {with_pdf:6.2f} s   (the pack with summary.pdf and report.pdf: PDFs add {with_pdf - pack:.2f} s)"
    )
    if args.all:
        print(f"all    {every:6.2f} s   ({n_packs} packs in one run: {every / pack:.2f} × one pack; aim ≤ 3)")
        print(
            f"         each pack after the first adds {(every - pack) / max(n_packs - 1, 1):.2f} s; the run "
            f"used {every_cpu:.1f} CPU-seconds ({every_cpu / cores:.1f} s of {cores} cores)"
        )
        print(
            f"cli-all {cli_all:5.2f} s   (`gxq report --all` as a new process: {cli_all / cli:.2f} × `gxq report`)"
        )
        print(
            f"all+pdf {every_pdf:5.2f} s   (with the PDFs: {every_pdf / with_pdf:.2f} × one pack with its PDFs)"
        )
        print(f"1by1   {one_by_one:6.2f} s   (the same packs one by one: {one_by_one / pack:.2f} × one pack)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

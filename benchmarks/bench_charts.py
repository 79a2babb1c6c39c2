#!/usr/bin/env python3
"""How long does one trend chart take? Milliseconds per trajectory chart (page 20) of one period, warm,
in one process: as the page embeds it (``trajectory_chart``: the chart's inputs from the data and the
inline SVG of ``report.svg_charts``) and as the matplotlib figure an analyst gets (``trajectory_figure``
then ``figure_png``).

The observations, the assessment and every projection are prepared first and not timed. A page chart's
time includes picking its series from the data (``trajectory_inputs``, also shown on its own line).
Each run draws every chart of the period once; the figures are the median over ``--repeat`` runs after
one warm-up run, wall and CPU time (the steadier on a shared machine). Aim (issue #14): <= 30 ms per
page chart.

    .venv/bin/python benchmarks/bench_charts.py [--period 2019Q3] [--observations FILE] [--repeat 7]

Without ``--observations`` the demo data is cleaned into a temporary folder first (``gxq clean``).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def clean_demo(out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "gxq_analysis", "clean", "--out", str(out), "--no-progress"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out / "observations.csv"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--period", default="2019Q3")
    ap.add_argument("--observations", default="")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        obs = args.observations or str(clean_demo(Path(tmp)))
        t0 = time.perf_counter()
        import matplotlib.pyplot as plt

        from gxq_analysis.report import notebook as P
        from gxq_analysis.report.charts import figure_png

        ctx = P.validate_params(args.period, "zh", "", obs)
        P.setup_notebook()
        startup = time.perf_counter() - t0
        indicators = P.indicators_with_targets(ctx.plan)
        projections = {iid: P.project(ctx, iid) for iid in indicators}

        try:  # absent before issue #14 (the data part was inside trajectory_figure)
            from gxq_analysis.report.trajectories import trajectory_inputs
        except ImportError:  # pragma: no cover
            trajectory_inputs = None

        def one_run() -> tuple[int, float, float, float, float, float, float]:
            """Each chart as the page embeds it (``trajectory_chart``: its inputs, SVG); and, for
            comparison, the figure an analyst gets (``trajectory_figure``) saved with ``figure_png``.
            Wall and CPU seconds: on a shared machine the CPU time is the steadier figure."""
            n, page, page_cpu, figure, figure_cpu, data, data_cpu = 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
            for iid in indicators:
                t, c = time.perf_counter(), time.process_time()
                html = P.trajectory_chart(ctx, iid, projections[iid])
                if html is None:
                    continue
                t1, c1 = time.perf_counter(), time.process_time()
                fig = P.trajectory_figure(ctx, iid, projections[iid])
                figure_png(fig)
                plt.close(fig)
                t2, c2 = time.perf_counter(), time.process_time()
                if trajectory_inputs is not None:  # the data part alone, as trajectory_chart does it
                    trajectory_inputs(ctx, iid, projections[iid])
                t3, c3 = time.perf_counter(), time.process_time()
                n += 1
                page, page_cpu = page + (t1 - t), page_cpu + (c1 - c)
                figure, figure_cpu = figure + (t2 - t1), figure_cpu + (c2 - c1)
                data, data_cpu = data + (t3 - t2), data_cpu + (c3 - c2)
            return n, page, page_cpu, figure, figure_cpu, data, data_cpu

        one_run()  # warm-up: fonts, glyph caches, first imports
        runs = [one_run() for _ in range(args.repeat)]
    n = runs[0][0]

    def ms(i: int) -> float:
        return statistics.median(r[i] for r in runs) / n * 1000

    print(f"period {args.period}: {n} trajectory charts, median of {args.repeat} warm runs, ms per chart")
    print(f"  set-up (imports, data, style): {startup:.2f} s, seaborn imported: {'seaborn' in sys.modules}")
    print("                                             wall     cpu")
    print(f"  page chart (trajectory_chart):          {ms(1):7.1f} {ms(2):7.1f}  (aim <= 30)")
    print(f"  matplotlib (trajectory_figure + PNG):   {ms(3):7.1f} {ms(4):7.1f}")
    if ms(5) > 0:
        print(f"  of each: the data (trajectory_inputs):  {ms(5):7.1f} {ms(6):7.1f}")


if __name__ == "__main__":
    main()

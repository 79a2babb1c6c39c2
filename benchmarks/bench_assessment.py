"""How long the period assessment takes (issue #14): warm in-process, cold as the pack's worker runs it.

    .venv/bin/python benchmarks/bench_assessment.py [--period 2019Q3] [--repeat 5] [--geos 10]

Prints, on the demo data (data/processed/observations.csv; run `gxq clean` first):

1. warm: :func:`assess.period.compute_assessment` in this process after one untimed call
   (imports and the calibration file loaded; the status table's result cache emptied before each
   timed call), best and median of ``--repeat`` runs;
2. cold: :func:`report.pack_run.assessment_job` (load plan and table, fingerprint, compute, write
   the pickle) in a fresh ``python`` process, wall time of the whole process and the job's own
   seconds, best of ``--repeat``; and the import of ``assess.period`` plus reading the pickle back
   in a fresh process (what a notebook pays), with whether scipy got imported;
3. a bigger table: the demo table with its zone rows copied under ``--geos`` extra geos (the
   assessment reads the zone's rows; the copies make every lookup search a larger table), warm.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from gxq_analysis.assess import status as status_module  # noqa: E402  (after the sys.path line)
from gxq_analysis.assess.period import compute_assessment  # noqa: E402
from gxq_analysis.model.observations import load_observations, sort_observations  # noqa: E402
from gxq_analysis.model.plan import load_plan  # noqa: E402

PLAN = ROOT / "data" / "raw" / "plans" / "jiangyin-gxq-2018-2020"
OBS = ROOT / "data" / "processed" / "observations.csv"

COLD_JOB = """
import json, sys, time
t0 = time.perf_counter()
from gxq_analysis.report.pack_run import assessment_job
r = assessment_job(json.loads(sys.argv[1]))
r["process_seconds"] = time.perf_counter() - t0
print(json.dumps(r))
"""

READ_BACK = """
import sys, time
t0 = time.perf_counter()
import gxq_analysis.assess.period as p
a = p.read_assessment(sys.argv[1])
print(time.perf_counter() - t0, "scipy" in sys.modules, len(a.projections))
"""


def warm(plan, obs, period: str, repeat: int) -> list[float]:
    """Seconds per call after one untimed call; the status table's result cache is emptied before
    each call (a pack's worker computes each period once, so a cache hit is not what it pays)."""
    compute_assessment(plan, obs, period, "zh", "bench")
    times = []
    for _ in range(repeat):
        status_module._CACHE.clear()
        t0 = time.perf_counter()
        compute_assessment(plan, obs, period, "zh", "bench")
        times.append(time.perf_counter() - t0)
    return times


def bigger(obs: pd.DataFrame, zone: str, copies: int) -> pd.DataFrame:
    zone_rows = obs[obs["geo"] == zone]
    frames = [obs] + [zone_rows.assign(geo=f"copy{i}") for i in range(copies)]
    return sort_observations(pd.concat(frames, ignore_index=True))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--period", default="2019Q3")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--geos", type=int, default=10, help="extra geos in the bigger table")
    args = ap.parse_args()
    if not OBS.exists():
        print(f"{OBS} is missing: run `gxq clean` first", file=sys.stderr)
        return 1
    plan = load_plan(PLAN)
    obs = load_observations(OBS, default_geo=plan.zone_geo)
    py = sys.executable

    t = warm(plan, obs, args.period, args.repeat)
    print(
        f"warm   compute_assessment({args.period}), {len(obs)} rows: best {min(t):.3f} s, median {statistics.median(t):.3f} s"
    )

    with tempfile.TemporaryDirectory(prefix="gxq-bench-") as tmp:
        out = Path(tmp) / "_assessment.pkl"
        job = {
            "kind": "assessment",
            "pack": args.period,
            "period": args.period,
            "lang": "zh",
            "plan_dir": str(PLAN),
            "observations_path": str(OBS),
            "out": str(out),
        }
        walls, procs, jobs = [], [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            res = subprocess.run(
                [py, "-c", COLD_JOB, json.dumps(job)], capture_output=True, text=True, cwd=ROOT
            )
            walls.append(time.perf_counter() - t0)
            if res.returncode:
                print(res.stderr, file=sys.stderr)
                return 1
            r = json.loads(res.stdout.strip().splitlines()[-1])
            if not r.get("ok"):
                print(f"assessment_job failed: {r.get('error')}", file=sys.stderr)
                return 1
            procs.append(r["process_seconds"])
            jobs.append(r["seconds"])
        print(
            f"cold   assessment_job({args.period}) in a fresh process: wall best {min(walls):.3f} s "
            f"(median {statistics.median(walls):.3f}); imports+job {min(procs):.3f} s; job alone {min(jobs):.3f} s"
        )
        reads = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            res = subprocess.run([py, "-c", READ_BACK, str(out)], capture_output=True, text=True, cwd=ROOT)
            wall = time.perf_counter() - t0
            secs, scipy_loaded, _n = res.stdout.split()
            reads.append((wall, float(secs), scipy_loaded))
        best = min(reads)
        print(
            f"read   import assess.period + read_assessment in a fresh process: wall {best[0]:.3f} s, "
            f"in-process {best[1]:.3f} s, scipy imported: {best[2]}"
        )

    big = bigger(obs, plan.zone_geo, args.geos)
    t = warm(plan, big, args.period, args.repeat)
    print(
        f"bigger compute_assessment({args.period}), {len(big)} rows ({args.geos} extra geos): "
        f"best {min(t):.3f} s, median {statistics.median(t):.3f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

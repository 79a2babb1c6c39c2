"""How well the forecast's probabilities and intervals came true on real published data (issue #9).

    .venv/bin/python benchmarks/bench_calibration.py

Everything is out of sample: the model is refitted without each fifth of the geographies and scored
on that fifth (:func:`gxq_analysis.assess.calibration.cross_validate`). Prints, for the public panel in
``data/raw/public/calibration/``:

1. coverage of the 80 % interval by horizon (1–3 years) and by the number of points used (2–6);
2. the PIT histogram (flat when the whole distribution is calibrated);
3. Brier score, log-loss and hit rate of P(meet) against three naive rules (the last value already
   meets the target; a straight line through the last three points meets it; p = 0.5), on targets
   built from the origin's own data (half, the same and 1.5 times the recent pace), and the
   reliability table;
4. the same scores on real past plan targets with known outcomes (targets.csv: Lisbon-strategy and
   Europe 2020 national R&D targets, China's five-year-plan targets, Jiangsu), forecast 1–3 years
   ahead, with the previous OLS t-predictive model alongside, and the 80 % coverage there.

Log-loss clips probabilities to [0.01, 0.99] (a 0/1 rule would otherwise score infinity).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gxq_analysis.assess.calibration import EPS, track_record  # noqa: E402  (after the sys.path line)
from gxq_analysis.assess.forecast import load_calibration  # noqa: E402


def main() -> int:
    t0 = time.perf_counter()
    r = track_record()
    cal = load_calibration()
    pd.set_option("display.width", 140)
    print(
        f"panel: {r['n_series']} series, {r['n_windows']} forecast origins × window lengths "
        f"(fitted: phi={cal.phi}, slope window={cal.window}, df={cal.df}, prior weight={cal.prior_weight})"
    )
    print("\n1. coverage of the out-of-sample 80 % interval (target 0.75–0.85)")
    cov = r["coverage"].pivot(index="points", columns="horizon", values="coverage80")
    cases = r["coverage"].pivot(index="points", columns="horizon", values="cases")
    print(cov.map(lambda x: f"{x:.3f}").to_string())
    print("cases:\n" + cases.to_string())
    print("\n2. PIT histogram (10 bins, flat = calibrated):", " ".join(str(int(x)) for x in r["pit"]))
    print("\n3. P(meet) on targets set from the origin's data (out of sample)")
    print(r["pseudo_scores"].to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    print("reliability (forecast band → observed share met):")
    print(r["pseudo_reliability"].to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    real = r["real_cases"]
    if len(real):
        print(
            f"\n4. real past plan targets: {real.groupby(['geo', 'indicator', 'target_year', 'plan']).ngroups} targets, "
            f"{len(real)} forecasts (1–3 years ahead), {int(real['met'].sum())} of them for targets that were met"
        )
        print(r["real_scores"].to_string(index=False, float_format=lambda x: f"{x:.4f}"))
        print(f"80 % interval held the outcome in {r['real_coverage']:.1%} of these forecasts")
        by_h = real.assign(inside=(real["lo80"] <= real["outcome"]) & (real["outcome"] <= real["hi80"]))
        print(
            "   by horizon: "
            + ", ".join(f"h={h}: {g['inside'].mean():.1%} of {len(g)}" for h, g in by_h.groupby("horizon"))
        )
        confident_miss = real[(real["p_model"] >= 0.9) & ~real["met"]]
        print(
            f"   forecasts with p ≥ 0.9 that missed: {len(confident_miss)}; "
            f"with p ≤ 0.1 that were met: {len(real[(real['p_model'] <= 0.1) & real['met']])}"
        )
    print(f"\n(log-loss clips at {EPS}; {time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

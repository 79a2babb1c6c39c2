"""Check that the period assessment is number-for-number what another revision of the code computes.

    .venv/bin/python benchmarks/check_assessment_unchanged.py              # against where HEAD left main
    .venv/bin/python benchmarks/check_assessment_unchanged.py --against HEAD~3
    .venv/bin/python benchmarks/check_assessment_unchanged.py --save out.pkl   # just write a snapshot

For every period the data cover (:func:`report.render.covered_periods`: each quarter and year), the
script computes :func:`assess.period.compute_assessment` and compares every part (status, pace,
projections with their paths and histories, previous and year-ago status, the annual evaluation)
exactly: frames with ``assert_frame_equal(check_exact=True)`` (dtypes included, NaN equal to NaN),
floats with ``==`` (NaN equal to NaN). The reference is computed by the other revision's own package,
exported with ``git archive`` into a temporary folder and run in a subprocess, on the same data files.
Exit 0 when everything is equal, 1 with the first differences otherwise.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PLAN = ROOT / "data" / "raw" / "plans" / "jiangyin-gxq-2018-2020"
DEFAULT_OBS = ROOT / "data" / "processed" / "observations.csv"


def to_plain(obj):
    """Dataclasses to ``{"__class__": name, field: ...}`` (so the snapshot unpickles in any revision)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {"__class__": type(obj).__name__}
        for f in dataclasses.fields(obj):
            out[f.name] = to_plain(getattr(obj, f.name))
        return out
    if isinstance(obj, dict):
        return {k: to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_plain(v) for v in obj)
    return obj


def compute_all(plan_dir: Path, obs_path: Path, lang: str) -> dict:
    from gxq_analysis.assess.period import compute_assessment
    from gxq_analysis.model.observations import load_observations
    from gxq_analysis.model.plan import load_plan
    from gxq_analysis.report.render import covered_periods

    plan = load_plan(plan_dir)
    obs = load_observations(obs_path, default_geo=plan.zone_geo)
    out = {}
    for per in covered_periods(obs_path, plan_dir):
        a = compute_assessment(plan, obs, per, lang, "fingerprint")
        out[str(per)] = to_plain(a)
    return out


def compare(a, b, where: str, diffs: list[str]) -> None:
    if len(diffs) > 20:
        return
    if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):
        if not (isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame)):
            diffs.append(f"{where}: {type(a).__name__} vs {type(b).__name__}")
            return
        try:
            pd.testing.assert_frame_equal(a, b, check_exact=True)
        except AssertionError as exc:
            diffs.append(f"{where}: {exc}")
        return
    if isinstance(a, pd.Series) or isinstance(b, pd.Series):
        try:
            pd.testing.assert_series_equal(a, b, check_exact=True)
        except AssertionError as exc:
            diffs.append(f"{where}: {exc}")
        return
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True):
            diffs.append(f"{where}: arrays differ: {a!r} vs {b!r}")
        return
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            diffs.append(f"{where}: keys differ: {sorted(set(a) ^ set(b), key=str)}")
        for k in a:
            if k in b:
                compare(a[k], b[k], f"{where}.{k}", diffs)
        return
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if type(a) is not type(b) or len(a) != len(b):
            diffs.append(f"{where}: {type(a).__name__}[{len(a)}] vs {type(b).__name__}[{len(b)}]")
            return
        for i, (x, y) in enumerate(zip(a, b)):
            compare(x, y, f"{where}[{i}]", diffs)
        return
    if type(a) is not type(b):
        diffs.append(f"{where}: type {type(a).__name__} vs {type(b).__name__} ({a!r} vs {b!r})")
        return
    if isinstance(a, float) and math.isnan(a) and math.isnan(b):
        return
    if a != b:
        diffs.append(f"{where}: {a!r} != {b!r}")


def reference(rev: str, plan_dir: Path, obs_path: Path, lang: str, tmp: Path) -> dict:
    src = tmp / "src"
    src.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive.stdout, check=True)
    out = tmp / "reference.pkl"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--package-root", str(src), "--save", str(out)]
    cmd += ["--plan", str(plan_dir), "--observations", str(obs_path), "--lang", lang]
    subprocess.run(cmd, check=True)
    with open(out, "rb") as fh:
        return pickle.load(fh)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--against",
        help="git revision to compare with (default: the merge base of main and HEAD, i.e. the code "
        "before this branch's changes, whatever main has gained since)",
    )
    ap.add_argument("--save", help="only write this revision's snapshot to this pickle file")
    ap.add_argument("--package-root", help="import gxq_analysis from this folder (used for the reference)")
    ap.add_argument("--plan", default=str(DEFAULT_PLAN))
    ap.add_argument("--observations", default=str(DEFAULT_OBS))
    ap.add_argument("--lang", default="zh")
    args = ap.parse_args()
    sys.path.insert(0, args.package_root or str(ROOT))
    import gxq_analysis

    plan_dir, obs_path = Path(args.plan), Path(args.observations)
    if not args.save and not args.against:
        base = subprocess.run(
            ["git", "-C", str(ROOT), "merge-base", "main", "HEAD"], check=True, capture_output=True, text=True
        )
        args.against = base.stdout.strip()
    if args.save:
        snap = compute_all(plan_dir, obs_path, args.lang)
        with open(args.save, "wb") as fh:
            pickle.dump(snap, fh, protocol=pickle.HIGHEST_PROTOCOL)
        print(f"{gxq_analysis.__file__}: {len(snap)} periods -> {args.save}")
        return 0
    with tempfile.TemporaryDirectory(prefix="gxq-ref-") as tmp:
        ref = reference(args.against, plan_dir, obs_path, args.lang, Path(tmp))
    new = compute_all(plan_dir, obs_path, args.lang)
    print(f"{gxq_analysis.__file__}: {len(new)} periods ({', '.join(new)})")
    diffs: list[str] = []
    compare(ref, new, "assessment", diffs)
    if diffs:
        print(f"DIFFERENT from {args.against}:")
        for d in diffs[:20]:
            print("  " + d.replace("\n", "\n    "))
        return 1
    print(f"identical to {args.against}: every frame, path, probability and note ({args.lang})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

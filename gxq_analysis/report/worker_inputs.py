"""The inputs a compute worker of `gxq report` keeps from one job to the next.

A compute worker serves many jobs of the same inputs (every job of a pack; every pack in `gxq report
--all`): it keeps the plan, the table and one index of it, so the table is read once per worker and
the periods' assessments and charts share its series, outlooks and status tables (a period's
previous quarter is another pack's period). One set of inputs at a time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

_KEPT_INPUTS: dict[str, tuple[Any, Any, Any]] = {}


def kept_inputs(plan_dir: str, observations_path: str) -> tuple[str, Any, Any, Any]:
    """``(fingerprint, plan, obs, index)`` of these inputs, read once per worker process while their
    files are unchanged (the fingerprint covers every byte of them)."""
    from ..assess.period import input_fingerprint
    from ..model.observations import load_observations
    from ..model.plan import load_plan
    from ..model.series import ObsIndex

    fingerprint = input_fingerprint(plan_dir, observations_path)
    if fingerprint not in _KEPT_INPUTS:
        plan = load_plan(Path(plan_dir))
        obs = load_observations(Path(observations_path), default_geo=plan.zone_geo)
        _KEPT_INPUTS.clear()
        _KEPT_INPUTS[fingerprint] = (plan, obs, ObsIndex(obs))
    return (fingerprint, *_KEPT_INPUTS[fingerprint])

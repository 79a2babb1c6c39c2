"""The plan's answers that the assessment asks hundreds of times (an indicator's row, bounds, name,
target of a year), each computed once.

:class:`model.plan.Plan` answers each question by selecting from its frames, which costs tens of
microseconds a call; a period's assessment asks about 2,000 of them. :func:`plan_lookup` keeps one
:class:`PlanLookup` per plan on an :class:`model.series.ObsIndex` (which lives for one computation),
so the plan cannot change under it; given a plain frame it builds a fresh one.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..model.plan import Plan
from ..model.series import ObsIndex


class PlanLookup:
    """Plan.indicator / bounds / name / target / target years, answered from dicts (same values)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._targets: dict[tuple[str, int], float] = {}
        self._years: dict[str, list[int]] = {}
        t = plan.targets
        for iid, year, target in zip(t["indicator_id"], t["year"], t["target"]):
            # Plan.target takes the first row of an (indicator, year).
            self._targets.setdefault((iid, int(year)), float(target))
            self._years.setdefault(iid, []).append(int(year))
        for years in self._years.values():
            years.sort()
        self._indicator: dict[str, pd.Series] = {}
        self._bounds: dict[str, tuple[float | None, float | None]] = {}
        self._names: dict[tuple[str, str], str] = {}
        self._base_year: int | None = None
        self.fingerprints: dict[str, Any] = {}  # status._fingerprint of the plan's frames

    def indicator(self, iid: str) -> pd.Series:
        hit = self._indicator.get(iid)
        if hit is None:
            hit = self._indicator[iid] = self.plan.indicator(iid)
        return hit

    def bounds(self, iid: str) -> tuple[float | None, float | None]:
        hit = self._bounds.get(iid)
        if hit is None:
            hit = self._bounds[iid] = self.plan.bounds(iid)
        return hit

    def name(self, iid: str, lang: str = "zh") -> str:
        hit = self._names.get((iid, lang))
        if hit is None:
            hit = self._names[(iid, lang)] = self.plan.name(iid, lang)
        return hit

    @property
    def base_year(self) -> int:
        """plan.json ``base_year``, else the year before the plan starts."""
        if self._base_year is None:
            meta = self.plan.meta
            self._base_year = int(meta["base_year"] if "base_year" in meta else self.plan.start_year - 1)
        return self._base_year

    def target(self, iid: str, year: int) -> float | None:
        return self._targets.get((iid, int(year)))

    def target_years(self, iid: str) -> list[int]:
        """The indicator's target years, ascending (Plan.targets_for(iid)["year"])."""
        return list(self._years.get(iid, []))


def plan_lookup(plan: Plan, obs: Any) -> PlanLookup:
    """The lookup of ``plan`` kept on ``obs`` when it is an :class:`ObsIndex` (on its root, so every
    cut of one table shares it), else a new one."""
    if not isinstance(obs, ObsIndex):
        return PlanLookup(plan)
    memo = obs.root.memo
    key = ("plan_lookup", id(plan))
    hit = memo.get(key)
    if hit is None or hit.plan is not plan:
        hit = memo[key] = PlanLookup(plan)
    return hit

"""PlanLookup answers exactly what the Plan answers, once per plan and index."""

from __future__ import annotations

import pandas as pd

from gxq_analysis.assess.plan_lookup import PlanLookup, plan_lookup
from gxq_analysis.config import DEFAULT_PLAN_DIR
from gxq_analysis.model.plan import load_plan
from gxq_analysis.model.series import ObsIndex

PLAN = load_plan(DEFAULT_PLAN_DIR)


def test_same_answers_as_the_plan():
    facts = PlanLookup(PLAN)
    years = range(min(PLAN.years) - 2, max(PLAN.years) + 3)
    for iid in PLAN.indicators.index:
        for year in years:
            assert facts.target(iid, year) == PLAN.target(iid, year)
        assert facts.target_years(iid) == [int(y) for y in PLAN.targets_for(iid)["year"]]
        assert facts.bounds(iid) == PLAN.bounds(iid)
        assert facts.name(iid, "zh") == PLAN.name(iid, "zh") and facts.name(iid, "en") == PLAN.name(iid, "en")
        pd.testing.assert_series_equal(facts.indicator(iid), PLAN.indicator(iid))
    assert facts.target("not_an_indicator", 2019) is None and facts.target_years("not_an_indicator") == []
    assert facts.base_year == int(PLAN.meta.get("base_year", PLAN.start_year - 1))


def test_first_row_wins_like_plan_target():
    plan = load_plan(DEFAULT_PLAN_DIR)
    first = plan.targets.iloc[0]
    extra = first.copy()
    extra["target"] = float(first["target"]) + 1000
    plan.targets = pd.concat(
        [plan.targets, extra.to_frame().T.astype(plan.targets.dtypes)], ignore_index=True
    )
    iid, year = first["indicator_id"], int(first["year"])
    assert PlanLookup(plan).target(iid, year) == plan.target(iid, year) == float(first["target"])


def test_one_lookup_per_plan_and_index():
    frame = pd.DataFrame(columns=["indicator_id", "geo", "period", "value"])
    index = ObsIndex(frame)
    a = plan_lookup(PLAN, index)
    assert plan_lookup(PLAN, index) is a
    other = load_plan(DEFAULT_PLAN_DIR)
    assert plan_lookup(other, index).plan is other
    assert plan_lookup(PLAN, frame) is not plan_lookup(PLAN, frame)  # a plain frame: nothing kept

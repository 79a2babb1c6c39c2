"""Backtest: cases, outcomes and the rule's scores computed by hand on a small series."""

from __future__ import annotations

import math

import pytest

from gxq_analysis.assess.backtest import brier, hit_rate, run_backtest
from gxq_analysis.config import DEFAULT_PLAN_DIR
from gxq_analysis.model.observations import load_observations
from gxq_analysis.model.plan import load_plan

PLAN = load_plan(DEFAULT_PLAN_DIR)

# High-tech enterprises (targets 80 / 100 / 120 for 2018 / 2019 / 2020; base year 2017).
TIDY = """indicator_id,period,value
hitech_enterprises,2015,50
hitech_enterprises,2016,58
hitech_enterprises,2017,66
hitech_enterprises,2018,80
hitech_enterprises,2019,95
hitech_enterprises,2020,125
"""


@pytest.fixture
def obs(tidy_obs):
    return tidy_obs(TIDY)


def test_cases_outcomes_and_rule_scores_by_hand(obs):
    cases, summary = run_backtest(PLAN, obs, as_of_periods=["2017", "2018"])
    # As of 2017: targets 2018, 2019, 2020 are open; as of 2018: 2019 and 2020 (2018 has closed).
    assert sorted(zip(cases["as_of"], cases["target_year"])) == [
        ("2017", 2018),
        ("2017", 2019),
        ("2017", 2020),
        ("2018", 2019),
        ("2018", 2020),
    ]
    # Outcomes: 80 ≥ 80 met; 95 < 100 missed; 125 ≥ 120 met.
    met = dict(zip(cases["target_year"], cases["met"]))
    assert met == {2018: True, 2019: False, 2020: True}
    # Rule, as of 2017 (base 2017 = latest: no growth span → the base is the first point, 2015):
    # observed CAGR (66/50)^(1/2) − 1 = 14.9 %; required to 80/100/120 from 2015: 17.0/18.9/19.1 %
    # → R = 0.88 / 0.79 / 0.78: all "needs acceleration" → rule says "not met" (0).
    # As of 2018 (base 2017 = 66, latest 80): observed 21.2 %; required to 100 by 2019:
    # (100/66)^(1/2) − 1 = 23.1 % → R = 0.92; to 120 by 2020: (120/66)^(1/3) − 1 = 22.0 % → R = 0.96
    # → needs acceleration (0) and on track (1).
    r17 = [
        ((66 / 50) ** 0.5 - 1) / ((t / 50) ** (1 / (T - 2015)) - 1)
        for t, T in ((80, 2018), (100, 2019), (120, 2020))
    ]
    r18 = [(80 / 66 - 1) / ((t / 66) ** (1 / (T - 2017)) - 1) for t, T in ((100, 2019), (120, 2020))]
    assert all(0.6 <= r < 0.95 for r in r17)
    assert 0.6 <= r18[0] < 0.95 and r18[1] >= 0.95
    rule = [0, 0, 0, 0, 1]
    truth = [1, 0, 1, 0, 1]
    got = cases.sort_values(["as_of", "target_year"])
    assert got["rule_prob"].tolist() == rule
    assert got["met"].astype(int).tolist() == truth
    assert summary["n_cases"] == 5 and summary["n_met"] == 3
    assert summary["rule_hit_rate"] == pytest.approx(3 / 5)  # right on 2019 (twice) and 2020 as of 2018
    assert summary["rule_brier"] == pytest.approx(2 / 5)
    # p_meet exists for every case (3+ annual points) and is a probability.
    assert summary["n_method"] == 5
    assert got["p_meet"].between(0, 1).all()
    y = got["met"].astype(float)
    assert summary["method_brier"] == pytest.approx(((got["p_meet"] - y) ** 2).mean())


def test_scores_by_hand():
    assert brier([1, 0, 0.5], [1, 1, 0]) == pytest.approx((0 + 1 + 0.25) / 3)
    assert hit_rate([0.9, 0.2, 0.5], [True, True, True]) == pytest.approx(2 / 3)
    assert math.isnan(brier([], []))


def test_default_periods_on_a_table_without_zone_data(tmp_path):
    p = tmp_path / "o.csv"
    p.write_text("indicator_id,period,value,geo\nrd_gdp_share,2019,2.2,全国\n", encoding="utf-8")
    cases, summary = run_backtest(PLAN, load_observations(p, default_geo=PLAN.zone_geo))
    assert cases.empty and summary["n_cases"] == 0

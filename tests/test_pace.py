"""In-year pace: completion vs 时间进度, seasonal-share projection, behind-schedule flag (hand-computed)."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from gxq_analysis.config import DEFAULT_PLAN_DIR
from gxq_analysis.observations import load_observations
from gxq_analysis.pace import FIXED_TOLERANCE, PACE_COLUMNS, assess_pace
from gxq_analysis.plan import load_plan

PLAN = load_plan(DEFAULT_PLAN_DIR)

# invention_patent_applications (flow, targets 780/790/800) as YTD through June and December for
# 2017, 2018 and 2019; hitech_enterprises (stock, 2019 target 100) with its 2018 year-end.
TIDY = """indicator_id,period,value,ytd
invention_patent_applications,2017-06,300,true
invention_patent_applications,2017-12,750,true
invention_patent_applications,2018-06,320,true
invention_patent_applications,2018-12,800,true
invention_patent_applications,2019-06,280,true
hitech_enterprises,2018,82,false
hitech_enterprises,2019Q3,87,false
new_talents,2019Q1,1,true
new_talents,2019Q2,2,true
"""


@pytest.fixture
def obs(tidy_obs):
    return tidy_obs(TIDY)


def one(df, iid):
    sel = df[df["indicator_id"] == iid]
    assert len(sel) == 1
    return sel.iloc[0]


def test_flow_with_two_earlier_years_uses_seasonal_shares(obs):
    df = assess_pace(PLAN, obs, as_of="2019-06")
    assert list(df.columns) == PACE_COLUMNS
    r = one(df, "invention_patent_applications")
    # Completion 280/790; half the year elapsed.
    assert r["completion_rate"] == pytest.approx(280 / 790)
    assert r["time_elapsed"] == 0.5
    assert r["pace_ratio"] == pytest.approx((280 / 790) / 0.5)
    # Ratios of annual to YTD-June: 750/300 = 2.5 and 800/320 = 2.5 → identical; the SD is floored
    # at 1 % of the mean ratio (0.025), so the interval is 280·(2.5 ± t_{1,0.9}·0.025·√1.5).
    r_bar = 2.5
    half = stats.t.ppf(0.9, 1) * 0.025 * math.sqrt(1.5)
    assert r["projected_annual"] == pytest.approx(280 * r_bar)  # 700
    assert r["projected_lo"] == pytest.approx(280 * (r_bar - half))
    assert r["projected_hi"] == pytest.approx(280 * (r_bar + half))
    assert r["expected_completion"] == pytest.approx(0.4)  # 1/2.5 of the year's total by June
    # 700 ≪ 790 and even the upper end (~729) is short: behind schedule.
    assert r["projected_hi"] < 790
    assert bool(r["behind_schedule"])
    assert r["p_meet_year"] < 0.05
    assert r["history_years"] == 2


def test_flow_on_pace_is_not_flagged(tmp_path):
    text = TIDY.replace("2019-06,280", "2019-06,330")
    p = tmp_path / "o.csv"
    p.write_text(text, encoding="utf-8")
    obs = load_observations(p, default_geo=PLAN.zone_geo)
    r = one(assess_pace(PLAN, obs, as_of="2019-06"), "invention_patent_applications")
    assert r["projected_annual"] == pytest.approx(330 * 2.5)  # 825 ≥ 790
    assert not bool(r["behind_schedule"])
    assert r["p_meet_year"] > 0.5


def test_stock_completion_is_the_share_of_the_required_increase(obs):
    r = one(assess_pace(PLAN, obs, as_of="2019Q3"), "hitech_enterprises")
    # Start 82 (2018 year-end), target 100, level 87: (87 − 82)/(100 − 82) = 27.8 % at 75 % of the year.
    assert r["start_level"] == 82
    assert r["completion_rate"] == pytest.approx(5 / 18)
    assert r["time_elapsed"] == 0.75
    # No earlier year with a Q3 level: straight-line annualisation 82 + 5/0.75, fixed 10-point tolerance.
    assert r["projected_annual"] == pytest.approx(82 + 5 / 0.75)
    assert r["method"] == "linear_annualisation"
    assert bool(r["behind_schedule"]) == (5 / 18 < 0.75 - FIXED_TOLERANCE)
    assert math.isnan(r["projected_lo"]) and "straight-line" in r["note"]


def test_flow_without_history_and_as_of_cut(obs):
    r = one(assess_pace(PLAN, obs, as_of="2019Q2"), "new_talents")
    # 2 of 8 by mid-year: 25 % against 50 % elapsed → more than 10 points behind.
    assert r["completion_rate"] == pytest.approx(0.25)
    assert bool(r["behind_schedule"])
    r = one(assess_pace(PLAN, obs, as_of="2019Q1"), "new_talents")
    assert r["ytd_value"] == 1 and r["time_elapsed"] == 0.25


def test_complete_year_reports_the_outcome(obs):
    df = assess_pace(PLAN, obs, as_of="2018-12")
    r = one(df, "invention_patent_applications")
    assert r["completion_rate"] == pytest.approx(800 / 780)
    assert r["p_meet_year"] == 1.0 and not bool(r["behind_schedule"])


def test_stock_without_start_level_is_explained_not_nan_silently(tmp_path):
    p = tmp_path / "o.csv"
    p.write_text("indicator_id,period,value\nhitech_enterprises,2019Q2,90\n", encoding="utf-8")
    obs = load_observations(p, default_geo=PLAN.zone_geo)
    r = one(assess_pace(PLAN, obs, as_of="2019Q2"), "hitech_enterprises")
    assert math.isnan(r["completion_rate"]) and "year-end level" in r["note"]

"""In-year pace: completion vs 时间进度 (hand-computed); the year-end forecast and the behind-schedule
flag are the one forecast of the year (outlook), checked here against the formula by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gxq_analysis.assess.forecast import load_calibration
from gxq_analysis.assess.pace import PACE_COLUMNS, assess_pace
from gxq_analysis.config import DEFAULT_PLAN_DIR
from gxq_analysis.model.observations import load_observations
from gxq_analysis.model.plan import load_plan

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


def _hand_median(t, y, info_time, target_time):
    """The forecast median by hand: log scale, slope of the last points, shrunk spread, bias β(h)·σ̂."""
    cal = load_calibration()
    z = np.log(np.asarray(y, float))
    slope = np.polyfit(t[-cal.window :], z[-cal.window :], 1)[0]
    ch = np.diff(z) / np.diff(t)
    k = len(ch) - 1
    prior = cal.prior_sd0 + cal.prior_sd1 * abs(slope)
    sigma = math.sqrt(((k * np.var(ch, ddof=1)) if k else 0.0) + cal.prior_weight * prior**2) / math.sqrt(
        k + cal.prior_weight
    )
    h_sd = target_time - info_time
    beta = np.interp(h_sd, np.arange(len(cal.horizon_bias) + 1), np.concatenate([[0], cal.horizon_bias]))
    h_loc = target_time - t[-1]
    damp = cal.phi * (1 - cal.phi**h_loc) / (1 - cal.phi) if cal.phi < 1 else h_loc
    return math.exp(z[-1] + slope * damp + beta * sigma)


def test_flow_with_two_earlier_years_uses_seasonal_shares(obs):
    df = assess_pace(PLAN, obs, as_of="2019-06")
    assert list(df.columns) == PACE_COLUMNS
    r = one(df, "invention_patent_applications")
    # Completion 280/790; half the year elapsed.
    assert r["completion_rate"] == pytest.approx(280 / 790)
    assert r["time_elapsed"] == 0.5
    assert r["pace_ratio"] == pytest.approx((280 / 790) / 0.5)
    # Ratios of annual to YTD-June: 750/300 = 2.5 and 800/320 = 2.5: by June 40 % of a year is in.
    assert r["expected_completion"] == pytest.approx(0.4)
    assert r["history_years"] == 2
    # The year's nowcast 280 × 2.5 = 700 is the newest annual point (2017 750, 2018 800); the
    # information dates from mid-2019, so the interval is sized for half a year.
    median = _hand_median(np.array([2017.0, 2018, 2019]), [750, 800, 700], 2018.5, 2019.0)
    assert r["projected_annual"] == pytest.approx(median)
    assert r["projected_lo"] < r["projected_annual"] < r["projected_hi"]
    # 700-ish ≪ 790: behind schedule, and that is the same statement as P(meet) < 0.5.
    assert r["projected_hi"] < 790
    assert bool(r["behind_schedule"]) and r["p_meet_year"] < 0.1
    assert "nowcast" in r["method"]


def test_flow_on_pace_is_not_flagged(tmp_path):
    text = TIDY.replace("2019-06,280", "2019-06,330")
    p = tmp_path / "o.csv"
    p.write_text(text, encoding="utf-8")
    obs = load_observations(p, default_geo=PLAN.zone_geo)
    r = one(assess_pace(PLAN, obs, as_of="2019-06"), "invention_patent_applications")
    median = _hand_median(np.array([2017.0, 2018, 2019]), [750, 800, 825], 2018.5, 2019.0)
    assert r["projected_annual"] == pytest.approx(median)  # ≈ 825 ≥ 790
    assert not bool(r["behind_schedule"])
    assert r["p_meet_year"] > 0.5


def test_behind_is_decided_by_the_same_forecast_as_the_year_end_figure(tmp_path):
    """Never '落后 否' beside a year-end forecast short of the target (issue #9)."""
    for ytd in (250, 300, 310, 316, 320, 330, 360):
        p = tmp_path / f"o{ytd}.csv"
        p.write_text(TIDY.replace("2019-06,280", f"2019-06,{ytd}"), encoding="utf-8")
        r = one(
            assess_pace(PLAN, load_observations(p, default_geo=PLAN.zone_geo), as_of="2019-06"),
            "invention_patent_applications",
        )
        assert bool(r["behind_schedule"]) == (r["projected_annual"] < 790) == (r["p_meet_year"] < 0.5)


def test_stock_completion_is_the_share_of_the_required_increase(obs):
    r = one(assess_pace(PLAN, obs, as_of="2019Q3"), "hitech_enterprises")
    # Start 82 (2018 year-end), target 100, level 87: (87 − 82)/(100 − 82) = 27.8 % at 75 % of the year.
    assert r["start_level"] == 82
    assert r["completion_rate"] == pytest.approx(5 / 18)
    assert r["time_elapsed"] == 0.75
    # No earlier year with a Q3 level: the expected completion is the time elapsed; the level itself
    # is the newest point (2018 year-end and 2019Q3 give two points: a forecast can be made).
    assert r["expected_completion"] == 0.75
    median = _hand_median(np.array([2018.0, 2018.75]), [82, 87], 2018.75, 2019.0)
    assert r["projected_annual"] == pytest.approx(median)
    assert bool(r["behind_schedule"]) == (r["projected_annual"] < 100)


def test_flow_without_history_and_as_of_cut(obs):
    r = one(assess_pace(PLAN, obs, as_of="2019Q2"), "new_talents")
    # 2 of 8 by mid-year: 25 % against 50 % elapsed; no complete year: no forecast, no flag.
    assert r["completion_rate"] == pytest.approx(0.25)
    assert r["behind_schedule"] is None and math.isnan(r["p_meet_year"])
    assert "annual points" in r["note"]
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


def test_stock_nowcast_scales_the_level_by_last_years_rest_of_year_growth(tidy_obs):
    """Certifications land in Q4: 2018 went 70 (Q3) → 80 (year-end), so 87 at 2019Q3 points to
    87 × 80/70 ≈ 99.4 at the 2019 year-end, not to 87-and-a-bit."""
    obs = tidy_obs(
        "indicator_id,period,value\nhitech_enterprises,2018Q3,70\nhitech_enterprises,2018,80\n"
        "hitech_enterprises,2019Q3,87\n",
        name="stock.csv",
    )
    r = one(assess_pace(PLAN, obs, as_of="2019Q3"), "hitech_enterprises")
    nowcast = 87 * 80 / 70
    assert r["projected_annual"] == pytest.approx(
        _hand_median(np.array([2018.0, 2019.0]), [80, nowcast], 2018.75, 2019.0)
    )
    assert "nowcast" in r["method"]
    assert bool(r["behind_schedule"]) == (r["projected_annual"] < 100)

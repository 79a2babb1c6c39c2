"""Deterministic status: known answers computed here from the formulas (reference note §1, §3, §5.4)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gxq_analysis.assess.progress import (
    Thresholds,
    assess_progress,
    cagr,
    classify_ratio,
    period_time,
    status_rank,
)


def test_period_time_puts_year_ends_on_the_integer():
    assert period_time("2019") == 2019.0
    assert period_time("2019Q4") == 2019.0
    assert period_time("2019Q3") == pytest.approx(2018.75)
    assert period_time("2019-01") == pytest.approx(2018 + 1 / 12)


def test_cagr_formula():
    assert cagr(100, 121, 2) == pytest.approx(0.10)
    with pytest.raises(ValueError):
        cagr(0, 1, 2)


# --- §5.4 worked check: 2015 → 2018 observed, target for 2020 -------------------------------


def test_worked_check_rd_share_is_on_track_at_the_cut_off():
    # R = ((4.8/4.0)^(1/3) − 1) / ((5.5/4.0)^(1/5) − 1) = 0.06266 / 0.06576 = 0.953
    r_hand = ((4.8 / 4.0) ** (1 / 3) - 1) / ((5.5 / 4.0) ** (1 / 5) - 1)
    assert r_hand == pytest.approx(0.953, abs=5e-4)
    res = assess_progress([2015, 2018], [4.0, 4.8], 5.5, 2020, "higher", "share", (0, 100))
    assert res.ratio == pytest.approx(r_hand)
    assert res.status == "on_track"
    assert res.growth_unit == "cagr"


def test_worked_check_hitech_firms_on_track():
    r_hand = ((95 / 60) ** (1 / 3) - 1) / ((120 / 60) ** (1 / 5) - 1)  # 0.1656 / 0.1487 = 1.11
    assert r_hand == pytest.approx(1.11, abs=5e-3)
    res = assess_progress([2015, 2016, 2017, 2018], [60, 70, 80, 95], 120, 2020, "higher", "count")
    assert res.ratio == pytest.approx(r_hand)
    assert res.status == "on_track"


def test_worked_check_rank_with_cagr_matches_reference_and_position_change_is_used_for_ranks():
    # The reference's CAGR on ranks (d = −1): R = −1·((53/58)^(1/3) − 1) / |(49/58)^(1/5) − 1| = 0.89
    r_cagr = -((53 / 58) ** (1 / 3) - 1) / abs((49 / 58) ** (1 / 5) - 1)
    assert r_cagr == pytest.approx(0.89, abs=5e-3)
    res = assess_progress([2015, 2018], [58, 53], 49, 2020, "lower", "amount")
    assert res.ratio == pytest.approx(r_cagr)
    assert res.status == "needs_acceleration"
    # Ranks use the position change: observed −5/3 positions a year, required −9/5: R = 25/27.
    res = assess_progress([2015, 2018], [58, 53], 49, 2020, "lower", "rank")
    assert res.growth_unit == "linear"
    assert res.observed_growth == pytest.approx(-5 / 3)
    assert res.required_growth == pytest.approx(-9 / 5)
    assert res.ratio == pytest.approx(25 / 27)
    assert res.status == "needs_acceleration"


@pytest.mark.parametrize(
    "latest, expected",
    [
        # base 100 in 2016, target 200 in 2020: required CAGR 2^(1/4) − 1 = 18.92 %/yr; latest in 2018.
        (100 * (1 + 0.20) ** 2, "on_track"),  # R = 0.20/0.1892 = 1.06
        (100 * (1 + 0.17) ** 2, "needs_acceleration"),  # R = 0.898
        (100 * (1 + 0.10) ** 2, "limited_progress"),  # R = 0.529
        (100 * (1 + 0.00) ** 2, "limited_progress"),  # R = 0 (the 0 cut-off is inclusive)
        (100 * (1 - 0.05) ** 2, "deterioration"),  # R < 0
    ],
)
def test_each_cut_off(latest, expected):
    req = 2**0.25 - 1
    obs = (latest / 100) ** 0.5 - 1
    res = assess_progress([2016, 2018], [100, latest], 200, 2020, "higher", "count")
    assert res.ratio == pytest.approx(obs / req)
    assert res.status == expected


def test_thresholds_are_configurable():
    # R = 0.898 (see above): needs acceleration by default, on track with high = 0.85.
    latest = 100 * 1.17**2
    assert assess_progress([2016, 2018], [100, latest], 200, 2020, "higher").status == "needs_acceleration"
    res = assess_progress(
        [2016, 2018], [100, latest], 200, 2020, "higher", thresholds={"high": 0.85, "med": 0.5}
    )
    assert res.status == "on_track"
    with pytest.raises(ValueError):
        Thresholds(high=0.5, med=0.6)
    assert classify_ratio(0.59, Thresholds(low=0.0, med=0.6, high=0.95)) == "limited_progress"


def test_achieved_when_latest_at_or_beyond_target_in_either_direction():
    assert assess_progress([2017, 2019], [100, 120], 120, 2020, "higher").status == "target_achieved"
    assert assess_progress([2017, 2019], [60, 48], 49, 2020, "lower", "rank").status == "target_achieved"
    # A single observation already beyond the target is enough.
    assert assess_progress([2019], [121], 120, 2020, "higher").status == "target_achieved"


def test_flow_beyond_target_before_the_target_year_is_on_track_not_achieved():
    res = assess_progress(
        [2017, 2018], [700, 800], 790, 2019, "higher", "count", level_counts_as_achieved=False
    )
    assert res.status == "on_track"
    # Once the target year is observed the flow is achieved.
    res = assess_progress(
        [2017, 2019], [700, 800], 790, 2019, "higher", "count", level_counts_as_achieved=False
    )
    assert res.status == "target_achieved"


def test_series_starting_beyond_its_target_that_falls_is_deterioration():
    # 130 → 110 against a target of 120 (higher is better). Eurostat's plain ratio would read
    # obs/req = (negative)/(negative) > 0 as progress; Open SDG's d·obs/|req| gives R < 0.
    obs = (110 / 130) ** 0.5 - 1
    req = (120 / 130) ** 0.25 - 1
    assert obs / req > 0  # the trap
    res = assess_progress([2016, 2018], [130, 110], 120, 2020, "higher", "count")
    assert res.ratio == pytest.approx(obs / abs(req))
    assert res.status == "deterioration"


def test_zero_base_uses_linear_change():
    # 独角兽企业 0 → 1: CAGR is undefined. Still 0 after one year of three: observed 0/yr, required 1/3.
    res = assess_progress([2017, 2018], [0, 0], 1, 2020, "higher", "count")
    assert res.growth_unit == "linear"
    assert res.ratio == pytest.approx(0.0)
    assert res.status == "limited_progress"
    assert "zero" in res.note
    assert (
        assess_progress([2017, 2018, 2019], [0, 0, 1], 1, 2020, "higher", "count").status == "target_achieved"
    )
    # Base 0, now 2 of a target of 6 after 1 of 3 years: observed 2/yr, required 2/yr: R = 1.
    res = assess_progress([2017, 2018], [0, 2], 6, 2020, "higher", "count")
    assert res.ratio == pytest.approx(1.0)
    assert res.status == "on_track"


def test_share_target_on_the_bound_is_met_within_one_point():
    # Coverage target 100 %: 99.2 is achieved (UNSD: within 1 pp of a 0/100 % target).
    res = assess_progress([2017, 2019], [80, 99.2], 100, 2020, "higher", "share", (0, 100))
    assert res.status == "target_achieved"
    assert "pp" in res.note
    # 98.5 is not: R = ((98.5/80)^(1/2) − 1) / ((100/80)^(1/3) − 1) = 0.1096/0.0772 = 1.42.
    res = assess_progress([2017, 2019], [80, 98.5], 100, 2020, "higher", "share", (0, 100))
    assert res.ratio == pytest.approx(((98.5 / 80) ** 0.5 - 1) / ((100 / 80) ** (1 / 3) - 1))
    assert res.status == "on_track"
    # The tolerance applies to bound targets only.
    res = assess_progress([2017, 2019], [80, 89.5], 90, 2020, "higher", "share", (0, 100))
    assert res.status != "target_achieved"


def test_target_year_past_reports_missed_with_its_value():
    res = assess_progress([2017, 2018, 2020], [100, 110, 115], 120, 2020, "higher")
    assert res.status == "target_missed"
    assert res.latest_value == 115
    assert "5" in res.note


def test_one_or_no_observation_is_insufficient_not_a_crash():
    res = assess_progress([2019], [80], 120, 2020, "higher")
    assert res.status == "insufficient_data"
    assert res.ratio is None
    assert "one observation" in res.note
    assert assess_progress([], [], 120, 2020, "higher").status == "insufficient_data"


def test_base_equal_to_target_then_falling_is_deterioration_without_a_ratio():
    res = assess_progress([2017, 2018], [120, 110], 120, 2020, "higher")
    assert res.status == "deterioration"
    assert res.ratio is None
    assert "undefined" in res.note


def test_regression_growth_uses_the_log_slope_over_all_points():
    t = [2015, 2016, 2017, 2018]
    y = [60, 75, 72, 95]
    # Slope of ln y on t by hand: b = Σ(t−t̄)(z−z̄)/Σ(t−t̄)²; trend CAGR = e^b − 1.
    z = [math.log(v) for v in y]
    tbar, zbar = sum(t) / 4, sum(z) / 4
    b = sum((ti - tbar) * (zi - zbar) for ti, zi in zip(t, z)) / sum((ti - tbar) ** 2 for ti in t)
    req = (120 / 60) ** (1 / 5) - 1
    res = assess_progress(t, y, 120, 2020, "higher", "count", thresholds={"growth": "regression"})
    assert res.observed_growth == pytest.approx(math.exp(b) - 1)
    assert res.ratio == pytest.approx((math.exp(b) - 1) / req)
    # Endpoint growth differs on the same data.
    assert assess_progress(t, y, 120, 2020, "higher", "count").observed_growth == pytest.approx(
        (95 / 60) ** (1 / 3) - 1
    )


def test_fractional_times_for_a_partial_year():
    # Base at the end of 2017, latest level 2019Q3 (t = 2018.75): 1.75 years of growth.
    res = assess_progress([2017, period_time("2019Q3")], [60, 95], 120, 2020, "higher", "count")
    assert res.observed_growth == pytest.approx((95 / 60) ** (1 / 1.75) - 1)
    assert res.required_growth == pytest.approx((120 / 60) ** (1 / 3) - 1)


def test_bad_input_raises_clearly():
    with pytest.raises(ValueError, match="direction"):
        assess_progress([2017, 2018], [1, 2], 3, 2020, "up")
    with pytest.raises(ValueError, match="finite"):
        assess_progress([2017, 2018], [1, float("nan")], 3, 2020, "higher")


# --- properties -------------------------------------------------------------------------------

values = st.floats(min_value=1.0, max_value=1000.0, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    y0=values,
    yl=values,
    target=values,
    away=st.floats(min_value=0.0, max_value=0.9),
    direction=st.sampled_from(["higher", "lower"]),
    kind=st.sampled_from(["count", "rank", "share"]),
)
def test_moving_the_latest_value_away_from_the_target_never_improves_the_status(
    y0, yl, target, away, direction, kind
):
    bounds = (0.0, 1000.0) if kind == "share" else (None, None)
    d = 1 if direction == "higher" else -1
    # Move the latest value away from the target (down for higher-is-better), staying positive.
    moved = yl * (1 - away) if d > 0 else yl * (1 + away)
    a = assess_progress([2016, 2018], [y0, yl], target, 2020, direction, kind, bounds)
    b = assess_progress([2016, 2018], [y0, moved], target, 2020, direction, kind, bounds)
    assert status_rank(b.status) >= status_rank(a.status)
    if a.ratio is not None and b.ratio is not None:
        assert b.ratio <= a.ratio + 1e-12

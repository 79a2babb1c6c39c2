"""Trend projections and p_meet: known answers from the t-predictive formula, computed here by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from gxq_analysis.assess.trajectory import (
    MIN_POINTS,
    SIGMA_FLOOR,
    choose_scale,
    project_indicator,
    project_series,
)
from gxq_analysis.config import DEFAULT_PLAN_DIR
from gxq_analysis.model.observations import load_observations
from gxq_analysis.model.plan import load_plan

PLAN = load_plan(DEFAULT_PLAN_DIR)


def hand_t_predictive(t, z, T, zstar, higher=True, floor=0.0):
    """The reference note §5.3 formula, written out: OLS line, s² = σ̂²(1 + 1/n + (T−t̄)²/Sxx), t_{n−2}."""
    n = len(t)
    tbar = sum(t) / n
    zbar = sum(z) / n
    sxx = sum((ti - tbar) ** 2 for ti in t)
    b = sum((ti - tbar) * (zi - zbar) for ti, zi in zip(t, z)) / sxx
    a = zbar - b * tbar
    rss = sum((zi - a - b * ti) ** 2 for ti, zi in zip(t, z))
    sigma = max(math.sqrt(rss / (n - 2)), floor)
    m = a + b * T
    s = sigma * math.sqrt(1 + 1 / n + (T - tbar) ** 2 / sxx)
    q = stats.t.ppf(0.9, n - 2)
    p = stats.t.sf((zstar - m) / s, n - 2) if higher else stats.t.cdf((zstar - m) / s, n - 2)
    return p, m, s, q


def logit(x):
    return math.log(x / (1 - x))


def test_log_scale_count_matches_hand_formula():
    t = [2015, 2016, 2017, 2018]
    y = [60, 70, 80, 95]
    p, m, s, q = hand_t_predictive(t, [math.log(v) for v in y], 2020, math.log(120), floor=SIGMA_FLOOR["log"])
    out = project_series(t, y, 120, 2020, "higher", "count")
    assert out["scale"] == "log"
    assert out["status"] == "ok"
    assert out["p_meet"] == pytest.approx(p)
    assert out["projected_value"] == pytest.approx(math.exp(m))
    assert out["interval80"][0] == pytest.approx(math.exp(m - q * s))
    assert out["interval80"][1] == pytest.approx(math.exp(m + q * s))
    # The trend (~16 %/yr) carries 95 past 120 by 2020: likely but not certain with 4 points.
    assert 0.66 < out["p_meet"] < 0.99


def test_logit_scale_share_matches_hand_formula():
    # R&D intensity 4.0 → 4.8 % over 2015–2018 with a wobble; target 5.5 % in 2020.
    t = [2015, 2016, 2017, 2018]
    y = [4.0, 4.3, 4.45, 4.8]
    z = [logit(v / 100) for v in y]
    p, m, _s, _q = hand_t_predictive(t, z, 2020, logit(0.055), floor=SIGMA_FLOOR["logit"])
    out = project_series(t, y, 5.5, 2020, "higher", "share", (0, 100))
    assert out["scale"] == "logit"
    assert out["p_meet"] == pytest.approx(p)
    assert out["projected_value"] == pytest.approx(100 / (1 + math.exp(-m)))
    # Endpoint R is ~0.95 ("on track" by a hair) but the trend lands short of 5.5: p well below 1/2.
    assert out["p_meet"] < 0.5


def test_rank_uses_positions_and_lower_is_better():
    t = [2015, 2016, 2017, 2018]
    y = [58, 57, 55, 53]
    p, m, _s, _q = hand_t_predictive(t, y, 2020, 49, higher=False, floor=SIGMA_FLOOR["linear"])
    out = project_series(t, y, 49, 2020, "lower", "rank", (1, None))
    assert out["scale"] == "linear"
    assert out["p_meet"] == pytest.approx(p)
    assert out["projected_value"] == pytest.approx(m)
    # Projected 49.5 against 49: close to a coin flip, slightly below.
    assert 0.3 < out["p_meet"] < 0.5


def test_rank_projection_is_clipped_at_first_place():
    out = project_series([2016, 2017, 2018], [5, 3, 2], 1, 2022, "lower", "rank", (1, None))
    assert out["projected_value"] >= 1
    assert out["interval80"][0] >= 1
    assert (out["path"]["lo80"] >= 1).all()


def test_target_on_the_100_bound_uses_the_one_point_rule_and_is_finite():
    t = [2016, 2017, 2018]
    y = [80, 86, 90]
    # logit(1.0) is infinite: the effective target is 99 % (met within 1 pp).
    z = [logit(v / 100) for v in y]
    p, _m, _s, _q = hand_t_predictive(t, z, 2020, logit(0.99), floor=SIGMA_FLOOR["logit"])
    out = project_series(t, y, 100, 2020, "higher", "share", (0, 100))
    assert math.isfinite(out["p_meet"])
    assert out["p_meet"] == pytest.approx(p)
    assert "effective 99" in out["reason"]


def test_observed_value_on_the_bound_does_not_break_the_logit():
    out = project_series([2016, 2017, 2018], [90, 100, 100], 100, 2020, "higher", "share", (0, 100))
    assert math.isfinite(out["p_meet"]) and math.isfinite(out["projected_value"])
    assert out["projected_value"] <= 100


def test_zero_base_count_uses_log1p():
    t = [2016, 2017, 2018]
    y = [0, 0, 0]
    assert choose_scale("count", y, 1, (0, None)) == "log1p"
    # All zeros: the line is flat at 0 and the SD is floored; the target log(2) lies far above.
    p, _m, _s, _q = hand_t_predictive(t, [0.0, 0.0, 0.0], 2020, math.log(2), floor=SIGMA_FLOOR["log1p"])
    out = project_series(t, y, 1, 2020, "higher", "count", (0, None))
    assert out["p_meet"] == pytest.approx(p)
    assert out["p_meet"] < 0.1
    assert "floored" in out["reason"]


@pytest.mark.parametrize("n", [1, 2])
def test_one_or_two_points_are_insufficient_with_a_reason(n):
    out = project_series(list(range(2017, 2017 + n)), [10.0 * (i + 1) for i in range(n)], 50, 2020, "higher")
    assert out["status"] == "insufficient_data"
    assert math.isnan(out["p_meet"])
    assert str(MIN_POINTS) in out["reason"]


def test_target_year_observed_gives_the_outcome():
    out = project_series([2017, 2018, 2019, 2020], [100, 105, 110, 118], 120, 2020, "higher")
    assert out["status"] == "observed"
    assert out["p_meet"] == 0.0 and out["projected_value"] == 118
    out = project_series([2017, 2018, 2019, 2020], [100, 105, 110, 121], 120, 2020, "higher")
    assert out["p_meet"] == 1.0


def test_path_runs_from_the_last_observation_to_the_target_year():
    out = project_series([2016, 2017, 2018.75], [60, 70, 90], 120, 2020, "higher", "count")
    path = out["path"]
    assert list(path["year"]) == [2019, 2019, 2020]  # the 2019Q3 level, then year-ends 2019 and 2020
    assert path["observed"].tolist() == [True, False, False]
    assert (path["lo80"] <= path["median"]).all() and (path["median"] <= path["hi80"]).all()
    widths = (path["hi80"] - path["lo80"]).to_numpy()
    assert widths[0] == 0 and np.all(np.diff(widths) > 0)
    assert path["median"].iloc[-1] == pytest.approx(out["projected_value"])


# --- from a plan and a tidy table -----------------------------------------------------------------

TIDY = """indicator_id,period,value
hitech_enterprises,2017,60
hitech_enterprises,2018,78
hitech_enterprises,2019Q1,80
hitech_enterprises,2019Q3,95
hitech_enterprises,2019,101
rd_gdp_share,2018,5.0
"""


@pytest.fixture
def obs(tidy_obs):
    return tidy_obs(TIDY)


def test_project_indicator_uses_only_data_up_to_as_of(obs):
    res = project_indicator(PLAN, obs, "hitech_enterprises", 2020, as_of="2019Q3")
    # Points: 2017 and 2018 year-ends, plus the latest 2019 level (2019Q3 at t = 2018.75).
    assert list(res.history["value"]) == [60, 78, 95]
    assert list(res.history["time"]) == [2017, 2018, 2018.75]
    # It is the one forecast of the status table (outlook): same median, interval and P(meet).
    from gxq_analysis.assess.status import assess_plan

    st = assess_plan(PLAN, obs, as_of="2019Q3")
    row = st[(st["indicator_id"] == "hitech_enterprises") & (st["target_year"] == 2020)].iloc[0]
    assert res.p_meet == pytest.approx(row["p_meet"])
    assert res.projected_value == pytest.approx(row["projected_value"])
    assert res.interval80 == pytest.approx((row["projected_lo80"], row["projected_hi80"]))
    assert res.status == "ok" and res.method == "damped_trend_log"
    assert res.interval80[0] < res.projected_value < res.interval80[1]
    # The path ends at the target year with the same figures.
    assert res.path["year"].iat[-1] == 2020 and res.path["median"].iat[-1] == pytest.approx(
        res.projected_value
    )
    full = project_indicator(PLAN, obs, "hitech_enterprises", 2020, as_of="2019Q4")
    assert list(full.history["value"]) == [60, 78, 101]


def test_project_indicator_insufficient_and_unknown(obs):
    res = project_indicator(PLAN, obs, "rd_gdp_share", 2020, as_of="2019Q4")
    assert res.status == "insufficient_data" and math.isnan(res.p_meet) and "annual points" in res.reason
    res = project_indicator(PLAN, obs, "tech_smes", 2020, as_of="2019Q4")
    assert res.status == "insufficient_data" and math.isnan(res.p_meet)
    with pytest.raises(KeyError):
        project_indicator(PLAN, obs, "nope", 2020)


# --- properties -------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    base=st.floats(min_value=5, max_value=500),
    growth=st.floats(min_value=-0.2, max_value=0.4),
    noise=st.lists(st.floats(min_value=-0.1, max_value=0.1), min_size=4, max_size=4),
    tilt=st.floats(min_value=0.001, max_value=0.3),
    target_mult=st.floats(min_value=0.5, max_value=3.0),
    direction=st.sampled_from(["higher", "lower"]),
)
def test_tilting_a_series_away_from_the_target_never_raises_p_meet(
    base, growth, noise, tilt, target_mult, direction
):
    t = np.array([2015.0, 2016, 2017, 2018])
    y = base * np.exp(growth * (t - 2015) + np.array(noise))
    target = base * target_mult
    d = 1 if direction == "higher" else -1
    # Moving away: each later point is pushed further from the target (a tilt on the log scale).
    y_away = y * np.exp(-d * tilt * (t - 2015))
    p = project_series(t, y, target, 2020, direction, "count")["p_meet"]
    p_away = project_series(t, y_away, target, 2020, direction, "count")["p_meet"]
    assert p_away <= p + 1e-12


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(st.floats(min_value=1, max_value=99), min_size=3, max_size=6),
    t1=st.floats(min_value=1, max_value=99),
    t2=st.floats(min_value=1, max_value=99),
)
def test_a_harder_target_is_never_more_likely(values, t1, t2):
    lo, hi = sorted((t1, t2))
    t = list(range(2013, 2013 + len(values)))
    p_easy = project_series(t, values, lo, 2022, "higher", "share", (0, 100))["p_meet"]
    p_hard = project_series(t, values, hi, 2022, "higher", "share", (0, 100))["p_meet"]
    assert 0 <= p_hard <= p_easy <= 1


# --- quarter-end model and the ETS cross-check ------------------------------------------------


def test_quarterly_model_matches_the_regression_with_quarter_dummies():
    # Two years of quarter-end levels with a Q4 jump (certifications at year-end).
    levels = [69, 70, 72, 82, 84, 85, 87, 101]
    t = np.array([2017.25, 2017.5, 2017.75, 2018.0, 2018.25, 2018.5, 2018.75, 2019.0])
    q = np.array([1, 2, 3, 4, 1, 2, 3, 4])
    z = np.log(levels)
    # Design: intercept, t, and dummies for Q1–Q3 (Q4 is the reference), written out here.
    X = np.column_stack([np.ones(8), t, q == 1, q == 2, q == 3]).astype(float)
    beta = np.linalg.solve(X.T @ X, X.T @ z)
    resid = z - X @ beta
    sigma = max(math.sqrt(resid @ resid / (8 - 5)), SIGMA_FLOOR["log"])
    x0 = np.array([1.0, 2020.0, 0, 0, 0])
    m = x0 @ beta
    s = sigma * math.sqrt(1 + x0 @ np.linalg.inv(X.T @ X) @ x0)
    p = stats.t.sf((math.log(120) - m) / s, 3)
    out = project_series(t, levels, 120, 2020, "higher", "count", quarters=q)
    assert out["method"] == "ols_t_log_quarterly"
    assert out["p_meet"] == pytest.approx(p, rel=1e-6)
    assert out["projected_value"] == pytest.approx(math.exp(m), rel=1e-9)
    # A year-end-to-year-end line through 82 → 101 (+23 %/yr) would project ~124 for 2020; the model
    # with quarter effects uses all eight points and lands in the same region.
    assert 110 < out["projected_value"] < 140


def test_quarterly_model_needs_a_q4_and_enough_points():
    out = project_series(
        [2018.25, 2018.5, 2018.75], [1, 2, 3], 5, 2020, "higher", "count", quarters=[1, 2, 3]
    )
    assert out["status"] == "insufficient_data" and "Q4" in out["reason"]


def test_ets_cross_check_on_a_long_series():
    from gxq_analysis.assess.trajectory import ets_cross_check

    t = np.arange(2010, 2019, dtype=float)
    y = 50 * 1.08 ** (t - 2010) * (1 + 0.01 * np.sin(t))
    out = ets_cross_check(t, y, 110, 2020, "higher", "count")
    assert 0 <= out["p_meet_ets"] <= 1
    lo, hi = out["interval80_ets"]
    assert lo <= out["projected_value_ets"] <= hi
    assert "ets_reason" in ets_cross_check(t[:5], y[:5], 110, 2020, "higher", "count")


def test_quarterly_history_of_a_flow_is_its_year_to_date_path(tmp_path):
    from gxq_analysis.assess.trajectory import quarterly_history

    rows = ["indicator_id,period,value,ytd"]
    ytd = {2018: [0.5, 1.4, 2.1, 2.9], 2019: [0.7, 1.8, 2.5, 3.5]}
    for year, vals in ytd.items():
        rows += [f"tax_relief,{year}Q{q},{v},true" for q, v in enumerate(vals, start=1)]
    p = tmp_path / "o.csv"
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    obs = load_observations(p, default_geo=PLAN.zone_geo)
    h = quarterly_history(PLAN, obs, "tax_relief")
    assert h["value"].tolist() == ytd[2018] + ytd[2019]
    assert h["quarter"].tolist() == [1, 2, 3, 4] * 2
    assert h["time"].tolist() == [2017.25, 2017.5, 2017.75, 2018.0, 2018.25, 2018.5, 2018.75, 2019.0]
    # The forecast uses the complete years (2018 and 2019 totals = the Q4 year-to-date values).
    res = project_indicator(PLAN, obs, "tax_relief", 2020, as_of="2019Q4")
    assert res.method == "damped_trend_log" and 0 <= res.p_meet <= 1
    assert list(res.history["value"]) == [2.9, 3.5]

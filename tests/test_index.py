"""The composite innovation-capability index: hand-computed small examples, properties, mapping errors.

The tiny plan used here has four indicators:

    a  higher  创新主体   2018..2020 values 10, 12, 20   final target 20
    b  higher  创新投入   4, 7, 8                         target 10
    c  lower   创新投入   9, 8, 5  (a rank)               target 5
    d  higher  创新成果   16, 49, 64 (sqrt: 4, 7, 8)      target 100 (sqrt: 10)

Every expected number below is worked out by hand in the comments, not copied from the code.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gxq_analysis.assess.index import (
    COVERAGE_CHANGE,
    DIMENSIONS,
    IndexConfig,
    IndexConfigError,
    apply_transform,
    compute_index,
    decompose,
    index_from_values,
    leave_one_out,
    load_index_config,
    load_index_mapping,
    normalise,
    rebase,
    rebase_reason,
    required_count,
    robustness,
    sensitivity,
)
from gxq_analysis.config import DEFAULT_PLAN_DIR
from gxq_analysis.model.observations import load_observations
from gxq_analysis.model.plan import load_plan

YEARS = [2018, 2019, 2020]
INDICATORS = """id,name_zh,name_en,unit,direction
a,甲,A,家,higher
b,乙,B,%,higher
c,丙,C,位,lower
d,丁,D,件,higher
"""
TARGETS = """indicator_id,year,target
a,2020,20
b,2020,10
c,2020,5
d,2020,100
"""
MAPPING = """indicator_id,dimension,weight,transform,note
a,创新主体,1,none,
b,创新投入,1,none,
c,创新投入,1,none,
d,创新成果,1,sqrt,
"""
VALUES = {"a": [10, 12, 20], "b": [4, 7, 8], "c": [9, 8, 5], "d": [16, 49, 64]}


def _write_plan(folder: Path, mapping: str = MAPPING, targets: str = TARGETS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "indicators.csv").write_text(INDICATORS, encoding="utf-8")
    (folder / "targets.csv").write_text(targets, encoding="utf-8")
    (folder / "plan.json").write_text(
        json.dumps({"id": "tiny", "zone_geo": "Z", "start_year": 2018, "end_year": 2020}), encoding="utf-8"
    )
    (folder / "index_dimensions.csv").write_text(mapping, encoding="utf-8")
    return folder


@pytest.fixture
def tiny(tmp_path):
    plan = load_plan(_write_plan(tmp_path / "tiny"))
    return plan, load_index_mapping(plan)


def _values(overrides: dict | None = None) -> pd.DataFrame:
    data = {k: list(v) for k, v in VALUES.items()}
    for k, v in (overrides or {}).items():
        data[k] = v
    return pd.DataFrame.from_dict(data, orient="index", columns=YEARS, dtype="float64")


def _cfg(**kw) -> IndexConfig:
    base = {"base_year": 2018, "minmax_include_targets": False}
    base.update(kw)
    return IndexConfig(**base)


# ---------------------------------------------------------------- normalisation


def test_minmax_is_direction_aware_and_pooled_over_the_window(tiny):
    plan, m = tiny
    n, notes = normalise(_values(), m, plan, "minmax", include_targets=False)
    # a: (12-10)/(20-10) = 0.2;  b: (7-4)/(8-4) = 0.75
    # c is lower-is-better: (hi - x)/(hi - lo) = (9-8)/(9-5) = 0.25;  2018 (worst) 0, 2020 (best) 1
    # d after sqrt: 4, 7, 8 -> (7-4)/(8-4) = 0.75
    assert n.loc["a"].tolist() == pytest.approx([0, 0.2, 1])
    assert n.loc["b"].tolist() == pytest.approx([0, 0.75, 1])
    assert n.loc["c"].tolist() == pytest.approx([0, 0.25, 1])
    assert n.loc["d"].tolist() == pytest.approx([0, 0.75, 1])
    assert notes == []


def test_minmax_goalposts_include_the_targets_when_asked(tiny):
    plan, m = tiny
    v = _values({"a": [10, 12, 16]})  # target 20 lies above every value
    n, _ = normalise(v, m, plan, "minmax", include_targets=True)
    # goalposts 10..20: (12-10)/10 = 0.2, (16-10)/10 = 0.6
    assert n.loc["a"].tolist() == pytest.approx([0, 0.2, 0.6])
    n2, _ = normalise(v, m, plan, "minmax", include_targets=False)
    assert n2.loc["a"].tolist() == pytest.approx([0, 2 / 6, 1])


def test_minmax_constant_indicator_scores_one_half_with_a_note(tiny):
    plan, m = tiny
    n, notes = normalise(_values({"b": [5, 5, 5]}), m, plan, "minmax", include_targets=False)
    assert n.loc["b"].tolist() == [0.5, 0.5, 0.5]
    assert [(x["indicator_id"], x["flag"]) for x in notes] == [("b", "constant_in_window")]


def test_target_normalisation_is_completion_capped_at_one(tiny):
    plan, m = tiny
    n, _ = normalise(_values({"a": [10, 12, 25]}), m, plan, "target")
    assert n.loc["a"].tolist() == pytest.approx([0.5, 0.6, 1.0])  # 25/20 capped at 1
    assert n.loc["b"].tolist() == pytest.approx([0.4, 0.7, 0.8])
    assert n.loc["c"].tolist() == pytest.approx([5 / 9, 5 / 8, 1.0])  # rank: target / value
    assert n.loc["d"].tolist() == pytest.approx([0.4, 0.7, 0.8])  # sqrt(16)/sqrt(100) ...


def test_ratio_normalisation_is_relative_to_the_base_year(tiny):
    plan, m = tiny
    n, _ = normalise(_values(), m, plan, "ratio", base_year=2018)
    assert n.loc["a"].tolist() == pytest.approx([1.0, 1.2, 2.0])
    assert n.loc["c"].tolist() == pytest.approx([1.0, 9 / 8, 9 / 5])  # lower: base / value
    assert n.loc["d"].tolist() == pytest.approx([1.0, 7 / 4, 2.0])


def test_ratio_without_a_positive_base_value_is_left_out_with_a_note(tiny):
    plan, m = tiny
    n, notes = normalise(_values({"a": [0, 1, 2]}), m, plan, "ratio", base_year=2018)
    assert n.loc["a"].isna().all()
    assert notes[0]["indicator_id"] == "a" and notes[0]["flag"] == "no_base_value"


def test_skew_transforms():
    assert apply_transform([0, 4, 9], "sqrt").tolist() == [0, 2, 3]
    assert apply_transform([0, math.e - 1], "log").tolist() == pytest.approx([0, 1])  # ln(1 + x)
    assert np.isnan(apply_transform([-1], "sqrt")[0])
    # the transform changes the min-max spacing: 16, 49, 64 -> raw (49-16)/48 = 0.6875, sqrt 0.75
    assert pytest.approx(0.6875) == (49 - 16) / (64 - 16)


def test_transform_matters_under_minmax(tiny, tmp_path):
    plan = load_plan(_write_plan(tmp_path / "t2", MAPPING.replace("d,创新成果,1,sqrt", "d,创新成果,1,none")))
    n, _ = normalise(_values(), load_index_mapping(plan), plan, "minmax", include_targets=False)
    assert n.at["d", 2019] == pytest.approx(0.6875)


# ---------------------------------------------------------------- aggregation


def test_aggregation_equal_weights(tiny):
    plan, m = tiny
    r = index_from_values(_values(), m, plan, _cfg())
    # 2019: 主体 = 20, 投入 = (75 + 25)/2 = 50, 成果 = 75 -> overall (20 + 50 + 75)/3 = 48.333
    assert r.dimensions.loc[2019, ["创新主体", "创新投入", "创新成果"]].tolist() == pytest.approx(
        [20, 50, 75]
    )
    assert r.overall[2019] == pytest.approx(145 / 3)
    assert r.overall[2018] == pytest.approx(0) and r.overall[2020] == pytest.approx(100)
    # the two dimensions without indicators are reported, not silently invented
    assert np.isnan(r.dimensions.at[2019, "创新人才"])
    ok, why = r.computable(2019, "创新人才")
    assert not ok and "no indicator" in why


def test_aggregation_with_weights_as_data(tmp_path):
    plan = load_plan(_write_plan(tmp_path / "w", MAPPING.replace("b,创新投入,1", "b,创新投入,3")))
    m = load_index_mapping(plan)
    cfg = _cfg(dimension_weights={"创新主体": 2, "创新投入": 1, "创新人才": 1, "创新成果": 1, "创新环境": 1})
    r = index_from_values(_values(), m, plan, cfg)
    # 投入 = (3 × 0.75 + 1 × 0.25)/4 = 0.625 -> 62.5; overall = (2 × 20 + 62.5 + 75)/4 = 44.375
    assert r.dimensions.at[2019, "创新投入"] == pytest.approx(62.5)
    assert r.overall[2019] == pytest.approx(177.5 / 4)


def test_ratio_index_is_100_in_the_base_year(tiny):
    plan, m = tiny
    r = index_from_values(_values(), m, plan, _cfg(normalisation="ratio"))
    assert r.overall[2018] == pytest.approx(100)
    # 2019: 主体 12/10 = 120, 投入 (7/4 = 175 + 9/8 = 112.5)/2 = 143.75, 成果 sqrt 7/4 = 175
    assert r.overall[2019] == pytest.approx((120 + 143.75 + 175) / 3)


# ---------------------------------------------------------------- base year


def test_rebase_series_and_frame():
    s = pd.Series({2018: 50.0, 2019: 60.0, 2020: 75.0})
    assert rebase(s, 2018).tolist() == pytest.approx([100, 120, 150])
    assert rebase(s, 2019).tolist() == pytest.approx([250 / 3, 100, 125])
    f = pd.DataFrame({"x": s, "y": [20.0, 10.0, 30.0]})
    assert rebase(f, 2018)["y"].tolist() == pytest.approx([100, 50, 150])


def test_rebase_on_a_zero_base_is_not_computable():
    s = pd.Series({2018: 0.0, 2019: 40.0})
    assert rebase(s, 2018).isna().all()
    assert "score is 0" in rebase_reason(s, 2018)
    assert "no score" in rebase_reason(s, 2017)


def test_result_rebased_uses_the_configured_base(tiny):
    plan, m = tiny
    r = index_from_values(_values(), m, plan, _cfg(normalisation="target"))
    # target scores: 主体 50, 60, 100; 投入 (40 + 55.56)/2 ...; rebased 主体 = 100, 120, 200
    assert r.rebased()["创新主体"].tolist() == pytest.approx([100, 120, 200])


# ---------------------------------------------------------------- missing data


def test_required_count_rule():
    assert required_count(2, 0.5, 1) == 1
    assert required_count(3, 0.5, 1) == 2  # ceil(1.5)
    assert required_count(4, 0.5, 1) == 2
    assert required_count(13, 0.5, 1) == 7
    assert required_count(1, 0.5, 3) == 1  # never more than exists
    assert required_count(0, 0.5, 1) == 0


def test_a_dimension_without_enough_indicators_is_not_computable(tiny):
    plan, m = tiny
    v = _values({"b": [4, np.nan, 8], "c": [9, np.nan, 5]})
    r = index_from_values(v, m, plan, _cfg())
    assert np.isnan(r.dimensions.at[2019, "创新投入"])
    assert np.isnan(r.overall[2019])
    ok, why = r.computable(2019)
    assert not ok and "创新投入" in why
    ok, why = r.computable(2019, "创新投入")
    assert not ok and "only 0 of 2" in why
    # other dimensions and years are still there
    assert r.dimensions.at[2019, "创新主体"] == pytest.approx(20)
    assert r.overall[2020] == pytest.approx(100)


def test_min_share_is_configurable(tiny):
    plan, m = tiny
    v = _values({"c": [9, np.nan, 5]})
    # half of 投入 present: fine at 50 %, not at 100 %
    assert index_from_values(v, m, plan, _cfg()).dimensions.at[2019, "创新投入"] == pytest.approx(75)
    strict = index_from_values(v, m, plan, _cfg(min_share=1.0))
    assert np.isnan(strict.dimensions.at[2019, "创新投入"])


def test_availability_table(tiny):
    plan, m = tiny
    r = index_from_values(_values({"c": [9, np.nan, 5]}), m, plan, _cfg())
    av = r.availability
    assert av.at["c", 2019] is np.False_ or av.at["c", 2019] == False  # noqa: E712
    assert av.at["c", 2018] and av.at["a", 2019]
    assert av.at["c", "dimension"] == "创新投入"
    cov = r.coverage.set_index(["year", "dimension"])
    assert cov.at[(2019, "创新投入"), "share_available"] == pytest.approx(0.5)


# ---------------------------------------------------------------- decomposition


def test_decomposition_hand_computed(tiny):
    plan, m = tiny
    r = index_from_values(_values(), m, plan, _cfg())
    dec = decompose(r, 2019)
    c = dec.by_indicator.set_index("indicator_id")["contribution"]
    # each dimension weighs 1/3; within 投入 each indicator 1/2
    assert c["a"] == pytest.approx(20 / 3)  # 1/3 × 20
    assert c["b"] == pytest.approx(75 / 6)  # 1/3 × 1/2 × 75
    assert c["c"] == pytest.approx(25 / 6)
    assert c["d"] == pytest.approx(25.0)  # 1/3 × 75
    assert dec.total == pytest.approx(145 / 3)
    assert c.sum() == pytest.approx(dec.total)
    assert dec.by_dimension["contribution"].sum() == pytest.approx(dec.total)
    assert dec.coverage_changed == []


def test_decomposition_flags_a_coverage_change_and_still_adds_up(tiny):
    plan, m = tiny
    r = index_from_values(_values({"c": [np.nan, 8, 5]}), m, plan, _cfg())
    # c now has goalposts 5..8: 2019 scores 0. 投入: 2018 = b only = 0; 2019 = (75 + 0)/2 = 37.5
    assert r.dimensions.at[2019, "创新投入"] == pytest.approx(37.5)
    dec = decompose(r, 2019)
    c = dec.by_indicator.set_index("indicator_id")["contribution"]
    assert c["b"] == pytest.approx(25.0)  # like-for-like: b alone, 1/3 × 75
    assert c[COVERAGE_CHANGE] == pytest.approx(-12.5)  # 1/3 × (37.5 - 75)
    assert c["c"] == 0.0
    assert dec.total == pytest.approx((20 + 37.5 + 75) / 3)
    assert c.sum() == pytest.approx(dec.total)
    assert dec.coverage_changed == ["创新投入"]


def test_decomposition_not_computable_year(tiny):
    plan, m = tiny
    r = index_from_values(_values({"a": [10, np.nan, 20]}), m, plan, _cfg())
    dec = decompose(r, 2019)
    assert not dec.computable and "2019" in dec.reason and np.isnan(dec.total)


values_strategy = st.lists(
    st.one_of(st.none(), st.floats(min_value=0.5, max_value=1000, allow_nan=False)), min_size=3, max_size=3
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    vals=st.fixed_dictionaries({k: values_strategy for k in "abcd"}),
    weights=st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 5.0]), min_size=4, max_size=4),
    dims=st.lists(st.sampled_from(DIMENSIONS), min_size=4, max_size=4),
    method=st.sampled_from(["minmax", "target", "ratio"]),
    min_share=st.sampled_from([0.0, 0.5, 1.0]),
)
def test_contributions_always_add_up_to_the_change(tiny, vals, weights, dims, method, min_share):
    plan, m = tiny
    m = m.copy()
    m["weight"] = weights
    m["dimension"] = dims
    v = pd.DataFrame.from_dict(
        {k: [np.nan if x is None else x for x in xs] for k, xs in vals.items()},
        orient="index",
        columns=YEARS,
        dtype="float64",
    )
    r = index_from_values(v, m, plan, _cfg(normalisation=method, min_share=min_share))
    for year in (2019, 2020):
        dec = decompose(r, year)
        if not dec.computable:
            assert np.isnan(r.overall[year]) or np.isnan(r.overall[year - 1])
            continue
        assert dec.by_indicator["contribution"].sum() == pytest.approx(dec.total, abs=1e-9)
        assert dec.by_dimension["contribution"].sum() == pytest.approx(dec.total, abs=1e-9)


# ---------------------------------------------------------------- sensitivity


def test_sensitivity_is_reproducible_and_its_band_contains_the_central_estimate(tiny):
    plan, m = tiny
    v = _values({"a": [10, 9, 20], "c": [9, 9.5, 5]})  # a and c fall in 2019, b and d rise: a mixed year
    r = index_from_values(v, m, plan, _cfg())
    s1 = sensitivity(r, plan, draws=400, seed=7)
    s2 = sensitivity(r, plan, draws=400, seed=7)
    for k in s1.draws:
        np.testing.assert_array_equal(s1.draws[k], s2.draws[k])
    pd.testing.assert_frame_equal(s1.summary, s2.summary)
    s3 = sensitivity(r, plan, draws=400, seed=8)
    assert not np.array_equal(s1.draws["minmax"], s3.draws["minmax"])
    band = s1.band("minmax")
    for y in YEARS:
        assert band.at[y, "lo"] <= band.at[y, "central"] <= band.at[y, "hi"]
    assert band.at[2019, "change_lo"] <= band.at[2019, "change_central"] <= band.at[2019, "change_hi"]
    assert 0 < band.at[2019, "p_rise"] <= 1
    assert set(s1.summary["normalisation"]) == {"minmax", "target", "ratio"}


def test_when_every_indicator_improves_every_draw_rises(tiny):
    plan, m = tiny
    r = index_from_values(_values(), m, plan, _cfg())
    s = sensitivity(r, plan, draws=200, seed=1)
    # every normalised value is higher in 2019 than in 2018 under all three normalisations, so any
    # positive weights give a rise
    assert s.p_rise[2019] == 1.0 and s.p_rise[2020] == 1.0
    assert robustness(s.p_rise[2019], [1.0, 2.0]) == "robust_rise"


def test_robustness_labels():
    assert robustness(0.95, [0.1, 0.3]) == "robust_rise"
    assert robustness(0.95, [0.1, -0.3]) == "likely_rise"  # one leave-one-out variant falls
    assert robustness(0.5) == "uncertain"
    assert robustness(0.02, [-1]) == "robust_fall"
    assert robustness(0.2) == "likely_fall"
    assert robustness(float("nan")) == "not_computable"


def test_leave_one_out_hand_computed(tiny):
    plan, m = tiny
    r = index_from_values(_values(), m, plan, _cfg())
    loo = leave_one_out(r, plan).set_index(["indicator_id", "year"])
    # without b, 投入 = c alone = 25 in 2019 -> overall (20 + 25 + 75)/3 = 40
    assert loo.at[("b", 2019), "overall"] == pytest.approx(40)
    assert loo.at[("b", 2019), "overall_shift"] == pytest.approx(40 - 145 / 3)
    # without a, 主体 has no indicator left and drops out: (50 + 75)/2 = 62.5
    assert loo.at[("a", 2019), "overall"] == pytest.approx(62.5)


# ---------------------------------------------------------------- from the tidy table


def test_compute_index_from_a_tidy_csv_and_as_of(tiny, tmp_path):
    plan, _m = tiny
    lines = ["indicator_id,period,value,illustrative"]
    for k, vs in VALUES.items():
        lines += [f"{k},{y},{v},true" for y, v in zip(YEARS, vs)]
    lines.append("a,2019,999,true".replace("a,2019", "a,2017"))  # outside the window: ignored
    p = tmp_path / "obs.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    obs = load_observations(p, default_geo=plan.zone_geo)
    r = compute_index(obs, plan, config=_cfg())
    assert r.overall[2019] == pytest.approx(145 / 3)
    assert r.any_illustrative
    r19 = compute_index(obs, plan, config=_cfg(), as_of="2019")
    # only 2018 and 2019 known: every indicator's goalposts are its two values -> 0 and 100
    assert r19.overall[2018] == pytest.approx(0) and r19.overall[2019] == pytest.approx(100)
    assert r19.years == [2018, 2019]  # a report as of 2019 does not carry an empty 2020
    ok, why = r19.computable(2020)
    assert not ok and "outside" in why
    # with the targets in the goalposts, an edition as of 2019 already uses the 2020 targets:
    # a = 10, 12 against a 2020 target of 20 -> (12 - 10)/(20 - 10) = 0.2 (not 1 as above)
    r19t = compute_index(obs, plan, config=_cfg(minmax_include_targets=True), as_of="2019")
    assert r19t.normalised.at["a", 2019] == pytest.approx(0.2)
    # b = 4, 7 against 10 -> 0.5; c (rank) = 9, 8 against 5 -> (9 - 8)/(9 - 5) = 0.25; d sqrt 4, 7 vs 10 -> 0.5
    assert r19t.normalised.loc[["b", "c", "d"], 2019].tolist() == pytest.approx([0.5, 0.25, 0.5])
    # a year that has not ended is not an annual value: as of 2020Q3 the index stops at 2019
    assert compute_index(obs, plan, config=_cfg(), as_of="2020Q3").years == [2018, 2019]
    # a missing year inside the window is reported as not computable, with the reason
    r_gap = compute_index(obs[obs["year"] != 2019], plan, config=_cfg())
    assert np.isnan(r_gap.overall[2019]) and "only 0 of 1" in r_gap.computable(2019, "创新主体")[1]


# ---------------------------------------------------------------- mapping and config files


def test_shipped_mapping_maps_every_plan_indicator_to_one_of_the_five():
    plan = load_plan(DEFAULT_PLAN_DIR)
    m = load_index_mapping(plan)
    assert list(m.index) == list(plan.indicators.index)
    assert set(m["dimension"]) == set(DIMENSIONS)
    assert (m["weight"] == 1).all()  # equal weights by default
    assert m["note"].str.len().gt(0).all()  # every choice carries its reason
    cfg = load_index_config(plan)
    assert cfg.normalisation == "minmax" and cfg.base_year == 2018 and cfg.min_share == 0.5


@pytest.mark.parametrize(
    "bad_row, column, fragment",
    [
        ("zz,创新主体,1,none,", "indicator_id", "unknown indicator 'zz'"),
        ("a,创新能力,1,none,", "dimension", "unknown dimension '创新能力'"),
        ("a,创新主体,-1,none,", "weight", "non-negative"),
        ("a,创新主体,abc,none,", "weight", "not a number"),
        ("a,创新主体,1,cube,", "transform", "unknown transform 'cube'"),
    ],
)
def test_bad_mapping_names_file_row_and_column(tmp_path, bad_row, column, fragment):
    text = MAPPING.replace("a,创新主体,1,none,", bad_row)
    plan = load_plan(_write_plan(tmp_path / "bad", text))
    with pytest.raises(IndexConfigError) as exc:
        load_index_mapping(plan)
    msg = str(exc.value)
    assert (
        "index_dimensions.csv" in msg and "row 2" in msg and f"column '{column}'" in msg and fragment in msg
    )


def test_unmapped_and_duplicate_indicators_are_errors(tmp_path):
    plan = load_plan(_write_plan(tmp_path / "u", MAPPING.replace("d,创新成果,1,sqrt,\n", "")))
    with pytest.raises(IndexConfigError, match="not mapped to a dimension: d"):
        load_index_mapping(plan)
    plan = load_plan(_write_plan(tmp_path / "d", MAPPING + "a,创新环境,1,none,\n"))
    with pytest.raises(IndexConfigError, match=r"row 6, column 'indicator_id': indicator 'a' mapped twice"):
        load_index_mapping(plan)


def test_bad_config_file_is_named(tmp_path):
    plan = load_plan(_write_plan(tmp_path / "c"))
    (plan.folder / "index_config.json").write_text('{"normalisation": "zscore"}', encoding="utf-8")
    with pytest.raises(IndexConfigError, match=r"index_config\.json.*normalisation must be one of"):
        load_index_config(plan)
    (plan.folder / "index_config.json").write_text(
        '{"dimension_weights": {"创新主体": -1}}', encoding="utf-8"
    )
    with pytest.raises(IndexConfigError, match="non-negative"):
        load_index_config(plan)

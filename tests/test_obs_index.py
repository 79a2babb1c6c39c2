"""The table split once by indicator (series.ObsIndex): the same rows and numbers as a mask over the
table, results remembered per index, and the assessment's tables identical either way."""

from __future__ import annotations

import pandas as pd
import pytest

from gxq_analysis.assess import status as status_module
from gxq_analysis.assess.outlook import outlook
from gxq_analysis.assess.pace import assess_pace
from gxq_analysis.assess.status import assess_plan
from gxq_analysis.assess.trajectory import project_indicator
from gxq_analysis.config import DEFAULT_PLAN_DIR
from gxq_analysis.model.observations import filter_as_of
from gxq_analysis.model.periods import parse_period
from gxq_analysis.model.plan import load_plan
from gxq_analysis.model.series import ObsIndex, annual_values, indicator_rows, ytd_path

PLAN = load_plan(DEFAULT_PLAN_DIR)

TIDY = """indicator_id,period,value,ytd,geo,qualifier
hitech_enterprises,2016,70,false,,
hitech_enterprises,2017,76,false,,
hitech_enterprises,2018Q2,78,false,,
hitech_enterprises,2018Q4,82,false,,
hitech_enterprises,2018,83,false,,
hitech_enterprises,2019Q1,85,false,,
hitech_enterprises,2019Q2,90,false,,
hitech_enterprises,2019Q3,96,false,,
hitech_enterprises,2019,99,false,江苏省,
invention_patent_applications,2016,640,false,,
invention_patent_applications,2017,700,false,,
invention_patent_applications,2017-06,330,true,,
invention_patent_applications,2018-06,380,true,,
invention_patent_applications,2018-12,800,true,,
invention_patent_applications,2019Q1,150,false,,
invention_patent_applications,2019Q2,200,false,,
invention_patent_applications,2019Q3,210,false,,
invention_patent_applications,2019Q4,260,false,,
invention_patent_applications,2020-03,170,true,,
invention_patent_applications,2020-06,390,true,,
rd_gdp_share,2017,4.9,false,,
rd_gdp_share,2018,5.0,false,,
rd_gdp_share,2019,2.23,false,全国,
rd_gdp_share,2019,5.2,false,,
national_rank,2020,50,false,,<=
"""


@pytest.fixture
def obs(tidy_obs):
    return tidy_obs(TIDY)


def test_rows_are_those_a_mask_selects(obs):
    index = ObsIndex(obs)
    for iid in [
        "hitech_enterprises",
        "invention_patent_applications",
        "rd_gdp_share",
        "national_rank",
        "none",
    ]:
        for geo in [None, PLAN.zone_geo, "全国", "江苏省"]:
            for as_of in [None, "2018Q4", "2019-06"]:
                pd.testing.assert_frame_equal(
                    indicator_rows(index, iid, geo, as_of),
                    indicator_rows(obs, iid, geo, as_of),
                    check_exact=True,
                )
    assert indicator_rows(index, "national_rank").empty  # a bound (qualifier) is not a point value


def test_series_equal_and_remembered(obs):
    index = ObsIndex(obs)
    for iid in ["hitech_enterprises", "invention_patent_applications", "rd_gdp_share"]:
        for partial in (False, True):
            a = annual_values(index, PLAN, iid, include_partial=partial)
            pd.testing.assert_frame_equal(
                a, annual_values(obs, PLAN, iid, include_partial=partial), check_exact=True
            )
            assert annual_values(index, PLAN, iid, include_partial=partial) is a
        for year in (2017, 2018, 2019, 2020):
            p = ytd_path(index, PLAN, iid, year)
            pd.testing.assert_frame_equal(p, ytd_path(obs, PLAN, iid, year), check_exact=True)
            assert ytd_path(index, PLAN, iid, year) is p
    assert annual_values(obs, PLAN, "hitech_enterprises") is not annual_values(
        obs, PLAN, "hitech_enterprises"
    )


def test_cut_is_built_once_and_matches_filter_as_of(obs):
    index = ObsIndex(obs)
    cut = index.cut("2019Q2")
    assert index.cut("2019Q2") is cut and cut.cut("2019Q2") is cut
    pd.testing.assert_frame_equal(cut.frame, filter_as_of(obs, "2019Q2"))
    assert cut.as_of == parse_period("2019Q2")


def test_outlook_shared_per_index_only_with_the_shipped_calibration(obs):
    from gxq_analysis.assess.forecast import load_calibration

    cut = ObsIndex(filter_as_of(obs, "2019Q3"), parse_period("2019Q3"))
    fc = outlook(PLAN, cut, "hitech_enterprises", 2020, "2019Q3")
    assert outlook(PLAN, cut, "hitech_enterprises", 2020, "2019Q3") is fc
    assert outlook(PLAN, cut, "hitech_enterprises", 2020, "2019Q3", cal=load_calibration()) is not fc
    plain = outlook(PLAN, cut.frame, "hitech_enterprises", 2020, "2019Q3")
    assert (plain.p_meet, plain.projected_value, plain.method) == (fc.p_meet, fc.projected_value, fc.method)


@pytest.mark.parametrize("as_of", ["2018Q4", "2019Q2", "2019Q3", "2019"])
def test_assessment_tables_equal_with_and_without_index(obs, as_of):
    status_module._CACHE.clear()
    with_index = assess_plan(PLAN, ObsIndex(obs), as_of)
    status_module._CACHE.clear()
    pd.testing.assert_frame_equal(with_index, assess_plan(PLAN, obs, as_of), check_exact=True)
    pd.testing.assert_frame_equal(
        assess_pace(PLAN, ObsIndex(obs), as_of), assess_pace(PLAN, obs, as_of), check_exact=True
    )
    for iid in ["hitech_enterprises", "invention_patent_applications", "rd_gdp_share"]:
        a = project_indicator(PLAN, ObsIndex(obs), iid, 2020, as_of=as_of)
        b = project_indicator(PLAN, obs, iid, 2020, as_of=as_of)
        pd.testing.assert_frame_equal(a.path, b.path, check_exact=True)
        pd.testing.assert_frame_equal(a.history, b.history, check_exact=True)
        assert (a.p_meet, a.projected_value, a.interval80, a.method) == (
            b.p_meet,
            b.projected_value,
            b.interval80,
            b.method,
        ) or (a.status == b.status == "insufficient_data")


def test_cuts_share_the_paths_of_years_closed_before_them(obs):
    root = ObsIndex(obs)
    q2, q3 = root.cut("2019Q2"), root.cut("2019Q3")
    assert (
        q2.holds_whole_year(2018)
        and not q2.holds_whole_year(2019)
        and root.cut("2019").holds_whole_year(2019)
    )
    iid = "invention_patent_applications"
    shared = ytd_path(q2, PLAN, iid, 2018)
    assert ytd_path(q3, PLAN, iid, 2018) is shared
    pd.testing.assert_frame_equal(shared, ytd_path(q2.frame, PLAN, iid, 2018), check_exact=True)
    # The open year is the cut's own: 2019 up to June only.
    pd.testing.assert_frame_equal(
        ytd_path(q2, PLAN, iid, 2019), ytd_path(q2.frame, PLAN, iid, 2019), check_exact=True
    )
    assert list(ytd_path(q2, PLAN, iid, 2019)["end_month"]) == [3, 6]
    assert list(ytd_path(q3, PLAN, iid, 2019)["end_month"]) == [3, 6, 9]


def test_a_hand_made_stock_frame_needs_no_ytd_column(obs):
    stock = obs[obs["indicator_id"] == "hitech_enterprises"].drop(columns=["ytd", "source_sheet"])
    a = annual_values(stock, PLAN, "hitech_enterprises", include_partial=True)
    assert list(zip(a["year"], a["value"], a["method"])) == [
        (2016, 70.0, "year_end_level"),
        (2017, 76.0, "year_end_level"),
        (2018, 83.0, "year_end_level"),  # the annual figure is preferred to Q4 (82)
        (2019, 96.0, "latest_level"),
    ]
    assert a["source_sheet"].isna().all()


def test_results_remembered_per_plan(obs):
    other = load_plan(DEFAULT_PLAN_DIR)
    row = (other.targets["indicator_id"] == "hitech_enterprises") & (other.targets["year"] == 2020)
    other.targets.loc[row, "target"] = 10 * float(other.targets.loc[row, "target"].iloc[0])
    cut = ObsIndex(filter_as_of(obs, "2019Q3"), parse_period("2019Q3"))
    mine = outlook(PLAN, cut, "hitech_enterprises", 2020, "2019Q3")
    theirs = outlook(other, cut, "hitech_enterprises", 2020, "2019Q3")
    assert theirs is not mine and theirs.target == 10 * mine.target
    assert theirs.p_meet < mine.p_meet
    assert theirs.p_meet == outlook(other, cut.frame, "hitech_enterprises", 2020, "2019Q3").p_meet


def test_cuts_with_the_same_rows_share_series_and_outlooks(obs):
    root = ObsIndex(obs)
    q2, m6, q3 = root.cut("2019Q2"), root.cut("2019-06"), root.cut("2019Q3")
    iid = "hitech_enterprises"
    # The same rows (2019Q2 and June 2019): one annual series and one outlook for both cuts.
    assert m6.rows_key(iid, PLAN.zone_geo) == q2.rows_key(iid, PLAN.zone_geo)
    a = annual_values(q2, PLAN, iid, include_partial=True)
    assert annual_values(m6, PLAN, iid, include_partial=True) is a
    fc = outlook(PLAN, q2, iid, 2020, "2019Q2")
    assert outlook(PLAN, m6, iid, 2020, "2019-06") is fc
    # Another month-end is another outlook even when the rows are the same (the anchor's month).
    assert q3.rows_key("rd_gdp_share", PLAN.zone_geo) == q2.rows_key("rd_gdp_share", PLAN.zone_geo)
    assert outlook(PLAN, q3, "rd_gdp_share", 2020, "2019Q3") is not outlook(
        PLAN, q2, "rd_gdp_share", 2020, "2019Q2"
    )
    # A cut with a later row of the indicator has its own series, equal to the plain frame's.
    assert q3.rows_key(iid, PLAN.zone_geo) != q2.rows_key(iid, PLAN.zone_geo)
    b = annual_values(q3, PLAN, iid, include_partial=True)
    assert b is not a
    pd.testing.assert_frame_equal(
        b, annual_values(q3.frame, PLAN, iid, include_partial=True), check_exact=True
    )
    plain = outlook(PLAN, m6.frame, iid, 2020, "2019-06")
    assert (plain.p_meet, plain.projected_value, plain.lo80, plain.hi80, plain.method) == (
        fc.p_meet,
        fc.projected_value,
        fc.lo80,
        fc.hi80,
        fc.method,
    )
    pd.testing.assert_frame_equal(plain.path, fc.path, check_exact=True)
    pd.testing.assert_frame_equal(plain.points, fc.points, check_exact=True)


def _same_record(a, b):
    if a is None or b is None:
        return a is b
    return a.keys() == b.keys() and all(
        type(a[k]) is type(b[k]) and (a[k] == b[k] or (pd.isna(a[k]) and pd.isna(b[k]))) for k in a
    )


@pytest.mark.parametrize("as_of", [None, "2017", "2018Q4", "2019-06", "2019Q3"])
def test_latest_value_from_the_index_is_the_frames(obs, as_of):
    from gxq_analysis.model.series import latest_value

    index = ObsIndex(obs)
    # hitech_enterprises: 2018Q4 and the annual 2018 end together (the annual row is preferred);
    # national_rank: a bound only; rd_gdp_share: the zone next to two benchmark areas
    for iid in ["hitech_enterprises", "invention_patent_applications", "rd_gdp_share", "national_rank"]:
        for geo in [None, PLAN.zone_geo, "全国", "江苏省", "nowhere"]:
            got = latest_value(index, PLAN, iid, geo, as_of)
            assert _same_record(got, latest_value(obs, PLAN, iid, geo, as_of)), (iid, geo, got)
            cut = index.cut(as_of) if as_of else index
            frame = obs if as_of is None else filter_as_of(obs, as_of)
            assert _same_record(latest_value(cut, PLAN, iid, geo), latest_value(frame, PLAN, iid, geo))


def test_benchmark_series_shared_by_cuts_with_the_same_rows(obs):
    from gxq_analysis.assess.benchmarks import benchmark_series

    root = ObsIndex(obs)
    q3, q4, y19 = root.cut("2019Q3"), root.cut("2019Q4"), root.cut("2019")
    for cut in (q3, q4, y19, root.cut("2018Q4")):
        got = benchmark_series(PLAN, cut, "rd_gdp_share")
        want = benchmark_series(PLAN, cut.frame, "rd_gdp_share")
        assert got.keys() == want.keys()
        for geo in got:
            pd.testing.assert_frame_equal(got[geo], want[geo], check_exact=True)
    # 2019Q4 and the year 2019 hold the same benchmark rows; 2019Q3 lacks the annual 2019 values
    assert benchmark_series(PLAN, q4, "rd_gdp_share") is benchmark_series(PLAN, y19, "rd_gdp_share")
    assert benchmark_series(PLAN, q3, "rd_gdp_share") is not benchmark_series(PLAN, q4, "rd_gdp_share")

"""The one benchmark comparison (gxq_analysis.assess.benchmarks): the rules both pages share."""

from __future__ import annotations

import pytest

from gxq_analysis.assess.benchmarks import benchmark_series, benchmarks, comparable
from gxq_analysis.config import DEFAULT_PLAN_DIR
from gxq_analysis.model.plan import load_plan

PLAN = load_plan(DEFAULT_PLAN_DIR)

# rd_gdp_share is a share in %; hitech_enterprises a count. One 江苏省 row is in another unit.
TIDY = """indicator_id,period,value,unit,ytd,geo,illustrative,qualifier
rd_gdp_share,2018,4.9,%,false,,true,
rd_gdp_share,2019,5.2,%,false,,true,
rd_gdp_share,2018,2.19,%,false,全国,false,
rd_gdp_share,2019,2.23,,false,全国,false,
rd_gdp_share,2019,0.0255,ratio,false,江苏省,false,
rd_gdp_share,2017,2.55,%,false,江苏省,false,
hitech_enterprises,2019,101,家,false,,true,
hitech_enterprises,2019,40000,家,false,全国,false,
"""


@pytest.fixture
def obs(tidy_obs):
    return tidy_obs(TIDY)


def test_only_intensive_measures_compare():
    assert comparable(PLAN, "rd_gdp_share")
    assert not comparable(PLAN, "hitech_enterprises")  # a province's count is not a zone's


def test_series_keep_the_plan_unit_and_rows_without_a_unit(obs):
    series = benchmark_series(PLAN, obs, "rd_gdp_share")
    assert set(series) == {"全国", "江苏省"}
    assert list(series["全国"]["value"]) == pytest.approx([2.19, 2.23])
    assert list(series["江苏省"]["value"]) == pytest.approx([2.55])  # the 'ratio' row is left out
    assert benchmark_series(PLAN, obs, "hitech_enterprises") == {}


def test_the_annual_table_uses_the_same_rules(obs):
    b = benchmarks(PLAN, obs, 2019).set_index("indicator_id")
    assert list(b.index) == ["rd_gdp_share"]
    r = b.loc["rd_gdp_share"]
    assert r["zone"] == pytest.approx(5.2)
    assert r["全国"] == pytest.approx(2.23) and r["全国_year"] == 2019
    assert r["江苏省"] == pytest.approx(2.55) and r["江苏省_year"] == 2017


@pytest.mark.parametrize("year", [2018, 2019, 2020])
def test_the_annual_table_is_the_same_from_an_index(obs, year):
    import pandas as pd

    from gxq_analysis.model.series import ObsIndex

    index = ObsIndex(obs)
    for table in (index, index.cut(str(year))):  # the whole table's index and the year's cut
        pd.testing.assert_frame_equal(
            benchmarks(PLAN, table, year), benchmarks(PLAN, obs, year), check_exact=True
        )

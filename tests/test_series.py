"""Annual values, latest values and in-year paths from a hand-made tidy table."""

from __future__ import annotations

import pytest

from gxq_analysis.config import DEFAULT_PLAN_DIR
from gxq_analysis.model.observations import ObservationsError, load_observations
from gxq_analysis.model.plan import load_plan
from gxq_analysis.model.series import annual_values, data_cutoff, latest_value, ytd_path

PLAN = load_plan(DEFAULT_PLAN_DIR)

TIDY = """indicator_id,period,value,ytd,geo,qualifier
hitech_enterprises,2018Q4,82,false,,
hitech_enterprises,2018,83,false,,
hitech_enterprises,2019Q1,85,false,,
hitech_enterprises,2019Q2,90,false,,
hitech_enterprises,2019Q3,96,false,,
invention_patent_applications,2018-12,800,true,,
invention_patent_applications,2019Q1,150,false,,
invention_patent_applications,2019Q2,200,false,,
invention_patent_applications,2019Q3,210,false,,
invention_patent_applications,2019Q4,260,false,,
invention_patent_applications,2020-03,170,true,,
invention_patent_applications,2020-06,390,true,,
rd_gdp_share,2019,2.23,false,全国,
rd_gdp_share,2019,5.2,false,,
national_rank,2020,50,false,,<=
"""


@pytest.fixture
def obs(tidy_obs):
    return tidy_obs(TIDY)


def test_stock_annual_prefers_annual_figure_and_marks_partial_years(obs):
    a = annual_values(obs, PLAN, "hitech_enterprises", include_partial=True)
    assert list(a["year"]) == [2018, 2019]
    assert list(a["value"]) == [83.0, 96.0]  # 2018: the annual figure beats Q4; 2019: latest level
    assert list(a["complete"]) == [True, False]
    assert a["source_row"].iloc[0] == 3
    assert list(annual_values(obs, PLAN, "hitech_enterprises")["year"]) == [2018]


def test_flow_annual_from_ytd_december_or_sum_of_quarters(obs):
    a = annual_values(obs, PLAN, "invention_patent_applications")
    assert list(a["year"]) == [2018, 2019]
    assert list(a["value"]) == [800.0, 150.0 + 200 + 210 + 260]
    assert list(a["method"]) == ["ytd_december", "sum_of_quarters"]


def test_flow_as_of_cuts_the_incomplete_year(obs):
    a = annual_values(obs, PLAN, "invention_patent_applications", as_of="2019Q3")
    assert list(a["year"]) == [2018]


def test_ytd_path_accumulates_quarters_and_reads_ytd(obs):
    p2019 = ytd_path(obs, PLAN, "invention_patent_applications", 2019)
    assert list(p2019["end_month"]) == [3, 6, 9, 12]
    assert list(p2019["value"]) == [150.0, 350.0, 560.0, 820.0]
    p2020 = ytd_path(obs, PLAN, "invention_patent_applications", 2020)
    assert list(p2020["value"]) == [170.0, 390.0]


def test_latest_value_and_geo_and_bounds(obs):
    assert latest_value(obs, PLAN, "hitech_enterprises")["value"] == 96.0
    assert latest_value(obs, PLAN, "hitech_enterprises", as_of="2019Q1")["value"] == 85.0
    assert latest_value(obs, PLAN, "rd_gdp_share")["value"] == 5.2
    assert latest_value(obs, PLAN, "rd_gdp_share", geo="全国")["value"] == 2.23
    # A bound ("<= 50") is not a point value.
    assert latest_value(obs, PLAN, "national_rank") is None
    assert latest_value(obs, PLAN, "new_talents") is None
    assert str(data_cutoff(obs)) == "2020-06"


def test_loader_errors_name_row_and_column(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text(
        "indicator_id,period,value\nrd_gdp_share,2019,5.1\nrd_gdp_share,2019年,5.2\n", encoding="utf-8"
    )
    with pytest.raises(ObservationsError, match=r"row 3, column 'period'"):
        load_observations(p)
    p.write_text("indicator_id,period,value\nrd_gdp_share,2019,abc\n", encoding="utf-8")
    with pytest.raises(ObservationsError, match=r"row 2, column 'value'"):
        load_observations(p)
    p.write_text("indicator_id,value\n", encoding="utf-8")
    with pytest.raises(ObservationsError, match="missing required column"):
        load_observations(p)


def test_as_of_on_an_indicator_without_rows_returns_an_empty_frame_with_columns(obs):
    # Regression: filtering an empty selection with an empty list picked zero columns.
    a = annual_values(obs, PLAN, "tech_smes", as_of="2019Q4", include_partial=True)
    assert a.empty and "year" in a.columns
    assert latest_value(obs, PLAN, "tech_smes", as_of="2019Q4") is None

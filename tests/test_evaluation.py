"""Annual evaluation helpers: the year's results, in-year pace, benchmarks, report text."""

from __future__ import annotations

import numpy as np
import pytest

from gxq_analysis.assess.evaluation import TEXT, benchmarks, pace_history, pace_summary, t, year_results
from gxq_analysis.config import DEFAULT_PLAN_DIR
from gxq_analysis.model.observations import load_observations
from gxq_analysis.model.plan import load_plan

PLAN = load_plan(DEFAULT_PLAN_DIR)

# 2019 targets: hitech_enterprises 100, national_rank 54, tech_smes 80, invention_patent_applications 790
TIDY = """indicator_id,period,value,ytd,geo,illustrative,qualifier
hitech_enterprises,2018,82,false,,true,
hitech_enterprises,2019Q1,88,false,,true,
hitech_enterprises,2019Q2,91,false,,true,
hitech_enterprises,2019Q3,95,false,,true,
hitech_enterprises,2019,101,false,,true,
national_rank,2019,55,false,,true,
tech_smes,2019Q3,70,false,,true,
invention_patent_applications,2019Q1,150,false,,true,
invention_patent_applications,2019Q2,200,false,,true,
invention_patent_applications,2019Q3,210,false,,true,
invention_patent_applications,2019Q4,260,false,,true,
rd_gdp_share,2019,5.2,false,,true,
rd_gdp_share,2019,2.23,false,全国,false,
rd_gdp_share,2017,2.55,false,江苏省,false,
rd_gdp_share,2020,2.4,false,全国,false,
hitech_enterprises,2019,40000,false,全国,false,
fiscal_st_share,2019,3,false,全国,false,>
"""


@pytest.fixture
def obs(tidy_obs):
    return tidy_obs(TIDY)


def test_year_results_met_missed_and_gap(obs):
    r = year_results(PLAN, obs, 2019).set_index("indicator_id")
    assert len(r) == 16  # every indicator with a 2019 target, data or not
    h = r.loc["hitech_enterprises"]
    assert h["status"] == "target_achieved" and h["gap"] == pytest.approx(1.0)  # 101 vs 100
    assert h["completion"] == pytest.approx(1.01) and h["source_row"] == 6 and h["illustrative"]
    # rank 55 against a target of 54 (lower is better): missed by one place, gap −1
    n = r.loc["national_rank"]
    assert n["status"] == "target_missed" and n["gap"] == pytest.approx(-1.0)
    assert n["completion"] == pytest.approx(54 / 55)
    # a flow summed over four quarters: 150 + 200 + 210 + 260 = 820 vs 790
    a = r.loc["invention_patent_applications"]
    assert a["value"] == pytest.approx(820) and a["gap"] == pytest.approx(30)
    # a stock with only a Q3 level has no 2019 annual value: not judged
    assert r.loc["tech_smes", "status"] == "insufficient_data" and np.isnan(r.loc["tech_smes", "gap"])
    assert r.loc["rd_gdp_share", "gap"] == pytest.approx(5.2 - 5.3)
    assert (
        year_results(PLAN, obs, 2019, lang="en")
        .set_index("indicator_id")
        .loc["national_rank", "status_label"]
        == "Target missed"
    )


def test_pace_history_flow_and_stock(obs):
    p = pace_history(PLAN, obs, 2019)
    flow = p[p["indicator_id"] == "invention_patent_applications"].set_index("end_month")
    # year-to-date 150, 350, 560, 820 against 790
    assert flow["completion"].tolist() == pytest.approx([150 / 790, 350 / 790, 560 / 790, 820 / 790])
    # The same rule as the quarterly brief (pace.py): with no earlier year to learn the seasonal
    # pattern from, behind means trailing the time elapsed by more than 10 points:
    # 0.19 vs 0.25, 0.44 vs 0.50, 0.71 vs 0.75 are all within 10 points; at year-end 820 ≥ 790.
    assert flow["behind"].tolist() == [False, False, False, False]
    stock = p[p["indicator_id"] == "hitech_enterprises"].set_index("end_month")
    # from 82 at end-2018 towards 100: Q1 (88-82)/18 = 1/3; Q2 9/18 = 0.5; Q3 13/18 = 0.72 (vs 0.75: within 10)
    assert stock.loc[[3, 6, 9], "completion"].tolist() == pytest.approx([6 / 18, 9 / 18, 13 / 18])
    assert stock.loc[[3, 6, 9], "behind"].tolist() == [False, False, False]
    s = pace_summary(p).set_index("indicator_id")
    assert s.loc["invention_patent_applications", "quarters_behind"] == 0
    assert s.loc["hitech_enterprises", "Q2"] == pytest.approx(0.5)


def test_pace_history_target_reached_at_the_start_is_not_a_negative_completion(tmp_path):
    p = tmp_path / "obs.csv"
    # 738 patents held at end-2019 against a 2020 target of 730: nothing left to do in 2020.
    p.write_text(
        "indicator_id,period,value\ninvention_patents_held,2019,738\n"
        "invention_patents_held,2020Q1,745\ninvention_patents_held,2020Q2,752\n",
        encoding="utf-8",
    )
    pace = pace_history(PLAN, load_observations(p, default_geo=PLAN.zone_geo), 2020)
    assert pace["end_month"].tolist() == [3, 6]
    assert pace["completion"].isna().all()
    assert pace["behind"].tolist() == [False, False]
    assert all("target already reached" in n for n in pace["note"])


def test_benchmarks_shares_only_latest_point_value(obs):
    b = benchmarks(PLAN, obs, 2019).set_index("indicator_id")
    assert list(b.index) == ["rd_gdp_share"]  # counts (hitech_enterprises) are not compared; bounds ignored
    r = b.loc["rd_gdp_share"]
    assert r["zone"] == pytest.approx(5.2)
    assert r["全国"] == pytest.approx(2.23) and r["全国_year"] == 2019  # not the 2020 figure
    assert r["江苏省"] == pytest.approx(2.55) and r["江苏省_year"] == 2017


def test_report_text_has_both_languages_and_formats():
    for key, entry in TEXT.items():
        assert set(entry) == {"zh", "en"}, key
        assert entry["zh"].strip() and entry["en"].strip(), key
    assert t("title", "en", year=2019) == "Annual S&T innovation evaluation 2019"
    assert "2019" in t("title", year=2019)
    with pytest.raises(ValueError):
        t("title", "fr", year=2019)

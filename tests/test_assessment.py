"""One assessment per period (issue #13): computed once, written atomically, read back only for the
inputs it was computed from, and equal to what each page would compute on its own."""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

from gxq_analysis.assess.pace import assess_pace
from gxq_analysis.assess.period import (
    AssessmentError,
    compute_assessment,
    input_fingerprint,
    read_assessment,
    write_assessment,
)
from gxq_analysis.assess.status import assess_plan
from gxq_analysis.assess.trajectory import project_indicator
from gxq_analysis.config import DEFAULT_PLAN_DIR
from gxq_analysis.model.observations import filter_as_of, load_observations
from gxq_analysis.model.plan import load_plan

PLAN = load_plan(DEFAULT_PLAN_DIR)
TIDY = """indicator_id,period,value,ytd
rd_gdp_share,2017,4.8,false
rd_gdp_share,2018,5.0,false
rd_gdp_share,2019Q3,5.1,false
hitech_enterprises,2017,60,false
hitech_enterprises,2018,78,false
hitech_enterprises,2018Q3,70,false
hitech_enterprises,2019Q3,95,false
invention_patent_applications,2018-06,320,true
invention_patent_applications,2018-12,800,true
invention_patent_applications,2019-06,280,true
"""


@pytest.fixture
def inputs(tmp_path):
    obs_path = tmp_path / "observations.csv"
    obs_path.write_text(TIDY, encoding="utf-8")
    return obs_path, load_observations(obs_path, default_geo=PLAN.zone_geo)


def test_the_assessment_is_what_each_page_would_compute(inputs):
    obs_path, obs = inputs
    fp = input_fingerprint(DEFAULT_PLAN_DIR, obs_path)
    a = compute_assessment(PLAN, obs, "2019Q3", "zh", fp)
    cut = filter_as_of(obs, "2019Q3")
    pd.testing.assert_frame_equal(a.status, assess_plan(PLAN, cut, "2019Q3", lang="zh"))
    pd.testing.assert_frame_equal(a.pace, assess_pace(PLAN, cut, "2019Q3", lang="zh"))
    own = project_indicator(PLAN, cut, "hitech_enterprises", 2020, as_of="2019Q3")
    assert a.projections["hitech_enterprises"].p_meet == pytest.approx(own.p_meet)
    pd.testing.assert_frame_equal(a.projections["hitech_enterprises"].path, own.path)
    pd.testing.assert_frame_equal(a.previous_status, assess_plan(PLAN, obs, "2019Q2", lang="zh"))
    pd.testing.assert_frame_equal(a.year_ago_status, assess_plan(PLAN, obs, "2018Q3", lang="zh"))
    assert a.annual is None and a.period == "2019Q3"


def test_written_atomically_and_refused_for_other_inputs(inputs, tmp_path):
    obs_path, obs = inputs
    fp = input_fingerprint(DEFAULT_PLAN_DIR, obs_path)
    a = compute_assessment(PLAN, obs, "2019Q3", "en", fp)
    path = write_assessment(a, tmp_path / "pack" / "_assessment.pkl")
    assert [p.name for p in path.parent.iterdir()] == ["_assessment.pkl"]  # no temporary left behind
    back = read_assessment(path, fingerprint=fp, period="2019Q3", lang="en")
    pd.testing.assert_frame_equal(back.status, a.status)
    # The observations changed after the assessment: the fingerprint differs and the file is refused.
    obs_path.write_text(TIDY.replace("5.1,false", "5.2,false"), encoding="utf-8")
    assert input_fingerprint(DEFAULT_PLAN_DIR, obs_path) != fp
    with pytest.raises(AssessmentError, match="other inputs"):
        read_assessment(path, fingerprint=input_fingerprint(DEFAULT_PLAN_DIR, obs_path))
    with pytest.raises(AssessmentError, match="not 2019Q2"):
        read_assessment(path, period="2019Q2")
    with pytest.raises(AssessmentError, match="not zh"):
        read_assessment(path, lang="zh")
    (tmp_path / "junk.pkl").write_bytes(pickle.dumps({"not": "an assessment"}))
    with pytest.raises(AssessmentError, match="not an assessment"):
        read_assessment(tmp_path / "junk.pkl")
    with pytest.raises(AssessmentError, match="cannot read"):
        read_assessment(tmp_path / "missing.pkl")


def test_an_annual_assessment_carries_the_annual_evaluation(inputs):
    obs_path, obs = inputs
    a = compute_assessment(PLAN, obs, "2018", "zh", input_fingerprint(DEFAULT_PLAN_DIR, obs_path))
    assert a.annual is not None and a.annual.year == 2018
    pd.testing.assert_frame_equal(a.previous_status, assess_plan(PLAN, obs, "2018Q3", lang="zh"))


def test_assessments_sharing_one_index_equal_fresh_ones():
    """`gxq report --all`'s compute workers keep one index of the table for every period they assess
    (pack_run.assessment_job): each assessment must equal one computed from scratch, exactly."""
    import sys

    from test_render_support import OBSERVATIONS

    from gxq_analysis.config import PROJ_ROOT
    from gxq_analysis.model.series import ObsIndex

    sys.path.insert(0, str(PROJ_ROOT / "benchmarks"))
    from check_assessment_unchanged import compare, to_plain

    plan = load_plan(DEFAULT_PLAN_DIR)
    obs = load_observations(OBSERVATIONS, default_geo=plan.zone_geo)
    shared = ObsIndex(obs)
    for period in ("2019Q3", "2019Q4", "2019", "2020Q1", "2019Q2", "2018"):
        kept = compute_assessment(plan, obs, period, "zh", "fp", index_all=shared)
        fresh = compute_assessment(load_plan(DEFAULT_PLAN_DIR), obs.copy(), period, "zh", "fp")
        diffs: list[str] = []
        compare(to_plain(kept), to_plain(fresh), period, diffs)
        assert diffs == [], diffs[:3]

"""Reading a period's assessment stays light: the Student-t functions of the forecast are exactly
scipy.stats.t's, yet neither importing assess.period nor unpickling an assessment imports scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from test_fresh_process_support import modules_imported_by, python_output

from gxq_analysis.assess.forecast import t_cdf, t_ppf, t_sf
from gxq_analysis.assess.period import compute_assessment, write_assessment
from gxq_analysis.config import DEFAULT_PLAN_DIR
from gxq_analysis.model.observations import load_observations
from gxq_analysis.model.plan import load_plan

PLAN = load_plan(DEFAULT_PLAN_DIR)
TIDY = """indicator_id,period,value,ytd
rd_gdp_share,2016,4.7,false
rd_gdp_share,2017,4.8,false
rd_gdp_share,2018,5.0,false
hitech_enterprises,2016,52,false
hitech_enterprises,2017,60,false
hitech_enterprises,2018,78,false
hitech_enterprises,2019Q3,95,false
invention_patent_applications,2017,700,false
invention_patent_applications,2018-06,320,true
invention_patent_applications,2018-12,800,true
invention_patent_applications,2019-06,280,true
"""


@pytest.mark.parametrize("df", [1.0, 2.5, 4.0, 5.0, 7.3, 30.0, 1e6])
def test_student_t_functions_are_scipy_stats_t_bit_for_bit(df):
    for x in np.linspace(-12.0, 12.0, 97):
        assert t_cdf(float(x), df) == float(stats.t.cdf(x, df))
        assert t_sf(float(x), df) == float(stats.t.sf(x, df))
    for q in [1e-6, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1 - 1e-6]:
        assert t_ppf(q, df) == float(stats.t.ppf(q, df))


def test_reading_an_assessment_does_not_import_scipy(tmp_path):
    obs_path = tmp_path / "observations.csv"
    obs_path.write_text(TIDY, encoding="utf-8")
    obs = load_observations(obs_path, default_geo=PLAN.zone_geo)
    a = compute_assessment(PLAN, obs, "2019Q3", "zh", "fp")
    assert any(r.status == "ok" for r in a.projections.values())  # TrajectoryResults with numbers inside
    path = write_assessment(a, tmp_path / "_assessment.pkl")
    code = (
        "import sys, gxq_analysis.assess.period as p\n"
        f"a = p.read_assessment({str(path)!r})\n"
        "print(len(a.projections), sorted(m for m in sys.modules if m == 'scipy' or m.startswith('scipy.')))"
    )
    out = python_output(code)
    assert out.split(" ", 1) == [str(len(a.projections)), "[]\n"]


def test_a_report_kernel_warm_up_imports_neither_scipy_nor_seaborn():
    """What every report kernel imports before its first page (execute.WARM_UP_CODE) stays light: the
    pages of a pack neither compute nor draw, so scipy and seaborn would be paid for nothing."""
    from gxq_analysis.report.execute import WARM_UP_CODE

    assert modules_imported_by(WARM_UP_CODE, ("scipy", "seaborn", "statsmodels")) == []

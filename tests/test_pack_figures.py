"""The pack's figures (issue #14): drawn once by the figures job from the pack's assessment, shown by
the pages exactly as they would have drawn them, and never shown for other inputs or another
projection; a failed job leaves the pages to draw their own."""

from __future__ import annotations

from pathlib import Path

import pytest

from gxq_analysis.assess.period import compute_assessment, input_fingerprint, write_assessment
from gxq_analysis.config import DEFAULT_PLAN_DIR, KERNEL_NAME, NOTEBOOKS_DIR
from gxq_analysis.model.observations import load_observations
from gxq_analysis.model.periods import parse_period
from gxq_analysis.model.plan import load_plan
from gxq_analysis.report.brief import period_pace_figure
from gxq_analysis.report.context import pack_figure, project, validate_params
from gxq_analysis.report.figures import figures_file, figures_job
from gxq_analysis.report.pack_files import (
    FAILED_SUFFIX,
    PACE_FIGURE,
    read_figures,
    trajectory_figure_key,
    write_figures,
)
from gxq_analysis.report.pack_run import prepare_pack
from gxq_analysis.report.render import notebook_parameters
from gxq_analysis.report.trajectories import trajectory_chart

PLAN = load_plan(DEFAULT_PLAN_DIR)
TIDY = """indicator_id,period,value,ytd
rd_gdp_share,2017,4.8,false
rd_gdp_share,2018,5.0,false
rd_gdp_share,2019Q3,5.1,false
hitech_enterprises,2017,60,false
hitech_enterprises,2018,78,false
hitech_enterprises,2018Q3,70,false
hitech_enterprises,2019Q3,95,false
tech_smes,2017,50,false
tech_smes,2018,58,false
invention_patent_applications,2017-12,700,true
invention_patent_applications,2018-06,320,true
invention_patent_applications,2018-12,800,true
invention_patent_applications,2019-06,280,true
invention_patent_applications,2019-09,450,true
"""


@pytest.fixture
def pack(tmp_path: Path) -> dict:
    """A quarterly pack as `gxq report` prepares it, with its assessment written (as the assessment
    job leaves it)."""
    obs_path = tmp_path / "observations.csv"
    obs_path.write_text(TIDY, encoding="utf-8")
    obs = load_observations(obs_path, default_geo=PLAN.zone_geo)
    fingerprint = input_fingerprint(DEFAULT_PLAN_DIR, obs_path)
    stems = ["10_data_quality", "20_trajectories", "30_quarterly_brief"]
    run = prepare_pack(
        parse_period("2019Q3"),
        "zh",
        stems,
        [],
        tmp_path,
        DEFAULT_PLAN_DIR,
        obs_path,
        NOTEBOOKS_DIR,
        KERNEL_NAME,
        notebook_parameters,
    )
    assessment = run.assessment_job["out"]
    write_assessment(compute_assessment(PLAN, obs, "2019Q3", "zh", fingerprint), assessment)
    pages = {job["stem"]: job["parameters"] for job in run.jobs}
    job = next(j for j in run.figures_jobs if j["stem"] == "30_quarterly_brief")
    return {
        "run": run,
        "pages": pages,
        "job": job,
        "obs_path": obs_path,
        "fingerprint": fingerprint,
        "assessment": assessment,
    }


def _page(pack: dict, figures: str):
    return validate_params(
        "2019Q3", "zh", "", str(pack["obs_path"]), assessment=pack["assessment"], figures=figures
    )


def test_the_pages_show_what_they_would_have_drawn(pack):
    run, pages = pack["run"], pack["pages"]
    # one figures job per page that shows figures, the brief's quick one before the trend charts,
    # nothing for page 10; the pages start in the order of what they wait for
    assert [j["stem"] for j in run.figures_jobs] == ["30_quarterly_brief", "20_trajectories"]
    assert [pages[j["stem"]]["figures"] for j in run.figures_jobs] == [j["out"] for j in run.figures_jobs]
    assert [j["stem"] for j in run.jobs] == ["10_data_quality", "30_quarterly_brief", "20_trajectories"]
    assert "figures" not in pages["10_data_quality"]
    drawn = {}
    for job in run.figures_jobs:
        res = figures_job(job)
        assert res["ok"], res
        drawn.update(read_figures(job["out"], pack["fingerprint"]))
    assert trajectory_figure_key("hitech_enterprises") in drawn and PACE_FIGURE in drawn

    on_its_own = _page(pack, figures="")  # a notebook run on its own draws its figures
    trend_page = _page(pack, figures=pages["20_trajectories"]["figures"])
    for iid in ("hitech_enterprises", "rd_gdp_share", "invention_patent_applications", "tech_smes"):
        own = trajectory_chart(on_its_own, iid, project(on_its_own, iid))
        shown = trajectory_chart(trend_page, iid, project(trend_page, iid))
        assert own is not None and '<svg xmlns="http://www.w3.org/2000/svg" class="gxq-chart"' in own
        assert str(shown) == str(own) == drawn[trajectory_figure_key(iid)]
    brief = _page(pack, figures=pages["30_quarterly_brief"]["figures"])
    assert str(period_pace_figure(brief)) == str(period_pace_figure(on_its_own)) == drawn[PACE_FIGURE]


def test_a_figure_is_shown_only_for_the_assessment_projection_and_inputs(pack):
    out = Path(pack["job"]["out"])
    # a file for other inputs (a stale fingerprint) is refused: the page draws
    write_figures({trajectory_figure_key("hitech_enterprises"): "<p>stale</p>"}, "other", out)
    page = _page(pack, figures=str(out))
    assert pack_figure(page, trajectory_figure_key("hitech_enterprises")) is None
    assert "<svg" in trajectory_chart(page, "hitech_enterprises", project(page, "hitech_enterprises"))

    write_figures(
        {trajectory_figure_key("hitech_enterprises"): "<p>from the pack</p>"}, pack["fingerprint"], out
    )
    page = _page(pack, figures=str(out))
    assert str(trajectory_chart(page, "hitech_enterprises", project(page, "hitech_enterprises"))) == (
        "<p>from the pack</p>"
    )
    # another projection than the assessment's (a page asking for another target year) is drawn
    other = project(page, "hitech_enterprises", target_year=2019)
    assert "<svg" in trajectory_chart(page, "hitech_enterprises", other)


def test_a_failed_figures_job_leaves_the_pages_to_draw(pack, tmp_path):
    job = {**pack["job"], "observations_path": str(tmp_path / "missing.csv")}
    res = figures_job(job)
    assert not res["ok"] and "observations" in res["error"]
    marker = Path(job["out"] + FAILED_SUFFIX)
    assert marker.read_text(encoding="utf-8") == res["error"]
    page = _page(pack, figures=job["out"])
    assert pack_figure(page, PACE_FIGURE) is None  # no wait: the marker says the file will not come
    assert "<svg" in trajectory_chart(page, "hitech_enterprises", project(page, "hitech_enterprises"))


ANNUAL = ["indicator_id,period,value,illustrative,geo"] + [
    line
    for y, k in ((2018, 0), (2019, 1))
    for line in (
        f"hitech_enterprises,{y},{80 + 20 * k},true,",
        f"rd_gdp_share,{y},{5.0 + 0.3 * k},true,",
        f"tech_smes,{y},{60 + 10 * k},true,",
        f"new_talents,{y},{6 + 2 * k},true,",
        f"invention_patents_held,{y},{700 + 30 * k},true,",
        f"rd_institutions,{y},{150 + 10 * k},true,",
    )
]


@pytest.mark.slow
def test_the_annual_page_shows_what_it_would_have_drawn(tmp_path):
    from gxq_analysis.report.annual_page import contribution_figure, index_figure, track_record
    from gxq_analysis.report.pack_files import CONTRIBUTION_FIGURE, INDEX_FIGURE, TRACK_RECORD_SECTION

    obs_path = tmp_path / "observations.csv"
    obs_path.write_text("\n".join(ANNUAL) + "\n", encoding="utf-8")
    obs = load_observations(obs_path, default_geo=PLAN.zone_geo)
    fingerprint = input_fingerprint(DEFAULT_PLAN_DIR, obs_path)
    assessment = tmp_path / "_assessment.pkl"
    write_assessment(compute_assessment(PLAN, obs, "2019", "zh", fingerprint), assessment)
    out = tmp_path / figures_file("40_annual_evaluation")
    job = {
        "kind": "figures",
        "period": "2019",
        "lang": "zh",
        "plan_dir": str(DEFAULT_PLAN_DIR),
        "observations_path": str(obs_path),
        "assessment": str(assessment),
        "stem": "40_annual_evaluation",
        "out": str(out),
    }
    assert figures_job(job)["ok"]
    drawn = read_figures(out, fingerprint)
    assert drawn is not None and {INDEX_FIGURE, TRACK_RECORD_SECTION} <= set(drawn)

    def page(figures: str):
        return validate_params(
            "2019", "zh", "", str(obs_path), kinds="A", assessment=str(assessment), figures=figures
        )

    own, shown = page(""), page(str(out))
    for draw, key in (
        (index_figure, INDEX_FIGURE),
        (contribution_figure, CONTRIBUTION_FIGURE),
        (track_record, TRACK_RECORD_SECTION),
    ):
        mine = draw(own)
        if mine is None:  # the contributions when the change is not computable: nothing drawn, nothing shown
            assert key == CONTRIBUTION_FIGURE and key not in drawn and draw(shown) is None
            continue
        assert "<img" in mine
        assert str(draw(shown)) == str(mine) == drawn[key]

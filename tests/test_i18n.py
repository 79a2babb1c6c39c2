"""Method notes reach Chinese reports in Chinese."""

from __future__ import annotations

import pytest

from gxq_analysis.assess.status import assess_plan
from gxq_analysis.config import DEFAULT_PLAN_DIR, PROJ_ROOT
from gxq_analysis.i18n import translate_note, untranslated_fragments
from gxq_analysis.model.observations import load_observations
from gxq_analysis.model.plan import load_plan


def test_translate_note_fragments_and_prefix():
    note = "base 2018Q4; p_meet: needs at least 3 points at distinct times for a trend with a predictive interval (has 2)"
    assert translate_note(note, "zh") == "基期2018Q4；达标概率：趋势预测至少需要3个不同时点的数据（现有2个）"
    assert translate_note(note, "en") == note
    assert (
        translate_note("target year observed and short of the target by 0.54", "zh")
        == "目标年实际值距目标差0.54"
    )
    assert translate_note(None, "zh") == ""
    assert translate_note(float("nan"), "zh") == ""


def test_unknown_fragment_is_kept_and_reported():
    assert translate_note("something new; residual SD floored", "zh") == "something new；残差标准差取下限"
    assert untranslated_fragments("something new; residual SD floored") == ["something new"]


@pytest.fixture(scope="module")
def demo_obs(tmp_path_factory):
    from gxq_analysis.ingest.clean import clean, write_outputs

    plan = load_plan(DEFAULT_PLAN_DIR)
    out = tmp_path_factory.mktemp("processed")
    write_outputs(clean(PROJ_ROOT / "data" / "raw", plan), plan, out)
    return plan, load_observations(out / "observations.csv", default_geo=plan.zone_geo)


@pytest.mark.parametrize("as_of", ["2018Q2", "2018Q4", "2019Q1", "2019Q3", "2019Q4", "2020Q2", "2020Q4"])
def test_every_note_on_the_shipped_data_has_chinese(demo_obs, as_of):
    plan, obs = demo_obs
    status = assess_plan(plan, obs, as_of)
    missing = sorted({f for note in status["note"] for f in untranslated_fragments(note)})
    assert missing == []


@pytest.mark.parametrize("as_of", ["2018Q1", "2018Q3", "2019Q1", "2019Q3", "2020Q1", "2020Q3", "2020Q4"])
def test_every_pace_note_on_the_shipped_data_has_chinese(demo_obs, as_of):
    from gxq_analysis.assess.pace import assess_pace

    plan, obs = demo_obs
    notes = assess_pace(plan, obs, as_of)["note"]
    assert sorted({f for note in notes for f in untranslated_fragments(note)}) == []


def test_pace_note_translation():
    assert (
        translate_note("completion -168% against 25% expected by 2020Q1", "zh")
        == "截至2020Q1完成-168%，按往年进度应完成25%"
    )

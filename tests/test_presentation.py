"""Report helpers: escaping, parameter validation, generated sentences, coverage."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from gxq_analysis.model.observations import load_observations
from gxq_analysis.model.plan import load_plan
from gxq_analysis.report import notebook as P

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "report"
PLAN = FIXTURES / "plan"
OBS = FIXTURES / "processed" / "observations.csv"


# -- escaping ---------------------------------------------------------------------------------------
def test_esc_turns_markup_into_text():
    assert (
        P.esc('<script>alert("x")</script> & co')
        == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"
    )
    assert P.esc(None) == "" and P.esc(float("nan")) == ""


def test_md_escapes_values_but_not_the_template():
    text = P.md("**{name}**: {note}", name="R&D_share*", note="<b>bold</b> [link](http://x) $x$")
    assert text.startswith("**R&amp;D\\_share\\***: ")
    assert "<b>" not in text and "&lt;b&gt;" in text
    assert "\\[link\\]" in text and "\\$x\\$" in text


def test_html_table_escapes_cells_and_headers_but_keeps_safe_html():
    table = P.html_table(
        [{"a": "<script>alert(1)</script>", "b": 3}],
        {"a": "<i>A</i>", "b": "B"},
        formats={"b": lambda v: P.SafeHTML(f"<b>{v}</b>")},
        numeric=["b"],
    )
    assert "<script>" not in table and "&lt;script&gt;alert(1)&lt;/script&gt;" in table
    assert "&lt;i&gt;A&lt;/i&gt;" in table
    assert '<td class="num"><b>3</b></td>' in table


def test_html_block_escapes_values():
    assert (
        P.html_block("<p>{m}</p>", m="<img src=x onerror=alert(1)>")
        == "<p>&lt;img src=x onerror=alert(1)&gt;</p>"
    )


def test_status_light_escapes_a_label_from_data():
    light = P.status_light("on_track", "zh", label="<b>x</b>")
    assert "&lt;b&gt;x&lt;/b&gt;" in light and "#2da44e" in light
    assert "有望达标" in P.status_light("on_track", "zh")
    assert "数据不足" in P.status_light(float("nan"), "zh")


# -- formatting ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, unit, expected",
    [
        (5.3, "%", "5.3%"),
        (5.13, "%", "5.1%"),
        (120, "家", "120家"),
        (0, "家", "0家"),
        (87.0, "家", "87家"),
        (62.64, "件", "62.6件"),
        (3.456, "亿元", "3.46亿元"),
        (1234567, "件", "1,234,567件"),
        (None, "%", "—"),
        (float("nan"), "", "—"),
        (0.5, "", "0.50"),
    ],
)
def test_fmt_number(value, unit, expected):
    assert P.fmt_number(value, unit) == expected


def test_fmt_number_in_english_translates_units():
    assert P.fmt_number(120, "家", lang="en") == "120"
    assert P.fmt_number(3.456, "亿元", lang="en") == "346 million yuan"
    assert P.fmt_number(131.6, "万平方米", lang="en") == "1.32 million m²"
    assert P.fmt_number(5.3, "%", lang="en") == "5.3%"


def test_fmt_p_meet_uses_the_likelihood_scale():
    assert P.fmt_p_meet(0.63, "zh") == "63%（可能性一半左右）"
    assert P.fmt_p_meet(0.95, "en") == "95% (very likely)"
    assert P.fmt_p_meet(float("nan"), "zh") == "无法估计"


def test_every_text_key_has_both_languages():
    for key, entry in P.TEXT.items():
        assert set(entry) == {"zh", "en"}, key
        assert entry["zh"] and entry["en"], key


# -- parameters -------------------------------------------------------------------------------------
def test_validate_params_loads_plan_and_data_as_of_the_period():
    ctx = P.validate_params("2019Q3", "zh", str(PLAN), str(OBS))
    assert str(ctx.period) == "2019Q3" and ctx.zone == "江阴高新区"
    assert len(ctx.obs_all) == 28
    # the 2019-10 value, the 2019 Jiangsu annual figure and the 2022 bound are after 2019Q3
    assert len(ctx.obs) == 25
    assert ctx.processed_dir == OBS.parent
    assert ctx.target_year == 2019 and ctx.final_year == 2020


def test_pages_of_a_kept_kernel_read_the_table_once_and_each_gets_its_own(tmp_path):
    """A kept report kernel parses observations.csv once for its pages (report.context._observations);
    a page that changes its table does not change the next page's, and a changed file is read anew."""
    import shutil

    obs = tmp_path / "observations.csv"
    shutil.copyfile(OBS, obs)
    first = P.validate_params("2019Q3", "zh", str(PLAN), str(obs))
    first.obs_all["value"] = -1.0  # a page scribbling on its table
    first.obs_all.loc[first.obs_all.index[0], "indicator_id"] = "scribbled"
    second = P.validate_params("2019Q3", "zh", str(PLAN), str(obs))
    fresh = load_observations(obs, default_geo=second.plan.zone_geo)
    pd.testing.assert_frame_equal(second.obs_all, fresh)
    assert second.obs_all is not first.obs_all
    # the file changes (a new `gxq clean`): the pages see the new table
    lines = obs.read_text(encoding="utf-8").splitlines()
    obs.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    third = P.validate_params("2019Q3", "zh", str(PLAN), str(obs))
    assert len(third.obs_all) == len(fresh) - 1
    pd.testing.assert_frame_equal(third.obs_all, load_observations(obs, default_geo=third.plan.zone_geo))


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        (dict(period="2019Q5"), "period='2019Q5'"),
        (dict(period="2019Q3", lang="fr"), "lang='fr'"),
        (dict(period="2019", kinds="Q"), "this report needs a quarter"),
        (dict(period="2019", year=2018), "year=2018"),
        (dict(period="2019Q3", plan_dir="/nonexistent/plan"), "plan folder not found"),
        (dict(period="2019Q3", observations_path="/nonexistent/obs.csv"), "run `gxq clean` first"),
    ],
)
def test_validate_params_explains_in_chinese_and_english(kwargs, needle):
    kwargs = {"plan_dir": str(PLAN), "observations_path": str(OBS), **kwargs}
    period = kwargs.pop("period")
    with pytest.raises(P.ReportParameterError) as err:
        P.validate_params(period, **kwargs)
    msg = str(err.value)
    assert needle in msg
    assert "报告参数无效" in msg and "Invalid report parameter" in msg


def test_validate_params_reports_a_broken_observations_file(tmp_path):
    bad = tmp_path / "obs.csv"
    bad.write_text("indicator_id,period,value\nrd_gdp_share,2019Q3,abc\n", encoding="utf-8")
    with pytest.raises(P.ReportParameterError, match="row 2, column 'value'"):
        P.validate_params("2019Q3", "zh", str(PLAN), str(bad))


# -- generated sentences ---------------------------------------------------------------------------
ROW = {
    "indicator_id": "hitech_enterprises",
    "name": "高新技术企业总数",
    "unit": "家",
    "direction": "higher",
    "status": "limited_progress",
    "latest_value": 87.0,
    "latest_period": "2019Q3",
    "milestone_year": 2019,
    "milestone_target": 100.0,
    "target_year": 2020,
    "target": 120.0,
    "projected_value": 99.5,
    "projected_lo80": 96.5,
    "projected_hi80": 102.6,
    "p_meet": 0.04,
}


def test_attention_sentence_in_chinese():
    s = P.attention_sentence(ROW, "zh", pace={"completion_rate": 0.2778, "time_elapsed": 0.75})
    assert s == (
        "高新技术企业总数最新值为87家（2019Q3），距2019年目标100家还差13家，全年目标完成27.7%，时间进度为75%，"
        "按目前趋势2020年预计为99.5家（80%区间96.5家至102.6家），目标为120家，"
        "达标概率约4%（很不可能）。状态：难以达标。"
    )


def test_attention_sentence_in_english_and_for_a_rank():
    row = {
        **ROW,
        "name": "Rank in the national evaluation",
        "unit": "位",
        "direction": "lower",
        "latest_value": 58.0,
        "milestone_target": 54.0,
        "target": 49.0,
        "projected_value": None,
        "projected_lo80": None,
        "projected_hi80": None,
        "p_meet": None,
        "status": "needs_acceleration",
    }
    s = P.attention_sentence(row, "en")
    assert s == (
        "Rank in the national evaluation stood at 58 (2019Q3); 4 short of the 2019 milestone of "
        "54. Status: At risk."
    )
    ahead = P.attention_sentence({**row, "latest_value": 50.0}, "zh")
    assert "距2019年目标54位已达到" in ahead


def test_attention_sentence_without_data():
    row = {**ROW, "latest_value": float("nan"), "status": "insufficient_data"}
    assert (
        P.attention_sentence(row, "zh")
        == "高新技术企业总数：数据不足，无法判断能否完成目标，请尽快报送数据。"
    )


def test_needs_attention_orders_by_severity_then_p_meet_and_adds_behind_schedule():
    status = pd.DataFrame(
        [
            {"indicator_id": "a", "status": "needs_acceleration", "p_meet": 0.3},
            {"indicator_id": "b", "status": "deterioration", "p_meet": 0.5},
            {"indicator_id": "c", "status": "needs_acceleration", "p_meet": 0.1},
            {"indicator_id": "d", "status": "on_track", "p_meet": 0.8},
            {"indicator_id": "e", "status": "on_track", "p_meet": 0.9},
            {"indicator_id": "f", "status": "insufficient_data", "p_meet": math.nan},
            {"indicator_id": "a", "status": "limited_progress", "p_meet": 0.2},
        ]
    )
    pace = pd.DataFrame(
        [{"indicator_id": "e", "behind_schedule": True}, {"indicator_id": "d", "behind_schedule": False}]
    )
    top = P.needs_attention(status, pace, limit=4)
    assert list(top["indicator_id"]) == ["b", "a", "c", "e"]
    assert list(top["status"])[:2] == ["deterioration", "limited_progress"]


def test_projection_sentence_and_headline():
    row = {
        **ROW,
        "name": "研发经费投入占GDP比重",
        "unit": "%",
        "target": 5.5,
        "latest_value": 5.12,
        "projected_value": 5.41,
        "projected_lo80": 5.2,
        "projected_hi80": 5.63,
        "p_meet": 0.3,
        "status": "limited_progress",
    }
    html = P.headline_html(row, "zh")
    assert "研发经费投入占GDP比重能否在2020年达到5.5%？" in html
    assert "按目前趋势2020年预计为5.4%（80%区间5.2%至5.6%）" in html
    assert "达标概率约30%（不太可能）" in html and "状态：难以达标。" in html


# -- data-quality helpers --------------------------------------------------------------------------
def test_coverage_matrix_shows_the_latest_period_per_year():
    plan = load_plan(PLAN)
    obs = load_observations(OBS, default_geo=plan.zone_geo)
    cov = P.coverage_matrix(plan, obs, "zh")
    assert list(cov.columns) == [2016, 2017, 2018, 2019, 2020]
    assert cov.at["rd_gdp_share", 2018] == "年"
    assert cov.at["rd_gdp_share", 2019] == "10月"  # 2019-10 is the latest rd_gdp_share period in 2019
    assert cov.at["tax_relief", 2019] == "Q3"
    assert cov.at["vc_fund_size", 2019] == ""  # no data
    assert P.coverage_matrix(plan, obs, "en").at["rd_gdp_share", 2019] == "M10"


def test_sources_and_illustrative_summaries():
    plan = load_plan(PLAN)
    obs = load_observations(OBS, default_geo=plan.zone_geo)
    src = P.sources_summary(obs, "zh").set_index("source_file")
    assert src.at["demo/2019Q3.xlsx", "rows"] == 4
    assert src.at["public/public_figures.csv", "illustrative"] == "否"
    ill = P.illustrative_summary(plan, obs, "zh").set_index("indicator_id")
    assert ill.at["rd_gdp_share", "count"] == 7
    assert ill.at["rd_gdp_share", "periods"] == "2016–2019-10"
    assert "national_rank" in ill.index and ill.at["national_rank", "count"] == 2


def test_any_illustrative():
    assert P.any_illustrative(pd.DataFrame({"illustrative": [False, True]}))
    assert not P.any_illustrative(pd.DataFrame({"illustrative": [False]}), None, False)
    assert P.any_illustrative(pd.DataFrame({"x": [1]}), True)


def test_headline_indicator_is_plan_number_one_unless_configured():
    plan = load_plan(PLAN)
    assert P.headline_indicator(plan) == "rd_gdp_share"
    plan.meta["headline_indicator"] = "vc_fund_size"
    assert P.headline_indicator(plan) == "vc_fund_size"


CLOSED = {
    "name": "研发经费投入占GDP比重",
    "unit": "%",
    "direction": "higher",
    "target_year": 2019,
    "target": 5.3,
    "latest_value": 5.12,
    "latest_period": "2019Q4",
    "as_of": "2019Q4",
    "status": "target_missed",
    "projected_value": 5.12,
    "projected_lo80": 5.12,
    "projected_hi80": 5.12,
    "p_meet": 0.0,
}


def test_closed_target_year_is_reported_as_outcome_not_projection():
    assert P.target_year_closed(CLOSED)
    assert not P.target_year_closed({**CLOSED, "as_of": "2019Q3"})
    # 5.30 − 5.12 = 0.18 percentage points, written by hand; rates show one decimal (Chinese convention).
    assert (
        P.attention_sentence(CLOSED, "zh")
        == "研发经费投入占GDP比重2019年实际值5.1%（2019Q4），目标5.3%，未完成，差0.2个百分点。"
    )
    assert P.attention_sentence(CLOSED, "en") == (
        "研发经费投入占GDP比重: 5.1% in 2019 (2019Q4) against a target of 5.3%: missed by 0.2 pp."
    )
    # a near miss keeps two decimals rather than reading "0.0"
    assert P.fmt_gap(-0.01, "%", "zh") == "0.01个百分点"
    met = {**CLOSED, "latest_value": 5.31, "status": "target_achieved"}
    assert P.projection_sentence(met, "zh") == "2019年实际值5.3%（2019Q4），目标5.3%，已完成。状态：已达标。"
    assert "预计" not in P.projection_sentence(CLOSED, "zh")


def test_projection_sentence_keeps_period_case_in_english():
    open_row = {
        **CLOSED,
        "as_of": "2019Q3",
        "latest_period": "2019Q3",
        "target_year": 2020,
        "target": 5.5,
        "projected_value": 5.6,
        "projected_lo80": 5.4,
        "projected_hi80": 5.8,
        "p_meet": 0.7,
        "status": "on_track",
    }
    s = P.projection_sentence(open_row, "en")
    assert s.startswith("Latest value 5.1% (2019Q3); projected 5.6% in 2020")


def test_latest_source_is_the_last_trace_entry():
    assert P.latest_source("a.xlsx[2018Q4]:6; b.xlsx[2019Q3]:7") == "b.xlsx[2019Q3]:7"
    assert P.latest_source("") == "—"
    assert P.latest_source(float("nan")) == "—"


def test_indicator_summary_lists_escaped_sources():
    status = pd.DataFrame([{**CLOSED, "indicator_id": "rd", "source_rows": "a<b>.xlsx[季报]:6; c.csv:2"}])
    html = str(P.indicator_summary(status, "rd", "zh"))
    assert "数据来源（文件[工作表]:行）：a&lt;b&gt;.xlsx[季报]:6，c.csv:2" in html
    assert "<b>" not in html


def test_trajectory_figure_draws_annual_values_as_the_line_and_in_year_values_apart(tmp_path):
    """Regression: with the quarter-end model, quarterly levels were drawn on the annual line, stacked
    at whole years. The line holds one point per complete year; the latest in-year level stands apart."""
    from gxq_analysis.assess.trajectory import project_indicator
    from gxq_analysis.config import DEFAULT_PLAN_DIR

    rows = ["indicator_id,period,value"]
    values = {
        "2018Q1": 4.5,
        "2018Q2": 4.7,
        "2018Q3": 4.9,
        "2018Q4": 5.05,
        "2019Q1": 4.8,
        "2019Q2": 4.95,
        "2019Q3": 5.13,
    }
    rows += [f"rd_gdp_share,{p},{v}" for p, v in values.items()]
    obs = tmp_path / "observations.csv"
    obs.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ctx = P.validate_params("2019Q3", "zh", str(DEFAULT_PLAN_DIR), str(obs))
    projection = project_indicator(ctx.plan, ctx.obs, "rd_gdp_share", 2020, as_of="2019Q3")
    fig = P.trajectory_figure(ctx, "rd_gdp_share", projection)
    import matplotlib.pyplot as plt

    lines = {ln.get_label(): ln for ln in fig.axes[0].get_lines()}
    actual = lines[P.t("tr.series", "zh")]
    assert list(actual.get_xdata()) == [2018]
    assert list(actual.get_ydata()) == [5.05]
    partial = next(ln for label, ln in lines.items() if label.startswith(P.t("tr.partial", "zh")))
    # x is time at the period's end, annual values at their year-end: end of Sept 2019 = 2019 − 0.25.
    assert list(partial.get_xdata()) == [2018.75] and list(partial.get_ydata()) == [5.13]
    plt.close(fig)


def test_files_table_is_localised_and_escaped():
    manifest = {
        "files": [
            {
                "path": "submissions/a<x>.xlsx",
                "sha256": "0123456789abcdef" * 4,
                "kind": "xlsx",
                "sheets": ["季报", "附表"],
                "data_rows": 8,
                "values": 6,
                "quarantined": 2,
                "reported_at": "2019-10-12",
            },
            {"path": "submissions/bad.xlsx", "kind": "xlsx", "unreadable": "xlsx 已损坏 corrupt"},
        ]
    }
    html = str(P.files_table(manifest, "zh"))
    assert "<th>文件</th>" in html and "SHA-256（前12位）" in html
    assert "submissions/a&lt;x&gt;.xlsx" in html
    assert "季报、附表" in html and "0123456789ab<" in html and "0123456789abc" not in html
    assert "xlsx 已损坏 corrupt" in html
    assert str(P.files_table(None, "zh")) == ""


def test_every_cleaner_quarantine_category_has_a_label():
    from gxq_analysis.ingest import clean

    categories = {v for k, v in vars(clean).items() if k.startswith("Q_") and isinstance(v, str)}
    assert categories and categories <= set(P.QUARANTINE_CATEGORIES)


def test_quarantine_overview_puts_rows_to_check_first_and_splits_them_out():
    q = pd.DataFrame(
        [
            {"category": "context_only", "source_file": "public/p.csv", "source_row": 7, "reason": "ctx"},
            {"category": "context_only", "source_file": "public/p.csv", "source_row": 8, "reason": "ctx"},
            {
                "category": "unknown_indicator",
                "source_file": "s.xlsx",
                "source_row": 9,
                "reason": "未知指标 <b>x</b>",
            },
            {"category": "superseded", "source_file": "s.xlsx", "source_row": 3, "reason": "old"},
        ]
    )
    html = str(P.quarantine_overview(q, "zh"))
    assert html.index("未知指标名称") < html.index("公开数据背景资料")
    assert "需核实" in html and "已按规则处理" in html
    to_check = P.quarantine_to_check(q)
    assert to_check["source_row"].tolist() == [9]


def test_revisions_table_names_both_sources():
    from gxq_analysis.config import DEFAULT_PLAN_DIR
    from gxq_analysis.model.plan import load_plan

    rev = pd.DataFrame(
        [
            {
                "indicator_id": "tech_smes",
                "geo": "江阴高新区",
                "period": "2019Q2",
                "old_value": "59",
                "new_value": "62",
                "old_source_file": "a.xlsx",
                "old_source_sheet": "季报",
                "old_source_row": 5,
                "new_source_file": "b.xlsx",
                "new_source_sheet": "季报",
                "new_source_row": 5,
                "reason": "填报日期更晚 later reporting date",
            }
        ]
    )
    html = str(P.revisions_table(rev, load_plan(DEFAULT_PLAN_DIR), "zh"))
    assert "科技型中小企业家数" in html and "a.xlsx[季报]:5" in html and "b.xlsx[季报]:5" in html

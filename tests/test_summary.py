"""The one-page summary's computations: verdict changes since last quarter, value changes against a quarter
and a year earlier, the headline sentences (verdict words from the i18n status labels), number formats,
and tables.xlsx read back from HTML. Expected values are written by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from gxq_analysis.i18n import status_label
from gxq_analysis.model.periods import parse_period
from gxq_analysis.report.numbers import fmt_change, fmt_completion, fmt_signed, fmt_value
from gxq_analysis.report.summary import (
    Summary,
    compare_verdicts,
    headline_sentences,
    previous_quarter,
    summary_html,
    summary_values_table,
    value_changes,
    year_earlier,
)
from gxq_analysis.report.xlsx_export import SheetSpec, cell_value, html_tables, write_workbook


def status_frame(rows):
    cols = [
        "indicator_id",
        "name",
        "unit",
        "direction",
        "accumulation",
        "target_year",
        "target",
        "latest_value",
        "latest_period",
        "status",
        "p_meet",
        "illustrative",
        "source_rows",
    ]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols)


NOW = status_frame(
    [
        (
            "a",
            "高企数",
            "家",
            "higher",
            "stock",
            2019,
            100.0,
            87.0,
            "2019Q3",
            "limited_progress",
            0.39,
            True,
            "f.xlsx[季报]:6",
        ),
        (
            "a",
            "高企数",
            "家",
            "higher",
            "stock",
            2020,
            120.0,
            87.0,
            "2019Q3",
            "on_track",
            0.7,
            True,
            "f.xlsx[季报]:6",
        ),
        (
            "b",
            "研发占比",
            "%",
            "higher",
            "stock",
            2019,
            5.3,
            5.13,
            "2019Q3",
            "on_track",
            0.8,
            True,
            "g.csv:4",
        ),
        (
            "c",
            "收入",
            "亿元",
            "higher",
            "flow",
            2019,
            10.0,
            7.5,
            "2019Q3",
            "insufficient_data",
            None,
            True,
            "h.csv:2",
        ),
        (
            "d",
            "排名",
            "位",
            "lower",
            "stock",
            2019,
            54.0,
            60.0,
            "2019Q3",
            "needs_acceleration",
            0.4,
            True,
            "i.csv:3",
        ),
    ]
)
BEFORE = status_frame(
    [
        (
            "a",
            "高企数",
            "家",
            "higher",
            "stock",
            2019,
            100.0,
            85.0,
            "2019Q2",
            "needs_acceleration",
            0.5,
            True,
            "",
        ),
        ("a", "高企数", "家", "higher", "stock", 2020, 120.0, 85.0, "2019Q2", "on_track", 0.7, True, ""),
        (
            "b",
            "研发占比",
            "%",
            "higher",
            "stock",
            2019,
            5.3,
            5.0,
            "2019Q2",
            "needs_acceleration",
            0.5,
            True,
            "",
        ),
        ("c", "收入", "亿元", "higher", "flow", 2019, 10.0, 5.0, "2019Q2", "on_track", 0.6, True, ""),
        (
            "d",
            "排名",
            "位",
            "lower",
            "stock",
            2019,
            54.0,
            60.0,
            "2019Q3",
            "needs_acceleration",
            0.4,
            True,
            "",
        ),
    ]
)
YEAR_AGO = status_frame(
    [
        ("a", "高企数", "家", "higher", "stock", 2018, 80.0, 75.0, "2018Q3", "on_track", 0.7, True, ""),
        ("b", "研发占比", "%", "higher", "stock", 2018, 5.1, 4.86, "2018Q3", "on_track", 0.7, True, ""),
        ("c", "收入", "亿元", "higher", "flow", 2018, 8.0, 6.0, "2018Q3", "on_track", 0.7, True, ""),
        ("d", "排名", "位", "lower", "stock", 2018, 64.0, 66.0, "2018", "on_track", 0.7, True, ""),
    ]
)


def test_comparison_periods():
    assert str(previous_quarter("2019Q3")) == "2019Q2"
    assert str(previous_quarter("2019Q1")) == "2018Q4"
    assert str(previous_quarter("2019")) == "2019Q3"
    assert str(year_earlier("2019Q3")) == "2018Q3" and str(year_earlier(2019)) == "2018"


def test_compare_verdicts_target_by_target():
    v = compare_verdicts(NOW, BEFORE).set_index(["indicator_id", "target_year"])["change"]
    assert v[("a", 2019)] == "worse"  # needs_acceleration → limited_progress
    assert v[("a", 2020)] == "same"
    assert v[("b", 2019)] == "better"  # needs_acceleration → on_track
    assert v[("c", 2019)] == "changed"  # on_track → insufficient_data: not ranked
    assert v[("d", 2019)] == "same"
    assert set(compare_verdicts(NOW, BEFORE.iloc[0:0])["change"]) == {"new"}


def test_value_changes_need_new_comparable_data():
    v = value_changes(NOW, BEFORE, YEAR_AGO).set_index("indicator_id")
    assert v.at["a", "qoq_change"] == pytest.approx(2.0) and v.at["a", "yoy_change"] == pytest.approx(12.0)
    assert v.at["b", "qoq_change"] == pytest.approx(0.13) and v.at["b", "yoy_change"] == pytest.approx(0.27)
    # a year-to-date flow: Q3 total minus Q2 total is not a change; the same quarter a year earlier is
    assert math.isnan(v.at["c", "qoq_change"]) and v.at["c", "yoy_change"] == pytest.approx(1.5)
    # no new value since last quarter, and a year ago only an annual figure (different kind of period)
    assert math.isnan(v.at["d", "qoq_change"]) and math.isnan(v.at["d", "yoy_change"])


def make_summary(lang="zh") -> Summary:
    return Summary(
        period=parse_period("2019Q3"),
        previous=parse_period("2019Q2"),
        lang=lang,
        status=NOW,
        verdicts=compare_verdicts(NOW, BEFORE),
        values=value_changes(NOW, BEFORE, YEAR_AGO),
        attention=NOW[NOW["status"] == "limited_progress"],
        illustrative=True,
        cutoff_label="2019年第三季度",
        extra={},
    )


def test_headline_counts_and_changes_use_the_status_labels():
    zh = headline_sentences(make_summary())
    lp, ot, na, acc = (
        status_label(s, "zh")
        for s in ("limited_progress", "on_track", "insufficient_data", "needs_acceleration")
    )
    assert zh[0] == f"2019年的4项目标中，{ot}1项、{acc}1项、{lp}1项、{na}1项。"
    assert zh[1] == f"2020年的1项目标中，{ot}1项。"
    assert zh[2] == (
        "与上季度（2019年第二季度）相比，1项目标的判断好转（研发占比）；1项目标的判断变差（高企数）；"
        "1项目标因数据增减改变判断（收入）。"
    )
    en = headline_sentences(make_summary("en"), "en")
    assert en[0].startswith("Of the 4 targets for 2019: ") and "Since last quarter (2019 Q2)" in en[2]


def test_summary_html_is_escaped_and_carries_the_banner():
    s = make_summary()
    s.status = s.status.assign(
        name=s.status["name"].where(s.status["indicator_id"] != "d", "<script>x</script>")
    )
    page = summary_html(
        s, plan_title="计划", generated="2026-01-01 00:00", version="0.1", css="", banner="示例数据！"
    )
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert '<div class="gxq-banner" role="alert">示例数据！</div>' in page
    assert "↑2家" in page and "↑12家" in page and "↑0.1个百分点" in page  # counts whole, rates one decimal
    assert "0.00家" not in page


def test_summary_values_table_keeps_raw_numbers_units_and_sources():
    header, rows = summary_values_table(make_summary())
    first = dict(zip(header, rows[0]))
    assert first["单位"] == "家" and first["最新值"] == 87.0 and first["较上季度变化"] == 2.0
    assert first["2019年判断"] == status_label("limited_progress", "zh")
    assert first["最新值来源（文件[工作表]:行）"] == "f.xlsx[季报]:6"


@pytest.mark.parametrize(
    "value, unit, lang, expected",
    [
        (0, "家", "zh", "0家"),
        (87, "家", "en", "87"),
        (5.13, "%", "zh", "5.1%"),
        (2.92, "亿元", "en", "292 million yuan"),
        (2.92, "亿元", "zh", "2.92亿元"),
        (131.6, "万平方米", "en", "1.32 million m²"),
    ],
)
def test_fmt_value(value, unit, lang, expected):
    assert fmt_value(value, unit, lang) == expected


def test_changes_and_completion():
    assert fmt_change(3, "家") == "↑3家" and fmt_change(-0.44, "%") == "↓0.4个百分点"
    assert fmt_change(0.2, "%", "en") == "↑0.2 pp" and fmt_change(float("nan")) == "—"
    assert fmt_signed(1.0) == "+1" and fmt_signed(-0.25, 2) == "−0.25"
    # completion never rounds to 100 % below the target
    assert (
        fmt_completion(0.9996) == "99.9%"
        and fmt_completion(1.0) == "100.0%"
        and fmt_completion(0.28) == "28.0%"
    )


def test_html_tables_read_back_with_numbers_and_headings(tmp_path):
    html = (
        '<h2>明细 &amp; 说明</h2><table class="gxq-table"><thead><tr><th>指标</th><th class="num">值</th>'
        '</tr></thead><tbody><tr><td><span class="gxq-light"></span><span>高企</span></td><td>1,234</td></tr>'
        "<tr><td>占比</td><td>5.1%</td></tr></tbody></table>"
    )
    (tab,) = html_tables(html)
    assert tab.heading == "明细 & 说明" and tab.header == ["指标", "值"]
    assert [[cell_value(c) for c in r] for r in tab.rows] == [["高企", 1234], ["占比", "5.1%"]]
    path = write_workbook(
        tmp_path / "t.xlsx",
        [SheetSpec("页 · 明细", "a.html", tab.header, [["高企", 1234]])],
        lang="zh",
        pack_title="包",
        period_label="2019年第三季度",
        generated="now",
        observations="observations.csv",
        illustrative=True,
    )
    import openpyxl

    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["说明", "明细"]
    assert "示例数据" in wb["说明"]["A1"].value and "示例数据" in wb["明细"]["A3"].value
    values = [r for r in wb["明细"].iter_rows(values_only=True)]
    assert ("指标", "值") in values and ("高企", 1234) in values


def test_pace_table_never_shows_100_percent_for_an_unfinished_year():
    from gxq_analysis.report import notebook as P

    pace = pd.DataFrame(
        [
            {
                "indicator_id": "x",
                "name": "x",
                "unit": "家",
                "ytd_value": 99.96,
                "annual_target": 100.0,
                "completion_rate": 0.9996,
                "time_elapsed": 0.75,
                "projected_annual": 100.0,
                "behind_schedule": False,
            }
        ]
    )
    html = P.pace_table(pace, "zh")
    assert "99.9%" in html and "100%" not in html


def test_unit_labels_are_english_in_english():
    from gxq_analysis.report.numbers import unit_label

    assert unit_label("亿元", "zh") == "亿元"
    assert unit_label("亿元", "en") == "100 million yuan" and unit_label("家", "en") == "number"
    assert unit_label("%", "en") == "%" and unit_label("万平方米", "en") == "10,000 m²"

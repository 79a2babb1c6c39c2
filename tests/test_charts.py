"""The chart style: Chinese renders without missing glyphs, even after seaborn; trend charts carry the
plan's milestones and target path; figures embed as PNG with escaped alt text."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib import rcParams

from gxq_analysis.report import chart_theme, charts

TEXT = "研发经费投入占GDP比重 −5% 江阴高新区"


def draw_and_collect_warnings(text: str = TEXT) -> list[str]:
    fig, ax = plt.subplots()
    ax.set_title(text)
    ax.set_xlabel("年份")
    ax.plot([2017, 2018], [-1, 1])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        charts.figure_png(fig)
    plt.close(fig)
    return [str(w.message) for w in caught]


@pytest.fixture(autouse=True)
def _restore_rc():
    saved = rcParams.copy()
    yield
    rcParams.update(saved)


def test_missing_glyph_warnings_are_detected_without_a_cjk_font():
    # the control: with only DejaVu Sans the check below does see the problem
    rcParams["font.family"] = "sans-serif"
    rcParams["font.sans-serif"] = ["DejaVu Sans"]
    assert any("missing from font" in w for w in draw_and_collect_warnings())


def test_style_draws_chinese_without_missing_glyphs_after_seaborn():
    charts.apply_style()  # seaborn's theme first, then the CJK font
    assert rcParams["font.sans-serif"][0] in charts.CJK_FAMILIES
    assert [w for w in draw_and_collect_warnings() if "missing from font" in w] == []
    assert rcParams["axes.unicode_minus"] is True


def test_written_out_theme_is_seaborns_whitegrid_notebook_theme():
    """apply_style does not import seaborn: its theme is written out in charts.py. It must stay what
    the pinned seaborn's set_theme sets (but the seaborn-only colormap, left out on purpose)."""
    import matplotlib as mpl
    import seaborn as sns

    mpl.rcdefaults()
    sns.set_theme(style="whitegrid", context="notebook")
    by_seaborn = dict(rcParams)
    mpl.rcdefaults()
    rcParams.update(chart_theme.SEABORN_WHITEGRID_NOTEBOOK)
    written_out = dict(rcParams)
    mpl.rcdefaults()
    default = dict(rcParams)
    differ = {k for k in by_seaborn if by_seaborn[k] != written_out[k]}
    assert differ == {"image.cmap"}, sorted(differ)
    assert by_seaborn["image.cmap"] == "rocket" and written_out["image.cmap"] == default["image.cmap"]
    # and the theme is not a no-op: it changes what seaborn changes
    assert {k for k in default if default[k] != written_out[k]} == {
        k for k in default if default[k] != by_seaborn[k]
    } - {"image.cmap"}


def test_apply_style_does_not_import_seaborn():
    from test_fresh_process_support import modules_imported_by

    code = (
        "from gxq_analysis.report import charts; charts.apply_style(); "
        "import matplotlib.pyplot as plt; fig, ax = plt.subplots(); ax.plot([1, 2]); charts.figure_png(fig)"
    )
    assert modules_imported_by(code, ("seaborn", "scipy")) == []


def test_seaborn_alone_would_lose_the_font():
    import seaborn as sns

    charts.use_cjk_font()
    sns.set_theme()
    assert rcParams["font.sans-serif"][0] not in charts.CJK_FAMILIES  # why apply_style sets fonts after it
    charts.use_cjk_font()
    assert rcParams["font.sans-serif"][0] in charts.CJK_FAMILIES


def test_cjk_font_files_are_the_ofl_noto_fonts():
    names = [p.name for p in charts.find_cjk_font_files()]
    assert "NotoSansCJK-Regular.ttc" in names  # installed by tasks.py (fonts-noto-cjk)


def test_target_path_starts_at_the_baseline():
    milestones = pd.DataFrame({"year": [2019, 2018, 2020], "target": [5.3, 5.1, 5.5]})
    assert charts.target_path(milestones, (2017, 4.85)) == [
        (2017, 4.85),
        (2018, 5.1),
        (2019, 5.3),
        (2020, 5.5),
    ]
    assert charts.target_path(milestones) == [(2018, 5.1), (2019, 5.3), (2020, 5.5)]


def test_trend_chart_draws_milestones_target_path_fan_and_benchmarks():
    charts.apply_style()
    hist = pd.DataFrame({"year": [2016, 2017, 2018], "value": [4.6, 4.85, 5.02]})
    ms = pd.DataFrame({"year": [2018, 2019, 2020], "target": [5.1, 5.3, 5.5]})
    proj = pd.DataFrame(
        {
            "year": [2018.75, 2019, 2020],
            "median": [5.12, 5.2, 5.4],
            "lo80": [5.12, 5.1, 5.1],
            "hi80": [5.12, 5.3, 5.7],
        }
    )
    bench = {"全国": pd.DataFrame({"year": [2016, 2017, 2018], "value": [2.11, 2.13, 2.19]})}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = charts.trend_chart(
            hist,
            ms,
            title="研发经费投入占GDP比重",
            unit="%",
            lang="zh",
            baseline=(2017, 4.85),
            projection=proj,
            partial=(2018.75, 5.12, "2019Q3"),
            benchmarks=bench,
        )
        charts.figure_png(fig)
    assert [str(w.message) for w in caught if "missing from font" in str(w.message)] == []
    ax = fig.axes[0]
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    for label in (
        "全国",
        "目标路径",
        "年度目标",
        "实际值",
        "预测（中位数）",
        "80% 预测区间",
        "年内最新值（2019Q3）",
    ):
        assert label in labels
    path_line = next(line for line in ax.get_lines() if line.get_label() == "目标路径")
    assert list(path_line.get_xdata()) == [2017, 2018, 2019, 2020]
    assert list(path_line.get_ydata()) == [4.85, 5.1, 5.3, 5.5]
    plt.close(fig)


def test_rank_charts_point_up_for_better():
    charts.apply_style()
    fig = charts.trend_chart(
        pd.DataFrame({"year": [2017, 2018], "value": [62, 58]}),
        pd.DataFrame({"year": [2018, 2019], "target": [64, 54]}),
        direction="lower",
    )
    assert fig.axes[0].yaxis_inverted()
    plt.close(fig)


def test_figure_html_embeds_png_with_escaped_alt():
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    html = charts.figure_html(fig, alt='a "quoted" <name>', caption="<b>c</b>")
    assert html.startswith(
        '<figure class="gxq-figure"><img alt="a &quot;quoted&quot; &lt;name&gt;" '
        'src="data:image/png;base64,iVBORw0KGgo'
    )
    assert "<figcaption>&lt;b&gt;c&lt;/b&gt;</figcaption>" in html
    assert not plt.fignum_exists(fig.number)  # closed after embedding


def test_pace_chart_marks_time_elapsed():
    charts.apply_style()
    fig = charts.pace_chart(["专利申请", "高新技术企业"], [0.66, 0.28], 0.75, "zh", behind=[False, True])
    ax = fig.axes[0]
    assert [round(p.get_width(), 1) for p in ax.patches] == [66.0, 28.0]
    assert any(t.get_text() == "时间进度 75%" for t in ax.texts)
    plt.close(fig)


def test_wrap_label_keeps_every_character():
    from gxq_analysis.report.charts import wrap_label

    name = "企业享受税收减免、研发经费加计扣除优惠政策减免额"  # 24 characters
    # Breaks after the 、 (9th character) rather than mid-word at 16.
    assert wrap_label(name, "zh").split("\n") == ["企业享受税收减免、", "研发经费加计扣除优惠政策减免额"]
    assert wrap_label("一二三四五六七八九十一二三四五六七八", "zh", width=8).split("\n") == [
        "一二三四五六七八",
        "九十一二三四五六",
        "七八",
    ]
    assert wrap_label("高新技术企业总数", "zh") == "高新技术企业总数"
    assert wrap_label("Tax relief and R&D super-deduction enjoyed by enterprises", "en").split("\n") == [
        "Tax relief and R&D",
        "super-deduction enjoyed by",
        "enterprises",
    ]


def test_pace_chart_labels_fit_inside_the_figure():
    from gxq_analysis.report.charts import pace_chart, use_cjk_font

    use_cjk_font()
    names = [
        "企业享受税收减免、研发经费加计扣除优惠政策减免额",
        "高新技术产值占规上工业总产值比例",
        "研发机构总数",
    ]
    fig = pace_chart(names, [1.02, 0.86, 0.5], 0.75, "zh")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for label in fig.axes[0].get_yticklabels():
        assert label.get_window_extent(renderer).x0 >= 0, label.get_text()
    import matplotlib.pyplot as plt

    plt.close(fig)

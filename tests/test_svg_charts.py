"""The pages' SVG charts: well-formed, escaped, and drawn where the data say (read back through the
chart's own grid lines and tick labels, as a reader reads a chart)."""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gxq_analysis.report import svg_draw
from gxq_analysis.report.svg_charts import pace_svg, trend_svg
from gxq_analysis.report.svg_draw import nice_ticks, svg_html, text_width

NS = {"s": "http://www.w3.org/2000/svg"}


def _chart_a() -> dict:
    return dict(
        history=pd.DataFrame({"year": [2016, 2017, 2018], "value": [4.6, 4.85, 5.02]}),
        milestones=pd.DataFrame({"year": [2018, 2019, 2020], "target": [5.1, 5.3, 5.5]}),
        title="研发经费投入占GDP比重",
        unit="%",
        baseline=(2017, 4.85),
        projection=pd.DataFrame(
            {
                "year": [2018.75, 2019, 2020],
                "median": [5.12, 5.2, 5.4],
                "lo80": [5.12, 5.1, 5.1],
                "hi80": [5.12, 5.3, 5.7],
            }
        ),
        partial=(2018.75, 5.12, "2019Q3"),
        benchmarks={"全国": pd.DataFrame({"year": [2016, 2017, 2018], "value": [2.11, 2.13, 2.19]})},
    )


def _chart_rank() -> dict:
    # a rank: lower is better, so the axis runs the other way; no unit, no fan
    return dict(
        history=pd.DataFrame({"year": [2014, 2015, 2016, 2017, 2018], "value": [80, 71, 62, 58, 40]}),
        milestones=pd.DataFrame({"year": [2018, 2019, 2020], "target": [64, 54, 30]}),
        title="全国高新区排名",
        direction="lower",
    )


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def by_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{{{NS['s']}}}{tag}") if e.get("class") == cls]


def tick_value(text: str) -> float:
    return float(text.replace("\u2212", "-"))


def axis_map(root: ET.Element, axis: str):
    """Pixel -> value along an axis, from its grid lines and their tick labels (least squares)."""
    grid = by_class(root, "line", f"gxq-{axis}grid")
    labels = by_class(root, "text", f"gxq-{axis}tick")
    assert len(grid) == len(labels) >= 2
    coord = "y1" if axis == "y" else "x1"
    pixels = [float(g.get(coord)) for g in grid]
    values = [tick_value(t.text or "") for t in labels]
    n = len(pixels)
    mp, mv = sum(pixels) / n, sum(values) / n
    slope = sum((p - mp) * (v - mv) for p, v in zip(pixels, values)) / sum((p - mp) ** 2 for p in pixels)
    # the ticks themselves sit on one straight scale (0.1 px rounding of the coordinates)
    for p, v in zip(pixels, values):
        assert mv + slope * (p - mp) == pytest.approx(v, abs=abs(slope) * 0.2)
    return lambda p: mv + slope * (float(p) - mp), slope


def test_trend_points_read_back_as_the_data():
    chart = _chart_a()
    root = parse(trend_svg(**chart, alt="alt"))
    to_year, x_slope = axis_map(root, "x")
    to_value, y_slope = axis_map(root, "y")
    assert y_slope < 0  # higher values higher on the page

    dots = by_class(root, "circle", "gxq-actual")
    years = [to_year(d.get("cx")) for d in dots]
    values = [to_value(d.get("cy")) for d in dots]
    assert years == pytest.approx([2016, 2017, 2018], abs=abs(x_slope) * 0.2)
    assert values == pytest.approx([4.6, 4.85, 5.02], abs=abs(y_slope) * 0.2)

    diamonds = by_class(root, "polygon", "gxq-milestone")
    centres = []
    for d in diamonds:
        pts = [tuple(map(float, p.split(","))) for p in (d.get("points") or "").split()]
        centres.append((to_year(sum(p[0] for p in pts) / 4), to_value(sum(p[1] for p in pts) / 4)))
    assert [c[0] for c in centres] == pytest.approx([2018, 2019, 2020], abs=0.01)
    assert [c[1] for c in centres] == pytest.approx([5.1, 5.3, 5.5], abs=abs(y_slope) * 0.2)

    (partial,) = by_class(root, "circle", "gxq-partial")
    assert to_year(partial.get("cx")) == pytest.approx(2018.75, abs=0.01)
    assert to_value(partial.get("cy")) == pytest.approx(5.12, abs=abs(y_slope) * 0.2)

    # the fan runs from the 80 % interval's top edge back along its bottom edge
    (fan,) = by_class(root, "polygon", "gxq-fan")
    edge = [to_value(p.split(",")[1]) for p in (fan.get("points") or "").split()]
    assert edge == pytest.approx([5.12, 5.3, 5.7, 5.1, 5.1, 5.12], abs=abs(y_slope) * 0.2)

    # the target path starts at the baseline and passes through every milestone
    (path,) = by_class(root, "polyline", "gxq-target-path")
    pts = [tuple(map(float, p.split(","))) for p in (path.get("points") or "").split()]
    assert [round(to_year(x), 2) for x, _ in pts] == [2017, 2018, 2019, 2020]
    assert [to_value(y) for _, y in pts] == pytest.approx([4.85, 5.1, 5.3, 5.5], abs=abs(y_slope) * 0.2)


def test_a_rank_axis_runs_the_other_way():
    root = parse(trend_svg(**_chart_rank(), alt="rank"))
    to_value, y_slope = axis_map(root, "y")
    assert y_slope > 0  # smaller ranks (better) higher on the page
    dots = by_class(root, "circle", "gxq-actual")
    assert [to_value(d.get("cy")) for d in dots] == pytest.approx([80, 71, 62, 58, 40], abs=y_slope * 0.2)
    ys = [float(d.get("cy")) for d in dots]
    assert ys == sorted(ys, reverse=True)  # the rank improves from 80 to 40: the line climbs


def test_every_part_has_its_legend_entry_and_labels():
    svg = trend_svg(**_chart_a(), alt="alt")
    root = parse(svg)
    texts = [t.text for t in root.iter(f"{{{NS['s']}}}text")]
    for name in (
        "全国",
        "目标路径",
        "年度目标",
        "80% 预测区间",
        "预测（中位数）",
        "实际值",
        "年内最新值（2019Q3）",
    ):
        assert name in texts
    for label in ("5.1", "5.3", "5.5"):  # each milestone is labelled with its target
        assert label in texts
    assert "研发经费投入占GDP比重" in texts and "%" in texts
    english = parse(trend_svg(**{**_chart_a(), "lang": "en"}, alt="alt"))
    assert "Latest in-year value (2019Q3)" in [t.text for t in english.iter(f"{{{NS['s']}}}text")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_legend_and_title_stay_inside_the_chart(lang):
    chart = {**_chart_a(), "lang": lang, "title": "企业享受税收减免、研发经费加计扣除优惠政策减免额" * 2}
    chart["benchmarks"] = {"全国": chart["benchmarks"]["全国"], "江苏省": chart["benchmarks"]["全国"]}
    root = parse(trend_svg(**chart, alt="alt"))
    width = float(root.get("width"))
    height = float(root.get("height"))
    for t in root.iter(f"{{{NS['s']}}}text"):
        x, y, size = float(t.get("x")), float(t.get("y")), float(t.get("font-size"))
        w = text_width(t.text or "", size)
        start = {"start": x, "middle": x - w / 2, "end": x - w}[t.get("text-anchor")]
        if t.get("transform"):  # the rotated unit label
            continue
        assert start >= 0 and start + w <= width, t.text
        assert 0 < y <= height, t.text


def test_a_very_long_name_is_shortened_in_the_chart_and_whole_in_its_title():
    name = "企业享受税收减免、研发经费加计扣除优惠政策减免额" * 4
    root = parse(trend_svg(**{**_chart_a(), "title": name}, alt=name))
    shown = next(t for t in root.iter(f"{{{NS['s']}}}text") if t.get("font-weight") == "bold")
    size = float(shown.get("font-size"))
    assert size >= svg_draw.TICK_PX - 0.05  # never smaller than the tick labels
    assert (shown.text or "").endswith("…") and name.startswith((shown.text or "")[:-1])
    assert text_width(shown.text or "", size) <= float(root.get("width")) - 24
    assert root.find("s:title", NS).text == name


def test_data_text_is_escaped_not_markup():
    hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    chart = {**_chart_a(), "title": hostile, "unit": "<b>%</b>"}
    chart["benchmarks"] = {'"><svg onload=alert(1)>': chart["benchmarks"]["全国"]}
    svg = trend_svg(**chart, alt=hostile)
    root = parse(svg)
    tags = {e.tag.split("}")[-1] for e in root.iter()}
    assert tags <= {"svg", "title", "rect", "line", "text", "polyline", "polygon", "circle", "g"}
    assert "<script" not in svg and "<img" not in svg and "<b>" not in svg
    texts = [t.text for t in root.iter(f"{{{NS['s']}}}text")]
    assert hostile in texts and "<b>%</b>" in texts and '"><svg onload=alert(1)>' in texts
    assert root.get("aria-label") == hostile
    html = svg_html(svg, caption="<i>c</i>")
    assert html.startswith('<figure class="gxq-figure"><svg') and "&lt;i&gt;c&lt;/i&gt;" in html


def test_missing_values_are_left_out_and_a_chart_with_only_targets_draws():
    chart = _chart_a()
    chart["history"] = pd.DataFrame({"year": [2016, 2017, 2018], "value": [4.6, float("nan"), 5.02]})
    svg = trend_svg(**chart, alt="alt")
    assert "nan" not in svg.lower().replace("nanjing", "")
    assert len(by_class(parse(svg), "circle", "gxq-actual")) == 2
    bare = trend_svg(
        pd.DataFrame({"year": [], "value": []}),
        pd.DataFrame({"year": [2020], "target": [7.0]}),
        title="众创空间",
        alt="alt",
    )
    root = parse(bare)
    assert len(by_class(root, "polygon", "gxq-milestone")) == 1
    assert not by_class(root, "circle", "gxq-actual")


@pytest.mark.parametrize(
    "lo, hi",
    [(0.123, 0.987), (4.1, 5.7), (-3.0, 12.0), (40.0, 80.0), (1.2e5, 3.4e5), (0.0, 110.0), (-0.004, 0.002)],
)
def test_ticks_are_round_evenly_spaced_and_inside_the_view(lo, hi):
    ticks = nice_ticks(lo, hi)
    assert 3 <= len(ticks) <= 9
    assert all(lo <= v <= hi for v in ticks)
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    (step,) = steps
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in (1.0, 2.0, 2.5, 5.0)
    assert nice_ticks(5.0, 5.0) == [5.0]


def test_counts_and_ranks_get_whole_number_ticks():
    assert nice_ticks(48.0, 67.0, integer=True) == [50.0, 55.0, 60.0, 65.0]  # never 52.5th place
    assert nice_ticks(0.5, 3.5, integer=True) == [1.0, 2.0, 3.0]
    assert all(float(v).is_integer() for v in nice_ticks(100.0, 170.0, integer=True))
    root = parse(trend_svg(**_chart_rank(), alt="rank"))
    labels = [t.text or "" for t in by_class(root, "text", "gxq-ytick")]
    assert labels and all("." not in label for label in labels)
    # a chart with a fractional value keeps fractional steps where they fit
    assert "." in "".join(
        t.text or "" for t in by_class(parse(trend_svg(**_chart_a(), alt="a")), "text", "gxq-ytick")
    )


def test_tick_labels_show_just_enough_decimals_and_a_real_minus():
    assert svg_draw.tick_decimals([4.5, 5.0, 5.5]) == 1
    assert svg_draw.tick_decimals([0.25, 0.5]) == 2
    assert svg_draw.tick_decimals([20.0, 40.0]) == 0
    assert svg_draw.fmt_tick(-2.5, 1) == "\u22122.5"


def test_pace_bars_read_back_as_completion_and_the_time_line_sits_at_the_elapsed_share():
    svg = pace_svg(
        ["研发经费投入占GDP比重", "企业享受税收减免、研发经费加计扣除优惠政策减免额", "高新技术企业总数"],
        [0.32, 0.724, 1.15],
        0.75,
        "zh",
        behind=[True, False, False],
        alt="完成进度 / 时间进度 75%",
    )
    root = parse(svg)
    to_pct, slope = axis_map(root, "x")
    bars = by_class(root, "rect", "gxq-bar")
    ends = [to_pct(float(b.get("x")) + float(b.get("width"))) for b in bars]
    starts = [to_pct(b.get("x")) for b in bars]
    assert ends == pytest.approx([32, 72.4, 115], abs=slope * 0.3)
    assert starts == pytest.approx([0, 0, 0], abs=slope * 0.3)
    fills = [b.get("fill") for b in bars]
    assert fills[0] != fills[1] == fills[2]  # behind the time line: the warning colour
    (line,) = by_class(root, "line", "gxq-elapsed")
    assert to_pct(line.get("x1")) == pytest.approx(75, abs=slope * 0.3)
    texts = [t.text for t in root.iter(f"{{{NS['s']}}}text")]
    assert "时间进度 75%" in texts and "32%" in texts and "115%" in texts
    # the long name is broken into two lines, every character kept
    first = next(i for i, t in enumerate(texts) if t and t.startswith("企业"))
    assert texts[first] + texts[first + 1] == "企业享受税收减免、研发经费加计扣除优惠政策减免额"


def test_milestone_labels_are_drawn_last_with_a_halo():
    # a rank just better than its target draws the zone's dot where the target's label sits
    chart = {**_chart_rank(), "history": pd.DataFrame({"year": [2018, 2019, 2020], "value": [66, 55, 48]})}
    chart["milestones"] = pd.DataFrame({"year": [2018, 2019, 2020], "target": [64, 54, 49]})
    root = parse(trend_svg(**chart, alt="rank"))
    order = [e.get("class") for e in root.iter() if e.get("class")]
    last_dot = max(i for i, c in enumerate(order) if c == "gxq-actual")
    labels = [i for i, c in enumerate(order) if c == "gxq-milestone-label"]
    assert len(labels) == 3 and min(labels) > last_dot
    for label in by_class(root, "text", "gxq-milestone-label"):
        assert label.get("stroke") == "#ffffff" and label.get("paint-order") == "stroke"
    assert [t.text for t in by_class(root, "text", "gxq-milestone-label")] == ["64", "54", "49"]


_VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from([0.0, -0.0, 1e-12, -5.5, 1e12, 49.0, 5e-324, 1.79e308, -1.79e308]),
)
_YEARS = st.integers(min_value=2010, max_value=2025)


@settings(max_examples=150, deadline=None)
@given(
    history=st.lists(st.tuples(_YEARS, _VALUES), max_size=8),
    targets=st.lists(st.tuples(_YEARS, _VALUES), max_size=4),
    fan=st.lists(st.tuples(_YEARS, _VALUES, _VALUES, _VALUES), max_size=4),
    partial=st.one_of(st.none(), st.tuples(st.floats(2010, 2026), _VALUES, st.just("2019Q3"))),
    direction=st.sampled_from(["higher", "lower"]),
)
def test_any_numbers_give_a_well_formed_chart_with_finite_coordinates(
    history, targets, fan, partial, direction
):
    """Careless data (NaN, infinities, one point, equal values, huge or tiny numbers, repeated years)
    never breaks a chart: well-formed SVG, every coordinate a finite number, every finite point drawn."""
    chart = trend_svg(
        pd.DataFrame(history, columns=["year", "value"]),
        pd.DataFrame(targets, columns=["year", "target"]),
        projection=pd.DataFrame(fan, columns=["year", "median", "lo80", "hi80"]) if fan else None,
        partial=partial,
        direction=direction,
        title="指标",
        alt="指标",
    )
    root = parse(chart)
    for element in root.iter():
        for name in ("x", "y", "cx", "cy", "x1", "y1", "x2", "y2", "width", "height"):
            if element.get(name) is not None:
                assert math.isfinite(float(element.get(name))), (name, element.get(name))
        for pair in (element.get("points") or "").split():
            assert all(math.isfinite(float(v)) for v in pair.split(","))
    finite = [v for _y, v in history if math.isfinite(v)]
    assert len(by_class(root, "circle", "gxq-actual")) == len(finite)


def test_a_pace_bar_that_cannot_be_told_is_left_out_not_drawn_as_nan():
    svg = pace_svg(
        ["甲", "乙", "丙"], [0.5, float("inf"), float("nan")], 0.75, "zh", behind=[True, False, False]
    )
    root = parse(svg)
    assert "nan" not in svg.lower() and "inf" not in svg.lower()
    assert len(by_class(root, "rect", "gxq-bar")) == 1
    assert [t.text for t in root.iter(f"{{{NS['s']}}}text")].count("—") == 2

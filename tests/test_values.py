"""Cell values as people type them (values.parse_value, convert_unit)."""

from __future__ import annotations

import datetime as dt

import pytest

from gxq_analysis.ingest.values import (
    UnitError,
    canonical_unit_text,
    convert_unit,
    format_number,
    parse_value,
    strip_markers,
)


@pytest.mark.parametrize(
    "cell, value, unit, qualifier",
    [
        (120, 120.0, "", ""),
        (5.5, 5.5, "", ""),
        ("120", 120.0, "", ""),
        ("１２３，４５６．７", 123456.7, "", ""),  # full-width digits and separators
        ("12,345.60", 12345.6, "", ""),
        ("5.3%", 5.3, "%", ""),
        ("５．３％", 5.3, "%", ""),
        ("约120", 120.0, "", "≈"),
        ("120家", 120.0, "家", ""),
        ("120家以上", 120.0, "家", ">="),
        ("55%左右", 55.0, "%", "≈"),
        ("超过3000", 3000.0, "", ">"),
        ("−3.2", -3.2, "", ""),  # U+2212 minus, untouched by NFKC
        ("1.2亿元", 1.2, "亿元", ""),
        ("  82 ", 82.0, "", ""),
        ("\u3000８２\u3000", 82.0, "", ""),  # ideographic spaces
        ("第55位", 55.0, "位", ""),  # a ranking written as an ordinal
        ("第 12 名", 12.0, "名", ""),
        ("第９", 9.0, "位", ""),
    ],
)
def test_parse_ok(cell, value, unit, qualifier):
    pv = parse_value(cell)
    assert pv.status == "ok", pv.reason
    assert pv.value == value
    assert pv.unit == unit
    assert pv.qualifier == qualifier


@pytest.mark.parametrize(
    "cell, value, markers",
    [
        ("12.5①", 12.5, ["①"]),  # NFKC would give 12.51
        ("82*", 82.0, ["*"]),
        ("82＊", 82.0, ["＊"]),
        ("96注1", 96.0, ["注1"]),
        ("5.02(注2)", 5.02, ["(注2)"]),
        ("#15", 15.0, ["#"]),
        ("②64", 64.0, ["②"]),
    ],
)
def test_footnote_markers_stripped_before_nfkc(cell, value, markers):
    pv = parse_value(cell)
    assert pv.ok, pv.reason
    assert pv.value == value
    assert pv.markers == markers


@pytest.mark.parametrize(
    "cell, status",
    [
        (None, "blank"),
        ("", "blank"),
        ("   ", "blank"),
        (float("nan"), "blank"),
        ("—", "placeholder"),
        ("——", "placeholder"),
        ("-", "placeholder"),
        ("…", "placeholder"),
        ("...", "placeholder"),
        ("/", "placeholder"),
        ("无", "placeholder"),
        ("#DIV/0!", "excel_error"),
        ("#N/A", "excel_error"),
        ("#VALUE!", "excel_error"),
        (dt.datetime(2019, 9, 30), "date"),
        ("待定", "unparseable"),
        ("12 abc", "unparseable"),
        ("1.2.3", "unparseable"),
        (True, "unparseable"),
    ],
)
def test_parse_not_ok(cell, status):
    pv = parse_value(cell)
    assert pv.status == status
    assert pv.value is None
    assert pv.reason


def test_placeholder_reason_names_the_placeholder():
    assert "—" in parse_value("—").reason


def test_strip_markers_keeps_excel_errors():
    assert strip_markers("#DIV/0!") == ("#DIV/0!", [])


@pytest.mark.parametrize(
    "value, src, dst, expected, note",
    [
        (12345.0, "万元", "亿元", 1.2345, "万元→亿元 ×0.0001"),
        (1.5, "亿元", "万元", 15000.0, "亿元→万元 ×10000"),
        (3.9, "万家", "家", 39000.0, "万家→家 ×10000"),
        (54.0, "名次", "位", 54.0, ""),
        (160.0, "万平方米", "万平方米", 160.0, ""),
        (5.5, "％", "%", 5.5, ""),
        (2.0, "(亿元)", "亿元", 2.0, ""),
        (7.0, "单位：家", "家", 7.0, ""),
    ],
)
def test_convert_unit(value, src, dst, expected, note):
    assert convert_unit(value, src, dst) == (expected, note)


@pytest.mark.parametrize("src, dst", [("件", "%"), ("万元", "家"), ("%", "亿元"), ("人", "件")])
def test_incompatible_units(src, dst):
    with pytest.raises(UnitError):
        convert_unit(1.0, src, dst)


def test_canonical_unit_text():
    assert canonical_unit_text("（亿元）") == "亿元"
    assert canonical_unit_text("单位：万元") == "万元"
    assert canonical_unit_text("亿") == "亿元"


@pytest.mark.parametrize(
    "v, text",
    [(120.0, "120"), (5.3, "5.3"), (0.1 + 0.2, "0.3"), (1e-5, "0.00001"), (0.0, "0"), (-2.5, "-2.5")],
)
def test_format_number(v, text):
    assert format_number(v) == text

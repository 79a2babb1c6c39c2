from __future__ import annotations

import pytest

from gxq_analysis.model.periods import (
    Period,
    PeriodError,
    extract_period,
    latest_quarter_covered,
    mentions_ytd,
    parse_period,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2019", Period.annual(2019)),
        ("2019Q3", Period.quarter(2019, 3)),
        ("2019q1", Period.quarter(2019, 1)),
        ("2019-09", Period.month(2019, 9)),
        ("２０１９Ｑ３", Period.quarter(2019, 3)),
        (2020, Period.annual(2020)),
    ],
)
def test_parse_canonical(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["2019Q5", "2019-13", "19Q1", "2019年", "", "Q3"])
def test_parse_rejects_non_canonical(text):
    with pytest.raises(PeriodError):
        parse_period(text)


@pytest.mark.parametrize(
    "text, period, ytd",
    [
        ("江阴高新区科技创新指标季报(2019年1-9月)", "2019-09", True),
        ("2019年1～12月", "2019-12", True),
        ("2019年第三季度", "2019Q3", False),
        ("2019年三季度科技指标", "2019Q3", False),
        ("2019年前三季度", "2019Q3", True),
        ("2019年上半年", "2019Q2", True),
        ("2019年9月", "2019-09", False),
        ("2019年12月份月报", "2019-12", False),
        ("submission_2019Q3.xlsx", "2019Q3", False),
        ("科技局-2019-09.csv", "2019-09", False),
        ("report_201909.xlsx", "2019-09", False),
        ("2019年度", "2019", False),
        ("2019年全年", "2019", False),
    ],
)
def test_extract_period(text, period, ytd):
    m = extract_period(text)
    assert m is not None
    assert str(m.period) == period
    assert m.ytd is ytd


def test_extract_period_none():
    assert extract_period("高新技术企业总数") is None
    assert extract_period(None) is None
    # A long number is not a yyyymm period.
    assert extract_period("编号 12019091") is None


def test_ordering_and_cutoff():
    assert Period.annual(2019) < Period.quarter(2019, 4) < Period.month(2019, 12)
    assert Period.month(2019, 9).ends_by(Period.quarter(2019, 3))
    assert not Period.month(2019, 10).ends_by(Period.quarter(2019, 3))
    assert not Period.annual(2019).ends_by(Period.quarter(2019, 3))
    assert Period.quarter(2019, 3).year_elapsed == 0.75
    assert Period.quarter(2019, 1).previous() == Period.quarter(2018, 4)
    assert Period.month(2019, 1).previous() == Period.month(2018, 12)
    assert Period.quarter(2019, 3).label("zh") == "2019年第三季度"


def test_mentions_ytd():
    assert mentions_ytd("本年累计")
    assert mentions_ytd("1-9月累计值")
    assert not mentions_ytd("本期值")


def test_latest_quarter_covered():
    ps = [Period.month(2020, 11), Period.quarter(2020, 3)]
    assert latest_quarter_covered(ps) == Period.quarter(2020, 3)
    assert latest_quarter_covered(ps + [Period.month(2020, 12)]) == Period.quarter(2020, 4)
    assert latest_quarter_covered([]) is None

"""Indicator names → catalogue ids (matching.Matcher)."""

from __future__ import annotations

import pytest

from gxq_analysis.ingest.matching import Matcher, is_section_heading, normalize_name
from gxq_analysis.model.plan import load_plan


@pytest.fixture(scope="module")
def matcher():
    return Matcher(load_plan())


@pytest.mark.parametrize(
    "name, iid",
    [
        ("研发经费投入占GDP比重", "rd_gdp_share"),  # exact catalogue name
        ("全社会研发经费支出占GDP比重", "rd_gdp_share"),  # alias
        ("研发经费投入占ＧＤＰ比重", "rd_gdp_share"),  # full-width letters
        ("研发经费投入占 GDP 比重（%）", "rd_gdp_share"),  # spaces, unit in brackets
        ("1.高新技术企业总数", "hitech_enterprises"),  # leading numbering
        ("（二）高新技术企业总数(家)", "hitech_enterprises"),
        ("高新技术企业总数①", "hitech_enterprises"),  # footnote marker
        ("其中：高新技术企业", "hitech_enterprises"),
        ("#研发机构数", "rd_institutions"),
        ("规模以上工业企业研发机构覆盖率②", "rd_institution_coverage"),
        ("hitech_enterprises", "hitech_enterprises"),  # id
        ("Number of high-tech enterprises", "hitech_enterprises"),  # English name
        ("全国高新区综合排名", "national_rank"),
    ],
)
def test_match(matcher, name, iid):
    assert matcher.match(name).indicator_id == iid


def test_unit_in_brackets_is_returned(matcher):
    assert matcher.match("各类创投基金规模（亿元）").unit_in_name == "亿元"
    assert matcher.match("研发机构总数(家)").unit_in_name == "家"


def test_unknown_name_is_not_guessed_and_gets_suggestions(matcher):
    res = matcher.match("高新技术企业数目")
    assert res.indicator_id is None
    assert "高新技术企业总数" in res.suggestions
    assert len(res.suggestions) <= 3


def test_unknown_name_far_from_everything(matcher):
    res = matcher.match("技术合同成交额")
    assert res.indicator_id is None


def test_match_id_suggests_ids(matcher):
    res = matcher.match_id("hitech_enterprise")
    assert res.indicator_id is None
    assert res.suggestions[0] == "hitech_enterprises"


def test_normalize_name():
    assert normalize_name("  （一）研发 经费（亿元）① ") == ("研发经费", "亿元", ["①"])


@pytest.mark.parametrize(
    "text, expected",
    [("一、创新投入", True), ("三．创新绩效", True), ("研发机构数", False), ("1.研发机构数", False)],
)
def test_section_heading(text, expected):
    assert is_section_heading(text) is expected

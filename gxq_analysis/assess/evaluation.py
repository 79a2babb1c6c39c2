"""The annual evaluation (plan 三(三) 发布年度评价报告): the year's results against every target, the
in-year pace history, benchmarks against 全国 / 江苏省, and the index tables and charts the annual
notebook shows. Report text lives in :data:`TEXT` (zh default, en), so the notebook stays thin.

Conventions shared with :mod:`status`: ``gap = d × (value − target)`` with ``d = +1`` for ``higher``
and ``−1`` for ``lower`` indicators, so a positive gap is always "beyond the target".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..i18n import check_lang, lookup_text, status_label
from ..numbers import fmt_signed
from ..observations import filter_as_of
from ..periods import Period
from ..plan import Plan
from ..series import annual_values, ytd_path
from .index import (
    COVERAGE_CHANGE,
    DIMENSIONS,
    OVERALL,
    Decomposition,
    IndexResult,
    Sensitivity,
    dimension_name,
    robustness,
)

BENCHMARK_GEOS = ("全国", "江苏省")
# Only intensities and shares compare across areas of different size.
BENCHMARK_KINDS = ("share", "ratio")

TEXT: dict[str, dict[str, str]] = {
    "title": {"zh": "{year}年度科技创新评估报告", "en": "Annual S&T innovation evaluation {year}"},
    "intro": {
        "zh": "依据《{plan}》三(三)“开展监测评价”的要求，本报告评估{year}年各项目标完成情况、区域创新能力评价指数"
        "（创新主体、创新投入、创新人才、创新成果、创新环境）及其稳健性、年内进度，并与全国、江苏省比较。",
        "en": "As section 三(三) of the {plan} asks, this report evaluates {year}: the year's targets, the "
        "innovation-capability index (actors, inputs, talent, outputs, environment) and how robust its "
        "change is, in-year pace, and benchmarks against China and Jiangsu.",
    },
    "h.summary": {"zh": "要点", "en": "Key points"},
    "h.results": {"zh": "一、年度目标完成情况", "en": "1. The year's targets"},
    "h.index": {"zh": "二、区域创新能力评价指数", "en": "2. Innovation-capability index"},
    "h.index_dims": {"zh": "分维度得分", "en": "Dimension scores"},
    "h.fixed_base": {"zh": "定基指数（{base}年 = 100）", "en": "Fixed-base index ({base} = 100)"},
    "h.robust": {"zh": "稳健性分析", "en": "How robust is the change?"},
    "h.contrib": {"zh": "三、指数变动的来源", "en": "3. What drove the change"},
    "h.coverage": {"zh": "数据覆盖情况", "en": "Data coverage"},
    "h.pace": {"zh": "四、年内进度", "en": "4. In-year pace"},
    "h.bench": {"zh": "五、与全国、江苏省比较", "en": "5. Benchmarks: China and Jiangsu"},
    "h.outlook": {"zh": "六、规划期末目标展望", "en": "6. Outlook to the plan's final targets"},
    "h.sources": {"zh": "数据来源与说明", "en": "Sources and notes"},
    "h.method": {"zh": "方法说明", "en": "Method"},
    "sum.results": {
        "zh": "{year}年共有{n}项目标：已完成{met}项，未完成{missed}项，数据不足{na}项。",
        "en": "{year} had {n} targets: {met} met, {missed} missed, {na} without data.",
    },
    "sum.index": {
        "zh": "按可比口径（{base}年 = 100），{year}年创新能力指数为{value}（{prev_year}年为{prev}），"
        "变动{change}；{robust}",
        "en": "On a comparable basis ({base} = 100) the innovation-capability index is {value} in {year} "
        "({prev} in {prev_year}), a change of {change}; {robust}",
    },
    "sum.index_first": {
        "zh": "按可比口径（{base}年 = 100），{year}年创新能力指数为{value}。",
        "en": "On a comparable basis ({base} = 100) the innovation-capability index is {value} in {year}.",
    },
    "sum.index_na": {
        "zh": "{year}年创新能力指数无法计算：{reason}。",
        "en": "The {year} index cannot be computed: {reason}.",
    },
    "robust.robust_rise": {
        "zh": "在{n}组随机权重与三种标准化方法下，{p}的情形指数上升，剔除任一指标后仍上升：上升是稳健的。",
        "en": "the index rose in {p} of {n} random-weight draws under three normalisations and "
        "still rises with any one indicator left out: the rise is robust.",
    },
    "robust.likely_rise": {
        "zh": "在{n}组随机权重与三种标准化方法下，{p}的情形指数上升：上升较可能但并非在所有设定下成立。",
        "en": "the index rose in {p} of {n} random-weight draws under three normalisations: a "
        "rise is likely but does not hold under every choice.",
    },
    "robust.uncertain": {
        "zh": "在{n}组随机权重与三种标准化方法下，仅{p}的情形指数上升：变动方向不确定。",
        "en": "the index rose in only {p} of {n} random-weight draws under three normalisations: "
        "the direction of the change is uncertain.",
    },
    "robust.likely_fall": {
        "zh": "在{n}组随机权重与三种标准化方法下，仅{p}的情形指数上升：指数较可能下降。",
        "en": "the index rose in only {p} of {n} draws: a fall is likely.",
    },
    "robust.robust_fall": {
        "zh": "在{n}组随机权重与三种标准化方法下，仅{p}的情形指数上升：下降是稳健的。",
        "en": "the index rose in only {p} of {n} draws: the fall is robust.",
    },
    "robust.not_computable": {"zh": "无法评估稳健性。", "en": "robustness cannot be assessed."},
    "lbl.robust_rise": {"zh": "稳健上升", "en": "Robust rise"},
    "lbl.likely_rise": {"zh": "较可能上升", "en": "Likely rise"},
    "lbl.uncertain": {"zh": "方向不确定", "en": "Uncertain"},
    "lbl.likely_fall": {"zh": "较可能下降", "en": "Likely fall"},
    "lbl.robust_fall": {"zh": "稳健下降", "en": "Robust fall"},
    "lbl.not_computable": {"zh": "无法计算", "en": "Not computable"},
    "col.indicator": {"zh": "指标", "en": "Indicator"},
    "col.unit": {"zh": "单位", "en": "Unit"},
    "col.target": {"zh": "{year}年目标", "en": "Target {year}"},
    "col.value": {"zh": "{year}年实际", "en": "Actual {year}"},
    "col.result": {"zh": "结果", "en": "Result"},
    "col.gap": {"zh": "超出(+)/差距(−)", "en": "Beyond (+) / short (−)"},
    "col.completion": {"zh": "完成率", "en": "Completion"},
    "col.source": {"zh": "来源", "en": "Source"},
    "col.year": {"zh": "年份", "en": "Year"},
    "col.overall": {"zh": "总指数", "en": "Overall"},
    "col.band": {"zh": "90%区间", "en": "90% band"},
    "col.change": {"zh": "较上年变动", "en": "Change"},
    "col.change_band": {"zh": "变动90%区间", "en": "Change 90% band"},
    "col.p_rise": {"zh": "上升概率", "en": "Share rising"},
    "col.verdict": {"zh": "判断", "en": "Verdict"},
    "col.normalisation": {"zh": "标准化方法", "en": "Normalisation"},
    "col.dimension": {"zh": "维度", "en": "Dimension"},
    "col.contribution": {"zh": "贡献（点）", "en": "Contribution (points)"},
    "col.prev": {"zh": "上年得分", "en": "Score, previous year"},
    "col.curr": {"zh": "本年得分", "en": "Score, this year"},
    "col.shift": {"zh": "剔除后变动", "en": "Change without it"},
    "col.shift_diff": {"zh": "与全部指标时之差", "en": "Difference from the full index"},
    "col.available": {"zh": "有数据指标", "en": "Indicators with data"},
    "col.computable": {"zh": "可计算", "en": "Computable"},
    "col.reason": {"zh": "说明", "en": "Note"},
    "col.zone": {"zh": "江阴高新区", "en": "Jiangyin High-tech Zone"},
    "col.month": {"zh": "截至", "en": "Through"},
    "col.ytd": {"zh": "累计/水平", "en": "YTD / level"},
    "col.elapsed": {"zh": "时间进度", "en": "Time elapsed"},
    "col.behind": {"zh": "落后于时间进度", "en": "Behind schedule"},
    "norm.minmax": {"zh": "最小—最大（多年合并）", "en": "Min–max (pooled years)"},
    "norm.target": {"zh": "目标完成度", "en": "Distance to target"},
    "norm.ratio": {"zh": "定基比（基期 = 100）", "en": "Ratio to base year (base = 100)"},
    "res.met": {"zh": "已完成", "en": "Met"},
    "res.missed": {"zh": "未完成", "en": "Missed"},
    "res.na": {"zh": "数据不足", "en": "No data"},
    "coverage_change": {"zh": "（指标覆盖变化的影响）", "en": "(effect of a change in coverage)"},
    "no_band": {"zh": "—", "en": "—"},
    "index.scale": {
        "zh": "指数为0—100分：各指标在{first}—{last}年（含规划目标值）合并的最小值与最大值之间标准化（排名类指标越小越好，已反向），"
        "维度得分为其指标的加权平均，总指数为五个维度的加权平均（默认等权）。同一版报告内各年可比；新一年数据加入后整条序列会重新计算。",
        "en": "Scores run 0–100: each indicator is scaled between the lowest and highest of its {first}–{last} "
        "values and the plan's targets (ranks flipped so higher is better); a dimension is the weighted "
        "mean of its indicators, the overall index the weighted mean of the five dimensions (equal weights "
        "by default). Years are comparable within one edition; each new year recomputes the whole series.",
    },
    "index.band_note": {
        "zh": "阴影为{n}组随机权重（Dirichlet，随机种子{seed}）下指数的90%区间。",
        "en": "The shaded band is the 90% range of the index over {n} random weightings (Dirichlet, seed {seed}).",
    },
    "index.fixed_base_note": {
        "zh": "定基指数：各指标以{base}年为基期（=100）计算比值后加权平均，与高新区“高质量发展指数（2018年=100）”的编制方式相同，"
        "但指标体系不同，二者不可直接比较。",
        "en": "Fixed-base index: each indicator as a ratio to its {base} value (= 100), then weighted means — the "
        "same construction as the zone's 高质量发展指数 (2018 = 100), but a different set of indicators, so "
        "the two are not directly comparable.",
    },
    "index.not_computable_dims": {
        "zh": "以下维度在部分年份无法计算（数据不足）：",
        "en": "Dimensions not computable in some years (too little data):",
    },
    "contrib.note": {
        "zh": "各指标对总指数较上年变动的贡献（点）之和恰等于总变动。",
        "en": "The indicators' contributions (points) add up exactly to the total change.",
    },
    "contrib.coverage": {
        "zh": "注意：{dims}的有数据指标在两年间不同，其影响单列为“指标覆盖变化的影响”。",
        "en": "Note: the indicators with data differ between the two years in {dims}; that effect is shown "
        "separately as 'effect of a change in coverage'.",
    },
    "contrib.na": {"zh": "无法分解：{reason}。", "en": "No decomposition: {reason}."},
    "loo.note": {
        "zh": "剔除单个指标后总指数的变动（按影响大小排序，前{n}项）：",
        "en": "The change of the overall index with one indicator left out (largest effects first, top {n}):",
    },
    "pace.note": {
        "zh": "年内进度：流量指标为本年累计值占全年目标的比例，存量指标为较上年末的增量占计划增量的比例（年初已达标的记为“—”）。"
        "“落后”的判断与季度简报相同：有两年以上往年同期数据时，按往年季节规律预测全年，80%区间上限仍达不到目标即为落后；"
        "否则完成进度比应有进度落后10个百分点以上即为落后。",
        "en": "In-year pace: for flows, the year-to-date value as a share of the annual target; for stocks, the "
        "increase since the previous year-end as a share of the planned increase (— where the target was "
        'already met at the start of the year). "Behind" is judged as in the quarterly brief: with two or '
        "more earlier years, when even the upper end of the 80 % interval of the seasonal projection "
        "falls short of the target; otherwise when completion trails the expected share by more than "
        "10 points.",
    },
    "pace.none": {
        "zh": "{year}年没有年内（月度或季度）数据。",
        "en": "No in-year (monthly or quarterly) data for {year}.",
    },
    "bench.note": {
        "zh": "仅比较比例类、强度类指标（规模类指标因地区大小不同不可比）。公开数据取{year}年或之前最近一年，括号内为年份。",
        "en": "Only shares and intensities are compared (counts depend on the size of the area). Public figures "
        "are for {year} or the latest earlier year (year in brackets).",
    },
    "bench.none": {
        "zh": "公开数据中没有可比较的全国、江苏省数据。",
        "en": "The public data hold no comparable figure for China or Jiangsu.",
    },
    "outlook.none": {"zh": "规划期已结束，无需展望。", "en": "The plan period has ended: no outlook."},
    "sources.list": {"zh": "本报告使用的数据文件：", "en": "Data files used in this report:"},
    "sources.public": {
        "zh": "全国、江苏省数据来自公开资料（data/raw/public/public_figures.csv，逐条附来源网址）。",
        "en": "China and Jiangsu figures come from public sources (data/raw/public/public_figures.csv, "
        "each with its source URL).",
    },
    "sources.illustrative": {
        "zh": "标注为示例数据的数值不是真实统计数据。",
        "en": "Values flagged illustrative are not real statistics.",
    },
}


def t(key: str, lang: str = "zh", **values: Any) -> str:
    """The annual-report string ``key`` (plain text: escape it before display)."""
    return lookup_text(TEXT, key, lang, **values)


def fmt(value: Any, decimals: int = 1, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "—"
    return f"{float(value):+.{decimals}f}" if signed else f"{float(value):.{decimals}f}"


def fmt_share(p: Any) -> str:
    if p is None or pd.isna(p):
        return "—"
    return f"{100 * float(p):.0f}%"


# --------------------------------------------------------------------------------------------------
# The year's results against every target
# --------------------------------------------------------------------------------------------------

RESULT_COLUMNS = [
    "indicator_id",
    "no",
    "name",
    "unit",
    "direction",
    "year",
    "target",
    "value",
    "status",
    "status_label",
    "met",
    "gap",
    "completion",
    "period",
    "method",
    "source_file",
    "source_row",
    "illustrative",
]


def year_results(
    plan: Plan, obs: pd.DataFrame, year: int, lang: str = "zh", geo: str | None = None
) -> pd.DataFrame:
    """One row per indicator with a target in ``year``: the target, the year's complete annual value,
    met / missed (direction-aware), ``gap = d × (value − target)`` (positive = beyond the target) and
    ``completion`` (value / target; target / value for ``lower``). No value → ``insufficient_data``."""
    check_lang(lang)
    rows = []
    tg = plan.targets[plan.targets["year"] == year]
    for iid in [i for i in plan.indicators.index if i in set(tg["indicator_id"])]:
        ind = plan.indicators.loc[iid]
        target = plan.target(iid, year)
        a = annual_values(obs, plan, iid, geo=geo, as_of=str(year))
        a = a[a["year"] == year]
        d = 1 if ind["direction"] == "higher" else -1
        rec = {
            "indicator_id": iid,
            "no": ind["no"],
            "name": plan.name(iid, lang),
            "unit": ind["unit"],
            "direction": ind["direction"],
            "year": year,
            "target": target,
            "value": np.nan,
            "status": "insufficient_data",
            "met": pd.NA,
            "gap": np.nan,
            "completion": np.nan,
            "period": "",
            "method": "",
            "source_file": "",
            "source_row": pd.NA,
            "illustrative": False,
        }
        if not a.empty:
            r = a.iloc[-1]
            v = float(r["value"])
            met = d * (v - target) >= 0
            comp = (v / target if target else np.nan) if d == 1 else (target / v if v else np.nan)
            rec.update(
                value=v,
                met=bool(met),
                status="target_achieved" if met else "target_missed",
                gap=d * (v - target),
                completion=comp,
                period=r["period"],
                method=r["method"],
                source_file=r["source_file"],
                source_row=r["source_row"],
                illustrative=bool(r["illustrative"]) if pd.notna(r["illustrative"]) else False,
            )
        rec["status_label"] = status_label(rec["status"], lang)
        rows.append(rec)
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


# --------------------------------------------------------------------------------------------------
# In-year pace history
# --------------------------------------------------------------------------------------------------

PACE_COLUMNS = [
    "indicator_id",
    "name",
    "unit",
    "accumulation",
    "end_month",
    "period",
    "value",
    "baseline",
    "target",
    "completion",
    "time_elapsed",
    "behind",
    "illustrative",
    "note",
]


def pace_history(
    plan: Plan, obs: pd.DataFrame, year: int, lang: str = "zh", geo: str | None = None
) -> pd.DataFrame:
    """The in-year path of every indicator with a target in ``year`` and in-year data, month by month:
    :func:`pace.pace_row` as of each month-end reported, so the annual report and the quarterly brief
    measure completion and "behind schedule" the same way (see :mod:`pace`). ``completion`` is NaN
    where it cannot be measured (no previous year-end for a stock, or the target already reached at
    the start of the year); ``note`` says why."""
    from .pace import pace_row

    obs = filter_as_of(obs, str(year)) if not obs.empty else obs
    rows = []
    tg = plan.targets[plan.targets["year"] == year]
    for iid in [i for i in plan.indicators.index if i in set(tg["indicator_id"])]:
        target = plan.target(iid, year)
        path = ytd_path(obs, plan, iid, year, geo=geo)
        for month in path["end_month"]:
            rec = pace_row(plan, obs, iid, year, target, Period.month(year, int(month)), lang, geo)
            if rec is None:
                continue
            behind = rec.get("behind_schedule")
            rows.append(
                {
                    "indicator_id": iid,
                    "name": rec["name"],
                    "unit": rec["unit"],
                    "accumulation": rec["accumulation"],
                    "end_month": int(month),
                    "period": rec["period"],
                    "value": rec["ytd_value"],
                    "baseline": rec["start_level"],
                    "target": target,
                    "completion": rec["completion_rate"],
                    "time_elapsed": rec["time_elapsed"],
                    "behind": pd.NA if behind is None else bool(behind),
                    "illustrative": rec["illustrative"],
                    "note": rec.get("note", ""),
                }
            )
    return pd.DataFrame(rows, columns=PACE_COLUMNS)


def pace_summary(pace: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: completion at the end of each quarter (months 3, 6, 9, 12) as columns Q1..Q4,
    and how many of those quarter-ends were behind the time elapsed."""
    if pace.empty:
        return pd.DataFrame(columns=["indicator_id", "name", "Q1", "Q2", "Q3", "Q4", "quarters_behind"])
    q = pace[pace["end_month"].isin([3, 6, 9, 12])].copy()
    q["q"] = "Q" + (q["end_month"] // 3).astype(str)
    wide = q.pivot_table(index=["indicator_id", "name"], columns="q", values="completion", aggfunc="last")
    wide = wide.reindex(columns=["Q1", "Q2", "Q3", "Q4"])
    behind = q.groupby("indicator_id")["behind"].apply(lambda s: int(s.fillna(False).astype(bool).sum()))
    out = wide.reset_index()
    out["quarters_behind"] = out["indicator_id"].map(behind).fillna(0).astype(int)
    order = {iid: k for k, iid in enumerate(pace["indicator_id"].drop_duplicates())}
    return out.sort_values("indicator_id", key=lambda s: s.map(order)).reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# Benchmarks
# --------------------------------------------------------------------------------------------------


def benchmarks(
    plan: Plan, obs: pd.DataFrame, year: int, lang: str = "zh", geos=BENCHMARK_GEOS, kinds=BENCHMARK_KINDS
) -> pd.DataFrame:
    """The zone's value in ``year`` next to 全国 / 江苏省 (their value in ``year`` or the latest earlier
    year with a point value), for comparable indicators (shares and intensities) with any benchmark."""
    rows = []
    for iid, ind in plan.indicators.iterrows():
        if ind["kind"] not in kinds:
            continue
        rec = {
            "indicator_id": iid,
            "name": plan.name(iid, lang),
            "unit": ind["unit"],
            "direction": ind["direction"],
        }
        zone = annual_values(obs, plan, iid, as_of=str(year))
        zone = zone[zone["year"] == year]
        rec["zone"] = float(zone["value"].iloc[-1]) if not zone.empty else np.nan
        rec["zone_illustrative"] = bool(zone["illustrative"].iloc[-1]) if not zone.empty else False
        found = False
        for g in geos:
            a = annual_values(obs, plan, iid, geo=g, as_of=str(year))
            a = a[a["year"] <= year]
            if a.empty:
                rec[g], rec[f"{g}_year"], rec[f"{g}_source"] = np.nan, pd.NA, ""
                continue
            last = a.iloc[-1]
            rec[g], rec[f"{g}_year"], rec[f"{g}_source"] = (
                float(last["value"]),
                int(last["year"]),
                last["source_file"],
            )
            found = True
        if found:
            rows.append(rec)
    cols = ["indicator_id", "name", "unit", "direction", "zone", "zone_illustrative"]
    for g in geos:
        cols += [g, f"{g}_year", f"{g}_source"]
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------------------------------
# Index tables for the report
# --------------------------------------------------------------------------------------------------


def robustness_verdicts(result: IndexResult, sens: Sensitivity, loo: pd.DataFrame) -> pd.DataFrame:
    """Per year: central change, its band, the pooled share of draws rising, the leave-one-out range and
    the robustness class (:func:`gxq_analysis.assess.index.robustness`)."""
    band = sens.band(result.normalisation)
    rows = []
    for y in result.years[1:]:
        lo_ch = loo[loo["year"] == y]["change"]
        p = sens.p_rise.get(y, np.nan)
        rows.append(
            {
                "year": y,
                "change": band.at[y, "change_central"],
                "change_lo": band.at[y, "change_lo"],
                "change_hi": band.at[y, "change_hi"],
                "p_rise": p,
                "loo_min": lo_ch.min() if lo_ch.notna().any() else np.nan,
                "loo_max": lo_ch.max() if lo_ch.notna().any() else np.nan,
                "verdict": robustness(p, lo_ch.to_numpy(dtype="float64")),
            }
        )
    return pd.DataFrame(rows)


def index_table(result: IndexResult, sens: Sensitivity, lang: str = "zh") -> pd.DataFrame:
    """Year rows: overall, its band, the five dimension scores (labelled in ``lang``)."""
    band = sens.band(result.normalisation)
    out = pd.DataFrame({"year": result.years})
    out["overall"] = [result.overall[y] for y in result.years]
    out["lo"] = [band.at[y, "lo"] for y in result.years]
    out["hi"] = [band.at[y, "hi"] for y in result.years]
    out["change"] = out["overall"].diff()
    for d in DIMENSIONS:
        out[dimension_name(d, lang)] = [result.dimensions.at[y, d] for y in result.years]
    return out


def contribution_table(dec: Decomposition, result: IndexResult, lang: str = "zh") -> pd.DataFrame:
    """Indicator contributions sorted by absolute size, named in ``lang``; the coverage-change lines
    are labelled as such. Rows with no contribution (not in both years) are dropped."""
    if not dec.computable:
        return pd.DataFrame(columns=["dimension", "name", "prev", "curr", "contribution"])
    bi = dec.by_indicator[dec.by_indicator["kind"] != "not_in_both_years"].copy()
    names = []
    for iid in bi["indicator_id"]:
        if iid == COVERAGE_CHANGE:
            names.append(t("coverage_change", lang))
        else:
            names.append(str(result.mapping.at[iid, "name_en" if lang == "en" else "name_zh"]))
    bi["name"] = names
    bi["dimension"] = [dimension_name(d, lang) for d in bi["dimension"]]
    bi = bi.reindex(bi["contribution"].abs().sort_values(ascending=False).index)
    return bi[["dimension", "indicator_id", "name", "prev", "curr", "contribution"]].reset_index(drop=True)


def coverage_table(result: IndexResult, lang: str = "zh") -> pd.DataFrame:
    """Dimension × year: 'available / total' and computable, from the index's coverage rows."""
    cov = result.coverage
    rows = []
    for d in [*DIMENSIONS, OVERALL]:
        rec = {"dimension": t("col.overall", lang) if d == OVERALL else dimension_name(d, lang)}
        for y in result.years:
            r = cov[(cov["dimension"] == d) & (cov["year"] == y)].iloc[0]
            mark = "" if r["computable"] else " ✗"
            rec[y] = f"{int(r['n_available'])}/{int(r['n_indicators'])}{mark}"
        rows.append(rec)
    return pd.DataFrame(rows)


def not_computable(result: IndexResult) -> pd.DataFrame:
    cov = result.coverage
    return cov[~cov["computable"] & (cov["n_indicators"] > 0)].reset_index(drop=True)


def source_files(*frames: pd.DataFrame) -> list[str]:
    files: list[str] = []
    for f in frames:
        if f is None or "source_file" not in getattr(f, "columns", []):
            continue
        for x in f["source_file"].dropna().astype(str):
            if x and x not in files:
                files.append(x)
    return sorted(files)


# --------------------------------------------------------------------------------------------------
# Charts (the shared style comes from :mod:`charts`)
# --------------------------------------------------------------------------------------------------

DIMENSION_COLOURS = ("#1f4e79", "#d9822b", "#4f9a94", "#8e6bb0", "#a0a0a0")


def index_chart(result: IndexResult, sens: Sensitivity, lang: str = "zh", year: int | None = None):
    """The overall index with its random-weight band, and the five dimensions as thin lines."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from ..charts import COLOURS

    band = sens.band(result.normalisation)
    years = [y for y in result.years if year is None or y <= year]
    fig, ax = plt.subplots()
    for colour, d in zip(DIMENSION_COLOURS, DIMENSIONS):
        s = result.dimensions.loc[years, d]
        if s.notna().any():
            ax.plot(
                years,
                s,
                color=colour,
                lw=1.0,
                ls="--",
                marker=".",
                ms=4,
                alpha=0.8,
                label=dimension_name(d, lang),
            )
    lo = band.loc[years, "lo"]
    hi = band.loc[years, "hi"]
    ok = lo.notna() & hi.notna()
    if ok.any():
        ax.fill_between(
            [y for y, k in zip(years, ok) if k],
            lo[ok],
            hi[ok],
            color=COLOURS["fan"],
            alpha=0.6,
            lw=0,
            label=t("col.band", lang),
        )
    ax.plot(
        years,
        result.overall.loc[years],
        color=COLOURS["actual"],
        lw=2.4,
        marker="o",
        ms=6,
        label=t("col.overall", lang),
    )
    for y in years:
        v = result.overall[y]
        if not np.isnan(v):
            ax.annotate(
                f"{v:.1f}", (y, v), textcoords="offset points", xytext=(0, 8), ha="center", fontsize=8.5
            )
    ax.set_ylim(-5, 110)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(t("h.index", lang).split("、")[-1].split(". ")[-1])
    ax.legend(loc="upper left", ncols=2)
    fig.tight_layout()
    return fig


def contribution_chart(dec: Decomposition, result: IndexResult, lang: str = "zh", top: int = 12):
    """Horizontal bars of the indicators' contributions to the change (largest first)."""
    import matplotlib.pyplot as plt

    table = contribution_table(dec, result, lang).head(top)
    fig, ax = plt.subplots(figsize=(7.2, 0.38 * max(len(table), 1) + 1.2))
    ypos = list(range(len(table)))[::-1]
    colours = ["#2da44e" if c >= 0 else "#cf222e" for c in table["contribution"]]
    ax.barh(ypos, table["contribution"], color=colours, height=0.6)
    ax.set_yticks(
        ypos,
        [f"{n}（{d}）" if lang == "zh" else f"{n} ({d})" for n, d in zip(table["name"], table["dimension"])],
    )
    ax.axvline(0, color="#333333", lw=0.8)
    for y, c in zip(ypos, table["contribution"]):
        ax.annotate(
            f"{c:+.1f}",
            (c, y),
            textcoords="offset points",
            xytext=(3 if c >= 0 else -3, 0),
            ha="left" if c >= 0 else "right",
            va="center",
            fontsize=8,
        )
    ax.set_xlabel(t("col.contribution", lang))
    ax.grid(axis="y", visible=False)
    ax.set_title(f"{dec.previous}→{dec.year}: {dec.total:+.1f}")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------------
# Everything the annual notebook shows, computed in one call
# --------------------------------------------------------------------------------------------------


@dataclass
class AnnualEvaluation:
    year: int
    lang: str
    results: pd.DataFrame
    index: IndexResult
    fixed_base: IndexResult  # ratio normalisation: base year = 100
    sensitivity: Sensitivity
    loo: pd.DataFrame
    verdicts: pd.DataFrame
    decomposition: Decomposition | None
    pace: pd.DataFrame
    benchmarks: pd.DataFrame
    outlook: pd.DataFrame | None
    notes: list[str] = field(default_factory=list)

    @property
    def illustrative(self) -> bool:
        frames = [self.results, self.index.provenance, self.pace]
        return any(
            bool(f["illustrative"].fillna(False).astype(bool).any())
            for f in frames
            if f is not None and "illustrative" in f.columns and len(f)
        ) or bool(self.benchmarks["zone_illustrative"].any() if len(self.benchmarks) else False)

    @property
    def sources(self) -> list[str]:
        return source_files(self.results, self.index.provenance, self.pace)

    def verdict(self, year: int | None = None) -> str:
        y = self.year if year is None else year
        v = self.verdicts[self.verdicts["year"] == y]
        return str(v["verdict"].iloc[0]) if len(v) else "not_computable"

    def summary_sentences(self) -> list[str]:
        """Plain-text key points (escape before display)."""
        lang, y = self.lang, self.year
        r = self.results
        out = [
            t(
                "sum.results",
                lang,
                year=y,
                n=len(r),
                met=int((r["status"] == "target_achieved").sum()),
                missed=int((r["status"] == "target_missed").sum()),
                na=int((r["status"] == "insufficient_data").sum()),
            )
        ]
        ok, why = self.index.computable(y)
        if not ok:
            out.append(t("sum.index_na", lang, year=y, reason=why))
        elif y - 1 in self.index.years and self.index.computable(y - 1)[0]:
            verdict = self.verdict()
            p = self.sensitivity.p_rise.get(y, np.nan)
            n = self.sensitivity.n_draws * len(self.sensitivity.draws)
            # The headline reads the fixed-base view (base year = 100): the min-max scores of the main
            # table put the window's first year near 0, so "0.2 → 45.9" would read as a 200-fold rise.
            comparable = self.fixed_base.overall
            base = self.fixed_base.config.base_year
            out.append(
                t(
                    "sum.index",
                    lang,
                    year=y,
                    value=fmt(comparable[y]),
                    prev_year=y - 1,
                    prev=fmt(comparable[y - 1]),
                    base=base,
                    change=fmt_signed(comparable[y] - comparable[y - 1]),
                    robust=t(f"robust.{verdict}", lang, n=n, p=fmt_share(p)),
                )
            )
        else:
            out.append(
                t(
                    "sum.index_first",
                    lang,
                    year=y,
                    value=fmt(self.fixed_base.overall[y]),
                    base=self.fixed_base.config.base_year,
                )
            )
        return out


def evaluate_year(
    plan: Plan,
    obs: pd.DataFrame,
    year: int,
    lang: str = "zh",
    draws: int | None = None,
    seed: int | None = None,
) -> AnnualEvaluation:
    """The annual evaluation of ``year`` from the data reported up to the end of that year."""
    from .index import (
        compute_index,
        decompose,
        leave_one_out,
        load_index_config,
        sensitivity,
        with_normalisation,
    )

    check_lang(lang)
    as_of = str(year)
    config = load_index_config(plan)
    result = compute_index(obs, plan, config=config, as_of=as_of)
    fixed = with_normalisation(result, "ratio", plan)
    sens = sensitivity(result, plan, draws=draws, seed=seed)
    loo = leave_one_out(result, plan)
    verdicts = robustness_verdicts(result, sens, loo)
    dec = decompose(result, year) if year - 1 in result.years and year in result.years else None
    outlook = None
    notes: list[str] = []
    if year < plan.end_year:
        try:
            from .status import assess_plan

            st = assess_plan(plan, obs, as_of=as_of, lang=lang)
            outlook = st[st["target_year"] == plan.end_year].reset_index(drop=True)
        except Exception as exc:  # the outlook is a courtesy section; say why it is missing
            notes.append(f"outlook not available: {type(exc).__name__}: {exc}")
    return AnnualEvaluation(
        year=year,
        lang=lang,
        results=year_results(plan, obs, year, lang),
        index=result,
        fixed_base=fixed,
        sensitivity=sens,
        loo=loo,
        verdicts=verdicts,
        decomposition=dec,
        pace=pace_history(plan, obs, year, lang),
        benchmarks=benchmarks(plan, obs, year, lang),
        outlook=outlook,
        notes=notes,
    )

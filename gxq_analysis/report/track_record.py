"""The annual report's track-record page: how often the forecast's claims came true on real data.

Reads ``forecast_track_record.json`` (written with the calibration by ``python -m
gxq_analysis.calibration``; a test checks it against a fresh out-of-sample run) and presents it in
plain words, two small tables and a reliability diagram. Everything written into HTML is escaped.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from ..calibration import TRACK_RECORD_FILE
from ..i18n import check_lang, lookup_text
from .charts import apply_style, figure_html
from .html import SafeHTML, esc, heading, html_table
from .numbers import fmt_percent

TEXT = {
    "title": {
        "zh": "预测可信度：在真实公开数据上的检验",
        "en": "How far to trust the forecasts: a check on real published data",
    },
    "intro": {
        "zh": "本报告中的达标概率和80%区间由同一个预测模型给出。该模型在真实公开数据上做过检验：{series}条年度序列"
        "（156个国家和我国31个省份的研发投入强度、研究人员密度等，来源见 data/raw/public/calibration），"
        "在每个历史年份只用当时已有的2至6个数据点，预测其后1至3年，再与实际公布值比较。"
        "检验时模型参数不使用被检验地区的数据（按地区五折交叉验证）。",
        "en": "The chances and 80% intervals in this report come from one forecast model, checked on real published "
        "data: {series} annual series (R&D intensity and researcher density for 156 countries and China's 31 "
        "provinces; sources in data/raw/public/calibration). From every past year, using only the 2 to 6 "
        "points known then, it forecast 1 to 3 years ahead and was compared with what was later published. "
        "The parameters never saw the region being scored (five-fold cross-validation by region).",
    },
    "coverage.h": {"zh": "80%区间实际覆盖率", "en": "How often the 80% interval held the outcome"},
    "coverage.text": {
        "zh": "“80%区间”应当有八成把实际值包含在内。按预测年数统计，实际覆盖率分别为{c1}、{c2}、{c3}。",
        "en": "An '80% interval' should hold the outcome eight times in ten. By horizon it did so {c1}, {c2} and "
        "{c3} of the time.",
    },
    "col.horizon": {"zh": "提前预测年数", "en": "Years ahead"},
    "col.cases": {"zh": "检验次数", "en": "Forecasts"},
    "col.coverage": {"zh": "区间覆盖率", "en": "Held the outcome"},
    "scores.h": {
        "zh": "达标概率与简单判断方法的比较",
        "en": "The chance of meeting a target against simple rules",
    },
    "scores.text": {
        "zh": "布里尔分数衡量概率预测的误差（越小越好，抛硬币为0.25）。以各年份自身近期增速的0.5倍、1倍和1.5倍设定"
        "“目标”（{cases}次检验），本模型为{model}，“最新值已达标即判达标”为{last}，"
        "“按最近三点直线外推”为{line}。对{real_targets}个真实的历史规划目标（欧盟里斯本战略和“欧洲2020”"
        "研发强度目标、我国五年规划目标等，{real_forecasts}次提前1至3年的预测），本模型为{real_model}，"
        "旧模型为{real_ols}。",
        "en": "The Brier score measures the error of a probability (lower is better; a coin flip scores 0.25). "
        "On targets set at 0.5, 1 and 1.5 times each series' own recent pace ({cases} forecasts) this model "
        "scored {model}, 'met if the latest value already meets it' {last}, and 'a straight line through the "
        "last three points' {line}. On {real_targets} real past plan targets (EU Lisbon and Europe 2020 R&D "
        "targets, China's five-year-plan targets and others; {real_forecasts} forecasts 1 to 3 years ahead) "
        "it scored {real_model}, the previous model {real_ols}.",
    },
    "col.forecast": {"zh": "方法", "en": "Method"},
    "col.brier": {"zh": "布里尔分数", "en": "Brier score"},
    "col.log_loss": {"zh": "对数损失", "en": "Log-loss"},
    "col.hit_rate": {"zh": "判断正确率", "en": "Right call"},
    "method.this model": {"zh": "本模型", "en": "This model"},
    "method.last value": {"zh": "最新值已达标", "en": "Latest value already meets it"},
    "method.line through last 3": {"zh": "最近三点直线外推", "en": "Line through the last 3 points"},
    "method.p = 0.5": {"zh": "抛硬币（概率0.5）", "en": "Coin flip (p = 0.5)"},
    "method.previous OLS model": {"zh": "旧模型（线性趋势）", "en": "Previous model (linear trend)"},
    "reliability.h": {
        "zh": "说“七成把握”时，是否七成做到",
        "en": "When it said 70 %, did it happen 70 % of the time?",
    },
    "reliability.text": {
        "zh": "下图把预测概率分为五档，比较每档的平均预测概率与实际达标比例；点越接近对角线越可信。",
        "en": "The chart groups forecasts into five bands and compares each band's mean forecast with how often "
        "the target was in fact met; points on the diagonal mean the stated chances came true.",
    },
    "reliability.x": {"zh": "预测达标概率", "en": "Forecast chance of meeting the target"},
    "reliability.y": {"zh": "实际达标比例", "en": "Share actually met"},
    "real.caveat": {
        "zh": "真实规划目标中多数未能完成，且多为2010年目标（2009年经济下行使研发强度的分母GDP收缩），"
        "这些预测的80%区间覆盖率为{real_cov}。本区数据为县级园区的行政统计，检验所用为国家和省级数据，"
        "结论仅作参考。",
        "en": "Most real plan targets were missed, and most are 2010 targets (the 2009 downturn shrank GDP, the "
        "denominator of R&D intensity); the 80% interval held {real_cov} of those outcomes. The zone's figures "
        "are a county-level zone's administrative counts, while the check used national and provincial data: "
        "read these results as a guide.",
    },
}


def t(key: str, lang: str = "zh", **values) -> str:
    return lookup_text(TEXT, key, lang, **values)


@lru_cache(maxsize=2)
def load_track_record(path: str | None = None) -> dict:
    with open(path or TRACK_RECORD_FILE, encoding="utf-8") as fh:
        return json.load(fh)


def _score(rows: list[dict], name: str) -> str:
    hit = next((r for r in rows if r["forecast"] == name), None)
    return "—" if hit is None else f"{hit['brier']:.3f}"


def reliability_figure(rows: list[dict], lang: str = "zh"):
    """Mean forecast against observed frequency per band, with the diagonal."""
    import matplotlib.pyplot as plt

    apply_style()
    fig, ax = plt.subplots(figsize=(4.6, 4.0))
    ax.plot([0, 1], [0, 1], color="#8c959f", lw=1, ls="--")
    pts = [r for r in rows if r.get("cases")]
    ax.scatter(
        [r["mean_p"] for r in pts],
        [r["observed"] for r in pts],
        s=[20 + 180 * r["cases"] / max(p["cases"] for p in pts) for r in pts],
        color="#0969da",
        zorder=3,
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(t("reliability.x", lang))
    ax.set_ylabel(t("reliability.y", lang))
    fig.subplots_adjust(left=0.16, right=0.97, bottom=0.15, top=0.96)
    return fig


def track_record_section(lang: str = "zh", path: str | None = None) -> SafeHTML:
    """The whole page section (heading, plain-words summary, two tables and the reliability chart)."""

    check_lang(lang)
    tr = load_track_record(path)
    cov = {r["horizon"]: r for r in tr["coverage_by_horizon"]}
    parts = [
        heading(t("title", lang), lang),
        f"<p>{esc(t('intro', lang, series=tr['n_series']))}</p>",
        heading(t("coverage.h", lang), lang, level=3),
        f"<p>{esc(t('coverage.text', lang, c1=fmt_percent(cov[1]['coverage80'], 1), c2=fmt_percent(cov[2]['coverage80'], 1), c3=fmt_percent(cov[3]['coverage80'], 1)))}</p>",
        html_table(
            [
                {"horizon": h, "cases": f"{r['cases']:,}", "coverage": fmt_percent(r["coverage80"], 1)}
                for h, r in sorted(cov.items())
            ],
            {
                "horizon": t("col.horizon", lang),
                "cases": t("col.cases", lang),
                "coverage": t("col.coverage", lang),
            },
            numeric=["horizon", "cases", "coverage"],
        ),
    ]
    pseudo, real = tr["pseudo_scores"], tr["real_scores"]
    cases = pseudo[0]["cases"] if pseudo else 0
    parts += [
        heading(t("scores.h", lang), lang, level=3),
        f"<p>{esc(t('scores.text', lang, cases=f'{cases:,}', model=_score(pseudo, 'this model'), last=_score(pseudo, 'last value'), line=_score(pseudo, 'line through last 3'), real_targets=tr['real_targets'], real_forecasts=tr['real_forecasts'], real_model=_score(real, 'this model'), real_ols=_score(real, 'previous OLS model')))}</p>",
        html_table(
            [
                {
                    "forecast": t(f"method.{r['forecast']}", lang),
                    "brier": f"{r['brier']:.3f}",
                    "log_loss": f"{r['log_loss']:.3f}",
                    "hit_rate": fmt_percent(r["hit_rate"], 1),
                }
                for r in pseudo
            ],
            {
                "forecast": t("col.forecast", lang),
                "brier": t("col.brier", lang),
                "log_loss": t("col.log_loss", lang),
                "hit_rate": t("col.hit_rate", lang),
            },
            numeric=["brier", "log_loss", "hit_rate"],
        ),
        heading(t("reliability.h", lang), lang, level=3),
        f"<p>{esc(t('reliability.text', lang))}</p>",
        figure_html(reliability_figure(tr["pseudo_reliability"], lang), alt=t("reliability.h", lang)),
    ]
    if tr.get("real_coverage") is not None:
        parts.append(f"<p>{esc(t('real.caveat', lang, real_cov=fmt_percent(tr['real_coverage'], 1)))}</p>")
    return SafeHTML("".join(parts))


def track_record_path() -> Path:
    return TRACK_RECORD_FILE

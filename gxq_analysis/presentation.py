"""Helpers the report notebooks share: set-up, parameter validation, report text, escaped output.

Rules this module enforces:

- Every string a reader sees lives here (Chinese by default, English with ``lang="en"``), so the
  notebooks stay thin and translatable.
- Everything taken from data (indicator names, notes, file names, reasons …) is escaped before it goes
  into HTML or Markdown: nbconvert passes raw HTML inside Markdown straight through, so an indicator
  name containing ``<script>`` would otherwise run in the reader's browser. Use :func:`esc`,
  :func:`md`, :func:`html_table` and :func:`html_block`; never format data into HTML by hand.

Only the standard library is imported at module level: ``gxq report`` imports this module in the
parent process for titles and labels, and that must stay cheap. pandas and the analysis modules are
imported inside the functions that need them.
"""

from __future__ import annotations

import html
import logging
import math
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .i18n import STATUS_COLOURS, check_lang, likelihood_label, lookup_text, status_label, translate_note

if TYPE_CHECKING:  # pragma: no cover
    import matplotlib.pyplot as plt
    import pandas as pd

    from .periods import Period
    from .plan import Plan

# Output metadata key a notebook uses to tell the renderer what its report showed (see report_meta).
REPORT_META_KEY = "gxq_report"

# ----------------------------------------------------------------------------------------------
# Report text (zh / en). Keys are stable; notebooks and the renderer look strings up with t().
# ----------------------------------------------------------------------------------------------
TEXT: dict[str, dict[str, str]] = {
    # notebook titles (also used by the renderer for the cover and the index)
    "title.10_data_quality": {"zh": "数据质量报告", "en": "Data quality"},
    "title.20_trajectories": {"zh": "指标走势与目标测算", "en": "Indicator trajectories"},
    "title.30_quarterly_brief": {"zh": "季度简报", "en": "Quarterly brief"},
    "title.40_annual_evaluation": {"zh": "年度评估报告", "en": "Annual evaluation"},
    "title.90_exploration": {"zh": "数据探索", "en": "Exploration"},
    "desc.10_data_quality": {
        "zh": "读取了哪些数据、哪些被隔离及原因、修订、各指标各期覆盖情况、哪些数字为示例数据。",
        "en": "What was read, what was quarantined and why, revisions, coverage, illustrative figures.",
    },
    "desc.20_trajectories": {
        "zh": "逐项指标：历史序列、年度目标与目标路径、预测区间、达标概率、全国与江苏省对比。",
        "en": "Per indicator: series, yearly milestones and target path, projection fan, p(meet), benchmarks.",
    },
    "desc.30_quarterly_brief": {
        "zh": "一页看全部目标的红黄绿灯、年内进度与时间进度、需要关注的指标。",
        "en": "Traffic lights for every target, in-year pace vs time elapsed, indicators needing attention.",
    },
    "desc.40_annual_evaluation": {"zh": "年度目标完成情况评估。", "en": "Evaluation of the year's targets."},
    # cover and index
    "cover.period": {"zh": "报告期", "en": "Reporting period"},
    "cover.cutoff": {"zh": "数据截至", "en": "Data cut-off"},
    "cover.generated": {"zh": "生成时间", "en": "Generated"},
    "cover.version": {"zh": "版本", "en": "Version"},
    "cover.index": {"zh": "返回目录", "en": "Back to the index"},
    "cover.pack": {"zh": "报告目录", "en": "Report pack"},
    "cover.annual_pack": {"zh": "年度报告", "en": "Annual report"},
    "cover.quarterly_pack": {"zh": "季度报告", "en": "Quarterly report"},
    "cover.contents": {"zh": "本期报告", "en": "Contents"},
    "cover.skipped": {"zh": "未包含", "en": "Not included"},
    "cover.outputs": {"zh": "领导一页纸、打印与下载", "en": "Summary, print and download"},
    "cover.summary": {"zh": "领导一页纸", "en": "One-page summary"},
    "cover.summary_desc": {
        "zh": "一页看全部目标的判断、较上季度与上年同期的变化、需要关注的事项。",
        "en": "Every target's verdict, changes since last quarter and a year ago, what needs attention.",
    },
    "cover.summary_pdf": {"zh": "领导一页纸（PDF，A4 一页）", "en": "One-page summary (PDF, one A4 page)"},
    "cover.summary_pdf_desc": {"zh": "适合打印和在微信中转发。", "en": "For printing and forwarding."},
    "cover.report_pdf": {"zh": "完整报告（PDF，A4）", "en": "Full report (PDF, A4)"},
    "cover.report_pdf_desc": {
        "zh": "一页纸与全部报告页面，按阅读顺序。",
        "en": "The summary and every report page, in reading order.",
    },
    "cover.tables": {"zh": "全部表格（Excel）", "en": "All tables (Excel)"},
    "cover.tables_desc": {
        "zh": "报告中的每张表各占一个工作表，附单位与来源说明。",
        "en": "Every table of the pack, one sheet each, with units and sources.",
    },
    "banner.illustrative": {
        "zh": "示例数据：本报告中部分或全部数字为示例数据（非真实统计数据），仅用于演示，不得引用。",
        "en": "Illustrative data: some or all figures in this report are illustrative (not real statistics) "
        "and must not be quoted.",
    },
    "none": {"zh": "无", "en": "none"},
    "na": {"zh": "—", "en": "—"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    # parameter validation
    "param.header": {"zh": "报告参数无效", "en": "Invalid report parameter"},
    # common columns
    "col.indicator": {"zh": "指标", "en": "Indicator"},
    "col.unit": {"zh": "单位", "en": "Unit"},
    "col.status": {"zh": "状态", "en": "Status"},
    "col.p_meet": {"zh": "达标概率", "en": "P(meet)"},
    "col.latest": {"zh": "最新值", "en": "Latest"},
    "col.latest_period": {"zh": "最新期", "en": "Latest period"},
    "col.milestone": {"zh": "年度目标", "en": "Milestone"},
    "col.target": {"zh": "规划目标", "en": "Plan target"},
    "col.projected": {"zh": "预计值", "en": "Projected"},
    "col.interval": {"zh": "80%区间", "en": "80% interval"},
    "col.file": {"zh": "文件", "en": "File"},
    "col.sheet": {"zh": "工作表", "en": "Sheet"},
    "col.row": {"zh": "行", "en": "Row"},
    "col.column": {"zh": "列", "en": "Column"},
    "col.raw_value": {"zh": "原始值", "en": "Raw value"},
    "col.reason": {"zh": "原因", "en": "Reason"},
    "col.rows": {"zh": "行数", "en": "Rows"},
    "col.indicators": {"zh": "指标数", "en": "Indicators"},
    "col.periods": {"zh": "期间", "en": "Periods"},
    "col.illustrative": {"zh": "示例数据", "en": "Illustrative"},
    "col.count": {"zh": "数量", "en": "Count"},
    "col.period": {"zh": "期间", "en": "Period"},
    "col.value": {"zh": "数值", "en": "Value"},
    "col.note": {"zh": "备注", "en": "Note"},
    "col.latest_source": {
        "zh": "最新值来源（文件[工作表]:行）",
        "en": "Source of the latest value (file[sheet]:row)",
    },
    "col.ytd": {"zh": "本年累计", "en": "Year to date"},
    "col.annual_target": {"zh": "全年目标", "en": "Annual target"},
    "col.completion": {"zh": "完成进度", "en": "Completion"},
    "col.time_elapsed": {"zh": "时间进度", "en": "Time elapsed"},
    "col.pace_ratio": {"zh": "进度比", "en": "Pace ratio"},
    "col.projected_annual": {"zh": "全年预计", "en": "Projected year"},
    "col.behind": {"zh": "落后", "en": "Behind"},
    "br.pace_defs": {
        "zh": "完成进度：流量指标为本年累计值占全年目标的比例；存量指标为本年已实现的增量占全年所需增量的比例。"
        "全年预计：与红黄绿灯同一预测模型给出的年末预计值（中位数）。落后：全年预计低于全年目标，"
        "即达标概率低于50%；“—”表示数据不足，不作判断。",
        "en": "Completion: for a flow, the year-to-date total as a share of the year's target; for a stock, the "
        "increase achieved so far as a share of the increase the year requires. Projected year: the median "
        "year-end value from the same forecast as the traffic lights. Behind: the projected year falls short "
        "of the year's target (a chance of meeting it below 50 %); '—' means too little data to judge.",
    },
    "col.source": {"zh": "来源", "en": "Source"},
    "col.dimension": {"zh": "维度", "en": "Dimension"},
    # data quality
    "dq.summary": {"zh": "概览", "en": "Summary"},
    "dq.read": {"zh": "读取的数据", "en": "What was read"},
    "dq.quarantine": {"zh": "隔离的数据及原因", "en": "Quarantined rows and why"},
    "dq.quarantine_examples": {"zh": "隔离明细（前 {n} 行）", "en": "Quarantined rows (first {n})"},
    "dq.revisions": {"zh": "数据修订", "en": "Revisions"},
    "dq.coverage": {"zh": "各指标各期覆盖情况", "en": "Coverage by indicator and period"},
    "dq.coverage_note": {
        "zh": "表中为每年已有数据的最新期：年 = 年度数，Q3 = 截至第三季度，9月 = 截至9月；空白表示无数据。",
        "en": "Each cell shows the latest period with data in that year: FY = annual, Q3 = through Q3, "
        "M9 = through September; blank = no data.",
    },
    "dq.illustrative": {"zh": "示例数据", "en": "Illustrative figures"},
    "dq.no_quarantine": {"zh": "没有被隔离的数据行。", "en": "No rows were quarantined."},
    "dq.no_quarantine_file": {
        "zh": "未找到隔离清单（quarantine.csv）。",
        "en": "No quarantine list (quarantine.csv) was found.",
    },
    "dq.no_revisions": {"zh": "没有数据修订。", "en": "No revisions."},
    "dq.no_revisions_file": {
        "zh": "未找到修订清单（revisions.csv）。",
        "en": "No revisions list (revisions.csv) was found.",
    },
    "dq.no_illustrative": {
        "zh": "本报告使用的数据均非示例数据。",
        "en": "No figure in this report is illustrative.",
    },
    "dq.illustrative_list": {
        "zh": "以下指标的数据为示例数据（共 {n} 个数值）：",
        "en": "These indicators carry illustrative values ({n} values in all):",
    },
    "dq.stat.rows": {"zh": "有效数据行", "en": "Clean rows"},
    "dq.stat.files": {"zh": "来源文件", "en": "Source files"},
    "dq.stat.indicators": {"zh": "有数据的规划指标", "en": "Plan indicators with data"},
    "dq.stat.quarantined": {"zh": "隔离行", "en": "Quarantined rows"},
    "dq.stat.revisions": {"zh": "修订", "en": "Revisions"},
    "dq.stat.illustrative": {"zh": "示例数据行", "en": "Illustrative rows"},
    "dq.stat.cutoff": {"zh": "数据截至", "en": "Data cut-off"},
    "dq.stat.geos": {"zh": "地区", "en": "Areas"},
    "dq.fy": {"zh": "年", "en": "FY"},
    "dq.to_fix": {
        "zh": "需要报送单位核实的行（共 {n} 行）",
        "en": "Rows the submitting departments should check ({n})",
    },
    "dq.none_to_fix": {"zh": "没有需要核实的行。", "en": "No row needs checking."},
    "dq.handled": {
        "zh": "其余 {n} 行已按规则处理（公开数据背景资料、口径不同、被更正取代或重复），不需核实，全部记录在 quarantine.csv 中。",
        "en": "The other {n} rows were handled by rule (context-only public figures, a different scope, superseded "
        "or duplicate) and need no check; all are listed in quarantine.csv.",
    },
    "col.category": {"zh": "类别", "en": "Category"},
    "col.action": {"zh": "处理", "en": "What happens"},
    "col.old_value": {"zh": "原值", "en": "Old value"},
    "col.new_value": {"zh": "新值", "en": "New value"},
    "col.old_source": {"zh": "原值来源", "en": "Old value from"},
    "col.new_source": {"zh": "新值来源", "en": "New value from"},
    "col.geo": {"zh": "地区", "en": "Area"},
    "mf.path": {"zh": "文件", "en": "File"},
    "mf.kind": {"zh": "类型", "en": "Type"},
    "mf.encoding": {"zh": "编码", "en": "Encoding"},
    "mf.sheets": {"zh": "工作表", "en": "Sheets"},
    "mf.reported_at": {"zh": "填报日期", "en": "Reported"},
    "mf.data_rows": {"zh": "数据行", "en": "Data rows"},
    "mf.values": {"zh": "入表数值", "en": "Values kept"},
    "mf.quarantined": {"zh": "隔离", "en": "Quarantined"},
    "mf.unreadable": {"zh": "无法读取原因", "en": "Why unreadable"},
    "mf.sha256": {"zh": "SHA-256（前12位）", "en": "SHA-256 (first 12)"},
    "dq.month": {"zh": "{n}月", "en": "M{n}"},
    # trajectories
    "tr.headline": {"zh": "核心问题", "en": "The headline"},
    "tr.indicators": {"zh": "逐项指标", "en": "Indicator by indicator"},
    "tr.no_data": {"zh": "暂无该指标的数据。", "en": "No data for this indicator yet."},
    "tr.series": {"zh": "实际值", "en": "Actual"},
    "tr.milestones": {"zh": "年度目标", "en": "Yearly milestones"},
    "tr.target_path": {"zh": "目标路径", "en": "Target path"},
    "tr.projection": {"zh": "预测（中位数）", "en": "Projection (median)"},
    "tr.fan": {"zh": "80% 预测区间", "en": "80% interval"},
    "tr.partial": {"zh": "年内最新值", "en": "Latest in-year value"},
    "tr.year": {"zh": "年份", "en": "Year"},
    "tr.sources": {"zh": "数据来源（文件[工作表]:行）：", "en": "Sources (file[sheet]:row): "},
    "geo.全国": {"zh": "全国", "en": "China"},
    "geo.江苏省": {"zh": "江苏省", "en": "Jiangsu"},
    # brief
    "br.lights": {"zh": "目标红黄绿灯", "en": "Traffic lights"},
    "br.pace": {"zh": "年内进度与时间进度", "en": "In-year pace vs time elapsed"},
    "br.attention": {"zh": "需要关注的指标", "en": "Indicators needing attention"},
    "br.detail": {"zh": "明细", "en": "Detail"},
    "br.no_attention": {
        "zh": "本期没有需要特别关注的指标。",
        "en": "No indicator needs particular attention.",
    },
    "br.no_pace": {"zh": "本期没有可比较年内进度的指标。", "en": "No indicator has in-year data to compare."},
    "br.counts": {"zh": "共 {n} 项目标：", "en": "{n} targets: "},
    "br.counts_year": {"zh": "{year}年目标（{n} 项）：", "en": "{year} targets ({n}): "},
    "br.insufficient": {
        "zh": "另有 {n} 项指标数据不足、无法判断，请相关部门报送数据：{names}。",
        "en": "{n} more indicators lack the data to judge; the departments concerned should report: {names}.",
    },
    "br.milestone_col": {"zh": "{year}年目标", "en": "{year} target"},
    "br.lights_note": {
        "zh": "每个目标一盏灯，括号内为按目前趋势达到该目标的概率：不低于66%为“有望达标”，33%至66%为“有风险”，"
        "低于33%为“难以达标”（趋势背离目标时为“偏离目标”）；灰灯为数据不足，不给概率。"
        "灯色、概率、预计值和区间出自同一预测模型，其在真实公开数据上的检验结果见年度报告“预测可信度”一节。",
        "en": "One light per target; in brackets, the chance of meeting it on current trends: 66 % or more reads "
        "'likely to be met', 33–66 % 'at risk', below 33 % 'unlikely to be met' ('moving away' when the trend "
        "points away from the target); grey means too little data, and no chance is given. Light, chance, "
        "projection and interval come from one forecast, checked on real published data in the annual "
        "report's track-record section.",
    },
    "col.target_year": {"zh": "目标年份", "en": "Target year"},
    "col.gap": {"zh": "差距", "en": "Gap"},
    "tr.headline_q": {
        "zh": "{name}能否在{year}年达到{target}？",
        "en": "Will {name} reach {target} by {year}?",
    },
    "tr.status_line": {"zh": "状态", "en": "Status"},
}


def t(key: str, lang: str = "zh", **values: Any) -> str:
    """The report string ``key`` in ``lang``, formatted with ``values`` (values are NOT escaped here:
    pass the result through :func:`esc` or use :func:`md`/:func:`html_block`)."""
    return lookup_text(TEXT, key, lang, **values)


def notebook_title(stem: str, lang: str = "zh") -> str:
    key = f"title.{stem}"
    return t(key, lang) if key in TEXT else stem


def notebook_description(stem: str, lang: str = "zh") -> str:
    key = f"desc.{stem}"
    return t(key, lang) if key in TEXT else ""


# ----------------------------------------------------------------------------------------------
# Escaping and display
# ----------------------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|~!$])")


def esc(value: Any) -> str:
    """HTML-escape any value taken from data (``None``/NaN → empty)."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return html.escape(str(value), quote=True)


def esc_md(value: Any) -> str:
    """Escape a value for Markdown: HTML-escaped, and Markdown/LaTeX markup characters backslashed."""
    return _MD_SPECIAL.sub(r"\\\1", esc(value))


class SafeHTML(str):
    """A string already safe to put into HTML (built by this module from escaped parts)."""


def _safe(value: Any) -> str:
    return value if isinstance(value, SafeHTML) else esc(value)


def html_block(template: str, **values: Any) -> SafeHTML:
    """Fill an HTML ``template`` (trusted, written in code) with escaped ``values``."""
    return SafeHTML(template.format(**{k: _safe(v) for k, v in values.items()}))


def md(template: str, **values: Any) -> str:
    """Fill a Markdown ``template`` (trusted) with escaped values; display it in a notebook.

    Returns the Markdown text (also displayed when running inside IPython).
    """
    text = template.format(**{k: (v if isinstance(v, SafeHTML) else esc_md(v)) for k, v in values.items()})
    _display_markdown(text)
    return text


def show(content: str) -> None:
    """Display trusted or :class:`SafeHTML` content as HTML (plain strings are escaped)."""
    from IPython.display import HTML, display

    display(HTML(_safe(content)))


def _display_markdown(text: str) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:  # pragma: no cover
        return
    if get_ipython() is not None:
        display(Markdown(text))


def heading(key_or_text: str, lang: str = "zh", level: int = 2, anchor: str | None = None) -> SafeHTML:
    """An HTML heading from a report-text key (or data text, escaped)."""
    text = t(key_or_text, lang) if key_or_text in TEXT else key_or_text
    ident = f' id="{esc(anchor)}"' if anchor else ""
    return SafeHTML(f"<h{level}{ident}>{esc(text)}</h{level}>")


def html_table(
    rows: pd.DataFrame | Iterable[Mapping[str, Any]],
    columns: Mapping[str, str],
    formats: Mapping[str, Callable[[Any], Any]] | None = None,
    css_class: str = "gxq-table",
    numeric: Iterable[str] = (),
) -> SafeHTML:
    """An HTML table; every cell is escaped unless a formatter returns :class:`SafeHTML`.

    ``columns`` maps source column → header text (headers are escaped too).
    """
    formats = dict(formats or {})
    numeric = set(numeric)
    records = rows.to_dict("records") if hasattr(rows, "to_dict") else list(rows)
    num_attr = ' class="num"'
    head = "".join(f"<th{num_attr if c in numeric else ''}>{esc(h)}</th>" for c, h in columns.items())
    body = []
    for rec in records:
        cells = []
        for col in columns:
            value = rec.get(col)
            if col in formats:
                value = formats[col](value)
            cls = num_attr if col in numeric else ""
            cells.append(f"<td{cls}>{_safe(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return SafeHTML(
        f'<table class="{esc(css_class)}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def stat_cards(items: Iterable[tuple[str, Any]]) -> SafeHTML:
    """A row of headline figures (label, value); both escaped."""
    cards = "".join(
        f'<div class="gxq-card"><div class="gxq-card-value">{_safe(v)}</div>'
        f'<div class="gxq-card-label">{_safe(k)}</div></div>'
        for k, v in items
    )
    return SafeHTML(f'<div class="gxq-cards">{cards}</div>')


# ----------------------------------------------------------------------------------------------
# Number formatting
# ----------------------------------------------------------------------------------------------
def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pd.NA raises → treated below
    except (TypeError, ValueError):
        return True


def fmt_number(value: Any, unit: str = "", decimals: int | None = None, lang: str = "zh") -> str:
    """87 → '87家', 5.13 → '5.1%', 3.456 → '3.46亿元'; missing → '—'. With ``lang="en"`` no Chinese
    unit is shown (87 → '87', 3.456 亿元 → '346 million yuan'). See :mod:`numbers`."""
    from .numbers import fmt_value

    return fmt_value(value, unit, lang, decimals)


def fmt_percent(value: Any, decimals: int = 0) -> str:
    """A share in [0, 1] as a percentage: 0.625 → '63%'."""
    if is_missing(value):
        return "—"
    return f"{float(value) * 100:.{decimals}f}%"


def fmt_p_meet(value: Any, lang: str = "zh") -> str:
    """'63%（可能）' / '63% (likely)'; missing → the 'cannot be estimated' wording."""
    if is_missing(value):
        return likelihood_label(None, lang)
    pct = fmt_percent(value)
    label = likelihood_label(float(value), lang)
    return f"{pct}（{label}）" if lang == "zh" else f"{pct} ({label})"


# ----------------------------------------------------------------------------------------------
# Traffic lights
# ----------------------------------------------------------------------------------------------
def status_light(status: Any, lang: str = "zh", label: str | None = None) -> SafeHTML:
    """A coloured dot and the status label, for tables."""
    sid = "insufficient_data" if is_missing(status) else str(status)
    colour = STATUS_COLOURS.get(sid, STATUS_COLOURS["insufficient_data"])
    text = label if label is not None else status_label(sid, lang)
    return SafeHTML(
        f'<span class="gxq-light" style="background:{esc(colour)}" aria-hidden="true"></span>'
        f'<span class="gxq-status gxq-status-{esc(sid)}">{esc(text)}</span>'
    )


def status_counts(statuses: Iterable[Any], lang: str = "zh", prefix: str | None = None) -> SafeHTML:
    """'共 16 项目标：● 已完成 3 ● 按期可达 5 …' in the stable status order (``prefix`` replaces
    the '共 16 项目标：' lead)."""
    from .i18n import STATUS_IDS

    items = ["insufficient_data" if is_missing(s) else str(s) for s in statuses]
    parts = []
    for sid in (*STATUS_IDS, "target_missed"):
        n = items.count(sid)
        if n:
            parts.append(f'<span class="gxq-count">{status_light(sid, lang)} <b>{n}</b></span>')
    lead = prefix if prefix is not None else t("br.counts", lang, n=len(items))
    return SafeHTML(f'<p class="gxq-counts">{esc(lead)}{" ".join(parts)}</p>')


# ----------------------------------------------------------------------------------------------
# Set-up and parameters
# ----------------------------------------------------------------------------------------------
def setup_notebook(charts: bool = True) -> None:
    """Silence warnings and logging noise in a report notebook and set the chart style.

    Missing-glyph warnings are the one exception: they are left visible (the renderer refuses to
    publish a report whose charts lost Chinese characters, and the tests look for them).
    """
    warnings.simplefilter("ignore")
    warnings.filterwarnings("always", message=r".*[Gg]lyph .* missing from font.*")
    logging.getLogger().setLevel(logging.ERROR)
    for name in ("matplotlib", "matplotlib.font_manager", "PIL", "fontTools", "numexpr", "py.warnings"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        import pandas as pd

        pd.set_option("display.max_columns", 50)
        pd.set_option("display.width", 200)
    except ImportError:  # pragma: no cover
        pass
    if charts:
        from .charts import apply_style

        apply_style()


class ReportParameterError(ValueError):
    """A report parameter that cannot be used; the message is in Chinese and English."""

    def __init__(self, name: str, value: Any, zh: str, en: str):
        self.name, self.value = name, value
        super().__init__(
            f"{TEXT['param.header']['zh']} / {TEXT['param.header']['en']}: {name}={value!r} — {zh} / {en}"
        )


@dataclass
class ReportContext:
    """What a report notebook works with once its parameters are validated."""

    period: Period
    lang: str
    plan_dir: Path
    observations_path: Path
    plan: Plan
    obs_all: pd.DataFrame  # every row of the observations file
    obs: pd.DataFrame  # rows whose period ended by the report period
    year: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def processed_dir(self) -> Path:
        """The folder holding observations.csv and its siblings (quarantine.csv, revisions.csv …)."""
        return self.observations_path.parent

    @property
    def zone(self) -> str:
        return self.plan.zone_geo

    @property
    def zone_obs(self) -> pd.DataFrame:
        return self.obs[self.obs["geo"] == self.zone]

    @property
    def target_year(self) -> int:
        """The plan year the report looks towards: the report year, within the plan's years."""
        years = self.plan.years
        later = [y for y in years if y >= self.period.year]
        return min(later) if later else max(years)

    @property
    def final_year(self) -> int:
        return max(self.plan.years)


def validate_params(
    period: Any,
    lang: Any = "zh",
    plan_dir: Any = "",
    observations_path: Any = "",
    *,
    year: Any = None,
    kinds: str = "QA",
) -> ReportContext:
    """Check a report notebook's parameters and load its inputs.

    ``kinds`` lists the period kinds the notebook accepts (``Q`` quarterly, ``A`` annual). Empty paths
    mean the project defaults. Raises :class:`ReportParameterError` with a clear message.
    """
    from .config import DEFAULT_OBSERVATIONS, DEFAULT_PLAN_DIR
    from .periods import PeriodError, parse_period

    if lang not in ("zh", "en"):
        raise ReportParameterError("lang", lang, "报告语言应为 zh 或 en", "report language must be zh or en")
    try:
        per = parse_period(period)
    except PeriodError:
        raise ReportParameterError(
            "period",
            period,
            "无法识别的报告期，应为 2019Q3（季度）或 2019（年度）",
            "not a period: expected 2019Q3 (a quarter) or 2019 (a year)",
        ) from None
    if per.freq not in kinds:
        wanted_zh = "、".join({"Q": "季度（如 2019Q3）", "A": "年度（如 2019）"}[k] for k in kinds)
        wanted_en = " or ".join({"Q": "a quarter (2019Q3)", "A": "a year (2019)"}[k] for k in kinds)
        raise ReportParameterError(
            "period", period, f"本报告的报告期应为{wanted_zh}", f"this report needs {wanted_en}"
        )
    year_int: int | None = None
    if year is not None and year != "":
        try:
            year_int = int(year)
        except (TypeError, ValueError):
            raise ReportParameterError(
                "year", year, "年份应为整数，如 2019", "year must be an integer such as 2019"
            ) from None
        if year_int != per.year:
            raise ReportParameterError(
                "year", year, f"年份与报告期 {per} 不一致", f"year does not match the period {per}"
            )
    pdir = Path(plan_dir) if plan_dir else DEFAULT_PLAN_DIR
    if not pdir.is_dir():
        raise ReportParameterError("plan_dir", str(pdir), "找不到规划目录", "plan folder not found")
    opath = Path(observations_path) if observations_path else DEFAULT_OBSERVATIONS
    if not opath.is_file():
        raise ReportParameterError(
            "observations_path",
            str(opath),
            "找不到数据文件，请先运行 gxq clean",
            "observations file not found; run `gxq clean` first",
        )
    from .observations import ObservationsError, filter_as_of, load_observations
    from .plan import PlanError, load_plan

    try:
        plan = load_plan(pdir)
    except PlanError as exc:
        raise ReportParameterError(
            "plan_dir", str(pdir), f"规划目录无效：{exc}", f"invalid plan: {exc}"
        ) from None
    try:
        obs_all = load_observations(opath, default_geo=plan.zone_geo)
    except ObservationsError as exc:
        raise ReportParameterError(
            "observations_path", str(opath), f"数据文件无效：{exc}", f"invalid observations: {exc}"
        ) from None
    obs = filter_as_of(obs_all, per) if len(obs_all) else obs_all
    return ReportContext(
        period=per,
        lang=lang,
        plan_dir=pdir,
        observations_path=opath,
        plan=plan,
        obs_all=obs_all,
        obs=obs,
        year=year_int,
    )


# ----------------------------------------------------------------------------------------------
# Banner and report metadata
# ----------------------------------------------------------------------------------------------
def any_illustrative(*frames: Any) -> bool:
    """True when any given table has a true ``illustrative`` value (or a bool argument is True)."""
    for f in frames:
        if isinstance(f, bool):
            if f:
                return True
            continue
        if f is None or not hasattr(f, "columns") or "illustrative" not in f.columns or len(f) == 0:
            continue
        if f["illustrative"].fillna(False).astype(bool).any():
            return True
    return False


def banner_html(lang: str = "zh", inline: bool = False) -> SafeHTML:
    """The 示例数据 banner. ``inline`` banners (inside a notebook's body) are for JupyterLab readers;
    the rendered HTML shows the banner on its cover instead and hides the inline copy."""
    cls = "gxq-banner gxq-banner-inline" if inline else "gxq-banner"
    return SafeHTML(f'<div class="{cls}" role="alert">{esc(t("banner.illustrative", lang))}</div>')


def report_meta(ctx: ReportContext, illustrative: bool, **extra: Any) -> dict:
    """Tell the renderer what this report showed (data cut-off, illustrative) and show the banner.

    The information travels as metadata of a display output (nbconvert ignores it); the banner is
    shown in the body too when any figure shown is illustrative.
    """
    from .series import data_cutoff

    cutoff = data_cutoff(ctx.obs, geo=ctx.zone)
    meta = {
        "illustrative": bool(illustrative),
        "cutoff": str(cutoff) if cutoff is not None else "",
        "cutoff_label": cutoff.label(ctx.lang) if cutoff is not None else "",
        "period": str(ctx.period),
        "lang": ctx.lang,
        **extra,
    }
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:  # pragma: no cover
        return meta
    if get_ipython() is not None:
        body = banner_html(ctx.lang, inline=True) if illustrative else ""
        display(HTML(body), metadata={REPORT_META_KEY: meta})
    return meta


def illustrative_banner(ctx: ReportContext, *frames: Any) -> bool:
    """Show the 示例数据 banner if any figure in ``frames`` is illustrative; report it to the renderer."""
    flag = any_illustrative(*frames)
    report_meta(ctx, flag)
    return flag


# ----------------------------------------------------------------------------------------------
# Data-quality helpers
# ----------------------------------------------------------------------------------------------
def coverage_matrix(plan: Plan, obs: pd.DataFrame, lang: str = "zh", geo: str | None = None) -> pd.DataFrame:
    """Indicator × year table of the latest period with a value in that year (zone only).

    Cells: the FY label for an annual value (or any period ending in December), ``Q3``-style for a
    quarter, ``9月``/``M9`` for a month; empty when the year has no value. Rows follow the plan's
    order; columns are the years present in the data and the plan.
    """
    import pandas as pd

    geo = plan.zone_geo if geo is None else geo
    rows = obs[obs["geo"] == geo]
    years = sorted(set(int(y) for y in rows["year"]) | set(plan.years)) if len(rows) else list(plan.years)
    out = pd.DataFrame("", index=list(plan.indicators.index), columns=years, dtype=object)
    for (iid, year), grp in rows.groupby(["indicator_id", "year"]):
        if iid not in out.index:
            continue
        best = max(grp["period_obj"])
        if best.end_month == 12:
            label = t("dq.fy", lang)
        elif best.freq == "Q":
            label = f"Q{best.number}"
        else:
            label = t("dq.month", lang, n=best.number)
        out.at[iid, int(year)] = label
    return out


def read_optional_csv(path: Path) -> pd.DataFrame | None:
    """A CSV written by the cleaner, as text columns; None when the file is absent."""
    import pandas as pd

    if not Path(path).is_file():
        return None
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


# ----------------------------------------------------------------------------------------------
# Plain-language sentences generated from data
# ----------------------------------------------------------------------------------------------
def _row_get(row: Mapping[str, Any], key: str) -> Any:
    value = row.get(key) if hasattr(row, "get") else None
    return None if is_missing(value) else value


def fmt_gap(gap: float, unit: str = "", lang: str = "zh") -> str:
    """A difference between two values: percentage points for a % indicator (5.5 % − 5.3 % is
    0.2 个百分点, not 0.2 %), the indicator's unit otherwise."""
    from .numbers import fmt_gap_value

    return fmt_gap_value(gap, unit, lang)


def target_year_closed(row: Mapping[str, Any]) -> bool:
    """True when the row's target year had ended by its as-of period: the outcome is known, so a
    projection, its interval and p_meet say nothing more than met / missed."""
    t_year, as_of = _row_get(row, "target_year"), _row_get(row, "as_of")
    if t_year is None or as_of is None:
        return False
    from .periods import Period, parse_period

    return Period.month(int(t_year), 12).ends_by(parse_period(as_of))


def closed_target_sentence(row: Mapping[str, Any], lang: str = "zh", with_name: bool = True) -> str:
    """Plain text for a target year that has ended: the outcome and, if missed, by how much."""
    zh = lang == "zh"
    name = str(_row_get(row, "name") or _row_get(row, "indicator_id") or "") if with_name else ""
    unit = str(_row_get(row, "unit") or "")
    t_year, target = int(_row_get(row, "target_year")), _row_get(row, "target")
    latest, period = _row_get(row, "latest_value"), _row_get(row, "latest_period")
    status = str(_row_get(row, "status") or "insufficient_data")
    if latest is None or status == "insufficient_data":
        return (
            f"{name}{t_year}年目标{fmt_number(target, unit, lang=lang)}，目标年无数据，无法判断是否完成。"
            if zh
            else f"{name + ': ' if name else ''}no value for {t_year}, so whether the target of "
            f"{fmt_number(target, unit, lang=lang)} was met cannot be judged."
        )
    met = status == "target_achieved"
    gap = float(latest) - float(target)
    if zh:
        outcome = "已完成" if met else f"未完成，差{fmt_gap(gap, unit, lang)}"
        return (
            f"{name}{t_year}年实际值{fmt_number(latest, unit, lang=lang)}（{period}），"
            f"目标{fmt_number(target, unit, lang=lang)}，{outcome}。"
        )
    outcome = "met" if met else f"missed by {fmt_gap(gap, unit, lang)}"
    return (
        f"{name + ': ' if name else ''}{fmt_number(latest, unit, lang=lang)} in {t_year} ({period}) against a "
        f"target of {fmt_number(target, unit, lang=lang)}: {outcome}."
    )


def attention_sentence(
    row: Mapping[str, Any], lang: str = "zh", pace: Mapping[str, Any] | None = None
) -> str:
    """One plain-language sentence explaining why an indicator needs attention, from its status row.

    ``row`` is a row of ``status.assess_plan`` (name, unit, direction, status, latest_value,
    latest_period, milestone_year, milestone_target, target_year, target, projected_value,
    projected_lo80, projected_hi80, p_meet); ``pace`` optionally a row of ``pace.assess_pace``.
    The sentence is plain text (escape it before display).
    """
    check_lang(lang)
    name = str(_row_get(row, "name") or _row_get(row, "indicator_id") or "")
    unit = str(_row_get(row, "unit") or "")
    status = str(_row_get(row, "status") or "insufficient_data")
    label = status_label(status, lang)
    latest = _row_get(row, "latest_value")
    latest_period = _row_get(row, "latest_period")
    m_year = _row_get(row, "milestone_year")
    m_target = _row_get(row, "milestone_target")
    t_year = _row_get(row, "target_year")
    target = _row_get(row, "target")
    proj = _row_get(row, "projected_value")
    lo, hi = _row_get(row, "projected_lo80"), _row_get(row, "projected_hi80")
    p = _row_get(row, "p_meet")
    lower_better = str(_row_get(row, "direction") or "higher") == "lower"
    parts: list[str] = []
    zh = lang == "zh"
    if target_year_closed(row):
        return closed_target_sentence(row, lang)
    if status == "insufficient_data" or latest is None:
        return (
            f"{name}：数据不足，无法判断能否完成目标，请尽快报送数据。"
            if zh
            else f"{name}: not enough data to judge whether the target will be met; data are needed."
        )
    latest_txt = fmt_number(latest, unit, lang=lang)
    if zh:
        parts.append(f"{name}最新值为{latest_txt}（{latest_period}）")
    else:
        parts.append(f"{name} stood at {latest_txt} ({latest_period})")
    if m_target is not None and m_year is not None:
        gap = float(m_target) - float(latest)
        short = gap < 0 if lower_better else gap > 0
        gap_txt = fmt_gap(gap, unit, lang)
        if zh:
            parts.append(
                f"距{int(m_year)}年目标{fmt_number(m_target, unit, lang=lang)}"
                + (f"还差{gap_txt}" if short else "已达到")
            )
        else:
            parts.append(
                f"{gap_txt} short of the {int(m_year)} milestone of {fmt_number(m_target, unit, lang=lang)}"
                if short
                else f"at or beyond the {int(m_year)} milestone of {fmt_number(m_target, unit, lang=lang)}"
            )
    if pace is not None and _row_get(pace, "completion_rate") is not None and _row_get(pace, "time_elapsed"):
        from .numbers import fmt_completion

        comp = fmt_completion(_row_get(pace, "completion_rate"))  # 99.96 % reads 99.9 %, never 100 %
        elapsed = fmt_percent(_row_get(pace, "time_elapsed"))
        parts.append(
            f"全年目标完成{comp}，时间进度为{elapsed}"
            if zh
            else f"{comp} of the annual target done with {elapsed} of the year gone"
        )
    if proj is not None and t_year is not None and target is not None:
        rng = ""
        if lo is not None and hi is not None:
            rng = (
                f"（80%区间{fmt_number(lo, unit, lang=lang)}至{fmt_number(hi, unit, lang=lang)}）"
                if zh
                else f" (80% interval {fmt_number(lo, unit, lang=lang)} to {fmt_number(hi, unit, lang=lang)})"
            )
        parts.append(
            f"按目前趋势{int(t_year)}年预计为{fmt_number(proj, unit, lang=lang)}{rng}，目标为{fmt_number(target, unit, lang=lang)}"
            if zh
            else f"on current trends it reaches {fmt_number(proj, unit, lang=lang)} in {int(t_year)}{rng} "
            f"against a target of {fmt_number(target, unit, lang=lang)}"
        )
    if p is not None:
        parts.append(
            f"达标概率约{fmt_percent(p)}（{likelihood_label(float(p), lang)}）"
            if zh
            else f"the chance of meeting it is about {fmt_percent(p)} ({likelihood_label(float(p), lang)})"
        )
    if zh:
        return "，".join(parts) + f"。状态：{label}。"
    return "; ".join(parts) + f". Status: {label}."


# Severity order for choosing the few indicators that need attention.
ATTENTION_ORDER = {"deterioration": 0, "target_missed": 0, "limited_progress": 1, "needs_acceleration": 2}


def needs_attention(status: pd.DataFrame, pace: pd.DataFrame | None = None, limit: int = 5) -> pd.DataFrame:
    """The few indicators that need attention: worst status first, then lowest p_meet; an indicator
    behind the in-year 时间进度 is added even when its status is acceptable."""
    import pandas as pd

    if status is None or len(status) == 0:
        return status
    df = status.copy()
    df["_sev"] = df["status"].map(ATTENTION_ORDER)
    behind: set[str] = set()
    if pace is not None and len(pace) and "behind_schedule" in pace:
        behind = set(pace.loc[pace["behind_schedule"].fillna(False).astype(bool), "indicator_id"])
    df.loc[df["_sev"].isna() & df["indicator_id"].isin(behind), "_sev"] = 3
    df = df[df["_sev"].notna()]
    if df.empty:
        return df.drop(columns="_sev")
    df["_p"] = pd.to_numeric(df.get("p_meet"), errors="coerce").fillna(1.0)
    df = df.sort_values(["_sev", "_p"]).drop_duplicates("indicator_id")
    return df.head(limit).drop(columns=["_sev", "_p"])


def read_manifest(path: Path) -> dict | None:
    """The cleaner's manifest.json (what was read), or None when absent or unreadable."""
    import json

    path = Path(path)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


MANIFEST_COLUMNS = (
    "path",
    "kind",
    "encoding",
    "sheets",
    "reported_at",
    "data_rows",
    "values",
    "quarantined",
    "unreadable",
    "sha256",
)


def files_table(manifest: Mapping[str, Any] | None, lang: str = "zh") -> SafeHTML:
    """What the cleaner read, one row per file, from its manifest: kind, encoding, sheets, reporting
    date, data rows, values kept, rows quarantined, why a file could not be read, and the start of
    its SHA-256 (enough to tell two versions of a file apart)."""
    files = [f for f in (manifest or {}).get("files", []) if isinstance(f, Mapping)]
    if not files:
        return SafeHTML("")
    rows = []
    for f in files:
        sheets = f.get("sheets") or []
        rows.append(
            {
                "path": f.get("path", ""),
                "kind": f.get("kind", ""),
                "encoding": f.get("encoding", ""),
                "sheets": "、".join(str(x) for x in sheets if x) if isinstance(sheets, list) else str(sheets),
                "reported_at": f.get("reported_at", ""),
                "data_rows": f.get("data_rows", ""),
                "values": f.get("values", ""),
                "quarantined": f.get("quarantined", ""),
                "unreadable": f.get("unreadable", ""),
                "sha256": str(f.get("sha256", ""))[:12],
            }
        )
    headers = {c: t(f"mf.{c}", lang) for c in MANIFEST_COLUMNS}
    return html_table(rows, headers, numeric=["data_rows", "values", "quarantined"])


# Quarantine categories written by the cleaner: label, and whether someone must act on the row.
QUARANTINE_CATEGORIES: dict[str, tuple[str, str, bool]] = {
    "unreadable_file": ("文件无法读取", "File could not be read", True),
    "no_table": ("未找到数据表", "No table found", True),
    "unknown_indicator": ("未知指标名称", "Unknown indicator name", True),
    "empty_name": ("指标名称为空", "Empty indicator name", True),
    "no_value": ("无数值（空白、占位符或Excel错误）", "No value (blank, placeholder or Excel error)", True),
    "invalid_value": ("数值无法识别", "Value not understood", True),
    "incompatible_unit": ("单位不兼容", "Incompatible unit", True),
    "fraction_not_percent": ("疑似小数而非百分数", "Looks like a fraction, not percent", True),
    "out_of_range": ("超出合理范围", "Out of range", True),
    "not_integer": ("应为整数", "Should be a whole number", True),
    "no_period": ("报告期无法识别", "Period not understood", True),
    "future_period": ("报告期晚于填报日期", "Period after the reporting date", True),
    "inconsistent_columns": ("本期值与累计值矛盾", "Period and year-to-date columns disagree", True),
    "duplicate": ("重复（同值保留一次）", "Duplicate (kept once)", False),
    "superseded": ("被更正取代（见修订）", "Superseded (see revisions)", False),
    "context_only": ("公开数据背景资料（无对应指标）", "Public context figure (no plan indicator)", False),
    "different_population": ("公开数据口径不同", "Public figure of a different scope", False),
    "conflict": ("同一数据数值矛盾，需人工判定", "Conflicting submissions, a person decides", True),
    "unsupported_file": ("不支持的文件类型，未读取", "Unsupported file type, not read", True),
    "outside_raw": (
        "链接指向原始数据目录之外，未读取",
        "Link leading outside the raw folder, not read",
        True,
    ),
    "hidden_folder": ("隐藏文件或文件夹，未读取", "Hidden file or folder, not read", True),
    "beyond_plan_horizon": ("报告期超出计划期限", "Period after the plan's horizon", True),
    "implausible_jump": (
        "与上期相比变化异常（已保留，请核实）",
        "Implausible jump from the previous period (kept; please check)",
        True,
    ),
}


def _needs_check(category: Any) -> bool:
    """Unknown categories count as needing a check: better asked about than silently filed."""
    return QUARANTINE_CATEGORIES.get(str(category), ("", "", True))[2]


def _category_label(category: Any, lang: str) -> str:
    entry = QUARANTINE_CATEGORIES.get(str(category))
    return str(category) if entry is None else entry[0 if lang == "zh" else 1]


def quarantine_overview(quarantine: pd.DataFrame, lang: str = "zh") -> SafeHTML:
    """Counts by category, the rows someone must check first."""
    if quarantine is None or quarantine.empty or "category" not in quarantine:
        return SafeHTML("")
    counts = quarantine.groupby("category").size()
    act = {c: _needs_check(c) for c in counts.index}
    order = sorted(counts.index, key=lambda c: (not act[c], -int(counts[c]), c))
    rows = [
        {
            "category": _category_label(c, lang),
            "n": int(counts[c]),
            "action": ("需核实" if lang == "zh" else "to check")
            if act[c]
            else ("已按规则处理" if lang == "zh" else "handled by rule"),
        }
        for c in order
    ]
    return html_table(
        rows,
        {"category": t("col.category", lang), "n": t("col.count", lang), "action": t("col.action", lang)},
        numeric=["n"],
    )


def quarantine_to_check(quarantine: pd.DataFrame) -> pd.DataFrame:
    """The quarantined rows someone must act on (not those handled by rule), in file and row order."""
    if quarantine is None or quarantine.empty or "category" not in quarantine:
        return quarantine
    return quarantine[[_needs_check(c) for c in quarantine["category"]]]


def revisions_table(revisions: pd.DataFrame, plan: Plan, lang: str = "zh") -> SafeHTML:
    """Each revision: indicator, area, period, old and new value with where each came from, and why."""
    if revisions is None or revisions.empty:
        return SafeHTML("")

    def where(r: Mapping[str, Any], side: str) -> str:
        f, sheet, row = (r.get(f"{side}_source_{k}") for k in ("file", "sheet", "row"))
        sheet_txt = f"[{sheet}]" if not is_missing(sheet) and str(sheet) else ""
        return f"{f}{sheet_txt}:{row}"

    rows = []
    for r in revisions.to_dict("records"):
        iid = str(r.get("indicator_id", ""))
        name = plan.name(iid, lang) if iid in plan.indicators.index else iid
        rows.append(
            {
                "name": name,
                "geo": r.get("geo", ""),
                "period": r.get("period", ""),
                "old": r.get("old_value", ""),
                "new": r.get("new_value", ""),
                "old_src": where(r, "old"),
                "new_src": where(r, "new"),
                "reason": r.get("reason", ""),
            }
        )
    return html_table(
        rows,
        {
            "name": t("col.indicator", lang),
            "geo": t("col.geo", lang),
            "period": t("col.period", lang),
            "old": t("col.old_value", lang),
            "new": t("col.new_value", lang),
            "old_src": t("col.old_source", lang),
            "new_src": t("col.new_source", lang),
            "reason": t("col.reason", lang),
        },
        numeric=["old", "new"],
    )


def sources_summary(obs: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """One row per source file of the clean table: rows, indicators, period range, illustrative."""
    import pandas as pd

    cols = ["source_file", "rows", "indicators", "periods", "illustrative"]
    if obs is None or len(obs) == 0:
        return pd.DataFrame(columns=cols)
    out = []
    for src, grp in obs.groupby(obs["source_file"].fillna("").astype(str), sort=True):
        periods = sorted(grp["period_obj"])
        span = str(periods[0]) if periods[0] == periods[-1] else f"{periods[0]}–{periods[-1]}"
        out.append(
            {
                "source_file": src,
                "rows": len(grp),
                "indicators": grp["indicator_id"].nunique(),
                "periods": span,
                "illustrative": t("yes" if grp["illustrative"].any() else "no", lang),
            }
        )
    return pd.DataFrame(out, columns=cols)


def illustrative_summary(plan: Plan, obs: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Indicators with illustrative values: name, number of values and the periods they cover."""
    import pandas as pd

    cols = ["indicator_id", "name", "count", "periods"]
    if obs is None or len(obs) == 0 or "illustrative" not in obs:
        return pd.DataFrame(columns=cols)
    ill = obs[obs["illustrative"].astype(bool)]
    out = []
    for iid, grp in ill.groupby("indicator_id", sort=False):
        name = plan.name(iid, lang) if iid in plan.indicators.index else iid
        periods = sorted(grp["period_obj"])
        span = str(periods[0]) if periods[0] == periods[-1] else f"{periods[0]}–{periods[-1]}"
        out.append({"indicator_id": iid, "name": name, "count": len(grp), "periods": span})
    order = {iid: i for i, iid in enumerate(plan.indicators.index)}
    out.sort(key=lambda r: order.get(r["indicator_id"], len(order)))
    return pd.DataFrame(out, columns=cols)


# ----------------------------------------------------------------------------------------------
# Trajectory sections
# ----------------------------------------------------------------------------------------------
BENCHMARK_GEOS = ("全国", "江苏省")
# Benchmarks are drawn only for intensive measures (shares, ratios, indices) in the same unit:
# a province's count of enterprises is not comparable with a zone's.
COMPARABLE_KINDS = ("share", "ratio", "index")


def indicators_with_targets(plan: Plan) -> list[str]:
    """Plan indicators that have at least one target, in the plan's order."""
    have = set(plan.targets["indicator_id"])
    return [iid for iid in plan.indicators.index if iid in have]


def headline_indicator(plan: Plan) -> str:
    """The indicator the trajectories report leads with: ``plan.json`` ``headline_indicator``, else the
    first indicator of the plan's table (no. 1)."""
    iid = plan.meta.get("headline_indicator")
    if iid and iid in plan.indicators.index:
        return str(iid)
    numbered = [(int(no), i) for i, no in plan.indicators["no"].items() if str(no).strip().isdigit()]
    return min(numbered)[1] if numbered else str(plan.indicators.index[0])


def benchmark_series(ctx: ReportContext, iid: str) -> dict[str, pd.DataFrame]:
    """Annual benchmark values (全国, 江苏省) for an indicator, when comparable; label → year/value."""
    from .series import annual_values

    ind = ctx.plan.indicator(iid)
    if str(ind.get("kind", "")) not in COMPARABLE_KINDS:
        return {}
    out = {}
    for geo in BENCHMARK_GEOS:
        rows = ctx.obs[(ctx.obs["indicator_id"] == iid) & (ctx.obs["geo"] == geo)]
        if "unit" in rows:
            units = rows["unit"].fillna("").astype(str)
            rows = rows[(units == "") | (units == str(ind["unit"]))]
        if rows.empty:
            continue
        vals = annual_values(rows, ctx.plan, iid, geo=geo)
        if len(vals):
            key = f"geo.{geo}"
            out[t(key, ctx.lang) if key in TEXT else geo] = vals[["year", "value"]]
    return out


def trajectory_chart(ctx: ReportContext, iid: str, projection: Any = None) -> SafeHTML | None:
    """The trend chart of one indicator as embedded HTML, or None when it has no data at all."""
    from .charts import figure_html

    fig = trajectory_figure(ctx, iid, projection)
    if fig is None:
        return None
    name = ctx.plan.name(iid, ctx.lang)
    lang = ctx.lang
    alt = (
        f"{name}：{t('tr.series', lang)}、{t('tr.milestones', lang)}、{t('tr.target_path', lang)}"
        if lang == "zh"
        else f"{name}: {t('tr.series', lang)}, {t('tr.milestones', lang)}, {t('tr.target_path', lang)}"
    )
    return figure_html(fig, alt)


def trajectory_figure(ctx: ReportContext, iid: str, projection: Any = None) -> plt.Figure | None:
    """The trend chart of one indicator: complete annual values as the line, the latest in-year value
    as a separate point, milestones and target path, the projection fan and benchmarks."""
    from .charts import trend_chart
    from .series import annual_values, latest_value

    plan, lang = ctx.plan, ctx.lang
    hist = annual_values(ctx.obs, plan, iid)
    latest = latest_value(ctx.obs, plan, iid)
    if hist.empty and latest is None:
        return None
    milestones = plan.targets_for(iid)[["year", "target"]]
    baseline = None
    before = hist[hist["year"] < plan.start_year]
    if len(before):
        baseline = (int(before["year"].iloc[-1]), float(before["value"].iloc[-1]))
    partial = None
    if latest is not None and not latest.get("complete", True):
        from .periods import parse_period

        per = parse_period(latest["period"])
        partial = (per.year - 1 + per.end_month / 12.0, float(latest["value"]), str(per))
    proj = None
    if projection is not None and getattr(projection, "path", None) is not None and len(projection.path) > 1:
        path = projection.path
        proj = path.assign(year=path["time"] if "time" in path else path["year"])
        first = proj.iloc[0]
        fitted = getattr(projection, "history", None)  # may be quarter-ends: not the annual line
        if (
            partial is None
            and bool(first.get("observed", False))
            and float(first["year"]) % 1
            and fitted is not None
            and len(fitted)
            and "period" in fitted
        ):
            # a flow's year-to-date value (or an in-year level) the projection starts from
            partial = (float(first["year"]), float(first["median"]), str(fitted["period"].iloc[-1]))
    ind = plan.indicator(iid)
    name = plan.name(iid, lang)
    # Benchmarks only over the chart's own years (the zone's history and the plan).
    first_year = min([int(y) for y in hist["year"]] + [plan.start_year - 1])
    benchmarks = {k: v[v["year"] >= first_year] for k, v in benchmark_series(ctx, iid).items()}
    from .numbers import unit_label

    fig = trend_chart(
        hist[["year", "value"]],
        milestones,
        title=name,
        unit=unit_label(str(ind["unit"]), lang),
        lang=lang,
        direction=str(ind["direction"]),
        baseline=baseline,
        projection=proj,
        partial=partial,
        benchmarks={k: v for k, v in benchmarks.items() if len(v)},
    )
    return fig


# ----------------------------------------------------------------------------------------------
# Brief and trajectory text
# ----------------------------------------------------------------------------------------------
def projection_sentence(row: Mapping[str, Any], lang: str = "zh") -> str:
    """Plain text: the projection to the target year, its 80 % interval, p_meet and the status."""
    zh = lang == "zh"
    unit = str(_row_get(row, "unit") or "")
    status = str(_row_get(row, "status") or "insufficient_data")
    label = status_label(status, lang)
    latest, latest_period = _row_get(row, "latest_value"), _row_get(row, "latest_period")
    t_year, target = _row_get(row, "target_year"), _row_get(row, "target")
    proj, lo, hi = (_row_get(row, k) for k in ("projected_value", "projected_lo80", "projected_hi80"))
    p = _row_get(row, "p_meet")
    if target_year_closed(row):
        return closed_target_sentence(row, lang, with_name=False) + (
            f"状态：{label}。" if zh else f" Status: {label}."
        )
    parts = []
    if latest is not None:
        parts.append(
            f"最新值{fmt_number(latest, unit, lang=lang)}（{latest_period}）"
            if zh
            else f"latest value {fmt_number(latest, unit, lang=lang)} ({latest_period})"
        )
    if proj is not None and t_year is not None:
        rng = ""
        if lo is not None and hi is not None:
            rng = (
                f"（80%区间{fmt_number(lo, unit, lang=lang)}至{fmt_number(hi, unit, lang=lang)}）"
                if zh
                else f" (80% interval {fmt_number(lo, unit, lang=lang)} to {fmt_number(hi, unit, lang=lang)})"
            )
        parts.append(
            f"按目前趋势{int(t_year)}年预计为{fmt_number(proj, unit, lang=lang)}{rng}"
            if zh
            else f"projected {fmt_number(proj, unit, lang=lang)} in {int(t_year)}{rng}"
        )
    if p is not None:
        parts.append(
            f"达标概率约{fmt_percent(p)}（{likelihood_label(float(p), lang)}）"
            if zh
            else f"chance of meeting the target about {fmt_percent(p)} ({likelihood_label(float(p), lang)})"
        )
    elif target is not None:
        parts.append(
            "数据不足以估计达标概率" if zh else "not enough data to estimate the chance of meeting it"
        )
    if zh:
        return ("，".join(parts) + "。" if parts else "") + f"状态：{label}。"
    text = "; ".join(parts)
    return (text[:1].upper() + text[1:] + ". " if parts else "") + f"Status: {label}."


def headline_html(row: Mapping[str, Any], lang: str = "zh") -> SafeHTML:
    """The trajectories headline: the question (e.g. will R&D reach 5.5 % of GDP?) and the answer."""
    unit = str(_row_get(row, "unit") or "")
    question = t(
        "tr.headline_q",
        lang,
        name=_row_get(row, "name") or "",
        year=int(_row_get(row, "target_year") or 0),
        target=fmt_number(_row_get(row, "target"), unit, lang=lang),
    )
    return html_block(
        '<div class="gxq-headline"><b>{q}</b><br/>{light} {a}</div>',
        q=question,
        light=status_light(_row_get(row, "status"), lang),
        a=projection_sentence(row, lang),
    )


def lights_table(status: pd.DataFrame, lang: str = "zh") -> SafeHTML:
    """One row per indicator, one traffic light per target year (with p_meet), latest vs milestone."""
    if status is None or len(status) == 0:
        return SafeHTML("")
    years = sorted(int(y) for y in status["target_year"].unique())
    rows = []
    for _iid, grp in status.groupby("indicator_id", sort=False):
        first = grp.iloc[0]
        unit = str(first["unit"])
        rec: dict[str, Any] = {
            "name": first["name"],
            "latest": "—"
            if is_missing(first["latest_value"])
            else f"{fmt_number(first['latest_value'], unit, lang=lang)}（{first['latest_period']}）"
            if lang == "zh"
            else f"{fmt_number(first['latest_value'], unit, lang=lang)} ({first['latest_period']})",
        }
        for y in years:
            r = grp[grp["target_year"] == y]
            if r.empty:
                rec[f"y{y}"] = ""
                continue
            r = r.iloc[0]
            p = (
                ""
                if is_missing(r["p_meet"])
                else f"（{fmt_percent(r['p_meet'])}）"
                if lang == "zh"
                else f" ({fmt_percent(r['p_meet'])})"
            )
            rec[f"y{y}"] = SafeHTML(
                f"{esc(fmt_number(r['target'], unit, lang=lang))} {status_light(r['status'], lang)}{esc(p)}"
            )
        rows.append(rec)
    columns = {
        "name": t("col.indicator", lang),
        "latest": t("col.latest", lang),
        **{f"y{y}": t("br.milestone_col", lang, year=y) for y in years},
    }
    return html_table(rows, columns, numeric=["latest"], css_class="gxq-table gxq-lights")


def status_counts_by_year(status: pd.DataFrame, lang: str = "zh") -> SafeHTML:
    """One status_counts line per target year."""
    parts = []
    for y, grp in status.groupby("target_year", sort=True):
        parts.append(
            status_counts(grp["status"], lang, prefix=t("br.counts_year", lang, year=int(y), n=len(grp)))
        )
    return SafeHTML("".join(parts))


def latest_source(source_rows: Any) -> str:
    """The latest value's source from a status row's ``source_rows`` trace (its last entry)."""
    if is_missing(source_rows) or not str(source_rows).strip():
        return "—"
    return str(source_rows).split("; ")[-1]


def detail_table(status: pd.DataFrame, lang: str = "zh") -> SafeHTML:
    """Every status row: target, latest, status, p_meet, projection with interval, gap, note."""
    if status is None or len(status) == 0:
        return SafeHTML("")
    recs = []
    for r in status.to_dict("records"):
        unit = str(r.get("unit", ""))
        interval = (
            "—"
            if is_missing(r.get("projected_lo80"))
            else f"{fmt_number(r['projected_lo80'], unit, lang=lang)} – {fmt_number(r['projected_hi80'], unit, lang=lang)}"
        )
        recs.append(
            {
                "name": r.get("name"),
                "target_year": r.get("target_year"),
                "target": fmt_number(r.get("target"), unit, lang=lang),
                "latest": fmt_number(r.get("latest_value"), unit, lang=lang),
                "latest_period": r.get("latest_period"),
                "status": status_light(r.get("status"), lang),
                "p_meet": fmt_p_meet(r.get("p_meet"), lang),
                "projected": fmt_number(r.get("projected_value"), unit, lang=lang),
                "interval": interval,
                "note": translate_note(r.get("note", ""), lang),
                "source": latest_source(r.get("source_rows")),
            }
        )
    cols = {
        "name": t("col.indicator", lang),
        "target_year": t("col.target_year", lang),
        "target": t("col.target", lang),
        "latest": t("col.latest", lang),
        "latest_period": t("col.latest_period", lang),
        "status": t("col.status", lang),
        "p_meet": t("col.p_meet", lang),
        "projected": t("col.projected", lang),
        "interval": t("col.interval", lang),
        "note": t("col.note", lang),
        "source": t("col.latest_source", lang),
    }
    return html_table(recs, cols, numeric=["target_year", "target", "latest", "projected", "interval"])


def attention_list(
    status: pd.DataFrame, lang: str = "zh", pace: pd.DataFrame | None = None, limit: int = 5
) -> SafeHTML:
    """The few indicators needing attention, each with its generated sentence; then the data gaps."""
    top = needs_attention(status, pace, limit=limit)
    items = []
    pace_rows = {}
    if pace is not None and len(pace):
        for r in pace.to_dict("records"):
            pace_rows.setdefault(r["indicator_id"], r)
    for r in [] if top is None else top.to_dict("records"):
        sentence = attention_sentence(r, lang, pace=pace_rows.get(r["indicator_id"]))
        items.append(f"<li>{status_light(r['status'], lang)} {esc(sentence)}</li>")
    body = (
        f'<ul class="gxq-attention">{"".join(items)}</ul>'
        if items
        else f"<p>{esc(t('br.no_attention', lang))}</p>"
    )
    judged = set(status.loc[status["status"] != "insufficient_data", "indicator_id"])
    missing = status[~status["indicator_id"].isin(judged)].drop_duplicates("indicator_id")
    if len(missing):
        names = (
            "、".join(missing["name"].astype(str)) if lang == "zh" else ", ".join(missing["name"].astype(str))
        )
        body += f'<p class="gxq-muted">{esc(t("br.insufficient", lang, n=len(missing), names=names))}</p>'
    return SafeHTML(body)


def project(ctx: ReportContext, iid: str, target_year: int | None = None) -> Any:
    """The trajectory of one indicator to ``target_year`` (default: the plan's final year), as of the
    report period (:func:`trajectory.project_indicator`)."""
    from .trajectory import project_indicator

    return project_indicator(ctx.plan, ctx.obs, iid, int(target_year or ctx.final_year), as_of=ctx.period)


def assess(ctx: ReportContext) -> pd.DataFrame:
    """The status table as of the report period (:func:`status.assess_plan`)."""
    from .status import assess_plan

    return assess_plan(ctx.plan, ctx.obs, ctx.period, lang=ctx.lang)


def indicator_summary(status: pd.DataFrame, iid: str, lang: str = "zh") -> SafeHTML:
    """The status lines of one indicator (one per target year) for its trajectory section."""
    rows = status[status["indicator_id"] == iid]
    lines = []
    for r in rows.to_dict("records"):
        unit = str(r.get("unit", ""))
        head = (
            f"{int(r['target_year'])}年目标{fmt_number(r['target'], unit, lang=lang)}："
            if lang == "zh"
            else f"{int(r['target_year'])} target {fmt_number(r['target'], unit, lang=lang)}: "
        )
        lines.append(f"<li>{status_light(r['status'], lang)} {esc(head + projection_sentence(r, lang))}</li>")
    if not lines:
        return SafeHTML("")
    last = rows["source_rows"].iloc[-1] if "source_rows" in rows else None
    trace = "" if is_missing(last) else str(last).replace("; ", "，" if lang == "zh" else "; ")
    source = f'<p class="gxq-muted">{esc(t("tr.sources", lang))}{esc(trace)}</p>' if trace else ""
    return SafeHTML(f'<ul class="gxq-attention">{"".join(lines)}</ul>{source}')


def assess_pace(ctx: ReportContext) -> pd.DataFrame:
    """In-year pace as of the report period (:func:`pace.assess_pace`)."""
    from .pace import assess_pace as _assess_pace

    return _assess_pace(ctx.plan, ctx.obs, ctx.period, lang=ctx.lang)


def pace_table(pace: pd.DataFrame, lang: str = "zh") -> SafeHTML:
    """Year-to-date value, annual target, completion against 时间进度, projection, behind flag."""
    if pace is None or len(pace) == 0:
        return SafeHTML(f"<p>{esc(t('br.no_pace', lang))}</p>")
    from .numbers import fmt_completion

    recs = []
    for r in pace.to_dict("records"):
        unit = str(r.get("unit", ""))
        flag = r.get("behind_schedule")
        if is_missing(flag):
            behind_cell = status_light("insufficient_data", lang, label="—")
        else:
            behind = bool(flag)
            behind_cell = status_light(
                "limited_progress" if behind else "on_track", lang, label=t("yes" if behind else "no", lang)
            )
        recs.append(
            {
                "name": r.get("name"),
                "ytd": fmt_number(r.get("ytd_value"), unit, lang=lang),
                "annual_target": fmt_number(r.get("annual_target"), unit, lang=lang),
                "completion": fmt_completion(r.get("completion_rate")),
                "time_elapsed": fmt_percent(r.get("time_elapsed")),
                "projected": fmt_number(r.get("projected_annual"), unit, lang=lang),
                "behind": behind_cell,
            }
        )
    cols = {
        "name": t("col.indicator", lang),
        "ytd": t("col.ytd", lang),
        "annual_target": t("col.annual_target", lang),
        "completion": t("col.completion", lang),
        "time_elapsed": t("col.time_elapsed", lang),
        "projected": t("col.projected_annual", lang),
        "behind": t("col.behind", lang),
    }
    table = html_table(
        recs, cols, numeric=["ytd", "annual_target", "completion", "time_elapsed", "projected"]
    )
    return SafeHTML(f'{table}<p class="gxq-note">{esc(t("br.pace_defs", lang))}</p>')


def pace_figure(pace: pd.DataFrame, lang: str = "zh") -> SafeHTML | None:
    """Bars of completion against the 时间进度 line (embedded PNG)."""
    if pace is None or len(pace) == 0:
        return None
    from .charts import figure_html, pace_chart

    p = pace[pace["completion_rate"].notna()]
    if p.empty:
        return None
    elapsed = float(p["time_elapsed"].iloc[0])
    fig = pace_chart(
        p["name"].astype(str),
        p["completion_rate"].astype(float),
        elapsed,
        lang,
        behind=p["behind_schedule"].fillna(False).astype(bool),
    )
    alt = f"{t('col.completion', lang)} / {t('col.time_elapsed', lang)} {fmt_percent(elapsed)}"
    return figure_html(fig, alt)

"""Labels shown to readers, in Chinese (default) and English. Ids are stable (DESIGN §2)."""

from __future__ import annotations

STATUS_IDS = (
    "target_achieved",
    "on_track",
    "needs_acceleration",
    "limited_progress",
    "deterioration",
    "insufficient_data",
)

STATUS_LABELS = {
    # Open target years read as likelihoods (from P(meet), see forecast.Bands), closed ones as facts.
    "zh": {
        "target_achieved": "已达标",
        "on_track": "有望达标",
        "needs_acceleration": "有风险",
        "limited_progress": "难以达标",
        "deterioration": "偏离目标",
        "insufficient_data": "数据不足",
        "target_missed": "未达标",
    },
    "en": {
        "target_achieved": "Target achieved",
        "on_track": "Likely to be met",
        "needs_acceleration": "At risk",
        "limited_progress": "Unlikely to be met",
        "deterioration": "Moving away",
        "insufficient_data": "Insufficient data",
        "target_missed": "Target missed",
    },
}

# Traffic-light colours used by charts and the brief (colour-blind-safe where possible).
STATUS_COLOURS = {
    "target_achieved": "#1a7f37",
    "on_track": "#2da44e",
    "needs_acceleration": "#d4a72c",
    "limited_progress": "#e16f24",
    "deterioration": "#cf222e",
    "insufficient_data": "#8c959f",
    "target_missed": "#cf222e",
}

LANGS = ("zh", "en")


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def status_label(status: str, lang: str = "zh") -> str:
    return STATUS_LABELS[check_lang(lang)].get(status, status)


def likelihood_label(p: float | None, lang: str = "zh") -> str:
    """Calibrated wording for a probability (IPCC likelihood scale)."""
    if p is None or p != p:  # None or NaN
        return "无法估计" if lang == "zh" else "cannot be estimated"
    bands = [
        (0.90, "很可能", "very likely"),
        (0.66, "可能", "likely"),
        (0.33, "可能性一半左右", "about as likely as not"),
        (0.10, "不太可能", "unlikely"),
        (-1.0, "很不可能", "very unlikely"),
    ]
    for lo, zh, en in bands:
        if p >= lo:
            return zh if lang == "zh" else en
    raise AssertionError("unreachable")


# Method notes from progress / trajectory / status are written in English for analysts; reports in
# Chinese show them through this table. Each note is a "; "-joined list of fragments.
_NOTE_PATTERNS_ZH: list[tuple[str, str]] = [
    (r"no value for the target year (\d{4})", "目标年{0}年无数据"),
    (r"no observation up to the as-of period", "截至报告期无观测值"),
    (r"no observation", "无观测值"),
    (r"no target for (\d{4})", "{0}年无目标值"),
    (r"base (\S+)", "基期{0}"),
    (
        r"within ([\d.]+) pp of a bound target \(UNSD rule\)",
        "与边界目标相差不足{0}个百分点，按联合国统计司规则视为完成",
    ),
    # progress.py joins these two with "; ", so they arrive as two fragments.
    (r"latest complete year already at or beyond the target", "最近完整年度已达到目标"),
    (r"the target year is not complete", "目标年尚未结束"),
    (r"target year observed and short of the target by (\S+)", "目标年实际值距目标差{0}"),
    (r"one observation: growth needs at least two points in time", "仅一个观测值：计算增速至少需要两个时点"),
    (
        r"zero or negative base/value/target: linear change per year instead of CAGR",
        "基数、数值或目标为零：用年均线性变化代替复合增长率",
    ),
    (r"observed growth: least-squares trend over all points", "实际增速取全部时点的最小二乘趋势"),
    (r"regression growth needs 3 points: endpoint growth used", "回归增速需3个时点，改用首末两点增速"),
    (r"base point is not before the target year", "基期不早于目标年"),
    (
        r"base equals the target: ratio undefined, status from the sign of the change",
        "基期值等于目标，比值无定义，按变化方向判断",
    ),
    (
        r"base already beyond the target \(R uses \|required growth\|\)",
        "基期已超过目标（比值按所需增速的绝对值计算）",
    ),
    (
        r"seasonal model needs a Q4 level and at least (\d+) degrees of freedom \((\d+) quarter-end points for (\d+) "
        r"parameters\)",
        "季节模型需要第四季度数值且自由度至少为{0}（现有{1}个季末数据、{2}个参数）",
    ),
    (
        r"needs at least (\d+) points at distinct times for a trend with a predictive interval \(has (\d+)\)",
        "趋势预测至少需要{0}个不同时点的数据（现有{1}个）",
    ),
    (r"target year is not after the latest observation", "目标年不晚于最新观测"),
    (
        r"needs at least (\d+) annual points for a calibrated forecast \(has (\d+)\)",
        "校准预测至少需要{0}个年度数据点（现有{1}个）",
    ),
    (r"in-year nowcast from (\S+) and (\d+) earlier year\(s\)", "按{0}数据和往年{1}年同期进度推算本年"),
    (r"latest level (\S+)", "最新水平取{0}"),
    (
        r"no calibrated forecast for positions \(ranks\): the public panel holds no ranking series",
        "排名为位次，公开数据中无可校准的排名序列，不给出概率",
    ),
    (
        r"year-to-date (\S+) not used: no earlier year with the same month to scale it",
        "{0}累计值无往年同期可比，未用于预测",
    ),
    (
        r"target on its bound: met within 1 pp \(effective (\S+)\)",
        "目标位于边界：差距不足1个百分点即视为完成（有效目标{0}）",
    ),
    (r"year-to-date total already at the target", "本年累计已达到全年目标"),
    (
        r"target on its bound: met within ([\d.]+) pp \(effective (\S+)\)",
        "目标位于边界：差距不足{0}个百分点即视为完成（有效目标{1}）",
    ),
    (r"residual SD floored", "残差标准差取下限"),
    (r"the target year's value is observed", "目标年数值已观测"),
    # pace.py
    (r"completion (-?\d+)% against (-?\d+)% expected by (\S+)", "截至{2}完成{0}%，按往年进度应完成{1}%"),
    (
        r"no (\d{4}) year-end level: completion of the year's increase cannot be measured",
        "缺少{0}年末数，无法计算本年增量的完成度",
    ),
    (
        r"no earlier year with the same month: straight-line annualisation",
        "无往年同期数据，按时间进度线性折算全年",
    ),
    (r"target already reached at the start of the year", "年初已达到目标"),
    (r"one earlier year: projection without an interval", "仅有一年往年同期数据，预测不给区间"),
    (r"annual target is zero", "全年目标为零"),
]


def translate_note(note: object, lang: str = "zh") -> str:
    """A method note in the report's language. English notes pass through unchanged for ``en``;
    for ``zh`` each fragment is translated, and an unknown fragment is kept as written (a test checks
    that the shipped data produce none)."""
    import re

    text = "" if note is None or note != note else str(note)
    if lang != "zh" or not text:
        return text
    out = []
    for fragment in text.split("; "):
        inner = fragment
        prefix = ""
        if inner.startswith("p_meet: "):
            prefix, inner = "达标概率：", inner[len("p_meet: ") :]
        for pattern, template in _NOTE_PATTERNS_ZH:
            m = re.fullmatch(pattern, inner)
            if m:
                inner = template.format(*m.groups())
                break
        out.append(prefix + inner)
    return "；".join(out)


def untranslated_fragments(note: object) -> list[str]:
    """Fragments of a note that :func:`translate_note` has no Chinese for."""
    import re

    text = "" if note is None or note != note else str(note)
    missing = []
    for fragment in filter(None, text.split("; ")):
        inner = fragment.removeprefix("p_meet: ")
        if not any(re.fullmatch(p, inner) for p, _ in _NOTE_PATTERNS_ZH):
            missing.append(fragment)
    return missing


def lookup_text(table: dict[str, dict[str, str]], key: str, lang: str = "zh", **values) -> str:
    """The string ``key`` of a report-text table in ``lang``, formatted with ``values``.
    Values are NOT escaped here: escape the result before it goes into HTML or Markdown."""
    check_lang(lang)
    entry = table.get(key)
    if entry is None:
        raise KeyError(f"no report text for {key!r}")
    text = entry[lang]
    return text.format(**values) if values else text

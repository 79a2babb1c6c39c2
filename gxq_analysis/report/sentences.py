"""Plain-language sentences generated from the status table (closed targets, attention, projections)
and the choice of the few indicators that need attention; shared by the brief, the trajectories page
and the summary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..i18n import check_lang, likelihood_label, status_label
from .numbers import fmt_completion, fmt_gap, fmt_number, fmt_percent, is_missing


def _row_get(row: Mapping[str, Any], key: str) -> Any:
    value = row.get(key) if hasattr(row, "get") else None
    return None if is_missing(value) else value


def target_year_closed(row: Mapping[str, Any]) -> bool:
    """True when the row's target year had ended by its as-of period: the outcome is known, so a
    projection, its interval and p_meet say nothing more than met / missed."""
    t_year, as_of = _row_get(row, "target_year"), _row_get(row, "as_of")
    if t_year is None or as_of is None:
        return False
    from ..model.periods import Period, parse_period

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

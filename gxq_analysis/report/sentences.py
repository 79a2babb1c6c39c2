"""Plain-language sentences generated from the status table (closed targets, attention, projections)
and the choice of the few indicators that need attention; shared by the brief, the trajectories page
and the summary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..i18n import check_lang, likelihood_label, status_label, text
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


def _s(key: str, lang: str, **values: Any) -> str:
    return text("report_sentences", key, lang, **values)


def closed_target_sentence(row: Mapping[str, Any], lang: str = "zh", with_name: bool = True) -> str:
    """Plain text for a target year that has ended: the outcome and, if missed, by how much."""
    name = str(_row_get(row, "name") or _row_get(row, "indicator_id") or "") if with_name else ""
    prefix = _s("name_prefix", lang, name=name) if name else ""
    unit = str(_row_get(row, "unit") or "")
    t_year, target = int(_row_get(row, "target_year")), _row_get(row, "target")
    latest, period = _row_get(row, "latest_value"), _row_get(row, "latest_period")
    status = str(_row_get(row, "status") or "insufficient_data")
    target_txt = fmt_number(target, unit, lang=lang)
    if latest is None or status == "insufficient_data":
        return _s("closed.no_data", lang, prefix=prefix, year=t_year, target=target_txt)
    met = status == "target_achieved"
    gap = float(latest) - float(target)
    outcome = _s("closed.met", lang) if met else _s("closed.missed", lang, gap=fmt_gap(gap, unit, lang))
    return _s(
        "closed.sentence",
        lang,
        prefix=prefix,
        year=t_year,
        value=fmt_number(latest, unit, lang=lang),
        period=period,
        target=target_txt,
        outcome=outcome,
    )


def _interval(lo: Any, hi: Any, unit: str, lang: str) -> str:
    if lo is None or hi is None:
        return ""
    return _s("interval", lang, lo=fmt_number(lo, unit, lang=lang), hi=fmt_number(hi, unit, lang=lang))


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
    m_year = _row_get(row, "milestone_year")
    m_target = _row_get(row, "milestone_target")
    t_year = _row_get(row, "target_year")
    target = _row_get(row, "target")
    proj = _row_get(row, "projected_value")
    p = _row_get(row, "p_meet")
    lower_better = str(_row_get(row, "direction") or "higher") == "lower"
    if target_year_closed(row):
        return closed_target_sentence(row, lang)
    if status == "insufficient_data" or latest is None:
        return _s("att.no_data", lang, name=name)
    parts = [
        _s(
            "att.latest",
            lang,
            name=name,
            value=fmt_number(latest, unit, lang=lang),
            period=_row_get(row, "latest_period"),
        )
    ]
    if m_target is not None and m_year is not None:
        gap = float(m_target) - float(latest)
        short = gap < 0 if lower_better else gap > 0
        parts.append(
            _s(
                "att.milestone_short" if short else "att.milestone_reached",
                lang,
                year=int(m_year),
                target=fmt_number(m_target, unit, lang=lang),
                gap=fmt_gap(gap, unit, lang),
            )
        )
    if pace is not None and _row_get(pace, "completion_rate") is not None and _row_get(pace, "time_elapsed"):
        parts.append(
            _s(
                "att.pace",
                lang,
                # 99.96 % reads 99.9 %, never 100 %
                completion=fmt_completion(_row_get(pace, "completion_rate")),
                elapsed=fmt_percent(_row_get(pace, "time_elapsed")),
            )
        )
    if proj is not None and t_year is not None and target is not None:
        parts.append(
            _s(
                "att.projection",
                lang,
                year=int(t_year),
                value=fmt_number(proj, unit, lang=lang),
                interval=_interval(
                    _row_get(row, "projected_lo80"), _row_get(row, "projected_hi80"), unit, lang
                ),
                target=fmt_number(target, unit, lang=lang),
            )
        )
    if p is not None:
        parts.append(_s("att.p_meet", lang, p=fmt_percent(p), likelihood=likelihood_label(float(p), lang)))
    return _s("join", lang).join(parts) + _s("att.end", lang, label=label)


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
    unit = str(_row_get(row, "unit") or "")
    status = str(_row_get(row, "status") or "insufficient_data")
    label = status_label(status, lang)
    latest, latest_period = _row_get(row, "latest_value"), _row_get(row, "latest_period")
    t_year, target = _row_get(row, "target_year"), _row_get(row, "target")
    proj = _row_get(row, "projected_value")
    p = _row_get(row, "p_meet")
    if target_year_closed(row):
        return closed_target_sentence(row, lang, with_name=False) + _s("status_after", lang, label=label)
    parts = []
    if latest is not None:
        parts.append(_s("proj.latest", lang, value=fmt_number(latest, unit, lang=lang), period=latest_period))
    if proj is not None and t_year is not None:
        interval = _interval(_row_get(row, "projected_lo80"), _row_get(row, "projected_hi80"), unit, lang)
        parts.append(
            _s(
                "proj.projection",
                lang,
                year=int(t_year),
                value=fmt_number(proj, unit, lang=lang),
                interval=interval,
            )
        )
    if p is not None:
        parts.append(_s("proj.p_meet", lang, p=fmt_percent(p), likelihood=likelihood_label(float(p), lang)))
    elif target is not None:
        parts.append(_s("proj.no_p", lang))
    body = _s("join", lang).join(parts)
    body = body[:1].upper() + body[1:]  # a sentence starts with a capital (no effect on Chinese)
    return (body + _s("proj.parts_end", lang) if parts else "") + _s("status_end", lang, label=label)

"""The leader's one-page summary (summary.html → summary.pdf): a headline, one line per indicator, the
few items needing attention.

Every verdict comes from the status table of :func:`status.assess_plan` (its ``status`` ids, DESIGN §2)
and is worded through :func:`i18n.status_label`, so when the verdict model changes this page follows.
"What changed since last quarter" is the same table computed as of the previous quarter, compared
target by target (:func:`compare_verdicts`); value changes compare the latest value known at the report
period with the one known a quarter and a year earlier (:func:`value_changes`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..i18n import STATUS_COLOURS, catalogue, check_lang, lookup_text, status_label
from ..model.periods import FREQ_ANNUAL, Period, parse_period
from .context import any_illustrative
from .html import esc, html_page
from .numbers import COUNT_UNITS, EN_SCALED_UNITS, fmt_change, fmt_percent, fmt_value
from .sentences import closed_target_sentence, needs_attention, target_year_closed

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..assess.period import PeriodAssessment
    from ..model.plan import Plan

# Order of the status ids from best to worst, used only to say whether a verdict improved. Ids this
# table does not know (a new verdict band) and insufficient_data are "changed", never better/worse.
STATUS_RANK = {
    "target_achieved": 6,
    "on_track": 5,
    "needs_acceleration": 4,
    "limited_progress": 3,
    "deterioration": 2,
    "target_missed": 1,
}
# Reading order of the status counts in the headline (ids not listed come after, in table order).
HEADLINE_ORDER = (
    "target_achieved",
    "on_track",
    "needs_acceleration",
    "limited_progress",
    "deterioration",
    "target_missed",
    "insufficient_data",
)

TEXT: dict[str, dict[str, str]] = catalogue("report_summary")  # gxq_analysis/i18n/report_summary.json


def t(key: str, lang: str = "zh", **values: Any) -> str:
    return lookup_text(TEXT, key, lang, **values)


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v != v


# ----------------------------------------------------------------------------------------------
# Comparison periods
# ----------------------------------------------------------------------------------------------
def previous_quarter(period: Period | str) -> Period:
    """The quarter before the report period (for an annual report: the year's Q3)."""
    per = parse_period(period)
    if per.freq == FREQ_ANNUAL:
        return Period.quarter(per.year, 3)
    return per.to_quarter().previous()


def year_earlier(period: Period | str) -> Period:
    """The same period one year earlier (2019Q3 → 2018Q3, 2019 → 2018)."""
    per = parse_period(period)
    return Period(per.year - 1, per.freq, per.number)


# ----------------------------------------------------------------------------------------------
# Verdict and value changes
# ----------------------------------------------------------------------------------------------
def compare_verdicts(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Target by target (indicator, target year), the verdict now against the verdict as of the
    previous quarter. Column ``change``: ``better``/``worse`` by :data:`STATUS_RANK`, ``changed`` when
    either side has no rank (insufficient data, an id this table does not know), ``same``, or ``new``
    when the target was not assessed then."""
    import pandas as pd

    keys = ["indicator_id", "target_year"]
    prev = (
        previous[keys + ["status"]].rename(columns={"status": "previous_status"})
        if len(previous)
        else pd.DataFrame(columns=keys + ["previous_status"])
    )
    merged = current.merge(prev, on=keys, how="left")

    def change(now: Any, before: Any) -> str:
        if _missing(before):
            return "new"
        if now == before:
            return "same"
        a, b = STATUS_RANK.get(str(now)), STATUS_RANK.get(str(before))
        if a is None or b is None:
            return "changed"
        return "better" if a > b else "worse"

    merged["change"] = [change(n, b) for n, b in zip(merged["status"], merged["previous_status"])]
    return merged


def _comparable(now_period: Any, then_period: Any, accumulation: str, same_position: bool) -> bool:
    """Whether two latest values can be compared: both present, different periods of the same kind, and
    for year-to-date flows the same point in the year (a Q3 total against a Q2 total is not a change)."""
    if _missing(now_period) or _missing(then_period) or str(now_period) == str(then_period):
        return False
    try:
        a, b = parse_period(now_period), parse_period(then_period)
    except ValueError:
        return False
    if a.freq != b.freq:
        return False
    return not (accumulation == "flow" and (a.end_month != b.end_month or not same_position))


def value_changes(current: pd.DataFrame, quarter_ago: pd.DataFrame, year_ago: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator: latest value and period now, and its change against the latest value known
    a quarter earlier and a year earlier (NaN when not comparable: no new data, different kinds of
    period, or a year-to-date flow compared within the year)."""
    import pandas as pd

    def first(df: pd.DataFrame) -> pd.DataFrame:
        if df is None or len(df) == 0:
            return pd.DataFrame(columns=["indicator_id", "latest_value", "latest_period"]).set_index(
                "indicator_id"
            )
        return df.drop_duplicates("indicator_id").set_index("indicator_id")[["latest_value", "latest_period"]]

    now = current.drop_duplicates("indicator_id").set_index("indicator_id")
    q, y = first(quarter_ago), first(year_ago)
    rows = []
    for iid, r in now.iterrows():
        acc = str(r.get("accumulation") or "stock")
        rec = {"indicator_id": iid, "latest_value": r["latest_value"], "latest_period": r["latest_period"]}
        for label, other, same_position in (("qoq", q, False), ("yoy", y, True)):
            then_v = other["latest_value"].get(iid) if iid in other.index else None
            then_p = other["latest_period"].get(iid) if iid in other.index else None
            ok = (
                _comparable(r["latest_period"], then_p, acc, same_position)
                and not _missing(then_v)
                and not _missing(r["latest_value"])
            )
            rec[f"{label}_change"] = (
                float(r["latest_value"]) - float(then_v) if ok and then_v is not None else float("nan")
            )
            rec[f"{label}_from_period"] = then_p if ok else None
        rows.append(rec)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------------
# The summary
# ----------------------------------------------------------------------------------------------
@dataclass
class Summary:
    period: Period
    previous: Period
    lang: str
    status: pd.DataFrame
    verdicts: pd.DataFrame  # compare_verdicts(status, status as of the previous quarter)
    values: pd.DataFrame  # value_changes(...)
    attention: pd.DataFrame
    illustrative: bool
    cutoff_label: str
    extra: dict = field(default_factory=dict)


def build_summary(
    plan: Plan,
    obs: pd.DataFrame,
    period: Period | str,
    lang: str = "zh",
    attention_limit: int = 4,
    assessment: PeriodAssessment | None = None,
) -> Summary:
    """Everything the summary page shows, computed from the status table as of ``period``, the previous
    quarter and a year earlier (only data up to each of those periods). With the period's
    ``assessment`` (what the pack's other pages show), its statuses are used, not computed again."""
    from ..assess.status import assess_plan
    from ..model.observations import filter_as_of
    from ..model.series import data_cutoff

    check_lang(lang)
    per = parse_period(period)
    obs_cut = filter_as_of(obs, per) if len(obs) else obs
    prev_per, year_per = previous_quarter(per), year_earlier(per)
    pace = None
    if assessment is not None:
        if assessment.period != str(per) or assessment.lang != lang:
            raise ValueError(
                f"the assessment is for {assessment.period} ({assessment.lang}), not {per} ({lang})"
            )
        status = assessment.status
        before = assessment.previous_status if assessment.previous_status is not None else status.iloc[0:0]
        year_ago = assessment.year_ago_status if assessment.year_ago_status is not None else status.iloc[0:0]
        pace = assessment.pace if per.freq != FREQ_ANNUAL else None
    else:
        status = assess_plan(plan, obs_cut, per, lang=lang)
        before = assess_plan(plan, obs, prev_per, lang=lang) if len(obs) else status.iloc[0:0]
        year_ago = assess_plan(plan, obs, year_per, lang=lang) if len(obs) else status.iloc[0:0]
        try:
            from ..assess.pace import assess_pace

            pace = assess_pace(plan, obs_cut, per, lang=lang) if per.freq != FREQ_ANNUAL else None
        except Exception:  # the pace table is optional here: attention falls back to verdicts alone
            pace = None
    verdicts = compare_verdicts(status, before)
    values = value_changes(status, before, year_ago)
    attention = needs_attention(status, pace, limit=attention_limit)
    zone_obs = obs_cut[obs_cut["geo"] == plan.zone_geo] if len(obs_cut) else obs_cut
    cutoff = data_cutoff(obs_cut, plan.zone_geo) if len(obs_cut) else None
    return Summary(
        period=per,
        previous=prev_per,
        lang=lang,
        status=status,
        verdicts=verdicts,
        values=values,
        attention=attention,
        illustrative=any_illustrative(status, zone_obs),
        cutoff_label=cutoff.label(lang) if cutoff is not None else "—",
        extra={"pace": pace},
    )


def _names(df: pd.DataFrame, lang: str, limit: int = 4) -> str:
    names = list(dict.fromkeys(df["name"].astype(str)))
    more = len(names) - limit
    text = t("sep", lang).join(names[:limit])
    if more > 0:
        text += t("more_names", lang, n=len(names), more=more)
    return text


def headline_sentences(s: Summary, lang: str | None = None) -> list[str]:
    """Plain-text sentences: per target year, how many targets have each verdict (worded by the status
    labels); then what changed since the previous quarter."""
    lang = lang or s.lang
    out = []
    for year, grp in s.status.groupby("target_year", sort=True):
        counts = grp["status"].fillna("insufficient_data").astype(str).value_counts()
        order = [sid for sid in HEADLINE_ORDER if sid in counts] + [
            sid for sid in counts.index if sid not in HEADLINE_ORDER
        ]
        parts = t("sep", lang).join(
            t("count_part", lang, label=status_label(sid, lang), n=int(counts[sid])) for sid in order
        )
        out.append(t("counts", lang, year=int(year), n=len(grp), parts=parts))
    v = s.verdicts
    prev = s.previous.label(lang)
    clauses = []
    for kind in ("better", "worse", "changed"):
        sub = v[v["change"] == kind]
        if len(sub):
            clauses.append(
                t(
                    "other" if kind == "changed" else kind,
                    lang,
                    n=len(sub),
                    names=_names(sub, lang),
                    targets="target" if len(sub) == 1 else "targets",
                )
            )
    out.append(
        t("changes", lang, prev=prev, parts=t("sep_clause", lang).join(clauses))
        if clauses
        else t("changes_none", lang, prev=prev)
    )
    return out


def summary_rows(s: Summary, lang: str | None = None) -> list[dict]:
    """One record per indicator (plan order) with raw values: for the page and for tables.xlsx."""
    lang = lang or s.lang
    values = s.values.set_index("indicator_id") if len(s.values) else None
    rows = []
    # the table as records once, grouped in order (a to_dict per indicator costs a column lookup
    # per column of the wide status table each time)
    groups: dict[str, list[dict]] = {}
    for r in s.status.to_dict("records"):
        groups.setdefault(r["indicator_id"], []).append(r)
    for iid, grp in groups.items():
        first = grp[0]
        rec = {
            "indicator_id": iid,
            "name": first["name"],
            "unit": first["unit"],
            "direction": first.get("direction"),
            "latest_value": first["latest_value"],
            "latest_period": first["latest_period"],
            "source": _latest_source(first.get("source_rows")),
            "illustrative": bool(first.get("illustrative")),
        }
        if values is not None and iid in values.index:
            rec["qoq_change"] = values.at[iid, "qoq_change"]
            rec["yoy_change"] = values.at[iid, "yoy_change"]
        for r in grp:
            y = int(r["target_year"])
            rec[f"target_{y}"] = r["target"]
            rec[f"status_{y}"] = r["status"]
            rec[f"p_meet_{y}"] = r["p_meet"]
        rows.append(rec)
    return rows


def summary_values_table(s: Summary, lang: str | None = None) -> tuple[list[str], list[list[Any]]]:
    """The summary's figures as raw numbers with unit and source (header, rows), for tables.xlsx."""
    lang = lang or s.lang
    years = sorted(int(y) for y in s.status["target_year"].unique())
    en = lang == "en"
    header = [
        t(f"xlsx.{k}", lang) for k in ("indicator", "unit", "latest_value", "latest_period", "qoq", "yoy")
    ]
    for y in years:
        header += [
            t("xlsx.target_y", lang, y=y),
            t("xlsx.verdict_y", lang, y=y),
            t("xlsx.p_meet_y", lang, y=y),
        ]
    header.append(t("xlsx.source", lang))

    def num(v: Any) -> Any:
        return None if _missing(v) else round(float(v), 6)

    rows = []
    for r in summary_rows(s, lang):
        unit = str(r["unit"])
        row = [
            r["name"],
            _en_unit(unit) if en else unit,
            num(r["latest_value"]),
            None if _missing(r["latest_period"]) else str(r["latest_period"]),
            num(r.get("qoq_change")),
            num(r.get("yoy_change")),
        ]
        for y in years:
            if f"status_{y}" in r:
                row += [
                    num(r[f"target_{y}"]),
                    status_label(str(r[f"status_{y}"]), lang),
                    num(r[f"p_meet_{y}"]),
                ]
            else:
                row += [None, None, None]
        row.append(r["source"] or None)
        rows.append(row)
    return header, rows


def _en_unit(unit: str) -> str:

    if unit in EN_SCALED_UNITS:
        factor, base = EN_SCALED_UNITS[unit]
        return f"{factor:,.0f} {base}"
    return "count" if unit in COUNT_UNITS else unit


def _latest_source(trace: Any) -> str:
    if _missing(trace) or not str(trace).strip():
        return ""
    return str(trace).split("; ")[-1]


def attention_line(row: Any, lang: str = "zh") -> str:
    """A short plain-text line for one item needing attention: verdict, latest value against the nearest
    milestone, projection and chance (the brief carries the full sentence with its interval and pace)."""

    def get(k):
        return None if _missing(row.get(k)) else row.get(k)

    name, unit = str(get("name") or get("indicator_id") or ""), str(get("unit") or "")
    label = status_label(str(get("status") or "insufficient_data"), lang)
    if target_year_closed(row):
        return closed_target_sentence(row, lang)
    if get("latest_value") is None:
        return t("attention_no_data", lang, name=name, label=label)
    parts = [
        t("line.latest", lang, value=fmt_value(get("latest_value"), unit, lang), period=get("latest_period"))
    ]
    if get("target") is not None and get("target_year") is not None:
        y = int(get("target_year"))
        target = fmt_value(get("target"), unit, lang)
        if get("projected_value") is not None:
            value = fmt_value(get("projected_value"), unit, lang)
            parts.append(t("line.trend", lang, year=y, value=value, target=target))
        else:
            parts.append(t("line.target", lang, year=y, target=target))
    if get("p_meet") is not None:
        parts.append(t("line.p_meet", lang, p=fmt_percent(get("p_meet"))))
    return t("attention_line", lang, name=name, label=label, parts=t("sep_parts", lang).join(parts))


# ----------------------------------------------------------------------------------------------
# HTML
# ----------------------------------------------------------------------------------------------
def _arrow(change: float, unit: str, direction: Any, lang: str) -> str:
    """'↑3家' / '↓0.4个百分点' in a span coloured by whether the move is good for this indicator."""

    if _missing(change):
        return '<span class="gxq-sum-na">—</span>'
    text = fmt_change(change, unit, lang)
    if change == 0:
        return f'<span class="gxq-sum-flat">{esc(text)}</span>'
    good = (change > 0) == (str(direction or "higher") != "lower")
    return f'<span class="{"gxq-sum-good" if good else "gxq-sum-bad"}">{esc(text)}</span>'


def _verdict_cell(target: Any, status: Any, p: Any, unit: str, lang: str) -> str:

    sid = "insufficient_data" if _missing(status) else str(status)
    colour = STATUS_COLOURS.get(sid, STATUS_COLOURS["insufficient_data"])
    prob = "" if _missing(p) else t("paren", lang, text=fmt_percent(p))
    return (
        f'<span class="gxq-sum-target">{esc(fmt_value(target, unit, lang))}</span> '
        f'<span class="gxq-sum-verdict-word"><span class="gxq-light" style="background:{esc(colour)}"></span>'
        f'<span class="gxq-status-{esc(sid)}">{esc(status_label(sid, lang))}</span>{esc(prob)}</span>'
    )


def summary_html(
    s: Summary, *, plan_title: str, generated: str, version: str, css: str, banner: str = ""
) -> str:
    """The self-contained one-page summary (A4 portrait, print CSS inline). ``banner`` is the plain
    text of the 示例数据 banner, shown when the summary is built on illustrative data."""

    lang = s.lang
    years = sorted(int(y) for y in s.status["target_year"].unique())
    head = "".join(
        f"<th>{esc(h)}</th>"
        for h in (
            t("col.indicator", lang),
            t("col.latest", lang),
            t("col.qoq", lang),
            t("col.yoy", lang),
            *[t("col.target", lang, year=y) for y in years],
        )
    )
    body = []
    rows = summary_rows(s, lang)
    # Indicators whose every target lacks the data to judge share one line (their names), so the page
    # stays one page and the judged targets stand out.
    no_data = [
        r
        for r in rows
        if all(r.get(f"status_{y}") in (None, "insufficient_data") for y in years if f"status_{y}" in r)
    ]
    for r in rows:
        if r in no_data:
            continue
        unit = str(r["unit"])
        latest = (
            "—"
            if _missing(r["latest_value"])
            else (
                f'<span class="gxq-sum-value">{esc(fmt_value(r["latest_value"], unit, lang))}</span>'
                f'<span class="gxq-sum-period">{esc(t("paren_open", lang))}{esc(r["latest_period"])}'
                f"{esc(t('paren_close', lang))}</span>"
            )
        )
        cells = [
            f'<td class="gxq-sum-name">{esc(r["name"])}</td>',
            f'<td class="num">{latest}</td>',
            f'<td class="num">{_arrow(r.get("qoq_change", float("nan")), unit, r["direction"], lang)}</td>',
            f'<td class="num">{_arrow(r.get("yoy_change", float("nan")), unit, r["direction"], lang)}</td>',
        ]
        for y in years:
            verdict = (
                _verdict_cell(r[f"target_{y}"], r[f"status_{y}"], r[f"p_meet_{y}"], unit, lang)
                if f"status_{y}" in r
                else ""
            )
            cells.append(f'<td class="gxq-sum-verdict">{verdict}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    items = []
    for r in [] if s.attention is None else s.attention.to_dict("records"):
        colour = STATUS_COLOURS.get(str(r["status"]), STATUS_COLOURS["insufficient_data"])
        items.append(
            f'<li><span class="gxq-light" style="background:{esc(colour)}"></span>'
            f"{esc(attention_line(r, lang))}</li>"
        )
    attention = (
        f'<ol class="gxq-sum-attention">{"".join(items)}</ol>'
        if items
        else f"<p>{esc(t('no_attention', lang))}</p>"
    )
    headline = "".join(f"<p>{esc(x)}</p>" for x in headline_sentences(s, lang))
    if no_data:
        colour = STATUS_COLOURS["insufficient_data"]
        names = t("sep", lang).join(str(r["name"]) for r in no_data)
        body.append(
            f'<tr class="gxq-sum-nodata"><td colspan="{4 + len(years)}">'
            f'<span class="gxq-light" style="background:{esc(colour)}"></span>'
            f"{esc(t('no_data_line', lang, n=len(no_data), label=status_label('insufficient_data', lang), names=names))}"
            "</td></tr>"
        )
    banner_html = (
        f'<div class="gxq-banner" role="alert">{esc(banner)}</div>' if s.illustrative and banner else ""
    )
    title = f"{t('title', lang)} · {s.period.label(lang)}"
    main = f"""<main class="gxq-summary gxq-summary-{esc(lang)}">
<header class="gxq-sum-head">
  <div class="gxq-cover-kicker">{esc(plan_title)}</div>
  <h1>{esc(title)}</h1>
  <div class="gxq-sum-facts">{esc(t("cutoff", lang))}：{esc(s.cutoff_label)} · {esc(t("generated", lang))}：{esc(generated)} · {esc(t("version", lang))}：{esc(version)}</div>
  {banner_html}
</header>
<section class="gxq-sum-headline">{headline}</section>
<table class="gxq-table gxq-sum-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>
<h2>{esc(t("attention", lang))}</h2>
{attention}
<p class="gxq-muted gxq-sum-note">{esc(t("note", lang))}</p>
</main>
"""
    return html_page(lang, title, css, main, body_class="gxq-summary-page")

"""The quarterly brief (30): traffic lights, in-year pace against 时间进度, attention list, detail."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..i18n import translate_note
from .context import ReportContext, assess_pace, pack_figure
from .html import SafeHTML, esc, html_table, status_counts, status_light
from .numbers import fmt_completion, fmt_number, fmt_p_meet, fmt_percent, is_missing
from .pack_files import PACE_FIGURE
from .sentences import attention_sentence, needs_attention
from .svg_charts import pace_svg
from .svg_draw import svg_html
from .text import t


def lights_table(status: pd.DataFrame, lang: str = "zh") -> SafeHTML:
    """One row per indicator, one traffic light per target year (with p_meet), latest vs milestone."""
    if status is None or len(status) == 0:
        return SafeHTML("")
    years = sorted(int(y) for y in status["target_year"].unique())
    # each indicator's status rows by target year, in the table's order (the first row of a year
    # counts): plain records, not a group and a mask per indicator and year
    by_indicator: dict[Any, dict[int, dict[str, Any]]] = {}
    for r in status.to_dict("records"):
        by_indicator.setdefault(r["indicator_id"], {}).setdefault(int(r["target_year"]), r)
    rows = []
    for per_year in by_indicator.values():
        first = next(iter(per_year.values()))
        unit = str(first["unit"])
        rec: dict[str, Any] = {
            "name": first["name"],
            "latest": "—"
            if is_missing(first["latest_value"])
            else t(
                "fmt.value_period",
                lang,
                value=fmt_number(first["latest_value"], unit, lang=lang),
                period=first["latest_period"],
            ),
        }
        for y in years:
            r = per_year.get(y)
            if r is None:
                rec[f"y{y}"] = ""
                continue
            p = "" if is_missing(r["p_meet"]) else t("fmt.paren", lang, text=fmt_percent(r["p_meet"]))
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
    pace_rows: dict[str, dict] = {}
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
        names = t("sep.names", lang).join(missing["name"].astype(str))
        body += f'<p class="gxq-muted">{esc(t("br.insufficient", lang, n=len(missing), names=names))}</p>'
    return SafeHTML(body)


def pace_table(pace: pd.DataFrame, lang: str = "zh") -> SafeHTML:
    """Year-to-date value, annual target, completion against 时间进度, projection, behind flag."""
    if pace is None or len(pace) == 0:
        return SafeHTML(f"<p>{esc(t('br.no_pace', lang))}</p>")

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
    """Bars of completion against the 时间进度 line (inline SVG)."""
    if pace is None or len(pace) == 0:
        return None

    p = pace[pace["completion_rate"].notna()]
    if p.empty:
        return None
    elapsed = float(p["time_elapsed"].iloc[0])
    alt = f"{t('col.completion', lang)} / {t('col.time_elapsed', lang)} {fmt_percent(elapsed)}"
    return svg_html(
        pace_svg(
            p["name"].astype(str).tolist(),
            p["completion_rate"].astype(float).tolist(),
            elapsed,
            lang,
            behind=p["behind_schedule"].fillna(False).astype(bool).tolist(),
            alt=alt,
        )
    )


def period_pace_figure(ctx: ReportContext) -> SafeHTML | None:
    """The pace chart of the report period: the pack's drawing when there is one, else drawn here."""
    return pack_figure(ctx, PACE_FIGURE) or pace_figure(assess_pace(ctx), ctx.lang)

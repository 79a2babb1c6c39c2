"""The annual report's track-record page: how often the forecast's claims came true on real data.

Reads ``forecast_track_record.json`` (written with the calibration by ``python -m
gxq_analysis.assess.calibration``; a test checks it against a fresh out-of-sample run) and presents it in
plain words, two small tables and a reliability diagram. Everything written into HTML is escaped.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from ..assess.calibration import TRACK_RECORD_FILE
from ..i18n import catalogue, check_lang, lookup_text
from .charts import apply_style, figure_html
from .html import SafeHTML, esc, heading, html_table
from .numbers import fmt_percent

TEXT: dict[str, dict[str, str]] = catalogue(
    "report_track_record"
)  # gxq_analysis/i18n/report_track_record.json


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

"""The pack's index page: cover facts, the illustrative banner, downloads and a link to each page."""

from __future__ import annotations

from collections.abc import Iterable

from ..model.periods import FREQ_ANNUAL, Period
from .export import NotebookResult, css
from .html import banner_html, esc, html_page
from .pack_outputs import OUTPUT_TEXT
from .text import notebook_description, notebook_title, t


def index_html(
    period: Period,
    lang: str,
    plan_title: str,
    generated: str,
    version: str,
    notebooks: list[NotebookResult],
    skipped: list[str],
    outputs: Iterable[str] = (),
) -> str:
    """The pack's index page: cover facts, banner, and a link to each report. Self-contained."""

    kind = t("cover.annual_pack" if period.freq == FREQ_ANNUAL else "cover.quarterly_pack", lang)
    cutoffs = sorted({r.meta.get("cutoff", "") for r in notebooks if r.meta.get("cutoff")})
    cutoff_label = next(
        (r.meta.get("cutoff_label") for r in notebooks if cutoffs and r.meta.get("cutoff") == cutoffs[-1]),
        t("na", lang),
    )
    illustrative = any(r.meta.get("illustrative") for r in notebooks)
    outputs = list(outputs)
    downloads = ""
    if outputs:
        links = "\n".join(
            f'<li><a href="{esc(name)}">{esc(t(OUTPUT_TEXT[name][0], lang))}</a>'
            f'<div class="gxq-desc">{esc(t(OUTPUT_TEXT[name][1], lang))} ({esc(name)})</div></li>'
            for name in OUTPUT_TEXT
            if name in outputs
        )
        downloads = f'<h2>{esc(t("cover.outputs", lang))}</h2>\n<ul class="gxq-pack">\n{links}\n</ul>'
    items = "\n".join(
        f'<li><a href="{esc(r.html_path.name)}">{esc(notebook_title(r.stem, lang))}</a>'
        f'<div class="gxq-desc">{esc(notebook_description(r.stem, lang))}</div></li>'
        for r in notebooks
    )
    skipped_html = ""
    if skipped:
        skipped_html = (
            f'<p class="gxq-muted">{esc(t("cover.skipped", lang))}: '
            f"{esc(', '.join(notebook_title(s, lang) for s in skipped))}</p>"
        )
    banner = banner_html(lang) if illustrative else ""
    facts = "".join(
        f"<div><dt>{esc(t('cover.' + k, lang))}</dt><dd>{esc(v)}</dd></div>"
        for k, v in (
            ("period", period.label(lang)),
            ("cutoff", cutoff_label),
            ("generated", generated),
            ("version", version),
        )
    )
    title = f"{kind} · {period.label(lang)}"
    main = f"""<main class="gxq-index">
<header class="gxq-cover">
  <div class="gxq-cover-kicker">{esc(plan_title)}</div>
  <h1 class="gxq-cover-title">{esc(title)}</h1>
  <dl class="gxq-cover-facts">{facts}</dl>
  {banner}
</header>
{downloads}
<h2>{esc(t("cover.contents", lang))}</h2>
<ul class="gxq-pack">
{items}
</ul>
{skipped_html}
</main>
"""
    return html_page(lang, title, css(), main)

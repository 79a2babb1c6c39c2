"""What `gxq report` writes beside the report pages: the pack folder per language, the check that the
data cover the period, summary.html, tables.xlsx and the PDFs (summary.pdf, report.pdf).

:mod:`render` calls these; they raise :class:`PackOutputError`, which the renderer reports as a
RenderError (nothing is published). Only the standard library is imported at module level: the
renderer's parent process must stay light; pandas and the browser are imported where needed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..model.periods import FREQ_ANNUAL, Period, PeriodError, latest_quarter_covered, parse_period
from ..model.plan import plan_meta
from .text import t

SUMMARY_HTML = "summary.html"
SUMMARY_PDF = "summary.pdf"
REPORT_PDF = "report.pdf"
TABLES_XLSX = "tables.xlsx"
SUMMARY_SCALES = (1.0, 0.92, 0.85, 0.78, 0.7)  # tried in turn until the summary fits one A4 page
# index.html lists the outputs in this order, with these report-text keys (title, description).
OUTPUT_TEXT = {
    SUMMARY_HTML: ("cover.summary", "cover.summary_desc"),
    SUMMARY_PDF: ("cover.summary_pdf", "cover.summary_pdf_desc"),
    REPORT_PDF: ("cover.report_pdf", "cover.report_pdf_desc"),
    TABLES_XLSX: ("cover.tables", "cover.tables_desc"),
}


class PackOutputError(RuntimeError):
    """An output of the pack could not be made; the message says what and what to do."""


def pack_folder(period: Period, lang: str) -> str:
    """The pack's folder name: ``2019Q3`` for Chinese, ``2019Q3-en`` for English (never the same one)."""
    return str(period) if lang == "zh" else f"{period}-{lang}"


# ----------------------------------------------------------------------------------------------
# Does the data cover the period?
# ----------------------------------------------------------------------------------------------
def _zone_geo(plan_dir: Path) -> str:
    return str(plan_meta(plan_dir).get("zone_geo", "zone"))


def zone_periods(observations_path: Path | str, plan_dir: Path | str) -> list[Period]:
    """Every period with a value of the zone itself (benchmark geos and bounds left out). csv module only."""
    path = Path(observations_path)
    if not path.is_file():
        raise PackOutputError(
            f"observations file not found: {path} (run `gxq clean` first, or pass --observations)"
        )
    zone = _zone_geo(Path(plan_dir))
    periods: list[Period] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            geo = (row.get("geo") or "").strip()
            if geo not in ("", zone) or (row.get("qualifier") or "").strip():
                continue
            try:
                periods.append(parse_period(row.get("period", "")))
            except PeriodError:
                continue
    return periods


def check_period_covered(
    period: Period, observations_path: Path | str, plan_dir: Path | str, lang: str = "zh"
) -> None:
    """Refuse a period the zone's data do not cover, in the reader's language.

    A quarter is covered when it lies between the zone's first period and the latest quarter its
    quarterly/monthly submissions reach (the rule of the default period); a year when the zone has a
    value for that year.
    """
    periods = zone_periods(observations_path, plan_dir)
    if not periods:
        raise PackOutputError(t("err.no_zone_data", lang))
    first = min(periods)
    if period.freq == FREQ_ANNUAL:
        years = sorted({p.year for p in periods})
        if period.year in years:
            return
        raise PackOutputError(t("err.year_not_covered", lang, period=period, span=f"{years[0]}–{years[-1]}"))
    sub_annual = [p for p in periods if p.freq != FREQ_ANNUAL]
    latest = latest_quarter_covered(sub_annual or periods)
    if latest is not None and first.to_quarter() <= period <= latest:
        return
    raise PackOutputError(
        t("err.quarter_not_covered", lang, period=period, span=f"{first.to_quarter()}–{latest}")
    )


# ----------------------------------------------------------------------------------------------
# summary.html (in a worker process), tables.xlsx and the PDFs (in the parent)
# ----------------------------------------------------------------------------------------------
def summary_job(job: dict) -> dict:
    """Build summary.html in a worker process beside the notebooks. Never raises: returns a dict with
    ``ok``, and ``illustrative``, ``values`` (the figures sheet for tables.xlsx) and ``tables`` (the
    page's tables, read in the publish audit's parse) or ``error``."""
    try:
        from .audit import audit_html
        from .pack_files import wait_for_pack_file
        from .summary import build_summary, summary_html, summary_values_table
        from .text import t
        from .worker_inputs import kept_inputs

        fingerprint, plan, obs, _index = kept_inputs(job["plan_dir"], job["observations_path"])
        assessment = None
        if job.get("assessment") and wait_for_pack_file(job["assessment"]):
            from ..assess.period import read_assessment

            assessment = read_assessment(
                job["assessment"], fingerprint=fingerprint, period=job["period"], lang=job["lang"]
            )
        summ = build_summary(plan, obs, job["period"], job["lang"], assessment=assessment)
        html_text = summary_html(
            summ,
            plan_title=job["plan_title"],
            generated=job["generated"],
            version=job["version"],
            css=job["css"],
            banner=t("banner.illustrative", job["lang"]),
        )
        from .xlsx_export import TableCollector

        tables = TableCollector()
        problems = audit_html(html_text, [tables])
        if problems:
            return {"ok": False, "error": "; ".join(problems)}
        Path(job["out"]).write_text(html_text, encoding="utf-8")
        header, rows = summary_values_table(summ)
        return {
            "ok": True,
            "illustrative": summ.illustrative,
            "values": {"header": header, "rows": rows},
            "tables": tables.tables,
        }
    except Exception as exc:  # reported by the parent, which publishes nothing
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}


def write_tables(
    folder: Path,
    period: Period,
    lang: str,
    plan_title: str,
    generated: str,
    observations_path: Path | str,
    pages: Iterable[tuple[str, str]],
    illustrative: bool,
    summary_values: dict | None = None,
    read_tables: Mapping[str, list] | None = None,
) -> list[str]:
    """tables.xlsx from summary.html and the report pages ``pages`` ((notebook stem, file name) in reading
    order); ``summary_values`` (header and rows of :func:`summary.summary_values_table`) adds the summary's
    figures as raw numbers with their units and sources. ``read_tables``: file name -> the tables
    already read from the HTML written there (the rest are read from the files)."""
    from .summary import t as st
    from .text import notebook_title, t
    from .xlsx_export import SheetSpec, pack_sheets, write_workbook

    sources = [(st("title", lang), SUMMARY_HTML, folder / SUMMARY_HTML)]
    sources += [(notebook_title(stem, lang), name, folder / name) for stem, name in pages]
    kind = t("cover.annual_pack" if period.freq == FREQ_ANNUAL else "cover.quarterly_pack", lang)
    sheets = pack_sheets(sources, read_tables)
    if summary_values:
        sheets.insert(
            1,
            SheetSpec(
                title=f"{st('title', lang)} · {st('values_sheet', lang)}",
                page=SUMMARY_HTML,
                header=summary_values["header"],
                rows=summary_values["rows"],
            ),
        )
    write_workbook(
        folder / TABLES_XLSX,
        sheets,
        lang=lang,
        pack_title=f"{plan_title} · {kind}",
        period_label=period.label(lang),
        generated=generated,
        observations=Path(observations_path).name,
        illustrative=illustrative,
    )
    return [TABLES_XLSX]


def write_pdfs(
    folder: Path,
    lang: str,
    page_files: Iterable[str],
    illustrative: bool,
    plan_title: str,
    browser: Any = None,
) -> list[str]:
    """summary.pdf (exactly one A4 page) and report.pdf (the summary, then every report page, A4), printed
    offline by headless Chromium (``browser``, a :class:`browser.Browser` kept by the caller, else one
    started for these two files). On illustrative packs the 示例数据 banner is printed at the foot of
    every page."""
    from .browser import Browser, BrowserError, merge_pdfs

    try:
        if browser is not None:
            summary, parts = _print_pack(browser, folder, lang, page_files, illustrative, plan_title)
        else:
            with Browser() as own:
                summary, parts = _print_pack(own, folder, lang, page_files, illustrative, plan_title)
    except BrowserError as exc:
        raise PackOutputError(
            f"PDF export failed: {exc}\n  (pass --no-pdf to publish the HTML and tables only)"
        ) from None
    (folder / SUMMARY_PDF).write_bytes(summary)
    (folder / REPORT_PDF).write_bytes(merge_pdfs(parts))
    return [SUMMARY_PDF, REPORT_PDF]


def _print_pack(
    browser: Any, folder: Path, lang: str, page_files: Iterable[str], illustrative: bool, plan_title: str
) -> tuple[bytes, list[bytes]]:
    """The summary fitted to one A4 page, and every part of report.pdf (the summary, then the pages)."""
    from .browser import pdf_pages

    footer = t("banner.illustrative", lang) if illustrative else plan_title
    # the summary and the pages load and print in their tabs together (at full scale, the pages'
    # scale); only a summary that does not fit one page is printed again, smaller
    tabs = [browser.start((folder / name).as_uri()) for name in (SUMMARY_HTML, *page_files)]
    summary, *pages = browser.print_tabs(tabs, footer=footer)
    for scale in (s for s in SUMMARY_SCALES if s < 1.0):
        if len(pdf_pages(summary)) == 1:
            break
        summary = browser.print_pdf((folder / SUMMARY_HTML).as_uri(), footer=footer, scale=scale)
    if len(pdf_pages(summary)) != 1:
        raise PackOutputError(f"{SUMMARY_PDF} does not fit one A4 page even at scale {SUMMARY_SCALES[-1]}")
    return summary, [summary, *pages]

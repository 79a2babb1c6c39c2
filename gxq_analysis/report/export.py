"""Executed notebook → offline HTML page: the nbconvert exporter with the ``gxq_report`` template, the
report metadata a notebook emitted, the cover, and the publish audit."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..config import PROJ_ROOT
from ..model.periods import Period
from ..model.plan import plan_meta
from .audit import audit_html
from .errors import RenderError
from .text import REPORT_META_KEY, notebook_title, t
from .xlsx_export import TableCollector

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "gxq_report"


GLYPH_WARNING = re.compile(r"Glyph \d+ .*missing from font", re.I)


@dataclass
class NotebookResult:
    stem: str
    seconds: float
    html_path: Path
    meta: dict = field(default_factory=dict)
    stderr_lines: list[str] = field(default_factory=list)
    tables: list | None = None  # the page's tables (xlsx_export.HtmlTable), read in the audit's parse


# nbconvert's HTMLExporter ends every page by parsing its HTML with BeautifulSoup and writing it out
# again, only to give alt text to images without one and tabindex="0" to the cell wrappers: ~20 ms a
# page, half of its conversion. The report exporter makes the same two changes on the HTML text. A
# test parses pages of both exporters and compares the documents (tests/test_render.py).
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?=(?:[^>\"']|\"[^\"]*\"|'[^']*')*>)(?![^>]*\salt=)", re.IGNORECASE)
_DIV_START = re.compile(r"<div\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_CLASS_ATTR = re.compile(r"""\sclass=(?:"([^"]*)"|'([^']*)')""")
_FOCUSABLE = frozenset({"jp-Cell-inputWrapper", "jp-OutputArea-output"})
NO_ALT_TEXT = "No description has been provided for this image"  # nbconvert's words


def _focusable(match: re.Match) -> str:
    attrs = match.group(1)
    cls = _CLASS_ATTR.search(attrs)
    classes = set((cls.group(1) or cls.group(2) or "").split()) if cls else set()
    if classes & _FOCUSABLE and not re.search(r"\stabindex=", attrs):
        return f'<div{attrs} tabindex="0">'
    return match.group(0)


def accessible_html(html: str) -> str:
    """What HTMLExporter's BeautifulSoup pass adds: alt text on images without one, and tabindex on
    the cells' input and output wrappers."""
    html = _IMG_WITHOUT_ALT.sub(f'<img alt="{NO_ALT_TEXT}"', html)
    return _DIV_START.sub(_focusable, html)


def make_exporter(lang: str):
    """One HTMLExporter configured for offline, code-free reports (reuse it for every notebook)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from traitlets.config import Config

    class ReportHTMLExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            # HTMLExporter.from_notebook_node up to its BeautifulSoup pass, then accessible_html
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter(
                "highlight_code",
                self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)),
            )
            resources = self._init_resources(resources)
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources),
            )
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return accessible_html(html), resources

    c = Config()
    c.HTMLExporter.template_name = TEMPLATE_NAME
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES_DIR)]
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.HTMLExporter.embed_images = True
    c.HTMLExporter.language_code = lang
    c.HTMLExporter.require_js_url = ""
    c.HTMLExporter.mathjax_url = ""
    # the notebook is validated once, after the preprocessors, not after each of the twelve
    c.HTMLExporter.optimistic_validation = True
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = ["remove_cell", "parameters", "injected-parameters"]
    c.TagRemovePreprocessor.remove_all_outputs_tags = ["remove_output"]
    return ReportHTMLExporter(config=c)


def _cell_text(output: Any) -> str:
    text = output.get("text", "")
    return "".join(text) if isinstance(text, list) else str(text)


def prepare_notebook(nb: Any, stem: str) -> tuple[dict, list[str]]:
    """Collect the report metadata the notebook emitted, drop stderr outputs, and refuse charts that
    lost Chinese glyphs. Returns (meta, stderr lines dropped)."""

    meta: dict = {}
    dropped: list[str] = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                raise RenderError(
                    f"{stem}.ipynb, cell {index}: the executed notebook holds an error output "
                    f"({output.get('ename')}: {output.get('evalue')})"
                )
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                # print() output is an analyst's aside, never part of a leader's page
                dropped.extend(line for line in _cell_text(output).splitlines() if line.strip())
                continue
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                text = _cell_text(output)
                if GLYPH_WARNING.search(text):
                    first = next(line for line in text.splitlines() if GLYPH_WARNING.search(line))
                    raise RenderError(
                        f"{stem}.ipynb, cell {index}: a chart lost Chinese characters "
                        f"({first.strip()}); install fonts-noto-cjk and check charts.use_cjk_font()"
                    )
                dropped.extend(line for line in text.splitlines() if line.strip())
                continue
            md = output.get("metadata") or {}
            if REPORT_META_KEY in md:
                meta.update(md[REPORT_META_KEY])
            kept.append(output)
        cell["outputs"] = kept
    return meta, dropped


def version_string() -> str:
    """Package version plus the git commit, when the project is a git checkout."""
    try:
        sha = subprocess.run(
            ["git", "-C", str(PROJ_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        sha = ""
    return f"{__version__} ({sha})" if sha else __version__


def plan_title(plan_dir: Path, lang: str) -> str:
    meta = plan_meta(plan_dir)
    return str(meta.get(f"title_{lang}") or meta.get("title_zh") or "")


def cover_meta(
    stem: str, period: Period, lang: str, plan_title: str, generated: str, version: str, nb_meta: dict
) -> dict:

    return {
        "title": notebook_title(stem, lang),
        "plan_title": plan_title,
        "period_label": period.label(lang),
        "cutoff_label": nb_meta.get("cutoff_label") or t("na", lang),
        "generated": generated,
        "version": version,
        "illustrative": bool(nb_meta.get("illustrative")),
        "banner": t("banner.illustrative", lang),
        "index_href": "index.html",
        "labels": {k: t(f"cover.{k}", lang) for k in ("period", "cutoff", "generated", "version", "index")},
    }


def css() -> str:
    return (TEMPLATES_DIR / TEMPLATE_NAME / "gxq.css").read_text(encoding="utf-8")


def _export(
    exporter,
    job: dict,
    per: Period,
    lang: str,
    plan_title: str,
    generated: str,
    version: str,
    tmp: Path,
    seconds: float,
) -> NotebookResult:
    import nbformat

    stem = job["stem"]
    invalid: dict = {}
    nb = nbformat.read(job["output"], as_version=4, capture_validation_error=invalid)
    if "ValidationError" in invalid:  # nbconvert's own check is relaxed (e.g. a number as HTML passes)
        error = invalid["ValidationError"]
        raise RenderError(
            f"{stem}: the executed notebook is not valid nbformat: {getattr(error, 'message', error)}"
        )
    meta, dropped = prepare_notebook(nb, stem)
    cover = cover_meta(stem, per, lang, plan_title, generated, version, meta)
    nb.metadata["gxq"] = cover
    nb.metadata["title"] = f"{cover['title']} · {cover['period_label']}"
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": cover["title"]}})
    tables = TableCollector()  # tables.xlsx is made from the page's tables: read them in the same parse
    problems = audit_html(body, [tables])
    if problems:
        raise RenderError(f"{stem}.html would not be self-contained or clean: {'; '.join(problems)}")
    html_path = tmp / f"{stem}.html"
    html_path.write_text(body, encoding="utf-8")
    return NotebookResult(
        stem=stem, seconds=seconds, html_path=html_path, meta=meta, stderr_lines=dropped, tables=tables.tables
    )

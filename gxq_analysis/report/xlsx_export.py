"""tables.xlsx: every table of the pack, one sheet each, with its page, units and sources.

The tables are read back from the pack's own HTML (what the reader saw, cell for cell), so the workbook
can never disagree with the pages. A cell that is a plain number (``1,234``, ``5.1``) becomes a number;
a cell with a unit (``87家``, ``5.1%``) stays as shown, so the unit travels with the value. The first
sheet explains the workbook: pack, period, where the data came from, and the 示例数据 note when any
figure is illustrative. The summary sheet carries raw values with an explicit unit and source column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ..i18n import catalogue, lookup_text

TEXT: dict[str, dict[str, str]] = catalogue("report_tables")  # gxq_analysis/i18n/report_tables.json


def t(key: str, lang: str = "zh", **values: Any) -> str:
    return lookup_text(TEXT, key, lang, **values)


@dataclass
class HtmlTable:
    heading: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)


class TableCollector:
    """Collects <table> elements (header and body cell text) and the heading before each, from the
    events of an HTML parse (:func:`html_tables`, or the publish audit's parse of a page)."""

    def __init__(self) -> None:
        self.tables: list[HtmlTable] = []
        self._heading = ""
        self._in_heading = False
        self._heading_buf: list[str] = []
        self._table: HtmlTable | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._cell_is_header = False
        self._row_all_header = True
        self._skip = 0  # inside <style>/<script>

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        elif tag in ("h1", "h2", "h3", "h4") and self._table is None:
            self._in_heading, self._heading_buf = True, []
        elif tag == "table" and self._table is None:
            self._table = HtmlTable(self._heading, [])
        elif tag == "tr" and self._table is not None:
            self._row, self._row_all_header = [], True
        elif tag in ("td", "th") and self._row is not None:
            self._cell, self._cell_is_header = [], tag == "th"
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip = max(0, self._skip - 1)
        elif tag in ("h1", "h2", "h3", "h4") and self._in_heading:
            self._in_heading = False
            self._heading = " ".join("".join(self._heading_buf).split())
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._row_all_header &= self._cell_is_header
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            if self._row_all_header and not self._table.header and not self._table.rows:
                self._table.header = self._row
            elif self._row:
                self._table.rows.append(self._row)
            self._row = None
        elif tag == "table" and self._table is not None:
            if self._table.header or self._table.rows:
                self.tables.append(self._table)
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif self._in_heading:
            self._heading_buf.append(data)


class _TableParser(HTMLParser):
    def __init__(self, collector: TableCollector) -> None:
        super().__init__(convert_charrefs=True)
        self.handle_starttag = collector.handle_starttag  # type: ignore[method-assign]
        self.handle_endtag = collector.handle_endtag  # type: ignore[method-assign]
        self.handle_data = collector.handle_data  # type: ignore[method-assign]


def html_tables(html_text: str) -> list[HtmlTable]:
    """The tables of an HTML page, each with the nearest heading above it."""
    collector = TableCollector()
    parser = _TableParser(collector)
    parser.feed(html_text)
    parser.close()
    return collector.tables


_PLAIN_NUMBER = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})*(?:\.\d+)?$|^[+-]?\d+(?:\.\d+)?$")


def cell_value(text: str) -> Any:
    """A plain number becomes a number; anything else stays text as shown."""
    s = text.strip()
    if _PLAIN_NUMBER.match(s):
        v = float(s.replace(",", ""))
        return int(v) if v.is_integer() and "." not in s else v
    return s


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(base: str, used: set[str]) -> str:
    name = _BAD_SHEET_CHARS.sub(" ", base).strip() or "table"
    name = name[:28]
    candidate, n = name, 2
    while candidate.lower() in used:
        candidate = f"{name[:26]}-{n}"
        n += 1
    used.add(candidate.lower())
    return candidate


@dataclass
class SheetSpec:
    title: str
    page: str
    header: list[str]
    rows: list[list[Any]]


def pack_sheets(
    pages: Iterable[tuple[str, str, Path]], read: Mapping[str, list[HtmlTable]] | None = None
) -> list[SheetSpec]:
    """One sheet per table of the given pages (page title, file name, path), in reading order.
    ``read``: file name -> the tables of that page as already read from the HTML written there."""
    sheets = []
    for title, name, path in pages:
        tables = (read or {}).get(name)
        if tables is None:
            tables = html_tables(Path(path).read_text(encoding="utf-8"))
        for i, tab in enumerate(tables, start=1):
            heading = tab.heading or f"{title} {i}"
            full = heading if heading.startswith(title) else f"{title} · {heading}"
            sheets.append(
                SheetSpec(
                    title=full,
                    page=name,
                    header=tab.header,
                    rows=[[cell_value(c) for c in row] for row in tab.rows],
                )
            )
    return sheets


def write_workbook(
    path: Path,
    sheets: list[SheetSpec],
    *,
    lang: str,
    pack_title: str,
    period_label: str,
    generated: str,
    observations: str,
    illustrative: bool,
) -> Path:
    """Write the workbook atomically enough for the pack (it lives in the pack's temporary folder)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    about = wb.active
    about.title = t("readme", lang)
    bold = Font(bold=True)
    warn = PatternFill("solid", fgColor="FFF3CD")
    top, wrapped = Alignment(vertical="top", wrap_text=False), Alignment(vertical="top", wrap_text=True)
    lines = [
        (t("pack", lang), pack_title),
        (t("period", lang), period_label),
        (t("generated", lang), generated),
        (t("data", lang), t("data_text", lang, obs=observations)),
        (t("units", lang), t("units_text", lang)),
    ]
    if illustrative:
        about.append([t("illustrative", lang)])
        about["A1"].font = Font(bold=True, color="5C4400")
        about["A1"].fill = warn
    for k, v in lines:
        about.append([k, v])
    about.append([])
    about.append([t("sheets", lang), t("from_page", lang)])
    used = {about.title.lower()}
    names = []
    for spec in sheets:
        parts = spec.title.split(" · ")
        base = (
            parts[-1] if not parts[-1][:1].isdigit() else parts[0]
        )  # "领导一页纸 · 2019年第三季度" → 领导一页纸
        names.append(_sheet_name(base, used))
        about.append([f"{names[-1]}: {spec.title}", spec.page])
    about.column_dimensions["A"].width = 48
    about.column_dimensions["B"].width = 90
    for spec, name in zip(sheets, names):
        ws = wb.create_sheet(name)
        ws.append([spec.title])
        ws["A1"].font = Font(bold=True, size=12)
        ws.append([f"{t('from_page', lang)}: {spec.page}", t("data_text", lang, obs=observations)])
        if illustrative:
            ws.append([t("illustrative", lang)])
            ws.cell(row=ws.max_row, column=1).font = Font(bold=True, color="5C4400")
            ws.cell(row=ws.max_row, column=1).fill = warn
        ws.append([])
        head_row = ws.max_row + 1
        ws.append(spec.header)
        for c in ws[head_row]:
            c.font = bold
        for row in spec.rows:
            ws.append(row)
        ws.freeze_panes = ws.cell(row=head_row + 1, column=1)
        width = max(len(spec.header), *(len(r) for r in spec.rows)) if spec.rows else len(spec.header)
        for col in range(1, width + 1):
            values = [spec.header[col - 1] if col <= len(spec.header) else ""] + [
                r[col - 1] for r in spec.rows[:200] if col <= len(r)
            ]
            longest = max((len(str(v)) for v in values), default=8)
            ws.column_dimensions[get_column_letter(col)].width = min(60, max(8, longest * 1.6 + 2))
        for r in ws.iter_rows(min_row=head_row + 1):
            for c in r:
                c.alignment = wrapped if isinstance(c.value, str) and len(c.value) > 40 else top
    wb.save(path)
    return path

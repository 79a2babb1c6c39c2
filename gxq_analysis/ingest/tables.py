"""Department tables (title lines, one- or two-level headers, footnotes): each data row becomes
observations (one per value column) or quarantine lines naming file, sheet, row and column.

The walk is lean: everything that depends on the sheet or a column only (the period of each value
column, its letter, the sheet's period, unit and reporting date) is settled before the rows; a row is
built into a record only when it is kept; cell values, periods and checks are parsed once per distinct
text (a big sheet repeats the same few)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..model.periods import FREQ_ANNUAL, PeriodMatch, extract_period
from .checks import CORRECTION_RE, Source
from .layout import (
    ROLE_NAME,
    ROLE_NOTE,
    ROLE_PERIOD,
    ROLE_UNIT,
    ROLE_VALUE,
    Column,
    Table,
    cell_text,
    fill_merged,
    find_reported_at,
    has_text,
    is_footnote_line,
    reported_at_in_row,
    row_text,
)
from .matching import MatchResult, is_section_heading
from .quarantine import Q_BAD_VALUE, Q_CONFLICT, Q_EMPTY_NAME, Q_NO_PERIOD, Q_NO_VALUE, Q_UNKNOWN
from .readers import Grid
from .records import FileReport, Observation, col_letter
from .values import canonical_unit_text, format_number, normalize_text, parse_value_cached

_FILLER_RE = re.compile(r"(?:填报|报送)单位\s*[:：]\s*([^\s:：]+?)(?=\s|$|填报|报送|联系|日期)")
_FOOTNOTE_MARK_RE = re.compile(r"([①-⑳*＊※])\s*([^①-⑳*＊※。;；]+)")
_CURRENT_WORDS = ("本月", "本季", "当月", "当季", "当期", "本期")
_NO_PERIOD_REASON = (
    "无法确定报告期 no reporting period (no period column, period in the title line, sheet name or file name)"
)


def is_text_line(row: list[object], name: str) -> bool:
    """A heading (一、创新投入) or a free-text remark line: one text cell, or a section heading as name."""
    if name and is_section_heading(name):
        return True
    filled = [v for v in row if cell_text(v)]
    if len(filled) != 1 or name:
        return False
    v = filled[0]
    if not isinstance(v, str):
        return False
    t = normalize_text(v)
    return is_section_heading(t) or (len(t) >= 6 and not re.fullmatch(r"[\d.,%\s-]+", t))


def footnote_rows(grid: Grid, table: Table) -> set[int]:
    """Rows below the header that are footnotes (注：…, 填报日期 …), found once per table."""
    if table.footnote_rows is None:
        table.footnote_rows = {
            r
            for r in range(table.first_data_row, len(grid.rows) + 1)
            if grid.rows[r - 1] and is_footnote_line(grid.rows[r - 1])
        }
    return table.footnote_rows


def sheet_reported_at(grid: Grid, table: Table) -> dt.date | None:
    lines = [t for _, t in table.title_lines]
    rows = [grid.rows[i - 1] for i, _ in table.title_lines]
    for r in sorted(footnote_rows(grid, table)):
        row = grid.rows[r - 1]
        lines.append(row_text(row))
        rows.append(row)
    found = find_reported_at(lines)
    if found:
        return found
    for row in rows:
        found = reported_at_in_row(row)
        if found:
            return found
    return None


def period_from_path(rel: str) -> PeriodMatch | None:
    p = Path(rel)
    for part in [p.stem] + [q for q in reversed(p.parent.parts)]:
        m = extract_period(part)
        if m:
            return m
    return None


def _period_info(pm: PeriodMatch | None) -> tuple[PeriodMatch, str, bool] | None:
    """(match, period text, annual or not), as :meth:`Checker.period_info` gives for a cell."""
    return None if pm is None else (pm, str(pm.period), pm.period.freq == FREQ_ANNUAL)


class _SheetContext:
    """What the title lines, footnotes, sheet name and file name say for every row of a sheet."""

    def __init__(
        self, grid: Grid, table: Table, src: Source, report: FileReport, file_reported: dt.date | None
    ):
        sheet = grid.name
        # Period: title lines, then sheet name, then file name (a period column wins per row).
        period: PeriodMatch | None = None
        for _, line in table.title_lines:
            period = extract_period(line)
            if period:
                break
        if period is None and sheet and re.search(r"\d{4}", normalize_text(sheet)):
            period = extract_period(sheet)
        self.period = period or period_from_path(src.rel)
        self.period_info = _period_info(self.period)
        self.reported_at = sheet_reported_at(grid, table) or file_reported
        self.reported_text = self.reported_at.isoformat() if self.reported_at else ""
        self.correction = bool(
            CORRECTION_RE.search(sheet) or any(CORRECTION_RE.search(line) for _, line in table.title_lines)
        )
        self.footnote_rows = footnote_rows(grid, table)
        lines = [t for _, t in table.title_lines]
        lines += [row_text(grid.rows[r - 1]) for r in sorted(self.footnote_rows)]
        self.filler = ""
        self.footnotes: dict[str, str] = {}
        for line in lines:
            m = _FILLER_RE.search(normalize_text(line))
            if m and not self.filler:
                self.filler = m.group(1)
            for fm in _FOOTNOTE_MARK_RE.finditer(line):
                self.footnotes.setdefault(fm.group(1).replace("＊", "*"), fm.group(2).strip(" ;；。:："))
        report.reporting_unit = report.reporting_unit or self.filler


class _ValueColumn:
    """A value column with what is known before any row: its letter, offset and the period in its header."""

    __slots__ = ("col", "current", "label", "letter", "offset", "period", "unit", "ytd")

    def __init__(self, col: Column):
        self.col = col
        self.offset = col.index - 1
        self.letter = col_letter(col.index)
        self.label = col.label
        self.ytd = col.ytd
        self.unit = col.unit
        # A period in the column's header wins over the row's; otherwise the row's (resolved per row).
        pm = extract_period(col.period_text) if col.period_text else None
        self.period = _period_info(pm)
        self.current = any(w in col.label for w in _CURRENT_WORDS)


def _no_values(row: list[object], width: int, offsets: list[int]) -> bool:
    """Whether every value cell of the row is blank."""
    for i in offsets:
        if i < width:
            v = row[i]
            if v is not None and (not isinstance(v, str) or v.strip()):
                return False
    return True


def clean_table(
    grid: Grid, table: Table, src: Source, report: FileReport, file_reported: dt.date | None
) -> None:
    """Walk one department table (see the module doc)."""
    checker = src.checker
    sheet = grid.name
    ctx = _SheetContext(grid, table, src, report, file_reported)
    name_col = table.by_role(ROLE_NAME)[0]
    name_at = name_col.index - 1
    name_letter = col_letter(name_col.index)
    value_cols = table.by_role(ROLE_VALUE)
    walk = _RowValues(src, sheet, ctx, table, value_cols)
    value_offsets = [c.index - 1 for c in value_cols]
    unit_col = next(iter(table.by_role(ROLE_UNIT)), None)
    period_col = next(iter(table.by_role(ROLE_PERIOD)), None)
    note_col = next(iter(table.by_role(ROLE_NOTE)), None)
    unit_at = unit_col.index - 1 if unit_col is not None else -1
    period_at = period_col.index - 1 if period_col is not None else -1
    note_at = note_col.index - 1 if note_col is not None else -1
    period_info = checker.period_info
    match_name = checker.matcher.match
    merged_name = fill_merged(grid, set(range(table.first_data_row, len(grid.rows) + 1)))
    skip = ctx.footnote_rows
    reported_text = ctx.reported_text
    cells = data_rows = 0
    rows = grid.rows
    units_seen: dict[str, tuple[str, str]] = {}
    matches: dict[str, MatchResult] = {}  # the sheet's names (a few, on every row)
    for r in range(table.first_data_row, len(rows) + 1):
        row = rows[r - 1]
        if not row or r in skip or not has_text(row):
            continue
        width = len(row)
        name_v = row[name_at] if width > name_at else None
        if name_v is None and merged_name:
            name_v = merged_name.get((r, name_col.index))
        name = name_v.strip() if type(name_v) is str else cell_text(name_v)
        cells += width - row.count(None)
        if _no_values(row, width, value_offsets) and is_text_line(row, name):
            continue  # 一、创新投入 or a remark line across the table: not a data row
        data_rows += 1
        if not name:
            text = row_text(row)
            src.q(
                sheet,
                r,
                name_letter,
                Q_EMPTY_NAME,
                "指标名称为空 empty indicator name; row values: " + text[:80],
                raw_value=text[:120],
                reported_at=reported_text,
                label=name_col.label,
            )
            continue
        match = matches.get(name)
        if match is None:
            match = matches[name] = match_name(name)
        iid = match.indicator_id
        if iid is None:
            hint = (
                ("; 最接近的目录指标 closest catalogue names: " + "、".join(match.suggestions))
                if match.suggestions
                else "; 目录中无相近指标 no similar catalogue name"
            )
            src.q(
                sheet,
                r,
                name_letter,
                Q_UNKNOWN,
                f"未知指标 unknown indicator {name!r}{hint}",
                raw_value=row_text(row)[:120],
                raw_name=name,
                reported_at=reported_text,
                label=name_col.label,
            )
            continue
        # (as written, canonical) per distinct unit cell of the sheet
        unit_cell = row[unit_at] if width > unit_at >= 0 else None
        units = units_seen.get(unit_cell) if type(unit_cell) is str else None
        if units is None:
            unit_text = cell_text(unit_cell)
            units = (unit_text, canonical_unit_text(unit_text)) if unit_text else ("", "")
            if type(unit_cell) is str:
                units_seen[unit_cell] = units
        raw_unit, row_unit = units
        if not raw_unit and match.unit_in_name:
            row_unit = raw_unit = match.unit_in_name
        # Row period: a period column beats everything.
        row_period = ctx.period_info
        if width > period_at >= 0 and row[period_at] is not None:
            pcell = row[period_at]
            row_period = period_info(pcell)
            if row_period is None:
                src.q(
                    sheet,
                    r,
                    col_letter(period_at + 1),
                    Q_NO_PERIOD,
                    f"报告期无法识别 period not understood: {cell_text(pcell)!r}",
                    raw_value=cell_text(pcell),
                    raw_name=name,
                    indicator_id=iid,
                    reported_at=reported_text,
                    label=period_col.label if period_col is not None else "",
                )
                continue
        note_text = cell_text(row[note_at]) if width > note_at >= 0 else ""
        walk.values(r, row, width, name, iid, match.markers, row_unit, raw_unit, row_period, note_text)
    report.cells += cells
    report.data_rows += data_rows


class _RowValues:
    """The value cells of one row → observations, or quarantine lines for the cells that failed."""

    def __init__(self, src: Source, sheet: str, ctx: _SheetContext, table: Table, value_cols: list[Column]):
        self.src = src
        self.checker = src.checker
        self.sheet = sheet
        self.ctx = ctx
        self.sheet_unit = table.sheet_unit
        self.ordered = [_ValueColumn(c) for c in sorted(value_cols, key=lambda c: (c.ytd, c.index))]
        self.letters = ",".join(col_letter(c.index) for c in value_cols)

    def values(
        self,
        r: int,
        row: list[object],
        width: int,
        name: str,
        iid: str,
        markers: list[str],
        row_unit: str,
        raw_unit: str,
        row_period: tuple[PeriodMatch, str, bool] | None,
        note_text: str,
    ) -> None:
        src, checker, ctx = self.src, self.checker, self.ctx
        is_stock = iid in checker.stock_ids
        row_period_text = row_period[1] if row_period else ""
        produced = failed = 0
        placeholders: list[str] | None = None  # made when first needed: most rows have none
        # A stock's value per (period, ytd) across the row's columns: only a stock's columns must agree.
        stock_values: dict[tuple[str, bool], tuple[float, str]] | None = {} if is_stock else None
        for col in self.ordered:
            raw = row[col.offset] if width > col.offset else None
            pv = parse_value_cached(raw)
            if pv.status != "ok":
                if pv.status == "blank":
                    continue
                if pv.status == "placeholder":
                    if placeholders is None:
                        placeholders = []
                    placeholders.append(f"{col.letter}={pv.raw}")
                    continue
                cat, why = Q_BAD_VALUE, pv.reason
            elif (period_found := col.period or row_period) is None:
                cat, why = Q_NO_PERIOD, _NO_PERIOD_REASON
            else:
                period_m, period_text, annual = period_found
                period = period_m.period
                ytd = (col.ytd or (period_m.ytd and not col.current)) and not (is_stock or annual)
                unit = col.unit or row_unit or self.sheet_unit
                value, conversion, cat, why = checker.check_value(iid, pv, unit, False)
                if not cat:
                    cat, why = checker.check_period(period, ctx.reported_at)
                if (
                    not cat
                    and stock_values is not None
                    and value is not None
                    and (period_text, ytd) in stock_values
                ):
                    prev_v, prev_col = stock_values[(period_text, ytd)]
                    if prev_v == value:
                        continue
                    cat = Q_CONFLICT
                    why = (
                        f"存量指标两列数值不一致 stock indicator: {col.label} gives "
                        f"{format_number(value)} but column {prev_col} gives {format_number(prev_v)}; "
                        f"kept column {prev_col}"
                    )
            if cat:
                # Positional (sheet, row, column, category, reason, raw value, name, id, geo, period, ytd,
                # reporting date, label): one call per failed cell of a big sheet.
                src.q(
                    self.sheet,
                    r,
                    col.letter,
                    cat,
                    why,
                    pv.raw,
                    name,
                    iid,
                    "",
                    row_period_text,
                    "",
                    ctx.reported_text,
                    col.label,
                )
                failed += 1
                continue
            assert value is not None
            if stock_values is not None:
                stock_values[(period_text, ytd)] = (value, col.letter)
            note = note_text
            if markers or pv.markers:  # footnote markers (①, *) on the name or the value
                notes = [
                    f"{mk}{ctx.footnotes[mk]}" if mk in ctx.footnotes else mk for mk in markers + pv.markers
                ]
                note = "; ".join([n for n in [note_text] + [f"注: {x}" for x in notes] if n])
            rec = Observation(
                iid,
                checker.zone,
                period_text,
                value,
                checker.units[iid],
                src.rel,
                r,
                src.illustrative,
                ytd,
                self.sheet,
                col.letter,
                pv.raw,
                pv.unit or raw_unit or unit,
                conversion,
                pv.qualifier,
                ctx.reported_text,
                ctx.filler,
                note,
                period,
            )
            src.add(rec, ctx.reported_at, False, ctx.correction)  # (record, date, provisional, correction)
            produced += 1
        if produced == 0 and not failed:
            if placeholders:
                why = "占位符, 无数据 placeholder only, no data: " + ", ".join(placeholders)
            else:
                why = "未填报数值 no value reported (all value cells blank)"
            src.q(
                self.sheet,
                r,
                self.letters,
                Q_NO_VALUE,
                why,
                raw_value=row_text(row)[:120],
                raw_name=name,
                indicator_id=iid,
                period=row_period_text,
                reported_at=ctx.reported_text,
            )

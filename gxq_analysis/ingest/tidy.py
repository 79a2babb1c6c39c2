"""Tidy CSVs (a header with ``indicator_id, period, value``; DESIGN §3): one observation per row, or a
quarantine line naming the file, row and column.

Column positions are found once per file; ids, periods and values are parsed once per distinct text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from operator import itemgetter

from ..model.flags import is_true
from ..model.periods import FREQ_ANNUAL
from .checks import CORRECTION_RE, Source
from .layout import cell_text, has_text
from .matching import MatchResult
from .quarantine import Q_BAD_VALUE, Q_NO_PERIOD, Q_NO_VALUE, Q_UNKNOWN
from .readers import Grid
from .records import FileReport, Observation, col_letter
from .values import canonical_unit_text, normalize_text, parse_value_cached

# The columns a tidy row is read for, in the order clean_tidy unpacks them.
_FIELDS = (
    "indicator_id",
    "period",
    "value",
    "ytd",
    "geo",
    "unit",
    "reported_at",
    "note",
    "illustrative",
    "qualifier",
    "source",
)


def is_tidy(grid: Grid) -> bool:
    for row in (
        grid.rows[:1] if grid.rows and has_text(grid.rows[0]) else [r for r in grid.rows if has_text(r)][:1]
    ):
        header = {normalize_text(cell_text(h)).lower() for h in row}
        return {"indicator_id", "period", "value"} <= header
    return False


def data_rows(grid: Grid, header_row: int, report: FileReport) -> Iterator[tuple[int, list[object]]]:
    """(spreadsheet row number, cells) of each non-blank row below the header, counted in the report."""
    rows = grid.rows
    for r in range(header_row + 1, len(rows) + 1):
        row = rows[r - 1]
        if not row or not has_text(row):
            continue
        report.data_rows += 1
        report.cells += len(row) - row.count(None)
        yield r, row


def cell_getter(idx: dict[str, int]) -> Callable[[list[object], str], str]:
    """``get(row, column_name)``: the text of a named column's cell, "" when the row is short."""

    def get(row: list[object], col: str) -> str:
        i = idx.get(col)
        if i is None or i >= len(row):
            return ""
        return cell_text(row[i])

    return get


def clean_tidy(grid: Grid, src: Source, report: FileReport) -> None:
    checker = src.checker
    header_row = next(i for i, r in enumerate(grid.rows, start=1) if has_text(r))
    header = [normalize_text(cell_text(h)).lower() for h in grid.rows[header_row - 1]]
    idx = {h: i for i, h in enumerate(header) if h}
    # The named columns of a row in one C-level pick; a column the header lacks reads as blank.
    width = len(header)
    pick = itemgetter(*[idx.get(name, width) for name in _FIELDS])
    one_blank: list[object] = [None]
    value_at = idx["value"]
    vcol = col_letter(value_at + 1)
    id_col = col_letter(idx["indicator_id"] + 1)
    period_col = col_letter(idx["period"] + 1)
    reported_col = col_letter(idx["reported_at"] + 1) if "reported_at" in idx else ""
    period_of = checker.period_of
    ids: dict[str, MatchResult] = {}
    for r, row in data_rows(grid, header_row, report):
        n = len(row)
        cells = pick(row + one_blank if n == width else row[:width] + [None] * (width + 1 - min(n, width)))
        # CSV cells are text or None (blank), so a cell's text is its stripped self.
        (
            raw_id,
            ptext,
            value_text,
            ytd_text,
            geo,
            raw_unit,
            reported_text,
            note,
            illustrative,
            qualifier,
            source,
        ) = [c.strip() if c else "" for c in cells]
        m = ids.get(raw_id)
        if m is None:
            m = ids[raw_id] = checker.matcher.match_id(raw_id)
        iid = m.indicator_id
        if iid is None:
            hint = ("; closest: " + ", ".join(m.suggestions)) if m.suggestions else ""
            src.q(
                "",
                r,
                id_col,
                Q_UNKNOWN,
                f"未知指标 unknown indicator_id {raw_id!r}{hint}",
                raw_value=value_text,
                raw_name=raw_id,
            )
            continue
        pm = period_of(ptext)
        if pm is None:
            src.q(
                "",
                r,
                period_col,
                Q_NO_PERIOD,
                f"报告期无法识别 period not understood: {ptext!r}",
                raw_value=ptext,
                indicator_id=iid,
            )
            continue
        period = pm.period
        period_text = str(period)
        ytd = pm.ytd or is_true(ytd_text)
        if iid in checker.stock_ids or period.freq == FREQ_ANNUAL:
            ytd = False
        pv = parse_value_cached(cells[2])
        geo = geo or checker.zone
        if not pv.ok:
            cat = Q_NO_VALUE if pv.status in ("blank", "placeholder") else Q_BAD_VALUE
            src.q(
                "", r, vcol, cat, pv.reason, raw_value=pv.raw, indicator_id=iid, geo=geo, period=period_text
            )
            continue
        unit = canonical_unit_text(raw_unit)
        value, conversion, cat, why = checker.check_value(iid, pv, unit, percent_explicit=(unit == "%"))
        if cat:
            src.q("", r, vcol, cat, why, raw_value=pv.raw, indicator_id=iid, geo=geo, period=period_text)
            continue
        assert value is not None
        rep = None
        if reported_text:
            try:
                rep = dt.date.fromisoformat(reported_text)
            except ValueError:
                src.q(
                    "",
                    r,
                    reported_col,
                    Q_BAD_VALUE,
                    f"填报日期无法识别 reporting date not understood (YYYY-MM-DD): {reported_text!r}",
                    raw_value=reported_text,
                    indicator_id=iid,
                    geo=geo,
                    period=period_text,
                )
                continue
        cat, why = checker.check_period(period, rep)
        if cat:
            src.q(
                "",
                r,
                period_col,
                cat,
                why,
                raw_value=ptext,
                indicator_id=iid,
                geo=geo,
                period=period_text,
            )
            continue
        rec = Observation(
            iid,
            geo,
            period_text,
            value,
            checker.units[iid],
            src.rel,
            r,
            src.illustrative or is_true(illustrative),
            ytd,
            "",
            vcol,
            pv.raw,
            pv.unit or raw_unit,
            conversion,
            qualifier or pv.qualifier,
            reported_text,
            source,
            note,
            period,
        )
        src.add(rec, rep, correction=bool(note) and bool(CORRECTION_RE.search(note)))

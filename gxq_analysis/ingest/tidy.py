"""Tidy CSVs (a header with ``indicator_id, period, value``; DESIGN §3): one observation per row, or a
quarantine line naming the file, row and column.

Column positions are found once per file; ids, periods and values are parsed once per distinct text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from typing import Any

from ..model.flags import is_true
from .checks import CORRECTION_RE, Source
from .layout import cell_text, has_text
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


def _csv_data_rows(grid: Grid, header_row: int, report: FileReport) -> tuple[list[int], list[list[object]]]:
    """Row numbers and cells of the non-blank rows below a CSV header, counted in the report, as
    :func:`data_rows` gives them. A CSV grid holds only non-blank text and None
    (:func:`~gxq_analysis.ingest.readers.read_csv_bytes`), so a row has text when not all of its cells
    are None, which ``list.count`` tells at C speed."""
    numbers: list[int] = []
    rows: list[list[object]] = []
    cells = 0
    for r, row in enumerate(grid.rows[header_row:], start=header_row + 1):
        filled = len(row) - row.count(None)
        if filled:
            numbers.append(r)
            rows.append(row)
            cells += filled
    report.data_rows += len(rows)
    report.cells += cells
    return numbers, rows


def _mapped(column: Sequence[Any], fn: Callable[[Any], Any]) -> list[Any]:
    """``fn`` of each cell of a column, computed once per distinct cell (a file repeats the same few
    ids, periods, units and flags)."""
    known = {v: fn(v) for v in set(column)}
    if len(known) == 1:  # a column with one text (blank, one geo, one unit, one note)
        return [next(iter(known.values()))] * len(column)
    return list(map(known.__getitem__, column))


def _stripped(cell: object) -> str:
    return cell.strip() if isinstance(cell, str) else ""


def _iso_date(text: str) -> tuple[bool, dt.date | None]:
    """(understood, date) of a reported_at cell; ("", no date) is understood."""
    if not text:
        return True, None
    try:
        return True, dt.date.fromisoformat(text)
    except ValueError:
        return False, None


def _is_correction(note: str) -> bool:
    return bool(note) and bool(CORRECTION_RE.search(note))


def clean_tidy(grid: Grid, src: Source, report: FileReport) -> None:
    """Column at a time: the named columns are taken out of the rows once and each column's distinct
    texts parsed once (ids, periods, values, units, flags, dates); the row loop only combines the
    results, checking in the order the reasons are written: indicator, period, value, unit and range,
    reporting date, period against the reporting date."""
    checker = src.checker
    header_row = next(i for i, r in enumerate(grid.rows, start=1) if has_text(r))
    header = [normalize_text(cell_text(h)).lower() for h in grid.rows[header_row - 1]]
    idx = {h: i for i, h in enumerate(header) if h}
    numbers, rows = _csv_data_rows(grid, header_row, report)
    if not rows:
        return
    # The named columns of each row in one C-level pick, then transposed; a column the header lacks is
    # blank on every row.
    width = len(header)
    present = [name for name in _FIELDS if name in idx]
    pick = itemgetter(*[idx[name] for name in present], width)
    one_blank: list[object] = [None]
    picked = zip(
        *[
            pick(
                row + one_blank
                if len(row) == width
                else row[:width] + [None] * (width + 1 - min(len(row), width))
            )
            for row in rows
        ]
    )
    del rows
    blank = [""] * len(numbers)
    cells: dict[str, Sequence[Any]] = {name: blank for name in _FIELDS}
    for name, col in zip(present, picked):
        cells[name] = col if name == "value" else _mapped(col, _stripped)
    value_cells = cells["value"]
    raw_ids, ptexts, geos, raw_units, reported_texts, notes, qualifiers, sources = (
        cells["indicator_id"],
        cells["period"],
        cells["geo"],
        cells["unit"],
        cells["reported_at"],
        cells["note"],
        cells["qualifier"],
        cells["source"],
    )
    value_at = idx["value"]
    vcol = col_letter(value_at + 1)
    id_col = col_letter(idx["indicator_id"] + 1)
    period_col = col_letter(idx["period"] + 1)
    reported_col = col_letter(idx["reported_at"] + 1) if "reported_at" in idx else ""
    rows_out = zip(
        numbers,
        raw_ids,
        _mapped(raw_ids, checker.matcher.match_id),
        ptexts,
        _mapped(ptexts, checker.period_info),
        value_cells,
        _mapped(value_cells, parse_value_cached),
        _mapped(cells["ytd"], is_true),
        geos,
        raw_units,
        _mapped(raw_units, canonical_unit_text),
        reported_texts,
        _mapped(reported_texts, _iso_date),
        notes,
        _mapped(notes, _is_correction),
        _mapped(cells["illustrative"], is_true),
        qualifiers,
        sources,
    )
    # Quarantine calls on the hot paths are positional: (sheet, row, column, category, reason, raw value,
    # raw name, indicator, geo, period).
    q, add = src.q, src.add
    check_value, check_period = checker.check_value, checker.check_period
    zone, units, stock_ids = checker.zone, checker.units, checker.stock_ids
    rel, illustrative = src.rel, src.illustrative
    for (
        r,
        raw_id,
        m,
        ptext,
        period_found,
        value_cell,
        pv,
        ytd_flag,
        geo,
        raw_unit,
        unit,
        reported_text,
        (date_ok, rep),
        note,
        correction,
        illustrative_flag,
        qualifier,
        source,
    ) in rows_out:
        iid = m.indicator_id
        if iid is None:
            hint = ("; closest: " + ", ".join(m.suggestions)) if m.suggestions else ""
            q(
                "",
                r,
                id_col,
                Q_UNKNOWN,
                f"未知指标 unknown indicator_id {raw_id!r}{hint}",
                raw_value=_stripped(value_cell),
                raw_name=raw_id,
            )
            continue
        if period_found is None:
            q(
                "",
                r,
                period_col,
                Q_NO_PERIOD,
                f"报告期无法识别 period not understood: {ptext!r}",
                raw_value=ptext,
                indicator_id=iid,
            )
            continue
        pm, period_text, annual = period_found
        period = pm.period
        ytd = (pm.ytd or ytd_flag) and not (annual or iid in stock_ids)
        geo = geo or zone
        if pv.status != "ok":
            cat = Q_NO_VALUE if pv.status in ("blank", "placeholder") else Q_BAD_VALUE
            q("", r, vcol, cat, pv.reason, pv.raw, "", iid, geo, period_text)
            continue
        value, conversion, cat, why = check_value(iid, pv, unit, unit == "%")
        if cat:
            q("", r, vcol, cat, why, pv.raw, "", iid, geo, period_text)
            continue
        assert value is not None
        if not date_ok:
            q(
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
        cat, why = check_period(period, rep)
        if cat:
            q("", r, period_col, cat, why, ptext, "", iid, geo, period_text)
            continue
        rec = Observation(
            iid,
            geo,
            period_text,
            value,
            units[iid],
            rel,
            r,
            illustrative or illustrative_flag,
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
        add(rec, rep, False, correction)  # (record, date, provisional, correction)

"""`gxq corrections`: one workbook per department with the rows of its submissions a person must fix.

A row is listed when ``gxq clean`` quarantined it and no rule handled it (duplicates, superseded values
and public context figures are handled; see :func:`gxq_analysis.loop.submissions.needs_person`); a blank row
is listed only when the indicator is the sending department's own for the period, so a department is
never asked about another department's indicators. Each line names the file, sheet, row and column,
the value sent, and the reason in plain Chinese. Every text cell is neutralised against formula
injection (see :func:`gxq_analysis.model.departments.safe_text`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..ingest.quarantine import Q_RANGE, message
from ..ingest.values import format_number
from ..model.departments import form_indicators, safe_text
from ..model.periods import Period, PeriodError, parse_period
from ..model.plan import Plan, load_plan
from .submissions import SubmissionsError, load_files, needs_person, rows_for

COLUMNS = ["序号", "文件", "工作表", "行", "列", "指标", "报送值", "问题说明", "更正值", "备注"]
# (file, sheet, row, column, indicator, value, reason) are filled; 更正值 and 备注 are for the department.


def plain_reason(row: dict, plan: Plan) -> str:
    """The reason a person reads: plain Chinese for the category (the quarantine registry's message),
    with the catalogue's range when relevant."""
    category = row.get("category", "")
    iid = row.get("indicator_id", "")
    if category == Q_RANGE and iid in plan.indicators.index:
        lo, hi = plan.bounds(iid)
        unit = str(plan.indicators.at[iid, "unit"])
        if lo is not None and hi is not None:
            span = f"{format_number(lo)}～{format_number(hi)}"
        elif lo is not None:
            span = f"不小于 {format_number(lo)}"
        elif hi is not None:
            span = f"不大于 {format_number(hi)}"
        else:
            return message(category, "zh")
        return message(category, "zh", span=span, unit=unit)
    return message(category, "zh")


def correction_rows(plan: Plan, period: Period | str, processed: Path) -> dict[str, list[dict]]:
    """Department → the quarantined rows of its files for the period that need a person (file/row order)."""
    period = parse_period(period) if isinstance(period, str) else period
    out: dict[str, list[dict]] = {}
    own: dict[str, set[str]] = {}
    for f in load_files(plan, processed):
        if not f.is_for(period):
            continue
        if f.department not in own:
            own[f.department] = set(form_indicators(plan, f.department, period))
        for r in rows_for(f, period):
            if r["_kind"] != "q" or not needs_person(r, own[f.department], period):
                continue
            iid = r.get("indicator_id", "")
            name = plan.name(iid) if iid in plan.indicators.index else r.get("raw_name", "")
            out.setdefault(f.department, []).append(
                {
                    "file": r.get("source_file", ""),
                    "sheet": r.get("source_sheet", ""),
                    "row": int(r["source_row"]) if str(r.get("source_row", "")).isdigit() else "",
                    "column": r.get("source_column", ""),
                    "indicator": name,
                    "value": r.get("raw_value", ""),
                    "reason": plain_reason(r, plan),
                    "category": r.get("category", ""),
                    "detail": r.get("reason", ""),
                }
            )
    for rows in out.values():
        rows.sort(key=lambda x: (x["file"], x["sheet"], x["row"] if x["row"] != "" else -1, x["column"]))
    return dict(sorted(out.items()))


def build_workbook(plan: Plan, period: Period, department: str, rows: list[dict]):
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据更正"
    ws["A1"] = safe_text(
        f"{plan.meta.get('zone_geo', '')}科技创新指标数据更正通知·{department}（{period.label('zh')}）"
    )
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = safe_text(
        f"以下 {len(rows)} 行数据未能入库，请逐行核实，在“更正值”栏填写正确数值（或在备注栏说明），"
        "并按统一模板重新报送整表，填写新的填报日期。"
    )
    ws["A2"].alignment = Alignment(wrap_text=False)
    header_row = 4
    for c, text in enumerate(COLUMNS, start=1):
        cell = ws.cell(header_row, c, text)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for i, r in enumerate(rows, start=1):
        values = [
            i,
            r["file"],
            r["sheet"],
            r["row"],
            r["column"],
            r["indicator"],
            r["value"],
            r["reason"],
            None,
            None,
        ]
        for c, v in enumerate(values, start=1):
            cell = ws.cell(header_row + i, c)
            cell.value = safe_text(v)
            if isinstance(v, str):
                cell.data_type = "s"  # never a formula, whatever the text
    detail = wb.create_sheet("技术说明")
    detail.append(["序号", "类别", "清洗程序原始说明（中英文）"])
    for i, r in enumerate(rows, start=1):
        detail.append([i, safe_text(r["category"]), safe_text(r["detail"])])
    for col, width in zip("ABCDEFGHIJ", (6, 44, 10, 6, 8, 36, 14, 60, 12, 20)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = f"A{header_row + 1}"
    return wb


def command_corrections(args) -> int:
    from .template import _write

    plan = load_plan(args.plan)
    try:
        period = parse_period(args.period)
        by_dept = correction_rows(plan, period, args.processed)
    except (PeriodError, SubmissionsError) as exc:
        print(f"gxq corrections: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    if out.suffix.lower() == ".xlsx":
        print(f"gxq corrections: --out is a folder (one workbook per department): {out}", file=sys.stderr)
        return 2
    for dept, rows in by_dept.items():
        _write(build_workbook(plan, period, dept, rows), out / f"{period}_{dept}_数据更正.xlsx")
    if not by_dept:
        print(f"gxq corrections: no row needs correcting for {period}; nothing written")
    else:
        print(
            f"gxq corrections: wrote {len(by_dept)} workbooks to {out} ("
            + ", ".join(f"{d} {len(r)}" for d, r in by_dept.items())
            + " rows)"
        )
    return 0

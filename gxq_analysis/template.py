"""`gxq template`: the blank submission workbook departments fill in, which `gxq clean` reads back.

Layout (one sheet, 填报表):

- row 1: title with the reporting period, e.g. 江阴高新区科技创新指标报表（2019年第三季度）. Without
  ``--period`` the title reads （____年第__季度） and the department writes the period there or in the
  报告期 line (row 2);
- row 2: 报告期：2019Q3;
- row 3: 填报单位： … ;  row 4: 填报日期： …  (the cleaner reads this date; a later date wins on revision);
- row 6: header 序号 | 指标名称 | 单位 | 本期值 | 本年累计 | 备注;
- one row per plan indicator, in plan order (the 16 table indicators first, then the text targets);
- footnote lines with filling instructions below the table.

本期值 is the value for the period (for a stock, the level at the period's end; for a flow, the flow
within the period); 本年累计 is the year-to-date total of a flow, left blank for stocks.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .periods import PeriodError, parse_period
from .plan import Plan, load_plan

HEADER = ["序号", "指标名称", "单位", "本期值", "本年累计", "备注"]
HEADER_ROW = 6
FIRST_DATA_ROW = HEADER_ROW + 1
INSTRUCTIONS = [
    "注：1. 本期值填写报告期数值：存量指标填期末数，流量指标填本期发生数；本年累计仅流量指标填写（年初至本期末）。",
    "2. 数值按“单位”列填写，请勿改动单位；百分比指标填百分数（5.5 表示 5.5%），不要填小数 0.055。",
    "3. 暂无数据请留空或填“—”，说明写在备注栏；更正数据请重新报送整表并填写新的填报日期。",
    "Notes: fill values in the unit shown; percentages as percent (5.5 = 5.5 %); leave blank or '—' when not available.",
]


def build_template(plan: Plan, period: str | None = None):
    """Return an openpyxl Workbook for ``period`` (a canonical period string, or None for blank)."""
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    if period:
        p = parse_period(period)
        label, period_text = p.label("zh"), str(p)
    else:
        label, period_text = "____年第__季度", ""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "填报表"
    ws["A1"] = f"{plan.meta.get('zone_geo', '')}科技创新指标报表（{label}）"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws["A2"] = "报告期："
    ws["B2"] = period_text
    ws["A3"] = "填报单位："
    ws["A4"] = "填报日期："
    ws["B4"].number_format = "yyyy-mm-dd"
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for c, text in enumerate(HEADER, start=1):
        cell = ws.cell(HEADER_ROW, c, text)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center")
        cell.border = border
    ind = plan.indicators
    order = list(ind[ind["in_table"]].index) + list(ind[~ind["in_table"]].index)
    for i, iid in enumerate(order, start=1):
        r = HEADER_ROW + i
        ws.cell(r, 1, i)
        ws.cell(r, 2, str(ind.at[iid, "name_zh"]))
        ws.cell(r, 3, str(ind.at[iid, "unit"]))
        if str(ind.at[iid, "accumulation"]) != "flow":
            ws.cell(r, 6, "存量指标, 本年累计不填")
        for c in range(1, len(HEADER) + 1):
            ws.cell(r, c).border = border
    last = HEADER_ROW + len(order)
    dv = DataValidation(type="custom", formula1=f"ISNUMBER(D{FIRST_DATA_ROW})", allow_blank=True,
                        showErrorMessage=False, promptTitle="数值", prompt="请填写数字 (enter a number)")
    ws.add_data_validation(dv)
    dv.add(f"D{FIRST_DATA_ROW}:E{last}")
    for k, line in enumerate(INSTRUCTIONS, start=2):
        ws.cell(last + k, 1, line)
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions["B"].width = 50
    ws.column_dimensions["C"].width = 10
    ws.column_dimensions["D"].width = 14
    ws.column_dimensions["E"].width = 14
    ws.column_dimensions["F"].width = 28
    ws.freeze_panes = f"C{FIRST_DATA_ROW}"
    return wb


def template_rows(plan: Plan) -> dict[str, int]:
    """Indicator id → the spreadsheet row it occupies in the template."""
    ind = plan.indicators
    order = list(ind[ind["in_table"]].index) + list(ind[~ind["in_table"]].index)
    return {iid: HEADER_ROW + i for i, iid in enumerate(order, start=1)}


def command_template(args) -> int:
    plan = load_plan(args.plan)
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        print(f"gxq template: output must be an .xlsx file: {out}", file=sys.stderr)
        return 2
    try:
        wb = build_template(plan, args.period)
    except PeriodError as exc:
        print(f"gxq template: {exc}", file=sys.stderr)
        return 2
    from .demo_data import _stable_xlsx_bytes

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(_stable_xlsx_bytes(wb))
    print(f"gxq template: wrote {out} ({len(plan.indicators)} indicators"
          + (f", period {args.period})" if args.period else ", period left blank)"))
    return 0

"""`gxq template`: the submission form a department fills in, which `gxq clean` reads back exactly.

Layout (one sheet, 填报表):

- row 1: title with the reporting period (and the department), e.g.
  江阴高新区科技创新指标报表·科技局（2019年第三季度）. Without ``--period`` the title reads
  （____年第__季度） and the department writes the period there or in the 报告期 cell (B2);
- row 2: 报告期 | 2019Q3 | 报送部门 | 科技局;
- row 3: 填报单位 | (the department, editable) | 填表人 | …;
- row 4: 填报日期 | (a date: the cleaner reads it; later wins on revision; lateness is judged by it) | 联系电话 | …;
- row 5: 负责人 | … | 报送截止 | the due date from the catalogue;
- row 6: header 序号 | 指标名称 | 单位 | 本期值 | 本年累计 | 上期值（参考） | 备注;
- one row per indicator on the form: with ``--dept``, that department's indicators reported at the
  period's frequency (see :mod:`gxq_analysis.model.departments`); without, every plan indicator;
- filling instructions below the table.

The sheet is protected without a password (anyone can read; nobody overwrites names, units or the
reference column by accident). Unlocked: the header fields a department fills in, 本期值, 本年累计 for
flow indicators only, and 备注. Each value cell carries an Excel data validation from the catalogue
(whole number for counts and ranks, decimal otherwise; the indicator's bounds) that stops a wrong
entry with a message in Chinese. 上期值 shows the previous period's value from the clean table.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..ingest.values import format_number
from ..model.departments import deadline, form_indicators, load_departments, safe_text
from ..model.periods import FREQ_ANNUAL, Period, PeriodError, parse_period
from ..model.plan import Plan, load_plan

if TYPE_CHECKING:
    from openpyxl.worksheet.datavalidation import DataValidation

HEADER = ["序号", "指标名称", "单位", "本期值", "本年累计", "上期值（参考）", "备注"]
HEADER_ROW = 6
FIRST_DATA_ROW = HEADER_ROW + 1
VALUE_COL, YTD_COL, PREVIOUS_COL, NOTE_COL = 4, 5, 6, 7
# Header fields: label cell → the cell a department fills in (unlocked).
FIELDS = {
    "填报单位": "B3",
    "填表人": "E3",
    "填报日期": "B4",
    "联系电话": "E4",
    "负责人": "B5",
}
INSTRUCTIONS = [
    "填报说明：1. 只在白色单元格填写；灰色单元格（指标名称、单位、上期值等）已锁定。工作表保护无密码，仅为防止误改。",
    "2. 本期值填写报告期数值：存量指标填期末数，流量指标填本期发生数；本年累计仅流量指标填写（年初至本期末）。",
    "3. 数值按“单位”列填写，请勿改动单位；百分比指标填百分数（5.5 表示 5.5%），不要填小数 0.055。超出合理范围或非数字的内容会被拒绝。",
    "4. 暂无数据请留空，并在备注栏说明原因；更正数据请重新报送整表并填写新的填报日期。",
    "5. 请填写填表人、联系电话和负责人，以便核实数据；请在报送截止日期前报送。",
    "Notes: fill the white cells only; values in the unit shown; percentages as percent (5.5 = 5.5 %); "
    "leave blank when not available and explain in 备注.",
]
_LOCKED_FILL = "F2F2F2"
ILLUSTRATIVE_NOTE = "注意：上期值（参考）含示例数据（非真实统计数据），仅供演示，请勿据此填报。"


def _label_zh(period: Period) -> str:
    return period.label("zh")


def previous_values(observations: Path | None, plan: Plan, period: Period) -> dict[str, tuple[float, bool]]:
    """Indicator id → (value, illustrative) from the clean table for the period before ``period`` (zone,
    not year-to-date). A missing observations file gives no reference values (the column stays blank)."""
    if observations is None or not Path(observations).is_file():
        return {}
    from ..model.departments import covers

    prev = period.previous()
    found: dict[str, tuple[int, float, bool]] = {}
    with Path(observations).open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            iid = row.get("indicator_id", "")
            if iid not in plan.indicators.index or row.get("geo", plan.zone_geo) not in ("", plan.zone_geo):
                continue
            if str(row.get("ytd", "")).lower() == "true":
                continue
            p = row.get("period", "")
            rank = 2 if p == str(prev) else 1 if covers(p, prev) else 0
            if not rank:
                continue
            try:
                value = float(row.get("value", ""))
            except ValueError:
                continue
            if rank > found.get(iid, (0, 0.0, False))[0]:
                found[iid] = (rank, value, str(row.get("illustrative", "")).lower() == "true")
    return {iid: (v, illustrative) for iid, (_, v, illustrative) in found.items()}


def _validation_for(plan: Plan, iid: str) -> DataValidation:
    """An Excel data validation from the catalogue: type, bounds, and a Chinese message Excel shows."""
    from openpyxl.worksheet.datavalidation import DataValidation

    kind = str(plan.indicators.at[iid, "kind"])
    whole = kind in ("count", "rank")
    lo, hi = plan.bounds(iid)
    if kind in ("count", "amount", "ratio") and lo is None:
        lo = 0.0
    if kind == "rank" and (lo is None or lo < 1):
        lo = 1.0
    unit = str(plan.indicators.at[iid, "unit"])
    what = "整数" if whole else "数字"
    if lo is not None and hi is not None:
        operator, f1, f2, span = "between", lo, hi, f"{format_number(lo)} 至 {format_number(hi)}"
    elif lo is not None:
        operator, f1, f2, span = "greaterThanOrEqual", lo, None, f"不小于 {format_number(lo)}"
    elif hi is not None:
        operator, f1, f2, span = "lessThanOrEqual", hi, None, f"不大于 {format_number(hi)}"
    else:
        operator, f1, f2, span = "between", -1e15, 1e15, "任意数值"
    name = plan.name(iid)
    message = f"{name}：请填写{what}，{span}（单位：{unit}）。暂无数据请留空，并在备注栏说明。"
    dv = DataValidation(
        type="whole" if whole else "decimal",
        operator=operator,
        formula1=format_number(f1),
        formula2=None if f2 is None else format_number(f2),
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="数值不符合要求",
        error=message[:255],
        showInputMessage=True,
        promptTitle=f"单位：{unit}"[:32],
        prompt=f"请填写{what}，{span}"[:255],
    )
    return dv


def build_template(
    plan: Plan,
    period: str | None = None,
    department: str | None = None,
    previous: dict[str, tuple[float, bool]] | None = None,
):
    """Return an openpyxl Workbook: the form for ``period`` (canonical text, or None for a blank period)
    and ``department`` (None: every indicator). ``previous`` fills the 上期值 reference column."""
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    p = parse_period(period) if period else None
    label, period_text = (_label_zh(p), str(p)) if p else ("____年第__季度", "")
    order = form_indicators(plan, department, p if department else None)
    previous = previous or {}
    unlocked = Protection(locked=False)
    locked_fill = PatternFill("solid", fgColor=_LOCKED_FILL)

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "填报表"
    dept_part = f"·{department}" if department else ""
    ws["A1"] = safe_text(f"{plan.meta.get('zone_geo', '')}科技创新指标报表{dept_part}（{label}）")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws["A2"] = "报告期："
    ws["B2"] = period_text
    if not p:
        ws["B2"].protection = unlocked  # the department writes the period here
    ws["D2"] = "报送部门："
    ws["E2"] = safe_text(department or "")
    for label_text, ref in FIELDS.items():
        label_cell = ws.cell(ws[ref].row, ws[ref].column - 1)
        label_cell.value = f"{label_text}："
        ws[ref].protection = unlocked
        ws[ref].border = Border(bottom=Side(style="thin", color="999999"))
    if department:
        ws[FIELDS["填报单位"]] = safe_text(department)
    ws[FIELDS["填报日期"]].number_format = "yyyy-mm-dd"
    if p:
        due = deadline(plan, order, p)
        ws["D5"] = "报送截止："
        if due:
            ws["E5"] = due
            ws["E5"].number_format = "yyyy-mm-dd"
        # 填报日期 must be a date after the period's start (Excel stores dates as serial numbers).
        dv_date = DataValidation(
            type="date",
            operator="greaterThanOrEqual",
            formula1=f"DATE({p.start.year},{p.start.month},{p.start.day})",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle="日期不符合要求",
            error="请填写报送当天的日期，例如 2019-10-12。",
        )
        ws.add_data_validation(dv_date)
        dv_date.add(FIELDS["填报日期"])

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for c, text in enumerate(HEADER, start=1):
        cell = ws.cell(HEADER_ROW, c, text)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center")
        cell.border = border
    validations: dict[tuple[object, ...], DataValidation] = {}
    for i, iid in enumerate(order, start=1):
        r = HEADER_ROW + i
        is_flow = str(plan.indicators.at[iid, "accumulation"]) == "flow" and (
            p is None or p.freq != FREQ_ANNUAL
        )
        ws.cell(r, 1, i)
        ws.cell(r, 2, safe_text(plan.name(iid)))
        ws.cell(r, 3, safe_text(str(plan.indicators.at[iid, "unit"])))
        if iid in previous:
            ws.cell(r, PREVIOUS_COL, previous[iid][0])
        if not is_flow:
            ws.cell(
                r,
                NOTE_COL,
                "存量指标, 本年累计不填"
                if str(plan.indicators.at[iid, "accumulation"]) != "flow"
                else "年度数, 本年累计不填",
            )
        for c in range(1, len(HEADER) + 1):
            cell = ws.cell(r, c)
            cell.border = border
            editable = c in (VALUE_COL, NOTE_COL) or (c == YTD_COL and is_flow)
            if editable:
                cell.protection = unlocked
            else:
                cell.fill = locked_fill
        dv = _validation_for(plan, iid)
        key = (dv.type, dv.operator, dv.formula1, dv.formula2, dv.error)
        if key not in validations:
            validations[key] = dv
            ws.add_data_validation(dv)
        target = validations[key]
        target.add(ws.cell(r, VALUE_COL).coordinate)
        if is_flow:
            target.add(ws.cell(r, YTD_COL).coordinate)
    last = HEADER_ROW + len(order)
    lines = list(INSTRUCTIONS)
    if any(previous[i][1] for i in order if i in previous):
        lines.insert(0, ILLUSTRATIVE_NOTE)
    for k, line in enumerate(lines, start=2):
        ws.cell(last + k, 1, line)
    for col, width in zip("ABCDEFG", (10, 50, 10, 14, 14, 16, 28)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = f"C{FIRST_DATA_ROW}"
    # Protected without a password: it prevents accidental edits, not reading or deliberate unprotecting.
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widths may still be adjusted
    return wb


def template_rows(plan: Plan, department: str | None = None, period: str | None = None) -> dict[str, int]:
    """Indicator id → the spreadsheet row it occupies in the form (same arguments as build_template)."""
    p = parse_period(period) if period and department else None
    order = form_indicators(plan, department, p)
    return {iid: HEADER_ROW + i for i, iid in enumerate(order, start=1)}


def form_file_name(period: str, department: str) -> str:
    return f"{period}_{department}_填报表.xlsx"


def _write(wb, out: Path) -> None:
    from ..ingest.demo_data import _stable_xlsx_bytes
    from ..model.files import atomic_write

    atomic_write(out, _stable_xlsx_bytes(wb))


def command_template(args: argparse.Namespace) -> int:
    from ..config import PROJ_ROOT

    plan = load_plan(args.plan)
    dept = getattr(args, "dept", None)
    try:
        period = str(parse_period(args.period)) if args.period else None
    except PeriodError as exc:
        print(f"gxq template: {exc}", file=sys.stderr)
        return 2
    known = [d.name for d in load_departments(plan)]
    if dept and dept != "all" and dept not in known:
        print(
            f"gxq template: unknown department {dept!r}; the catalogue names: {', '.join(known)}",
            file=sys.stderr,
        )
        return 2
    if dept and not period:
        print(
            "gxq template: --dept needs --period (the form lists the indicators due for that period)",
            file=sys.stderr,
        )
        return 2
    observations = getattr(args, "observations", None)
    previous = previous_values(observations, plan, parse_period(period)) if period else {}
    forms_dir = PROJ_ROOT / "forms" / (period or "blank")
    if dept == "all":
        assert period is not None  # --dept needs --period (refused above)
        out_dir = Path(args.out) if args.out else forms_dir
        if out_dir.suffix.lower() == ".xlsx":
            print(f"gxq template: with --dept all, --out is a folder, not a file: {out_dir}", file=sys.stderr)
            return 2
        written = []
        for name in known:
            rows = form_indicators(plan, name, parse_period(period))
            if not rows:
                continue
            out = out_dir / form_file_name(period, name)
            _write(build_template(plan, period, name, previous), out)
            written.append(f"{name} {len(rows)}")
        print(
            f"gxq template: wrote {len(written)} forms for {period} to {out_dir} "
            f"(indicators: {', '.join(written)})"
        )
        return 0
    if args.out:
        out = Path(args.out)
    elif dept:
        assert period is not None  # --dept needs --period (refused above)
        out = forms_dir / form_file_name(period, dept)
    else:
        out = forms_dir / f"{period or 'blank'}_全部指标_填报表.xlsx"
    if out.suffix.lower() != ".xlsx":
        print(f"gxq template: output must be an .xlsx file: {out}", file=sys.stderr)
        return 2
    n = len(form_indicators(plan, dept, parse_period(period) if dept else None))
    if n == 0:
        print(
            f"gxq template: {dept} reports no indicator for {period} (see the catalogue's department and "
            "frequency columns)",
            file=sys.stderr,
        )
        return 2
    _write(build_template(plan, period, dept, previous), out)
    print(
        f"gxq template: wrote {out} ({n} indicators"
        + (f", {dept}" if dept else "")
        + (f", period {period})" if period else ", period left blank)")
    )
    return 0

"""`gxq demo-data`: seeded, illustrative submissions for 2018-01 … 2020-12 (示例数据, not real figures).

The zone's own monthly and quarterly figures are not public, so the suite ships synthetic ones that
look like what departments really send, so that cleaning, status and reports can be exercised end to
end. Everything written here is flagged illustrative: the output folder gets an ``ILLUSTRATIVE.md``
marker, and ``gxq clean`` marks every observation from below such a folder ``illustrative=true``.

Layouts written (``data/raw/submissions/demo/`` by default):

- ``月报/<year>年科技创新指标月报.xlsx`` — the science bureau's monthly report, one sheet per month
  (1月 … 12月): title line with the month, 填报单位/填报日期 line, header 序号/指标名称/单位/本月/1-N月累计/备注.
  Monthly-frequency indicators: 高新技术产值占比 (level), 当年发明专利申请数 (a flow, month and YTD, with a
  December spike), 累计发明专利拥有量 (a stock).
- ``季报/科技局/<year>Q<q>_科技局_季报.xlsx`` — quarterly workbook with title, 填报单位 and 填报日期 lines, a
  two-level merged header (序号/指标名称/单位 merged vertically; "<year>年第N季度" merged over 本季 | 1-M月累计),
  section headings (一、…), footnote markers (①, *) and footnote lines under the table.
- ``季报/财政局/<year>Q<q>_财政局_季报.csv`` — GB18030 CSV with a title line, amounts in 万元 (the catalogue
  says 亿元; the cleaner converts and records it) and thousands separators.
- ``季报/金融办/创投基金规模_<year>Q<q>.csv`` — UTF-8 with BOM, no title: the period is in the file name only.
- ``年报/<year>年度科技创新指标年报.xlsx`` — annual report: the annual-frequency indicators (including the
  plan's text-only 2020 targets: 科技进步贡献率, 瞪羚企业, 独角兽企业 0→1 …) and a second sheet with the two
  evaluation rankings (national 66→55→48 improves; provincial 12→12→13 does not).

Deliberate mess, one or a few of each: full-width digits, "约120", "120家", "5.3%", ①/* markers,
万元 instead of 亿元, a ``#DIV/0!``, "—" placeholders, an Excel date as 填报日期, one revision (a
corrected resubmission with a later 填报日期), one late submission (财政局 2019Q3, dated the 22nd after
a 15-day deadline), one unknown indicator row (技术合同成交额), one share typed
as a fraction (0.523 for 52.3 %).

Trajectories (year-end values) sit around the plan's targets: R&D share ~5.0→5.6 % and high-tech
enterprises on track; tech SMEs, VC fund size and fiscal S&T share behind; R&D institution coverage
approaching but below 100 %.

Output is byte-stable for a given seed: workbook timestamps (docProps and zip entries) are fixed.
Regenerate with ``gxq demo-data`` (options ``--seed``, ``--out``).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import shutil
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

from ..model.plan import Plan, load_plan

FIXED_TIME = dt.datetime(2021, 1, 1, 0, 0, 0)
MARKER = "ILLUSTRATIVE.md"
YEARS = (2018, 2019, 2020)

# Year-end levels: 2017 (baseline), 2018, 2019, 2020.
STOCKS: dict[str, tuple[float, float, float, float]] = {
    "rd_gdp_share": (4.80, 5.02, 5.31, 5.58),
    "fiscal_st_share": (4.20, 4.32, 4.55, 4.96),
    "hitech_enterprises": (68, 82, 101, 123),
    "tech_smes": (45, 52, 66, 83),
    "private_tech_enterprises": (72, 79, 88, 97),
    "hitech_output_share": (49.6, 50.8, 52.9, 54.7),
    "rd_institutions": (138, 149, 163, 177),
    "rd_institution_coverage": (72.0, 79.2, 87.1, 94.6),
    "invention_patents_held": (680, 702, 738, 771),
    "invention_patents_per_10k": (54.0, 58.6, 64.2, 68.8),
    "vc_fund_size": (55.0, 58.5, 63.2, 68.4),
}
# Annual totals of flows: 2018, 2019, 2020.
FLOWS: dict[str, tuple[float, float, float]] = {
    "tax_relief": (2.91, 3.62, 4.15),  # 亿元 (reported in 万元 by the finance bureau)
    "invention_patent_applications": (768, 806, 834),
    "new_talents": (6, 8, 11),
}
ANNUAL: dict[str, tuple[float, float, float]] = {
    "st_progress_contribution": (60.5, 62.8, 64.1),
    "gazelle_enterprises": (7, 10, 13),
    "unicorn_enterprises": (0, 0, 1),
    "industrial_rd_revenue_share": (2.12, 2.31, 2.46),
    "key_labs": (1, 1, 2),
    "engineering_centers": (20, 22, 24),
    "industrial_tech_institutes": (2, 2, 3),
    "academician_workstations": (16, 18, 19),
    "postdoc_workstations": (6, 7, 8),
    "graduate_workstations": (14, 16, 18),
    "incubation_space_area": (131.5, 146.2, 158.3),
    "maker_spaces": (5, 6, 7),
    "maker_communities": (0, 1, 1),
    "incubators": (2, 2, 3),
    "high_level_talents": (2310, 2655, 3025),
}
RANKS = {"national_rank": (66, 55, 48), "provincial_rank": (12, 12, 13)}

MONTH_WEIGHTS = [0.055, 0.05, 0.075, 0.08, 0.08, 0.08, 0.078, 0.072, 0.08, 0.085, 0.09, 0.175]
QUARTER_WEIGHTS = {"tax_relief": [0.18, 0.32, 0.22, 0.28], "new_talents": [0.15, 0.3, 0.2, 0.35]}

SCIENCE_QUARTERLY = [
    "rd_gdp_share",
    "hitech_enterprises",
    "tech_smes",
    "private_tech_enterprises",
    "rd_institutions",
    "rd_institution_coverage",
    "invention_patents_per_10k",
    "new_talents",
]
SECTIONS = {
    "rd_gdp_share": "一、创新投入",
    "hitech_enterprises": "二、企业创新",
    "invention_patents_per_10k": "三、创新绩效",
}


class DemoDataError(Exception):
    pass


# --- value paths --------------------------------------------------------------------------------
def _stock_fraction(iid: str, month: int) -> float:
    """Share of the year's change reached by the end of ``month``."""
    if iid == "hitech_enterprises":  # certification results arrive late in the year
        return {9: 0.25, 10: 0.3, 11: 0.35, 12: 1.0}.get(month, 0.25 * month / 9)
    return month / 12


def stock_value(iid: str, year: int, month: int, rng: random.Random) -> float:
    base = STOCKS[iid]
    prev, end = base[year - 2018], base[year - 2017]
    v = prev + (end - prev) * _stock_fraction(iid, month)
    if iid == "rd_gdp_share":  # YTD R&D intensity is lower early in the year
        v += {1: -0.35, 2: -0.2, 3: -0.1, 4: 0.0}[(month - 1) // 3 + 1] if month != 12 else 0.0
    if isinstance(base[0], int):
        return float(round(v))
    noise = rng.gauss(0, 0.04 * max(1.0, abs(end - prev))) if month != 12 else 0.0
    return round(v + noise, 2)


def monthly_flow(iid: str, year: int, rng: random.Random) -> list[int]:
    total = FLOWS[iid][year - 2018]
    w = [x * (1 + rng.uniform(-0.08, 0.08)) for x in MONTH_WEIGHTS]
    s = sum(w)
    months = [round(total * x / s) for x in w]
    return months


def quarterly_flow(iid: str, year: int, rng: random.Random, integer: bool) -> list[float]:
    total = FLOWS[iid][year - 2018]
    w = QUARTER_WEIGHTS[iid]
    if integer:
        cum = [round(total * sum(w[: q + 1])) for q in range(4)]
        return [float(cum[0])] + [float(cum[q] - cum[q - 1]) for q in range(1, 4)]
    vals = [total * x * (1 + rng.uniform(-0.05, 0.05)) for x in w]
    return vals


# --- writing helpers ----------------------------------------------------------------------------
def _stable_xlsx_bytes(wb) -> bytes:
    """Save a workbook with fixed timestamps (docProps and zip entries) so output is byte-stable."""
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "gxq demo-data"
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rf"\g<1>{stamp}\g<2>", text
                )
                text = re.sub(
                    r"(<dcterms:created[^>]*>)[^<]*(</dcterms:created>)", rf"\g<1>{stamp}\g<2>", text
                )
                data = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, data)
    return out.getvalue()


def _write(path: Path, data: bytes, written: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    written.append(path)


def _csv_bytes(rows: Sequence[Sequence[object]], encoding: str) -> bytes:
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue().encode(encoding)


def _number(v: object) -> float:
    """A generated value before mess is added (always a number)."""
    assert isinstance(v, (int, float)), v
    return float(v)


def _fmt(v: float, nd: int = 2) -> str:
    s = f"{v:.{nd}f}".rstrip("0").rstrip(".")
    return s or "0"


def _to_fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" or c == "." else c for c in s)


def _report_date(year: int, month: int, day: int) -> dt.date:
    """A reporting date in the month after (year, month)."""
    if month == 12:
        return dt.date(year + 1, 1, day)
    return dt.date(year, month + 1, day)


def _cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# --- the layouts ----------------------------------------------------------------------------------
def _monthly(plan: Plan, out: Path, rng: random.Random, written: list[Path]) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    name = lambda iid: plan.name(iid)  # noqa: E731
    unit = lambda iid: str(plan.indicators.at[iid, "unit"])  # noqa: E731
    for year in YEARS:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        flows = monthly_flow("invention_patent_applications", year, rng)
        for m in range(1, 13):
            ws = wb.create_sheet(f"{m}月")
            ws["A1"] = f"江阴高新区科技创新主要指标月报（{year}年{m}月）"
            ws["A1"].font = Font(bold=True, size=14)
            ws["A1"].alignment = Alignment(horizontal="center")
            ws.merge_cells("A1:F1")
            rep = _report_date(year, m, 8 + (m * 7 + year) % 5)
            ws["A2"] = f"填报单位：高新区科技局　　　　填报日期：{_cn_date(rep)}"
            ws.merge_cells("A2:F2")
            ytd_label = "本年累计" if m == 1 else f"1-{m}月累计"
            ws.append(["序号", "指标名称", "单位", "本月", ytd_label, "备注"])
            share = stock_value("hitech_output_share", year, m, rng)
            held = stock_value("invention_patents_held", year, m, rng)
            month_flow = flows[m - 1]
            ytd_flow = sum(flows[:m])
            share_cell: object = share
            if (year, m) == (2019, 7):
                share_cell = round(share / 100, 3)  # mess: a share typed as a fraction
            flow_cell: object = month_flow
            ytd_cell: object = ytd_flow
            if (year, m) == (2018, 5):
                flow_cell = _to_fullwidth(str(month_flow))  # mess: full-width digits
            if (year, m) == (2020, 3):
                ytd_cell = f"约{ytd_flow}"  # mess: 约
            held_cell: object = held
            if (year, m) == (2019, 11):
                held_cell = f"{int(held)}件"  # mess: unit in the cell
            ws.append([1, name("hitech_output_share"), unit("hitech_output_share"), share_cell, "—", ""])
            ws.append(
                [
                    2,
                    name("invention_patent_applications"),
                    unit("invention_patent_applications"),
                    flow_cell,
                    ytd_cell,
                    "",
                ]
            )
            ws.append(
                [
                    3,
                    name("invention_patents_held"),
                    unit("invention_patents_held"),
                    held_cell,
                    None,
                    "有效发明专利",
                ]
            )
            ws.append([])
            ws.append(["注：本表为示例数据（illustrative）。"])
            ws.column_dimensions["B"].width = 36
        _write(out / "月报" / f"{year}年科技创新指标月报.xlsx", _stable_xlsx_bytes(wb), written)


def _science_quarterly(plan: Plan, out: Path, rng: random.Random, written: list[Path]) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    for year in YEARS:
        talents = quarterly_flow("new_talents", year, rng, integer=True)
        for q in range(1, 5):
            m = q * 3
            values: dict[str, tuple[object, object]] = {}
            for iid in SCIENCE_QUARTERLY:
                if iid == "new_talents":
                    values[iid] = (talents[q - 1], sum(talents[:q]))
                else:
                    values[iid] = (stock_value(iid, year, m, rng), None)
            # Mess, each once or twice over the three years.
            if (year, q) == (2018, 1):
                values["rd_institution_coverage"] = ("#DIV/0!", None)
                values["new_talents"] = ("—", "—")
            if (year, q) == (2019, 3):
                values["hitech_enterprises"] = (f"{int(_number(values['hitech_enterprises'][0]))}家", None)
            if (year, q) == (2020, 2):
                values["rd_gdp_share"] = (f"{_fmt(float(_number(values['rd_gdp_share'][0])))}%", None)
            if (year, q) == (2019, 1):
                values["tech_smes"] = (f"约{int(_number(values['tech_smes'][0]))}", None)
            if q == 4:  # Q4 figures are preliminary: marked with *
                v = values["rd_gdp_share"][0]
                values["rd_gdp_share"] = (f"{_fmt(_number(v))}*", None)
            rep = _report_date(year, m, 10 + q)
            _write(
                out / "季报" / "科技局" / f"{year}Q{q}_科技局_季报.xlsx",
                _science_workbook(plan, year, q, values, rep, Alignment, Font, openpyxl),
                written,
            )
            if (year, q) == (2019, 2):
                # A corrected resubmission two weeks later: tech SMEs were under-counted.
                corrected = {"tech_smes": (float(_number(values["tech_smes"][0])) + 3, None)}
                _write(
                    out / "季报" / "科技局" / f"{year}Q{q}_科技局_季报(更正).xlsx",
                    _science_workbook(
                        plan,
                        year,
                        q,
                        corrected,
                        rep + dt.timedelta(days=14),
                        Alignment,
                        Font,
                        openpyxl,
                        correction=True,
                    ),
                    written,
                )


def _science_workbook(plan, year, q, values, rep, Alignment, Font, openpyxl, correction=False) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "季报"
    m = q * 3
    title = f"江阴高新区科技创新指标季报（{year}年第{'一二三四'[q - 1]}季度）" + (
        "（更正）" if correction else ""
    )
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells("A1:F1")
    ws["A2"] = "填报单位：高新区科技局"
    ws["D2"] = f"填报日期：{_cn_date(rep)}"
    ws["A3"] = "序号"
    ws["B3"] = "指标名称"
    ws["C3"] = "单位"
    ws["D3"] = f"{year}年第{'一二三四'[q - 1]}季度"
    ws["F3"] = "备注"
    ws["D4"] = "本季"
    ws["E4"] = "本年累计" if q == 1 else f"1-{m}月累计"
    for rng_ in ("A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:F4"):
        ws.merge_cells(rng_)
    for c in ws[3] + ws[4]:
        c.font = Font(bold=True)
        c.alignment = Alignment(horizontal="center", vertical="center")
    row = 5
    no = 0
    for iid in SCIENCE_QUARTERLY:
        if iid not in values:
            continue
        if iid in SECTIONS and not correction:
            ws.cell(row, 1, SECTIONS[iid])
            row += 1
        no += 1
        cur, ytd = values[iid]
        name = plan.name(iid)
        if iid == "hitech_enterprises":
            name += "①"
        if iid == "rd_institution_coverage":
            name = "规模以上工业企业研发机构覆盖率②"  # an alias, with a footnote marker
        ws.cell(row, 1, no)
        ws.cell(row, 2, name)
        ws.cell(row, 3, str(plan.indicators.at[iid, "unit"]))
        ws.cell(row, 4, cur)
        ws.cell(row, 5, ytd)
        if correction:
            ws.cell(row, 6, "更正: 补录3家入库企业")
        row += 1
    row += 1
    ws.cell(row, 1, "注：①高新技术企业数为有效期内企业数。②按规模以上工业企业口径计算。*为初步数。")
    ws.cell(row + 1, 1, "本表为示例数据（illustrative），由 gxq demo-data 生成。")
    ws.column_dimensions["B"].width = 40
    return _stable_xlsx_bytes(wb)


def _finance_quarterly(plan: Plan, out: Path, rng: random.Random, written: list[Path]) -> None:
    for year in YEARS:
        relief = quarterly_flow("tax_relief", year, rng, integer=False)
        for q in range(1, 5):
            m = q * 3
            share = stock_value("fiscal_st_share", year, m, rng)
            cur = round(relief[q - 1] * 1e4, 2)  # 万元
            ytd = round(sum(relief[:q]) * 1e4, 2)
            # One late submission (after the 15th-day deadline) so that `gxq submissions` has a late case.
            rep = _report_date(year, m, 22 if (year, q) == (2019, 3) else 15)
            rows = [
                [f"江阴高新区财政科技指标季报（{year}年第{'一二三四'[q - 1]}季度）", "", "", "", ""],
                ["填报单位：高新区财政局", "", f"填报日期：{rep.isoformat()}", "", ""],
                ["指标名称", "单位", "本期值", "本年累计", "备注"],
                ["本级财政科技拨款占本级财政一般公共预算的比重", "%", _fmt(share), "", ""],
                [
                    "企业享受税收减免、研发经费加计扣除优惠政策减免额",
                    "万元",
                    f"{cur:,.2f}",
                    f"{ytd:,.2f}",
                    "含加计扣除",
                ],
                ["", "", "", "", ""],
                ["注：金额单位为万元。", "", "", "", ""],
            ]
            _write(
                out / "季报" / "财政局" / f"{year}Q{q}_财政局_季报.csv", _csv_bytes(rows, "gb18030"), written
            )


def _finance_office_quarterly(plan: Plan, out: Path, rng: random.Random, written: list[Path]) -> None:
    for year in YEARS:
        for q in range(1, 5):
            v = stock_value("vc_fund_size", year, q * 3, rng)
            rows: list[list[object]] = [
                ["序号", "指标", "计量单位", "数值", "备注"],
                [1, "各类创业投资基金规模", "亿元", _fmt(v), "基金认缴规模"],
            ]
            _write(
                out / "季报" / "金融办" / f"创投基金规模_{year}Q{q}.csv",
                _csv_bytes(rows, "utf-8-sig"),
                written,
            )


def _annual(plan: Plan, out: Path, rng: random.Random, written: list[Path]) -> None:
    import openpyxl
    from openpyxl.styles import Font

    for year in YEARS:
        i = year - 2018
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "创新指标"
        ws["A1"] = f"江阴高新区科技创新指标年报（{year}年度）"
        ws["A1"].font = Font(bold=True, size=14)
        ws.merge_cells("A1:E1")
        ws["A2"] = "填报日期："
        ws["B2"] = dt.datetime(year + 1, 2, 20)  # an Excel date cell
        ws["B2"].number_format = "yyyy-mm-dd"
        ws["A3"] = "单位：见各行"
        ws.append(["序号", "指标名称", "单位", f"{year}年", "备注"])
        no = 0
        for iid, vals in ANNUAL.items():
            no += 1
            v: object = vals[i]
            kind = str(plan.indicators.at[iid, "kind"])
            if kind == "count":
                v = int(_number(v))
            if iid == "maker_communities" and year == 2018:
                v = "—"  # none yet: a placeholder
            if iid == "academician_workstations" and year == 2019:
                v = "１８"  # full-width digits
            if iid == "gazelle_enterprises" and year == 2020:
                v = "13家"
            ws.append([no, plan.name(iid), str(plan.indicators.at[iid, "unit"]), v, ""])
        if year == 2019:
            no += 1
            ws.append([no, "技术合同成交额", "亿元", 12.6, "不在计划指标目录中"])  # mess: unknown indicator
        ws.append([])
        ws.append(["数据来源：高新区管委会各部门。本表为示例数据（illustrative）。"])
        ws.column_dimensions["B"].width = 44
        ws2 = wb.create_sheet("评价排名")
        ws2["A1"] = f"{year}年度高新区评价排名情况"
        ws2.append(["指标名称", "数值", "说明"])
        ws2.append(["全国高新区综合排名", RANKS["national_rank"][i], "科技部火炬中心评价（示例）"])
        ws2.append(["全省高新区评价排名", RANKS["provincial_rank"][i], "省科技厅评价（示例）"])
        ws2.append([])
        ws2.append([f"填报日期：{year + 1}年3月5日"])
        _write(out / "年报" / f"{year}年度科技创新指标年报.xlsx", _stable_xlsx_bytes(wb), written)


MARKER_TEXT = """# 示例数据 · Illustrative data

本文件夹中的全部报表均为**合成的示例数据**（illustrative），不是江阴高新区的真实统计数字。
它们由 `gxq demo-data --seed {seed}` 按固定随机种子生成，用来演示数据清洗、进度评估和报告生成。
`gxq clean` 会把本文件夹（及其子文件夹）中读出的每一个数值标记为 `illustrative=true`，
报告中会显著标明“示例数据”。

All workbooks and CSV files in this folder are **synthetic, illustrative data**, not real figures
of the Jiangyin High-tech Zone. They were generated by `gxq demo-data --seed {seed}` (seeded, so the
same seed gives byte-identical files) to exercise cleaning, status assessment and reporting.
`gxq clean` flags every value read from this folder or below as `illustrative=true`, and reports
say so visibly (示例数据).

Regenerate / 重新生成:

    gxq demo-data                 # default seed, writes data/raw/submissions/demo/
    gxq demo-data --seed 7 --out /tmp/demo

The trajectories and the deliberate mess (full-width digits, 万元 instead of 亿元, a #DIV/0!, a
corrected resubmission, an unknown indicator, a share typed as a fraction …) are described in the
docstring of `gxq_analysis/ingest/demo_data.py` and in `data/README.md`.
"""


def generate(out: Path, plan: Plan, seed: int) -> list[Path]:
    """Write the demo submissions into ``out`` (replacing a previous demo folder). Returns the files."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).exists():
            raise DemoDataError(f"{out} is not empty and has no {MARKER}: refusing to overwrite it")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    written: list[Path] = []
    (out / MARKER).write_text(MARKER_TEXT.format(seed=seed), encoding="utf-8")
    written.append(out / MARKER)
    _monthly(plan, out, rng, written)
    _science_quarterly(plan, out, rng, written)
    _finance_quarterly(plan, out, rng, written)
    _finance_office_quarterly(plan, out, rng, written)
    _annual(plan, out, rng, written)
    return written


def command_demo_data(args) -> int:
    plan = load_plan(args.plan)
    try:
        files = generate(Path(args.out), plan, int(args.seed))
    except DemoDataError as exc:
        print(f"gxq demo-data: {exc}", file=sys.stderr)
        return 2
    size = sum(p.stat().st_size for p in files)
    print(f"gxq demo-data: wrote {len(files)} files ({size / 1024:.0f} KB, seed {args.seed}) to {args.out}")
    return 0

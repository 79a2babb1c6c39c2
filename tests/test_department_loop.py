"""The department loop: per-department forms, the submissions status, and correction sheets (issue #12)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil

import openpyxl
import pytest

from gxq_analysis.cli import main
from gxq_analysis.config import DEFAULT_PLAN_DIR, RAW_DIR
from gxq_analysis.ingest.clean import clean, write_outputs
from gxq_analysis.loop.corrections import correction_rows
from gxq_analysis.loop.submissions import submissions_status
from gxq_analysis.loop.template import (
    FIELDS,
    HEADER,
    HEADER_ROW,
    ILLUSTRATIVE_NOTE,
    PREVIOUS_COL,
    VALUE_COL,
    YTD_COL,
    template_rows,
)
from gxq_analysis.model.departments import (
    UNATTRIBUTED,
    attribute,
    form_indicators,
    load_departments,
    safe_text,
)
from gxq_analysis.model.periods import parse_period
from gxq_analysis.model.plan import load_plan

PERIOD = "2019Q3"


@pytest.fixture(scope="module")
def plan():
    return load_plan()


# --- the catalogue -------------------------------------------------------------------------------
def test_every_indicator_has_a_known_department_and_due_days(plan):
    names = {d.name for d in load_departments(plan)}
    with open(DEFAULT_PLAN_DIR / "departments.csv", encoding="utf-8") as fh:
        csv_names = [r["department"] for r in csv.DictReader(fh)]
    assert names == set(csv_names)
    for iid in plan.indicators.index:
        assert plan.department(iid) in csv_names, iid
        assert plan.due_days(iid) > 0
    # The choices the issue asks for.
    assert plan.department("rd_gdp_share") == "统计局"
    assert plan.department("fiscal_st_share") == "财政局"
    assert plan.department("tax_relief") == "税务局"
    assert plan.department("vc_fund_size") == "金融办"
    assert plan.department("invention_patents_held") == "市场监管局"
    assert plan.department("new_talents") == "人社局"
    assert plan.department("national_rank") == "科技局"


def test_plan_without_department_columns_gets_defaults(tmp_path, plan):
    folder = tmp_path / "plan"
    shutil.copytree(DEFAULT_PLAN_DIR, folder)
    (folder / "departments.csv").unlink()
    with open(folder / "indicators.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    keep = [c for c in rows[0] if c not in ("department", "due_days")]
    with open(folder / "indicators.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=keep, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    bare = load_plan(folder)
    assert bare.department("rd_gdp_share") == ""
    assert bare.due_days("rd_gdp_share") == 15
    assert load_departments(bare) == []


def test_bad_due_days_named_with_row_and_column(tmp_path):
    folder = tmp_path / "plan"
    shutil.copytree(DEFAULT_PLAN_DIR, folder)
    text = (folder / "indicators.csv").read_text(encoding="utf-8").replace(",统计局,15,", ",统计局,soon,", 1)
    (folder / "indicators.csv").write_text(text, encoding="utf-8")
    with pytest.raises(Exception) as exc:
        load_plan(folder)
    assert "row 2" in str(exc.value) and "due_days" in str(exc.value)


def test_attribution_by_reporting_unit_then_path(plan):
    deps = load_departments(plan)
    assert attribute(deps, "江阴高新区市场监督管理局", "submissions/x.xlsx") == "市场监管局"
    assert attribute(deps, "", "submissions/2019/金融办/a.csv") == "金融办"
    assert attribute(deps, "", "submissions/年报/2019.xlsx") == UNATTRIBUTED


# --- forms ----------------------------------------------------------------------------------------
def _accepts(dv, value) -> bool:
    """What Excel does with a typed value, read from openpyxl's view of the data validation."""
    if not isinstance(value, (int, float)):
        return False
    if dv.type == "whole" and not float(value).is_integer():
        return False
    lo = float(dv.formula1) if dv.formula1 is not None else None
    hi = float(dv.formula2) if dv.formula2 is not None else None
    op = dv.operator or "between"
    return {
        "between": lambda: lo <= value <= hi,
        "greaterThanOrEqual": lambda: value >= lo,
        "lessThanOrEqual": lambda: value <= lo,
    }[op]()


def _validation_of(ws, coord):
    found = [dv for dv in ws.data_validations.dataValidation if coord in dv.sqref]
    assert len(found) == 1, coord
    return found[0]


def _valid_value(plan, iid):
    lo, hi = plan.bounds(iid)
    kind = plan.indicators.at[iid, "kind"]
    base = max(lo or 0, 1)
    if kind in ("count", "rank"):
        return int(base) + 7
    return round(min(base + 3.25, hi if hi is not None else 1e9), 2)


def test_form_per_department_is_protected_and_round_trips(tmp_path, plan):
    raw = tmp_path / "raw"
    forms = raw / "submissions" / PERIOD
    assert main(["template", "--period", PERIOD, "--dept", "all", "--out", str(forms)]) == 0
    written = sorted(p.name for p in forms.iterdir())
    depts = [d.name for d in load_departments(plan) if form_indicators(plan, d.name, parse_period(PERIOD))]
    assert written == sorted(f"{PERIOD}_{d}_填报表.xlsx" for d in depts)
    expected = {}
    for dept in depts:
        path = forms / f"{PERIOD}_{dept}_填报表.xlsx"
        wb = openpyxl.load_workbook(path)
        ws = wb.active
        # Protected, no password needed to open or read.
        assert ws.protection.sheet is True
        assert not ws.protection.password
        assert [c.value for c in ws[HEADER_ROW]] == HEADER
        rows = template_rows(plan, dept, PERIOD)
        assert list(rows) == form_indicators(plan, dept, parse_period(PERIOD))
        assert all(plan.department(i) == dept for i in rows)
        for label, ref in FIELDS.items():
            assert ws.cell(ws[ref].row, ws[ref].column - 1).value == f"{label}："
            assert ws[ref].protection.locked is False
        for iid, r in rows.items():
            assert ws.cell(r, 2).value == plan.name(iid)
            assert ws.cell(r, 2).protection.locked and ws.cell(r, 3).protection.locked
            assert ws.cell(r, PREVIOUS_COL).protection.locked
            assert ws.cell(r, VALUE_COL).protection.locked is False
            flow = plan.indicators.at[iid, "accumulation"] == "flow"
            assert ws.cell(r, YTD_COL).protection.locked is (not flow)
            dv = _validation_of(ws, ws.cell(r, VALUE_COL).coordinate)
            assert dv.showErrorMessage and dv.errorStyle == "stop"
            assert plan.name(iid) in dv.error and "请填写" in dv.error
            value = _valid_value(plan, iid)
            assert _accepts(dv, value)
            ws.cell(r, VALUE_COL, value)
            expected[(iid, False)] = (float(value), r, f"{PERIOD}_{dept}_填报表.xlsx")
            if flow:
                ws.cell(r, YTD_COL, value * 3)
                expected[(iid, True)] = (float(value * 3), r, f"{PERIOD}_{dept}_填报表.xlsx")
        ws[FIELDS["填表人"]] = "张三"
        ws[FIELDS["联系电话"]] = "0510-86861234"
        ws[FIELDS["负责人"]] = "李四"
        ws[FIELDS["填报日期"]] = dt.datetime(2019, 10, 12)
        wb.save(path)
    result = clean(raw, plan)
    got = {
        (o["indicator_id"], o["ytd"]): (o["value"], o["source_row"], o["source_file"].rsplit("/", 1)[1])
        for o in result.observations
    }
    assert got == expected
    assert {o["period"] for o in result.observations} == {PERIOD}
    assert {o["reported_at"] for o in result.observations} == {"2019-10-12"}
    assert result.quarantine == []
    units = {f.path.rsplit("/", 1)[1]: f.reporting_unit for f in result.files}
    assert units == {f"{PERIOD}_{d}_填报表.xlsx": d for d in depts}


def test_out_of_bounds_value_is_rejected_by_the_validation(tmp_path, plan):
    out = tmp_path / "f.xlsx"
    assert main(["template", "--period", PERIOD, "--dept", "统计局", "--out", str(out)]) == 0
    ws = openpyxl.load_workbook(out).active
    rows = template_rows(plan, "统计局", PERIOD)
    share = _validation_of(ws, f"D{rows['rd_gdp_share']}")
    assert (share.type, share.operator, share.formula1, share.formula2) == ("decimal", "between", "0", "100")
    assert not _accepts(share, 150) and not _accepts(share, -1) and not _accepts(share, "五点五")
    assert _accepts(share, 5.5)
    out2 = tmp_path / "g.xlsx"
    assert main(["template", "--period", PERIOD, "--dept", "科技局", "--out", str(out2)]) == 0
    ws2 = openpyxl.load_workbook(out2).active
    count = _validation_of(ws2, f"D{template_rows(plan, '科技局', PERIOD)['hitech_enterprises']}")
    assert count.type == "whole" and _accepts(count, 96)
    assert not _accepts(count, 2.5) and not _accepts(count, -3)


def test_form_shows_previous_period_value(tmp_path, plan):
    obs = tmp_path / "obs.csv"
    obs.write_text(
        "indicator_id,period,value\nrd_gdp_share,2019Q2,5.2\nrd_gdp_share,2019Q3,5.3\n", encoding="utf-8"
    )
    out = tmp_path / "f.xlsx"
    assert (
        main(
            [
                "template",
                "--period",
                PERIOD,
                "--dept",
                "统计局",
                "--out",
                str(out),
                "--observations",
                str(obs),
            ]
        )
        == 0
    )
    ws = openpyxl.load_workbook(out).active
    rows = template_rows(plan, "统计局", PERIOD)
    assert ws.cell(rows["rd_gdp_share"], PREVIOUS_COL).value == 5.2
    assert ws.cell(rows["hitech_output_share"], PREVIOUS_COL).value is None
    assert not any(c.value == ILLUSTRATIVE_NOTE for row in ws.iter_rows() for c in row)
    obs.write_text("indicator_id,period,value,illustrative\nrd_gdp_share,2019Q2,5.2,true\n", encoding="utf-8")
    assert (
        main(
            [
                "template",
                "--period",
                PERIOD,
                "--dept",
                "统计局",
                "--out",
                str(out),
                "--observations",
                str(obs),
            ]
        )
        == 0
    )
    ws = openpyxl.load_workbook(out).active
    assert ws.cell(rows["rd_gdp_share"], PREVIOUS_COL).value == 5.2
    assert any(c.value == ILLUSTRATIVE_NOTE for row in ws.iter_rows() for c in row)


def test_unknown_department_is_refused(tmp_path, capsys):
    assert main(["template", "--period", PERIOD, "--dept", "宣传部", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "宣传部" in capsys.readouterr().err


# --- submissions status -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_processed(tmp_path_factory, plan):
    out = tmp_path_factory.mktemp("processed")
    write_outputs(clean(RAW_DIR, plan), plan, out)
    return out


def test_submissions_on_demo_data_name_missing_and_late(plan, demo_processed):
    rows = {r["department"]: r for r in submissions_status(plan, PERIOD, demo_processed)}
    # The demo's finance bureau CSV for 2019Q3 is dated 2019-10-22, after the 15-day deadline.
    assert rows["财政局"]["late"] == 1 and rows["财政局"]["status"] == "late"
    assert rows["财政局"]["last_reported_at"] == "2019-10-22" and rows["财政局"]["deadline"] == "2019-10-15"
    # No demo file comes from the statistics bureau, the tax bureau, market regulation or HR.
    for dept in ("统计局", "税务局", "市场监管局", "人社局"):
        assert rows[dept]["status"] == "missing" and rows[dept]["files"] == 0
        assert rows[dept]["received"] == 0 and rows[dept]["missing"] == rows[dept]["expected"] > 0
    assert rows["统计局"]["missing_indicators"] == "研发经费投入占GDP比重、高新技术产值占规上工业总产值比例"
    # The tax relief figure arrived, but from the finance bureau's file.
    assert rows["税务局"]["covered_by_others"] == 1
    sci = rows["科技局"]
    assert (sci["expected"], sci["received"], sci["missing"], sci["late"]) == (5, 5, 0, 0)
    assert sci["last_reported_at"] == "2019-10-13"
    assert rows["金融办"]["undated"] == 1 and rows["金融办"]["late"] == 0


def test_submissions_cli_formats(demo_processed, capsys):
    args = ["submissions", "--period", PERIOD, "--processed", str(demo_processed)]
    assert main(args + ["--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("department", "expected", "received", "missing", "late", "last_reported_at"):
        assert key in data[0]
    assert main(["submissions", "--period", PERIOD, "--processed", str(demo_processed)]) == 0
    text = capsys.readouterr().out
    assert "统计局" in text and "未报送" in text and "逾期报送" in text


def test_submissions_without_clean_output_fails_clearly(tmp_path, capsys):
    assert main(["submissions", "--period", PERIOD, "--processed", str(tmp_path)]) == 2
    assert "gxq clean" in capsys.readouterr().err


# --- corrections ----------------------------------------------------------------------------------------
def test_corrections_list_exactly_the_rows_needing_a_person(tmp_path, plan):
    raw = tmp_path / "raw"
    sub = raw / "submissions"
    sub.mkdir(parents=True)
    # 科技局 fills its own form: one value out of range, one text, one fine, the rest blank.
    own = sub / "科技局.xlsx"
    assert main(["template", "--period", PERIOD, "--dept", "科技局", "--out", str(own)]) == 0
    wb = openpyxl.load_workbook(own)
    ws = wb.active
    rows = template_rows(plan, "科技局", PERIOD)
    ws.cell(rows["hitech_enterprises"], VALUE_COL, 96)
    ws.cell(rows["tech_smes"], VALUE_COL, -5)
    ws.cell(rows["rd_institution_coverage"], VALUE_COL, "约九成")
    ws[FIELDS["填报日期"]] = dt.datetime(2019, 10, 12)
    wb.save(own)
    # 科技局 also fills the old all-indicator form: other departments' blank rows are nobody's task there,
    # and an injected formula as an indicator name comes back as text.
    full = sub / "全部指标.xlsx"
    assert main(["template", "--period", PERIOD, "--out", str(full)]) == 0
    wb = openpyxl.load_workbook(full)
    ws = wb.active
    all_rows = template_rows(plan)
    ws["B3"] = "高新区科技局"
    ws["B4"] = dt.datetime(2019, 10, 12)
    ws.cell(all_rows["private_tech_enterprises"], VALUE_COL, 88)
    ws.cell(all_rows["fiscal_st_share"], VALUE_COL, 0.045)  # a fraction in another department's row: a fix
    extra = max(all_rows.values()) + 1
    ws.insert_rows(extra)
    ws.cell(extra, 2, '=HYPERLINK("http://x","点击")')
    ws.cell(extra, 2).data_type = "s"
    ws.cell(extra, VALUE_COL, 3)
    wb.save(full)
    processed = tmp_path / "processed"
    write_outputs(clean(raw, plan), plan, processed)

    by_dept = correction_rows(plan, PERIOD, processed)
    assert list(by_dept) == ["科技局"]
    got = {(r["file"].rsplit("/", 1)[1], r["row"], r["category"]) for r in by_dept["科技局"]}
    want = {
        ("科技局.xlsx", rows["tech_smes"], "out_of_range"),
        ("科技局.xlsx", rows["rd_institution_coverage"], "invalid_value"),
        ("全部指标.xlsx", all_rows["fiscal_st_share"], "fraction_not_percent"),
        ("全部指标.xlsx", extra, "unknown_indicator"),
    }
    # Its own indicators left blank, on either form, must be supplied.
    own_blank = [i for i in rows if i not in ("hitech_enterprises", "tech_smes", "rd_institution_coverage")]
    want |= {("科技局.xlsx", rows[i], "no_value") for i in own_blank}
    want |= {("全部指标.xlsx", all_rows[i], "no_value") for i in rows if i != "private_tech_enterprises"}
    assert got == want
    reasons = {r["category"]: r["reason"] for r in by_dept["科技局"]}
    assert reasons["out_of_range"] == "数值超出该指标的合理范围（不小于 0，单位：家），请核实后更正。"
    # Plain Chinese, not the cleaner's bilingual log line.
    assert not [r for r in reasons.values() if re.search(r"[A-Za-z]{3,}", r)]

    out = tmp_path / "corr"
    assert main(["corrections", "--period", PERIOD, "--processed", str(processed), "--out", str(out)]) == 0
    wb = openpyxl.load_workbook(out / f"{PERIOD}_科技局_数据更正.xlsx")
    ws = wb.active
    lines = list(ws.iter_rows(min_row=5, values_only=True))
    assert len(lines) == len(want)
    injected = [
        c
        for row in ws.iter_rows(min_row=5)
        for c in row
        if isinstance(c.value, str) and "HYPERLINK" in c.value
    ]
    assert injected and all(c.value.startswith("'=") and c.data_type == "s" for c in injected)


def test_safe_text_neutralises_formula_starts():
    assert safe_text("=1+1") == "'=1+1"
    assert safe_text("+86 510") == "'+86 510"
    assert safe_text("-5") == "'-5"
    assert safe_text("@SUM(A1)") == "'@SUM(A1)"
    assert safe_text("科技局") == "科技局"
    assert safe_text(5) == 5 and safe_text(None) is None


# --- the 报送进度 section of the data-quality page ----------------------------------------------------------
def test_submissions_section_names_missing_and_late(plan, demo_processed):
    from gxq_analysis.loop.submissions import submissions_section

    html = submissions_section(plan, PERIOD, demo_processed, "zh")
    assert html.startswith("<h2>报送进度</h2>")
    assert "<td>统计局</td>" in html and "未报送" in html and "逾期报送" in html
    assert "研发经费投入占GDP比重、高新技术产值占规上工业总产值比例" in html
    en = submissions_section(plan, PERIOD, demo_processed, "en")
    assert "<td>Statistics Bureau</td>" in en and "Not submitted" in en and "Late" in en


def test_submissions_section_without_clean_output_and_escaping(tmp_path, plan, demo_processed):
    from gxq_analysis.loop.submissions import submissions_section

    assert "gxq clean" in submissions_section(plan, PERIOD, tmp_path, "zh")
    folder = tmp_path / "plan"
    shutil.copytree(DEFAULT_PLAN_DIR, folder)
    for name in ("indicators.csv", "departments.csv"):
        text = (folder / name).read_text(encoding="utf-8").replace("人社局", "<b>人社局</b>")
        (folder / name).write_text(text, encoding="utf-8")
    html = submissions_section(load_plan(folder), PERIOD, demo_processed, "zh")
    assert "<b>" not in html and "&lt;b&gt;人社局&lt;/b&gt;" in html


def test_unreadable_file_counts_as_sent_and_goes_back_to_its_department(tmp_path, plan):
    raw = tmp_path / "raw"
    (raw / "submissions").mkdir(parents=True)
    (raw / "submissions" / f"{PERIOD}_统计局.xlsx").write_bytes(b"not a workbook")
    processed = tmp_path / "processed"
    write_outputs(clean(raw, plan), plan, processed)
    rows = {r["department"]: r for r in submissions_status(plan, PERIOD, processed)}
    assert rows["统计局"]["files"] == 1 and rows["统计局"]["received"] == 0
    assert rows["统计局"]["status"] == "incomplete" and rows["统计局"]["needs_correction"] == 1
    assert rows["科技局"]["status"] == "missing"
    fixes = correction_rows(plan, PERIOD, processed)
    assert [(r["file"], r["category"]) for r in fixes["统计局"]] == [
        (f"submissions/{PERIOD}_统计局.xlsx", "unreadable_file")
    ]
    assert fixes["统计局"][0]["reason"].startswith("文件无法读取")


def test_blank_reporting_date_is_undated_not_late(tmp_path, plan):
    raw = tmp_path / "raw"
    path = raw / "submissions" / "金融办.xlsx"
    assert main(["template", "--period", PERIOD, "--dept", "金融办", "--out", str(path)]) == 0
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.cell(template_rows(plan, "金融办", PERIOD)["vc_fund_size"], VALUE_COL, 61.5)
    ws[FIELDS["联系电话"]] = "0510-2019-1015"  # a phone number is not a reporting date
    wb.save(path)
    processed = tmp_path / "processed"
    write_outputs(clean(raw, plan), plan, processed)
    row = {r["department"]: r for r in submissions_status(plan, PERIOD, processed)}["金融办"]
    assert (row["received"], row["late"], row["undated"], row["last_reported_at"]) == (1, 0, 1, "")
    assert row["status_zh"] == "已报齐（无填报日期）"


def test_form_text_from_the_catalogue_cannot_become_a_formula(tmp_path):
    folder = tmp_path / "plan"
    shutil.copytree(DEFAULT_PLAN_DIR, folder)
    text = (folder / "indicators.csv").read_text(encoding="utf-8")
    text = text.replace(",研发经费投入占GDP比重,", ",=1+1研发经费投入占GDP比重,", 1).replace(
        ",统计局,", ",@统计局,"
    )
    (folder / "indicators.csv").write_text(text, encoding="utf-8")
    out = tmp_path / "f.xlsx"
    assert (
        main(["template", "--period", PERIOD, "--dept", "@统计局", "--out", str(out), "--plan", str(folder)])
        == 0
    )
    ws = openpyxl.load_workbook(out).active
    assert ws["E2"].value == "'@统计局" and ws["B3"].value == "'@统计局"
    assert ws.cell(HEADER_ROW + 1, 2).value == "'=1+1研发经费投入占GDP比重"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)

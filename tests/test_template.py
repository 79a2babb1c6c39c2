"""`gxq template` writes a workbook that `gxq clean` reads back exactly."""

from __future__ import annotations

import datetime as dt

import openpyxl

from gxq_analysis.cli import main
from gxq_analysis.ingest.clean import clean
from gxq_analysis.loop.template import HEADER, HEADER_ROW, template_rows
from gxq_analysis.model.plan import load_plan


def test_template_lists_every_indicator_in_plan_order(tmp_path):
    out = tmp_path / "t.xlsx"
    assert main(["template", "--period", "2019Q3", "--out", str(out)]) == 0
    ws = openpyxl.load_workbook(out).active
    assert ws["A1"].value.endswith("（2019年第三季度）")
    assert [c.value for c in ws[HEADER_ROW]] == HEADER
    plan = load_plan()
    names = [ws.cell(r, 2).value for r in range(HEADER_ROW + 1, HEADER_ROW + 1 + len(plan.indicators))]
    assert names[0] == "研发经费投入占GDP比重"  # table no. 1
    assert names[15] == "当年新增市级以上人才数"  # table no. 16
    assert names[16] == "科技进步贡献率"  # first text-only target
    assert sorted(names) == sorted(plan.indicators["name_zh"])


def test_template_rejects_bad_period(tmp_path, capsys):
    assert main(["template", "--period", "2019Q5", "--out", str(tmp_path / "t.xlsx")]) == 2
    assert "2019Q5" in capsys.readouterr().err


def test_filled_template_round_trip(tmp_path):
    plan = load_plan()
    raw = tmp_path / "raw"
    sub = raw / "submissions"
    sub.mkdir(parents=True)
    path = sub / "科技局_2019Q3.xlsx"
    assert main(["template", "--period", "2019Q3", "--out", str(path)]) == 0
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["B3"] = "高新区科技局"
    ws["B4"] = dt.datetime(2019, 10, 12)
    rows = template_rows(plan)
    filled = {  # indicator: (本期值, 本年累计)
        "rd_gdp_share": (5.21, None),
        "hitech_enterprises": (96, None),
        "new_talents": (2, 7),
        "vc_fund_size": (61.5, None),
        "national_rank": (55, None),
        "incubation_space_area": (150.25, None),
    }
    for iid, (cur, ytd) in filled.items():
        ws.cell(rows[iid], 4, cur)
        ws.cell(rows[iid], 5, ytd)
    wb.save(path)

    result = clean(raw, plan)
    got = {
        (o["indicator_id"], o["ytd"]): (o["value"], o["period"], o["source_row"]) for o in result.observations
    }
    assert got == {
        ("rd_gdp_share", False): (5.21, "2019Q3", rows["rd_gdp_share"]),
        ("hitech_enterprises", False): (96, "2019Q3", rows["hitech_enterprises"]),
        ("new_talents", False): (2, "2019Q3", rows["new_talents"]),
        ("new_talents", True): (7, "2019Q3", rows["new_talents"]),
        ("vc_fund_size", False): (61.5, "2019Q3", rows["vc_fund_size"]),
        ("national_rank", False): (55, "2019Q3", rows["national_rank"]),
        ("incubation_space_area", False): (150.25, "2019Q3", rows["incubation_space_area"]),
    }
    assert {o["reported_at"] for o in result.observations} == {"2019-10-12"}
    assert {o["source"] for o in result.observations} == {"高新区科技局"}
    # Every other indicator row is accounted for as "no value reported".
    unfilled = [q for q in result.quarantine if q["category"] == "no_value"]
    assert len(unfilled) == len(plan.indicators) - len(filled)
    assert {q["source_row"] for q in unfilled} == {r for iid, r in rows.items() if iid not in filled}
    assert result.unreadable == []


def test_blank_period_template_filled_in_period_line(tmp_path):
    plan = load_plan()
    raw = tmp_path / "raw"
    (raw / "submissions").mkdir(parents=True)
    path = raw / "submissions" / "blank.xlsx"
    assert main(["template", "--out", str(path)]) == 0
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["B2"] = "2020-06"
    ws.cell(template_rows(plan)["hitech_output_share"], 4, 53.4)
    wb.save(path)
    result = clean(raw, plan)
    assert [(o["indicator_id"], o["period"], o["value"]) for o in result.observations] == [
        ("hitech_output_share", "2020-06", 53.4)
    ]

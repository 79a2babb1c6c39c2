"""`gxq clean` on small fixture files the tests build, one kind of mess at a time.

Expected values are written by hand from the fixtures below. Every fixture lists its data rows by
hand, and :func:`assert_accounted` checks that each one ended in observations or quarantine.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import openpyxl
import pytest

from gxq_analysis.cli import main
from gxq_analysis.ingest.clean import clean, write_outputs
from gxq_analysis.model.plan import load_plan

ZONE = "江阴高新区"


@pytest.fixture(scope="module")
def plan():
    return load_plan()


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def write_xlsx(
    path: Path, sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path


def obs_map(result, **filters) -> dict[tuple, float]:
    out = {}
    for o in result.observations:
        if all(o[k] == v for k, v in filters.items()):
            out[(o["indicator_id"], o["period"], o["ytd"])] = o["value"]
    return out


def quarantined(result, category: str) -> list[dict]:
    return [q for q in result.quarantine if q["category"] == category]


def assert_accounted(result, rows: list[tuple[str, str, int]]) -> None:
    seen = {(o["source_file"], o["source_sheet"], o["source_row"]) for o in result.observations}
    seen |= {(q["source_file"], q["source_sheet"], q["source_row"]) for q in result.quarantine}
    missing = [r for r in rows if r not in seen]
    assert missing == []


# --- encodings and CSV layouts --------------------------------------------------------------------
def test_gb18030_csv_with_title_and_wan_yuan(tmp_path, plan):
    raw = tmp_path / "raw"
    rows = [
        ["江阴高新区财政科技指标季报（2019年第三季度）"],
        ["填报单位：高新区财政局", "", "填报日期：2019-10-15"],
        ["指标名称", "单位", "本期值", "本年累计", "备注"],
        ["财政科技支出占比", "%", "4.6", "", "朱镕基路€项目"],  # 镕 and € need GB18030, not GBK/GB2312
        ["企业享受税收减免额", "万元", "1,234.5", "10,000", ""],
        [],
        ["注：金额单位为万元。"],
    ]
    write_csv(raw / "submissions" / "fin.csv", rows, encoding="gb18030")
    result = clean(raw, plan)
    assert obs_map(result) == {
        ("fiscal_st_share", "2019Q3", False): 4.6,
        ("tax_relief", "2019Q3", False): 0.12345,
        ("tax_relief", "2019Q3", True): 1.0,
    }
    relief = [o for o in result.observations if o["indicator_id"] == "tax_relief"]
    assert {o["conversion"] for o in relief} == {"万元→亿元 ×0.0001"}
    assert {o["raw_unit"] for o in relief} == {"万元"}
    share = next(o for o in result.observations if o["indicator_id"] == "fiscal_st_share")
    assert share["note"] == "朱镕基路€项目"
    assert share["reported_at"] == "2019-10-15"
    assert share["source"] == "高新区财政局"
    assert share["source_row"] == 4
    assert result.files[0].encoding == "gb18030"
    assert_accounted(result, [("submissions/fin.csv", "", 4), ("submissions/fin.csv", "", 5)])


def test_utf8_bom_csv_period_from_file_name(tmp_path, plan):
    raw = tmp_path / "raw"
    p = raw / "submissions" / "创投_201909.csv"
    write_csv(
        p,
        [["序号", "指标", "计量单位", "数值"], [1, "各类创业投资基金规模", "亿元", "63.2"]],
        encoding="utf-8-sig",
    )
    result = clean(raw, plan)
    assert obs_map(result) == {("vc_fund_size", "2019-09", False): 63.2}
    assert result.files[0].encoding == "utf-8-sig"


def test_plain_utf8_csv_period_column(tmp_path, plan):
    raw = tmp_path / "raw"
    write_csv(
        raw / "submissions" / "x.csv",
        [
            ["指标名称", "报告期", "数值"],
            ["高新技术企业总数", "2019年第二季度", "96"],
            ["高新技术企业总数", "2019Q3", "99"],
            ["高新技术企业总数", "下个季度", "100"],
        ],
    )
    result = clean(raw, plan)
    assert obs_map(result) == {
        ("hitech_enterprises", "2019Q2", False): 96,
        ("hitech_enterprises", "2019Q3", False): 99,
    }
    bad = quarantined(result, "no_period")
    assert [(q["source_row"], q["source_column"]) for q in bad] == [(4, "B")]
    assert "下个季度" in bad[0]["reason"]


# --- workbooks ----------------------------------------------------------------------------------
def _merged_workbook(path: Path) -> Path:
    sheets = {
        "2019年三季度": [
            ["江阴高新区科技创新指标季报（2019年第三季度）"],
            ["单位：家、%"],
            ["填报单位：高新区科技局", None, None, "填报日期：2019年10月12日"],
            ["序号", "指标名称", "单位", "2019年第三季度", None, "备注"],
            [None, None, None, "本季", "1-9月累计", None],
            ["一、企业创新"],
            [1, "高新技术企业总数①", "家", "96*", None, None],
            [2, "科技型中小企业家数", "家", "约６５", None, None],
            [3, "当年新增市级以上人才数", "人", 2, 7, None],
            [None],
            ["注：①有效期内企业。*为初步数。"],
            ["制表人：张三"],
        ],
        "2019Q2": [  # period only in the sheet name; one-level header
            ["指标名称", "单位", "本期值"],
            ["高新技术企业总数", "家", 91],
        ],
        "说明": [["本工作簿为科技局季报。"]],
    }
    merges = {"2019年三季度": ["A1:F1", "A4:A5", "B4:B5", "C4:C5", "D4:E4", "F4:F5"]}
    return write_xlsx(path, sheets, merges)


def test_workbook_with_merged_header_footnotes_and_sheets(tmp_path, plan):
    raw = tmp_path / "raw"
    _merged_workbook(raw / "submissions" / "kj.xlsx")
    result = clean(raw, plan)
    assert obs_map(result) == {
        ("hitech_enterprises", "2019Q3", False): 96,
        ("tech_smes", "2019Q3", False): 65,
        ("new_talents", "2019Q3", False): 2,
        ("new_talents", "2019Q3", True): 7,
        ("hitech_enterprises", "2019Q2", False): 91,
    }
    hte = next(
        o
        for o in result.observations
        if o["period"] == "2019Q3" and o["indicator_id"] == "hitech_enterprises"
    )
    assert hte["source_sheet"] == "2019年三季度"
    assert (hte["source_row"], hte["source_column"]) == (7, "D")
    assert hte["note"] == "注: ①有效期内企业; 注: *为初步数"
    assert hte["reported_at"] == "2019-10-12"
    smes = next(o for o in result.observations if o["indicator_id"] == "tech_smes")
    assert smes["qualifier"] == "≈"
    # The 说明 sheet has no table: reported, not an error for the other sheets.
    nt = quarantined(result, "no_table")
    assert [(q["source_sheet"], q["source_row"]) for q in nt] == [("说明", "")]
    assert result.unreadable == []
    f = "submissions/kj.xlsx"
    assert_accounted(
        result, [(f, "2019年三季度", 7), (f, "2019年三季度", 8), (f, "2019年三季度", 9), (f, "2019Q2", 2)]
    )


def test_ytd_title_and_excel_dates(tmp_path, plan):
    raw = tmp_path / "raw"
    write_xlsx(
        raw / "submissions" / "m.xlsx",
        {
            "Sheet1": [
                ["江阴高新区科技指标（2019年1-9月）"],
                ["填报日期：", dt.datetime(2019, 10, 9)],
                ["指标名称", "单位", "数值"],
                ["当年发明专利申请数", "件", 612],
                ["累计发明专利拥有量", "件", 731],
                ["高新技术产值占规上工业总产值比例", "%", dt.datetime(2019, 9, 30)],
            ]
        },
    )
    result = clean(raw, plan)
    assert obs_map(result) == {
        ("invention_patent_applications", "2019-09", True): 612,
        ("invention_patents_held", "2019-09", False): 731,
    }  # a stock is never YTD
    assert {o["reported_at"] for o in result.observations} == {"2019-10-09"}
    bad = quarantined(result, "invalid_value")
    assert [(q["source_row"], q["source_column"]) for q in bad] == [(6, "C")]
    assert "date" in bad[0]["reason"]


# --- validation -------------------------------------------------------------------------------
def test_validation_against_catalogue(tmp_path, plan):
    raw = tmp_path / "raw"
    write_xlsx(
        raw / "submissions" / "v_2019.xlsx",
        {
            "年报": [
                ["指标名称", "单位", "本期值"],
                ["研发经费投入占GDP比重", "%", 0.055],  # 2: a fraction
                ["高新技术产值占规上工业总产值比例", "件", 52],  # 3: incompatible unit
                ["高新技术企业总数", "家", 12.5],  # 4: fractional count
                ["科技型中小企业家数", "家", -3],  # 5: negative
                ["规模以上工业企业的研发机构覆盖率", "%", 120],  # 6: above 100
                ["在全国高新区评价排名", "位", 0],  # 7: rank 0
                ["在全省高新区评价排名", "名次", 12],  # 8: ok, 名次 = 位
                ["研发机构总数", None, "#DIV/0!"],  # 9: Excel error
                ["省民营科技企业家数", "家", "—"],  # 10: placeholder only
                ["财政科技支出占比", None, "4.7%"],  # 11: ok, % typed in the cell
                ["科技进步贡献率", "%", "0.62%"],  # 12: explicit %, accepted as typed
            ]
        },
    )
    result = clean(raw, plan)
    assert obs_map(result) == {
        ("provincial_rank", "2019", False): 12,
        ("fiscal_st_share", "2019", False): 4.7,
        ("st_progress_contribution", "2019", False): 0.62,
    }
    cats = {q["source_row"]: q["category"] for q in result.quarantine}
    assert cats == {
        2: "fraction_not_percent",
        3: "incompatible_unit",
        4: "not_integer",
        5: "out_of_range",
        6: "out_of_range",
        7: "not_integer",
        9: "invalid_value",
        10: "no_value",
    }
    frac = next(q for q in result.quarantine if q["source_row"] == 2)
    assert "looks like a fraction, not percent" in frac["reason"]
    assert "sheet '年报', row 2, column C" in frac["reason"]


def test_future_period_relative_to_reporting_date(tmp_path, plan):
    raw = tmp_path / "raw"
    write_xlsx(
        raw / "submissions" / "f.xlsx",
        {
            "S": [
                ["科技指标季报（2019年第三季度）"],
                ["填报日期：2019-09-15"],
                ["指标名称", "本期值"],
                ["高新技术企业总数", 96],
            ]
        },
    )
    result = clean(raw, plan)
    assert result.observations == []
    fut = quarantined(result, "future_period")
    assert len(fut) == 1 and fut[0]["source_row"] == 4 and "2019-09-15" in fut[0]["reason"]


def test_stock_with_inconsistent_columns(tmp_path, plan):
    raw = tmp_path / "raw"
    write_csv(
        raw / "submissions" / "s_2019Q3.csv",
        [
            ["指标名称", "本期值", "本年累计"],
            ["高新技术企业总数", "96", "97"],
            ["研发机构总数", "160", "160"],
        ],
    )
    result = clean(raw, plan)
    assert obs_map(result) == {
        ("hitech_enterprises", "2019Q3", False): 96,
        ("rd_institutions", "2019Q3", False): 160,
    }
    bad = quarantined(result, "inconsistent_columns")
    assert [(q["source_row"], q["source_column"]) for q in bad] == [(2, "C")]


# --- unknown names, duplicates, revisions ----------------------------------------------------------
def test_unknown_indicator_quarantined_with_suggestions(tmp_path, plan):
    raw = tmp_path / "raw"
    write_csv(
        raw / "submissions" / "u_2019.csv",
        [
            ["指标名称", "数值"],
            ["高新技术企业数目", "96"],
            ["技术合同成交额", "12.6"],
            [None, "5"],
        ],
    )
    result = clean(raw, plan)
    assert result.observations == []
    unk = quarantined(result, "unknown_indicator")
    assert [q["source_row"] for q in unk] == [2, 3]
    assert "高新技术企业总数" in unk[0]["reason"]
    assert "u_2019.csv, row 2, column A" in unk[0]["reason"]
    assert [q["source_row"] for q in quarantined(result, "empty_name")] == [4]


def _quarter_file(path: Path, value: object, reported: str | None) -> None:
    rows = [["科技指标季报（2019年第二季度）"]]
    if reported:
        rows.append([f"填报日期：{reported}"])
    rows += [["指标名称", "本期值"], ["科技型中小企业家数", value]]
    write_xlsx(path, {"S": rows})


def test_revision_by_reporting_date(tmp_path, plan):
    raw = tmp_path / "raw"
    # The correction sorts first by path, but was reported later: it wins.
    _quarter_file(raw / "submissions" / "a_更正.xlsx", 62, "2019-07-26")
    _quarter_file(raw / "submissions" / "b_原报.xlsx", 59, "2019-07-12")
    result = clean(raw, plan)
    assert obs_map(result) == {("tech_smes", "2019Q2", False): 62}
    assert len(result.revisions) == 1
    rev = result.revisions[0]
    assert (rev["old_value"], rev["new_value"]) == ("59", "62")
    assert rev["old_source_file"] == "submissions/b_原报.xlsx"
    assert rev["new_source_file"] == "submissions/a_更正.xlsx"
    assert (rev["old_reported_at"], rev["new_reported_at"]) == ("2019-07-12", "2019-07-26")
    sup = quarantined(result, "superseded")
    assert [(q["source_file"], q["source_row"]) for q in sup] == [("submissions/b_原报.xlsx", 4)]


def test_modification_time_is_never_a_reporting_date(tmp_path, plan):
    # Two undated submissions with different values: the later mtime must not decide (copying files
    # changes mtimes); both go to quarantine as a conflict for a person.
    raw = tmp_path / "raw"
    old, new = raw / "submissions" / "z_old.xlsx", raw / "submissions" / "a_new.xlsx"
    _quarter_file(old, 59, None)
    _quarter_file(new, 61, None)
    os.utime(old, (dt.datetime(2019, 7, 10).timestamp(),) * 2)
    os.utime(new, (dt.datetime(2019, 7, 20).timestamp(),) * 2)
    result = clean(raw, plan)
    assert obs_map(result) == {}
    assert result.revisions == []
    conflict = quarantined(result, "conflict")
    assert sorted((q["source_file"], q["raw_value"]) for q in conflict) == [
        ("submissions/a_new.xlsx", "61"),
        ("submissions/z_old.xlsx", "59"),
    ]
    assert "59" in conflict[0]["reason"] and "61" in conflict[0]["reason"]


def test_same_value_twice_is_kept_once(tmp_path, plan):
    raw = tmp_path / "raw"
    _quarter_file(raw / "submissions" / "a.xlsx", 59, "2019-07-12")
    _quarter_file(raw / "submissions" / "b.xlsx", "５９", "2019-07-12")
    result = clean(raw, plan)
    assert len(result.observations) == 1
    assert result.revisions == []
    dup = quarantined(result, "duplicate")
    assert [(q["source_file"], q["source_row"]) for q in dup] == [("submissions/a.xlsx", 4)]
    assert "same value" in dup[0]["reason"]


# --- unreadable files ---------------------------------------------------------------------------
def test_unreadable_files_do_not_stop_the_others(tmp_path, plan, capsys):
    raw = tmp_path / "raw"
    sub = raw / "submissions"
    sub.mkdir(parents=True)
    (sub / "corrupt.xlsx").write_bytes(b"PK\x03\x04\x8f\x11garbage\x00\x01\x02")
    (sub / "notzip.xlsx").write_bytes(bytes(range(7, 64)))
    (sub / "empty.csv").write_bytes(b"")
    write_csv(sub / "notable.csv", [["姓名", "电话"], ["张三", "123"]])
    (sub / "badenc.csv").write_bytes(b"\xff\xff\xff\xfe\x81\x30")
    write_csv(sub / "good_2019.csv", [["指标名称", "数值"], ["研发机构总数", "160"]])
    (sub / "README.md").write_text("not data", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["clean", "--raw", str(raw), "--out", str(out), "--no-progress"]) == 0
    summary = capsys.readouterr().out
    assert "5 unreadable" in summary and "corrupt.xlsx" in summary
    result = clean(raw, plan)
    assert obs_map(result) == {("rd_institutions", "2019", False): 160}
    bad = {q["source_file"]: q for q in quarantined(result, "unreadable_file")}
    assert sorted(bad) == [
        "submissions/badenc.csv",
        "submissions/corrupt.xlsx",
        "submissions/empty.csv",
        "submissions/notable.csv",
        "submissions/notzip.xlsx",
    ]
    assert all(q["source_row"] == "" for q in bad.values())
    assert "empty" in bad["submissions/empty.csv"]["reason"]
    assert "no recognisable table" in bad["submissions/notable.csv"]["reason"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(u["path"] for u in manifest["unreadable"]) == sorted(bad)
    assert manifest["ignored"] == ["submissions/README.md"]
    good = next(f for f in manifest["files"] if f["path"] == "submissions/good_2019.csv")
    assert good["sha256"] == hashlib.sha256((sub / "good_2019.csv").read_bytes()).hexdigest()


# --- tidy input, illustrative flag, raw untouched --------------------------------------------------
def test_tidy_csv_accepted_directly(tmp_path, plan):
    raw = tmp_path / "raw"
    write_csv(
        raw / "submissions" / "analyst" / "tidy.csv",
        [
            ["indicator_id", "period", "value", "geo", "unit", "source", "note", "illustrative"],
            ["rd_gdp_share", "2019", "5.3", "", "%", "年报", "", ""],
            ["vc_fund_size", "2019Q4", "632000", "", "万元", "", "认缴", "true"],
            ["hitech_enterprises", "2019", "650", "江阴市", "", "", "", ""],
            ["not_an_id", "2019", "1", "", "", "", "", ""],
            ["rd_gdp_share", "2019Q5", "5.3", "", "", "", "", ""],
        ],
    )
    result = clean(raw, plan)
    got = {
        (o["indicator_id"], o["geo"], o["period"]): (o["value"], o["illustrative"])
        for o in result.observations
    }
    assert got == {
        ("rd_gdp_share", ZONE, "2019"): (5.3, False),
        ("vc_fund_size", ZONE, "2019Q4"): (63.2, True),
        ("hitech_enterprises", "江阴市", "2019"): (650, False),
    }
    assert {q["source_row"]: q["category"] for q in result.quarantine} == {
        5: "unknown_indicator",
        6: "no_period",
    }


def test_illustrative_marker_in_an_ancestor_folder(tmp_path, plan):
    raw = tmp_path / "raw"
    demo = raw / "submissions" / "demo"
    write_csv(demo / "deep" / "er" / "x_2019.csv", [["指标名称", "数值"], ["研发机构总数", "160"]])
    write_csv(raw / "submissions" / "real" / "y_2018.csv", [["指标名称", "数值"], ["研发机构总数", "150"]])
    (demo / "ILLUSTRATIVE.md").write_text("synthetic", encoding="utf-8")
    result = clean(raw, plan)
    flags = {o["period"]: o["illustrative"] for o in result.observations}
    assert flags == {"2019": True, "2018": False}


def test_raw_is_never_written_and_outputs_are_atomic(tmp_path, plan):
    raw = tmp_path / "raw"
    _merged_workbook(raw / "submissions" / "kj.xlsx")
    before = {p: p.read_bytes() for p in raw.rglob("*") if p.is_file()}
    out = tmp_path / "out"
    assert main(["clean", "--raw", str(raw), "--out", str(out), "--no-progress"]) == 0
    after = {p: p.read_bytes() for p in raw.rglob("*") if p.is_file()}
    assert before == after
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "observations.csv",
        "quarantine.csv",
        "revisions.csv",
    ]
    assert main(["clean", "--raw", str(raw), "--out", str(raw / "processed"), "--no-progress"]) == 2


def test_progress_bar_with_many_files(tmp_path, capsys):
    raw = tmp_path / "raw"
    for i in range(21):
        write_csv(
            raw / "submissions" / f"f{i:02d}_2019.csv", [["指标名称", "数值"], ["研发机构总数", str(100 + i)]]
        )
    assert main(["clean", "--raw", str(raw), "--out", str(tmp_path / "o")]) == 0
    assert "gxq clean" in capsys.readouterr().err  # tqdm's bar


def test_quarantine_and_revisions_written_with_reasons(tmp_path, plan):
    raw = tmp_path / "raw"
    _quarter_file(raw / "submissions" / "a.xlsx", 62, "2019-07-26")
    _quarter_file(raw / "submissions" / "b.xlsx", 59, "2019-07-12")
    out = tmp_path / "out"
    result = clean(raw, plan)
    write_outputs(result, plan, out)
    with (out / "revisions.csv").open(encoding="utf-8-sig") as fh:
        revs = list(csv.DictReader(fh))
    assert [(r["old_value"], r["new_value"], r["new_source_file"]) for r in revs] == [
        ("59", "62", "submissions/a.xlsx")
    ]
    with (out / "quarantine.csv").open(encoding="utf-8-sig") as fh:
        q = list(csv.DictReader(fh))
    assert [
        (r["source_file"], r["source_sheet"], r["source_row"], r["source_column"], r["category"]) for r in q
    ] == [("submissions/b.xlsx", "S", "4", "B", "superseded")]

"""Legacy .xls workbooks (Excel 97-2003), written here with xlwt and read back through xlrd."""

from __future__ import annotations

from pathlib import Path

import xlwt  # test extra: writes the legacy format so the xlrd path is exercised

from gxq_analysis.ingest.clean import clean
from gxq_analysis.model.plan import load_plan


def _write_xls(path: Path) -> None:
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("2019年9月")
    ws.write_merge(0, 0, 0, 3, "江阴高新区科技创新指标月报(2019年1-9月)")
    ws.write(1, 0, "填报日期：2019-10-08")
    for col, label in enumerate(["序号", "指标名称", "单位", "本年累计"]):
        ws.write(2, col, label)
    ws.write(3, 0, 1)
    ws.write(3, 1, "当年发明专利申请数")
    ws.write(3, 2, "件")
    ws.write(3, 3, 612)  # a real number cell
    ws.write(4, 0, 2)
    ws.write(4, 1, "累计发明专利拥有量")
    ws.write(4, 2, "件")
    ws.write(4, 3, "７２１")  # full-width digits stored as text
    ws.write(5, 0, 3)
    ws.write(5, 1, "高新技术产值占规上工业总产值比例")
    ws.write(5, 2, "%")
    ws.write(5, 3, xlwt.Formula("1/0"))  # #DIV/0! once Excel evaluates it; no cached value in xlwt
    ws.write(6, 0, "注：本表为示例。")
    book.save(str(path))


def test_xls_workbook_is_read_and_every_row_accounted_for(tmp_path):
    raw = tmp_path / "raw"
    path = raw / "submissions" / "monthly.xls"
    path.parent.mkdir(parents=True)
    _write_xls(path)
    result = clean(raw, load_plan())
    assert result.files[0].kind == "xls"
    got = {(o["indicator_id"], o["period"], o["ytd"]): o["value"] for o in result.observations}
    # 1-9月 in the title: cumulative through September. A stock is never year-to-date.
    assert got[("invention_patent_applications", "2019-09", True)] == 612.0
    assert got[("invention_patents_held", "2019-09", False)] == 721.0
    rows = {(o["source_sheet"], o["source_row"]) for o in result.observations}
    assert ("2019年9月", 4) in rows and ("2019年9月", 5) in rows
    # The formula cell carries no value: it must be quarantined, naming sheet, row and column.
    q = [q for q in result.quarantine if q["source_row"] == 6]
    assert len(q) == 1
    assert q[0]["source_sheet"] == "2019年9月"
    assert q[0]["source_column"] == "D"
    assert "monthly.xls" in q[0]["reason"]


def test_corrupt_xls_is_reported_not_fatal(tmp_path):
    raw = tmp_path / "raw"
    (raw / "submissions").mkdir(parents=True)
    (raw / "submissions" / "broken.xls").write_bytes(b"\xd0\xcf\x11\xe0 not really a workbook")
    good = raw / "submissions" / "ok.xls"
    _write_xls(good)
    result = clean(raw, load_plan())
    assert [Path(f.path).name for f in result.unreadable] == ["broken.xls"]
    assert "xls" in result.unreadable[0].unreadable
    assert any(o["source_file"].endswith("ok.xls") for o in result.observations)

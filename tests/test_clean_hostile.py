"""`gxq clean` against careless and hostile input (issue #10): corrections win by meaning, future
periods and absurd numbers are quarantined, every file is accounted for, text written to CSV cannot
run as a formula, and the output set is consistent.

Every fixture is hand-made below; expected values are written by hand from it.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

import openpyxl
import pytest

from gxq_analysis.cli import main
from gxq_analysis.ingest.clean import clean, write_outputs
from gxq_analysis.model.plan import load_plan

TODAY = dt.date(2026, 11, 29)


@pytest.fixture(scope="module")
def plan():
    return load_plan()


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]], sheet: str = "S") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def obs_map(result) -> dict[tuple, float]:
    return {(o["indicator_id"], o["period"]): o["value"] for o in result.observations}


def categories(result) -> dict[tuple, str]:
    """(file name, row) -> quarantine category."""
    return {(Path(q["source_file"]).name, q["source_row"]): q["category"] for q in result.quarantine}


def run_cli(raw: Path, out: Path, capsys) -> str:
    assert main(["clean", "--raw", str(raw), "--out", str(out), "--no-progress"]) == 0
    return capsys.readouterr().out


# --- 1. corrections win -----------------------------------------------------------------------------
def _quarter_csv(
    path: Path, value: object, reported: str | None, title: str = "科技指标季报（2019年第二季度）"
):
    rows = [[title]]
    if reported:
        rows.append([f"填报日期：{reported}"])
    rows += [["指标名称", "本期值"], ["科技型中小企业家数", value]]
    return write_csv(path, rows)


def test_correction_wins_on_an_equal_reporting_date(tmp_path, plan):
    # "(更正)" sorts before "." by path: the old rule let the original win.
    sub = tmp_path / "raw" / "submissions"
    _quarter_csv(sub / "2019Q2_科技局_季报.csv", 59, "2019-07-12")
    _quarter_csv(sub / "2019Q2_科技局_季报(更正).csv", 62, "2019-07-12")
    result = clean(tmp_path / "raw", plan, today=TODAY)
    assert obs_map(result) == {("tech_smes", "2019Q2"): 62}
    [rev] = result.revisions
    assert (rev["old_value"], rev["new_value"]) == ("59", "62")
    assert "correction" in rev["reason"]
    assert categories(result) == {("2019Q2_科技局_季报.csv", 4): "superseded"}


def test_dated_correction_beats_an_undated_original(tmp_path, plan):
    sub = tmp_path / "raw" / "submissions"
    orig = _quarter_csv(sub / "b_原报.csv", 59, None)
    _quarter_csv(sub / "a_修正.csv", 62, "2019-07-26")
    os.utime(orig, (dt.datetime(2030, 1, 1).timestamp(),) * 2)  # a copied file: mtime means nothing
    result = clean(tmp_path / "raw", plan, today=TODAY)
    assert obs_map(result) == {("tech_smes", "2019Q2"): 62}
    assert [r["old_source_file"] for r in result.revisions] == ["submissions/b_原报.csv"]


def test_later_reporting_date_beats_a_correction_mark(tmp_path, plan):
    sub = tmp_path / "raw" / "submissions"
    _quarter_csv(sub / "a_更正.csv", 62, "2019-07-20")
    _quarter_csv(sub / "b.csv", 63, "2019-08-01")
    result = clean(tmp_path / "raw", plan, today=TODAY)
    assert obs_map(result) == {("tech_smes", "2019Q2"): 63}
    assert result.revisions[0]["reason"].startswith("填报日期更晚")


def test_quarterly_revision_replaces_a_year_to_date_stock(tmp_path, plan):
    # A stock indicator: "2019年1-9月" (2019-09) and "2019年第三季度" (2019Q3) are the same reference point.
    sub = tmp_path / "raw" / "submissions"
    write_csv(
        sub / "月报_9月.csv",
        [["科技指标月报"], ["报告期:2019年1-9月"], ["指标名称", "本期值"], ["高新技术企业总数", "98"]],
    )
    write_csv(
        sub / "季报.csv",
        [["2019年第三季度科技指标季报(修订)"], ["指标名称", "本期值"], ["高新技术企业总数", "101"]],
    )
    result = clean(tmp_path / "raw", plan, today=TODAY)
    assert obs_map(result) == {("hitech_enterprises", "2019Q3"): 101}
    [rev] = result.revisions
    assert (rev["period"], rev["old_value"], rev["new_value"]) == ("2019-09", "98", "101")
    assert categories(result) == {("月报_9月.csv", 4): "superseded"}


def test_same_stock_value_under_two_period_labels_is_kept_under_both(tmp_path, plan):
    sub = tmp_path / "raw" / "submissions"
    write_csv(sub / "m.csv", [["报告期:2019年1-9月"], ["指标名称", "本期值"], ["高新技术企业总数", "98"]])
    write_csv(sub / "q.csv", [["2019年第三季度"], ["指标名称", "本期值"], ["高新技术企业总数", "98"]])
    result = clean(tmp_path / "raw", plan, today=TODAY)
    assert obs_map(result) == {("hitech_enterprises", "2019-09"): 98, ("hitech_enterprises", "2019Q3"): 98}
    assert result.quarantine == [] and result.revisions == []


def test_undecidable_conflict_goes_to_a_person(tmp_path, plan):
    sub = tmp_path / "raw" / "submissions"
    _quarter_csv(sub / "a.csv", 59, "2019-07-12")
    _quarter_csv(sub / "b.csv", 61, "2019-07-12")
    result = clean(tmp_path / "raw", plan, today=TODAY)
    assert result.observations == [] and result.revisions == []
    assert categories(result) == {("a.csv", 4): "conflict", ("b.csv", 4): "conflict"}


# --- 2. future periods ------------------------------------------------------------------------------
def test_future_periods_are_quarantined(tmp_path, plan):
    sub = tmp_path / "raw" / "submissions"
    write_csv(
        sub / "undated.csv", [["2031年第一季度科技指标"], ["指标名称", "本期值"], ["研发机构总数", "150"]]
    )
    write_csv(
        sub / "tidy.csv",
        [
            ["indicator_id", "period", "value", "reported_at"],
            ["rd_institutions", "2031Q1", "150", "2099-12-31"],
            ["rd_institutions", "2019Q4", "140", "2099-12-31"],  # a reporting date after today
            ["rd_institutions", "2019Q4", "141", "2019-10-20"],  # period ends after its reporting date
            ["rd_institutions", "2021Q1", "150", "2021-04-10"],  # after the plan's horizon (2020)
            ["rd_institutions", "2020Q4", "145", "2021-01-10"],
        ],
    )
    result = clean(tmp_path / "raw", plan, today=TODAY)
    assert obs_map(result) == {("rd_institutions", "2020Q4"): 145}
    cats = categories(result)
    assert cats == {
        ("undated.csv", 3): "future_period",
        ("tidy.csv", 2): "future_period",
        ("tidy.csv", 3): "future_period",
        ("tidy.csv", 4): "future_period",
        ("tidy.csv", 5): "beyond_plan_horizon",
    }


def test_public_benchmarks_after_the_horizon_still_pass(plan):
    from gxq_analysis.config import RAW_DIR

    result = clean(RAW_DIR, plan, today=TODAY)
    years = {o["period"][:4] for o in result.observations if o["source_file"].startswith("public/")}
    assert {"2021", "2022", "2023", "2024"} <= years
    assert not any(q["category"] in ("future_period", "beyond_plan_horizon") for q in result.quarantine)


# --- 3. every file accounted for; nothing leaks in --------------------------------------------------
def test_every_file_is_read_or_named(tmp_path, plan, capsys):
    raw = tmp_path / "raw"
    sub = raw / "submissions"
    write_csv(sub / "good_2019.csv", [["指标名称", "数值"], ["研发机构总数", "160"]])
    for name in ("季报.ods", "季报.et", "季报.xlsb", "说明.txt", "noext"):
        (sub / name).write_bytes(b"PK\x03\x04 some bytes")
    (sub / "README.md").write_text("documentation", encoding="utf-8")
    outside = tmp_path / "elsewhere"
    write_csv(outside / "secret_2019.csv", [["指标名称", "数值"], ["研发机构总数", "999"]])
    os.symlink(outside / "secret_2019.csv", sub / "link_2019.csv")
    os.symlink("/etc/passwd", sub / "passwd.csv")
    os.symlink(outside, sub / "linked_folder")
    write_csv(sub / ".git" / "objects_2019.csv", [["指标名称", "数值"], ["研发机构总数", "777"]])
    out = tmp_path / "out"
    summary = run_cli(raw, out, capsys)
    result = clean(raw, plan, today=TODAY)
    assert obs_map(result) == {("rd_institutions", "2019"): 160}
    refused = {q["source_file"]: q["category"] for q in result.quarantine}
    assert refused == {
        "submissions/季报.ods": "unsupported_file",
        "submissions/季报.et": "unsupported_file",
        "submissions/季报.xlsb": "unsupported_file",
        "submissions/说明.txt": "unsupported_file",
        "submissions/noext": "unsupported_file",
        "submissions/link_2019.csv": "outside_raw",
        "submissions/passwd.csv": "outside_raw",
        "submissions/linked_folder": "outside_raw",
        "submissions/.git": "hidden_folder",
    }
    for name in refused:
        assert name in summary
    assert "README.md" in summary
    import json

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(x["path"] for x in manifest["not_read"]) == sorted(refused)


def test_gbk_file_name_does_not_crash(tmp_path, plan, capsys):
    sub = tmp_path / "raw" / "submissions"
    sub.mkdir(parents=True)
    name = "2019年_科技局.csv".encode("gbk")
    with open(os.path.join(os.fsencode(sub), name), "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["指标名称", "数值"], ["研发机构总数", "160"]])
    summary = run_cli(tmp_path / "raw", tmp_path / "out", capsys)
    assert "1 files read" in summary
    text = (tmp_path / "out" / "observations.csv").read_text(encoding="utf-8")
    assert "submissions/2019年_科技局.csv" in text


# --- 4. formula injection ---------------------------------------------------------------------------
def test_text_written_to_csv_cannot_run_as_a_formula(tmp_path, plan):
    raw = tmp_path / "raw"
    write_csv(
        raw / "submissions" / "x_2019.csv",
        [
            ["填报单位：=cmd|' /C calc'!A0"],
            ["指标名称", "数值", "备注"],
            ["研发机构总数", "160", '=HYPERLINK("http://evil.example","点击")'],
            ["@SUM(1+1)*cmd|' /C calc'!A0", "5", ""],
            ["当年发明专利申请数", "-3", "+1 调整"],
        ],
    )
    out = tmp_path / "out"
    write_outputs(clean(raw, plan, today=TODAY), plan, out)
    for name in ("observations.csv", "quarantine.csv", "revisions.csv"):
        with (out / name).open(encoding="utf-8-sig", newline="") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
        bad = [
            c
            for c in cells
            if c[:1] in ("=", "+", "@") or (c[:1] == "-" and not c[1:].replace(".", "").isdigit())
        ]
        assert bad == [], name
    with (out / "observations.csv").open(encoding="utf-8", newline="") as fh:
        obs = list(csv.DictReader(fh))
    assert obs[0]["note"] == '\'=HYPERLINK("http://evil.example","点击")'  # still readable
    assert obs[0]["source"] == "'=cmd|'"  # the 填报单位 text up to the first space
    with (out / "quarantine.csv").open(encoding="utf-8-sig", newline="") as fh:
        q = {r["source_row"]: r for r in csv.DictReader(fh)}
    assert q["4"]["raw_name"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert q["5"]["raw_value"] == "-3" and q["5"]["category"] == "out_of_range"


def test_a_first_data_row_without_a_number_is_not_taken_for_a_second_header_row(tmp_path, plan):
    """A tidy table whose first data row carries no number (a formula for a value) and a period in
    its period column looked like a second header level and vanished. It is a data row: every row
    ends in the clean table or in quarantine."""
    raw = tmp_path / "raw"
    write_csv(
        raw / "submissions" / "tidy_2019Q3.csv",
        [
            ["指标", "期间", "数值", "单位"],
            ["研发经费投入占GDP比重", "2019Q3", '=HYPERLINK("http://x")', "%"],
            ["高新技术企业总数", "2019Q3", "95", "家"],
            ["未知指标", "2019Q3", "5", "家"],
        ],
    )
    result = clean(raw, plan, today=TODAY)
    assert obs_map(result) == {("hitech_enterprises", "2019Q3"): 95}
    rows = categories(result)
    assert rows[("tidy_2019Q3.csv", 2)] == "invalid_value"
    assert rows[("tidy_2019Q3.csv", 4)] == "unknown_indicator"
    assert set(rows) | {("tidy_2019Q3.csv", 3)} == {("tidy_2019Q3.csv", r) for r in (2, 3, 4)}


# --- 6. absurd numbers ------------------------------------------------------------------------------
def test_non_finite_and_absurd_numbers_are_quarantined(tmp_path, plan, capsys):
    raw = tmp_path / "raw"
    write_csv(
        raw / "submissions" / "n_2019.csv",
        [
            ["指标名称", "数值"],
            ["研发机构总数", "9" * 400],
            ["高新技术企业总数", "1e20"],
            ["科技型中小企业家数", "100000000000000000000"],
            ["各类创投基金规模", "70"],
        ],
    )
    out = tmp_path / "out"
    run_cli(raw, out, capsys)
    result = clean(raw, plan, today=TODAY)
    assert obs_map(result) == {("vc_fund_size", "2019"): 70}
    cats = categories(result)
    assert cats == {
        ("n_2019.csv", 2): "invalid_value",
        ("n_2019.csv", 3): "invalid_value",
        ("n_2019.csv", 4): "out_of_range",
    }
    text = (out / "observations.csv").read_text(encoding="utf-8")
    assert "inf" not in text.lower()


def test_a_tenfold_jump_is_kept_but_flagged(tmp_path, plan):
    raw = tmp_path / "raw"
    write_csv(
        raw / "submissions" / "tidy.csv",
        [
            ["indicator_id", "period", "value"],
            ["hitech_enterprises", "2019Q1", "95"],
            ["hitech_enterprises", "2019Q2", "98"],
            ["hitech_enterprises", "2019Q3", "980"],
        ],
    )
    result = clean(raw, plan, today=TODAY)
    assert obs_map(result)[("hitech_enterprises", "2019Q3")] == 980
    [flag] = result.quarantine
    assert (flag["source_row"], flag["category"]) == (4, "implausible_jump")
    assert "98 for 2019Q2" in flag["reason"]


# --- 6. bounded reading of hostile workbooks --------------------------------------------------------
def _table_rows() -> list[list[object]]:
    return [["2019年第三季度科技指标"], ["指标名称", "本期值"], ["研发机构总数", 160]]


def test_one_cell_in_column_xfd_is_read_sparsely(tmp_path, plan):
    from gxq_analysis.ingest import readers

    path = write_xlsx(tmp_path / "raw" / "submissions" / "wide.xlsx", _table_rows() + [[None]] * 3000)
    wb = openpyxl.load_workbook(path)
    wb.active["XFD3000"] = "stray"
    wb.save(path)
    import zipfile

    with zipfile.ZipFile(path) as zf:
        scan = readers.scan_sheet(zf, "xl/worksheets/sheet1.xml")
    assert (scan.max_row, scan.max_col) == (3000, 16384)  # 49 M cells as a dense block: read sparsely
    grid = readers.read_xlsx(path).grids[0]
    assert len(grid.rows) == 3000 and len(grid.rows[2999]) == 16384 and grid.rows[2999][-1] == "stray"
    assert all(len(r) <= 2 for r in grid.rows[:2999])
    result = clean(tmp_path / "raw", plan, today=TODAY)
    assert obs_map(result) == {("rd_institutions", "2019Q3"): 160}
    assert categories(result) == {("wide.xlsx", 3000): "empty_name"}


def test_merged_range_over_the_whole_sheet_is_clipped(tmp_path, plan):
    import zipfile

    from gxq_analysis.ingest import readers

    path = write_xlsx(tmp_path / "w.xlsx", _table_rows())
    # openpyxl cannot even build such a merge in memory; write it into the XML as an attacker would.
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    xml = xml.replace(
        "</sheetData>",
        '</sheetData><mergeCells count="2"><mergeCell ref="A1:XFD1"/>'
        '<mergeCell ref="C2:XFD1048576"/></mergeCells>',
    )
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    hostile = tmp_path / "raw" / "submissions" / "merged.xlsx"
    hostile.parent.mkdir(parents=True)
    with zipfile.ZipFile(hostile, "w") as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    grid = readers.read_xlsx(hostile).grids[0]
    assert grid.merged == [(1, 1, 1, 2)]  # cut to the cells that exist; the other covers none
    result = clean(tmp_path / "raw", plan, today=TODAY)
    assert obs_map(result) == {("rd_institutions", "2019Q3"): 160}


def test_excel_error_cells_are_kept_as_errors(tmp_path, plan):
    raw = tmp_path / "raw"
    write_xlsx(raw / "submissions" / "e.xlsx", _table_rows() + [["高新技术企业总数", "#DIV/0!"]])
    result = clean(raw, plan, today=TODAY)
    [q] = result.quarantine
    assert q["source_row"] == 4 and "#DIV/0!" in q["reason"]


# --- 7. consistent output set -----------------------------------------------------------------------
def test_outputs_carry_a_manifest_that_loaders_verify(tmp_path, plan, capsys):
    import json

    from gxq_analysis.model.observations import ObservationsError, load_observations

    raw = tmp_path / "raw"
    write_csv(
        raw / "submissions" / "t.csv",
        [
            ["indicator_id", "period", "value"],
            ["hitech_enterprises", "2019Q1", "95"],
            ["hitech_enterprises", "2019Q2", "98"],
            ["hitech_enterprises", "2019Q3", "101"],
        ],
    )
    out = tmp_path / "out"
    run_cli(raw, out, capsys)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"]["observations.csv"]["rows"] == 3
    assert len(load_observations(out / "observations.csv")) == 3
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "observations.csv",
        "quarantine.csv",
        "revisions.csv",
    ]  # no staging folder left
    obs = out / "observations.csv"
    lines = obs.read_text(encoding="utf-8").splitlines(keepends=True)
    obs.write_text("".join(lines[:-1]), encoding="utf-8")  # truncated: the last row lost
    with pytest.raises(ObservationsError, match=r"does not match manifest\.json"):
        load_observations(obs)


def test_a_failed_write_leaves_the_previous_set(tmp_path, plan, capsys, monkeypatch):
    from gxq_analysis.ingest import clean as clean_mod

    raw = tmp_path / "raw"
    write_csv(raw / "submissions" / "t_2019.csv", [["指标名称", "数值"], ["研发机构总数", "160"]])
    out = tmp_path / "out"
    run_cli(raw, out, capsys)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    write_csv(raw / "submissions" / "u_2018.csv", [["指标名称", "数值"], ["研发机构总数", "150"]])
    real = clean_mod._write_csv

    def disk_full(path, rows, columns, encoding):
        if path.name == "revisions.csv":
            raise OSError(28, "No space left on device")
        return real(path, rows, columns, encoding)

    monkeypatch.setattr(clean_mod, "_write_csv", disk_full)
    assert main(["clean", "--raw", str(raw), "--out", str(out), "--no-progress"]) == 2
    assert "No space left" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


# --- 5. the publish audit is structural ---------------------------------------------------------------
def test_publish_audit_ignores_data_text_and_catches_real_problems():
    from gxq_analysis.report.render import audit_html

    # What escaped data looks like in a page: text, never elements.
    data_page = (
        "<html><body><table><tr><td>Traceback (most recent call last)</td>"
        "<td>url(https://evil.example/x.png) @import url(//cdn.example/a.css)</td>"
        "<td>An Exception was encountered &lt;script src=&quot;https://x.example/a.js&quot;&gt;</td>"
        "<td>papermill-error-cell</td></tr></table></body></html>"
    )
    assert audit_html(data_page) == []
    bad = [
        '<script src="https://cdn.example/x.js"></script>',
        '<link rel="stylesheet" href="//cdn.example/x.css">',
        '<img src="http://x.example/a.png" alt="a">',
        "<div style=\"background: url('https://x.example/a.png')\">x</div>",
        "<style>@import url(https://fonts.example/x.css);</style>",
        '<script>import("https://x.example/m.js")</script>',
        '<div class="jp-RenderedText" data-mime-type="application/vnd.jupyter.stderr"><pre>boom</pre></div>',
        '<span id="papermill-error-cell">Execution using papermill encountered an exception</span>',
    ]
    for fragment in bad:
        assert audit_html(f"<html><body>{fragment}</body></html>"), fragment
    assert audit_html("<style>/* https://example.org */ body { color: red }</style>") == []


# --- 7. stale clean table ---------------------------------------------------------------------------
def test_stale_inputs_name_new_changed_and_removed_files(tmp_path, plan, capsys):
    from gxq_analysis.ingest.clean import stale_inputs

    raw = tmp_path / "raw"
    a = write_csv(raw / "submissions" / "a_2019.csv", [["指标名称", "数值"], ["研发机构总数", "160"]])
    b = write_csv(raw / "submissions" / "b_2018.csv", [["指标名称", "数值"], ["研发机构总数", "150"]])
    out = tmp_path / "out"
    run_cli(raw, out, capsys)
    assert stale_inputs(raw, out) == []
    write_csv(a, [["指标名称", "数值"], ["研发机构总数", "161"]])
    b.unlink()
    write_csv(raw / "submissions" / "c_2020.csv", [["指标名称", "数值"], ["研发机构总数", "170"]])
    (raw / "submissions" / "d.ods").write_bytes(b"x")
    assert sorted(stale_inputs(raw, out)) == [
        "submissions/a_2019.csv (changed)",
        "submissions/b_2018.csv (removed)",
        "submissions/c_2020.csv (new)",
        "submissions/d.ods (new)",
    ]
    run_cli(raw, out, capsys)
    assert stale_inputs(raw, out) == []


def test_report_refuses_a_stale_clean_table(tmp_path, monkeypatch, capsys):
    from gxq_analysis.report import render

    raw = tmp_path / "raw"
    write_csv(raw / "submissions" / "a_2019.csv", [["指标名称", "数值"], ["研发机构总数", "160"]])
    out = tmp_path / "processed"
    run_cli(raw, out, capsys)
    write_csv(raw / "submissions" / "new_2020Q1.csv", [["指标名称", "数值"], ["研发机构总数", "165"]])
    monkeypatch.setattr(render, "DEFAULT_OBSERVATIONS", out / "observations.csv")
    monkeypatch.setattr(render, "RAW_DIR", raw)
    rendered = []
    monkeypatch.setattr(render, "render_pack", lambda *a, **k: rendered.append(1))
    assert main(["report", "--observations", str(out / "observations.csv"), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "submissions/new_2020Q1.csv (new)" in err and "gxq clean" in err
    assert rendered == []


# --- 7. a killed report leaves nothing that lingers -------------------------------------------------
def test_killed_report_workers_die_and_temp_folders_are_swept(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    from gxq_analysis.report.render import sweep_stale_temp

    # A parent that starts report workers the way render_pack does, then is killed outright.
    script = (
        "import os, sys, time\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from multiprocessing import get_context\n"
        "from gxq_analysis.report.execute import _worker_init\n"
        "pool = ProcessPoolExecutor(2, mp_context=get_context('fork'), initializer=_worker_init,\n"
        "                           initargs=(os.getpid(),))\n"
        "futs = [pool.submit(time.sleep, 60) for _ in range(2)]\n"
        "time.sleep(1.0)\n"
        "print(' '.join(str(p) for p in pool._processes), flush=True)\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    workers = [int(x) for x in proc.stdout.readline().split()]
    assert len(workers) == 2
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = []
        for pid in workers:
            try:
                os.kill(pid, 0)
                with open(f"/proc/{pid}/stat") as fh:
                    if fh.read().split()[2] != "Z":
                        alive.append(pid)
            except (ProcessLookupError, FileNotFoundError):
                pass
    assert alive == []
    # The killed run's temp folder (its pid is gone) is swept; a live run's folder is left alone.
    dead = tmp_path / f".2019Q3.tmp-{proc.pid}-abcd"
    live = tmp_path / f".2019Q3.tmp-{os.getpid()}-efgh"
    dead.mkdir()
    live.mkdir()
    assert sweep_stale_temp(tmp_path) == [dead]
    assert live.is_dir() and not dead.exists()


def test_default_period_never_picks_a_future_quarter(tmp_path):
    from gxq_analysis.report.render import default_period

    obs = tmp_path / "obs.csv"
    obs.write_text(
        "indicator_id,period,value\nhitech_enterprises,2019Q3,101\nhitech_enterprises,2031Q1,120\n",
        encoding="utf-8",
    )
    assert str(default_period(obs)) == "2019Q3"


def test_files_beside_the_known_folders_are_named(tmp_path, plan):
    raw = tmp_path / "raw"
    write_csv(raw / "submissions" / "a_2019.csv", [["指标名称", "数值"], ["研发机构总数", "160"]])
    write_csv(raw / "misplaced_2019.csv", [["指标名称", "数值"], ["研发机构总数", "161"]])
    write_csv(raw / "2020" / "b_2020.csv", [["指标名称", "数值"], ["研发机构总数", "170"]])
    (raw / ".git").mkdir()
    (raw / "README.md").write_text("notes", encoding="utf-8")
    result = clean(raw, plan, today=TODAY)
    assert obs_map(result) == {("rd_institutions", "2019"): 160}
    assert {q["source_file"]: q["category"] for q in result.quarantine} == {
        "misplaced_2019.csv": "unsupported_file",
        "2020": "unsupported_file",
        ".git": "hidden_folder",
    }
    assert result.ignored == ["README.md"]


def test_clean_exits_0_on_everything_hostile_together(tmp_path, capsys):
    """All the hostile files at once: exit 0, every file named, every data row accounted for."""
    import json

    raw = tmp_path / "raw"
    sub = raw / "submissions"
    _quarter_csv(sub / "2019Q2_季报.csv", 59, "2019-07-12")
    _quarter_csv(sub / "2019Q2_季报(更正).csv", 62, "2019-07-12")
    write_csv(sub / "future.csv", [["2031年第一季度"], ["指标名称", "本期值"], ["研发机构总数", "150"]])
    write_csv(
        sub / "inject_2019.csv",
        [["指标名称", "数值", "备注"], ["研发机构总数", "160", "=1+1"], ["=cmd|' /C calc'!A0", "1", ""]],
    )
    write_csv(sub / "big_2019.csv", [["指标名称", "数值"], ["高新技术企业总数", "9" * 400]])
    write_xlsx(sub / "e.xlsx", _table_rows() + [["高新技术企业总数", "#DIV/0!"]])
    (sub / "x.ods").write_bytes(b"PK")
    os.symlink("/etc/passwd", sub / "passwd.csv")
    with open(os.path.join(os.fsencode(sub), "科技局_2018.csv".encode("gbk")), "w", encoding="gbk") as fh:
        fh.write("指标名称,数值\n研发机构总数,150\n")
    out = tmp_path / "out"
    assert main(["clean", "--raw", str(raw), "--out", str(out), "--no-progress"]) == 0
    summary = capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    named = {f["path"] for f in manifest["files"]} | {x["path"] for x in manifest["not_read"]}
    assert named == {
        f"submissions/{n}"
        for n in (
            "2019Q2_季报.csv",
            "2019Q2_季报(更正).csv",
            "future.csv",
            "inject_2019.csv",
            "big_2019.csv",
            "e.xlsx",
            "x.ods",
            "passwd.csv",
            "科技局_2018.csv",
        )
    }
    assert "x.ods" in summary and "passwd.csv" in summary
    rows = {
        (r["source_file"], r["source_row"])
        for name in ("observations.csv", "quarantine.csv")
        for r in csv.DictReader((out / name).open(encoding="utf-8-sig", newline=""))
    }
    expected = {
        ("submissions/2019Q2_季报.csv", "4"),
        ("submissions/2019Q2_季报(更正).csv", "4"),
        ("submissions/future.csv", "3"),
        ("submissions/inject_2019.csv", "2"),
        ("submissions/inject_2019.csv", "3"),
        ("submissions/big_2019.csv", "2"),
        ("submissions/e.xlsx", "3"),
        ("submissions/e.xlsx", "4"),
        ("submissions/科技局_2018.csv", "2"),
    }
    assert expected <= rows

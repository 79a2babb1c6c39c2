"""End-to-end: the shipped demo submissions and public figures through `gxq clean`."""

from __future__ import annotations

import csv
import io
import time

import openpyxl
import pytest

from gxq_analysis.cli import main
from gxq_analysis.config import RAW_DIR
from gxq_analysis.ingest.clean import clean, write_outputs
from gxq_analysis.model.observations import OBSERVATION_COLUMNS, load_observations
from gxq_analysis.model.plan import load_plan

DEMO = RAW_DIR / "submissions" / "demo"

# First-cell texts of rows that are layout, not data (written by hand from the demo layouts).
_LAYOUT_PREFIXES = (
    "江阴高新区",
    "填报",
    "序号",
    "指标",
    "注",
    "本表",
    "数据来源",
    "单位",
    "一、",
    "二、",
    "三、",
    "本季",
)


def _is_layout(cells: list[str]) -> bool:
    first = next((c for c in cells if c), "")
    return first.startswith(_LAYOUT_PREFIXES) or first.endswith("评价排名情况") or first == "geo"


def _input_rows() -> list[tuple[str, str, int]]:
    """(source_file, sheet, row) of every non-blank, non-layout row of every shipped input."""
    out = []
    for path in sorted(DEMO.rglob("*")):
        rel = path.relative_to(RAW_DIR).as_posix()
        if path.suffix == ".xlsx":
            wb = openpyxl.load_workbook(path, data_only=True)
            for ws in wb.worksheets:
                for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
                    cells = ["" if v is None else str(v).strip() for v in row]
                    if any(cells) and not _is_layout(cells):
                        out.append((rel, ws.title, r))
        elif path.suffix == ".csv":
            data = path.read_bytes()
            text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode("gb18030")
            for r, row in enumerate(csv.reader(io.StringIO(text)), start=1):
                cells = [c.strip() for c in row]
                if any(cells) and not _is_layout(cells):
                    out.append((rel, "", r))
    pub = RAW_DIR / "public" / "public_figures.csv"
    with pub.open(encoding="utf-8") as fh:
        n = sum(1 for _ in csv.reader(fh))
    out += [("public/public_figures.csv", "", r) for r in range(2, n + 1)]
    return out


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean_demo")
    plan = load_plan()
    t0 = time.perf_counter()
    result = clean(RAW_DIR, plan)
    elapsed = time.perf_counter() - t0
    write_outputs(result, plan, out)
    return result, out, elapsed


def test_demo_folder_is_marked_and_small():
    assert (DEMO / "ILLUSTRATIVE.md").exists()
    total = sum(p.stat().st_size for p in DEMO.rglob("*") if p.is_file())
    assert total < 2_000_000


def test_every_input_row_is_accounted_for(demo_run):
    result, _, _ = demo_run
    accounted = {(o["source_file"], o["source_sheet"], o["source_row"]) for o in result.observations}
    accounted |= {(q["source_file"], q["source_sheet"], q["source_row"]) for q in result.quarantine}
    rows = _input_rows()
    assert len(rows) > 300
    missing = [r for r in rows if r not in accounted]
    assert missing == []


def test_clean_is_fast_and_reads_everything(demo_run):
    result, _, elapsed = demo_run
    assert elapsed < 5
    assert result.unreadable == []


def test_observations_file_contract(demo_run):
    _, out, _ = demo_run
    with (out / "observations.csv").open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == OBSERVATION_COLUMNS
    obs = load_observations(out / "observations.csv")
    demo = obs[obs["source_file"].str.startswith("submissions/demo/")]
    public = obs[obs["source_file"] == "public/public_figures.csv"]
    assert demo["illustrative"].all()
    assert not public["illustrative"].any()


def test_rankings_as_generated(demo_run):
    result, _, _ = demo_run
    zone = "江阴高新区"
    got = {
        (o["indicator_id"], o["period"]): o["value"]
        for o in result.observations
        if o["illustrative"]
        and o["geo"] == zone
        and o["indicator_id"] in ("national_rank", "provincial_rank")
    }
    assert got == {
        ("national_rank", "2018"): 66,
        ("national_rank", "2019"): 55,
        ("national_rank", "2020"): 48,
        ("provincial_rank", "2018"): 12,
        ("provincial_rank", "2019"): 12,
        ("provincial_rank", "2020"): 13,
    }


def test_corrected_resubmission_wins_and_is_logged(demo_run):
    result, _, _ = demo_run
    revs = [r for r in result.revisions if r["indicator_id"] == "tech_smes"]
    assert len(revs) == 1
    rev = revs[0]
    assert rev["period"] == "2019Q2"
    assert "更正" in rev["new_source_file"]
    assert float(rev["new_value"]) - float(rev["old_value"]) == 3  # the generator adds 3 firms
    assert rev["new_reported_at"] > rev["old_reported_at"]


def test_units_converted_and_recorded(demo_run):
    result, _, _ = demo_run
    relief = [
        o for o in result.observations if o["indicator_id"] == "tax_relief" and o["geo"] == "江阴高新区"
    ]
    assert len(relief) == 24  # 12 quarters × (本期值, 本年累计)
    assert all(o["conversion"] == "万元→亿元 ×0.0001" for o in relief)
    assert all(o["unit"] == "亿元" for o in relief)


def test_public_county_rank_is_not_mapped(demo_run):
    result, _, _ = demo_run
    row4 = [
        q
        for q in result.quarantine
        if q["source_file"] == "public/public_figures.csv" and q["source_row"] == 4
    ]
    assert len(row4) == 1 and row4[0]["category"] == "different_population"
    assert not [
        o
        for o in result.observations
        if o["source_file"] == "public/public_figures.csv" and o["source_row"] == 4
    ]


def test_cli_rerun_is_byte_identical(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["clean", "--out", str(a), "--no-progress"]) == 0
    assert main(["clean", "--out", str(b), "--no-progress"]) == 0
    for name in ("observations.csv", "quarantine.csv", "revisions.csv", "manifest.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    out = capsys.readouterr().out
    assert "files read" in out and "revisions" in out


def test_cli_fails_cleanly_without_raw_dir(tmp_path, capsys):
    assert main(["clean", "--raw", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) != 0
    err = capsys.readouterr().err.strip()
    assert err.startswith("gxq clean:") and "\n" not in err


def test_calibration_panel_is_reference_data_not_clean_input(demo_run):
    """public/calibration/ feeds the forecast calibration: named as reference data, never quarantined."""
    result, _out, _ = demo_run
    assert "public/calibration/panel.csv" in result.reference
    assert "public/calibration/targets.csv" in result.reference
    assert not [r for r in result.refused if r[0].startswith("public/calibration/")]
    assert not [q for q in result.quarantine if "calibration" in str(q.get("source_file", ""))]

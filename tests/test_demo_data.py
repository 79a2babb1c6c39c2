"""`gxq demo-data`: seeded, byte-stable, illustrative, and what the module docstring promises."""

from __future__ import annotations

import hashlib

import openpyxl
import pytest

from gxq_analysis.cli import main
from gxq_analysis.config import RAW_DIR
from gxq_analysis.ingest.clean import clean
from gxq_analysis.model.plan import load_plan


def _hashes(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    base = tmp_path_factory.mktemp("demo")
    out = base / "raw" / "submissions" / "demo"
    assert main(["demo-data", "--out", str(out)]) == 0
    return base / "raw", out


def test_same_seed_is_byte_identical_and_matches_shipped_files(generated, tmp_path):
    _, out = generated
    again = tmp_path / "again"
    assert main(["demo-data", "--out", str(again)]) == 0
    assert _hashes(out) == _hashes(again)
    # The committed demo data is what the default seed generates.
    assert _hashes(out) == _hashes(RAW_DIR / "submissions" / "demo")


def test_other_seed_differs(generated, tmp_path):
    _, out = generated
    other = tmp_path / "other"
    assert main(["demo-data", "--seed", "7", "--out", str(other)]) == 0
    assert _hashes(out) != _hashes(other)


def test_refuses_to_overwrite_a_folder_that_is_not_demo(tmp_path, capsys):
    target = tmp_path / "precious"
    target.mkdir()
    (target / "real.xlsx").write_bytes(b"real data")
    assert main(["demo-data", "--out", str(target)]) == 2
    assert (target / "real.xlsx").read_bytes() == b"real data"


def test_layouts_and_marker(generated):
    _, out = generated
    marker = (out / "ILLUSTRATIVE.md").read_text(encoding="utf-8")
    assert "示例数据" in marker and "synthetic" in marker and "gxq demo-data" in marker
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert len([n for n in names if n.startswith("月报/")]) == 3
    assert len([n for n in names if n.startswith("季报/科技局/")]) == 13  # 12 quarters + one correction
    assert len([n for n in names if n.startswith("季报/财政局/")]) == 12
    assert len([n for n in names if n.startswith("季报/金融办/")]) == 12
    assert len([n for n in names if n.startswith("年报/")]) == 3
    assert (
        (out / "季报" / "财政局" / "2019Q3_财政局_季报.csv")
        .read_bytes()
        .decode("gb18030")
        .startswith("江阴高新区")
    )
    assert (out / "季报" / "金融办" / "创投基金规模_2019Q3.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    wb = openpyxl.load_workbook(out / "月报" / "2019年科技创新指标月报.xlsx")
    assert wb.sheetnames == [f"{m}月" for m in range(1, 13)]
    ws = openpyxl.load_workbook(out / "季报" / "科技局" / "2019Q3_科技局_季报.xlsx").active
    assert {str(r) for r in ws.merged_cells.ranges} >= {"A1:F1", "D3:E3", "B3:B4"}


def test_clean_of_demo_has_each_kind_of_mess(generated):
    raw, _ = generated
    result = clean(raw, load_plan())
    cats = sorted({q["category"] for q in result.quarantine})
    assert cats == ["fraction_not_percent", "invalid_value", "no_value", "superseded", "unknown_indicator"]
    assert len(result.revisions) == 1
    assert all(o["illustrative"] for o in result.observations)
    periods = {o["period"] for o in result.observations}
    assert "2018-01" in periods and "2020-12" in periods
    # Every indicator of the plan has demo values.
    assert {o["indicator_id"] for o in result.observations} == set(load_plan().indicators.index)


def test_trajectories_on_track_and_behind(generated):
    raw, _ = generated
    result = clean(raw, load_plan())
    year_end = {(o["indicator_id"], o["period"]): o["value"] for o in result.observations if not o["ytd"]}
    # Targets from targets.csv (2020): high-tech enterprises 120, tech SMEs 100, coverage 100, VC fund 80.
    assert year_end[("hitech_enterprises", "2020Q4")] >= 120
    assert year_end[("tech_smes", "2020Q4")] < 100
    assert 90 < year_end[("rd_institution_coverage", "2020Q4")] < 100
    assert year_end[("vc_fund_size", "2020Q4")] < 80
    assert year_end[("unicorn_enterprises", "2019")] == 0 and year_end[("unicorn_enterprises", "2020")] == 1
    dec = year_end[("invention_patent_applications", "2019-12")]
    nov = year_end[("invention_patent_applications", "2019-11")]
    assert dec > 1.5 * nov  # the December spike

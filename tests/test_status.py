"""`assess_plan` and `gxq status` (DESIGN §3) on a hand-made tidy table; answers computed by hand."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest

from gxq_analysis.assess.status import assess_plan, target_years_for
from gxq_analysis.assess.status_table import display_width, format_table, pad
from gxq_analysis.cli import main
from gxq_analysis.config import DEFAULT_PLAN_DIR
from gxq_analysis.i18n import status_label
from gxq_analysis.model.observations import load_observations
from gxq_analysis.model.plan import load_plan

PLAN = load_plan(DEFAULT_PLAN_DIR)

TIDY = """indicator_id,period,value,ytd,illustrative
rd_gdp_share,2017,4.8,false,false
rd_gdp_share,2018,5.0,false,false
rd_gdp_share,2019Q3,5.1,false,false
rd_gdp_share,2019Q4,5.35,false,false
hitech_enterprises,2017,60,false,true
hitech_enterprises,2018,78,false,true
hitech_enterprises,2019Q3,95,false,true
national_rank,2017,70,false,false
national_rank,2018,63,false,false
unicorn_enterprises,2017,0,false,false
unicorn_enterprises,2018,0,false,false
tax_relief,2017,2.5,false,false
tax_relief,2018,3.2,false,false
tax_relief,2019-09,2.6,true,false
"""


@pytest.fixture
def obs_path(tmp_path: Path) -> Path:
    p = tmp_path / "obs.csv"
    p.write_text(TIDY, encoding="utf-8")
    return p


@pytest.fixture
def obs(obs_path):
    return load_observations(obs_path, default_geo=PLAN.zone_geo)


def band(p: float, towards: bool = True) -> str:
    """The status an open target year must carry for its P(meet) (bands 0.66 / 0.33, DESIGN §2)."""
    if p >= 0.66:
        return "on_track"
    if p >= 0.33:
        return "needs_acceleration"
    return "limited_progress" if towards else "deterioration"


def row(df, iid, year):
    sel = df[(df["indicator_id"] == iid) & (df["target_year"] == year)]
    assert len(sel) == 1
    return sel.iloc[0]


def test_rows_are_target_years_from_the_as_of_year(obs):
    assert target_years_for(PLAN, "rd_gdp_share", 2019) == [2019, 2020]
    assert target_years_for(PLAN, "rd_gdp_share", 2021) == [2020]
    assert target_years_for(PLAN, "unicorn_enterprises", 2018) == [2020]
    df = assess_plan(PLAN, obs, as_of="2019Q3")
    n_rows = sum(len(target_years_for(PLAN, i, 2019)) for i in PLAN.targets["indicator_id"].unique())
    assert len(df) == n_rows
    for col in (
        "indicator_id",
        "name",
        "unit",
        "direction",
        "target_year",
        "target",
        "latest_period",
        "latest_value",
        "status",
        "status_label",
        "p_meet",
        "projected_value",
        "projected_lo80",
        "projected_hi80",
        "ratio",
        "observed_growth",
        "required_growth",
        "n_points",
        "method",
        "note",
        "gap",
        "milestone_year",
        "milestone_target",
        "illustrative",
        "source_rows",
    ):
        assert col in df.columns


def test_as_of_2019q3_known_answers(obs):
    df = assess_plan(PLAN, obs, as_of="2019Q3")
    # R&D share: base 4.8 (2017), latest 5.1 at 2019Q3 (t = 2018.75), target 5.5 in 2020.
    r = row(df, "rd_gdp_share", 2020)
    obs_g = (5.1 / 4.8) ** (1 / 1.75) - 1
    req_g = (5.5 / 4.8) ** (1 / 3) - 1
    assert r["latest_period"] == "2019Q3" and r["latest_value"] == 5.1
    assert r["ratio"] == pytest.approx(obs_g / req_g)  # 0.759
    # The verdict comes from the forecast's P(meet), and the median agrees with it.
    assert r["status"] == band(r["p_meet"]) and r["status_label"] == status_label(r["status"], "zh")
    assert (r["p_meet"] >= 0.5) == (r["projected_value"] >= 5.5)
    assert r["projected_lo80"] < r["projected_value"] < r["projected_hi80"]
    assert r["gap"] == pytest.approx(5.1 - 5.5)
    assert r["milestone_year"] == 2019 and r["milestone_target"] == 5.3
    assert 0 <= r["p_meet"] <= 1 and r["n_points"] == 3  # 2017, 2018 year-ends and the 2019Q3 level
    assert r["source_rows"] == "obs.csv:2; obs.csv:3; obs.csv:4"
    assert not r["illustrative"]
    # The 2019Q4 value is after the as-of period and must not be used.
    assert 5.35 not in (r["latest_value"],)

    # National rank (lower is better, position change): 70 → 63 in one year; 2019 target 54:
    # observed −7/yr, required (54 − 70)/2 = −8/yr, R = 7/8 (the neutral growth-ratio column).
    r = row(df, "national_rank", 2019)
    assert r["ratio"] == pytest.approx(7 / 8)
    # Ranks get no calibrated probability (no ranking series in the public panel): a grey light.
    for year in (2019, 2020):
        r = row(df, "national_rank", year)
        assert r["status"] == "insufficient_data" and math.isnan(r["p_meet"])
        assert math.isnan(r["projected_value"]) and "ranks" in r["note"]

    # Unicorns 0 → 0 against 1: no movement, so meeting the target is unlikely (but not moving away).
    r = row(df, "unicorn_enterprises", 2020)
    assert r["ratio"] == 0 and r["p_meet"] < 0.33
    assert r["status"] == "limited_progress"

    # Tax relief is a flow: complete years 2017, 2018; the 2019 YTD has no earlier September to
    # scale it, so it is not used (and the note says so).
    # Observed 3.2/2.5 − 1 = 28 %, required to 3.5 in 2019: (3.5/2.5)^(1/2) − 1 = 18.3 %.
    r = row(df, "tax_relief", 2019)
    assert r["latest_period"] == "2018"
    assert r["ratio"] == pytest.approx((3.2 / 2.5 - 1) / ((3.5 / 2.5) ** 0.5 - 1))
    assert r["status"] == band(r["p_meet"]) and "not used" in r["note"]

    # Illustrative values are flagged.
    assert row(df, "hitech_enterprises", 2020)["illustrative"]

    # No data at all: insufficient, no crash, no silent NaN.
    r = row(df, "tech_smes", 2020)
    assert r["status"] == "insufficient_data" and r["note"]


def test_closed_target_year_is_met_or_missed_with_the_gap(obs):
    df = assess_plan(PLAN, obs, as_of="2019Q4")
    # 2019 closes at 2019Q4: R&D 5.35 ≥ 5.3 → achieved, gap +0.05, p_meet = 1 (observed).
    r = row(df, "rd_gdp_share", 2019)
    assert r["status"] == "target_achieved"
    assert r["gap"] == pytest.approx(0.05)
    assert r["p_meet"] == 1.0
    # High-tech enterprises have no 2019 year-end value: cannot say met or missed.
    r = row(df, "hitech_enterprises", 2019)
    assert r["status"] == "insufficient_data"
    assert "no value for the target year 2019" in r["note"]


def test_all_targets_past_keeps_the_last_target_year(obs):
    df = assess_plan(PLAN, obs, as_of="2021")
    assert set(df["target_year"]) == {2020}
    r = row(df, "rd_gdp_share", 2020)
    assert r["status"] == "insufficient_data" and "2020" in r["note"]


def test_bands_and_lang_pass_through(obs):
    df = assess_plan(PLAN, obs, as_of="2019Q3", lang="en")
    r = row(df, "rd_gdp_share", 2020)
    assert r["status_label"] == status_label(r["status"], "en")
    assert r["name"] == "R&D expenditure as a share of GDP"
    # Bands from plan.json: a plan that calls anything above 1 % "on track" moves the verdict.
    from dataclasses import replace

    lax = replace(PLAN, meta={**PLAN.meta, "status_bands": {"on_track": 0.5, "at_risk": 0.01}})
    r2 = row(assess_plan(lax, obs, as_of="2019Q3", lang="en"), "rd_gdp_share", 2020)
    assert r2["p_meet"] == pytest.approx(r["p_meet"])
    assert r2["status"] == ("on_track" if r["p_meet"] >= 0.5 else "needs_acceleration")
    with pytest.raises(ValueError):
        assess_plan(PLAN, obs, as_of="2019Q3", lang="fr")


def test_wide_characters_are_padded_by_display_width():
    assert display_width("研发ab") == 6
    assert display_width(pad("研发", 6)) == 6
    assert pad("研发", 6, "right") == "  研发"


def test_cli_csv_json_table(obs_path, capsys):
    assert (
        main(
            [
                "status",
                "--plan",
                str(DEFAULT_PLAN_DIR),
                "--observations",
                str(obs_path),
                "--as-of",
                "2019Q3",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    r = next(x for x in rows if x["indicator_id"] == "national_rank" and x["target_year"] == "2020")
    assert r["p_meet"] == ""  # empty when it cannot be estimated (DESIGN §3)
    assert r["status"] == "insufficient_data"

    assert main(["status", "--observations", str(obs_path), "--as-of", "2019Q3", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    r = next(x for x in data if x["indicator_id"] == "rd_gdp_share" and x["target_year"] == 2020)
    assert r["p_meet"] is not None and 0 <= r["p_meet"] <= 1
    assert next(x for x in data if x["indicator_id"] == "national_rank")["p_meet"] is None

    assert main(["status", "--observations", str(obs_path), "--as-of", "2019Q3"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "截至 2019Q3" in lines[0]
    # Every body line's columns line up: the status column starts at the same display column.
    header = lines[1]
    col = display_width(header[: header.index("状态")])
    checked = 0
    for ln in lines[3:]:
        for label in ("有风险", "难以达标", "有望达标", "数据不足"):
            if label in ln:
                assert display_width(ln[: ln.index(label)]) == col
                checked += 1
    assert checked >= 5
    assert "示例数据" in out  # hitech_enterprises rows are illustrative


def test_cli_errors_are_one_line(tmp_path, capsys):
    assert main(["status", "--observations", str(tmp_path / "missing.csv")]) == 2
    assert "gxq status:" in capsys.readouterr().err
    p = tmp_path / "o.csv"
    p.write_text(TIDY, encoding="utf-8")
    assert main(["status", "--observations", str(p), "--as-of", "2019-13"]) == 2


def test_format_table_handles_empty_estimates(obs):
    df = assess_plan(PLAN, obs, as_of="2019Q3")
    text = format_table(df, "en")
    assert "Insufficient data" in text and "—" in text


def test_cache_returns_copies_and_notices_a_changed_table(obs):
    a = assess_plan(PLAN, obs, as_of="2019Q3")
    a.loc[:, "status"] = "tampered"
    b = assess_plan(PLAN, obs, as_of="2019Q3")
    assert "tampered" not in set(b["status"])
    changed = obs.copy()
    changed.loc[changed["indicator_id"] == "rd_gdp_share", "value"] += 1.0
    c = assess_plan(PLAN, changed, as_of="2019Q3")
    assert row(c, "rd_gdp_share", 2020)["latest_value"] == pytest.approx(6.1)


def test_source_trace_names_the_workbook_sheet(tmp_path):
    p = tmp_path / "obs.csv"
    p.write_text(
        "indicator_id,period,value,source_file,source_sheet,source_row\n"
        "hitech_enterprises,2018,80,a.xlsx,2018年报,7\n"
        "hitech_enterprises,2019,95,b.xlsx,季报,9\n"
        "hitech_enterprises,2019Q3,92,c.csv,,4\n",
        encoding="utf-8",
    )
    df = assess_plan(PLAN, load_observations(p, default_geo=PLAN.zone_geo), as_of="2019Q4")
    r = row(df, "hitech_enterprises", 2020)
    # Year-end values only (the 2019 annual figure beats the Q3 level): a sheet in brackets, then the row.
    assert r["source_rows"] == "a.xlsx[2018年报]:7; b.xlsx[季报]:9"

"""The shipped plan loads, matches the plan's own table, and broken plan folders are rejected."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from gxq_analysis.config import DEFAULT_PLAN_DIR
from gxq_analysis.model.plan import PlanError, load_plan

PLAN_TEXT = (DEFAULT_PLAN_DIR / "plan.txt").read_text(encoding="utf-8")


def parse_plan_table(text: str) -> dict[int, tuple[str, str, list[float]]]:
    """Read the target table straight from the plan's text: number -> (dimension, name, 3 values)."""
    start = text.index("江阴高新区科技创新目标(2018—2020)")
    end = text.index("二、行动计划")
    lines = [ln.strip() for ln in text[start:end].splitlines() if ln.strip()]
    header_end = lines.index("2020年") + 1
    body = lines[header_end:]
    rows: dict[int, tuple[str, str, list[float]]] = {}
    dimension = ""
    i = 0
    while i < len(body):
        no = int(body[i])
        i += 1
        if body[i] in ("创新投入", "企业创新", "创新绩效"):
            dimension = body[i]
            i += 1
        name = body[i]
        values = [float(re.match(r"[\d.]+", v).group(0)) for v in body[i + 1 : i + 4]]
        rows[no] = (dimension, name, values)
        i += 4
    return rows


def test_plan_text_table_parses_to_sixteen_rows():
    table = parse_plan_table(PLAN_TEXT)
    assert sorted(table) == list(range(1, 17))


def test_shipped_plan_loads():
    plan = load_plan(DEFAULT_PLAN_DIR)
    assert plan.id == "jiangyin-gxq-2018-2020"
    assert plan.zone_geo == "江阴高新区"
    assert plan.years == [2018, 2019, 2020]
    assert len(plan.indicators[plan.indicators["in_table"]]) == 16


def test_every_tabled_target_equals_the_plan_table():
    plan = load_plan(DEFAULT_PLAN_DIR)
    table = parse_plan_table(PLAN_TEXT)
    by_no = plan.by_number()
    assert sorted(int(n) for n in by_no) == list(range(1, 17))
    for no, (dimension, name, values) in table.items():
        iid = by_no[str(no)]
        row = plan.indicator(iid)
        assert row["dimension"] == dimension
        # The table writes "高新技术企业总数(家)": the catalogue keeps the unit in its own column.
        assert re.sub(r"\((家|件|人)\)$", "", name) == row["name_zh"]
        got = [plan.target(iid, y) for y in (2018, 2019, 2020)]
        assert got == values, (iid, got, values)


def test_rankings_are_lower_is_better_and_everything_else_higher():
    plan = load_plan(DEFAULT_PLAN_DIR)
    lower = set(plan.indicators.index[plan.indicators["direction"] == "lower"])
    assert lower == {"national_rank", "provincial_rank"}
    assert set(plan.indicators.loc[sorted(lower), "kind"]) == {"rank"}


def test_text_targets_carry_their_sentence_from_the_plan():
    plan = load_plan(DEFAULT_PLAN_DIR)
    text_only = plan.targets[plan.targets["source"].str.startswith("正文")]
    expected = {
        "st_progress_contribution": 65,
        "gazelle_enterprises": 12,
        "unicorn_enterprises": 1,
        "industrial_rd_revenue_share": 2.5,
        "key_labs": 2,
        "engineering_centers": 25,
        "industrial_tech_institutes": 3,
        "academician_workstations": 20,
        "postdoc_workstations": 8,
        "graduate_workstations": 18,
        "incubation_space_area": 160,
        "maker_spaces": 7,
        "maker_communities": 1,
        "incubators": 3,
        "high_level_talents": 3000,
    }
    got = dict(zip(text_only["indicator_id"], text_only["target"]))
    assert got == expected
    for iid, target, note in zip(text_only["indicator_id"], text_only["target"], text_only["note"]):
        assert note and note in PLAN_TEXT
        # The sentence states the number, except "零突破" (from zero to one).
        assert f"{target:g}" in note or (iid == "unicorn_enterprises" and "零突破" in note)
    assert set(text_only["year"]) == {2020}
    for sentence in plan.indicators["source_sentence"]:
        assert sentence == "" or sentence in PLAN_TEXT


def test_every_indicator_has_a_target():
    plan = load_plan(DEFAULT_PLAN_DIR)
    assert set(plan.indicators.index) == set(plan.targets["indicator_id"])


def _rewrite(path: Path, edit) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    edit(rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def _expect_error(folder: Path, file: str, row: int | None, column: str | None, words: str) -> None:
    with pytest.raises(PlanError) as info:
        load_plan(folder)
    err = info.value
    assert Path(err.file).name == file
    assert err.row == row
    assert err.column == column
    assert words in str(err)
    assert file in str(err)


def test_unknown_direction_is_rejected(plan_copy):
    def edit(rows):
        rows[3][rows[0].index("direction")] = "up"

    _rewrite(plan_copy / "indicators.csv", edit)
    _expect_error(plan_copy, "indicators.csv", 4, "direction", "unknown direction 'up'")


def test_missing_direction_has_no_default(plan_copy):
    def edit(rows):
        rows[2][rows[0].index("direction")] = ""

    _rewrite(plan_copy / "indicators.csv", edit)
    _expect_error(plan_copy, "indicators.csv", 3, "direction", "empty value")


def test_duplicate_id_is_rejected(plan_copy):
    def edit(rows):
        rows[5][0] = rows[2][0]

    _rewrite(plan_copy / "indicators.csv", edit)
    _expect_error(plan_copy, "indicators.csv", 6, "id", "duplicate id")


def test_target_for_unknown_indicator_is_rejected(plan_copy):
    def edit(rows):
        rows.append(["no_such_indicator", "2020", "1", "", ""])

    _rewrite(plan_copy / "targets.csv", edit)
    with (plan_copy / "targets.csv").open(encoding="utf-8") as fh:
        n_lines = sum(1 for _ in fh)
    _expect_error(plan_copy, "targets.csv", n_lines, "indicator_id", "unknown indicator 'no_such_indicator'")


def test_non_numeric_target_is_rejected(plan_copy):
    def edit(rows):
        rows[7][2] = "约120"

    _rewrite(plan_copy / "targets.csv", edit)
    _expect_error(plan_copy, "targets.csv", 8, "target", "not a number")


def test_missing_required_column_is_rejected(plan_copy):
    def edit(rows):
        i = rows[0].index("unit")
        for r in rows:
            del r[i]

    _rewrite(plan_copy / "indicators.csv", edit)
    _expect_error(plan_copy, "indicators.csv", 1, None, "missing required column(s): unit")


def test_share_target_outside_bounds_is_rejected(plan_copy):
    def edit(rows):
        rows[1][2] = "105"  # rd_gdp_share 2018

    _rewrite(plan_copy / "targets.csv", edit)
    _expect_error(plan_copy, "targets.csv", 2, "target", "outside the indicator's bounds")


def test_duplicate_target_year_is_rejected(plan_copy):
    def edit(rows):
        rows.insert(3, list(rows[1]))

    _rewrite(plan_copy / "targets.csv", edit)
    _expect_error(plan_copy, "targets.csv", 4, "year", "second target for rd_gdp_share in 2018")


def test_missing_plan_folder_is_a_plan_error(tmp_path):
    with pytest.raises(PlanError, match="plan folder not found"):
        load_plan(tmp_path / "nope")


def test_minimal_plan_gets_defaults(tmp_path):
    (tmp_path / "indicators.csv").write_text(
        "id,name_zh,name_en,unit,direction\nrd,研发强度,R&D intensity,%,higher\n", encoding="utf-8"
    )
    (tmp_path / "targets.csv").write_text("indicator_id,year,target\nrd,2020,2.5\n", encoding="utf-8")
    plan = load_plan(tmp_path)
    assert plan.indicator("rd")["kind"] == "share"
    assert plan.bounds("rd") == (0.0, 100.0)
    assert plan.indicator("rd")["accumulation"] == "stock"
    assert plan.target("rd", 2020) == 2.5

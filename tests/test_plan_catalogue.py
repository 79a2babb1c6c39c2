"""The pandas-free catalogue (what `gxq clean` reads of the plan) says what the pandas Plan says."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_fresh_process_support import modules_imported_by

from gxq_analysis.config import DEFAULT_PLAN_DIR
from gxq_analysis.ingest.checks import Checker
from gxq_analysis.model.plan import Catalogue, PlanError, as_catalogue, load_catalogue, load_plan


def _same_facts(cat: Catalogue, plan_dir: Path) -> None:
    plan = load_plan(plan_dir)
    assert cat.ids() == list(plan.indicators.index)
    for iid in cat.ids():
        for lang in ("zh", "en"):
            assert cat.name(iid, lang) == plan.name(iid, lang)
        assert cat.aliases(iid) == plan.aliases(iid)
        assert cat.bounds(iid) == plan.bounds(iid)
        for column in ("unit", "kind", "accumulation", "frequency", "no", "department", "due_days"):
            assert cat.text(iid, column) == str(plan.indicators.at[iid, column])
    assert cat.by_number() == plan.by_number()
    by_pandas = plan.targets.groupby("indicator_id")["target"].min()
    assert cat.min_targets() == {str(k): float(v) for k, v in by_pandas.items()}
    assert (cat.id, cat.zone_geo, cat.years, cat.start_year, cat.end_year, cat.title) == (
        plan.id,
        plan.zone_geo,
        plan.years,
        plan.start_year,
        plan.end_year,
        plan.title,
    )


def test_shipped_catalogue_matches_the_pandas_plan():
    cat = load_catalogue(DEFAULT_PLAN_DIR)
    _same_facts(cat, DEFAULT_PLAN_DIR)
    # The shipped plan has aliases and bounds to compare (not all empty).
    assert any(cat.aliases(iid) for iid in cat.ids())
    assert any(cat.bounds(iid) != (None, None) for iid in cat.ids())
    assert len(cat.by_number()) == 16


def test_catalogue_of_a_plan_equals_the_loaded_catalogue():
    loaded = load_catalogue(DEFAULT_PLAN_DIR)
    derived = as_catalogue(load_plan(DEFAULT_PLAN_DIR))
    assert derived.indicators == loaded.indicators
    assert derived.targets == loaded.targets
    assert derived.meta == loaded.meta
    assert as_catalogue(loaded) is loaded


def test_checker_reads_the_same_facts_from_either(tmp_path):
    plan_checker = Checker(load_plan(DEFAULT_PLAN_DIR))
    cat_checker = Checker(load_catalogue(DEFAULT_PLAN_DIR))
    for attr in (
        "units",
        "kinds",
        "accum",
        "stock_ids",
        "bounds",
        "min_target",
        "horizon",
        "start_year",
        "zone",
    ):
        assert getattr(plan_checker, attr) == getattr(cat_checker, attr), attr
    assert plan_checker.matcher._index == cat_checker.matcher._index


@pytest.fixture
def plan_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "plan"
    shutil.copytree(DEFAULT_PLAN_DIR, dst)
    return dst


def test_a_minimal_plan_gets_the_same_defaults(tmp_path):
    (tmp_path / "indicators.csv").write_text(
        "id,name_zh,name_en,unit,direction,aliases\n"
        "rd_share,研发占比,R&D share,%,higher,研发投入占比| R&D 占比 \n"
        "firms,企业数,Firms,家,higher,\n",
        encoding="utf-8",
    )
    (tmp_path / "targets.csv").write_text(
        "indicator_id,year,target\nrd_share,2019,3.1\nrd_share,2020,2.9\nfirms,2020,100\n", encoding="utf-8"
    )
    cat = load_catalogue(tmp_path)
    _same_facts(cat, tmp_path)
    assert cat.aliases("rd_share") == ["研发投入占比", "R&D 占比"]
    assert cat.bounds("rd_share") == (0.0, 100.0)  # a share gets [0, 100]
    assert cat.min_targets() == {"rd_share": 2.9, "firms": 100.0}


def test_duplicate_table_number_names_the_second_row(plan_copy):
    path = plan_copy / "indicators.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    no = header.index("no")
    first = lines[1].split(",")
    second = lines[2].split(",")
    second[no] = first[no]
    lines[2] = ",".join(second)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for load in (load_catalogue, load_plan):
        with pytest.raises(
            PlanError, match=rf"indicators.csv, row 3, column 'no': duplicate table number '{first[no]}'"
        ):
            load(plan_copy)


def test_the_clean_command_imports_no_pandas():
    code = (
        "import gxq_analysis.cli, gxq_analysis.ingest.clean\n"
        "from gxq_analysis.model.plan import load_catalogue\nload_catalogue()"
    )
    assert modules_imported_by(code, ("pandas", "numpy")) == []

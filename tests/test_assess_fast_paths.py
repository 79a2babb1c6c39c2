"""The assessment's plain-column fast paths give what the pandas expressions they replace give, on
edge cases the demo data do not hold (benchmarks/check_assessment_unchanged.py checks the demo data)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from gxq_analysis.assess.progress import period_time
from gxq_analysis.assess.status import _History, _trace
from gxq_analysis.model.series import ANNUAL_COLUMNS


def _frame_history(annual: pd.DataFrame) -> pd.DataFrame:
    """trajectory.indicator_history's frame, as the status table used to slice it."""
    h = annual.copy()
    h["time"] = [float(y) if c else period_time(p) for y, c, p in zip(h["year"], h["complete"], h["period"])]
    return h.reset_index(drop=True)


def _frame_trace(rows: pd.DataFrame) -> str:
    sheets = rows["source_sheet"] if "source_sheet" in rows else [None] * len(rows)
    return _trace(list(rows["source_file"]), list(sheets), list(rows["source_row"]))


ANNUALS = {
    # a missing year (2018), a stock's partial latest level, illustrative as bool
    "gap_and_partial": pd.DataFrame(
        {
            "year": [2016, 2017, 2019, 2020],
            "value": [1.0, 2.5, 3.0, 3.2],
            "period": ["2016", "2017Q4", "2019", "2020Q2"],
            "complete": [True, True, True, False],
            "method": ["annual", "year_end_level", "annual", "latest_level"],
            "source_file": ["a.csv", "b.xlsx", "", "c.csv"],
            "source_sheet": ["", "季报", "", ""],
            "source_row": [2, 7, 3, 9],
            "illustrative": [False, False, False, True],
        }
    ),
    # NaN values, illustrative None / NaN / True as objects, no sheet column, missing source rows
    "nan_and_objects": pd.DataFrame(
        {
            "year": [2017, 2018, 2019],
            "value": [np.nan, 5.0, np.nan],
            "period": ["2017", "2018", "2019"],
            "complete": [True, True, True],
            "method": ["annual"] * 3,
            "source_file": ["x.csv", None, "y.csv"],
            "source_row": pd.array([4, pd.NA, 6], dtype="Int64"),
            "illustrative": pd.Series([None, math.nan, "yes"], dtype=object),
        }
    ),
    "empty": pd.DataFrame(
        columns=[
            "year",
            "value",
            "period",
            "complete",
            "method",
            "source_file",
            "source_sheet",
            "source_row",
            "illustrative",
        ]
    ),
}


@pytest.mark.parametrize("name", sorted(ANNUALS))
@pytest.mark.parametrize("T", [2016, 2018, 2019, 2020, 2021])
def test_history_columns_read_as_the_frame_slices(name, T):
    annual = ANNUALS[name]
    plain, frame = _History(annual), _frame_history(annual)
    hist = frame[frame["time"] <= T + 1e-9] if not frame.empty else frame
    rows = plain.up_to(T)
    assert rows == list(hist.index)
    np.testing.assert_array_equal(plain.time[rows], hist["time"].to_numpy(float))
    np.testing.assert_array_equal(plain.value[rows], hist["value"].to_numpy(float))
    assert plain.any_illustrative(rows) == bool(hist["illustrative"].fillna(False).astype(bool).any())
    assert plain.trace(rows) == _frame_trace(hist)
    assert [plain.period[i] for i in rows] == list(hist["period"])
    at_target = (np.isclose(hist["time"], T) & hist["complete"].astype(bool)).any() if len(hist) else False
    assert (
        any(bool(plain.complete[i]) for i, c in zip(rows, np.isclose(plain.time[rows], T)) if c) == at_target
    )
    if rows:
        used = hist.tail(1)
        assert plain.any_illustrative(rows[-1:]) == bool(used["illustrative"].fillna(False).any())
        assert plain.trace(rows[-1:]) == _frame_trace(used)


@pytest.mark.parametrize("name", sorted(ANNUALS))
@pytest.mark.parametrize("T", [2016, 2018, 2019, 2020, 2021])
@pytest.mark.parametrize("with_memo", [False, True])
def test_complete_points_are_the_masked_frame(name, T, with_memo):
    from gxq_analysis.assess.outlook import POINT_COLUMNS, _complete_points

    # annual_values always has every ANNUAL_COLUMNS column (here a missing sheet comes in as NaN)
    annual = ANNUALS[name].reindex(columns=ANNUAL_COLUMNS)
    if name == "gap_and_partial":  # an incomplete year before complete ones too
        annual.loc[1, "complete"] = False
    memo: dict | None = {} if with_memo else None
    pts = _complete_points(annual, T, memo)
    complete = annual[annual["complete"].astype(bool) & (annual["year"] <= T)]
    expected = complete.assign(time=complete["year"].astype(float))
    pd.testing.assert_frame_equal(pts.frame, expected[POINT_COLUMNS], check_exact=True)
    assert pts.years == expected["year"].tolist()
    np.testing.assert_array_equal(pts.time, expected["time"].to_numpy(float))
    np.testing.assert_array_equal(pts.value, expected["value"].to_numpy(float))
    if with_memo:
        assert _complete_points(annual, T, memo) is pts


@pytest.mark.parametrize(
    "values",
    [
        [],
        [False, False],
        [False, True],
        [None, math.nan, pd.NA],
        [None, "yes"],
        [math.nan, 0.0, 2.0],
        ["", None],
        np.array([True, False]),
        [np.float32("nan"), pd.NaT, np.bool_(False)],
        [np.float32("nan"), np.int64(0), np.float64(0.5)],
    ],
    ids=repr,
)
def test_any_flag_is_the_series_expression(values):
    from gxq_analysis.model.series import any_flag

    expected = bool(pd.Series(list(values), dtype=object).fillna(False).astype(bool).any())
    assert any_flag(values) == expected


def test_frame_columns_are_the_lists_and_kept_per_frame():
    from gxq_analysis.model.series import ObsIndex, frame_columns

    annual = ANNUALS["nan_and_objects"]
    names = ("year", "value", "source_row", "illustrative")
    expected = tuple(annual[c].tolist() for c in names)

    def same(got):  # element by element, NaN equal to NaN, types included
        return [[(type(v), repr(v)) for v in col] for col in got] == [
            [(type(v), repr(v)) for v in col] for col in expected
        ]

    assert same(frame_columns(annual, annual, names))  # a plain table: converted each time
    index = ObsIndex(pd.DataFrame(columns=["indicator_id", "geo"]))
    first = frame_columns(index, annual, names)
    assert same(first) and frame_columns(index, annual, names) is first
    other = annual.copy()  # another frame (even with equal content) is converted on its own
    assert frame_columns(index, other, names) is not first


TRAJECTORY_TIDY = """indicator_id,period,value,ytd,geo
rd_gdp_share,2016,4.6,false,
rd_gdp_share,2017,4.8,false,
rd_gdp_share,2018,5.0,false,
rd_gdp_share,2019Q3,5.1,false,
rd_gdp_share,2018,2.19,false,全国
rd_gdp_share,2018,2.7,false,江苏省
rd_gdp_share,2019,2.23,false,全国
hitech_enterprises,2017,60,false,
hitech_enterprises,2018Q3,70,false,
hitech_enterprises,2019Q3,95,false,
national_rank,2016,70,false,
national_rank,2018,60,false,
invention_patent_applications,2017-12,700,true,
invention_patent_applications,2018-06,320,true,
invention_patent_applications,2018-12,800,true,
invention_patent_applications,2019-06,280,true,
invention_patent_applications,2019-09,450,true,
"""


@pytest.mark.parametrize("period", ["2018Q2", "2019Q3", "2019"])
def test_trajectory_inputs_are_the_same_from_a_workers_index(tmp_path, period):
    """The trend chart's arguments from a compute worker's kept index (cached milestones, plain
    columns, points) are those of a page run on its own, to the pickled byte (the chart cache's key)."""
    import pickle

    from gxq_analysis.config import DEFAULT_PLAN_DIR
    from gxq_analysis.model.observations import load_observations
    from gxq_analysis.model.plan import load_plan
    from gxq_analysis.model.series import ObsIndex
    from gxq_analysis.report.context import project, validate_params
    from gxq_analysis.report.trajectories import indicators_with_targets, trajectory_inputs

    obs_path = tmp_path / "observations.csv"
    obs_path.write_text(TRAJECTORY_TIDY, encoding="utf-8")
    plan = load_plan(DEFAULT_PLAN_DIR)
    obs = load_observations(obs_path, default_geo=plan.zone_geo)
    index = ObsIndex(obs)
    alone = validate_params(period, "zh", DEFAULT_PLAN_DIR, obs_path)
    worker = validate_params(period, "zh", DEFAULT_PLAN_DIR, obs_path, kept=lambda: (plan, obs, index))
    assert worker.obs_index is not None and alone.obs_index is None
    drawn = 0
    for _ in range(2):  # the second time from what the index remembers
        for iid in indicators_with_targets(plan):
            a = trajectory_inputs(alone, iid, project(alone, iid))
            b = trajectory_inputs(worker, iid, project(worker, iid))
            assert (a is None) == (b is None), iid
            if a is not None:
                drawn += 1
                assert pickle.dumps(a, protocol=pickle.HIGHEST_PROTOCOL) == pickle.dumps(
                    b, protocol=pickle.HIGHEST_PROTOCOL
                ), iid
    assert drawn >= 2 * 3


@pytest.mark.parametrize("month", [1, 3, 6, 9, 12])
def test_path_value_through_is_value_through(month):
    from gxq_analysis.assess.outlook import path_value_through, value_through
    from gxq_analysis.model.series import ObsIndex

    paths = [
        pd.DataFrame({"end_month": [3, 6, 6, 12], "value": [1.0, 2.0, 2.5, 4.0], "period": ["a"] * 4}),
        pd.DataFrame({"end_month": [1, 2, 3], "value": [np.nan, 2.0, 3.0], "period": ["a"] * 3}),
        pd.DataFrame(columns=["end_month", "value", "period"]),
    ]
    index = ObsIndex(pd.DataFrame(columns=["indicator_id", "geo"]))
    for path in paths:
        path = path.assign(illustrative=False)
        want = value_through(path, month)
        for obs in (path, index):  # converted each time / kept on the index
            got = path_value_through(obs, path, month)
            assert (got is None and want is None) or got == want or (math.isnan(got) and math.isnan(want))


@pytest.mark.parametrize("cut", ["2018Q1", "2018-09", "2019Q2", "2019-06", "2020Q1"])
def test_in_year_anchor_from_an_index_is_the_frames(tidy_obs, cut):
    from gxq_analysis.assess.outlook import in_year_anchor
    from gxq_analysis.config import DEFAULT_PLAN_DIR
    from gxq_analysis.model.observations import filter_as_of
    from gxq_analysis.model.periods import parse_period
    from gxq_analysis.model.plan import load_plan
    from gxq_analysis.model.series import ObsIndex, annual_values, ytd_path

    plan = load_plan(DEFAULT_PLAN_DIR)
    obs = tidy_obs(TRAJECTORY_TIDY + "tax_relief,2018-03,4.0,true,\ntax_relief,2018-09,12.5,true,\n")
    per = parse_period(cut)
    frame = filter_as_of(obs, per)
    index = ObsIndex(obs).cut(per)
    anchored = 0
    for iid in ["hitech_enterprises", "invention_patent_applications", "rd_gdp_share", "tax_relief"]:
        annual = annual_values(frame, plan, iid, include_partial=True)
        want = in_year_anchor(plan, frame, iid, per.year, per, annual)
        got = in_year_anchor(
            plan, index, iid, per.year, per, annual_values(index, plan, iid, include_partial=True)
        )
        assert got.keys() == want.keys(), iid
        for k in want:  # the same values and the same scalar types (numpy's where the frame's row has them)
            assert type(got[k]) is type(want[k]) and (got[k] == want[k] or got[k] != got[k]), (iid, k)
        if want:  # the provenance as the path's row (path.iloc) holds it, as the anchor used to read it
            anchored += 1
            path = ytd_path(frame, plan, iid, per.year)
            months = path["end_month"].tolist()
            last = path.iloc[[j for j, m in enumerate(months) if m <= per.end_month and m < 12][-1]]
            assert got["period"] == str(last["period"]) and got["ytd_value"] == float(last["value"])
            for c in ("source_file", "source_sheet", "source_row"):
                assert type(got[c]) is type(last.get(c)) and got[c] == last.get(c), (iid, c)
    assert anchored or cut in ("2018Q1", "2020Q1")  # no in-year value before those cuts


def test_plan_targets_are_targets_for_including_two_targets_for_one_year():
    from gxq_analysis.assess.index.compute import _final_target, _PlanTargets
    from gxq_analysis.config import DEFAULT_PLAN_DIR
    from gxq_analysis.model.plan import load_plan

    plan = load_plan(DEFAULT_PLAN_DIR)
    first = plan.targets.iloc[0]
    extra = first.copy()
    extra["target"] = float(first["target"]) + 1000  # a second target for the same year
    late = first.copy()
    late["year"], late["target"] = int(first["year"]) - 5, 1.0  # listed last, sorts first
    plan.targets = pd.concat(
        [
            plan.targets,
            extra.to_frame().T.astype(plan.targets.dtypes),
            late.to_frame().T.astype(plan.targets.dtypes),
        ],
        ignore_index=True,
    )
    targets = _PlanTargets(plan)
    assert first["indicator_id"] in targets._ties
    for iid in [*plan.indicators.index, "not_an_indicator"]:
        t = plan.targets_for(iid)
        assert targets.pairs(iid) == list(zip(t["year"].tolist(), t["target"].tolist())), iid
        # the end year's target (the first such row), else the last year's, as from the sorted frame
        if t.empty:
            assert _final_target(targets, iid) == (None, None)
            continue
        at_end = t[t["year"] == plan.end_year]
        row = at_end.iloc[0] if not at_end.empty else t.iloc[-1]
        assert (
            _final_target(targets, iid)
            == _final_target(plan, iid)
            == (int(row["year"]), float(row["target"]))
        )

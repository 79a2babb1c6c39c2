"""The status table: one row per (indicator, target year) as of a period (DESIGN §3, `gxq status`).

Rows: every target year ≥ the as-of year, or the last target year when all have passed. The status,
``p_meet``, the median projection and its 80 % interval all come from one calibrated predictive
distribution (:mod:`outlook`, :mod:`forecast`), so they never disagree; the Open SDG growth-ratio
rule (:mod:`progress`) is kept as the neutral ``ratio`` column. Only data up to ``as_of`` are used.

A target year counts as *closed* once the as-of period reaches its end (as of 2019Q4 the 2019 targets
are closed). A closed target is reported as achieved or missed from the target year's own value,
with the gap; when that value is missing the status is ``insufficient_data`` with a note.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..i18n import check_lang, likelihood_label, status_label
from ..model.observations import filter_as_of
from ..model.periods import Period, parse_period
from ..model.plan import Plan
from ..model.series import ObsIndex, annual_values, any_flag, data_cutoff, obs_frame
from .outlook import outlook
from .plan_lookup import PlanLookup, plan_lookup
from .progress import Thresholds, assess_progress, period_time, sign

STATUS_COLUMNS = [
    "indicator_id",
    "no",
    "name",
    "unit",
    "direction",
    "kind",
    "accumulation",
    "in_table",
    "target_year",
    "target",
    "latest_period",
    "latest_value",
    "status",
    "status_label",
    "p_meet",
    "likelihood",
    "projected_value",
    "projected_lo80",
    "projected_hi80",
    "ratio",
    "rule_status",
    "observed_growth",
    "required_growth",
    "growth_unit",
    "n_points",
    "method",
    "note",
    "gap",
    "milestone_year",
    "milestone_target",
    "illustrative",
    "source_rows",
    "as_of",
]


def _as_of_period(obs: pd.DataFrame, plan: Plan, as_of: Period | str | None) -> Period:
    if as_of is not None:
        return parse_period(as_of)
    cut = data_cutoff(obs, plan.zone_geo) if not obs.empty else None
    if cut is None:
        raise ValueError("no observation for the zone: pass as_of explicitly")
    return cut


def target_years_for(plan: Plan | PlanLookup, indicator_id: str, as_of_year: int) -> list[int]:
    """Target years ≥ the as-of year, or the last target year when all have passed (DESIGN §3)."""
    if isinstance(plan, PlanLookup):
        years = plan.target_years(indicator_id)
    else:
        years = [int(y) for y in plan.targets_for(indicator_id)["year"]]
    if not years:
        return []
    upcoming = [y for y in years if y >= as_of_year]
    return upcoming or [max(years)]


def _trace(files: Sequence[Any], sheets: Sequence[Any], source_rows: Sequence[Any]) -> str:
    """Where the values used came from, oldest first: ``file:row``, or ``file[sheet]:row`` for a
    workbook sheet (a row's provenance columns). The last entry is the latest value's source."""
    parts = []
    for f, sheet, r in zip(files, sheets, source_rows):
        if f is None or (isinstance(f, float) and math.isnan(f)) or f == "":
            continue
        where = f"{f}[{sheet}]" if isinstance(sheet, str) and sheet else str(f)
        parts.append(f"{where}:{r}" if r is not None and not pd.isna(r) else where)
    return "; ".join(dict.fromkeys(parts))


def _num(x) -> float:
    return float("nan") if x is None else float(x)


def assess_plan(
    plan: Plan,
    obs: pd.DataFrame | ObsIndex,
    as_of: Period | str | None = None,
    thresholds: Thresholds | dict | None = None,
    lang: str = "zh",
    geo: str | None = None,
) -> pd.DataFrame:
    """The status table (columns ``STATUS_COLUMNS``) for every indicator with a target.

    ``obs`` is the frame from :func:`observations.load_observations` (or a
    :class:`series.ObsIndex` of it); ``as_of`` defaults to the zone's data cut-off. ``thresholds``: a :class:`progress.Thresholds` or a dict of its fields.
    Results are cached on the content of the plan and the table (a changed table is a new key);
    each call returns its own copy.
    """
    check_lang(lang)
    th = Thresholds.coerce(thresholds)
    frame = obs_frame(obs)
    cut = _as_of_period(frame, plan, as_of)
    if isinstance(obs, ObsIndex):
        # The index's table and the plan do not change while the index lives: hash them once.
        fps = plan_lookup(plan, obs).fingerprints
        if not fps:
            fps["targets"] = _fingerprint(plan.targets)
            fps["indicators"] = _fingerprint(plan.indicators.drop(columns=["_row"], errors="ignore"))
        obs_fp = obs.memo.get("fingerprint")
        if obs_fp is None:
            obs_fp = obs.memo["fingerprint"] = _fingerprint(frame)
        fingerprints = (fps["targets"], fps["indicators"], obs_fp)
    else:
        fingerprints = (
            _fingerprint(plan.targets),
            _fingerprint(plan.indicators.drop(columns=["_row"], errors="ignore")),
            _fingerprint(frame),
        )
    key = (
        *fingerprints,
        str(cut),
        th,
        lang,
        geo,
        repr(plan.meta.get("status_bands")),
    )
    hit = _CACHE.get(key)
    if hit is not None:
        return hit.copy()
    df = _assess_plan(plan, obs, cut, th, lang, geo)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = df.copy()
    return df


_CACHE: dict = {}
_CACHE_SIZE = 64


def _fingerprint(df: pd.DataFrame) -> tuple:
    """A cheap content hash of a frame (the cache must notice a changed table, not just a new one)."""
    if df.empty:
        return (0, tuple(df.columns))
    cols = [c for c in df.columns if c != "period_obj"]
    h = pd.util.hash_pandas_object(df[cols].astype(str), index=False)
    return (len(df), tuple(cols), int(h.sum()), int((h * np.arange(1, len(h) + 1, dtype="uint64")).sum()))


def _assess_plan(
    plan: Plan, obs: pd.DataFrame | ObsIndex, cut: Period, th: Thresholds, lang: str, geo: str | None
) -> pd.DataFrame:
    if isinstance(obs, ObsIndex):
        idx = obs.cut(cut)
    else:
        idx = ObsIndex(filter_as_of(obs, cut) if not obs.empty else obs, cut)
    facts = plan_lookup(plan, idx)
    records = []
    for iid, ind in plan.indicators.iterrows():
        years = target_years_for(facts, iid, cut.year)
        if not years:
            continue
        history = _history_columns(plan, idx, iid, geo)
        for T in years:
            records.append(_assess_row(plan, iid, ind, int(T), history, idx, cut, th, lang, geo))
    df = pd.DataFrame.from_records(records, columns=STATUS_COLUMNS)
    for col in (
        "target",
        "latest_value",
        "p_meet",
        "projected_value",
        "projected_lo80",
        "projected_hi80",
        "ratio",
        "observed_growth",
        "required_growth",
        "gap",
        "milestone_target",
    ):
        df[col] = df[col].astype("float64")
    return df


class _History:
    """One indicator's history (:func:`trajectory.indicator_history`: the annual values and a stock's
    latest in-year level, with their time) as plain columns: each target year's row reads its
    points by position instead of slicing a frame (a status table has about fifty rows)."""

    __slots__ = ("complete", "illustrative", "period", "sheet", "source_file", "source_row", "time", "value")

    def __init__(self, annual: pd.DataFrame) -> None:
        years, self.complete, self.period = (annual[c].tolist() for c in ("year", "complete", "period"))
        # the time indicator_history gives each point: a complete year at its end, else its period's end
        self.time = np.array(
            [float(y) if c else period_time(p) for y, c, p in zip(years, self.complete, self.period)],
            dtype=float,
        )
        self.value = annual["value"].to_numpy(float)
        self.illustrative = annual["illustrative"].tolist()
        self.source_file, self.source_row = annual["source_file"].tolist(), annual["source_row"].tolist()
        self.sheet = annual["source_sheet"].tolist() if "source_sheet" in annual else [None] * len(years)

    def up_to(self, year: int) -> list[int]:
        """Positions of the points not beyond ``year``'s end (``history["time"] <= year``)."""
        return np.flatnonzero(self.time <= year + 1e-9).tolist()

    def trace(self, rows: list[int]) -> str:
        return _trace(
            [self.source_file[i] for i in rows],
            [self.sheet[i] for i in rows],
            [self.source_row[i] for i in rows],
        )

    def any_illustrative(self, rows: list[int]) -> bool:
        """``history["illustrative"].fillna(False).astype(bool).any()`` over ``rows``."""
        return any_flag(self.illustrative[i] for i in rows)


def _history_columns(plan: Plan, idx: ObsIndex, iid: str, geo: str | None) -> _History:
    """The :class:`_History` of ``iid``, kept on the index for every cut holding the same rows."""
    zone = plan.zone_geo if geo is None else geo
    key = ("history_columns", iid, zone, idx.rows_key(iid, zone))
    return idx.share(
        plan, key, lambda: _History(annual_values(idx, plan, iid, geo=geo, include_partial=True))
    )


def _assess_row(
    plan: Plan,
    iid: str,
    ind: pd.Series,
    T: int,
    history: _History,
    obs_cut: ObsIndex,
    cut: Period,
    th: Thresholds,
    lang: str,
    geo: str | None = None,
) -> dict:
    direction, kind = str(ind["direction"]), str(ind["kind"])
    facts = plan_lookup(plan, obs_cut)
    bounds = facts.bounds(iid)
    target = facts.target(iid, T)
    d = sign(direction)
    closed = (cut.year, cut.end_month) >= (T, 12)
    rec: dict[str, Any] = {
        "indicator_id": iid,
        "no": str(ind.get("no", "")),
        "unit": str(ind["unit"]),
        "name": facts.name(iid, lang),
        "direction": direction,
        "kind": kind,
        "accumulation": str(ind["accumulation"]),
        "in_table": bool(ind.get("in_table", True)),
        "target_year": T,
        "target": target,
        "latest_period": "",
        "latest_value": math.nan,
        "p_meet": math.nan,
        "projected_value": math.nan,
        "projected_lo80": math.nan,
        "projected_hi80": math.nan,
        "ratio": math.nan,
        "rule_status": "",
        "observed_growth": math.nan,
        "required_growth": math.nan,
        "growth_unit": "",
        "n_points": 0,
        "gap": math.nan,
        "milestone_year": cut.year,
        "milestone_target": _num(facts.target(iid, cut.year)),
        "illustrative": False,
        "source_rows": "",
        "as_of": str(cut),
    }
    notes: list[str] = []
    # Points usable for this target: never beyond the target year's end.
    hist = history.up_to(T)
    at_target = np.isclose(history.time[hist], T)
    if closed and hist and not any(bool(history.complete[i]) for i, c in zip(hist, at_target) if c):
        notes.append(f"no value for the target year {T}")
        status = "insufficient_data"
        used = hist[-1:]
        rec.update(latest_period=str(history.period[used[0]]), latest_value=float(history.value[used[0]]))
        rec["gap"] = d * (rec["latest_value"] - target) if target is not None else math.nan
        rec["method"] = "target year closed"
        rec.update(
            status=status,
            status_label=status_label(status, lang),
            note="; ".join(notes),
            n_points=len(hist),
            illustrative=history.any_illustrative(used),
            source_rows=history.trace(used),
            likelihood=likelihood_label(None, lang),
        )
        return rec
    if not hist:
        status = "insufficient_data"
        notes.append("no observation up to the as-of period")
        rec.update(
            status=status,
            status_label=status_label(status, lang),
            note="; ".join(notes),
            method="insufficient_data",
            likelihood=likelihood_label(None, lang),
        )
        return rec

    times, values = history.time[hist], history.value[hist]
    rec.update(
        latest_period=str(history.period[hist[-1]]),
        latest_value=float(values[-1]),
        n_points=len(hist),
        illustrative=history.any_illustrative(hist),
        source_rows=history.trace(hist),
    )
    if target is None:  # cannot happen for rows built from targets_for, kept for direct callers
        status = "insufficient_data"
        notes.append(f"no target for {T}")
        rec.update(
            status=status,
            status_label=status_label(status, lang),
            note="; ".join(notes),
            method="",
            likelihood=likelihood_label(None, lang),
        )
        return rec

    # Base of the deterministic rule: the plan's base year (the year before it starts, or
    # plan.json "base_year"), i.e. the latest point at or before it; else (or when that is the
    # latest point itself) the first point.
    base_year = facts.base_year
    before = np.flatnonzero(times <= base_year + 1e-9)
    b0 = int(before[-1]) if before.size else 0
    if len(times) - b0 < 2:  # the base would be the latest point: no growth span, use the first point
        b0 = 0
    if b0 > 0:
        notes.append(f"base {history.period[hist[b0]]}")
    prog = assess_progress(
        times[b0:],
        values[b0:],
        target,
        float(T),
        direction,
        kind,
        bounds,
        th,
        level_counts_as_achieved=str(ind["accumulation"]) == "stock",
    )
    fc = outlook(plan, obs_cut, iid, T, cut, geo=geo)
    rec["gap"] = d * (rec["latest_value"] - target)
    rec.update(
        ratio=_num(prog.ratio),
        rule_status=prog.status,
        observed_growth=_num(prog.observed_growth),
        required_growth=_num(prog.required_growth),
        growth_unit=prog.growth_unit,
    )
    if prog.note:
        notes.append(prog.note)
    rec["p_meet"] = fc.p_meet
    rec["projected_value"] = fc.projected_value
    rec["projected_lo80"], rec["projected_hi80"] = fc.lo80, fc.hi80
    rec["n_points"] = fc.n_points
    if fc.status == "insufficient_data":
        notes.append(f"p_meet: {fc.reason}")
    elif fc.reason and fc.status == "ok":
        notes.append(fc.reason)
    growth = "regression" if th.growth == "regression" else "endpoint"
    growth_txt = {"linear": f"{growth} linear change", "cagr": f"{growth} CAGR"}.get(prog.growth_unit, "")
    rec["method"] = "; ".join(x for x in (fc.method, growth_txt) if x)
    # The verdict is the forecast's (one distribution: status, p_meet and median always agree); the
    # growth-ratio rule stays a neutral secondary column (``ratio``).
    status = fc.verdict
    rec.update(
        status=status,
        status_label=status_label(status, lang),
        note="; ".join(notes),
        likelihood=likelihood_label(None if math.isnan(rec["p_meet"]) else rec["p_meet"], lang),
    )
    return rec

"""From the tidy table to the series the analysis needs: annual values, latest values, in-year paths.

Rules (why they matter: monthly, quarterly and annual submissions of one indicator coexist):

- A **stock** (a level: enterprises, patents held, a share) has one value per period end. The annual
  value of a year is the level at the year's end: an annual figure if there is one, else Q4, else
  December. Before the year ends, the latest level is a *partial* value.
- A **flow** (accumulates through the year: patent applications in the year, tax relief) has an
  annual value only once the year is complete: an annual figure, else the year-to-date figure through
  December, else the sum of four quarterly or twelve monthly flows. Never extrapolated here.
- Rows with a ``qualifier`` (``>``, ``<=`` …) are bounds, not point values, and are left out.

Every returned value carries the provenance of the row it came from (file, sheet, row), so any number
a report shows traces to its source.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .periods import FREQ_ANNUAL, FREQ_MONTH, FREQ_QUARTER, Period, parse_period
from .plan import Plan

PROVENANCE = ["source_file", "source_sheet", "source_row", "illustrative"]
ANNUAL_COLUMNS = ["year", "value", "period", "complete", "method", *PROVENANCE]
_FREQ_PREFERENCE = {FREQ_ANNUAL: 0, FREQ_QUARTER: 1, FREQ_MONTH: 2}


class _Point:
    """One point row of an indicator: the fields the rules below read, plus the row itself as pandas
    gives it (``row``: ``frame.iloc[i]``; ``as_iterrow``: what ``iterrows`` gives), fetched only for
    the rows a rule picks, so provenance values keep exactly their types."""

    __slots__ = (
        "_fields",
        "_group",
        "_pos",
        "_row",
        "end_month",
        "freq",
        "period_obj",
        "value",
        "year",
        "ytd",
    )

    def __init__(self, group: _Group, pos: int, year, freq, end_month, ytd, value, period_obj) -> None:
        self._group, self._pos, self._row = group, pos, None
        self._fields: dict | None = None
        self.year, self.freq, self.end_month = int(year), freq, int(end_month)
        self.ytd, self.value, self.period_obj = bool(ytd), value, period_obj

    @property
    def row(self) -> pd.Series:
        if self._row is None:
            self._row = self._group.frame.iloc[self._pos]
        return self._row

    def fields(self) -> dict:
        """``row["value"]``, ``row["period"]`` and the provenance (``row.get(c)``), read from the row
        once: the point is shared by every cut of the table, whose series each record it again."""
        fields = self._fields
        if fields is None:
            row = self.row
            fields = self._fields = {
                "value": row["value"],
                "period": row["period"],
                **{c: row[c] if c in row.index else None for c in PROVENANCE},
            }
        return fields

    def as_iterrow(self) -> dict:
        return dict(zip(self._group.frame.columns, self._group.objects()[self._pos]))


class _Group:
    """The frame of one indicator's (and geo's) rows, with its values as ``iterrows`` sees them
    (``to_numpy(dtype=object)``), converted once when first needed."""

    __slots__ = ("_objects", "frame")

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame, self._objects = frame, None

    def objects(self):
        if self._objects is None:
            self._objects = self.frame.to_numpy(dtype=object)
        return self._objects


def _points_of(rows: pd.DataFrame) -> list[_Point]:
    if rows.empty:
        return []
    group = _Group(rows)
    # A hand-made frame may lack ``ytd`` (only flows read it): no year-to-date rows then.
    cols = [
        rows[c].tolist() if c in rows or c != "ytd" else [False] * len(rows)
        for c in ("year", "freq", "end_month", "ytd", "period_obj")
    ]
    values = rows["value"].to_numpy()
    return [_Point(group, i, y, f, m, t, values[i], p) for i, (y, f, m, t, p) in enumerate(zip(*cols))]


class ObsIndex:
    """The tidy table split once by indicator and by (indicator, geo), for code that looks up one
    indicator's rows many times (a period's assessment: hundreds of lookups on one table).

    Every function of this module (and the assessment's) that takes ``obs`` also takes an
    ``ObsIndex``: a lookup is then a dict hit instead of a mask over the whole table, and derived
    series (annual values, in-year paths, outlooks) are remembered in :attr:`memo`. The index does
    not notice later changes to the frame it was built from: build it where the table is final, and
    let it live no longer than one computation (e.g. :func:`assess.period.compute_assessment`).
    The rows it returns are exactly those :func:`indicator_rows` selects from the frame (same order,
    same index labels). :meth:`cut` gives the index of the table cut at a period, sharing the split.
    """

    def __init__(
        self, obs: pd.DataFrame, as_of: Period | None = None, parent: ObsIndex | None = None
    ) -> None:
        self.frame = obs
        self.as_of = as_of  # the cut the frame was filtered at (None: not known to be cut)
        self.memo: dict[Any, Any] = {}
        self._parent = parent if as_of is not None else None
        self._cuts: dict[str, ObsIndex] = {}
        self._points: dict[tuple[str, str], list[_Point]] = {}
        self._keys: dict[tuple[str, str], tuple[int, ...]] = {}
        self._split: tuple[dict, dict, pd.DataFrame] | None = None
        self._frames: dict[tuple[str, str | None], pd.DataFrame] = {}
        self._plans: dict[int, Any] = {}

    def _split_rows(self) -> tuple[dict, dict, pd.DataFrame]:
        """Row positions of the point rows by indicator and by (indicator, geo); frames are taken
        only for the groups asked for (a table of many geos is mostly never looked at)."""
        if self._split is None:
            obs = self.frame
            points = obs
            if "qualifier" in obs and not obs.empty:
                points = obs[obs["qualifier"].fillna("").astype(str).str.strip() == ""]
            by_indicator: dict = {}
            by_pair: dict = {}
            if not points.empty:
                for i, (iid, geo) in enumerate(zip(points["indicator_id"].tolist(), points["geo"].tolist())):
                    by_indicator.setdefault(iid, []).append(i)
                    by_pair.setdefault((iid, geo), []).append(i)
            self._split = (by_indicator, by_pair, points)
        return self._split

    def rows(self, indicator_id: str, geo: str | None = None) -> pd.DataFrame:
        """The point rows of one indicator (and one geo unless ``geo`` is None), in table order."""
        key = (indicator_id, geo)
        hit = self._frames.get(key)
        if hit is None:
            by_indicator, by_pair, points = self._split_rows()
            positions = by_indicator.get(indicator_id) if geo is None else by_pair.get((indicator_id, geo))
            hit = self._frames[key] = points.take(positions) if positions else points.iloc[0:0]
        return hit

    def points(self, indicator_id: str, geo: str) -> list[_Point]:
        """:meth:`rows` of one (indicator, geo) as :class:`_Point` objects (a cut filters its parent's)."""
        key = (indicator_id, geo)
        hit = self._points.get(key)
        if hit is None:
            if self._parent is not None and self.as_of is not None:
                cut = self.as_of
                hit = [p for p in self._parent.points(indicator_id, geo) if p.period_obj.ends_by(cut)]
            else:
                hit = _points_of(self.rows(indicator_id, geo))
            self._points[key] = hit
        return hit

    def rows_key(
        self, indicator_id: str, geo: str, as_of: Period | str | None = None, year: int | None = None
    ) -> tuple[int, ...]:
        """Which point rows of (indicator, geo) this index holds (their positions in the root's rows
        of the pair; with ``as_of``, only those ending by it; with ``year``, only that year's). A series
        computed from exactly these rows is the same in every cut of the root, so :meth:`share` keeps
        it once for all of them (the periods of `gxq report --all` and the months of an annual pace
        history mostly see the same rows of an indicator)."""
        if as_of is None and year is None:
            hit = self._keys.get((indicator_id, geo))
            if hit is None:
                hit = self._keys[(indicator_id, geo)] = tuple(p._pos for p in self.points(indicator_id, geo))
            return hit
        points = _points_for(self, indicator_id, geo, as_of)
        return tuple(p._pos for p in points if year is None or p.year == year)

    def share(self, plan: Any, key: tuple, compute: Callable[[], Any]) -> Any:
        """:meth:`remember` on the root index: for results keyed by :meth:`rows_key`, which any cut of
        the root computes alike (treat the result as read-only)."""
        return self.root.remember(plan, key, compute)

    def plan_id(self, plan: Any) -> int:
        """``id(plan)`` for memo keys; the plan is kept alive with the index so its id is not reused."""
        self._plans[id(plan)] = plan
        return id(plan)

    def remember(self, plan: Any, key: tuple, compute: Callable[[], Any]) -> Any:
        """``compute()``, remembered on this index under ``(plan, *key)``: the same object is returned
        the next time (treat it as read-only)."""
        full = (self.plan_id(plan), *key)
        hit = self.memo.get(full)
        if hit is None:
            hit = self.memo[full] = compute()
        return hit

    @property
    def root(self) -> ObsIndex:
        """The index this one was cut from (itself when it was not cut from another)."""
        return self if self._parent is None else self._parent.root

    def holds_whole_year(self, year: int) -> bool:
        """Whether every row of ``year`` in the root's table is in this index (the cut is at or after
        the year's end, so each period of the year has ended by it)."""
        return (
            self.as_of is None
            or self._parent is None
            or (year, 12) <= (self.as_of.year, self.as_of.end_month)
        )

    def cut(self, as_of: Period | str) -> ObsIndex:
        """The index of the table cut at ``as_of`` (:func:`observations.filter_as_of`), built once."""
        from .observations import filter_as_of

        per = parse_period(as_of)
        if self.as_of is not None and per == self.as_of:
            return self
        key = str(per)
        hit = self._cuts.get(key)
        if hit is None:
            frame = filter_as_of(self.frame, per) if not self.frame.empty else self.frame
            hit = ObsIndex(frame, per, parent=self)
            self._cuts[key] = hit
        return hit


def obs_frame(obs: pd.DataFrame | ObsIndex) -> pd.DataFrame:
    """The table behind ``obs`` (a frame or an :class:`ObsIndex`)."""
    return obs.frame if isinstance(obs, ObsIndex) else obs


def frame_columns(
    obs: pd.DataFrame | ObsIndex, frame: pd.DataFrame, names: tuple[str, ...]
) -> tuple[list, ...]:
    """``frame[name].tolist()`` for each name (what iterating the column gives). For a frame an
    :class:`ObsIndex` remembers (annual values, in-year paths), converted once and kept on its root:
    the assessment reads the same few columns of one series for many rows and target years."""
    if not isinstance(obs, ObsIndex):
        return tuple(frame[c].tolist() for c in names)
    memo = obs.root.memo
    key = ("columns", id(frame), names)
    hit = memo.get(key)
    if hit is None or hit[0] is not frame:  # the frame itself is kept: its id cannot be reused
        hit = memo[key] = (frame, tuple(frame[c].tolist() for c in names))
    return hit[1]


def any_flag(values: Any) -> bool:
    """``pd.Series(values).fillna(False).astype(bool).any()`` (e.g. of the ``illustrative`` column)
    without building a Series: a missing value (None, NaN, NA) counts as False."""
    return any(bool(v) for v in values if not _missing(v))


def _missing(v: Any) -> bool:
    """What ``fillna`` fills in a column (None, NaN of any float type, NA, NaT); flags and text never."""
    return v is None or (not isinstance(v, (bool, np.bool_, str)) and pd.isna(v) is True)


def indicator_rows(
    obs: pd.DataFrame | ObsIndex,
    indicator_id: str,
    geo: str | None = None,
    as_of: Period | str | None = None,
) -> pd.DataFrame:
    """Point observations of one indicator for one geo (default: every geo), up to ``as_of``."""
    if isinstance(obs, ObsIndex):
        sel = obs.rows(indicator_id, geo)
    else:
        sel = obs[obs["indicator_id"] == indicator_id]
        if geo is not None:
            sel = sel[sel["geo"] == geo]
        if "qualifier" in sel:
            sel = sel[sel["qualifier"].fillna("").astype(str).str.strip() == ""]
    if as_of is not None:
        cut = parse_period(as_of)
        # A boolean Series, not a list: an empty list would select zero *columns*.
        sel = sel[pd.Series([p.ends_by(cut) for p in sel["period_obj"]], index=sel.index, dtype=bool)]
    return sel


def _pick(rows: pd.DataFrame) -> pd.Series:
    """The preferred row among rows for the same period end: annual, then quarterly, then monthly."""
    order = sorted(range(len(rows)), key=lambda i: _FREQ_PREFERENCE[rows["freq"].iat[i]])
    return rows.iloc[order[0]]


def _pick_point(points: list[_Point]) -> _Point:
    """:func:`_pick` on points: the first of the most preferred frequency."""
    return min(points, key=lambda p: _FREQ_PREFERENCE[p.freq])


def _points_for(
    obs: pd.DataFrame | ObsIndex, indicator_id: str, geo: str, as_of: Period | str | None
) -> list[_Point]:
    pts = (
        obs.points(indicator_id, geo)
        if isinstance(obs, ObsIndex)
        else _points_of(indicator_rows(obs, indicator_id, geo))
    )
    if as_of is not None:
        cut = parse_period(as_of)
        pts = [p for p in pts if p.period_obj.ends_by(cut)]
    return pts


def _unique_last(points: list[_Point]) -> list[_Point]:
    """``drop_duplicates("end_month", keep="last")``: the last point of each end month, in order."""
    last = {p.end_month: i for i, p in enumerate(points)}
    return [p for i, p in enumerate(points) if last[p.end_month] == i]


def _point_record(year: int, point: _Point, complete: bool, method: str) -> dict:
    """:func:`_record` of a point's own value and row (its fields read once per point)."""
    f = point.fields()
    rec = {
        "year": year,
        "value": float(f["value"]),
        "period": f["period"],
        "complete": complete,
        "method": method,
    }
    for col in PROVENANCE:
        rec[col] = f[col]
    return rec


def _record(
    year: int, value: float, row: pd.Series | None, complete: bool, method: str, period: str | None = None
) -> dict:
    rec = {
        "year": year,
        "value": float(value),
        "period": period or (row["period"] if row is not None else ""),
        "complete": complete,
        "method": method,
    }
    for col in PROVENANCE:
        rec[col] = row[col] if row is not None and col in row.index else None
    return rec


def _accumulation(obs: pd.DataFrame | ObsIndex, plan: Plan, indicator_id: str) -> str:
    """The indicator's ``accumulation`` (stock | flow), read from the plan once per index."""
    if not isinstance(obs, ObsIndex):
        return plan.indicator(indicator_id)["accumulation"]
    memo = obs.root.memo
    key = ("accumulation", id(plan), indicator_id)
    hit = memo.get(key)
    if hit is None or hit[0] is not plan:
        hit = memo[key] = (plan, plan.indicator(indicator_id)["accumulation"])
    return hit[1]


def annual_values(
    obs: pd.DataFrame | ObsIndex,
    plan: Plan,
    indicator_id: str,
    geo: str | None = None,
    as_of: Period | str | None = None,
    include_partial: bool = False,
) -> pd.DataFrame:
    """One row per year with an annual value for the indicator (columns ``ANNUAL_COLUMNS``).

    ``geo`` defaults to the plan's zone. With ``include_partial``, a year that has not ended adds a
    row with ``complete=False``: the latest level for a stock; nothing for a flow (use
    :func:`ytd_path` and :mod:`pace` for in-year flows). With an :class:`ObsIndex` the result is
    remembered (for every cut holding the same rows) and the same frame returned again (treat it
    as read-only).
    """
    geo = plan.zone_geo if geo is None else geo
    if isinstance(obs, ObsIndex):
        key = ("annual", indicator_id, geo, include_partial, obs.rows_key(indicator_id, geo, as_of))
        return obs.share(
            plan, key, lambda: _annual_values(obs, plan, indicator_id, geo, as_of, include_partial)
        )
    return _annual_values(obs, plan, indicator_id, geo, as_of, include_partial)


def _annual_values(
    obs: pd.DataFrame | ObsIndex,
    plan: Plan,
    indicator_id: str,
    geo: str,
    as_of: Period | str | None,
    include_partial: bool,
) -> pd.DataFrame:
    points = _points_for(obs, indicator_id, geo, as_of)
    accumulation = _accumulation(obs, plan, indicator_id)
    by_year: dict[int, list[_Point]] = {}
    for p in points:
        by_year.setdefault(p.year, []).append(p)
    out: list[dict] = []
    for year in sorted(by_year):
        yrows = by_year[year]
        if accumulation == "stock":
            year_end = [p for p in yrows if p.end_month == 12]
            if year_end:
                out.append(_point_record(year, _pick_point(year_end), True, "year_end_level"))
            elif include_partial:
                last_month = max(p.end_month for p in yrows)
                latest = _pick_point([p for p in yrows if p.end_month == last_month])
                out.append(_point_record(year, latest, False, "latest_level"))
            continue
        rec = _annual_flow(year, yrows)
        if rec is not None:
            out.append(rec)
    return pd.DataFrame(out, columns=ANNUAL_COLUMNS)


def _annual_flow(year: int, yrows: list[_Point]) -> dict | None:
    annual = [p for p in yrows if p.freq == FREQ_ANNUAL]
    if annual:
        return _point_record(year, annual[-1], True, "annual")
    ytd_dec = [p for p in yrows if p.ytd and p.end_month == 12]
    if ytd_dec:
        return _point_record(year, _pick_point(ytd_dec), True, "ytd_december")
    for freq, count, label in ((FREQ_QUARTER, 4, "sum_of_quarters"), (FREQ_MONTH, 12, "sum_of_months")):
        flows = [p for p in yrows if p.freq == freq and not p.ytd]
        if len({p.end_month for p in flows}) == count:
            flows = _unique_last(flows)
            last = max(flows, key=lambda p: p.end_month).row
            # Summed as pandas sums a column (numpy's pairwise sum), so totals match to the last bit.
            total = np.array([p.value for p in flows], dtype="float64").sum()
            return _record(year, total, last, True, label, period=str(year))
    return None


def ytd_path(
    obs: pd.DataFrame | ObsIndex,
    plan: Plan,
    indicator_id: str,
    year: int,
    geo: str | None = None,
    as_of: Period | str | None = None,
) -> pd.DataFrame:
    """The in-year path of a flow as cumulative year-to-date values (columns ``end_month, value,
    period`` + provenance), from YTD submissions or by accumulating monthly/quarterly flows.
    For a stock, the in-year levels. Sorted by end month; one row per month-end reported.
    With an :class:`ObsIndex` the result is remembered (treat it as read-only)."""
    geo = plan.zone_geo if geo is None else geo
    if isinstance(obs, ObsIndex):
        # The path is made of the year's rows only: every cut holding them shares it (a year that
        # ended before the cut is whole in it, so later cuts and the uncut table share its path).
        key = ("ytd", indicator_id, int(year), geo, obs.rows_key(indicator_id, geo, as_of, int(year)))
        return obs.share(plan, key, lambda: _ytd_path(obs, plan, indicator_id, year, geo, as_of))
    return _ytd_path(obs, plan, indicator_id, year, geo, as_of)


def _ytd_path(
    obs: pd.DataFrame | ObsIndex,
    plan: Plan,
    indicator_id: str,
    year: int,
    geo: str,
    as_of: Period | str | None,
) -> pd.DataFrame:
    rows = [p for p in _points_for(obs, indicator_id, geo, as_of) if p.year == year and p.freq != FREQ_ANNUAL]
    cols = ["end_month", "value", "period", *PROVENANCE]
    if not rows:
        return pd.DataFrame(columns=cols)
    accumulation = _accumulation(obs, plan, indicator_id)
    records: dict[int, dict] = {}
    if accumulation == "flow":
        ytd = [p for p in rows if p.ytd]
        for m in sorted({p.end_month for p in ytd}):
            picked = _pick_point([p for p in ytd if p.end_month == m]).fields()
            records[m] = {
                "end_month": m,
                "value": float(picked["value"]),
                "period": picked["period"],
                **{c: picked[c] for c in PROVENANCE},
            }
        flows = [p for p in rows if not p.ytd]
        for freq in (FREQ_MONTH, FREQ_QUARTER):
            f = sorted(_unique_last([p for p in flows if p.freq == freq]), key=lambda p: p.end_month)
            if not f:
                continue
            months = [p.end_month for p in f]
            step = 1 if freq == FREQ_MONTH else 3
            # Accumulate only an unbroken run from the start of the year.
            expected = list(range(step, step * len(months) + 1, step))
            if months != expected:
                continue
            total = 0.0
            for p in f:
                r = p.as_iterrow()
                total += float(r["value"])
                m = int(r["end_month"])
                records.setdefault(
                    m,
                    {
                        "end_month": m,
                        "value": total,
                        "period": r["period"],
                        **{c: r.get(c) for c in PROVENANCE},
                    },
                )
    else:
        for m in sorted({p.end_month for p in rows}):
            picked = _pick_point([p for p in rows if p.end_month == m]).fields()
            records[m] = {
                "end_month": m,
                "value": float(picked["value"]),
                "period": picked["period"],
                **{c: picked[c] for c in PROVENANCE},
            }
    return pd.DataFrame([records[m] for m in sorted(records)], columns=cols)


def latest_value(
    obs: pd.DataFrame | ObsIndex,
    plan: Plan,
    indicator_id: str,
    geo: str | None = None,
    as_of: Period | str | None = None,
) -> dict | None:
    """The most recent value that speaks for the indicator as of ``as_of``.

    For a stock, the latest level at any frequency; for a flow, the latest complete annual value.
    Returns a dict with ``period, value, year, complete`` and provenance, or None.
    """
    geo = plan.zone_geo if geo is None else geo
    if _accumulation(obs, plan, indicator_id) == "flow":
        annual = annual_values(obs, plan, indicator_id, geo, as_of)
        if annual.empty:
            return None
        return annual.iloc[-1].to_dict()
    if isinstance(obs, ObsIndex):
        row = _latest_level_row(obs, indicator_id, geo, as_of)
        if row is None:
            return None
    else:
        rows = indicator_rows(obs, indicator_id, geo, as_of)
        if rows.empty:
            return None
        last_key = max(p.sort_key[:2] for p in rows["period_obj"])
        same_end = rows[[p.sort_key[:2] == last_key for p in rows["period_obj"]]]
        row = _pick(same_end)
    return {
        "year": int(row["year"]),
        "value": float(row["value"]),
        "period": row["period"],
        "complete": int(row["end_month"]) == 12,
        "method": "latest_level",
        **{c: row.get(c) for c in PROVENANCE},
    }


def _latest_level_row(
    obs: ObsIndex, indicator_id: str, geo: str, as_of: Period | str | None
) -> pd.Series | None:
    """The row :func:`latest_value` picks for a stock, from the index's points (the same rows in the
    same order as :func:`indicator_rows`) instead of a frame taken and masked per call: of the rows
    for the latest period end, the first of the most preferred frequency."""
    points = _points_for(obs, indicator_id, geo, as_of)
    if not points:
        return None
    last_key = max(p.period_obj.sort_key[:2] for p in points)
    return _pick_point([p for p in points if p.period_obj.sort_key[:2] == last_key]).row


def data_cutoff(obs: pd.DataFrame | ObsIndex, geo: str | None = None) -> Period | None:
    """The latest period end with a point value in the table (for a report's "data cut-off")."""
    obs = obs_frame(obs)
    rows = obs if geo is None else obs[obs["geo"] == geo]
    if "qualifier" in rows:
        rows = rows[rows["qualifier"].fillna("").astype(str).str.strip() == ""]
    if rows.empty:
        return None
    return max(rows["period_obj"])

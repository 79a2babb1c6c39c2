"""What every value of a clean is checked against (the plan's units, kinds, bounds and horizon), and
the per-source context that turns findings into typed records (:class:`Source`)."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

from ..model.periods import FREQ_ANNUAL, Period, PeriodError, PeriodMatch, extract_period, parse_period
from ..model.plan import Catalogue, Plan, as_catalogue
from .layout import cell_text
from .matching import Matcher
from .quarantine import (
    Q_BAD_VALUE,
    Q_FRACTION,
    Q_FUTURE,
    Q_HORIZON,
    Q_NOT_INTEGER,
    Q_RANGE,
    Q_UNIT,
)
from .records import Candidate, Observation, Precedence, QuarantineEntry, bool_text
from .values import (
    ParsedValue,
    UnitError,
    canonical_unit_text,
    convert_unit,
    format_number,
    normalize_text,
    raw_text,
)

# Words that mark a submission as an explicit correction of an earlier one.
CORRECTION_RE = re.compile(r"更正|修订|修正|勘误")

# Plausibility ceilings by kind, in the catalogue's unit, for indicators whose catalogue gives no upper
# bound: far above any real figure for a zone, a province or the nation (China has ~5e7 enterprises,
# GDP ~1.3e6 亿元), so only absurd values (1e20 enterprises) are caught. A catalogue bound wins.
_ABSURD_ABOVE = {"count": 1e10, "amount": 1e8, "ratio": 1e7, "rank": 1e5, "share": 1e6}
_ABSURD_DEFAULT = 1e12

# Results remembered per distinct input (a hostile file of unique cells must not grow them without end).
_MEMO_LIMIT = 200_000

_Problem = tuple[str, str]  # (category, reason); ("", "") when there is none


def period_from_cell(v: object) -> PeriodMatch | None:
    if isinstance(v, (dt.datetime, dt.date)):
        return PeriodMatch(Period.month(v.year, v.month), False, v.isoformat())
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        v = cell_text(v)
    text = str(v)
    try:
        return PeriodMatch(parse_period(text), False, text)
    except PeriodError:
        pass
    # Free text only when the period found covers the whole cell: "2019Q5" must not become 2019.
    pm = extract_period(text)
    if pm is not None and re.sub(r"\s+", "", pm.text) == re.sub(r"\s+", "", normalize_text(text)):
        return pm
    return None


class Checker:
    """The plan's facts about each indicator, looked up once per clean, and the checks every value
    passes. Checks are pure functions of their arguments, so their results are cached: a big sheet
    repeats the same few values, periods and reporting dates."""

    def __init__(self, plan: Plan | Catalogue, today: dt.date | None = None):
        self.plan = cat = as_catalogue(plan)  # plain Python data: a clean needs no pandas
        self.today = today or dt.date.today()
        self.horizon = cat.end_year
        self.start_year = cat.start_year
        self.matcher = Matcher(cat)
        self.zone = cat.zone_geo
        ids = cat.ids()
        self.units = {iid: canonical_unit_text(cat.text(iid, "unit")) for iid in ids}
        self.kinds = {iid: cat.text(iid, "kind") for iid in ids}
        self.accum = {iid: cat.text(iid, "accumulation") for iid in ids}
        self.stock_ids = {iid for iid, acc in self.accum.items() if acc == "stock"}
        self.bounds = {iid: cat.bounds(iid) for iid in ids}
        self.min_target: dict[str, float] = cat.min_targets()
        self._validated: dict[tuple[str, float, str, str, bool, str], tuple[float | None, str, str, str]] = {}
        self._period_checked: dict[tuple[int, str, int, dt.date | None, bool], _Problem] = {}
        self._period_cells: dict[tuple[type, object], PeriodMatch | None] = {}
        self._period_infos: dict[tuple[type, object], tuple[PeriodMatch, str, bool] | None] = {}

    def period_of(self, v: object) -> PeriodMatch | None:
        """:func:`period_from_cell`, once per distinct cell value in the whole clean."""
        key = (type(v), v)
        try:
            return self._period_cells[key]
        except KeyError:
            if len(self._period_cells) >= _MEMO_LIMIT:
                self._period_cells.clear()
            found = self._period_cells[key] = period_from_cell(v)
            return found
        except TypeError:  # an unhashable cell value
            return period_from_cell(v)

    def period_info(self, v: object) -> tuple[PeriodMatch, str, bool] | None:
        """(match, period text, annual or not) of :meth:`period_of`, once per distinct cell value."""
        key = (type(v), v)
        try:
            return self._period_infos[key]
        except KeyError:
            if len(self._period_infos) >= _MEMO_LIMIT:
                self._period_infos.clear()
            pm = self.period_of(v)
            found = self._period_infos[key] = (
                None if pm is None else (pm, str(pm.period), pm.period.freq == FREQ_ANNUAL)
            )
            return found
        except TypeError:  # an unhashable cell value
            pm = self.period_of(v)
            return None if pm is None else (pm, str(pm.period), pm.period.freq == FREQ_ANNUAL)

    def check_value(
        self, iid: str, pv: ParsedValue, src_unit: str, percent_explicit: bool
    ) -> tuple[float | None, str, str, str]:
        """:meth:`validate`, cached per (indicator, number, units, raw text)."""
        assert pv.value is not None
        key = (iid, pv.value, pv.unit or src_unit, pv.unit, percent_explicit, pv.raw)
        found = self._validated.get(key)
        if found is None:
            if len(self._validated) >= _MEMO_LIMIT:
                self._validated.clear()
            found = self._validated[key] = self.validate(iid, pv, src_unit, percent_explicit)
        return found

    def check_period(self, period: Period, reported_at: dt.date | None, public: bool = False) -> _Problem:
        """:meth:`period_problem`, cached per (period, reporting date)."""
        # Keyed by the period's fields: a Period's own (dataclass) hash is Python code run per lookup.
        key = (period.year, period.freq, period.number, reported_at, public)
        found = self._period_checked.get(key)
        if found is None:
            found = self._period_checked[key] = self.period_problem(period, reported_at, public)
        return found

    def validate(
        self, iid: str, pv: ParsedValue, src_unit: str, percent_explicit: bool
    ) -> tuple[float | None, str, str, str]:
        """Return (value in catalogue unit, conversion, error category, error reason)."""
        target_unit = self.units[iid]
        kind = self.kinds[iid]
        v = pv.value
        assert v is not None
        unit = pv.unit or src_unit
        conversion = ""
        if unit:
            try:
                v, conversion = convert_unit(v, unit, target_unit)
            except UnitError:
                return (
                    None,
                    "",
                    Q_UNIT,
                    (
                        f"单位不兼容 incompatible unit: {unit} given, the catalogue unit of "
                        f"{iid} is {target_unit}"
                    ),
                )
        if (
            target_unit == "%"
            and 0 < v < 1
            and not percent_explicit
            and not pv.unit
            and self.min_target.get(iid, 100.0) >= 1
        ):
            return (
                None,
                "",
                Q_FRACTION,
                (
                    f"看似小数而非百分数 looks like a fraction, not percent: {format_number(v)} "
                    f"(the unit is %, so 5.5 means 5.5%; did you mean {format_number(v * 100)}?)"
                    " — not multiplied, please correct"
                ),
            )
        if not math.isfinite(v):
            return None, "", Q_BAD_VALUE, f"不是有限数值 not a finite number after conversion: {pv.raw}"
        lo, hi = self.bounds[iid]
        ceiling = hi if hi is not None else _ABSURD_ABOVE.get(kind, _ABSURD_DEFAULT)
        if abs(v) > ceiling and hi is None:
            return (
                None,
                "",
                Q_RANGE,
                (
                    f"数值不合理 implausible value {format_number(v)} {target_unit} for {iid} "
                    f"(above {format_number(ceiling)}, the plausibility limit for a {kind})"
                ),
            )
        if kind in ("count", "rank", "amount", "ratio") and v < 0:
            return None, "", Q_RANGE, f"负值 negative value {format_number(v)} for a {kind} indicator"
        if kind == "rank" and (v < 1 or not float(v).is_integer()):
            return (
                None,
                "",
                Q_NOT_INTEGER,
                f"排名须为正整数 a rank must be a positive whole number, got {format_number(v)}",
            )
        if kind == "count" and not float(v).is_integer():
            return (
                None,
                "",
                Q_NOT_INTEGER,
                f"计数非整数 a count must be a whole number, got {format_number(v)}",
            )
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            return (
                None,
                "",
                Q_RANGE,
                (
                    f"超出范围 outside the indicator's range [{format_number(lo) if lo is not None else ''}, "
                    f"{format_number(hi) if hi is not None else ''}]: {format_number(v)}"
                ),
            )
        return v, conversion, "", ""

    def period_problem(
        self, period: Period, reported_at: dt.date | None, public: bool = False
    ) -> tuple[str, str]:
        """(category, reason) when a value's period cannot have been observed yet, else ("", "").

        A period must have ended by the reporting date and by the day of this run. Submissions for a
        period after the plan's horizon belong to the next plan's folder (run with ``--plan``); published
        benchmark figures for later years are context and pass."""
        if reported_at is not None and reported_at > self.today:
            return Q_FUTURE, (
                f"填报日期晚于今天 the reporting date {reported_at.isoformat()} is after today "
                f"({self.today.isoformat()})"
            )
        if reported_at is not None and period.end > reported_at:
            return Q_FUTURE, (
                f"报告期晚于填报日期 period {period} ends after the reporting date "
                f"{reported_at.isoformat()} (a future period)"
            )
        if period.end > self.today:
            return Q_FUTURE, (
                f"报告期尚未结束 period {period} ends after today ({self.today.isoformat()}): "
                "a future period cannot have been observed"
            )
        if not public and period.year > self.horizon:
            return Q_HORIZON, (
                f"超出计划期限 period {period} is after the plan's horizon ({self.start_year}–"
                f"{self.horizon}); use the next plan's folder (gxq clean --plan …)"
            )
        return "", ""


class Source:
    """What every row of one source file shares, and the records found in it."""

    def __init__(self, checker: Checker, rel: str, illustrative: bool):
        self.checker = checker
        self.rel = rel
        self.illustrative = illustrative
        self.illustrative_text = bool_text(illustrative)
        # A correction named in the file name applies to every sheet of the file.
        self.correction = bool(CORRECTION_RE.search(Path(rel).stem))
        self.quarantine: list[QuarantineEntry] = []
        self.candidates: list[Candidate] = []
        self._precedences: dict[tuple[dt.date | None, bool, bool], Precedence] = {}

    def q(
        self,
        sheet: str,
        row: int | None,
        col: str,
        category: str,
        reason: str,
        raw_value: object = "",
        raw_name: str = "",
        indicator_id: str = "",
        geo: str = "",
        period: str = "",
        ytd: object = "",
        reported_at: str = "",
        label: str = "",
    ) -> None:
        """Quarantine a row (or one cell of it) with a reason naming its place."""
        self.quarantine.append(
            QuarantineEntry(
                self.rel,
                sheet,
                "" if row is None else row,
                col,
                category,
                reason,
                raw_value if isinstance(raw_value, str) else raw_text(raw_value),
                raw_name,
                indicator_id,
                geo,
                period,
                "" if ytd == "" else bool_text(bool(ytd)),
                reported_at,
                self.illustrative_text,
                label,
            )
        )

    def add(
        self,
        rec: Observation,
        reported_at: dt.date | None,
        provisional: bool = False,
        correction: bool = False,
    ) -> None:
        """Queue an observation; :func:`~gxq_analysis.ingest.revisions.resolve` decides between
        submissions of the same fact."""
        how = (reported_at, correction or self.correction, provisional)
        precedence = self._precedences.get(how)
        if precedence is None:  # one shared (immutable) Precedence per distinct rule input
            precedence = self._precedences[how] = Precedence(*how)
        self.candidates.append(Candidate(rec, precedence))

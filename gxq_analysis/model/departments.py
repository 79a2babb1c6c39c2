"""Departments as data: who reports which indicator, how often, and by when (the plan's 三(三) loop).

The catalogue (``indicators.csv``) says for each indicator:

- ``department`` — the department that reports it (e.g. 科技局); editable data, nothing here is hard-coded;
- ``frequency`` — how often it is reported (``monthly``, ``quarterly``, ``annual``);
- ``due_days`` — days after the period's end by which the submission is due (default 15).

An optional ``departments.csv`` in the plan folder (``department, name_en, aliases, note``) gives the
English name and the other spellings a file's 填报单位 may use (高新区科技局, 市场监督管理局 …); a
department named only in ``indicators.csv`` is known by its name alone.

Which indicators a department's form for a period carries (and so which are expected):

- a monthly period: the monthly indicators;
- a quarter: the monthly and quarterly indicators (a monthly one reported for the quarter or its last month);
- a year: the annual indicators.

One form per department and period has one deadline: the period's end plus the largest ``due_days`` of
the indicators on it.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .periods import FREQ_ANNUAL, FREQ_MONTH, FREQ_QUARTER, Period, PeriodError, extract_period, parse_period
from .plan import Plan, PlanError

DEPARTMENTS_FILE = "departments.csv"
UNATTRIBUTED = "未识别部门"

# Frequencies of the indicators a form for a period of the given frequency carries.
_FORM_FREQUENCIES = {
    FREQ_MONTH: ("monthly",),
    FREQ_QUARTER: ("monthly", "quarterly"),
    FREQ_ANNUAL: ("annual",),
}

# Leading characters that make a spreadsheet treat text as a formula (or DDE) when it is typed or pasted.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_text(value: object) -> object:
    """Text written into a spreadsheet, neutralised against formula injection (OWASP: prefix a quote).

    Numbers, dates and None pass unchanged; a string starting with = + - @ (or a tab/newline) gets a
    leading apostrophe so that Excel and openpyxl keep it as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


@dataclass(frozen=True)
class Department:
    name: str  # short Chinese name, as in indicators.csv (科技局)
    name_en: str = ""
    aliases: tuple[str, ...] = ()
    order: int = 0

    def spellings(self) -> tuple[str, ...]:
        """All names, longest first, so that 市场监督管理局 is tried before a shorter alias."""
        return tuple(sorted({self.name, *self.aliases}, key=lambda s: (-len(s), s)))


def load_departments(plan: Plan) -> list[Department]:
    """Departments in the order of ``departments.csv``, then any others named in the catalogue."""
    found: dict[str, Department] = {}
    path = Path(plan.folder) / DEPARTMENTS_FILE
    if path.exists():
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if "department" not in (reader.fieldnames or []):
                raise PlanError(path, "missing required column(s): department", row=1)
            for i, row in enumerate(reader, start=2):
                if None in row:
                    raise PlanError(path, "more cells than header columns", row=i)
                name = (row.get("department") or "").strip()
                if not name:
                    raise PlanError(path, "empty value", row=i, column="department")
                if name in found:
                    raise PlanError(path, f"duplicate department {name!r}", row=i, column="department")
                aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
                found[name] = Department(name, (row.get("name_en") or "").strip(), aliases, len(found))
    for iid in plan.indicators.index:
        name = plan.department(iid)
        if name and name not in found:
            found[name] = Department(name, "", (), len(found))
    return list(found.values())


def form_indicators(plan: Plan, department: str | None, period: Period | None) -> list[str]:
    """Indicator ids on a form, in plan order (table indicators first, then the text targets).

    ``department`` None means every department; ``period`` None means every frequency."""
    ind = plan.indicators
    order = list(ind[ind["in_table"]].index) + list(ind[~ind["in_table"]].index)
    freqs = _FORM_FREQUENCIES[period.freq] if period is not None else None
    return [
        iid
        for iid in order
        if (department is None or plan.department(iid) == department)
        and (freqs is None or str(ind.at[iid, "frequency"]) in freqs)
    ]


def deadline(plan: Plan, indicator_ids: list[str], period: Period) -> dt.date | None:
    """The form's due date: the period's end plus the largest ``due_days`` on it (None for an empty form)."""
    if not indicator_ids:
        return None
    return period.end + dt.timedelta(days=max(plan.due_days(i) for i in indicator_ids))


def covers(value_period: str, period: Period) -> bool:
    """Does a value for ``value_period`` answer the form for ``period``?

    The same period does; so does the period's last month for a quarter, and Q4 or December for a year
    (a level at the year's end). Year-to-date values are matched by their period too."""
    try:
        p = parse_period(value_period)
    except PeriodError:
        return False
    if p == period:
        return True
    if period.freq == FREQ_QUARTER:
        return p.freq == FREQ_MONTH and p.year == period.year and p.number == period.end_month
    if period.freq == FREQ_ANNUAL:
        return p.year == period.year and p.freq != FREQ_ANNUAL and p.end_month == 12
    return False


def within(value_period: str, period: Period) -> bool:
    """Does a value's period lie inside ``period`` (2019-07 in 2019Q3), or answer its form?"""
    try:
        p = parse_period(value_period)
    except PeriodError:
        return False
    return (period.start <= p.start and p.end <= period.end) or covers(value_period, period)


def attribute(departments: list[Department], reporting_unit: str, path: str) -> str:
    """The department a file comes from: its 填报单位 first, then a folder or file name; else UNATTRIBUTED."""
    spellings = sorted(
        ((s, d.name) for d in departments for s in d.spellings()), key=lambda x: (-len(x[0]), x[0])
    )
    unit = (reporting_unit or "").replace(" ", "")
    for text in [unit] + list(reversed(PurePosixPath(path).parts)):
        for spelling, name in spellings:
            if spelling and spelling in text:
                return name
    return UNATTRIBUTED


def period_of_path(path: str) -> str:
    """A period named in a file's path (unreadable files have nothing else), or ""."""
    p = PurePosixPath(path)
    for part in [p.stem] + list(reversed(p.parent.parts)):
        m = extract_period(part)
        if m:
            return str(m.period)
    return ""

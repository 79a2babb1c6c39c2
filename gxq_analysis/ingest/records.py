"""The typed records of a clean: a candidate observation, a quarantine line, a file's report, the result.

Records are small slotted dataclasses built in one place each (the adapters call :class:`Observation`
and :meth:`Source.quarantine <gxq_analysis.ingest.checks.Source.quarantine>`), so a 200 000-row sheet
costs 200 000 small objects, not 200 000 dicts. ``record["field"]`` works as on the dicts they replace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..model.periods import Period

QUARANTINE_COLUMNS = [
    "source_file",
    "source_sheet",
    "source_row",
    "source_column",
    "category",
    "reason",
    "raw_value",
    "raw_name",
    "indicator_id",
    "geo",
    "period",
    "ytd",
    "reported_at",
    "illustrative",
]
REVISION_COLUMNS = [
    "indicator_id",
    "geo",
    "period",
    "ytd",
    "old_value",
    "new_value",
    "unit",
    "old_source_file",
    "old_source_sheet",
    "old_source_row",
    "old_source_column",
    "old_reported_at",
    "new_source_file",
    "new_source_sheet",
    "new_source_row",
    "new_source_column",
    "new_reported_at",
    "reason",
]


class CleanError(Exception):
    """The clean could not run at all (one-line reason)."""


def col_letter(index: int) -> str:
    s = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        s = chr(65 + rem) + s
    return s


def bool_text(v: bool) -> str:
    return "true" if v else "false"


def where(rel: str, sheet: str, row: int | str | None, col: str = "", label: str = "") -> str:
    """file, sheet, row, column (label): the place a quarantine reason starts with. (Built by f-strings:
    it runs once per line of a quarantine of hundreds of thousands of lines.)"""
    place = f"{rel}, sheet '{sheet}'" if sheet else rel
    if row is not None and row != "":
        place = f"{place}, row {row}"
    if col:
        place = f"{place}, column {col} ({label})" if label else f"{place}, column {col}"
    return place


class _ByName:
    """``record["field"]`` and ``record.get("field", default)`` as on a dict."""

    __slots__ = ()

    def __getitem__(self, key: str) -> object:
        return getattr(self, key)

    def get(self, key: str, default: object = None) -> object:
        return getattr(self, key, default)


@dataclass(slots=True)
class Observation(_ByName):
    """One value for observations.csv (before duplicates and revisions are resolved)."""

    indicator_id: str
    geo: str
    period: str
    value: float
    unit: str
    source_file: str
    source_row: int
    illustrative: bool
    ytd: bool
    source_sheet: str
    source_column: str
    raw_value: str
    raw_unit: str
    conversion: str
    qualifier: str
    reported_at: str
    source: str
    note: str
    parsed_period: Period


@dataclass(slots=True)
class QuarantineEntry(_ByName):
    """One line of quarantine.csv. The reason is the place (file, sheet, row, column) and ``detail``,
    joined when it is read, so a big sheet does not hold one long string per line. Not frozen: a frozen
    dataclass sets each of its 15 fields through ``object.__setattr__``, and a big clean builds hundreds
    of thousands of these (nothing changes them after they are made)."""

    source_file: str
    source_sheet: str
    source_row: int | str  # "" for a whole file
    source_column: str
    category: str
    detail: str
    raw_value: str = ""
    raw_name: str = ""
    indicator_id: str = ""
    geo: str = ""
    period: str = ""
    ytd: str = ""  # "true" | "false" | "" (not applicable)
    reported_at: str = ""
    illustrative: str = "false"
    label: str = ""  # the column's header, named in the reason

    @property
    def reason(self) -> str:
        place = where(self.source_file, self.source_sheet, self.source_row, self.source_column, self.label)
        return f"{place}: {self.detail}"

    @property
    def row_order(self) -> int:
        return -1 if self.source_row == "" else int(self.source_row)


@dataclass(frozen=True)
class Precedence:
    """What decides between two submissions of the same fact (never the path or the file's mtime)."""

    reported_at: dt.date | None
    correction: bool = False
    provisional: bool = False

    def beats(self, other: Precedence) -> str:
        """Why this submission replaces ``other``, or "" when no rule says so."""
        if self.reported_at and other.reported_at and self.reported_at != other.reported_at:
            return "填报日期更晚 later reporting date" if self.reported_at > other.reported_at else ""
        if self.correction != other.correction:
            return "明确标注的更正 an explicit correction (更正/修订/修正)" if self.correction else ""
        if self.provisional != other.provisional:
            return (
                (
                    "初步或推算数让位于正式数 a provisional (preliminary, estimated or derived) figure yields to a "
                    "final one"
                )
                if other.provisional
                else ""
            )
        return ""

    @property
    def order(self) -> tuple[dt.date, bool, bool]:
        return (self.reported_at or dt.date.min, self.correction, not self.provisional)


@dataclass(slots=True)
class Candidate:
    """An observation before duplicates and revisions are resolved."""

    rec: Observation
    precedence: Precedence


@dataclass
class FileReport:
    path: str
    sha256: str = ""
    bytes: int = 0
    kind: str = ""
    encoding: str = ""
    sheets: list[str] = field(default_factory=list)
    data_rows: int = 0
    cells: int = 0
    candidates: int = 0
    quarantined: int = 0
    reported_at: str = ""
    reporting_unit: str = ""  # 填报单位 as the file states it (for the submissions status)
    illustrative: bool = False
    unreadable: str = ""


@dataclass
class CleanResult:
    observations: list[Observation]
    quarantine: list[QuarantineEntry]
    revisions: list[dict[str, object]]
    files: list[FileReport]
    ignored: list[str]
    refused: list[tuple[str, str, str]] = field(default_factory=list)
    reference: list[str] = field(default_factory=list)  # public/calibration/: read by the calibration

    @property
    def unreadable(self) -> list[FileReport]:
        return [f for f in self.files if f.unreadable]

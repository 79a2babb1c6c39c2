"""`gxq clean`: messy submissions → one tidy, validated table, and nothing lost on the way.

Inputs (under ``--raw``, default ``data/raw``; never written to):

- ``submissions/**`` — ``.xlsx``, ``.xls`` and ``.csv`` files as departments send them (title and unit
  lines, one- or two-level merged headers, footnotes, several sheets), and tidy CSVs (any CSV whose
  header has ``indicator_id, period, value``; DESIGN §3).
- ``public/public_figures.csv`` — published figures with sources (context and benchmarks).

Every file under ``submissions/`` and ``public/`` is read, ignored by name (documentation, Office lock
files, hidden files) or quarantined as not read (unsupported type, hidden folder, a link leading out of
the raw folder); nothing is silently skipped.

Outputs (under ``--out``, default ``data/processed``; written as one set: staged, then renamed into
place, the manifest last):

- ``observations.csv`` — columns :data:`~gxq_analysis.observations.OBSERVATION_COLUMNS`, one row per
  (geo, indicator, period, ytd), values in the catalogue's unit.
- ``quarantine.csv`` — everything that did not become an observation, one line per row (or per cell,
  when one value of a row failed), with a ``category`` and a human-readable ``reason`` naming file,
  sheet, row and column. Unreadable files appear with an empty ``source_row``.
- ``revisions.csv`` — values replaced by a later submission of the same (geo, indicator, period, ytd),
  with the submission that replaced them.
- ``manifest.json`` — files read (sha256, rows, encoding), files that could not be read and why, and
  each output's rows and sha256 (``outputs``), which :func:`~gxq_analysis.observations.load_observations`
  verifies. Text cells are neutralised against formula injection (:func:`neutralise`).

Accounting guarantee: every non-blank data row of every input is in ``observations.csv`` or in
``quarantine.csv`` (superseded and duplicate values are in quarantine too, categories ``superseded``
and ``duplicate``, and superseded ones also in ``revisions.csv``). Outputs are sorted and carry no
timestamps, so a rerun on the same inputs is byte-identical.

Precedence between submissions of the same fact: values are grouped by meaning, (geo, indicator,
reference point, ytd), where a stock indicator's reference point is the month its period ends (2019Q3,
2019年1-9月 and 2019-09 are the same stock). The later reporting date (填报日期 in the file) wins; on an
equal or unknown date an explicit correction (更正/修订/修正 in the file name, sheet name or title) wins, then
a final figure over a provisional one. Anything else is a conflict that goes to quarantine for a person
(category ``conflict``): it is never decided by path, row or the file's modification time (copying files
changes mtimes, so mtime is never a reporting date).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import itertools
import json
import math
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .matching import Matcher, is_section_heading
from ..model.observations import OBSERVATION_COLUMNS
from ..model.periods import FREQ_ANNUAL, Period, PeriodError, PeriodMatch, extract_period, parse_period
from ..model.plan import Plan, load_plan
from .readers import (
    ROLE_NAME,
    ROLE_NOTE,
    ROLE_PERIOD,
    ROLE_UNIT,
    ROLE_VALUE,
    SPREADSHEET_SUFFIXES,
    Grid,
    Table,
    UnreadableFile,
    cell_text,
    fill_merged,
    find_reported_at,
    find_table,
    is_footnote_line,
    read_file,
    reported_at_in_row,
    row_text,
)
from .values import (
    ParsedValue,
    UnitError,
    canonical_unit_text,
    convert_unit,
    format_number,
    normalize_text,
    parse_value,
    raw_text,
)

ILLUSTRATIVE_MARKER = "ILLUSTRATIVE.md"
PUBLIC_FILE = Path("public") / "public_figures.csv"
CALIBRATION_DIR = (
    "calibration"  # public/calibration/: the forecast's calibration panel, read by calibration.py
)
SUBMISSIONS_DIR = "submissions"

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

# Categories of quarantine lines (stable ids, for filtering).
Q_UNREADABLE = "unreadable_file"
Q_NO_TABLE = "no_table"
Q_UNKNOWN = "unknown_indicator"
Q_EMPTY_NAME = "empty_name"
Q_NO_VALUE = "no_value"
Q_BAD_VALUE = "invalid_value"
Q_UNIT = "incompatible_unit"
Q_FRACTION = "fraction_not_percent"
Q_RANGE = "out_of_range"
Q_NOT_INTEGER = "not_integer"
Q_NO_PERIOD = "no_period"
Q_FUTURE = "future_period"
Q_DUPLICATE = "duplicate"
Q_SUPERSEDED = "superseded"
Q_CONTEXT = "context_only"
Q_POPULATION = "different_population"
Q_CONFLICT = "inconsistent_columns"
Q_UNRESOLVED = "conflict"  # two submissions of the same fact, no rule says which is right: a person decides
Q_UNSUPPORTED = "unsupported_file"
Q_OUTSIDE = "outside_raw"  # a symbolic link leading out of the raw folder (not followed)
Q_HIDDEN = "hidden_folder"
Q_HORIZON = "beyond_plan_horizon"
Q_JUMP = "implausible_jump"

# Words that mark a submission as an explicit correction of an earlier one.
_CORRECTION_RE = re.compile(r"更正|修订|修正|勘误")

_FILLER_RE = re.compile(r"(?:填报|报送)单位\s*[:：]\s*([^\s:：]+?)(?=\s|$|填报|报送|联系|日期)")
_CURRENT_WORDS = ("本月", "本季", "当月", "当季", "当期", "本期")
# Words in a public figure's name that mark it provisional: it yields to a final figure for the same cell.
_PROVISIONAL_WORDS = ("初步", "初值", "预计", "推算", "约")

# Public figures whose name says they measure something else than the plan's indicator for that geo:
# (marker in the name, indicator kinds it applies to (None = all), reason zh, reason en).
_DIFFERENT_SCOPE = [
    (
        "县域",
        ("rank",),
        "县域国家高新区中的位次不是计划的全国排名",
        "a rank among county-level national high-tech zones, not the plan's national rank",
    ),
    (
        "苏南",
        None,
        "苏南地区的数据不是该地区全口径",
        "a figure for southern Jiangsu (苏南) only, not the whole area",
    ),
    (
        "OECD口径",
        None,
        "OECD口径与国家统计口径不同",
        "on the OECD basis, not the official statistical definition",
    ),
]


# Plausibility ceilings by kind, in the catalogue's unit, for indicators whose catalogue gives no upper
# bound: far above any real figure for a zone, a province or the nation (China has ~5e7 enterprises,
# GDP ~1.3e6 亿元), so only absurd values (1e20 enterprises) are caught. A catalogue bound wins.
_ABSURD_ABOVE = {"count": 1e10, "amount": 1e8, "ratio": 1e7, "rank": 1e5, "share": 1e6}
_ABSURD_DEFAULT = 1e12
# Jump test: a value this many times larger or smaller than the previous period's is kept but flagged.
JUMP_FACTOR = 10.0


class CleanError(Exception):
    """The clean could not run at all (one-line reason)."""


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
    def order(self) -> tuple:
        return (self.reported_at or dt.date.min, self.correction, not self.provisional)


@dataclass
class Candidate:
    """An observation before duplicates and revisions are resolved."""

    rec: dict
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
    observations: list[dict]
    quarantine: list[dict]
    revisions: list[dict]
    files: list[FileReport]
    ignored: list[str]
    refused: list[tuple[str, str, str]] = field(default_factory=list)
    reference: list[str] = field(default_factory=list)  # public/calibration/: read by the calibration

    @property
    def unreadable(self) -> list[FileReport]:
        return [f for f in self.files if f.unreadable]


def col_letter(index: int) -> str:
    s = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        s = chr(65 + rem) + s
    return s


def _where(rel: str, sheet: str, row: int | None, col: str = "", label: str = "") -> str:
    parts = [rel]
    if sheet:
        parts.append(f"sheet '{sheet}'")
    if row is not None:
        parts.append(f"row {row}")
    if col:
        parts.append(f"column {col}" + (f" ({label})" if label else ""))
    return ", ".join(parts)


class _Context:
    """What every row of one source shares."""

    def __init__(self, cleaner: Cleaner, rel: str, illustrative: bool):
        self.cleaner = cleaner
        self.rel = rel
        self.illustrative = illustrative
        # A correction named in the file name applies to every sheet of the file.
        self.correction = bool(_CORRECTION_RE.search(Path(rel).stem))
        self.quarantine: list[dict] = []
        self.candidates: list[Candidate] = []

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
        self.quarantine.append(
            {
                "source_file": self.rel,
                "source_sheet": sheet,
                "source_row": "" if row is None else row,
                "source_column": col,
                "category": category,
                "reason": f"{_where(self.rel, sheet, row, col, label)}: {reason}",
                "raw_value": raw_text(raw_value) if not isinstance(raw_value, str) else raw_value,
                "raw_name": raw_name,
                "indicator_id": indicator_id,
                "geo": geo,
                "period": period,
                "ytd": "" if ytd == "" else _bool(bool(ytd)),
                "reported_at": reported_at,
                "illustrative": _bool(self.illustrative),
            }
        )

    def add(
        self, rec: dict, reported_at: dt.date | None, provisional: bool = False, correction: bool = False
    ) -> None:
        """Queue an observation; :func:`resolve` decides between submissions of the same fact."""
        self.candidates.append(
            Candidate(rec, Precedence(reported_at, correction or self.correction, provisional))
        )


def _bool(v: bool) -> str:
    return "true" if v else "false"


class Cleaner:
    def __init__(self, plan: Plan, today: dt.date | None = None):
        self.plan = plan
        self.today = today or dt.date.today()
        self.horizon = plan.end_year
        self.matcher = Matcher(plan)
        self.zone = plan.zone_geo
        ind = plan.indicators
        self.units = {iid: canonical_unit_text(ind.at[iid, "unit"]) for iid in ind.index}
        self.kinds = {iid: str(ind.at[iid, "kind"]) for iid in ind.index}
        self.accum = {iid: str(ind.at[iid, "accumulation"]) for iid in ind.index}
        self.bounds = {iid: plan.bounds(iid) for iid in ind.index}
        self.min_target: dict[str, float] = {}
        for iid, grp in plan.targets.groupby("indicator_id"):
            self.min_target[str(iid)] = float(grp["target"].min())

    # -- validation ----------------------------------------------------------------------------
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
                f"超出计划期限 period {period} is after the plan's horizon ({self.plan.start_year}–"
                f"{self.horizon}); use the next plan's folder (gxq clean --plan …)"
            )
        return "", ""

    # -- files -------------------------------------------------------------------------------------
    def clean_file(self, path: Path, rel: str, illustrative: bool, report: FileReport) -> _Context:
        ctx = _Context(self, rel, illustrative)
        try:
            data = path.read_bytes()
        except OSError as exc:
            report.unreadable = f"无法打开 cannot open file: {exc.strerror}"
            ctx.q("", None, "", Q_UNREADABLE, report.unreadable)
            return ctx
        report.sha256 = hashlib.sha256(data).hexdigest()
        report.bytes = len(data)
        report.kind = path.suffix.lower().lstrip(".")
        try:
            wb = read_file(path, data)
        except UnreadableFile as exc:
            report.unreadable = str(exc)
            ctx.q("", None, "", Q_UNREADABLE, f"文件无法读取 file cannot be read: {exc}")
            return ctx
        report.encoding = wb.encoding
        report.sheets = [g.name for g in wb.grids]
        if rel == PUBLIC_FILE.as_posix() and wb.kind == "csv":
            self._clean_public(wb.grids[0], ctx, report)
            return ctx
        # Reporting date and filler found anywhere in the workbook serve as a fallback for every sheet.
        tables: list[tuple[Grid, Table | None]] = []
        for grid in wb.grids:
            if wb.kind == "csv" and _is_tidy(grid):
                tables.append((grid, None))
                continue
            tables.append((grid, find_table(grid)))
        any_table = any(t is not None or (wb.kind == "csv" and _is_tidy(g)) for g, t in tables)
        if not any_table:
            report.unreadable = "没有可识别的指标表 no recognisable table (no header with an indicator-name and a value column)"
            ctx.q("", None, "", Q_UNREADABLE, f"文件无法读取 file cannot be read: {report.unreadable}")
            return ctx
        file_reported = None
        for grid, table in tables:
            if table is not None:
                file_reported = file_reported or _sheet_reported_at(grid, table)
        for grid, table in tables:
            if table is None:
                if wb.kind == "csv" and _is_tidy(grid):
                    self._clean_tidy(grid, ctx, report)
                elif any(row_text(r) for r in grid.rows):
                    ctx.q(
                        grid.name,
                        None,
                        "",
                        Q_NO_TABLE,
                        "工作表中没有可识别的指标表 no recognisable table in this sheet (sheet skipped)",
                    )
                continue
            self._clean_table(path, grid, table, ctx, report, file_reported)
        if file_reported:
            report.reported_at = file_reported.isoformat()
        return ctx

    # -- department tables -----------------------------------------------------------------------
    def _clean_table(
        self,
        path: Path,
        grid: Grid,
        table: Table,
        ctx: _Context,
        report: FileReport,
        file_reported: dt.date | None,
    ) -> None:
        rel = ctx.rel
        sheet = grid.name
        name_col = table.by_role(ROLE_NAME)[0]
        value_cols = table.by_role(ROLE_VALUE)
        unit_col = next(iter(table.by_role(ROLE_UNIT)), None)
        period_col = next(iter(table.by_role(ROLE_PERIOD)), None)
        note_col = next(iter(table.by_role(ROLE_NOTE)), None)
        # Period: title lines, then sheet name, then file name (a period column wins per row).
        sheet_period: PeriodMatch | None = None
        period_origin = ""
        for _, line in table.title_lines:
            sheet_period = extract_period(line)
            if sheet_period:
                period_origin = "title"
                break
        if sheet_period is None and sheet:
            sheet_period = extract_period(sheet) if re.search(r"\d{4}", normalize_text(sheet)) else None
            period_origin = "sheet name" if sheet_period else ""
        if sheet_period is None:
            sheet_period = _period_from_path(rel)
            period_origin = "file name" if sheet_period else ""
        reported_at = _sheet_reported_at(grid, table) or file_reported
        sheet_correction = bool(
            _CORRECTION_RE.search(sheet) or any(_CORRECTION_RE.search(line) for _, line in table.title_lines)
        )
        reported_text = reported_at.isoformat() if reported_at else ""
        filler = ""
        footnotes: dict[str, str] = {}
        lines = [t for _, t in table.title_lines]
        footnote_rows = _footnote_rows(grid, table)
        for r in sorted(footnote_rows):
            lines.append(row_text(grid.rows[r - 1]))
        for line in lines:
            m = _FILLER_RE.search(normalize_text(line))
            if m and not filler:
                filler = m.group(1)
            for fm in re.finditer(r"([①-⑳*＊※])\s*([^①-⑳*＊※。;；]+)", line):
                footnotes.setdefault(fm.group(1).replace("＊", "*"), fm.group(2).strip(" ;；。:："))
        report.reporting_unit = report.reporting_unit or filler
        merged_name = fill_merged(grid, set(range(table.first_data_row, len(grid.rows) + 1)))
        ncols = len(table.columns)
        for r in range(table.first_data_row, len(grid.rows) + 1):
            row = grid.rows[r - 1]
            if not row or not row_text(row):
                continue
            if r in footnote_rows:
                continue
            name_v = row[name_col.index - 1] if len(row) >= name_col.index else None
            if name_v is None and (r, name_col.index) in merged_name:
                name_v = merged_name[(r, name_col.index)]
            name = cell_text(name_v)
            cells = {c.index: (row[c.index - 1] if len(row) >= c.index else None) for c in value_cols}
            report.cells += sum(1 for v in row if v is not None)
            no_values = all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values())
            if no_values and _is_text_line(row, name):
                continue  # 一、创新投入 or a remark line across the table: not a data row
            report.data_rows += 1
            if not name:
                ctx.q(
                    sheet,
                    r,
                    col_letter(name_col.index),
                    Q_EMPTY_NAME,
                    "指标名称为空 empty indicator name; row values: " + row_text(row)[:80],
                    raw_value=row_text(row)[:120],
                    reported_at=reported_text,
                    label=name_col.label,
                )
                continue
            match = self.matcher.match(name)
            if match.indicator_id is None:
                hint = (
                    ("; 最接近的目录指标 closest catalogue names: " + "、".join(match.suggestions))
                    if match.suggestions
                    else "; 目录中无相近指标 no similar catalogue name"
                )
                ctx.q(
                    sheet,
                    r,
                    col_letter(name_col.index),
                    Q_UNKNOWN,
                    f"未知指标 unknown indicator {name!r}{hint}",
                    raw_value=row_text(row)[:120],
                    raw_name=name,
                    reported_at=reported_text,
                    label=name_col.label,
                )
                continue
            iid = match.indicator_id
            row_unit = ""
            raw_unit = ""
            if unit_col is not None and len(row) >= unit_col.index and cell_text(row[unit_col.index - 1]):
                raw_unit = cell_text(row[unit_col.index - 1])
                row_unit = canonical_unit_text(raw_unit)
            elif match.unit_in_name:
                row_unit = raw_unit = match.unit_in_name
            # Row period: a period column beats everything.
            row_period = sheet_period
            if (
                period_col is not None
                and len(row) >= period_col.index
                and row[period_col.index - 1] is not None
            ):
                pv = row[period_col.index - 1]
                row_period = _period_from_cell(pv)
                if row_period is None:
                    ctx.q(
                        sheet,
                        r,
                        col_letter(period_col.index),
                        Q_NO_PERIOD,
                        f"报告期无法识别 period not understood: {cell_text(pv)!r}",
                        raw_value=cell_text(pv),
                        raw_name=name,
                        indicator_id=iid,
                        reported_at=reported_text,
                        label=period_col.label,
                    )
                    continue
            note_text = (
                cell_text(row[note_col.index - 1])
                if note_col is not None and len(row) >= note_col.index
                else ""
            )
            is_stock = self.accum[iid] == "stock"
            produced = 0
            problems: list[tuple[str, str, str, object, str]] = []  # (col, category, reason, raw, label)
            placeholders: list[str] = []
            stock_values: dict[tuple, tuple[float, str]] = {}
            ordered = sorted(value_cols, key=lambda c: (c.ytd, c.index))
            for col in ordered:
                raw = cells[col.index]
                letter = col_letter(col.index)
                pv = parse_value(raw)
                if pv.status == "blank":
                    continue
                if pv.status == "placeholder":
                    placeholders.append(f"{letter}={pv.raw}")
                    continue
                if not pv.ok:
                    problems.append((letter, Q_BAD_VALUE, pv.reason, raw, col.label))
                    continue
                period_m = row_period
                if col.period_text:
                    period_m = extract_period(col.period_text) or row_period
                if period_m is None:
                    problems.append(
                        (
                            letter,
                            Q_NO_PERIOD,
                            "无法确定报告期 no reporting period (no period column, "
                            "period in the title line, sheet name or file name)",
                            raw,
                            col.label,
                        )
                    )
                    continue
                period = period_m.period
                ytd = col.ytd or (period_m.ytd and not any(w in col.label for w in _CURRENT_WORDS))
                if is_stock or period.freq == FREQ_ANNUAL:
                    ytd = False
                unit = col.unit or row_unit or table.sheet_unit
                value, conversion, cat, why = self.validate(iid, pv, unit, percent_explicit=False)
                if cat:
                    problems.append((letter, cat, why, raw, col.label))
                    continue
                cat, why = self.period_problem(period, reported_at)
                if cat:
                    problems.append((letter, cat, why, raw, col.label))
                    continue
                key = (str(period), ytd)
                if is_stock and key in stock_values:
                    prev_v, prev_col = stock_values[key]
                    if prev_v != value:
                        problems.append(
                            (
                                letter,
                                Q_CONFLICT,
                                f"存量指标两列数值不一致 stock indicator: {col.label} gives "
                                f"{format_number(value)} but column {prev_col} gives {format_number(prev_v)}; "
                                f"kept column {prev_col}",
                                raw,
                                col.label,
                            )
                        )
                    continue
                stock_values[key] = (value, letter)
                notes = [
                    f"{mk}{footnotes[mk]}" if mk in footnotes else mk for mk in match.markers + pv.markers
                ]
                note = "; ".join([n for n in [note_text] + [f"注: {x}" for x in notes] if n])
                rec = {
                    "indicator_id": iid,
                    "geo": self.zone,
                    "period": str(period),
                    "value": value,
                    "unit": self.units[iid],
                    "source_file": rel,
                    "source_row": r,
                    "illustrative": ctx.illustrative,
                    "ytd": ytd,
                    "source_sheet": sheet,
                    "source_column": letter,
                    "raw_value": pv.raw,
                    "raw_unit": pv.unit or raw_unit or unit,
                    "conversion": conversion,
                    "qualifier": pv.qualifier,
                    "reported_at": reported_text,
                    "source": filler,
                    "note": note,
                    "_period": period,
                }
                ctx.add(rec, reported_at, correction=sheet_correction)
                produced += 1
            for letter, cat, why, raw, label in problems:
                ctx.q(
                    sheet,
                    r,
                    letter,
                    cat,
                    why,
                    raw_value=raw,
                    raw_name=name,
                    indicator_id=iid,
                    period=str(row_period.period) if row_period else "",
                    reported_at=reported_text,
                    label=label,
                )
            if produced == 0 and not problems:
                if placeholders:
                    why = "占位符, 无数据 placeholder only, no data: " + ", ".join(placeholders)
                else:
                    why = "未填报数值 no value reported (all value cells blank)"
                ctx.q(
                    sheet,
                    r,
                    ",".join(col_letter(c.index) for c in value_cols),
                    Q_NO_VALUE,
                    why,
                    raw_value=row_text(row)[:120],
                    raw_name=name,
                    indicator_id=iid,
                    period=str(row_period.period) if row_period else "",
                    reported_at=reported_text,
                )
        _ = ncols, path, period_origin

    # -- tidy CSV ------------------------------------------------------------------------------------
    def _clean_tidy(self, grid: Grid, ctx: _Context, report: FileReport) -> None:
        header_row = next(i for i, r in enumerate(grid.rows, start=1) if row_text(r))
        header = [normalize_text(cell_text(h)).lower() for h in grid.rows[header_row - 1]]
        idx = {h: i for i, h in enumerate(header) if h}

        get = _cell_getter(idx)

        for r, row in _data_rows(grid, header_row, report):
            raw_id = get(row, "indicator_id")
            vcol = col_letter(idx["value"] + 1)
            m = self.matcher.match_id(raw_id)
            if m.indicator_id is None:
                hint = ("; closest: " + ", ".join(m.suggestions)) if m.suggestions else ""
                ctx.q(
                    "",
                    r,
                    col_letter(idx["indicator_id"] + 1),
                    Q_UNKNOWN,
                    f"未知指标 unknown indicator_id {raw_id!r}{hint}",
                    raw_value=get(row, "value"),
                    raw_name=raw_id,
                )
                continue
            iid = m.indicator_id
            ptext = get(row, "period")
            pm = _period_from_cell(ptext)
            if pm is None:
                ctx.q(
                    "",
                    r,
                    col_letter(idx["period"] + 1),
                    Q_NO_PERIOD,
                    f"报告期无法识别 period not understood: {ptext!r}",
                    raw_value=ptext,
                    indicator_id=iid,
                )
                continue
            period, ytd_p = pm.period, pm.ytd
            ytd_text = get(row, "ytd").lower()
            ytd = ytd_p or ytd_text in ("true", "1", "yes", "y", "是")
            if self.accum[iid] == "stock" or period.freq == FREQ_ANNUAL:
                ytd = False
            pv = parse_value(row[idx["value"]] if idx["value"] < len(row) else None)
            geo = get(row, "geo") or self.zone
            if not pv.ok:
                cat = Q_NO_VALUE if pv.status in ("blank", "placeholder") else Q_BAD_VALUE
                ctx.q(
                    "",
                    r,
                    vcol,
                    cat,
                    pv.reason,
                    raw_value=pv.raw,
                    indicator_id=iid,
                    geo=geo,
                    period=str(period),
                )
                continue
            unit = canonical_unit_text(get(row, "unit"))
            value, conversion, cat, why = self.validate(iid, pv, unit, percent_explicit=(unit == "%"))
            if cat:
                ctx.q("", r, vcol, cat, why, raw_value=pv.raw, indicator_id=iid, geo=geo, period=str(period))
                continue
            illus = ctx.illustrative or get(row, "illustrative").lower() in ("true", "1", "yes", "y", "是")
            rec = {
                "indicator_id": iid,
                "geo": geo,
                "period": str(period),
                "value": value,
                "unit": self.units[iid],
                "source_file": ctx.rel,
                "source_row": r,
                "illustrative": illus,
                "ytd": ytd,
                "source_sheet": "",
                "source_column": vcol,
                "raw_value": pv.raw,
                "raw_unit": pv.unit or get(row, "unit"),
                "conversion": conversion,
                "qualifier": get(row, "qualifier") or pv.qualifier,
                "reported_at": get(row, "reported_at"),
                "source": get(row, "source"),
                "note": get(row, "note"),
                "_period": period,
            }
            rep = None
            if rec["reported_at"]:
                try:
                    rep = dt.date.fromisoformat(rec["reported_at"])
                except ValueError:
                    ctx.q(
                        "",
                        r,
                        col_letter(idx["reported_at"] + 1),
                        Q_BAD_VALUE,
                        f"填报日期无法识别 reporting date not understood (YYYY-MM-DD): {rec['reported_at']!r}",
                        raw_value=rec["reported_at"],
                        indicator_id=iid,
                        geo=geo,
                        period=str(period),
                    )
                    continue
            cat, why = self.period_problem(period, rep)
            if cat:
                ctx.q(
                    "",
                    r,
                    col_letter(idx["period"] + 1),
                    cat,
                    why,
                    raw_value=ptext,
                    indicator_id=iid,
                    geo=geo,
                    period=str(period),
                )
                continue
            ctx.add(rec, rep, correction=bool(_CORRECTION_RE.search(get(row, "note"))))

    # -- public figures --------------------------------------------------------------------------
    def _clean_public(self, grid: Grid, ctx: _Context, report: FileReport) -> None:
        header_row = next(i for i, r in enumerate(grid.rows, start=1) if row_text(r))
        header = [cell_text(h).strip().lower() for h in grid.rows[header_row - 1]]
        idx = {h: i for i, h in enumerate(header) if h}
        required = ("geo", "plan_indicator_no", "indicator_cn", "year", "value", "unit")
        missing = [c for c in required if c not in idx]
        if missing:
            report.unreadable = f"公开数据缺少列 public figures file lacks column(s): {', '.join(missing)}"
            ctx.q("", None, "", Q_UNREADABLE, report.unreadable)
            return
        by_no = self.plan.by_number()

        get = _cell_getter(idx)

        for r, row in _data_rows(grid, header_row, report):
            geo, no, name = get(row, "geo"), get(row, "plan_indicator_no"), get(row, "indicator_cn")
            year = get(row, "year")
            raw_value = get(row, "value")
            no_col = col_letter(idx["plan_indicator_no"] + 1)
            if not no:
                ctx.q(
                    "",
                    r,
                    no_col,
                    Q_CONTEXT,
                    f"公开数据: 无对应计划指标 (仅作背景) public figure with no matching plan "
                    f"indicator (context only): {geo} {name} {year}",
                    raw_value=raw_value,
                    raw_name=name,
                    geo=geo,
                    period=year,
                )
                continue
            iid = by_no.get(no)
            if iid is None:
                ctx.q(
                    "",
                    r,
                    no_col,
                    Q_UNKNOWN,
                    f"公开数据: 计划中没有第 {no} 号指标 no plan indicator number {no}",
                    raw_value=raw_value,
                    raw_name=name,
                    geo=geo,
                    period=year,
                )
                continue
            scope = next(
                (x for x in _DIFFERENT_SCOPE if x[0] in name and (x[1] is None or self.kinds[iid] in x[1])),
                None,
            )
            if scope is not None:
                ctx.q(
                    "",
                    r,
                    col_letter(idx["indicator_cn"] + 1),
                    Q_POPULATION,
                    f"公开数据: 口径不同, {scope[2]} different population: {scope[3]} ({iid}); not mapped",
                    raw_value=raw_value,
                    raw_name=name,
                    indicator_id=iid,
                    geo=geo,
                    period=year,
                )
                continue
            try:
                period = parse_period(year)
            except PeriodError:
                ctx.q(
                    "",
                    r,
                    col_letter(idx["year"] + 1),
                    Q_NO_PERIOD,
                    f"年份无法识别 year not understood: {year!r}",
                    raw_value=raw_value,
                    raw_name=name,
                    indicator_id=iid,
                    geo=geo,
                )
                continue
            ytd = False
            # A sub-year span stated up front in the bracket ("(1-8月)", "(上半年,预计)") is a YTD figure;
            # one mentioned only as a possibility ("或为2017年1-9月") is not.
            sub = re.search(r"[(（]\s*(?:1\s*[-~～—至]\s*(\d{1,2})\s*月|(上半年))", normalize_text(name))
            if sub and sub.group(1) and 1 <= int(sub.group(1)) < 12:
                period, ytd = Period.month(period.year, int(sub.group(1))), True
            elif sub and sub.group(2):
                period, ytd = Period.quarter(period.year, 2), True
            if self.accum[iid] == "stock":
                ytd = False
            cat, why = self.period_problem(period, None, public=True)
            if cat:
                ctx.q(
                    "",
                    r,
                    col_letter(idx["year"] + 1),
                    cat,
                    why,
                    raw_value=raw_value,
                    raw_name=name,
                    indicator_id=iid,
                    geo=geo,
                    period=str(period),
                )
                continue
            pv = parse_value(raw_value)
            vcol = col_letter(idx["value"] + 1)
            if not pv.ok:
                ctx.q(
                    "",
                    r,
                    vcol,
                    Q_BAD_VALUE,
                    pv.reason,
                    raw_value=raw_value,
                    raw_name=name,
                    indicator_id=iid,
                    geo=geo,
                    period=str(period),
                )
                continue
            unit = canonical_unit_text(get(row, "unit"))
            value, conversion, cat, why = self.validate(iid, pv, unit, percent_explicit=True)
            if cat:
                ctx.q(
                    "",
                    r,
                    vcol,
                    cat,
                    why,
                    raw_value=raw_value,
                    raw_name=name,
                    indicator_id=iid,
                    geo=geo,
                    period=str(period),
                )
                continue
            note = "; ".join(x for x in (get(row, "quote"), get(row, "note")) if x)
            rec = {
                "indicator_id": iid,
                "geo": geo,
                "period": str(period),
                "value": value,
                "unit": self.units[iid],
                "source_file": ctx.rel,
                "source_row": r,
                "illustrative": False,
                "ytd": ytd,
                "source_sheet": "",
                "source_column": vcol,
                "raw_value": raw_value,
                "raw_unit": get(row, "unit"),
                "conversion": conversion,
                "qualifier": get(row, "qualifier") or pv.qualifier,
                "reported_at": "",
                "source": get(row, "source_url"),
                "note": note,
                "_period": period,
            }
            ctx.add(rec, None, provisional=any(w in name for w in _PROVISIONAL_WORDS))


def _data_rows(grid: Grid, header_row: int, report: FileReport):
    """(spreadsheet row number, cells) of each non-blank row below the header, counted in the report."""
    for r in range(header_row + 1, len(grid.rows) + 1):
        row = grid.rows[r - 1]
        if not row or not row_text(row):
            continue
        report.data_rows += 1
        report.cells += sum(1 for v in row if v is not None)
        yield r, row


def _cell_getter(idx: dict[str, int]):
    """``get(row, column_name)``: the text of a named column's cell, "" when the row is short."""

    def get(row: list[object], col: str) -> str:
        i = idx.get(col)
        if i is None or i >= len(row):
            return ""
        return cell_text(row[i])

    return get


def _is_text_line(row: list[object], name: str) -> bool:
    """A heading (一、创新投入) or a free-text remark line: one text cell, or a section heading as name."""
    if name and is_section_heading(name):
        return True
    filled = [v for v in row if cell_text(v)]
    if len(filled) != 1 or name:
        return False
    v = filled[0]
    if not isinstance(v, str):
        return False
    t = normalize_text(v)
    return is_section_heading(t) or (len(t) >= 6 and not re.fullmatch(r"[\d.,%\s-]+", t))


def _is_tidy(grid: Grid) -> bool:
    for row in (
        grid.rows[:1] if grid.rows and row_text(grid.rows[0]) else [r for r in grid.rows if row_text(r)][:1]
    ):
        header = {normalize_text(cell_text(h)).lower() for h in row}
        return {"indicator_id", "period", "value"} <= header
    return False


def _footnote_rows(grid: Grid, table: Table) -> set[int]:
    """Rows below the header that are footnotes (注：…, 填报日期 …), found once per table."""
    cached = getattr(table, "_footnote_rows", None)
    if cached is None:
        cached = {
            r
            for r in range(table.first_data_row, len(grid.rows) + 1)
            if grid.rows[r - 1] and is_footnote_line(grid.rows[r - 1])
        }
        table._footnote_rows = cached  # type: ignore[attr-defined]
    return cached


def _sheet_reported_at(grid: Grid, table: Table) -> dt.date | None:
    lines = [t for _, t in table.title_lines]
    rows = [grid.rows[i - 1] for i, _ in table.title_lines]
    for r in sorted(_footnote_rows(grid, table)):
        row = grid.rows[r - 1]
        lines.append(row_text(row))
        rows.append(row)
    found = find_reported_at(lines)
    if found:
        return found
    for row in rows:
        found = reported_at_in_row(row)
        if found:
            return found
    return None


def _period_from_path(rel: str) -> PeriodMatch | None:
    p = Path(rel)
    for part in [p.stem] + [q for q in reversed(p.parent.parts)]:
        m = extract_period(part)
        if m:
            return m
    return None


def _period_from_cell(v: object) -> PeriodMatch | None:
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


# --- resolution of duplicates and revisions -----------------------------------------------------
def _fact_key(rec: dict, stock_ids: set[str]) -> tuple:
    """What a value is a value *of*: a stock's reference point is the month its period ends, so
    2019Q3, 2019年1-9月 and 2019-09 are one fact; a flow's period is its own."""
    period: Period = rec["_period"]
    ref = (period.year, period.end_month) if rec["indicator_id"] in stock_ids else str(period)
    return (rec["geo"], rec["indicator_id"], ref, rec["ytd"])


def _rec_order(c: Candidate) -> tuple:
    r = c.rec
    return (r["source_file"], r["source_sheet"], int(r["source_row"] or 0), r["source_column"])


def resolve(
    candidates: list[Candidate], stock_ids: set[str] | None = None
) -> tuple[list[dict], list[dict], list[dict]]:
    """One value per fact (see :func:`_fact_key`). Returns (kept, quarantine, revisions).

    The winner must beat every submission with another value by a rule (:meth:`Precedence.beats`);
    when none does, every competing value goes to quarantine as a ``conflict`` for a person to decide.
    The same value reported under two period labels (2019Q3 and 2019-09 of a stock) is kept under both.
    """
    stock_ids = stock_ids or set()
    groups: dict[tuple, list[Candidate]] = {}
    for c in candidates:
        groups.setdefault(_fact_key(c.rec, stock_ids), []).append(c)
    kept: list[dict] = []
    quarantine: list[dict] = []
    revisions: list[dict] = []

    def base(old: dict) -> dict:
        return {
            "source_file": old["source_file"],
            "source_sheet": old["source_sheet"],
            "source_row": old["source_row"],
            "source_column": old["source_column"],
            "raw_value": old["raw_value"],
            "raw_name": "",
            "indicator_id": old["indicator_id"],
            "geo": old["geo"],
            "period": old["period"],
            "ytd": _bool(old["ytd"]),
            "reported_at": old["reported_at"],
            "illustrative": _bool(old["illustrative"]),
        }

    def where(r: dict) -> str:
        return _where(r["source_file"], r["source_sheet"], r["source_row"], r["source_column"])

    for group in groups.values():
        if len(group) == 1:
            kept.append(group[0].rec)
            continue
        group.sort(key=lambda c: (c.precedence.order, _rec_order(c)), reverse=True)
        # Compare one representative per (precedence, value): a big sheet repeating one indicator
        # must not cost n² comparisons.
        reps: dict[tuple, Candidate] = {}
        for c in group:
            reps.setdefault((c.precedence, c.rec["value"]), c)
        winner = next(
            (
                w
                for w in reps.values()
                if all(
                    o is w or o.rec["value"] == w.rec["value"] or w.precedence.beats(o.precedence)
                    for o in reps.values()
                )
            ),
            None,
        )
        if winner is None:
            # One short, shared description per group (a sheet repeating a fact 200 000 times must not
            # hold 200 000 long strings); each quarantine line names its own cell.
            values = sorted({c.rec["value"] for c in group})
            shown = ", ".join(format_number(v) for v in values[:6]) + (" …" if len(values) > 6 else "")
            first = min(group, key=_rec_order).rec
            about = (
                f"同一数据有 {len(values)} 个不同数值 ({shown}), 无法判定哪个正确, 请人工核实 "
                f"{len(group)} conflicting submissions of {first['indicator_id']} {first['period']} "
                f"({first['geo']}) and no rule decides (same or missing 填报日期, none marked 更正/修订); "
                f"see the other lines of category conflict"
            )
            for c in group:
                quarantine.append(
                    {**base(c.rec), "category": Q_UNRESOLVED, "reason": f"{where(c.rec)}: {about}"}
                )
            continue
        w = winner.rec
        kept.append(w)
        labels = {w["period"]}
        for c in group:
            if c is winner:
                continue
            old = c.rec
            here = where(old)
            if old["value"] == w["value"]:
                if old["period"] not in labels:  # the same fact under another period label: consistent
                    labels.add(old["period"])
                    kept.append(old)
                    continue
                quarantine.append(
                    {
                        **base(old),
                        "category": Q_DUPLICATE,
                        "reason": f"{here}: 重复数据, 同值只保留一次 duplicate of {where(w)} with the same "
                        f"value {format_number(old['value'])} (kept once)",
                    }
                )
                continue
            why = winner.precedence.beats(c.precedence)
            revisions.append(
                {
                    "indicator_id": old["indicator_id"],
                    "geo": old["geo"],
                    "period": old["period"],
                    "ytd": _bool(old["ytd"]),
                    "old_value": format_number(old["value"]),
                    "new_value": format_number(w["value"]),
                    "unit": old["unit"],
                    "old_source_file": old["source_file"],
                    "old_source_sheet": old["source_sheet"],
                    "old_source_row": old["source_row"],
                    "old_source_column": old["source_column"],
                    "old_reported_at": old["reported_at"],
                    "new_source_file": w["source_file"],
                    "new_source_sheet": w["source_sheet"],
                    "new_source_row": w["source_row"],
                    "new_source_column": w["source_column"],
                    "new_reported_at": w["reported_at"],
                    "reason": why,
                }
            )
            quarantine.append(
                {
                    **base(old),
                    "category": Q_SUPERSEDED,
                    "reason": f"{here}: 已被更正 superseded: {format_number(old['value'])} "
                    f"({old['period']}) replaced by {format_number(w['value'])} ({w['period']}) "
                    f"from {where(w)} ({why}; see revisions.csv)",
                }
            )
    return kept, quarantine, revisions


def jump_flags(kept: list[dict], cleaner: Cleaner) -> list[dict]:
    """Values kept but flagged for checking: more than :data:`JUMP_FACTOR` times larger or smaller than
    the previous period of the same series (same geo, indicator, frequency and ytd). Each flag is a
    quarantine line of category ``implausible_jump``; the observation itself stays."""
    series: dict[tuple, list[dict]] = {}
    for r in kept:
        series.setdefault((r["geo"], r["indicator_id"], r["_period"].freq, r["ytd"]), []).append(r)
    flags = []
    for recs in series.values():
        recs.sort(key=lambda r: r["_period"].sort_key)
        for prev, cur in itertools.pairwise(recs):
            a, b = prev["value"], cur["value"]
            if cur["ytd"] and prev["_period"].year != cur["_period"].year:
                continue  # a year-to-date total starts again in January
            if a <= 0 or b <= 0 or (b / a < JUMP_FACTOR and a / b < JUMP_FACTOR):
                continue
            where_prev = _where(
                prev["source_file"], prev["source_sheet"], prev["source_row"], prev["source_column"]
            )
            flags.append(
                {
                    "source_file": cur["source_file"],
                    "source_sheet": cur["source_sheet"],
                    "source_row": cur["source_row"],
                    "source_column": cur["source_column"],
                    "category": Q_JUMP,
                    "reason": (
                        f"{_where(cur['source_file'], cur['source_sheet'], cur['source_row'], cur['source_column'])}: "
                        f"与上期相比变化异常, 已保留, 请核实 kept but please check: {format_number(b)} for "
                        f"{cur['period']} against {format_number(a)} for {prev['period']} ({where_prev}), "
                        f"a change of more than {JUMP_FACTOR:g} times"
                    ),
                    "raw_value": cur["raw_value"],
                    "raw_name": "",
                    "indicator_id": cur["indicator_id"],
                    "geo": cur["geo"],
                    "period": cur["period"],
                    "ytd": _bool(cur["ytd"]),
                    "reported_at": cur["reported_at"],
                    "illustrative": _bool(cur["illustrative"]),
                }
            )
    return flags


# --- the run -------------------------------------------------------------------------------------
# Files kept beside the data that are documentation, not data: listed as ignored, never quarantined.
_DOC_SUFFIXES = (".md", ".txt.md")


def display_name(rel: str) -> str:
    """A path as text that can always be printed and written: file names arrive in any byte encoding
    (GBK names unzipped from a Windows archive come back from the OS as undecodable bytes)."""
    try:
        rel.encode("utf-8")
        return rel
    except UnicodeEncodeError:
        pass
    data = os.fsencode(rel)
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


@dataclass
class Discovery:
    files: list[Path]  # to read, sorted
    ignored: list[str]  # documentation, Office lock files and hidden files (relative paths)
    refused: list[tuple[str, str, str]]  # (relative path, quarantine category, reason): never read
    marked: set[Path]  # folders marked illustrative
    reference: list[str] = field(default_factory=list)  # reference data read by another stage, not by clean


def discover(raw: Path) -> Discovery:
    """Every file under ``submissions/`` and ``public/``, each either to read, ignored (documentation,
    Office lock files) or refused with a reason (unsupported type, hidden, a link leading out of raw).
    Links are never followed out of the raw folder and hidden folders are not entered."""
    raw = Path(raw)
    raw_real = raw.resolve()
    found = Discovery([], [], [], set())

    def rel_of(p: Path) -> str:
        return display_name(p.relative_to(raw).as_posix())

    def inside_raw(p: Path) -> bool:
        try:
            p.resolve().relative_to(raw_real)
            return True
        except (ValueError, OSError, RuntimeError):
            return False

    # Anything at the top of raw besides submissions/, public/ and plans/ (read by the plan loader) is
    # named, not read: a submission saved one folder too high must not vanish.
    known_tops = {SUBMISSIONS_DIR, PUBLIC_FILE.parent.name, "plans"}
    for entry in sorted(raw.iterdir()):
        name = entry.name
        if name in known_tops and entry.is_dir() and not entry.is_symlink():
            continue
        rel = rel_of(entry)
        if entry.is_symlink() and not inside_raw(entry):
            found.refused.append(
                (
                    rel,
                    Q_OUTSIDE,
                    "链接指向原始数据目录之外, 未读取 a link leading outside the raw "
                    "data folder (not followed)",
                )
            )
        elif name.startswith(".") and entry.is_dir():
            found.refused.append((rel, Q_HIDDEN, "隐藏文件夹未读取 hidden folder, not read"))
        elif name.startswith(("~$", ".")) or name.lower().endswith(_DOC_SUFFIXES):
            found.ignored.append(rel)
        else:
            found.refused.append(
                (
                    rel,
                    Q_UNSUPPORTED,
                    f"未读取 not read: only {SUBMISSIONS_DIR}/ and "
                    f"{PUBLIC_FILE.as_posix()} are read; put submissions under "
                    f"{SUBMISSIONS_DIR}/",
                )
            )
    for top in (raw / SUBMISSIONS_DIR, raw / PUBLIC_FILE.parent):
        if not top.is_dir() or top.is_symlink():
            continue
        for folder, dirnames, filenames in os.walk(top, followlinks=False):
            here = Path(folder)
            for d in sorted(dirnames):
                p = here / d
                if p.is_symlink():
                    why = (
                        "链接指向原始数据目录之外, 未读取 a link to a folder outside the raw data folder (not followed)"
                        if not inside_raw(p)
                        else "文件夹链接未读取 a link to a folder (not followed; its target is "
                        "read where it lives)"
                    )
                    found.refused.append((rel_of(p), Q_OUTSIDE, why))
                elif d.startswith("."):
                    found.refused.append(
                        (
                            rel_of(p),
                            Q_HIDDEN,
                            "隐藏文件夹未读取 hidden folder, not read "
                            "(e.g. .git); move data out of it to have it read",
                        )
                    )
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not (here / d).is_symlink())
            for name in sorted(filenames):
                p = here / name
                rel = rel_of(p)
                if top.name == PUBLIC_FILE.parent.name and name == PUBLIC_FILE.name:
                    kind = "public"
                else:
                    kind = "submission"
                if p.is_symlink() and not inside_raw(p):
                    found.refused.append(
                        (
                            rel,
                            Q_OUTSIDE,
                            "链接指向原始数据目录之外, 未读取 a link to a file outside "
                            "the raw data folder (not followed)",
                        )
                    )
                    continue
                if not p.is_file():
                    found.refused.append(
                        (rel, Q_UNSUPPORTED, "不是普通文件 not a regular file (device, pipe or broken link)")
                    )
                    continue
                if name == ILLUSTRATIVE_MARKER:
                    found.marked.add(here)
                    continue
                # Documentation, Office lock files (~$) and hidden files (.gitkeep, .DS_Store): listed, not read.
                if name.startswith(("~$", ".")) or name.lower().endswith(_DOC_SUFFIXES):
                    found.ignored.append(rel)
                    continue
                if kind == "public":
                    found.files.append(p)
                elif top.name == PUBLIC_FILE.parent.name and here.relative_to(top).parts[:1] == (
                    CALIBRATION_DIR,
                ):
                    # The forecast's calibration panel (gxq_analysis.calibration reads it), not clean input.
                    found.reference.append(rel)
                elif top.name == PUBLIC_FILE.parent.name:
                    found.refused.append(
                        (
                            rel,
                            Q_UNSUPPORTED,
                            f"未读取 not read: only {PUBLIC_FILE.name} is read from {PUBLIC_FILE.parent}/",
                        )
                    )
                elif p.suffix.lower() in SPREADSHEET_SUFFIXES:
                    found.files.append(p)
                else:
                    found.refused.append(
                        (
                            rel,
                            Q_UNSUPPORTED,
                            (
                                f"不支持的文件类型, 未读取 unsupported file type '{display_name(p.suffix) or '(none)'}', not "
                                "read; save it as .xlsx or .csv (UTF-8 or GBK) and resubmit"
                            ),
                        )
                    )
    found.files.sort(key=lambda p: (p.relative_to(raw).parts[0] != SUBMISSIONS_DIR, p.as_posix()))
    return found


def _is_illustrative(path: Path, raw: Path, marked: set[Path]) -> bool:
    for parent in path.parents:
        if parent in marked:
            return True
        if parent == raw:
            break
    return False


def clean(raw: Path, plan: Plan, progress: bool = False, today: dt.date | None = None) -> CleanResult:
    raw = Path(raw)
    if not raw.is_dir():
        raise CleanError(f"raw data folder not found: {raw}")
    found = discover(raw)
    files, ignored, marked = found.files, found.ignored, found.marked
    cleaner = Cleaner(plan, today=today)
    all_candidates: list[Candidate] = []
    quarantine: list[dict] = []
    reports: list[FileReport] = []
    iterator = files
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(files, desc="gxq clean", unit="file", file=sys.stderr, leave=False)
        iterator = bar
    for rel, category, reason in found.refused:
        quarantine.append(
            {c: "" for c in QUARANTINE_COLUMNS}
            | {
                "source_file": rel,
                "category": category,
                "reason": f"{rel}: {reason}",
                "illustrative": _bool(False),
            }
        )
    for path in iterator:
        rel = display_name(path.relative_to(raw).as_posix())
        rep = FileReport(rel, illustrative=_is_illustrative(path, raw, marked))
        ctx = cleaner.clean_file(path, rel, rep.illustrative, rep)
        rep.candidates = len(ctx.candidates)
        rep.quarantined = len(ctx.quarantine)
        all_candidates.extend(ctx.candidates)
        quarantine.extend(ctx.quarantine)
        reports.append(rep)
    if bar is not None:
        bar.close()
    stock_ids = {iid for iid, acc in cleaner.accum.items() if acc == "stock"}
    kept, q2, revisions = resolve(all_candidates, stock_ids)
    quarantine.extend(q2)
    quarantine.extend(jump_flags(kept, cleaner))
    kept.sort(
        key=lambda r: (
            r["indicator_id"],
            r["geo"],
            r["_period"].sort_key,
            r["ytd"],
            r["source_file"],
            r["source_sheet"],
            r["source_row"],
            r["source_column"],
        )
    )
    quarantine.sort(
        key=lambda q: (
            q["source_file"],
            q["source_sheet"],
            -1 if q["source_row"] == "" else int(q["source_row"]),
            q["source_column"],
            q["category"],
            q["reason"],
        )
    )
    revisions.sort(
        key=lambda v: (
            v["indicator_id"],
            v["geo"],
            parse_period(v["period"]).sort_key,
            v["ytd"],
            v["old_source_file"],
            str(v["old_source_row"]),
        )
    )
    return CleanResult(kept, quarantine, revisions, reports, ignored, found.refused, found.reference)


# OWASP CSV-injection guidance: a cell that starts with one of these is run as a formula by spreadsheet
# programs; a leading apostrophe makes it text and keeps it readable. Full-width forms are included
# because some spreadsheet programs normalise them.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"[-+]?(?:\d[\d,]*)?\.?\d+(?:[eE][-+]?\d+)?%?")


_FORMULA_FIRST = frozenset(c[0] for c in _FORMULA_START)


def neutralise(text: str) -> str:
    """Text safe to open in Excel: formulas become text (numbers such as -5 are left alone)."""
    if text and text[0] in _FORMULA_FIRST and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _csv_cells(r: dict, columns: list[str]) -> list[object]:
    out = []
    for c in columns:
        v = r.get(c, "")
        if type(v) is str:  # the common case first
            if v and v[0] in _FORMULA_FIRST:
                v = neutralise(v)
        elif isinstance(v, bool):
            v = _bool(v)
        elif isinstance(v, float):
            v = format_number(v)
        elif v is None:
            v = ""
        out.append(v)
    return out


def _csv_text(rows: list[dict], columns: list[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow(_csv_cells(r, columns))
    return buf.getvalue()


def _write_csv(path: Path, rows: list[dict], columns: list[str], encoding: str) -> None:
    """Stream rows to a file (a 200 000-line quarantine is never held as one string)."""
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow(_csv_cells(r, columns))


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def manifest(result: CleanResult, plan: Plan) -> dict:
    return {
        "plan": plan.id,
        "files": [
            {
                k: v
                for k, v in {
                    "path": f.path,
                    "sha256": f.sha256,
                    "bytes": f.bytes,
                    "kind": f.kind,
                    "encoding": f.encoding,
                    "sheets": f.sheets,
                    "data_rows": f.data_rows,
                    "cells": f.cells,
                    "values": f.candidates,
                    "quarantined": f.quarantined,
                    "reported_at": f.reported_at,
                    "reporting_unit": f.reporting_unit,
                    "illustrative": f.illustrative,
                }.items()
                if v not in ("", None)
            }
            for f in result.files
            if not f.unreadable
        ],
        "unreadable": [
            {"path": f.path, "sha256": f.sha256, "reason": f.unreadable} for f in result.unreadable
        ],
        "ignored": result.ignored,
        "reference": result.reference,
        "not_read": [{"path": rel, "category": cat, "reason": why} for rel, cat, why in result.refused],
        "totals": {
            "files_read": len(result.files) - len(result.unreadable),
            "files_unreadable": len(result.unreadable),
            "files_not_read": len(result.refused),
            "data_rows": sum(f.data_rows for f in result.files),
            "observations": len(result.observations),
            "quarantined": len(result.quarantine),
            "revisions": len(result.revisions),
        },
    }


OUTPUT_FILES = ("observations.csv", "quarantine.csv", "revisions.csv")
MANIFEST_FILE = "manifest.json"


def write_outputs(result: CleanResult, plan: Plan, out: Path) -> None:
    """Write the output set as one: every file is written into a staging folder beside the outputs
    first (a full disk or a kill leaves the previous set untouched), then renamed into place, the
    manifest last. The manifest records each output's rows and sha256, which loaders verify, so a set
    mixed by a crash between two renames, or a truncated file, is refused rather than used."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".clean-staging-", dir=out))
    try:
        _write_csv(stage / "observations.csv", result.observations, OBSERVATION_COLUMNS, "utf-8")
        # Human-facing logs carry a BOM so that Excel opens the Chinese text correctly.
        _write_csv(stage / "quarantine.csv", result.quarantine, QUARANTINE_COLUMNS, "utf-8-sig")
        _write_csv(stage / "revisions.csv", result.revisions, REVISION_COLUMNS, "utf-8-sig")
        meta = manifest(result, plan)
        counts = {
            "observations.csv": len(result.observations),
            "quarantine.csv": len(result.quarantine),
            "revisions.csv": len(result.revisions),
        }
        meta["outputs"] = {
            name: {"rows": counts[name], "sha256": file_sha256(stage / name)} for name in OUTPUT_FILES
        }
        text = json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
        (stage / MANIFEST_FILE).write_text(text, encoding="utf-8")
        for name in OUTPUT_FILES + (MANIFEST_FILE,):
            os.replace(stage / name, out / name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def stale_inputs(raw: Path, processed: Path) -> list[str]:
    """What changed under ``raw`` since the clean that wrote ``processed`` (new, changed, removed
    files, by sha256), as "path (new|changed|removed)" lines; empty when the clean table is current."""
    manifest_path = Path(processed) / MANIFEST_FILE
    if not manifest_path.is_file():
        return [f"{manifest_path} (missing: the clean table has no manifest)"]
    try:
        meta = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [f"{manifest_path} (unreadable)"]
    known = {f.get("path"): f.get("sha256", "") for f in meta.get("files", []) + meta.get("unreadable", [])}
    known_other = {x.get("path") for x in meta.get("not_read", [])} | set(meta.get("ignored", []))
    found = discover(raw)
    changes = []
    seen = set()
    for path in found.files:
        rel = display_name(path.relative_to(raw).as_posix())
        seen.add(rel)
        if rel not in known:
            changes.append(f"{rel} (new)")
            continue
        try:
            digest = file_sha256(path)
        except OSError:
            digest = ""
        if known[rel] and digest != known[rel]:
            changes.append(f"{rel} (changed)")
    for rel, _, _ in found.refused:
        seen.add(rel)
        if rel not in known_other:
            changes.append(f"{rel} (new)")
    seen |= set(found.ignored)
    changes += [f"{rel} (removed)" for rel in sorted(set(known) - seen)]
    return changes


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.resolve().relative_to(parent.resolve())
        return True
    except ValueError:
        return False


def summary(result: CleanResult, out: Path) -> str:
    rows_clean = len({(o["source_file"], o["source_sheet"], o["source_row"]) for o in result.observations})
    rows_q = len(
        {
            (q["source_file"], q["source_sheet"], q["source_row"])
            for q in result.quarantine
            if q["source_row"] != ""
        }
        - {(o["source_file"], o["source_sheet"], o["source_row"]) for o in result.observations}
    )
    lines = [
        f"gxq clean: {len(result.files) - len(result.unreadable)} files read, "
        f"{len(result.unreadable)} unreadable, {len(result.refused)} not read; {len(result.observations)} observations from {rows_clean} rows; "
        f"{len(result.quarantine)} quarantine entries ({rows_q} rows with no clean value); "
        f"{len(result.revisions)} revisions",
    ]
    for f in result.unreadable:
        lines.append(f"  unreadable: {f.path}: {f.unreadable}")
    for rel, category, why in result.refused:
        lines.append(f"  not read ({category}): {rel}: {why}")
    if result.ignored:
        lines.append(f"  ignored (documentation, Office lock and hidden files): {', '.join(result.ignored)}")
    if result.reference:
        lines.append(
            f"  reference data (the forecast calibration panel; read by gxq_analysis.calibration, not by "
            f"clean): {len(result.reference)} files under public/{CALIBRATION_DIR}/"
        )
    cats: dict[str, int] = {}
    for q in result.quarantine:
        cats[q["category"]] = cats.get(q["category"], 0) + 1
    if cats:
        lines.append("  quarantine by category: " + ", ".join(f"{k} {v}" for k, v in sorted(cats.items())))
    lines.append(f"  wrote {out / 'observations.csv'}, quarantine.csv, revisions.csv, manifest.json")
    return "\n".join(lines)


def command_clean(args) -> int:
    raw = Path(args.raw)
    out = Path(args.out)
    if not raw.is_dir():
        print(f"gxq clean: raw data folder not found: {raw}", file=sys.stderr)
        return 2
    if _inside(out, raw):
        print(
            f"gxq clean: refusing to write into the raw data folder ({out} is inside {raw})", file=sys.stderr
        )
        return 2
    plan = load_plan(args.plan)
    files = discover(raw).files
    show = (
        not getattr(args, "no_progress", False)
        and len(files) > 1
        and (sys.stderr.isatty() or len(files) > 20)
    )
    try:
        result = clean(raw, plan, progress=show)
        write_outputs(result, plan, out)
    except CleanError as exc:
        print(f"gxq clean: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"gxq clean: cannot write outputs: {exc}", file=sys.stderr)
        return 2
    print(summary(result, out))
    return 0

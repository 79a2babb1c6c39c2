"""The plan as data: load and validate a plan folder (DESIGN §3).

A plan folder holds ``indicators.csv`` and ``targets.csv`` (required) and ``plan.json`` (optional
metadata: title, zone name, years). Nothing in the package hard-codes an indicator; the next
three-year plan is another folder.

:func:`load_plan` gives the analysis its :class:`Plan` of DataFrames. :func:`load_catalogue` gives the
same validated rows as plain Python data (:class:`Catalogue`), without importing pandas: all a clean
needs (names, aliases, units, kinds, bounds, targets' minima), so ``gxq clean`` starts faster. Both
run the one validation, so they cannot disagree.
"""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import DEFAULT_PLAN_DIR
from .flags import is_true

if TYPE_CHECKING:
    import pandas as pd

INDICATOR_REQUIRED = ("id", "name_zh", "name_en", "unit", "direction")
TARGET_REQUIRED = ("indicator_id", "year", "target")
DIRECTIONS = ("higher", "lower")
KINDS = ("share", "count", "amount", "rank", "ratio", "index")
ACCUMULATIONS = ("stock", "flow")
FREQUENCIES = ("monthly", "quarterly", "annual")
# A submission is due this many days after the period ends when the catalogue gives no due_days.
DEFAULT_DUE_DAYS = 15
_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

# Defaults for optional indicator columns (DESIGN §3: "a sensible default when absent").
INDICATOR_DEFAULTS: dict[str, str] = {
    "no": "",
    "dimension": "",
    "kind": "",
    "accumulation": "stock",
    "frequency": "annual",
    "department": "",
    "due_days": "",
    "lower_bound": "",
    "upper_bound": "",
    "in_table": "true",
    "aliases": "",
    "source_sentence": "",
}


class PlanError(ValueError):
    """A plan folder that is not valid. The message names the file, row and column."""

    def __init__(self, file: Path | str, message: str, row: int | None = None, column: str | None = None):
        self.file = str(file)
        self.row = row
        self.column = column
        where = self.file
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")


class _PlanMeta:
    """What ``plan.json`` and the targets' years say, shared by :class:`Plan` and :class:`Catalogue`."""

    folder: Path
    meta: dict

    @property
    def years(self) -> list[int]:
        raise NotImplementedError

    @property
    def id(self) -> str:
        return str(self.meta.get("id", self.folder.name))

    @property
    def zone_geo(self) -> str:
        return str(self.meta.get("zone_geo", "zone"))

    @property
    def title(self) -> str:
        return str(self.meta.get("title_zh", self.id))

    def title_in(self, lang: str) -> str:
        return str(self.meta.get(f"title_{lang}", self.title))

    @property
    def end_year(self) -> int:
        return int(self.meta.get("end_year", max(self.years)))

    @property
    def start_year(self) -> int:
        return int(self.meta.get("start_year", min(self.years)))


@dataclass
class Catalogue(_PlanMeta):
    """A validated plan as plain Python data (no pandas): each indicator's catalogue row (every column
    as text, with the defaults filled in, plus ``in_table`` as a bool and ``_row``, its line in
    ``indicators.csv``), in file order, and the targets. :func:`as_catalogue` turns a :class:`Plan`
    into one."""

    folder: Path
    indicators: dict[str, dict[str, object]]  # id -> row
    targets: list[dict[str, object]]  # indicator_id, year (int), target (float), source, note, _row
    meta: dict = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return sorted({int(str(t["year"])) for t in self.targets})

    def ids(self) -> list[str]:
        return list(self.indicators)

    def text(self, indicator_id: str, column: str) -> str:
        return str(self.indicators[indicator_id][column])

    def name(self, indicator_id: str, lang: str = "zh") -> str:
        return self.text(indicator_id, "name_en" if lang == "en" else "name_zh")

    def aliases(self, indicator_id: str) -> list[str]:
        raw = str(self.indicators[indicator_id]["aliases"] or "")
        return [a.strip() for a in raw.split("|") if a.strip()]

    def bounds(self, indicator_id: str) -> tuple[float | None, float | None]:
        row = self.indicators[indicator_id]
        return _opt_float(row["lower_bound"]), _opt_float(row["upper_bound"])

    def by_number(self) -> dict[str, str]:
        """Map the plan table's numbers ("1".."16") to indicator ids."""
        return {str(row["no"]): iid for iid, row in self.indicators.items() if str(row["no"]).strip()}

    def min_targets(self) -> dict[str, float]:
        """Each indicator's smallest target (indicators with targets only)."""
        low: dict[str, float] = {}
        for t in self.targets:
            iid, value = str(t["indicator_id"]), float(str(t["target"]))
            low[iid] = min(low.get(iid, value), value)
        return low


@dataclass
class Plan(_PlanMeta):
    """A validated plan: its indicator catalogue, its targets and its metadata."""

    folder: Path
    indicators: pd.DataFrame  # index: id
    targets: pd.DataFrame  # columns: indicator_id, year, target, source, note
    meta: dict = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.targets["year"].unique())

    def indicator(self, indicator_id: str) -> pd.Series:
        return self.indicators.loc[indicator_id]

    def name(self, indicator_id: str, lang: str = "zh") -> str:
        return str(self.indicators.at[indicator_id, "name_en" if lang == "en" else "name_zh"])

    def targets_for(self, indicator_id: str) -> pd.DataFrame:
        t = self.targets[self.targets["indicator_id"] == indicator_id]
        return t.sort_values("year").reset_index(drop=True)

    def target(self, indicator_id: str, year: int) -> float | None:
        t = self.targets[(self.targets["indicator_id"] == indicator_id) & (self.targets["year"] == year)]
        return None if t.empty else float(t["target"].iloc[0])

    def aliases(self, indicator_id: str) -> list[str]:
        raw = str(self.indicators.at[indicator_id, "aliases"] or "")
        return [a.strip() for a in raw.split("|") if a.strip()]

    def bounds(self, indicator_id: str) -> tuple[float | None, float | None]:
        row = self.indicators.loc[indicator_id]
        return _opt_float(row["lower_bound"]), _opt_float(row["upper_bound"])

    def department(self, indicator_id: str) -> str:
        """The department that reports the indicator ("" when the catalogue does not say)."""
        return str(self.indicators.at[indicator_id, "department"] or "").strip()

    def due_days(self, indicator_id: str) -> int:
        """Days after the period's end by which the indicator's submission is due."""
        text = str(self.indicators.at[indicator_id, "due_days"] or "").strip()
        return int(text) if text else DEFAULT_DUE_DAYS

    def by_number(self) -> dict[str, str]:
        """Map the plan table's numbers ("1".."16") to indicator ids."""
        return {str(no): iid for iid, no in self.indicators["no"].items() if str(no).strip()}


def _opt_float(value: object) -> float | None:
    if value is None:
        return None
    s = str(value).strip()
    if not s:
        return None
    return float(s)


def _read_csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    if not path.exists():
        raise PlanError(path, "file is missing")
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in (reader.fieldnames or [])]
            rows = []
            for row in reader:
                if None in row:
                    raise PlanError(path, "more cells than header columns", row=reader.line_num)
                rows.append({k.strip(): (v or "").strip() for k, v in row.items()})
    except UnicodeDecodeError as exc:
        raise PlanError(path, f"not UTF-8 text ({exc.reason})") from exc
    if not header:
        raise PlanError(path, "file is empty (no header line)")
    return header, rows


def _require_columns(path: Path, header: list[str], required: tuple[str, ...]) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        raise PlanError(path, f"missing required column(s): {', '.join(missing)}", row=1)


def _finite_number(path: Path, text: str, row: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise PlanError(path, f"not a number: {text!r}", row=row, column=column) from None
    if not math.isfinite(value):
        raise PlanError(path, f"not a finite number: {text!r}", row=row, column=column)
    return value


def read_json_object(path: Path, error: type[PlanError] = PlanError) -> dict:
    """A plan-folder JSON file holding one object; ``error`` (a PlanError) names file and line if not."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise error(path, f"invalid JSON: {exc.msg}", row=exc.lineno) from exc
    if not isinstance(data, dict):
        raise error(path, "must hold a JSON object")
    return data


def plan_meta(folder: Path | str) -> dict:
    """``plan.json`` of a plan folder without loading the plan, for code that only needs its title or
    zone before the notebooks run: ``{}`` when absent or unreadable (the full load reports the error)."""
    try:
        return read_json_object(Path(folder) / "plan.json")
    except (OSError, PlanError):
        return {}


def as_catalogue(plan: Plan | Catalogue) -> Catalogue:
    """The plan's :class:`Catalogue`: a catalogue as it is, a :class:`Plan` read from its DataFrames as
    they are now."""
    if isinstance(plan, Catalogue):
        return plan
    indicators = {
        str(iid): {str(col): _plain(v) for col, v in row.items()}
        for iid, row in zip(plan.indicators.index, plan.indicators.to_dict("records"))
    }
    targets = [{str(col): _plain(v) for col, v in row.items()} for row in plan.targets.to_dict("records")]
    return Catalogue(folder=plan.folder, indicators=indicators, targets=targets, meta=plan.meta)


def _plain(value: object) -> object:
    """A numpy scalar as the Python value it holds (``item()``); anything else as it is."""
    item = getattr(value, "item", None)
    return item() if callable(item) and not isinstance(value, (str, bytes)) else value


def load_plan(folder: Path | str | None = None) -> Plan:
    """Load and validate a plan folder; raise PlanError naming file, row and column on a bad one."""
    import pandas as pd  # here, not at the top: a clean reads the plan through load_catalogue, without pandas

    cat = load_catalogue(folder)
    indicators = pd.DataFrame.from_records(list(cat.indicators.values())).set_index("id", drop=False)
    indicators.index.name = None
    targets = pd.DataFrame.from_records(cat.targets)
    return Plan(folder=cat.folder, indicators=indicators, targets=targets, meta=cat.meta)


def load_catalogue(folder: Path | str | None = None) -> Catalogue:
    """Load and validate a plan folder as plain Python data (see :class:`Catalogue`); raise PlanError
    naming file, row and column on a bad one."""
    folder = Path(folder) if folder is not None else DEFAULT_PLAN_DIR
    if not folder.is_dir():
        raise PlanError(folder, "plan folder not found")

    ind_path = folder / "indicators.csv"
    header, rows = _read_csv_rows(ind_path)
    _require_columns(ind_path, header, INDICATOR_REQUIRED)
    seen: dict[str, int] = {}
    records: list[dict[str, object]] = []
    for i, row in enumerate(rows, start=2):  # row 1 is the header line
        rec = {
            **INDICATOR_DEFAULTS,
            **{k: v for k, v in row.items() if v != "" or k not in INDICATOR_DEFAULTS},
        }
        for col in INDICATOR_REQUIRED:
            if not rec.get(col):
                raise PlanError(ind_path, "empty value", row=i, column=col)
        iid = rec["id"]
        if not _ID_PATTERN.match(iid):
            raise PlanError(
                ind_path, f"id {iid!r} must be lower-case letters, digits and _", row=i, column="id"
            )
        if iid in seen:
            raise PlanError(ind_path, f"duplicate id {iid!r} (first at row {seen[iid]})", row=i, column="id")
        seen[iid] = i
        if rec["direction"] not in DIRECTIONS:
            raise PlanError(
                ind_path,
                f"unknown direction {rec['direction']!r} (expected higher or lower)",
                row=i,
                column="direction",
            )
        if rec["kind"] and rec["kind"] not in KINDS:
            raise PlanError(
                ind_path,
                f"unknown kind {rec['kind']!r} (expected one of {', '.join(KINDS)})",
                row=i,
                column="kind",
            )
        if rec["accumulation"] not in ACCUMULATIONS:
            raise PlanError(
                ind_path,
                f"unknown accumulation {rec['accumulation']!r} (expected stock or flow)",
                row=i,
                column="accumulation",
            )
        if rec["frequency"] not in FREQUENCIES:
            raise PlanError(ind_path, f"unknown frequency {rec['frequency']!r}", row=i, column="frequency")
        if rec["due_days"] and not re.fullmatch(r"\d{1,4}", rec["due_days"]):
            raise PlanError(
                ind_path,
                f"due_days {rec['due_days']!r} must be a whole number of days",
                row=i,
                column="due_days",
            )
        for col in ("lower_bound", "upper_bound"):
            if rec[col]:
                _finite_number(ind_path, rec[col], i, col)
        if not rec["kind"]:
            rec["kind"] = "share" if rec["unit"] == "%" else "amount"
        if rec["kind"] == "share" and not rec["upper_bound"]:
            rec["lower_bound"], rec["upper_bound"] = rec["lower_bound"] or "0", "100"
        records.append({**rec, "in_table": is_true(rec["in_table"]), "_row": i})
    if not records:
        raise PlanError(ind_path, "no indicators")
    indicators = {str(rec["id"]): rec for rec in records}
    numbers = [rec["no"] for rec in records if rec["no"]]
    dup_numbers = {n for n in numbers if numbers.count(n) > 1}
    if dup_numbers:
        bad = [rec for rec in records if rec["no"] in dup_numbers][1]
        raise PlanError(
            ind_path, f"duplicate table number {bad['no']!r}", row=int(str(bad["_row"])), column="no"
        )

    tgt_path = folder / "targets.csv"
    header, rows = _read_csv_rows(tgt_path)
    _require_columns(tgt_path, header, TARGET_REQUIRED)
    trecords = []
    tseen: dict[tuple[str, int], int] = {}
    for i, row in enumerate(rows, start=2):
        iid = row.get("indicator_id", "")
        if iid not in seen:
            raise PlanError(tgt_path, f"target for unknown indicator {iid!r}", row=i, column="indicator_id")
        year_text = row.get("year", "")
        if not re.fullmatch(r"\d{4}", year_text):
            raise PlanError(tgt_path, f"year {year_text!r} is not a four-digit year", row=i, column="year")
        year = int(year_text)
        target = _finite_number(tgt_path, row.get("target", ""), i, "target")
        key = (iid, year)
        if key in tseen:
            raise PlanError(
                tgt_path,
                f"second target for {iid} in {year} (first at row {tseen[key]})",
                row=i,
                column="year",
            )
        tseen[key] = i
        lo, hi = (_opt_float(indicators[iid][c]) for c in ("lower_bound", "upper_bound"))
        if (lo is not None and target < lo) or (hi is not None and target > hi):
            raise PlanError(
                tgt_path,
                f"target {target:g} outside the indicator's bounds [{lo}, {hi}]",
                row=i,
                column="target",
            )
        trecords.append(
            {
                "indicator_id": iid,
                "year": year,
                "target": target,
                "source": row.get("source", ""),
                "note": row.get("note", ""),
                "_row": i,
            }
        )
    if not trecords:
        raise PlanError(tgt_path, "no targets")
    meta_path = folder / "plan.json"
    meta = read_json_object(meta_path) if meta_path.exists() else {}
    return Catalogue(folder=folder, indicators=indicators, targets=trecords, meta=meta)

"""`gxq submissions`: which department has reported a period, what is missing, what came late.

Built only from what ``gxq clean`` wrote (``observations.csv``, ``quarantine.csv``, ``manifest.json``)
and the catalogue (department, frequency, due_days; see :mod:`gxq_analysis.model.departments`):

- a file belongs to the department its 填报单位 names (manifest ``reporting_unit``), else the one its
  folder or file name names, else to 未识别部门; public figures are not submissions;
- a file is for the period when one of its rows carries a period that answers the period's form
  (:func:`~gxq_analysis.model.departments.covers`), or, with no such row, when its path names the period;
- an indicator is *received* when a file of its department for the period carries a value for it
  (clean, or quarantined for a person to fix, or superseded by a correction; a blank row is not a value);
- it is *late* when the first 填报日期 that brought it is after the form's deadline; the date is the one
  the file states (reported_at), never the file's modification time; a file without a date is
  ``undated`` and never counted late;
- a department with no file for the period is ``missing`` (status 未报送).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import text
from ..ingest.quarantine import Q_NO_VALUE, needs_check
from ..model.departments import (
    UNATTRIBUTED,
    attribute,
    covers,
    deadline,
    form_indicators,
    load_departments,
    period_of_path,
    within,
)
from ..model.periods import Period, PeriodError, parse_period
from ..model.plan import Plan, load_plan

SUBMISSIONS_PREFIX = "submissions/"
# Quarantine categories that are a value the department sent (even if it must be fixed or was replaced).
_NOT_A_VALUE = (
    "no_value",
    "unreadable_file",
    "no_table",
    "unknown_indicator",
    "empty_name",
    "no_period",
    "context_only",
    "different_population",
)
# Categories handled by rule: nobody needs to act on them.

STATUS_MISSING = "missing"
STATUS_INCOMPLETE = "incomplete"
STATUS_LATE = "late"
STATUS_NEEDS_CORRECTION = "needs_correction"
STATUS_COMPLETE = "complete"
STATUS_ZH = {
    STATUS_MISSING: "未报送",
    STATUS_INCOMPLETE: "未报齐",
    STATUS_LATE: "逾期报送",
    STATUS_NEEDS_CORRECTION: "待更正",
    STATUS_COMPLETE: "按时报齐",
    "": "",
}
COLUMNS = [
    "department",
    "expected",
    "received",
    "missing",
    "late",
    "last_reported_at",
    "deadline",
    "files",
    "needs_correction",
    "undated",
    "covered_by_others",
    "status",
    "status_zh",
    "missing_indicators",
    "late_indicators",
    "missing_ids",
    "late_ids",
]


class SubmissionsError(Exception):
    """The processed folder cannot be used (one-line reason)."""


@dataclass
class SubmittedFile:
    path: str
    department: str
    reported_at: str = ""
    unreadable: str = ""
    rows: list[dict] = field(default_factory=list)  # observations and quarantine lines from this file
    periods: set[str] = field(default_factory=set)

    def is_for(self, period: Period) -> bool:
        if self.periods:
            return any(covers(p, period) for p in self.periods)
        p = period_of_path(self.path)
        return bool(p) and covers(p, period)


def _read_csv(path: Path) -> list[dict]:
    if not path.is_file():
        raise SubmissionsError(f"{path} not found (run gxq clean first)")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def load_files(plan: Plan, processed: Path) -> list[SubmittedFile]:
    """Submitted files with their department and rows (kind ``obs`` or ``q``), from gxq clean's outputs."""
    processed = Path(processed)
    observations = _read_csv(processed / "observations.csv")
    quarantine = _read_csv(processed / "quarantine.csv")
    manifest_path = processed / "manifest.json"
    if not manifest_path.is_file():
        raise SubmissionsError(f"{manifest_path} not found (run gxq clean first)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SubmissionsError(f"{manifest_path}: invalid JSON at line {exc.lineno}: {exc.msg}") from exc
    departments = load_departments(plan)
    # Older manifests have no reporting_unit: the observations' source (the 填报单位 read) stands in.
    unit_from_obs: dict[str, str] = {}
    for o in observations:
        if o.get("source") and o["source_file"] not in unit_from_obs and not o["source"].startswith("http"):
            unit_from_obs[o["source_file"]] = o["source"]
    files: dict[str, SubmittedFile] = {}
    for entry in manifest.get("files", []) + manifest.get("unreadable", []):
        path = str(entry.get("path", ""))
        if not path.startswith(SUBMISSIONS_PREFIX):
            continue
        unit = str(entry.get("reporting_unit", "") or unit_from_obs.get(path, ""))
        files[path] = SubmittedFile(
            path,
            attribute(departments, unit, path),
            str(entry.get("reported_at", "")),
            str(entry.get("reason", "")),
        )
    for kind, rows in (("obs", observations), ("q", quarantine)):
        for row in rows:
            f = files.get(row.get("source_file", ""))
            if f is None:
                continue
            f.rows.append({**row, "_kind": kind})
            if row.get("period"):
                f.periods.add(row["period"])
    return sorted(files.values(), key=lambda f: f.path)


def rows_for(f: SubmittedFile, period: Period) -> list[dict]:
    """The file's rows about the period: those whose period lies inside it (a month of the quarter) or
    answers its form, and those without a period (an unknown name) in a file that is for the period."""
    return [r for r in f.rows if within(r.get("period", ""), period) or not r.get("period")]


def _is_value(row: dict) -> bool:
    return row["_kind"] == "obs" or row.get("category", "") not in _NOT_A_VALUE


def _row_date(row: dict, f: SubmittedFile) -> str:
    return row.get("reported_at") or f.reported_at


def submissions_status(plan: Plan, period: Period | str, processed: Path) -> list[dict]:
    """One row per department (catalogue order; 未识别部门 last when it sent files for the period)."""
    period = parse_period(period) if isinstance(period, str) else period
    files = [f for f in load_files(plan, processed) if f.is_for(period)]
    out = []
    names = [d.name for d in load_departments(plan)]
    if any(f.department == UNATTRIBUTED for f in files):
        names.append(UNATTRIBUTED)
    # Values for the period from any department's file, to say when another department sent them.
    anywhere = {
        r["indicator_id"]
        for f in files
        for r in f.rows
        if r.get("indicator_id") and covers(r.get("period", ""), period) and _is_value(r)
    }
    for name in names:
        expected = form_indicators(plan, name, period) if name != UNATTRIBUTED else []
        due = deadline(plan, expected, period)
        own = [f for f in files if f.department == name]
        own_ids = set(expected)
        if not expected and not own:
            continue
        first_date: dict[str, str] = {}
        received: set[str] = set()
        needs = 0
        dates: list[str] = []
        for f in own:
            rows = rows_for(f, period)
            dated = [_row_date(r, f) for r in rows if _row_date(r, f)]
            dates += dated or ([f.reported_at] if f.reported_at else [])
            for r in rows:
                iid = r.get("indicator_id", "")
                if r["_kind"] == "q" and needs_person(r, own_ids, period):
                    needs += 1
                if not iid or not covers(r.get("period", ""), period) or not _is_value(r):
                    continue
                received.add(iid)
                d = _row_date(r, f)
                if iid not in first_date or (d and (not first_date[iid] or d < first_date[iid])):
                    first_date[iid] = d
        got = [i for i in expected if i in received]
        missing = [i for i in expected if i not in received]
        late = [i for i in got if due and first_date.get(i) and dt.date.fromisoformat(first_date[i]) > due]
        undated = [i for i in got if not first_date.get(i)]
        if not own:
            status = STATUS_MISSING
        elif missing:
            status = STATUS_INCOMPLETE
        elif late:
            status = STATUS_LATE
        elif needs:
            status = STATUS_NEEDS_CORRECTION
        else:
            status = STATUS_COMPLETE if expected else ""
        out.append(
            {
                "department": name,
                "expected": len(expected),
                "received": len(got) if expected else len(received),
                "missing": len(missing),
                "late": len(late),
                "last_reported_at": max(dates) if dates else "",
                "deadline": due.isoformat() if due else "",
                "files": len(own),
                "needs_correction": needs,
                "undated": len(undated),
                "covered_by_others": sum(1 for i in missing if i in anywhere),
                "status": status,
                "status_zh": "已报齐（无填报日期）"
                if status == STATUS_COMPLETE and undated
                else STATUS_ZH[status],
                "missing_indicators": "、".join(plan.name(i) for i in missing),
                "late_indicators": "、".join(plan.name(i) for i in late),
                "missing_ids": "|".join(missing),
                "late_ids": "|".join(late),
            }
        )
    return out


def needs_person(row: dict, own_indicators: set[str] | list[str], period: Period) -> bool:
    """A quarantine line someone must act on: not handled by rule, and a blank row only when the indicator
    is one of the sending department's own for the period (``own_indicators``; other departments' blank
    rows are nobody's task)."""
    category = row.get("category", "")
    if not needs_check(category):
        return False
    if category == Q_NO_VALUE:
        iid = row.get("indicator_id", "")
        return bool(iid) and iid in own_indicators and within(row.get("period", ""), period)
    return True


def format_status(rows: list[dict], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        return buf.getvalue()
    shown = [
        "department",
        "expected",
        "received",
        "missing",
        "late",
        "needs_correction",
        "last_reported_at",
        "deadline",
        "status_zh",
    ]
    table = [shown] + [[str(r[c]) for c in shown] for r in rows]

    def width(s: str) -> int:  # CJK characters take two columns in a terminal
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)

    widths = [max(width(row[i]) for row in table) for i in range(len(shown))]
    lines = [
        "  ".join(cell + " " * (widths[i] - width(cell)) for i, cell in enumerate(row)).rstrip()
        for row in table
    ]
    for r in rows:
        if r["missing_indicators"]:
            lines.append(f"{r['department']} 缺报: {r['missing_indicators']}")
    return "\n".join(lines) + "\n"


STATUS_EN = {
    STATUS_MISSING: "Not submitted",
    STATUS_INCOMPLETE: "Incomplete",
    STATUS_LATE: "Late",
    STATUS_NEEDS_CORRECTION: "To correct",
    STATUS_COMPLETE: "Complete, on time",
    "": "",
}
_SECTION_COLUMNS = {
    "department": ("部门", "Department"),
    "expected": ("应报指标", "Expected"),
    "received": ("已报", "Received"),
    "missing": ("缺报", "Missing"),
    "covered_by_others": ("其中他部门已报", "Of which sent by others"),
    "late": ("逾期", "Late"),
    "needs_correction": ("待更正行", "Rows to correct"),
    "last_reported_at": ("最近填报日期", "Last reported"),
    "deadline": ("报送截止", "Deadline"),
    "status_label": ("状态", "Status"),
    "missing_names": ("缺报指标", "Missing indicators"),
}


def submissions_section(plan: Plan, period: Period | str, processed: Path, lang: str = "zh") -> str:
    """The 报送进度 section of the data-quality page: heading, note and the table (escaped HTML)."""
    from ..report import notebook as P

    k = 0 if lang == "zh" else 1
    parts = [P.heading(text("loop_submissions", "heading", lang), lang)]
    try:
        rows = submissions_status(plan, period, processed)
    except SubmissionsError:
        return P.SafeHTML(
            "".join(parts) + P.html_block("<p>{m}</p>", m=text("loop_submissions", "none", lang))
        )
    if not rows:
        return P.SafeHTML(
            "".join(parts) + P.html_block("<p>{m}</p>", m=text("loop_submissions", "empty", lang))
        )
    english = {d.name: d.name_en for d in load_departments(plan)}
    shown = []
    for r in rows:
        missing = [i for i in r["missing_ids"].split("|") if i]
        shown.append(
            {
                **r,
                "department": r["department"]
                if k == 0
                else (english.get(r["department"]) or r["department"]),
                "status_label": r["status_zh"]
                if k == 0
                else (
                    "Complete (undated)"
                    if r["status"] == STATUS_COMPLETE and r["undated"]
                    else STATUS_EN[r["status"]]
                ),
                "missing_names": ("、" if k == 0 else "; ").join(plan.name(i, lang) for i in missing),
            }
        )
    table = P.html_table(
        shown,
        {c: v[k] for c, v in _SECTION_COLUMNS.items()},
        numeric=["expected", "received", "missing", "covered_by_others", "late", "needs_correction"],
    )
    parts += [P.html_block('<p class="gxq-muted">{m}</p>', m=text("loop_submissions", "note", lang)), table]
    return P.SafeHTML("".join(parts))


def command_submissions(args) -> int:
    plan = load_plan(args.plan)
    try:
        period = parse_period(args.period)
        rows = submissions_status(plan, period, args.processed)
    except PeriodError as exc:
        print(f"gxq submissions: {exc}", file=sys.stderr)
        return 2
    except SubmissionsError as exc:
        print(f"gxq submissions: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(format_status(rows, args.format))
    return 0

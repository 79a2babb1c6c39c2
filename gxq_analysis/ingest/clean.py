"""`gxq clean`: messy submissions → one tidy, validated table, and nothing lost on the way.

This module orchestrates; the stages are modules of their own: :mod:`.discovery` (which files),
:mod:`.readers` and :mod:`.layout` (cells and the table in them), the per-format adapters
:mod:`.tables`, :mod:`.tidy` and :mod:`.public` (rows → typed :mod:`.records`, checked by
:mod:`.checks`), :mod:`.revisions` (one value per fact) and :mod:`.outputs` (atomic, manifest-verified
files). Quarantine categories come from the one registry, :mod:`.quarantine`.

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

- ``observations.csv`` — columns :data:`~gxq_analysis.model.observations.OBSERVATION_COLUMNS`, one row per
  (geo, indicator, period, ytd), values in the catalogue's unit.
- ``quarantine.csv`` — everything that did not become an observation, one line per row (or per cell,
  when one value of a row failed), with a ``category`` and a human-readable ``reason`` naming file,
  sheet, row and column. Unreadable files appear with an empty ``source_row``.
- ``revisions.csv`` — values replaced by a later submission of the same (geo, indicator, period, ytd),
  with the submission that replaced them.
- ``manifest.json`` — files read (sha256, rows, encoding), files that could not be read and why, and
  each output's rows and sha256 (``outputs``), which :func:`~gxq_analysis.model.observations.load_observations`
  verifies. Text cells are neutralised against formula injection (:func:`~gxq_analysis.ingest.outputs.neutralise`).

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

import argparse
import atexit
import contextlib
import datetime as dt
import gc
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from operator import attrgetter
from pathlib import Path
from typing import Any

from ..model.observations import OBSERVATION_COLUMNS
from ..model.periods import parse_period
from ..model.plan import Catalogue, Plan, load_catalogue
from .checks import Checker, Source
from .discovery import CALIBRATION_DIR, PUBLIC_FILE, discover, display_name, is_illustrative
from .layout import Table, find_table, has_text
from .outputs import MANIFEST_FILE, OUTPUT_FILES, file_sha256, manifest, stale_inputs
from .outputs import write_csv as _write_csv  # module-level, so a test can make the disk "full"
from .public import clean_public
from .quarantine import *  # noqa: F403 - the category ids (Q_*) are part of this module's interface
from .quarantine import Q_NO_TABLE, Q_UNREADABLE
from .readers import Grid, UnreadableFile, read_file
from .records import (
    QUARANTINE_COLUMNS,
    REVISION_COLUMNS,
    Candidate,
    CleanError,
    CleanResult,
    FileReport,
    QuarantineEntry,
    bool_text,
)
from .revisions import jump_flags, resolve
from .tables import clean_table, sheet_reported_at
from .tidy import clean_tidy, is_tidy
from .workers import FileOutcome, clean_files, helper_count

__all__ = ["CleanError", "CleanResult", "clean", "command_clean", "stale_inputs", "summary", "write_outputs"]

_UNREADABLE_PREFIX = "文件无法读取 file cannot be read: "


def clean_file(checker: Checker, path: Path, rel: str, illustrative: bool, report: FileReport) -> Source:
    """Read one file and hand each sheet to the adapter for its shape (department table, tidy CSV,
    public figures); the file's records are in the returned :class:`Source`."""
    src = Source(checker, rel, illustrative)
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.unreadable = f"无法打开 cannot open file: {exc.strerror}"
        src.q("", None, "", Q_UNREADABLE, report.unreadable)
        return src
    report.sha256 = hashlib.sha256(data).hexdigest()
    report.bytes = len(data)
    report.kind = path.suffix.lower().lstrip(".")
    try:
        wb = read_file(path, data)
    except UnreadableFile as exc:
        report.unreadable = str(exc)
        src.q("", None, "", Q_UNREADABLE, f"{_UNREADABLE_PREFIX}{exc}")
        return src
    del data
    report.encoding = wb.encoding
    report.sheets = [g.name for g in wb.grids]
    if rel == PUBLIC_FILE.as_posix() and wb.kind == "csv":
        clean_public(wb.grids[0], src, report)
        return src
    # (grid, table, tidy): a tidy CSV has no table to find.
    sheets: list[tuple[Grid, Table | None, bool]] = []
    for grid in wb.grids:
        tidy = wb.kind == "csv" and is_tidy(grid)
        sheets.append((grid, None if tidy else find_table(grid), tidy))
    if not any(table is not None or tidy for _, table, tidy in sheets):
        report.unreadable = (
            "没有可识别的指标表 no recognisable table (no header with an indicator-name and a value column)"
        )
        src.q("", None, "", Q_UNREADABLE, f"{_UNREADABLE_PREFIX}{report.unreadable}")
        return src
    # Reporting date found anywhere in the workbook serves as a fallback for every sheet.
    file_reported = None
    for grid, table, _ in sheets:
        if table is not None:
            file_reported = file_reported or sheet_reported_at(grid, table)
    for grid, table, tidy in sheets:
        if tidy:
            clean_tidy(grid, src, report)
        elif table is not None:
            clean_table(grid, table, src, report, file_reported)
        elif any(has_text(r) for r in grid.rows):
            src.q(
                grid.name,
                None,
                "",
                Q_NO_TABLE,
                "工作表中没有可识别的指标表 no recognisable table in this sheet (sheet skipped)",
            )
    if file_reported:
        report.reported_at = file_reported.isoformat()
    return src


def _refused_entry(rel: str, category: str, reason: str) -> QuarantineEntry:
    return QuarantineEntry(rel, "", "", "", category, reason, illustrative=bool_text(False))


@contextlib.contextmanager
def _no_collections() -> Iterator[None]:
    """A clean allocates millions of small objects (records, tuples, parsed cells) and frees almost none
    until it ends; they form no reference cycles (a clean of the bench batch, the 200 000-row sheet or
    the demo data leaves no cyclic garbage; the openpyxl path of the wide sheet about 2 000 objects), so
    every pass of the cyclic collector over them finds nothing and costs a tenth of the run even at
    raised thresholds. Pause it while cleaning; reference counting still frees everything as usual.
    A collector the caller had paused stays paused. On the way out, what the clean left alive moves to
    the oldest generation (freeze, then unfreeze), so the first young collection after it does not walk
    millions of objects (unless the caller froze objects of its own, which stay frozen)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _skip_final_collection() -> None:
    """At exit the interpreter's last cyclic collection walks every object still alive (the pandas and
    numpy modules, the parse caches): a tenth of a second after a clean, for a process that is ending
    and a clean that leaves no cyclic garbage. Frozen objects are skipped by that walk. (Registered by
    :func:`command_clean` with atexit; outputs are closed and stdout is flushed as usual.)"""
    gc.freeze()


def _left_to_exit(result: CleanResult) -> None:
    """Leave the result's objects (hundreds of thousands of records after a big clean) to the end of
    the process instead of freeing them one by one when the command returns (~50 ms of a bench clean):
    held in a reference cycle, they are not freed by reference counting, and the final collection at
    exit does not walk frozen objects (:func:`_skip_final_collection`), so the operating system takes
    the memory back at once. A process that goes on running (tests) frees them at a later collection."""
    holder: list[object] = [result]
    holder.append(holder)


def clean(
    raw: Path,
    plan: Plan | Catalogue,
    progress: bool = False,
    today: dt.date | None = None,
    parallel: bool | None = None,
) -> CleanResult:
    """Clean the raw folder. ``parallel``: read files in a helper process as well (True), in this one
    only (False), or by the batch's size and the cores (None, :func:`.workers.helper_count`); the
    result is the same either way."""
    with _no_collections():
        return _clean(raw, plan, progress, today, parallel)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reported as unreadable when the file is read


def _no_tick() -> None:
    pass


def _clean(
    raw: Path, plan: Plan | Catalogue, progress: bool, today: dt.date | None, parallel: bool | None
) -> CleanResult:
    raw = Path(raw)
    if not raw.is_dir():
        raise CleanError(f"raw data folder not found: {raw}")
    found = discover(raw)
    checker = Checker(plan, today=today)
    all_candidates: list[Candidate] = []
    quarantine = [_refused_entry(rel, category, reason) for rel, category, reason in found.refused]
    reports: list[FileReport] = []
    files = found.files

    def clean_one(i: int) -> FileOutcome:
        path = files[i]
        rel = display_name(path.relative_to(raw).as_posix())
        rep = FileReport(rel, illustrative=is_illustrative(path, raw, found.marked))
        src = clean_file(checker, path, rel, rep.illustrative, rep)
        rep.candidates = len(src.candidates)
        rep.quarantined = len(src.quarantine)
        return rep, src.candidates, src.quarantine

    helpers = helper_count([_size(p) for p in files]) if parallel is None else (1 if parallel else 0)
    bars: list[Any] = []

    def tick() -> None:
        # The bar starts with the first file done, after any helper is forked: a fork never copies
        # the bar's monitor thread midway through a write to stderr.
        if not bars:
            from tqdm import tqdm

            bars.append(tqdm(total=len(files), desc="gxq clean", unit="file", file=sys.stderr, leave=False))
        bars[0].update()

    outcomes = clean_files(len(files), clean_one, helpers, tick if progress else _no_tick)
    for rep, candidates, quarantined in outcomes:  # in the files' order, whoever cleaned them
        all_candidates.extend(candidates)
        quarantine.extend(quarantined)
        reports.append(rep)
    del outcomes
    for bar in bars:
        bar.close()
    kept, q2, revisions = resolve(all_candidates, checker.stock_ids)
    del all_candidates
    quarantine.extend(q2)
    quarantine.extend(jump_flags(kept))
    # Sort keys read by attrgetter (C), not built by a Python function per record.
    kept.sort(
        key=attrgetter(
            "indicator_id",
            "geo",
            "parsed_period.sort_key",
            "ytd",
            "source_file",
            "source_sheet",
            "source_row",
            "source_column",
        )
    )
    # The place is in the first keys; the reason's own text breaks the remaining ties.
    quarantine.sort(
        key=attrgetter(
            "source_file", "source_sheet", "row_order", "source_column", "category", "label", "detail"
        )
    )
    revisions.sort(
        key=lambda v: (
            v["indicator_id"],
            v["geo"],
            parse_period(str(v["period"])).sort_key,
            v["ytd"],
            v["old_source_file"],
            str(v["old_source_row"]),
        )
    )
    return CleanResult(kept, quarantine, revisions, reports, found.ignored, found.refused, found.reference)


def write_outputs(result: CleanResult, plan: Plan | Catalogue, out: Path) -> None:
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


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.resolve().relative_to(parent.resolve())
        return True
    except ValueError:
        return False


def summary(result: CleanResult, out: Path) -> str:
    # Sets of (file, sheet, row) built by map and attrgetter, at C speed over a million-cell clean.
    # Quarantined rows with no clean value: every quarantined place but the clean ones and the whole-file
    # lines (row ""), counted by set sizes (the intersection walks the smaller set).
    place = attrgetter("source_file", "source_sheet", "source_row")
    clean_rows = set(map(place, result.observations))
    rows_clean = len(clean_rows)
    q_rows = set(map(place, result.quarantine))
    has_whole_files = "" in list(map(attrgetter("source_row"), result.quarantine))
    whole_files = sum(1 for p in q_rows if p[2] == "") if has_whole_files else 0
    rows_q = len(q_rows) - len(q_rows & clean_rows) - whole_files
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
            f"  reference data (the forecast calibration panel; read by gxq_analysis.assess.calibration, not by "
            f"clean): {len(result.reference)} files under public/{CALIBRATION_DIR}/"
        )
    cats = Counter(map(attrgetter("category"), result.quarantine))
    if cats:
        lines.append("  quarantine by category: " + ", ".join(f"{k} {v}" for k, v in sorted(cats.items())))
    lines.append(f"  wrote {out / 'observations.csv'}, quarantine.csv, revisions.csv, manifest.json")
    return "\n".join(lines)


def command_clean(args: argparse.Namespace) -> int:
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
    plan = load_catalogue(args.plan)  # the plan without pandas: a clean needs none
    files = discover(raw).files
    show = (
        not getattr(args, "no_progress", False)
        and len(files) > 1
        and (sys.stderr.isatty() or len(files) > 20)
    )
    with _no_collections():
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
    _left_to_exit(result)
    atexit.unregister(_skip_final_collection)  # once, however many cleans this process runs
    atexit.register(_skip_final_collection)
    return 0

"""Writing the clean's outputs: CSV cells neutralised against formula injection, atomic writes, the
manifest (files read, outputs' rows and sha256) and the staleness check against it."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable
from operator import attrgetter
from pathlib import Path
from typing import Any, TextIO

from ..model.observations import OBSERVATION_COLUMNS
from ..model.plan import Catalogue, Plan
from .discovery import discover, display_name
from .records import QUARANTINE_COLUMNS, CleanResult, Observation, QuarantineEntry, bool_text, where
from .values import format_number

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


def _csv_cell(v: object) -> object:
    if type(v) is str:
        return neutralise(v)
    if isinstance(v, bool):
        return bool_text(v)
    if isinstance(v, float):
        return format_number(v)
    if v is None:
        return ""
    return v


def _csv_cells(values: Iterable[object]) -> list[object]:
    # Plain text and whole numbers (most cells) pass as they are; the rest is formatted or neutralised.
    return [
        v if (type(v) is str and not (v and v[0] in _FORMULA_FIRST)) or type(v) is int else _csv_cell(v)
        for v in values
    ]


def _row_values(rows: list[Any], columns: list[str]) -> Callable[[Any], Iterable[object]]:
    """The columns of a row: records by attribute (read at once), dicts by key."""
    if rows and not isinstance(rows[0], dict):
        return attrgetter(*columns)
    return lambda r: [r.get(c, "") for c in columns]


def _quarantine_cells(q: QuarantineEntry) -> tuple[object, ...]:
    """One quarantine.csv row (:data:`QUARANTINE_COLUMNS`), the same cells as :func:`_csv_cells` gives,
    with the per-cell test written out. The category (a registry id), ytd and illustrative ("true",
    "false" or "") are the record's own words, never raw text, and pass as they are."""
    first, cell = _FORMULA_FIRST, _csv_cell
    f, sh, row, col = q.source_file, q.source_sheet, q.source_row, q.source_column
    reason = f"{where(f, sh, row, col, q.label)}: {q.detail}"
    rv, rn, iid, geo, per, rep = q.raw_value, q.raw_name, q.indicator_id, q.geo, q.period, q.reported_at
    return (
        f if type(f) is str and not (f and f[0] in first) else cell(f),
        sh if type(sh) is str and not (sh and sh[0] in first) else cell(sh),
        row if type(row) is int else cell(row),
        col if type(col) is str and not (col and col[0] in first) else cell(col),
        q.category,
        reason if reason[:1] not in first else cell(reason),
        rv if type(rv) is str and not (rv and rv[0] in first) else cell(rv),
        rn if type(rn) is str and not (rn and rn[0] in first) else cell(rn),
        iid if type(iid) is str and not (iid and iid[0] in first) else cell(iid),
        geo if type(geo) is str and not (geo and geo[0] in first) else cell(geo),
        per if type(per) is str and not (per and per[0] in first) else cell(per),
        q.ytd,
        rep if type(rep) is str and not (rep and rep[0] in first) else cell(rep),
        q.illustrative,
    )


def _csv_quoted_chars() -> str:
    """The characters that make this Python's csv writer (``lineterminator="\\n"``) quote a field, found
    by asking it (Python 3.11 quotes ``,``, ``"`` and newline)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    found = ""
    for c in ",\"\n\r\t\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029 ;|'":
        buf.seek(0)
        buf.truncate()
        w.writerow(["a" + c + "b"])
        if buf.getvalue().startswith('"'):
            found += c
    return found


_QUOTED_CHARS = _csv_quoted_chars()
_needs_quotes = re.compile(f"[{re.escape(_QUOTED_CHARS)}]").search
# The line writers below test for these three besides the comma, a superset of what csv quotes for
# (3.11: quote and newline). A line holding one goes through csv.writer, which is right in any case;
# were csv ever to quote another character, the writers would send every line that way.
_DIRECT_LINES = set(_QUOTED_CHARS) <= {",", '"', "\n", "\r"}
# A cell that starts like a formula after the first, in a line of cells joined by commas (none of which
# holds one); a literal comma first lets the regex engine skip ahead.
_formula_after_comma = re.compile(",[" + re.escape("".join(sorted(_FORMULA_FIRST))) + "]").search


def _plain_line(cells: str, commas: int) -> bool:
    """Whether ``cells``, a record's fields joined by commas, is its CSV line as it stands: exactly
    ``commas`` commas (none inside a field), no quote or line break, and no field that starts like a
    formula."""
    return not (
        cells.count(",") != commas
        or '"' in cells
        or "\n" in cells
        or "\r" in cells
        or cells[:1] in _FORMULA_FIRST
        or _formula_after_comma(cells)
    )


def _write_quarantine(fh: TextIO, entries: list[QuarantineEntry]) -> None:
    """quarantine.csv exactly as csv.writer writes the cells of :func:`_quarantine_cells`, at a fraction
    of its cost: the csv module walks every character of every cell, and the reason (a quarter of a
    kilobyte) is most of a line. A line is joined directly from the record's text fields (typed str,
    the row an int or "") when they hold no comma, quote or newline and none starts like a formula; only
    the reason is then quoted (by the csv rules, quotes doubled). Any other line goes the careful way,
    cell by cell through csv.writer."""
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(QUARANTINE_COLUMNS)
    if not _DIRECT_LINES:
        w.writerows(map(_quarantine_cells, entries))
        return
    lines: list[str] = []
    for q in entries:
        head = f"{q.source_file},{q.source_sheet},{q.source_row},{q.source_column},{q.category}"
        tail = f"{q.raw_value},{q.raw_name},{q.indicator_id},{q.geo},{q.period},{q.ytd},{q.reported_at},{q.illustrative}"
        cells = f"{head},{tail}"
        if not _plain_line(cells, 12):
            fh.write("".join(lines))
            lines.clear()
            w.writerow(_quarantine_cells(q))
            continue
        # The reason is where(...) + ": " + detail (as QuarantineEntry.reason), written out here: it
        # starts with the file's name, just found safe, and is quoted when either part needs it.
        f, sh, row, col, label, detail = (
            q.source_file,
            q.source_sheet,
            q.source_row,
            q.source_column,
            q.label,
            q.detail,
        )
        place = f"{f}, sheet '{sh}'" if sh else f
        if row is not None and row != "":
            place = f"{place}, row {row}"
        if col:
            place = f"{place}, column {col} ({label})" if label else f"{place}, column {col}"
        if '"' in place or '"' in detail:
            reason = f"{place}: {detail}".replace('"', '""')
            lines.append(f'{head},"{reason}",{tail}\n')
        elif "," in place or "," in detail or _needs_quotes(place) or _needs_quotes(detail):
            lines.append(f'{head},"{place}: {detail}",{tail}\n')
        else:
            lines.append(f"{head},{place}: {detail},{tail}\n")
        if len(lines) >= 4096:
            fh.write("".join(lines))
            lines.clear()
    fh.write("".join(lines))


def _write_observations(fh: TextIO, observations: list[Observation]) -> None:
    """observations.csv exactly as csv.writer writes :func:`_csv_cells` of each record, a line joined
    directly when its typed fields (text, a float value, an int row, bool flags) hold no comma, quote or
    newline and none starts like a formula; any other line goes through csv.writer. Each distinct value
    is formatted once."""
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(OBSERVATION_COLUMNS)
    get = attrgetter(*OBSERVATION_COLUMNS)
    if not _DIRECT_LINES:
        w.writerows(_csv_cells(get(o)) for o in observations)
        return
    shown: dict[float, str] = {}
    flag = {True: "true", False: "false"}
    lines: list[str] = []
    for o in observations:
        v, ill, ytd = o.value, o.illustrative, o.ytd
        if type(v) is float and type(ill) is bool and type(ytd) is bool and type(o.source_row) is int:
            vt = shown.get(v)
            if vt is None:
                vt = shown[v] = format_number(v)
            line = (
                f"{o.indicator_id},{o.geo},{o.period},{vt},{o.unit},{o.source_file},{o.source_row},"
                f"{flag[ill]},{flag[ytd]},{o.source_sheet},{o.source_column},{o.raw_value},{o.raw_unit},"
                f"{o.conversion},{o.qualifier},{o.reported_at},{o.source},{o.note}"
            )
            if _plain_line(line, 17):
                lines.append(line + "\n")
                if len(lines) >= 4096:
                    fh.write("".join(lines))
                    lines.clear()
                continue
        fh.write("".join(lines))
        lines.clear()
        w.writerow(_csv_cells(get(o)))
    fh.write("".join(lines))


def write_csv(path: Path, rows: list[Any], columns: list[str], encoding: str) -> None:
    """Stream rows to a file (a 200 000-line quarantine is never held as one string). The two big
    record types have their own line writers; anything else (dicts, other columns) goes cell by cell."""
    with path.open("w", encoding=encoding, newline="") as fh:
        if rows and type(rows[0]) is QuarantineEntry and columns == QUARANTINE_COLUMNS:
            _write_quarantine(fh, rows)
            return
        if rows and type(rows[0]) is Observation and columns == OBSERVATION_COLUMNS:
            _write_observations(fh, rows)
            return
        values = _row_values(rows, columns)
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(columns)
        w.writerows(_csv_cells(values(r)) for r in rows)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def manifest(result: CleanResult, plan: Plan | Catalogue) -> dict[str, Any]:
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

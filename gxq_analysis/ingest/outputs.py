"""Writing the clean's outputs: CSV cells neutralised against formula injection, atomic writes, the
manifest (files read, outputs' rows and sha256) and the staleness check against it."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from operator import attrgetter
from pathlib import Path
from typing import Any

from ..model.plan import Plan
from .discovery import discover, display_name
from .records import CleanResult, bool_text
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


def write_csv(path: Path, rows: list[Any], columns: list[str], encoding: str) -> None:
    """Stream rows to a file (a 200 000-line quarantine is never held as one string)."""
    values = _row_values(rows, columns)
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(columns)
        w.writerows(_csv_cells(values(r)) for r in rows)


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


def manifest(result: CleanResult, plan: Plan) -> dict[str, Any]:
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

"""Which files under the raw folder are read: every file under ``submissions/`` and ``public/`` is
read, ignored by name (documentation, Office lock files, hidden files) or refused with a reason
(unsupported type, hidden folder, a link leading out of the raw folder); nothing is silently skipped."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .quarantine import Q_HIDDEN, Q_OUTSIDE, Q_UNSUPPORTED
from .readers import SPREADSHEET_SUFFIXES

ILLUSTRATIVE_MARKER = "ILLUSTRATIVE.md"
PUBLIC_FILE = Path("public") / "public_figures.csv"
CALIBRATION_DIR = (
    "calibration"  # public/calibration/: the forecast's calibration panel, read by calibration.py
)
SUBMISSIONS_DIR = "submissions"

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
                    # The forecast's calibration panel (gxq_analysis.assess.calibration reads it), not clean input.
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


def is_illustrative(path: Path, raw: Path, marked: set[Path]) -> bool:
    for parent in path.parents:
        if parent in marked:
            return True
        if parent == raw:
            break
    return False

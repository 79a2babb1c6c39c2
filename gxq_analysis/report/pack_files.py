"""The files a pack's compute jobs leave for its pages (standard library only): the wait for one, and
the figures file (:mod:`report.figures`) with the keys the pages look figures up by."""

from __future__ import annotations

import json
import time
from pathlib import Path

from ..model.files import atomic_write

FIGURES_FORMAT = 1


FAILED_SUFFIX = ".failed"
PACK_FILE_WAIT = (
    900.0  # seconds a page waits for the pack's assessment or figures (as long as a cell may run)
)


def wait_for_pack_file(path: str | Path, timeout: float = PACK_FILE_WAIT) -> bool:
    """Wait until the pack's assessment (or figures) file exists (True) or its job left a ``.failed``
    marker (False). `gxq report` starts the pages' kernels while the assessment is computed, so their
    imports overlap with it; the file is written atomically, so once it exists it is whole."""
    path = Path(path)
    failed = path.with_name(path.name + FAILED_SUFFIX)
    deadline = time.monotonic() + timeout
    delay = 0.01
    while True:
        if path.exists():
            return True
        if failed.exists():
            return False
        if time.monotonic() > deadline:
            raise TimeoutError(f"the pack's file {path} did not appear within {timeout:.0f} s")
        time.sleep(delay)
        # a page or compute job waits here for another job's file: look often (a stat is cheap), so
        # it starts within ~40 ms of the file's arrival, not a fifth of a second later
        delay = min(delay * 1.5, 0.04)


# Keys of the figures the pack's figures job draws (report.figures) and the pages look up.
PACE_FIGURE = "pace"
INDEX_FIGURE = "index"
CONTRIBUTION_FIGURE = "contribution"
TRACK_RECORD_SECTION = "track_record"


def trajectory_figure_key(iid: str) -> str:
    return f"trajectory/{iid}"


def write_figures(figures: dict[str, str], fingerprint: str, path: Path | str) -> Path:
    """Write atomically (a temporary file renamed into place)."""
    path = Path(path)
    data = {"format": FIGURES_FORMAT, "fingerprint": fingerprint, "figures": figures}
    atomic_write(path, json.dumps(data).encode("utf-8"))
    return path


def read_figures(path: Path | str, fingerprint: str) -> dict[str, str] | None:
    """The figures of a pack, or None when the file is unusable or for other inputs (the page draws)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("format") != FIGURES_FORMAT or data.get("fingerprint") != fingerprint:
        return None
    figures = data.get("figures")
    return figures if isinstance(figures, dict) else None

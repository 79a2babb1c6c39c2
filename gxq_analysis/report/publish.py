"""Atomic publishing of a pack: a temporary folder beside the target swapped into place, and the
sweep of temporary folders left by killed runs."""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from pathlib import Path

_TMP_MARK = ".tmp-"


def sweep_stale_temp(out_dir: Path) -> list[Path]:
    """Remove the temporary folders of report runs that were killed (their process is gone); a
    running report's folder is left alone. Returns the folders removed."""
    removed = []
    for d in Path(out_dir).glob(f".*{_TMP_MARK}*"):
        m = re.search(re.escape(_TMP_MARK) + r"(\d+)-", d.name)
        if not d.is_dir() or m is None:
            continue
        pid = int(m.group(1))
        try:
            os.kill(pid, 0)
            continue  # still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue  # another user's live process
        shutil.rmtree(d, ignore_errors=True)
        removed.append(d)
    return removed


def _rename_exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2 RENAME_EXCHANGE). False when unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    res = renameat2(AT_FDCWD, os.fsencode(str(a)), AT_FDCWD, os.fsencode(str(b)), RENAME_EXCHANGE)
    return res == 0


def publish(tmp: Path, final: Path) -> None:
    """Move the finished pack into place, replacing an earlier one (atomically where possible)."""
    import fcntl

    lock_path = final.parent / f".{final.name}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if final.exists():
            if _rename_exchange(tmp, final):
                shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the old report
                return
            old = final.parent / f".{final.name}.old-{os.getpid()}-{time.time_ns()}"
            os.rename(final, old)
            try:
                os.rename(tmp, final)
            except OSError:
                os.rename(old, final)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, final)

"""Support for the tests that run code in a new Python: that a command or a step imports no heavy
module, or that a process-wide change (a patched library) does what it says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def python_output(code: str, cwd: Path | str | None = None) -> str:
    """What a new Python process prints when it runs ``code`` (it must exit without an error)."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


def modules_imported_by(code: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a new Python process has imported once it ran ``code`` (in its order)."""
    probe = f"\nimport sys as _sys\nprint(' '.join(m for m in {modules!r} if m in _sys.modules))\n"
    return python_output(code + probe).split()

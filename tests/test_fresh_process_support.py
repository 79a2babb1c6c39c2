"""Support for the tests that a command or a step imports no heavy module: run code in a new Python."""

from __future__ import annotations

import subprocess
import sys


def modules_imported_by(code: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a new Python process has imported once it ran ``code`` (in its order)."""
    probe = f"\nimport sys as _sys\nprint(' '.join(m for m in {modules!r} if m in _sys.modules))\n"
    out = subprocess.run([sys.executable, "-c", code + probe], capture_output=True, text=True, check=True)
    return out.stdout.split()

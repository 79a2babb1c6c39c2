#!/usr/bin/env python3
"""Set up the project on a fresh machine and run its two jobs. Needs only Python 3.11 and pip.

    python3 tasks.py report [gxq report options]   # set up, clean the shipped data, render the pack
    python3 tasks.py test [pytest options]         # set up (with test extras), gates (ruff, mypy), tests
    python3 tasks.py setup                         # set up only

Set-up is idempotent and quick when nothing changed: a virtual environment in `.venv`, the package
installed editable with pinned constraints (requirements.lock), the Jupyter kernel `gxq` registered
inside that environment, and the system packages the reports need (Debian `fonts-noto-cjk` for
Chinese charts; `chromium` for the PDF export and the browser tests), installed with apt-get when we are root.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
PY = BIN / "python"
STAMP = VENV / ".gxq-setup-stamp"
CJK_FONT_FILES = [
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
]


def say(msg: str) -> None:
    print(f"[tasks] {msg}", flush=True)


def run(cmd: list[str], **kw) -> None:
    say("$ " + " ".join(str(c) for c in cmd))
    subprocess.run([str(c) for c in cmd], check=True, cwd=kw.pop("cwd", ROOT), **kw)


def apt_install(packages: list[str], why: str, required: bool = True) -> None:
    """Install Debian packages when missing; explain what to do when we cannot, and stop when they
    are required (an optional package left out is only noted)."""
    names = " ".join(packages)
    apt = shutil.which("apt-get")
    try:
        if apt is None or os.geteuid() != 0:
            raise PermissionError("not root, or no apt-get")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        lists = Path("/var/lib/apt/lists")
        if not any(lists.glob("*Packages*")):
            run([apt, "update", "-qq"], env=env)
        try:
            run([apt, "install", "-y", "-qq", "--no-install-recommends", *packages], env=env)
        except subprocess.CalledProcessError:
            run([apt, "update", "-qq"], env=env)
            run([apt, "install", "-y", "-qq", "--no-install-recommends", *packages], env=env)
    except (PermissionError, subprocess.CalledProcessError) as exc:
        if required and isinstance(exc, subprocess.CalledProcessError):
            raise  # apt itself failed: its output says why
        if required:
            sys.exit(
                f"[tasks] missing system package(s) {names} ({why}).\n"
                f"        Install them with: sudo apt-get install -y {names}"
            )
        say(f"note: {names} not installed ({why}); sudo apt-get install -y {names}")


def ensure_system(test: bool) -> None:
    if not all(p.exists() for p in CJK_FONT_FILES):
        apt_install(["fonts-noto-cjk"], "Chinese text in charts")
    # Headless Chromium prints the pack's PDFs (summary.pdf, report.pdf) and drives the browser tests,
    # so the report job needs it as much as the test job.
    if shutil.which("chromium") is None:
        apt_install(["chromium"], "PDF export of the report pack and the real-browser test")
    if shutil.which("qpdf") is None:  # merges report.pdf 4 x faster than pypdf, which stands in without it
        apt_install(["qpdf"], "a faster merge of report.pdf; pypdf does it without", required=False)


def setup_fingerprint(extras: str) -> str:
    h = hashlib.sha256()
    for name in ("pyproject.toml", "requirements.lock"):
        h.update((ROOT / name).read_bytes())
    h.update(extras.encode())
    h.update(sys.version.encode())
    return h.hexdigest()


def ensure_venv(test: bool) -> None:
    extras = "[test]" if test else ""
    if not PY.exists():
        say(f"creating virtual environment {VENV}")
        venv.EnvBuilder(with_pip=True, clear=False).create(VENV)
    fingerprint = setup_fingerprint(extras)
    have = STAMP.read_text().split() if STAMP.exists() else []
    # A test set-up also satisfies a plain one; reinstall only when the pins or extras change.
    if fingerprint in have or (not test and setup_fingerprint("[test]") in have):
        say("python environment up to date")
    else:
        run(
            [
                PY,
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "-c",
                "requirements.lock",
                "-e",
                f".{extras}",
            ]
        )
        STAMP.write_text(fingerprint + "\n")
    kernel = VENV / "share" / "jupyter" / "kernels" / "gxq" / "kernel.json"
    if not kernel.exists():
        run(
            [
                PY,
                "-m",
                "ipykernel",
                "install",
                "--sys-prefix",
                "--name",
                "gxq",
                "--display-name",
                "gxq (Python 3.11)",
            ]
        )


def setup(test: bool) -> None:
    ensure_system(test)
    ensure_venv(test)


def job_report(args: list[str]) -> int:
    setup(test=False)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    run([BIN / "gxq", "clean"], env=env)
    run([BIN / "gxq", "report", *args], env=env)
    return 0


GATES = [
    (
        "ruff lint",
        ["-m", "ruff", "check", "gxq_analysis", "tests", "benchmarks", "scripts", "tasks.py", "notebooks"],
    ),
    (
        "ruff format",
        [
            "-m",
            "ruff",
            "format",
            "--check",
            "gxq_analysis",
            "tests",
            "benchmarks",
            "scripts",
            "tasks.py",
            "notebooks",
        ],
    ),
    ("mypy", ["-m", "mypy"]),
]


def job_test(args: list[str]) -> int:
    setup(test=True)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    if not args:  # the full run (CI): the gates first, then the suite
        for name, gate in GATES:
            say(f"gate: {name}")
            if subprocess.run([str(PY), *gate], cwd=ROOT, env=env).returncode != 0:
                say(f"gate failed: {name}")
                return 1
    cmd = [str(PY), "-m", "pytest", *(args or ["-n", "2", "--dist", "loadgroup", "-q"])]
    say("$ " + " ".join(cmd))
    code = subprocess.run(cmd, cwd=ROOT, env=env).returncode
    if code == 5:
        say("pytest collected no tests: that is a failure here")
        return 1
    return code


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("report", "test", "setup"):
        print(__doc__)
        return 2
    job, rest = argv[0], argv[1:]
    try:
        if job == "setup":
            setup(test=True)
            return 0
        if job == "report":
            return job_report(rest)
        return job_test(rest)
    except subprocess.CalledProcessError as exc:
        say(f"failed: {' '.join(str(c) for c in exc.cmd)} (exit {exc.returncode})")
        return exc.returncode or 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

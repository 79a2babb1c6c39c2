"""The package's shape (issue #13): stages as subpackages, modules under ~600 lines, no import cycle
(function-local imports included). The checker is scripts/check_architecture.py."""

from __future__ import annotations

import importlib.util

from gxq_analysis.config import PROJ_ROOT


def _checker():
    spec = importlib.util.spec_from_file_location(
        "check_architecture", PROJ_ROOT / "scripts" / "check_architecture.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_no_cycle_no_oversized_module_and_stages_visible():
    check = _checker()
    assert check.problems() == []
    top = sorted(p.name for p in (PROJ_ROOT / "gxq_analysis").iterdir() if not p.name.startswith(("_", ".")))
    for stage in ("model", "ingest", "assess", "report", "loop", "i18n"):
        assert stage in top


def test_the_checker_finds_a_function_local_cycle(tmp_path, monkeypatch):
    """The checker is not vacuous: a cycle hidden in a function is found."""
    check = _checker()
    pkg = tmp_path / "gxq_analysis"
    (pkg / "model").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "model" / "__init__.py").write_text("")
    (pkg / "model" / "a.py").write_text("from . import b\n")
    (pkg / "model" / "b.py").write_text("def f():\n    from .a import x\n")
    monkeypatch.setattr(check, "ROOT", tmp_path)
    monkeypatch.setattr(check, "PACKAGE", pkg)
    assert check.problems() == ["import cycle: gxq_analysis.model.a <-> gxq_analysis.model.b"]

"""Reading files in helper processes (issue #14) gives the same outputs, byte for byte, as reading them
in one process, on a mixed folder of good and hostile files; a helper that fails loses nothing."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import openpyxl
import pytest

from gxq_analysis.config import RAW_DIR
from gxq_analysis.ingest import clean as clean_module
from gxq_analysis.ingest import workers
from gxq_analysis.ingest.checks import Checker
from gxq_analysis.ingest.clean import clean, write_outputs
from gxq_analysis.ingest.records import CleanError, FileReport
from gxq_analysis.model.plan import load_catalogue

TODAY = dt.date(2026, 11, 29)
OUTPUTS = ("observations.csv", "quarantine.csv", "revisions.csv", "manifest.json")


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def mixed_raw(tmp_path_factory) -> Path:
    """The shipped raw data plus hostile files: an xlsx that is not one, an empty CSV, a workbook with
    no table, a correction of a shipped figure in another file (so resolving spans files cleaned by
    different processes), a GBK file name, an unsupported type and a link out of the folder."""
    raw = tmp_path_factory.mktemp("mixed") / "raw"
    shutil.copytree(RAW_DIR, raw)
    sub = raw / "submissions" / "hostile"
    sub.mkdir(parents=True)
    (sub / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (sub / "empty.csv").write_bytes(b"")
    wb = openpyxl.Workbook()
    wb.active.append(["只有说明文字，没有表格"])
    wb.save(sub / "no_table.xlsx")
    (sub / "2019Q2_季报(更正).csv").write_text(
        "填报日期：2019-07-20\n指标名称,报告期,本期值\n研发机构总数,2019Q2,171\n高新技术企业总数,2019Q2,=1+1\n",
        encoding="utf-8",
    )
    with open(os.path.join(os.fsencode(sub), "科技局_2018.csv".encode("gbk")), "w", encoding="gbk") as fh:
        fh.write("指标名称,数值\n研发机构总数,150\n")
    (sub / "x.ods").write_bytes(b"PK")
    os.symlink("/etc/passwd", sub / "passwd.csv")
    return raw


def _outputs(raw: Path, catalogue, out: Path, parallel: bool | None) -> dict[str, bytes]:
    result = clean(raw, catalogue, today=TODAY, parallel=parallel)
    write_outputs(result, catalogue, out)
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def _slow_parent(monkeypatch) -> None:
    """The parent takes 5 ms more a file, so that a helper (which takes some milliseconds to start)
    surely gets files of this small folder however busy the machine is."""
    parent = os.getpid()
    real = clean_module.clean_file

    def slower_in_the_parent(checker, path, rel, illustrative, report):
        if os.getpid() == parent:
            time.sleep(0.005)
        return real(checker, path, rel, illustrative, report)

    monkeypatch.setattr(clean_module, "clean_file", slower_in_the_parent)


def test_helpers_give_the_same_bytes_as_one_process(mixed_raw, catalogue, tmp_path, monkeypatch):
    serial = _outputs(mixed_raw, catalogue, tmp_path / "serial", parallel=False)
    _slow_parent(monkeypatch)
    assert serial["observations.csv"].count(b"\n") > 100  # the shipped data gives real observations
    assert b"hostile/broken.xlsx" in serial["quarantine.csv"]
    assert b"hostile/2019Q2_" in serial["revisions.csv"] + serial["quarantine.csv"]
    delivered = []  # files a helper cleaned (decoded in the parent): the parallel path was really taken
    real_decode = workers.decode
    monkeypatch.setattr(workers, "decode", lambda data: delivered.append(1) or real_decode(data))
    assert _outputs(mixed_raw, catalogue, tmp_path / "one-helper", parallel=True) == serial
    assert delivered
    # Two helpers (and the parent) share the files out differently: still the same bytes.
    delivered.clear()
    monkeypatch.setattr(clean_module, "helper_count", lambda sizes: 2)
    assert _outputs(mixed_raw, catalogue, tmp_path / "two-helpers", parallel=None) == serial
    assert delivered


def test_a_file_a_helper_fails_on_is_cleaned_by_the_parent(mixed_raw, catalogue, tmp_path, monkeypatch):
    serial = _outputs(mixed_raw, catalogue, tmp_path / "serial", parallel=False)
    _slow_parent(monkeypatch)
    parent = os.getpid()
    real = clean_module.clean_file
    failed = tmp_path / "helper-failed"

    def fails_in_a_helper(checker, path, rel, illustrative, report):
        if os.getpid() != parent:  # a helper: give up on the first file it takes
            failed.write_text(rel, encoding="utf-8")
            raise MemoryError("a helper that runs out of memory")
        return real(checker, path, rel, illustrative, report)

    monkeypatch.setattr(clean_module, "clean_file", fails_in_a_helper)
    assert _outputs(mixed_raw, catalogue, tmp_path / "parallel", parallel=True) == serial
    assert failed.exists()  # the helper did take a file (and the parent cleaned it again)


def test_an_error_in_a_file_is_raised_as_in_one_process(mixed_raw, catalogue, monkeypatch):
    real = clean_module.clean_file

    def fails_on_one_file(checker, path, rel, illustrative, report):
        if path.name == "no_table.xlsx":
            raise CleanError(f"{rel}: cannot be cleaned")
        return real(checker, path, rel, illustrative, report)

    monkeypatch.setattr(clean_module, "clean_file", fails_on_one_file)
    for parallel in (False, True):
        with pytest.raises(CleanError, match=r"hostile/no_table\.xlsx: cannot be cleaned"):
            clean(mixed_raw, catalogue, today=TODAY, parallel=parallel)


def test_records_survive_the_trip_from_a_helper(mixed_raw, catalogue):
    checker = Checker(catalogue, today=TODAY)
    outcomes = []
    for path in sorted(
        p for p in (mixed_raw / "submissions").rglob("*") if p.is_file() and not p.is_symlink()
    ):
        rel = path.relative_to(mixed_raw).as_posix()
        report = FileReport(rel)
        src = clean_module.clean_file(checker, path, rel, False, report)
        outcomes.append((report, src.candidates, src.quarantine))
    assert sum(len(c) for _, c, _ in outcomes) > 0 and sum(len(q) for _, _, q in outcomes) > 0
    assert any(c.precedence.reported_at for _, cs, _ in outcomes for c in cs)
    for outcome in outcomes:
        assert workers.decode(workers.encode(outcome)) == outcome


def test_small_batches_and_single_files_stay_in_one_process(monkeypatch):
    monkeypatch.setattr(workers, "_idle_cores", lambda: 4)
    assert workers.helper_count([5_000] * 60) == 0  # the demo data's size
    assert workers.helper_count([50_000_000]) == 0  # one big workbook
    assert workers.helper_count([5_000_000, 5_000_000]) == 1
    assert workers.helper_count([1_000_000] * 40) == workers.MAX_HELPERS
    monkeypatch.setattr(workers, "_idle_cores", lambda: 1)  # every other core busy
    assert workers.helper_count([1_000_000] * 40) == 0
    monkeypatch.undo()
    assert 1 <= workers._idle_cores() <= len(os.sched_getaffinity(0))

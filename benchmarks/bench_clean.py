"""Benchmark `gxq clean` on a large generated batch (≥ 1 million raw cells).

    .venv/bin/python benchmarks/bench_clean.py            # default size, ~1.2 M cells
    .venv/bin/python benchmarks/bench_clean.py --scale 2  # twice as many files
    .venv/bin/python benchmarks/bench_clean.py --case rows200k  # one sheet of 200 000 rows
    .venv/bin/python benchmarks/bench_clean.py --case wide      # 20 000 rows and one cell in column XFD
    .venv/bin/python benchmarks/bench_clean.py --repeat 5       # medians of 5 cleans of one batch
    git archive main | tar -x -C /tmp/gxq-main                  # another version, side by side:
    .venv/bin/python benchmarks/bench_clean.py --repeat 5 --baseline /tmp/gxq-main

Generates department-style submissions into a temporary folder (xlsx workbooks with title lines,
several sheets and a period column; tidy CSVs in GB18030 and UTF-8 with BOM; some mess: full-width digits, 万元,
placeholders, unknown names, Excel errors; seeded, so a case is the same batch every time), then runs
``python -m gxq_analysis clean`` on it in a child process and prints wall time, CPU time (the child's
and its helper processes'; steadier than wall time on a shared machine), cells per second and peak
memory: the child's max RSS from ``os.wait4``, or, when larger, the RSS of the child and its helper
processes summed, sampled every 5 ms (pages they share count twice, so it errs high). ``--repeat``
prints medians; ``--baseline`` alternates the clean of another source tree with this one's on the same
input, prints the median of the per-pair ratios (measured in one run, so a busy machine slows both
alike) and checks that the two output sets are byte-identical.
``--raw`` reuses a folder kept with ``--keep``. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gxq_analysis.model.plan import load_plan  # noqa: E402


def _value(rng: random.Random, unit: str) -> object:
    r = rng.random()
    if r < 0.01:
        return "—"
    if r < 0.015:
        return "#DIV/0!"
    base = rng.uniform(1, 99) if unit == "%" else rng.randint(1, 900)
    if r < 0.05:
        return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in f"{base:.0f}")
    if r < 0.08:
        return f"约{base:.0f}"
    return round(base, 2) if unit == "%" else base


def _periods():
    years = range(1950, 2100)
    while True:
        for y in years:
            for m in range(1, 13):
                yield f"{y}-{m:02d}"
            for q in range(1, 5):
                yield f"{y}Q{q}"
            yield f"{y}"


def generate(folder: Path, scale: float, seed: int) -> None:
    import openpyxl

    plan = load_plan()
    ind = plan.indicators
    names = [(str(ind.at[i, "name_zh"]), str(ind.at[i, "unit"])) for i in ind.index]
    names.append(("技术合同成交额", "亿元"))  # unknown
    rng = random.Random(seed)
    periods = _periods()
    sub = folder / "submissions"
    sub.mkdir(parents=True)
    n_xlsx, sheets, rows_xlsx = int(40 * scale), 5, 500
    n_csv, rows_csv = int(100 * scale), 1100
    for f in range(n_xlsx):
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for s in range(sheets):
            ws = wb.create_sheet(f"表{s + 1}")
            ws.append([f"江阴高新区科技创新指标报表（批次{f}-{s}）"])
            ws.append(["填报单位：基准测试", None, None, "填报日期：2100年12月31日"])
            ws.append(["序号", "指标名称", "报告期", "单位", "本期值", "备注"])
            for r in range(rows_xlsx):
                name, unit = names[r % len(names)]
                ws.append([r + 1, name, next(periods), unit, _value(rng, unit), None])
            ws.append(["注：基准测试数据。"])
        wb.save(sub / f"bench_{f:03d}.xlsx")
    # Tidy CSVs (one geo per file, so keys do not collide), half GB18030, half UTF-8 with BOM.
    ids = list(ind.index)
    for f in range(n_csv):
        enc = "gb18030" if f % 2 else "utf-8-sig"
        with (sub / f"bench_{f:03d}.csv").open("w", encoding=enc, newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["indicator_id", "geo", "period", "value", "unit", "note"])
            for r in range(rows_csv):
                iid = ids[(r + f) % len(ids)]
                unit = str(ind.at[iid, "unit"])
                v = _value(rng, unit)
                if unit == "亿元" and r % 3 == 0 and isinstance(v, (int, float)):
                    unit, v = "万元", f"{v * 10000:,.0f}"
                w.writerow([iid, f"区域{f:03d}", next(periods), v, unit, "基准"])


def generate_rows200k(folder: Path, rows: int = 200_000) -> None:
    """One workbook, one sheet of ``rows`` indicator rows with a period column (issue #10)."""
    import openpyxl

    plan = load_plan()
    ind = plan.indicators
    names = [(str(ind.at[i, "name_zh"]), str(ind.at[i, "unit"])) for i in ind.index]
    rng = random.Random(7)
    periods = _periods()
    sub = folder / "submissions"
    sub.mkdir(parents=True)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("表1")
    ws.append(["江阴高新区科技创新指标报表（大表）"])
    ws.append(["序号", "指标名称", "报告期", "单位", "本期值", "备注"])
    for r in range(rows):
        name, unit = names[r % len(names)]
        ws.append([r + 1, name, next(periods), unit, _value(rng, unit), "备注"])
    wb.save(sub / "rows200k.xlsx")


def generate_wide(folder: Path, rows: int = 20_000) -> None:
    """A table of ``rows`` rows plus one stray cell in column XFD (the last one): as a dense block the
    used range is 20 000 × 16 384 cells (issue #10)."""
    import openpyxl

    sub = folder / "submissions"
    sub.mkdir(parents=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表1"
    ws.append(["2019年第三季度科技指标"])
    ws.append(["指标名称", "本期值"])
    for _r in range(rows):
        ws.append(["研发机构总数", 160])
    ws[f"XFD{rows}"] = "x"
    wb.save(sub / "wide.xlsx")


_PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants, summed (pages shared by a forked helper and
    its parent count twice, so the sum errs high); 0 once the process is gone."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * _PAGE
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except (OSError, IndexError, ValueError):
            continue
        todo.extend(int(c) for c in children)
    return total


def _sample_tree_rss(pid: int, peak: list[int], done: threading.Event) -> None:
    while not done.wait(0.005):
        peak[0] = max(peak[0], _tree_rss(pid))


def _child(tree: Path, raw: Path, out: Path) -> tuple[float, float, float, str]:
    """``python -m gxq_analysis clean`` of the source tree ``tree`` (run from it, so that tree's package is
    imported) in a child process: (wall s, CPU s and peak RSS MB, its summary). CPU is the child's and its
    helper processes' (``os.wait4`` counts the descendants it waited for). A clean may read files in
    forked helpers, whose memory ``wait4``'s max RSS (the largest single process) would not add up, so the
    peak is the larger of that and the sum over the child and its descendants, sampled every 5 ms."""
    if out.exists():
        shutil.rmtree(out)
    t = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gxq_analysis",
            "clean",
            "--raw",
            str(raw),
            "--out",
            str(out),
            "--no-progress",
        ],
        cwd=tree,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    tree_peak, done = [0], threading.Event()
    sampler = threading.Thread(target=_sample_tree_rss, args=(proc.pid, tree_peak, done), daemon=True)
    sampler.start()
    stdout, stderr = proc.stdout.read(), proc.stderr.read()
    done.set()
    sampler.join()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"clean failed in {tree}:\n{stderr.decode(errors='replace')}")
    cpu = usage.ru_utime + usage.ru_stime  # the child's CPU time: steadier than wall time on a busy machine
    peak_mb = max(usage.ru_maxrss / 1024, tree_peak[0] / 2**20)  # ru_maxrss is in KiB on Linux
    return wall, cpu, peak_mb, stdout.decode()


def _median_line(label: str, runs: list[tuple[float, float, float, str]], cells: int) -> str:
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    peak = statistics.median(r[2] for r in runs)
    return (
        f"{label}: median of {len(runs)}: wall {wall:.2f} s -> {cells / wall:,.0f} cells/s (min "
        f"{min(r[0] for r in runs):.2f} s); CPU {cpu:.2f} s -> {cells / cpu:,.0f} cells/s of CPU; "
        f"peak RSS {peak:,.0f} MB"
    )


def _same_outputs(a: Path, b: Path) -> list[str]:
    """The output files that differ between two clean runs (byte for byte)."""
    names = ("observations.csv", "quarantine.csv", "revisions.csv", "manifest.json")
    return [n for n in names if (a / n).read_bytes() != (b / n).read_bytes()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the number of files")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the generated folder")
    ap.add_argument(
        "--case",
        choices=("batch", "rows200k", "wide"),
        default="batch",
        help="batch: many department files (default); rows200k: one 200 000-row sheet; "
        "wide: one cell in column XFD",
    )
    ap.add_argument(
        "--raw", type=Path, help="clean this already generated raw folder (e.g. one kept with --keep)"
    )
    ap.add_argument("--repeat", type=int, default=1, help="clean N times and print medians")
    ap.add_argument(
        "--baseline",
        type=Path,
        help="another source tree of the project (e.g. `git archive main | tar -x -C DIR`): its clean "
        "runs alternately with this one on the same input; prints both, the per-pair ratios and "
        "whether the outputs are byte-identical",
    )
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gxq-bench-"))
    raw, out = tmp / "raw", tmp / "out"
    t0 = time.perf_counter()
    if args.raw:
        raw = args.raw.resolve()
    elif args.case == "rows200k":
        generate_rows200k(raw)
    elif args.case == "wide":
        generate_wide(raw)
    else:
        generate(raw, args.scale, args.seed)
    gen_s = time.perf_counter() - t0
    runs, base_runs = [], []
    for _ in range(max(1, args.repeat)):
        if args.baseline:
            base_runs.append(_child(args.baseline.resolve(), raw, tmp / "out-baseline"))
        runs.append(_child(ROOT, raw, out))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    cells = sum(f.get("cells", 0) for f in manifest["files"])
    totals = manifest["totals"]
    size_kb = sum(p.stat().st_size for p in raw.rglob("*") if p.is_file()) / 1024
    made = "reused" if args.raw else f"generated in {gen_s:.1f} s"
    print(f"case {args.case}: {totals['files_read']} files ({size_kb:,.0f} KB), {made} ({raw})")
    print(runs[-1][3].splitlines()[0])
    print(f"raw cells: {cells:,}; data rows: {totals['data_rows']:,}")
    if len(runs) == 1 and not base_runs:
        wall, cpu, peak, _ = runs[0]
        print(
            f"clean wall time: {wall:.1f} s -> {cells / wall:,.0f} cells/s, {totals['data_rows'] / wall:,.0f} rows/s"
        )
        print(f"clean CPU time (user + system): {cpu:.1f} s -> {cells / cpu:,.0f} cells/s of CPU")
        print(f"peak memory (RSS of the clean process and its helpers, summed): {peak:,.0f} MB")
    else:
        print(_median_line("this tree", runs, cells))
    if base_runs:
        print(_median_line(f"baseline {args.baseline}", base_runs, cells))
        wall_ratio = statistics.median(r[0] / b[0] for r, b in zip(runs, base_runs))
        cpu_ratio = statistics.median(r[1] / b[1] for r, b in zip(runs, base_runs))
        print(
            f"this tree / baseline, median of the per-pair ratios: wall {wall_ratio:.2f}, CPU {cpu_ratio:.2f}"
        )
        differ = _same_outputs(out, tmp / "out-baseline")
        print(
            "outputs byte-identical to the baseline's (observations, quarantine, revisions, manifest)"
            if not differ
            else f"OUTPUTS DIFFER from the baseline's: {', '.join(differ)}"
        )
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

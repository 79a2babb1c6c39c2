"""Benchmark `gxq clean` on a large generated batch (≥ 1 million raw cells).

    .venv/bin/python benchmarks/bench_clean.py            # default size, ~1.2 M cells
    .venv/bin/python benchmarks/bench_clean.py --scale 2  # twice as many files
    .venv/bin/python benchmarks/bench_clean.py --case rows200k  # one sheet of 200 000 rows
    .venv/bin/python benchmarks/bench_clean.py --case wide      # 20 000 rows and one cell in column XFD

Generates department-style submissions into a temporary folder (xlsx workbooks with title lines,
several sheets and a period column; tidy CSVs in GB18030 and UTF-8 with BOM; some mess: full-width digits, 万元,
placeholders, unknown names, Excel errors), then runs ``python -m gxq_analysis clean`` on it in a
child process and prints wall time, the child's CPU time (steadier than wall time on a shared
machine), cells per second and the child's peak memory (max RSS from
``resource.getrusage(RUSAGE_CHILDREN)``). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
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
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gxq-bench-"))
    raw, out = tmp / "raw", tmp / "out"
    t0 = time.perf_counter()
    if args.case == "rows200k":
        generate_rows200k(raw)
    elif args.case == "wide":
        generate_wide(raw)
    else:
        generate(raw, args.scale, args.seed)
    gen_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    proc = subprocess.run(
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
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t1
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return proc.returncode
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb = usage.ru_maxrss / 1024  # KiB on Linux
    cpu = usage.ru_utime + usage.ru_stime  # the child's CPU time: steadier than wall time on a busy machine
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    cells = sum(f.get("cells", 0) for f in manifest["files"])
    totals = manifest["totals"]
    size_kb = sum(p.stat().st_size for p in raw.rglob("*") if p.is_file()) / 1024
    print(
        f"case {args.case}: generated {totals['files_read']} files ({size_kb:,.0f} KB) in {gen_s:.1f} s ({tmp})"
    )
    print(proc.stdout.splitlines()[0])
    print(f"raw cells: {cells:,}; data rows: {totals['data_rows']:,}")
    print(
        f"clean wall time: {wall:.1f} s -> {cells / wall:,.0f} cells/s, {totals['data_rows'] / wall:,.0f} rows/s"
    )
    print(f"clean CPU time (user + system): {cpu:.1f} s -> {cells / cpu:,.0f} cells/s of CPU")
    print(f"peak memory (max RSS of the clean process): {peak_mb:,.0f} MB")
    if not args.keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The `gxq` command line (DESIGN §3): clean | status | report | template | submissions | corrections |
demo-data.

Each sub-command's work lives in its own module; this file only parses arguments and turns
expected errors into a one-line message and a non-zero exit.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .config import DEFAULT_OBSERVATIONS, DEFAULT_PLAN_DIR, PROCESSED_DIR, RAW_DIR, REPORTS_DIR


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gxq",
        description="Monitoring suite for the Jiangyin High-tech Zone S&T Innovation Three-Year Action Plan.",
    )
    parser.add_argument("--version", action="version", version=f"gxq-analysis {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("clean", help="clean raw submissions into data/processed/observations.csv")
    p.add_argument("--raw", type=Path, default=RAW_DIR, help="raw data folder (default: data/raw)")
    p.add_argument("--out", type=Path, default=PROCESSED_DIR, help="output folder (default: data/processed)")
    p.add_argument("--plan", type=Path, default=DEFAULT_PLAN_DIR, help="plan folder")
    p.add_argument("--no-progress", action="store_true", help="never show a progress bar")

    p = sub.add_parser("status", help="status and probability of meeting each target")
    p.add_argument("--plan", type=Path, default=DEFAULT_PLAN_DIR, help="plan folder")
    p.add_argument("--observations", type=Path, default=DEFAULT_OBSERVATIONS, help="tidy observations CSV")
    p.add_argument("--as-of", default=None, help="use only data up to this period (2019, 2019Q3, 2019-09)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")

    p = sub.add_parser("report", help="render the report pack to offline HTML")
    p.add_argument(
        "--period",
        default=None,
        help="2019Q3 for the quarterly pack, 2019 for the annual evaluation; "
        "default: the latest quarter the data covers",
    )
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--out", type=Path, default=REPORTS_DIR, help="output folder (default: reports)")
    p.add_argument("--plan", type=Path, default=DEFAULT_PLAN_DIR, help="plan folder")
    p.add_argument("--observations", type=Path, default=DEFAULT_OBSERVATIONS, help="tidy observations CSV")
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="kernels running the notebooks, each kept for its next page (default: half the cores, at least one)",
    )
    p.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    p.add_argument(
        "--no-pdf", action="store_true", help="skip summary.pdf and report.pdf (no headless Chromium needed)"
    )
    p.add_argument(
        "--all",
        action="store_true",
        help="render the pack of every quarter and year the data cover, in one run (not with --period)",
    )

    p = sub.add_parser("template", help="write the submission form(s) departments fill in")
    p.add_argument("--period", default=None, help="reporting period printed in the template, e.g. 2019Q3")
    p.add_argument(
        "--dept",
        default=None,
        help="department (e.g. 科技局): its indicators only; 'all' writes one form per department",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output .xlsx file (a folder with --dept all; default: forms/<period>/)",
    )
    p.add_argument("--plan", type=Path, default=DEFAULT_PLAN_DIR, help="plan folder")
    p.add_argument(
        "--observations",
        type=Path,
        default=DEFAULT_OBSERVATIONS,
        help="tidy observations CSV for the previous period's reference values",
    )

    p = sub.add_parser("submissions", help="which department has reported a period, and which has not")
    p.add_argument("--period", required=True, help="reporting period, e.g. 2019Q3")
    p.add_argument(
        "--processed",
        type=Path,
        default=PROCESSED_DIR,
        help="folder written by gxq clean (observations.csv, quarantine.csv, manifest.json)",
    )
    p.add_argument("--plan", type=Path, default=DEFAULT_PLAN_DIR, help="plan folder")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")

    p = sub.add_parser("corrections", help="one workbook per department with its rows that need correcting")
    p.add_argument("--period", required=True, help="reporting period, e.g. 2019Q3")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument(
        "--processed",
        type=Path,
        default=PROCESSED_DIR,
        help="folder written by gxq clean (quarantine.csv, manifest.json)",
    )
    p.add_argument("--plan", type=Path, default=DEFAULT_PLAN_DIR, help="plan folder")

    p = sub.add_parser("demo-data", help="(re)generate the illustrative demo submissions (seeded)")
    p.add_argument(
        "--out",
        type=Path,
        default=RAW_DIR / "submissions" / "demo",
        help="output folder (default: data/raw/submissions/demo)",
    )
    p.add_argument("--plan", type=Path, default=DEFAULT_PLAN_DIR, help="plan folder")
    p.add_argument("--seed", type=int, default=20181228)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .model.plan import PlanError

    try:
        if args.command == "clean":
            from .ingest.clean import command_clean

            return command_clean(args)
        if args.command == "status":
            from .assess.status_table import command_status

            return command_status(args)
        if args.command == "report":
            from .report.render import command_report

            return command_report(args)
        if args.command == "template":
            from .loop.template import command_template

            return command_template(args)
        if args.command == "submissions":
            from .loop.submissions import command_submissions

            return command_submissions(args)
        if args.command == "corrections":
            from .loop.corrections import command_corrections

            return command_corrections(args)
        if args.command == "demo-data":
            from .ingest.demo_data import command_demo_data

            return command_demo_data(args)
    except PlanError as exc:
        print(f"gxq {args.command}: invalid plan: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"gxq {args.command}: interrupted", file=sys.stderr)
        return 130
    raise AssertionError(f"unhandled command {args.command}")

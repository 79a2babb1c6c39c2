"""`gxq status` (DESIGN §3): the status table printed as a terminal table, CSV or JSON.

The assessment itself is :func:`gxq_analysis.assess.status.assess_plan`; this module only lays it out
(East Asian wide characters take two terminal columns) and handles the command. The table's words are
the ``assess`` domain of the i18n catalogue.
"""

from __future__ import annotations

import json
import math
import os
import sys
import unicodedata

import numpy as np
import pandas as pd

from ..i18n import status_label, text
from ..model.observations import ObservationsError, load_observations
from ..model.periods import PeriodError
from ..model.plan import load_plan
from .status import assess_plan

TABLE_COLUMNS = ("indicator", "year", "target", "latest", "value", "status", "p_meet", "projection")


def display_width(text: str) -> int:
    """Terminal columns taken by ``text`` (East Asian wide and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


def pad(text: str, width: int, align: str = "left") -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if align == "right" else text + fill


def truncate(text: str, width: int) -> str:
    text = str(text)
    if display_width(text) <= width:
        return text
    out, w = "", 0
    for ch in text:
        cw = display_width(ch)
        if w + cw > width - 1:
            break
        out, w = out + ch, w + cw
    return out + "…"


def fmt_number(x, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    s = f"{x:,.{digits}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def format_table(df: pd.DataFrame, lang: str = "zh", title: str = "") -> str:
    heads = [text("assess", f"status_table.{col}", lang) for col in TABLE_COLUMNS]
    aligns = ["left", "right", "right", "left", "right", "left", "right", "left"]
    rows = []
    for r in df.itertuples(index=False):
        p = "—" if math.isnan(r.p_meet) else f"{r.p_meet:.0%}"
        if math.isnan(r.projected_value):
            proj = "—"
        else:
            proj = (
                f"{fmt_number(r.projected_value)} [{fmt_number(r.projected_lo80)}, "
                f"{fmt_number(r.projected_hi80)}]"
            )
        name = f"{r.no}. {r.name}" if r.no else r.name
        label = status_label(r.status, lang) + ("*" if r.illustrative else "")
        rows.append(
            [
                truncate(name, 30),
                str(r.target_year),
                fmt_number(r.target),
                r.latest_period or "—",
                fmt_number(r.latest_value),
                label,
                p,
                proj,
            ]
        )
    widths = [max([display_width(h)] + [display_width(row[i]) for row in rows]) for i, h in enumerate(heads)]
    sep = "  "
    lines = []
    if title:
        lines.append(title)
    lines.append(sep.join(pad(h, w, a) for h, w, a in zip(heads, widths, aligns)).rstrip())
    lines.append(sep.join("-" * w for w in widths))
    for row in rows:
        lines.append(sep.join(pad(c, w, a) for c, w, a in zip(row, widths, aligns)).rstrip())
    if df["illustrative"].any():
        lines.append(text("assess", "status_table.illustrative", lang))
    return "\n".join(lines)


def _jsonable(df: pd.DataFrame) -> list[dict]:
    out = []
    for rec in df.to_dict(orient="records"):
        clean = {}
        for k, v in rec.items():
            if isinstance(v, float) and math.isnan(v):
                v = None
            elif isinstance(v, (np.integer,)):
                v = int(v)
            elif isinstance(v, (np.floating,)):
                v = None if np.isnan(v) else float(v)
            elif isinstance(v, np.bool_):
                v = bool(v)
            clean[k] = v
        out.append(clean)
    return out


def command_status(args) -> int:
    """`gxq status`: print the status table as table, csv or json (DESIGN §3)."""
    plan = load_plan(args.plan)
    try:
        obs = load_observations(args.observations, default_geo=plan.zone_geo)
        df = assess_plan(plan, obs, as_of=args.as_of, lang=args.lang)
    except (ObservationsError, PeriodError, ValueError) as exc:
        print(f"gxq status: {exc}", file=sys.stderr)
        return 2
    fmt = getattr(args, "format", "table")
    if fmt == "csv":
        out = df.to_csv(index=False, lineterminator="\n")
    elif fmt == "json":
        out = json.dumps(_jsonable(df), ensure_ascii=False, indent=1) + "\n"
    else:
        as_of = df["as_of"].iat[0] if not df.empty else str(args.as_of or "")
        head = text("assess", "status_table.title", args.lang, plan=plan.title_in(args.lang), as_of=as_of)
        out = format_table(df, args.lang, head) + "\n"
    try:
        sys.stdout.write(out)
        sys.stdout.flush()
    except BrokenPipeError:  # `gxq status | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0

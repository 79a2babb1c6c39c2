"""public/public_figures.csv: published figures (context and benchmarks) with their source, mapped to
plan indicators by the plan's indicator number; figures of another scope or with no plan indicator are
quarantined as context, never silently dropped."""

from __future__ import annotations

import re

from ..model.periods import Period, PeriodError, parse_period
from .checks import Source
from .layout import cell_text, has_text
from .quarantine import Q_BAD_VALUE, Q_CONTEXT, Q_NO_PERIOD, Q_POPULATION, Q_UNKNOWN, Q_UNREADABLE
from .readers import Grid
from .records import FileReport, Observation, col_letter
from .tidy import cell_getter, data_rows
from .values import canonical_unit_text, normalize_text, parse_value_cached

# Words in a public figure's name that mark it provisional: it yields to a final figure for the same cell.
_PROVISIONAL_WORDS = ("初步", "初值", "预计", "推算", "约")

# Public figures whose name says they measure something else than the plan's indicator for that geo:
# (marker in the name, indicator kinds it applies to (None = all), reason zh, reason en).
_DIFFERENT_SCOPE = [
    (
        "县域",
        ("rank",),
        "县域国家高新区中的位次不是计划的全国排名",
        "a rank among county-level national high-tech zones, not the plan's national rank",
    ),
    (
        "苏南",
        None,
        "苏南地区的数据不是该地区全口径",
        "a figure for southern Jiangsu (苏南) only, not the whole area",
    ),
    (
        "OECD口径",
        None,
        "OECD口径与国家统计口径不同",
        "on the OECD basis, not the official statistical definition",
    ),
]


def clean_public(grid: Grid, src: Source, report: FileReport) -> None:
    """public/public_figures.csv: published figures with their source, mapped to the plan by number."""
    checker = src.checker
    header_row = next(i for i, r in enumerate(grid.rows, start=1) if has_text(r))
    header = [cell_text(h).strip().lower() for h in grid.rows[header_row - 1]]
    idx = {h: i for i, h in enumerate(header) if h}
    required = ("geo", "plan_indicator_no", "indicator_cn", "year", "value", "unit")
    missing = [c for c in required if c not in idx]
    if missing:
        report.unreadable = f"公开数据缺少列 public figures file lacks column(s): {', '.join(missing)}"
        src.q("", None, "", Q_UNREADABLE, report.unreadable)
        return
    by_no = checker.plan.by_number()

    get = cell_getter(idx)

    for r, row in data_rows(grid, header_row, report):
        geo, no, name = get(row, "geo"), get(row, "plan_indicator_no"), get(row, "indicator_cn")
        year = get(row, "year")
        raw_value = get(row, "value")
        no_col = col_letter(idx["plan_indicator_no"] + 1)
        if not no:
            src.q(
                "",
                r,
                no_col,
                Q_CONTEXT,
                f"公开数据: 无对应计划指标 (仅作背景) public figure with no matching plan "
                f"indicator (context only): {geo} {name} {year}",
                raw_value=raw_value,
                raw_name=name,
                geo=geo,
                period=year,
            )
            continue
        iid = by_no.get(no)
        if iid is None:
            src.q(
                "",
                r,
                no_col,
                Q_UNKNOWN,
                f"公开数据: 计划中没有第 {no} 号指标 no plan indicator number {no}",
                raw_value=raw_value,
                raw_name=name,
                geo=geo,
                period=year,
            )
            continue
        scope = next(
            (x for x in _DIFFERENT_SCOPE if x[0] in name and (x[1] is None or checker.kinds[iid] in x[1])),
            None,
        )
        if scope is not None:
            src.q(
                "",
                r,
                col_letter(idx["indicator_cn"] + 1),
                Q_POPULATION,
                f"公开数据: 口径不同, {scope[2]} different population: {scope[3]} ({iid}); not mapped",
                raw_value=raw_value,
                raw_name=name,
                indicator_id=iid,
                geo=geo,
                period=year,
            )
            continue
        try:
            period = parse_period(year)
        except PeriodError:
            src.q(
                "",
                r,
                col_letter(idx["year"] + 1),
                Q_NO_PERIOD,
                f"年份无法识别 year not understood: {year!r}",
                raw_value=raw_value,
                raw_name=name,
                indicator_id=iid,
                geo=geo,
            )
            continue
        ytd = False
        # A sub-year span stated up front in the bracket ("(1-8月)", "(上半年,预计)") is a YTD figure;
        # one mentioned only as a possibility ("或为2017年1-9月") is not.
        sub = re.search(r"[(（]\s*(?:1\s*[-~～—至]\s*(\d{1,2})\s*月|(上半年))", normalize_text(name))
        if sub and sub.group(1) and 1 <= int(sub.group(1)) < 12:
            period, ytd = Period.month(period.year, int(sub.group(1))), True
        elif sub and sub.group(2):
            period, ytd = Period.quarter(period.year, 2), True
        if checker.accum[iid] == "stock":
            ytd = False
        cat, why = checker.check_period(period, None, public=True)
        if cat:
            src.q(
                "",
                r,
                col_letter(idx["year"] + 1),
                cat,
                why,
                raw_value=raw_value,
                raw_name=name,
                indicator_id=iid,
                geo=geo,
                period=str(period),
            )
            continue
        pv = parse_value_cached(raw_value)
        vcol = col_letter(idx["value"] + 1)
        if not pv.ok:
            src.q(
                "",
                r,
                vcol,
                Q_BAD_VALUE,
                pv.reason,
                raw_value=raw_value,
                raw_name=name,
                indicator_id=iid,
                geo=geo,
                period=str(period),
            )
            continue
        unit = canonical_unit_text(get(row, "unit"))
        value, conversion, cat, why = checker.check_value(iid, pv, unit, percent_explicit=True)
        if cat:
            src.q(
                "",
                r,
                vcol,
                cat,
                why,
                raw_value=raw_value,
                raw_name=name,
                indicator_id=iid,
                geo=geo,
                period=str(period),
            )
            continue
        assert value is not None
        note = "; ".join(x for x in (get(row, "quote"), get(row, "note")) if x)
        rec = Observation(
            iid,
            geo,
            str(period),
            value,
            checker.units[iid],
            src.rel,
            r,
            False,
            ytd,
            "",
            vcol,
            raw_value,
            get(row, "unit"),
            conversion,
            get(row, "qualifier") or pv.qualifier,
            "",
            get(row, "source_url"),
            note,
            period,
        )
        src.add(rec, None, provisional=any(w in name for w in _PROVISIONAL_WORDS))

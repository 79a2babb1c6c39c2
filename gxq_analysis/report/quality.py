"""The data-quality page (10): what was read, quarantined and revised, coverage, illustrative figures."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .html import SafeHTML, html_table
from .numbers import is_missing
from .text import t

if TYPE_CHECKING:
    from ..model.plan import Plan


def coverage_matrix(plan: Plan, obs: pd.DataFrame, lang: str = "zh", geo: str | None = None) -> pd.DataFrame:
    """Indicator × year table of the latest period with a value in that year (zone only).

    Cells: the FY label for an annual value (or any period ending in December), ``Q3``-style for a
    quarter, ``9月``/``M9`` for a month; empty when the year has no value. Rows follow the plan's
    order; columns are the years present in the data and the plan.
    """
    import pandas as pd

    geo = plan.zone_geo if geo is None else geo
    rows = obs[obs["geo"] == geo]
    years = sorted(set(int(y) for y in rows["year"]) | set(plan.years)) if len(rows) else list(plan.years)
    out = pd.DataFrame("", index=list(plan.indicators.index), columns=years, dtype=object)
    for (iid, year), grp in rows.groupby(["indicator_id", "year"]):
        if iid not in out.index:
            continue
        best = max(grp["period_obj"])
        if best.end_month == 12:
            label = t("dq.fy", lang)
        elif best.freq == "Q":
            label = f"Q{best.number}"
        else:
            label = t("dq.month", lang, n=best.number)
        out.at[iid, int(year)] = label
    return out


def read_optional_csv(path: Path) -> pd.DataFrame | None:
    """A CSV written by the cleaner, as text columns; None when the file is absent."""
    import pandas as pd

    if not Path(path).is_file():
        return None
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def read_manifest(path: Path) -> dict | None:
    """The cleaner's manifest.json (what was read), or None when absent or unreadable."""

    path = Path(path)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


MANIFEST_COLUMNS = (
    "path",
    "kind",
    "encoding",
    "sheets",
    "reported_at",
    "data_rows",
    "values",
    "quarantined",
    "unreadable",
    "sha256",
)


def files_table(manifest: Mapping[str, Any] | None, lang: str = "zh") -> SafeHTML:
    """What the cleaner read, one row per file, from its manifest: kind, encoding, sheets, reporting
    date, data rows, values kept, rows quarantined, why a file could not be read, and the start of
    its SHA-256 (enough to tell two versions of a file apart)."""
    files = [f for f in (manifest or {}).get("files", []) if isinstance(f, Mapping)]
    if not files:
        return SafeHTML("")
    rows = []
    for f in files:
        sheets = f.get("sheets") or []
        rows.append(
            {
                "path": f.get("path", ""),
                "kind": f.get("kind", ""),
                "encoding": f.get("encoding", ""),
                "sheets": "、".join(str(x) for x in sheets if x) if isinstance(sheets, list) else str(sheets),
                "reported_at": f.get("reported_at", ""),
                "data_rows": f.get("data_rows", ""),
                "values": f.get("values", ""),
                "quarantined": f.get("quarantined", ""),
                "unreadable": f.get("unreadable", ""),
                "sha256": str(f.get("sha256", ""))[:12],
            }
        )
    headers = {c: t(f"mf.{c}", lang) for c in MANIFEST_COLUMNS}
    return html_table(rows, headers, numeric=["data_rows", "values", "quarantined"])


# Quarantine categories written by the cleaner: label, and whether someone must act on the row.
QUARANTINE_CATEGORIES: dict[str, tuple[str, str, bool]] = {
    "unreadable_file": ("文件无法读取", "File could not be read", True),
    "no_table": ("未找到数据表", "No table found", True),
    "unknown_indicator": ("未知指标名称", "Unknown indicator name", True),
    "empty_name": ("指标名称为空", "Empty indicator name", True),
    "no_value": ("无数值（空白、占位符或Excel错误）", "No value (blank, placeholder or Excel error)", True),
    "invalid_value": ("数值无法识别", "Value not understood", True),
    "incompatible_unit": ("单位不兼容", "Incompatible unit", True),
    "fraction_not_percent": ("疑似小数而非百分数", "Looks like a fraction, not percent", True),
    "out_of_range": ("超出合理范围", "Out of range", True),
    "not_integer": ("应为整数", "Should be a whole number", True),
    "no_period": ("报告期无法识别", "Period not understood", True),
    "future_period": ("报告期晚于填报日期", "Period after the reporting date", True),
    "inconsistent_columns": ("本期值与累计值矛盾", "Period and year-to-date columns disagree", True),
    "duplicate": ("重复（同值保留一次）", "Duplicate (kept once)", False),
    "superseded": ("被更正取代（见修订）", "Superseded (see revisions)", False),
    "context_only": ("公开数据背景资料（无对应指标）", "Public context figure (no plan indicator)", False),
    "different_population": ("公开数据口径不同", "Public figure of a different scope", False),
    "conflict": ("同一数据数值矛盾，需人工判定", "Conflicting submissions, a person decides", True),
    "unsupported_file": ("不支持的文件类型，未读取", "Unsupported file type, not read", True),
    "outside_raw": (
        "链接指向原始数据目录之外，未读取",
        "Link leading outside the raw folder, not read",
        True,
    ),
    "hidden_folder": ("隐藏文件或文件夹，未读取", "Hidden file or folder, not read", True),
    "beyond_plan_horizon": ("报告期超出计划期限", "Period after the plan's horizon", True),
    "implausible_jump": (
        "与上期相比变化异常（已保留，请核实）",
        "Implausible jump from the previous period (kept; please check)",
        True,
    ),
}


def _needs_check(category: Any) -> bool:
    """Unknown categories count as needing a check: better asked about than silently filed."""
    return QUARANTINE_CATEGORIES.get(str(category), ("", "", True))[2]


def _category_label(category: Any, lang: str) -> str:
    entry = QUARANTINE_CATEGORIES.get(str(category))
    return str(category) if entry is None else str(entry[0 if lang == "zh" else 1])


def quarantine_overview(quarantine: pd.DataFrame, lang: str = "zh") -> SafeHTML:
    """Counts by category, the rows someone must check first."""
    if quarantine is None or quarantine.empty or "category" not in quarantine:
        return SafeHTML("")
    counts = quarantine.groupby("category").size()
    act = {c: _needs_check(c) for c in counts.index}
    order = sorted(counts.index, key=lambda c: (not act[c], -int(counts[c]), c))
    rows = [
        {
            "category": _category_label(c, lang),
            "n": int(counts[c]),
            "action": t("dq.action.check", lang) if act[c] else t("dq.action.handled", lang),
        }
        for c in order
    ]
    return html_table(
        rows,
        {"category": t("col.category", lang), "n": t("col.count", lang), "action": t("col.action", lang)},
        numeric=["n"],
    )


def quarantine_to_check(quarantine: pd.DataFrame) -> pd.DataFrame:
    """The quarantined rows someone must act on (not those handled by rule), in file and row order."""
    if quarantine is None or quarantine.empty or "category" not in quarantine:
        return quarantine
    return quarantine[[_needs_check(c) for c in quarantine["category"]]]


def revisions_table(revisions: pd.DataFrame, plan: Plan, lang: str = "zh") -> SafeHTML:
    """Each revision: indicator, area, period, old and new value with where each came from, and why."""
    if revisions is None or revisions.empty:
        return SafeHTML("")

    def where(r: Mapping[str, Any], side: str) -> str:
        f, sheet, row = (r.get(f"{side}_source_{k}") for k in ("file", "sheet", "row"))
        sheet_txt = f"[{sheet}]" if not is_missing(sheet) and str(sheet) else ""
        return f"{f}{sheet_txt}:{row}"

    rows = []
    for r in revisions.to_dict("records"):
        iid = str(r.get("indicator_id", ""))
        name = plan.name(iid, lang) if iid in plan.indicators.index else iid
        rows.append(
            {
                "name": name,
                "geo": r.get("geo", ""),
                "period": r.get("period", ""),
                "old": r.get("old_value", ""),
                "new": r.get("new_value", ""),
                "old_src": where(r, "old"),
                "new_src": where(r, "new"),
                "reason": r.get("reason", ""),
            }
        )
    return html_table(
        rows,
        {
            "name": t("col.indicator", lang),
            "geo": t("col.geo", lang),
            "period": t("col.period", lang),
            "old": t("col.old_value", lang),
            "new": t("col.new_value", lang),
            "old_src": t("col.old_source", lang),
            "new_src": t("col.new_source", lang),
            "reason": t("col.reason", lang),
        },
        numeric=["old", "new"],
    )


def sources_summary(obs: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """One row per source file of the clean table: rows, indicators, period range, illustrative."""
    import pandas as pd

    cols = ["source_file", "rows", "indicators", "periods", "illustrative"]
    if obs is None or len(obs) == 0:
        return pd.DataFrame(columns=cols)
    out = []
    for src, grp in obs.groupby(obs["source_file"].fillna("").astype(str), sort=True):
        periods = sorted(grp["period_obj"])
        span = str(periods[0]) if periods[0] == periods[-1] else f"{periods[0]}–{periods[-1]}"
        out.append(
            {
                "source_file": src,
                "rows": len(grp),
                "indicators": grp["indicator_id"].nunique(),
                "periods": span,
                "illustrative": t("yes" if grp["illustrative"].any() else "no", lang),
            }
        )
    return pd.DataFrame(out, columns=cols)


def illustrative_summary(plan: Plan, obs: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Indicators with illustrative values: name, number of values and the periods they cover."""
    import pandas as pd

    cols = ["indicator_id", "name", "count", "periods"]
    if obs is None or len(obs) == 0 or "illustrative" not in obs:
        return pd.DataFrame(columns=cols)
    ill = obs[obs["illustrative"].astype(bool)]
    out = []
    for iid, grp in ill.groupby("indicator_id", sort=False):
        name = plan.name(iid, lang) if iid in plan.indicators.index else iid
        periods = sorted(grp["period_obj"])
        span = str(periods[0]) if periods[0] == periods[-1] else f"{periods[0]}–{periods[-1]}"
        out.append({"indicator_id": iid, "name": name, "count": len(grp), "periods": span})
    order = {iid: i for i, iid in enumerate(plan.indicators.index)}
    out.sort(key=lambda r: order.get(r["indicator_id"], len(order)))
    return pd.DataFrame(out, columns=cols)

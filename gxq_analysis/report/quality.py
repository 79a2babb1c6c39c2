"""The data-quality page (10): what was read, quarantined and revised, coverage, illustrative figures."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..ingest.quarantine import CATEGORIES, label, needs_check
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


# Quarantine categories, their words and whether someone must act: the one registry the cleaner writes by.
QUARANTINE_CATEGORIES = CATEGORIES
_needs_check = needs_check


def _category_label(category: Any, lang: str) -> str:
    return label(category, lang)


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

"""The index tables the annual report shows (labelled in the report's language)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...i18n import check_lang
from ..index import (
    COVERAGE_CHANGE,
    DIMENSIONS,
    OVERALL,
    Decomposition,
    IndexResult,
    Sensitivity,
    dimension_name,
    robustness,
)
from .text import t


def robustness_verdicts(result: IndexResult, sens: Sensitivity, loo: pd.DataFrame) -> pd.DataFrame:
    """Per year: central change, its band, the pooled share of draws rising, the leave-one-out range and
    the robustness class (:func:`gxq_analysis.assess.index.robustness`)."""
    band = sens.band(result.normalisation)
    rows = []
    for y in result.years[1:]:
        lo_ch = loo[loo["year"] == y]["change"]
        p = sens.p_rise.get(y, np.nan)
        rows.append(
            {
                "year": y,
                "change": band.at[y, "change_central"],
                "change_lo": band.at[y, "change_lo"],
                "change_hi": band.at[y, "change_hi"],
                "p_rise": p,
                "loo_min": lo_ch.min() if lo_ch.notna().any() else np.nan,
                "loo_max": lo_ch.max() if lo_ch.notna().any() else np.nan,
                "verdict": robustness(p, lo_ch.to_numpy(dtype="float64")),
            }
        )
    return pd.DataFrame(rows)


def index_table(result: IndexResult, sens: Sensitivity, lang: str = "zh") -> pd.DataFrame:
    """Year rows: overall, its band, the five dimension scores (labelled in ``lang``)."""
    band = sens.band(result.normalisation)
    out = pd.DataFrame({"year": result.years})
    out["overall"] = [result.overall[y] for y in result.years]
    out["lo"] = [band.at[y, "lo"] for y in result.years]
    out["hi"] = [band.at[y, "hi"] for y in result.years]
    out["change"] = out["overall"].diff()
    for d in DIMENSIONS:
        out[dimension_name(d, lang)] = [result.dimensions.at[y, d] for y in result.years]
    return out


def contribution_table(dec: Decomposition, result: IndexResult, lang: str = "zh") -> pd.DataFrame:
    """Indicator contributions sorted by absolute size, named in ``lang``; the coverage-change lines
    are labelled as such. Rows with no contribution (not in both years) are dropped."""
    if not dec.computable:
        return pd.DataFrame(columns=["dimension", "name", "prev", "curr", "contribution"])
    bi = dec.by_indicator[dec.by_indicator["kind"] != "not_in_both_years"].copy()
    names = []
    for iid in bi["indicator_id"]:
        if iid == COVERAGE_CHANGE:
            names.append(t("coverage_change", lang))
        else:
            names.append(str(result.mapping.at[iid, f"name_{check_lang(lang)}"]))
    bi["name"] = names
    bi["dimension"] = [dimension_name(d, lang) for d in bi["dimension"]]
    bi = bi.reindex(bi["contribution"].abs().sort_values(ascending=False).index)
    return bi[["dimension", "indicator_id", "name", "prev", "curr", "contribution"]].reset_index(drop=True)


def coverage_table(result: IndexResult, lang: str = "zh") -> pd.DataFrame:
    """Dimension × year: 'available / total' and computable, from the index's coverage rows."""
    cov = result.coverage
    rows = []
    for d in [*DIMENSIONS, OVERALL]:
        rec: dict[object, str] = {
            "dimension": t("col.overall", lang) if d == OVERALL else dimension_name(d, lang)
        }
        for y in result.years:
            r = cov[(cov["dimension"] == d) & (cov["year"] == y)].iloc[0]
            mark = "" if r["computable"] else " ✗"
            rec[y] = f"{int(r['n_available'])}/{int(r['n_indicators'])}{mark}"
        rows.append(rec)
    return pd.DataFrame(rows)


def not_computable(result: IndexResult) -> pd.DataFrame:
    cov = result.coverage
    return cov[~cov["computable"] & (cov["n_indicators"] > 0)].reset_index(drop=True)


def source_files(*frames: pd.DataFrame) -> list[str]:
    files: list[str] = []
    for f in frames:
        if f is None or "source_file" not in getattr(f, "columns", []):
            continue
        for x in f["source_file"].dropna().astype(str):
            if x and x not in files:
                files.append(x)
    return sorted(files)

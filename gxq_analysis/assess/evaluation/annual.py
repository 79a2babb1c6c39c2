"""Everything the annual notebook shows, computed in one call (:func:`evaluate_year`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...i18n import check_lang
from ...model.plan import Plan
from ...model.series import ObsIndex, obs_frame
from ...report.numbers import fmt_signed
from ..benchmarks import benchmarks
from ..index import (
    Decomposition,
    IndexResult,
    Sensitivity,
    compute_index,
    decompose,
    leave_one_out,
    load_index_config,
    sensitivity,
    with_normalisation,
)
from ..status import assess_plan
from .results import pace_history, year_results
from .tables import robustness_verdicts, source_files
from .text import fmt, fmt_share, t


@dataclass
class AnnualEvaluation:
    year: int
    lang: str
    results: pd.DataFrame
    index: IndexResult
    fixed_base: IndexResult  # ratio normalisation: base year = 100
    sensitivity: Sensitivity
    loo: pd.DataFrame
    verdicts: pd.DataFrame
    decomposition: Decomposition | None
    pace: pd.DataFrame
    benchmarks: pd.DataFrame
    outlook: pd.DataFrame | None
    notes: list[str] = field(default_factory=list)

    @property
    def illustrative(self) -> bool:
        frames = [self.results, self.index.provenance, self.pace]
        return any(
            bool(f["illustrative"].fillna(False).astype(bool).any())
            for f in frames
            if f is not None and "illustrative" in f.columns and len(f)
        ) or bool(self.benchmarks["zone_illustrative"].any() if len(self.benchmarks) else False)

    @property
    def sources(self) -> list[str]:
        return source_files(self.results, self.index.provenance, self.pace)

    def verdict(self, year: int | None = None) -> str:
        y = self.year if year is None else year
        v = self.verdicts[self.verdicts["year"] == y]
        return str(v["verdict"].iloc[0]) if len(v) else "not_computable"

    def summary_sentences(self) -> list[str]:
        """Plain-text key points (escape before display)."""
        lang, y = self.lang, self.year
        r = self.results
        out = [
            t(
                "sum.results",
                lang,
                year=y,
                n=len(r),
                met=int((r["status"] == "target_achieved").sum()),
                missed=int((r["status"] == "target_missed").sum()),
                na=int((r["status"] == "insufficient_data").sum()),
            )
        ]
        ok, why = self.index.computable(y)
        if not ok:
            out.append(t("sum.index_na", lang, year=y, reason=why))
        elif y - 1 in self.index.years and self.index.computable(y - 1)[0]:
            verdict = self.verdict()
            p = self.sensitivity.p_rise.get(y, np.nan)
            n = self.sensitivity.n_draws * len(self.sensitivity.draws)
            # The headline reads the fixed-base view (base year = 100): the min-max scores of the main
            # table put the window's first year near 0, so "0.2 → 45.9" would read as a 200-fold rise.
            comparable = self.fixed_base.overall
            base = self.fixed_base.config.base_year
            out.append(
                t(
                    "sum.index",
                    lang,
                    year=y,
                    value=fmt(comparable[y]),
                    prev_year=y - 1,
                    prev=fmt(comparable[y - 1]),
                    base=base,
                    change=fmt_signed(comparable[y] - comparable[y - 1]),
                    robust=t(f"robust.{verdict}", lang, n=n, p=fmt_share(p)),
                )
            )
        else:
            out.append(
                t(
                    "sum.index_first",
                    lang,
                    year=y,
                    value=fmt(self.fixed_base.overall[y]),
                    base=self.fixed_base.config.base_year,
                )
            )
        return out


def evaluate_year(
    plan: Plan,
    obs: pd.DataFrame | ObsIndex,
    year: int,
    lang: str = "zh",
    draws: int | None = None,
    seed: int | None = None,
) -> AnnualEvaluation:
    """The annual evaluation of ``year`` from the data reported up to the end of that year (``obs``: the
    table, or a :class:`series.ObsIndex` of it, which the status and pace parts then share)."""
    check_lang(lang)
    index = obs
    obs = obs_frame(obs)
    as_of = str(year)
    config = load_index_config(plan)
    result = compute_index(index, plan, config=config, as_of=as_of)
    fixed = with_normalisation(result, "ratio", plan)
    sens = sensitivity(result, plan, draws=draws, seed=seed)
    loo = leave_one_out(result, plan)
    verdicts = robustness_verdicts(result, sens, loo)
    dec = decompose(result, year) if year - 1 in result.years and year in result.years else None
    outlook = None
    notes: list[str] = []
    if year < plan.end_year:
        try:
            st = assess_plan(plan, index, as_of=as_of, lang=lang)
            outlook = st[st["target_year"] == plan.end_year].reset_index(drop=True)
        except Exception as exc:  # the outlook is a courtesy section; say why it is missing
            notes.append(f"outlook not available: {type(exc).__name__}: {exc}")
    return AnnualEvaluation(
        year=year,
        lang=lang,
        results=year_results(plan, index, year, lang),
        index=result,
        fixed_base=fixed,
        sensitivity=sens,
        loo=loo,
        verdicts=verdicts,
        decomposition=dec,
        pace=pace_history(plan, index, year, lang),
        benchmarks=benchmarks(plan, index, year, lang),  # the index: the areas' series are shared
        outlook=outlook,
        notes=notes,
    )

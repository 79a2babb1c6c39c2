"""Notebook set-up, parameter validation and the report context every page works with, including the
period's one assessment (:mod:`gxq_analysis.assess.period`): read from the file ``gxq report`` wrote
into the pack, or computed here when a notebook runs on its own (JupyterLab)."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .html import SafeHTML, banner_html
from .pack_files import read_figures, wait_for_pack_file
from .text import REPORT_META_KEY, t

if TYPE_CHECKING:
    import pandas as pd

    from ..assess.period import PeriodAssessment
    from ..model.periods import Period
    from ..model.plan import Plan


def setup_notebook(charts: bool = True) -> None:
    """Silence warnings and logging noise in a report notebook and set the chart style.

    Missing-glyph warnings are the one exception: they are left visible (the renderer refuses to
    publish a report whose charts lost Chinese characters, and the tests look for them).
    """
    warnings.simplefilter("ignore")
    warnings.filterwarnings("always", message=r".*[Gg]lyph .* missing from font.*")
    logging.getLogger().setLevel(logging.ERROR)
    for name in ("matplotlib", "matplotlib.font_manager", "PIL", "fontTools", "numexpr", "py.warnings"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        import pandas as pd

        pd.set_option("display.max_columns", 50)
        pd.set_option("display.width", 200)
    except ImportError:  # pragma: no cover
        pass
    if charts:
        from .charts import apply_style

        apply_style()


class ReportParameterError(ValueError):
    """A report parameter that cannot be used; the message is in Chinese and English."""

    def __init__(self, name: str, value: Any, zh: str, en: str):
        self.name, self.value = name, value
        super().__init__(
            f"{t('param.header', 'zh')} / {t('param.header', 'en')}: {name}={value!r} — {zh} / {en}"
        )


@dataclass
class ReportContext:
    """What a report notebook works with once its parameters are validated."""

    period: Period
    lang: str
    plan_dir: Path
    observations_path: Path
    plan: Plan
    obs_all: pd.DataFrame  # every row of the observations file
    obs: pd.DataFrame  # rows whose period ended by the report period
    year: int | None = None
    extra: dict = field(default_factory=dict)
    assessment_path: str = ""  # the pack's assessment file ("" when a notebook runs on its own)
    figures_path: str = ""  # the pack's figures file (report.figures; "" when the page draws its own)
    obs_index: Any = None  # an ObsIndex of ``obs`` kept by a compute worker (model.series), else None
    _assessment: PeriodAssessment | None = field(default=None, repr=False)
    _figures: dict | None = field(default=None, repr=False)  # the pack's figures, once read

    @property
    def processed_dir(self) -> Path:
        """The folder holding observations.csv and its siblings (quarantine.csv, revisions.csv …)."""
        return self.observations_path.parent

    @property
    def zone(self) -> str:
        return self.plan.zone_geo

    @property
    def zone_obs(self) -> pd.DataFrame:
        return self.obs[self.obs["geo"] == self.zone]

    @property
    def target_year(self) -> int:
        """The plan year the report looks towards: the report year, within the plan's years."""
        years = self.plan.years
        later = [y for y in years if y >= self.period.year]
        return min(later) if later else max(years)

    @property
    def final_year(self) -> int:
        return max(self.plan.years)


def validate_params(
    period: Any,
    lang: Any = "zh",
    plan_dir: Any = "",
    observations_path: Any = "",
    *,
    year: Any = None,
    kinds: str = "QA",
    assessment: Any = "",
    figures: Any = "",
    kept: Callable[[], tuple[Any, Any, Any]] | None = None,
) -> ReportContext:
    """Check a report notebook's parameters and load its inputs.

    ``kinds`` lists the period kinds the notebook accepts (``Q`` quarterly, ``A`` annual). Empty paths
    mean the project defaults. Raises :class:`ReportParameterError` with a clear message. ``kept``:
    called once the paths are checked, gives the plan, table and its ObsIndex as a compute
    worker already read them from these paths (:func:`worker_inputs.kept_inputs`), not read again.
    """
    from ..config import DEFAULT_OBSERVATIONS, DEFAULT_PLAN_DIR
    from ..model.periods import PeriodError, parse_period

    if lang not in ("zh", "en"):
        raise ReportParameterError("lang", lang, "报告语言应为 zh 或 en", "report language must be zh or en")
    try:
        per = parse_period(period)
    except PeriodError:
        raise ReportParameterError(
            "period",
            period,
            "无法识别的报告期，应为 2019Q3（季度）或 2019（年度）",
            "not a period: expected 2019Q3 (a quarter) or 2019 (a year)",
        ) from None
    if per.freq not in kinds:
        wanted_zh = "、".join({"Q": "季度（如 2019Q3）", "A": "年度（如 2019）"}[k] for k in kinds)
        wanted_en = " or ".join({"Q": "a quarter (2019Q3)", "A": "a year (2019)"}[k] for k in kinds)
        raise ReportParameterError(
            "period", period, f"本报告的报告期应为{wanted_zh}", f"this report needs {wanted_en}"
        )
    year_int: int | None = None
    if year is not None and year != "":
        try:
            year_int = int(year)
        except (TypeError, ValueError):
            raise ReportParameterError(
                "year", year, "年份应为整数，如 2019", "year must be an integer such as 2019"
            ) from None
        if year_int != per.year:
            raise ReportParameterError(
                "year", year, f"年份与报告期 {per} 不一致", f"year does not match the period {per}"
            )
    pdir = Path(plan_dir) if plan_dir else DEFAULT_PLAN_DIR
    if not pdir.is_dir():
        raise ReportParameterError("plan_dir", str(pdir), "找不到规划目录", "plan folder not found")
    opath = Path(observations_path) if observations_path else DEFAULT_OBSERVATIONS
    if not opath.is_file():
        raise ReportParameterError(
            "observations_path",
            str(opath),
            "找不到数据文件，请先运行 gxq clean",
            "observations file not found; run `gxq clean` first",
        )
    from ..model.observations import ObservationsError, filter_as_of
    from ..model.plan import PlanError, load_plan

    obs_index = None
    if kept is not None:
        plan, obs_all, index_all = kept()
        obs_index = index_all.cut(per)
        obs = obs_index.frame
    else:
        try:
            plan = load_plan(pdir)
        except PlanError as exc:
            raise ReportParameterError(
                "plan_dir", str(pdir), f"规划目录无效：{exc}", f"invalid plan: {exc}"
            ) from None
        try:
            obs_all = _observations(opath, plan.zone_geo)
        except ObservationsError as exc:
            raise ReportParameterError(
                "observations_path", str(opath), f"数据文件无效：{exc}", f"invalid observations: {exc}"
            ) from None
        obs = filter_as_of(obs_all, per) if len(obs_all) else obs_all
    return ReportContext(
        period=per,
        lang=lang,
        plan_dir=pdir,
        observations_path=opath,
        plan=plan,
        obs_all=obs_all,
        obs=obs,
        year=year_int,
        assessment_path=str(assessment or ""),
        figures_path=str(figures or "") if assessment else "",
        obs_index=obs_index,
    )


# The observations table a report kernel read last, by the file's bytes: a kept kernel of `gxq report`
# runs page after page on the same table, and a re-run in JupyterLab after `gxq clean` reads anew.
_LAST_OBSERVATIONS: dict[tuple[str, str, str], pd.DataFrame] = {}


def _observations(path: Path, default_geo: str) -> pd.DataFrame:
    """:func:`observations.load_observations`, parsed once per content of the file; each caller gets
    its own copy (a page may add columns to its table)."""
    import hashlib

    from ..model.observations import load_observations, verify_against_manifest

    if not path.is_file():
        return load_observations(path, default_geo=default_geo)  # its error names the file
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    key = (str(path.resolve()), digest, default_geo)
    if key in _LAST_OBSERVATIONS:
        verify_against_manifest(path, sha256=digest)  # the manifest beside it may have changed
    else:
        _LAST_OBSERVATIONS.clear()
        _LAST_OBSERVATIONS[key] = load_observations(path, default_geo=default_geo)
    return _LAST_OBSERVATIONS[key].copy()


def any_illustrative(*frames: Any) -> bool:
    """True when any given table has a true ``illustrative`` value (or a bool argument is True)."""
    for f in frames:
        if isinstance(f, bool):
            if f:
                return True
            continue
        if f is None or not hasattr(f, "columns") or "illustrative" not in f.columns or len(f) == 0:
            continue
        if f["illustrative"].fillna(False).astype(bool).any():
            return True
    return False


def report_meta(ctx: ReportContext, illustrative: bool, **extra: Any) -> dict:
    """Tell the renderer what this report showed (data cut-off, illustrative) and show the banner.

    The information travels as metadata of a display output (nbconvert ignores it); the banner is
    shown in the body too when any figure shown is illustrative.
    """
    from ..model.series import data_cutoff

    cutoff = data_cutoff(ctx.obs, geo=ctx.zone)
    meta = {
        "illustrative": bool(illustrative),
        "cutoff": str(cutoff) if cutoff is not None else "",
        "cutoff_label": cutoff.label(ctx.lang) if cutoff is not None else "",
        "period": str(ctx.period),
        "lang": ctx.lang,
        **extra,
    }
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:  # pragma: no cover
        return meta
    if get_ipython() is not None:
        body = banner_html(ctx.lang, inline=True) if illustrative else ""
        display(HTML(body), metadata={REPORT_META_KEY: meta})
    return meta


def illustrative_banner(ctx: ReportContext, *frames: Any) -> bool:
    """Show the 示例数据 banner if any figure in ``frames`` is illustrative; report it to the renderer."""
    flag = any_illustrative(*frames)
    report_meta(ctx, flag)
    return flag


def period_assessment(ctx: ReportContext) -> PeriodAssessment:
    """The period's one assessment: the file ``gxq report`` wrote into the pack (refused when it was
    computed from other inputs, for another period or language), else computed here once."""
    if ctx._assessment is None:
        from ..assess.period import compute_assessment, input_fingerprint, read_assessment

        fingerprint = input_fingerprint(ctx.plan_dir, ctx.observations_path)
        if ctx.assessment_path and wait_for_pack_file(ctx.assessment_path):
            ctx._assessment = read_assessment(
                ctx.assessment_path, fingerprint=fingerprint, period=ctx.period, lang=ctx.lang
            )
        else:
            ctx._assessment = compute_assessment(ctx.plan, ctx.obs_all, ctx.period, ctx.lang, fingerprint)
    return ctx._assessment


def assess(ctx: ReportContext) -> pd.DataFrame:
    """The status table as of the report period (:func:`status.assess_plan`, from the assessment)."""
    return period_assessment(ctx).status


def assess_pace(ctx: ReportContext) -> pd.DataFrame:
    """In-year pace as of the report period (:func:`pace.assess_pace`, from the assessment)."""
    return period_assessment(ctx).pace


def annual_evaluation(ctx: ReportContext) -> Any:
    """The year's evaluation (:func:`evaluation.evaluate_year`, from the assessment); None for a quarter."""
    return period_assessment(ctx).annual


def project(ctx: ReportContext, iid: str, target_year: int | None = None) -> Any:
    """The trajectory of one indicator to ``target_year`` (default: the plan's final year), as of the
    report period (:func:`trajectory.project_indicator`); to the final year from the assessment."""
    year = int(target_year or ctx.final_year)
    if year == ctx.final_year:
        projections = period_assessment(ctx).projections
        if iid in projections:
            return projections[iid]
    from ..assess.trajectory import project_indicator

    return project_indicator(ctx.plan, ctx.obs, iid, year, as_of=ctx.period)


def pack_figure(ctx: ReportContext, key: str) -> SafeHTML | None:
    """The figure ``key`` as the pack's figures job drew it (:mod:`report.figures`), or None when the
    page runs on its own, the job failed or did not draw it: the page then draws the figure itself."""
    if not ctx.figures_path:
        return None
    if ctx._figures is None:
        found = None
        if wait_for_pack_file(ctx.figures_path):
            found = read_figures(ctx.figures_path, period_assessment(ctx).fingerprint)
        ctx._figures = found or {}
    html = ctx._figures.get(key)
    return SafeHTML(html) if isinstance(html, str) else None

"""`gxq report --all` and the period's one assessment: every pack of a run published on its own,
kernels kept from one notebook to the next without carrying state, and every page of a pack reading
the same assessment file."""

from __future__ import annotations

import json

import pytest
from test_render_support import OBSERVATIONS, PLAN, render_fixture, write_notebook

from gxq_analysis.assess.period import ASSESSMENT_FILE, input_fingerprint, read_assessment
from gxq_analysis.model.periods import parse_period
from gxq_analysis.report.pack_outputs import PackOutputError, check_period_covered
from gxq_analysis.report.render import RenderError, covered_periods, render_all

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("render")]


def _render_all(tmp_path, notebooks_dir, periods, **options):
    """render_all of the fixture plan and data into ``tmp_path/reports``, one kernel, quietly."""
    return render_all(
        periods=periods,
        plan_dir=PLAN,
        observations_path=OBSERVATIONS,
        out_dir=tmp_path / "reports",
        notebooks_dir=notebooks_dir,
        jobs=1,
        progress=False,
        say=lambda _m: None,
        **options,
    )


def test_covered_periods_are_exactly_those_a_single_pack_accepts():
    periods = covered_periods(OBSERVATIONS, PLAN)
    assert periods, "the fixture data cover some period"
    quarters = [p for p in periods if p.freq == "Q"]
    years = [p for p in periods if p.freq == "A"]
    assert quarters == sorted(quarters) and years == sorted(years) and len(set(periods)) == len(periods)
    for per in periods:
        check_period_covered(per, OBSERVATIONS, PLAN)  # raises when not covered
    # the quarter after the last one, and the year after the last one, are not covered
    last_q = quarters[-1]
    nxt = (
        parse_period(f"{last_q.year + 1}Q1")
        if last_q.number == 4
        else parse_period(f"{last_q.year}Q{last_q.number + 1}")
    )
    with pytest.raises(PackOutputError, match="do not cover"):
        check_period_covered(nxt, OBSERVATIONS, PLAN, "en")


def test_all_keeps_kernels_but_no_state_and_publishes_every_pack(tmp_path):
    nbdir = tmp_path / "notebooks"
    # annual packs: 10_data_quality only (40 is skipped while absent); one worker runs both on one kernel
    write_notebook(
        nbdir / "10_data_quality.ipynb",
        [
            'assert "leftover" not in globals(), "a variable of the previous notebook survived"\nleftover = period',
            "import os\nfrom IPython.display import HTML, display\ndisplay(HTML(f'<p id=\"pid\">{os.getpid()}</p>'))",
        ],
    )
    results = _render_all(tmp_path, nbdir, ["2018", "2019"], pdf=False)
    assert [r.path.name for r in results] == ["2018", "2019"]
    pids = set()
    for r in results:
        page = (r.path / "10_data_quality.html").read_text(encoding="utf-8")
        pids.add(page.split('<p id="pid">', 1)[1].split("<", 1)[0])
        assert (r.path / "index.html").is_file() and (r.path / "summary.html").is_file()
    assert len(pids) == 1, "the second notebook ran on the kept kernel"
    assert not [p for p in (tmp_path / "reports").iterdir() if p.name.startswith(".") and p.is_dir()]


def test_one_pack_runs_its_pages_on_kernels_started_and_warmed_at_once(tmp_path):
    """A single pack keeps kernels too: with one worker, every page runs on the one kernel, which
    imported the report package (and froze it out of the collector) before the first page began."""
    nbdir = tmp_path / "notebooks"
    probe = (
        "import gc, os, sys\n"
        "from IPython.display import HTML, display\n"
        "warm = 'gxq_analysis.report.notebook' in sys.modules and gc.get_freeze_count() > 0\n"
        "display(HTML(f'<p id=\"probe\">{os.getpid()} {warm}</p>'))"
    )
    for stem in ("10_data_quality", "20_trajectories", "30_quarterly_brief"):
        write_notebook(nbdir / f"{stem}.ipynb", [probe])
    result = render_fixture("2019Q3", out_dir=tmp_path / "reports", notebooks_dir=nbdir, jobs=1, pdf=False)
    seen = set()
    for stem in ("10_data_quality", "20_trajectories", "30_quarterly_brief"):
        page = (result.path / f"{stem}.html").read_text(encoding="utf-8")
        seen.add(page.split('<p id="probe">', 1)[1].split("<", 1)[0])
    assert len(seen) == 1, "all three pages ran on the one kept kernel"
    assert seen.pop().endswith(" True"), "the kernel was warmed before the first page"


def test_a_page_that_ignores_its_figures_still_gets_a_clean_pack(tmp_path):
    """A page may end without reading the figures drawn for it: the pack is published whole, with
    none of the figures jobs' files in it (the pack also waits for those jobs before publishing)."""
    import nbformat

    nbdir = tmp_path / "notebooks"
    for stem in ("10_data_quality", "30_quarterly_brief"):
        write_notebook(nbdir / f"{stem}.ipynb", ["x = 1"])
    page = write_notebook(nbdir / "20_trajectories.ipynb", ["x = 1"])  # never reads its figures
    nb = nbformat.read(page, as_version=4)
    nb.cells[0].source += '\nassessment = ""\nfigures = ""'
    nbformat.write(nb, page)
    result = render_fixture("2019Q3", out_dir=tmp_path / "reports", notebooks_dir=nbdir, pdf=False)
    names = {p.name for p in result.path.iterdir()}
    assert "20_trajectories.html" in names and not [n for n in names if n.startswith("_figures")]


def test_all_publishes_the_good_packs_and_names_the_failed_one(tmp_path):
    nbdir = tmp_path / "notebooks"
    write_notebook(
        nbdir / "10_data_quality.ipynb", ['if str(period) == "2019":\n    raise ValueError("boom")']
    )
    with pytest.raises(RenderError) as err:
        _render_all(tmp_path, nbdir, ["2018", "2019"], pdf=False)
    msg = str(err.value)
    assert "1 of 2 packs failed" in msg and "ValueError: boom" in msg and "10_data_quality.ipynb" in msg
    assert (tmp_path / "reports" / "2018" / "index.html").is_file()
    assert not (tmp_path / "reports" / "2019").exists()


def test_every_page_of_a_pack_reads_the_one_assessment(tmp_path):

    res = render_fixture(
        "2019Q3", out_dir=tmp_path, pack=["20_trajectories", "30_quarterly_brief"], pdf=False
    )
    path = res.path / ASSESSMENT_FILE
    a = read_assessment(path, fingerprint=input_fingerprint(PLAN, OBSERVATIONS), period="2019Q3", lang="zh")
    for stem in ("20_trajectories", "30_quarterly_brief"):
        nb = json.loads((res.path / "_executed" / f"{stem}.ipynb").read_text(encoding="utf-8"))
        injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
        assert str(path.name) in "".join(injected[0]["source"]), stem
    # the brief's lights are the assessment's statuses, row for row
    brief = (res.path / "30_quarterly_brief.html").read_text(encoding="utf-8")
    for sid in set(a.status["status"].dropna()):
        assert f"gxq-status-{sid}" in brief


def _simple_annual_notebooks(tmp_path):
    nbdir = tmp_path / "notebooks"
    write_notebook(nbdir / "10_data_quality.ipynb", ["x = 1"])
    return nbdir


def test_all_prints_every_pack_on_one_kept_browser(tmp_path, monkeypatch):
    """With PDFs, the packs of a run are printed (in a thread, while the next packs render) on one
    headless Chromium kept for the run (not one a pack), and each pack is published with its two PDFs."""
    from gxq_analysis.report import browser as browser_module

    started = []
    real_init = browser_module.Browser.__init__

    def counting_init(self, *args, **kwargs):
        started.append(1)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(browser_module.Browser, "__init__", counting_init)
    years = ["2016", "2017", "2018", "2019"]
    results = _render_all(tmp_path, _simple_annual_notebooks(tmp_path), years)
    assert [r.path.name for r in results] == years
    assert len(started) == 1
    for r in results:
        assert browser_module.pdf_pages((r.path / "summary.pdf").read_bytes()) == [
            pytest.approx(browser_module.A4_POINTS, abs=2)
        ]
        assert len(browser_module.pdf_pages((r.path / "report.pdf").read_bytes())) >= 2
        assert {"summary.pdf", "report.pdf"} <= set(r.outputs)


def test_packs_whose_pdfs_fail_publish_nothing_and_keep_the_earlier_reports(tmp_path, monkeypatch):
    from gxq_analysis.report import browser as browser_module

    nbdir = _simple_annual_notebooks(tmp_path)
    earlier = _render_all(tmp_path, nbdir, ["2018"], pdf=False)[0].path
    before = {p.name: p.read_bytes() for p in earlier.iterdir() if p.is_file()}
    monkeypatch.setattr(browser_module, "find_chromium", lambda: None)
    with pytest.raises(RenderError) as err:
        _render_all(tmp_path, nbdir, ["2018", "2019"])
    msg = str(err.value)
    assert "2 of 2 packs failed" in msg and "chromium not found" in msg and "--no-pdf" in msg
    assert {p.name: p.read_bytes() for p in earlier.iterdir() if p.is_file()} == before
    assert not (tmp_path / "reports" / "2019").exists()
    assert not [p for p in (tmp_path / "reports").iterdir() if p.name.startswith(".") and p.is_dir()]

"""`gxq report` on small fixture data: the published HTML is code-free, clean, offline and escaped;
a failed notebook never publishes. The pack is rendered once per test process (see
test_render_support)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_render_support import (
    OBSERVATIONS,
    PERIOD,
    PLAN,
    SCRIPT,
    executed_notebooks,
    render_fixture,
    render_fixture_pack,
    write_notebook,
)

from gxq_analysis.model.periods import parse_period
from gxq_analysis.report.render import PACKS, RenderError, default_period

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("render")]

QUARTERLY = ["10_data_quality", "20_trajectories", "30_quarterly_brief"]


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text of <style> and <script> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.style_text: list[str] = []
        self.script_text: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("style", "script"):
            self._in = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "style":
            self.style_text.append(data)
        elif self._in == "script":
            self.script_text.append(data)


def parse(text: str) -> _Tags:
    p = _Tags()
    p.feed(text)
    return p


def external_refs(text: str) -> list[str]:
    """URLs a browser would fetch from the network: script/link/img/iframe sources, CSS @import and
    url(), and dynamic import()."""
    doc = parse(text)
    refs = []
    for tag, attrs in doc.tags:
        for attr in ("src", "href"):
            if tag in ("script", "link", "img", "iframe", "source", "video", "audio") and attr in attrs:
                v = (attrs[attr] or "").strip().lower()
                if v.startswith(("http:", "https:", "//")):
                    refs.append(f"<{tag} {attr}={attrs[attr]}>")
    css = "\n".join(doc.style_text)
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)  # comments are never fetched
    refs += re.findall(r"@import[^;]*", css)
    refs += re.findall(r"url\(\s*['\"]?\s*(?:https?:)?//[^)]*\)", css)
    refs += re.findall(r"import\(\s*['\"](?:https?:)?//[^'\"]*", "\n".join(doc.script_text))
    return refs


@pytest.fixture(scope="session")
def pack(tmp_path_factory):
    return render_fixture_pack(str(tmp_path_factory.mktemp("reports")))


@pytest.fixture(scope="session")
def pages(pack) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(pack.path.glob("*.html"))}


def test_the_quarterly_pack_is_published_with_an_index(pack, pages):
    assert pack.path.name == PERIOD
    assert sorted(pages) == sorted([*QUARTERLY, "index", "summary"])
    index = parse(pages["index"])
    links = [a["href"] for tag, a in index.tags if tag == "a"]
    # the leader's summary and the print/download files first, then each report
    assert links == ["summary.html", "summary.pdf", "report.pdf", "tables.xlsx"] + [
        f"{stem}.html" for stem in QUARTERLY
    ]
    for name in ("summary.html", "summary.pdf", "report.pdf", "tables.xlsx"):
        assert (pack.path / name).stat().st_size > 1000, name
    # nothing left behind beside the report
    assert [p.name for p in pack.path.parent.iterdir() if p.name.startswith(".") and p.is_dir()] == []


def test_pages_hold_no_code_prompts_or_tracebacks(pages):
    for name, text in pages.items():
        classes = " ".join(a.get("class") or "" for _t, a in parse(text).tags).split()
        assert not {"jp-InputArea", "jp-InputPrompt", "jp-OutputPrompt", "cm-editor"} & set(classes), name
        body = text[text.index("<body") :]
        assert "In&nbsp;[" not in body and "Out[" not in body, name
        assert "from gxq_analysis import" not in text, name
        assert "validate_params" not in text, name
        assert "Traceback" not in text and "An Exception was encountered" not in text, name
        assert 'data-mime-type="application/vnd.jupyter.stderr"' not in text, name


def test_pages_are_self_contained(pages):
    for name, text in pages.items():
        assert external_refs(text) == [], name
        for tag, attrs in parse(text).tags:
            if tag == "img":
                assert attrs["src"].startswith("data:image/"), name
                assert attrs.get("alt"), f"{name}: image without alt text"
        # the CDN scripts of nbconvert's default template are gone
        assert "require.min.js" not in text and "MathJax" not in text and "mermaid" not in text, name


def test_external_ref_check_would_catch_a_cdn_script():
    page = (
        '<html><head><script src="https://cdnjs.cloudflare.com/x.js"></script>'
        '<style>/* see https://example.org */ @import url("https://fonts.example/x.css");</style>'
        '</head><body><img src="//cdn.example/a.png"></body></html>'
    )
    refs = " ".join(external_refs(page))
    assert "cdnjs.cloudflare.com" in refs and "cdn.example" in refs and "fonts.example" in refs
    assert "example.org" not in refs  # a URL in a CSS comment is never fetched


def test_pages_are_chinese_with_a_cover(pack, pages):
    for name, text in pages.items():
        assert re.search(r'<html lang="zh"', text), name
        assert "2019年第三季度" in text, name  # 报告期
        assert "数据截至" in text and "生成时间" in text and "版本" in text, name
        assert re.search(r"20\d\d-\d\d-\d\d \d\d:\d\d", text), name  # generation time
    # the data cut-off: the latest zone value up to 2019Q3 (the 2019-10 row is after the period)
    assert "<dd>2019年第三季度</dd>" in pages["30_quarterly_brief"]
    assert "江阴高新区科技创新三年行动计划" in pages["index"]


def test_illustrative_data_carries_the_banner(pages):
    for name, text in pages.items():
        assert 'class="gxq-banner"' in text, name
        assert "示例数据" in text, name


def test_data_text_is_escaped(pages):
    # The fixture plan names an indicator 科技型中小企业家数<script>alert(1)</script>.
    for name, text in pages.items():
        assert SCRIPT not in text, name
        assert "alert(1)" not in "".join(parse(text).script_text), name
    for name in QUARTERLY:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[name], name


def test_executed_notebooks_have_no_missing_glyph_warnings(pack):
    notebooks = executed_notebooks(pack)
    assert len(notebooks) == 3
    images = 0
    for nb in notebooks:
        for cell in nb["cells"]:
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream":
                    text = "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
                    assert "missing from font" not in text
                    assert "findfont" not in text
                if out.get("output_type") == "display_data":
                    html = "".join(out["data"].get("text/html", ""))
                    images += html.count('<svg xmlns="http://www.w3.org/2000/svg" class="gxq-chart"')
    assert images >= 5  # the charts were drawn (trajectories and pace)


def test_brief_shows_lights_pace_and_attention(pages):
    brief = pages["30_quarterly_brief"]
    for heading in ("目标红黄绿灯", "年内进度与时间进度", "需要关注的指标", "明细"):
        assert heading in brief
    assert brief.count('class="gxq-light"') >= 10
    # the attention list explains in a sentence; the fixture's 高新技术企业 is 90 of a 2019 target of 100
    assert "高新技术企业总数最新值为90家（2019Q3），距2019年目标100家还差10家" in brief


def test_trajectories_lead_with_the_headline(pages):
    tr = pages["20_trajectories"]
    assert tr.index("核心问题") < tr.index("逐项指标")
    assert "研发经费投入占GDP比重能否在2020年达到5.5%？" in tr


def test_data_quality_lists_quarantine_revisions_coverage(pages):
    dq = pages["10_data_quality"]
    for text in (
        "value is not a number",
        "unknown indicator",
        "later submission revises an earlier value",
        "demo/2019Q3.xlsx",
        "各指标各期覆盖情况",
    ):
        assert text in dq


def test_english_brief(tmp_path_factory):
    res = render_fixture_pack(
        str(tmp_path_factory.mktemp("reports_en")), lang="en", pack=("30_quarterly_brief",)
    )
    assert res.path.name == f"{PERIOD}-en"  # never the Chinese pack's folder
    text = (res.path / "30_quarterly_brief.html").read_text(encoding="utf-8")
    index = (res.path / "index.html").read_text(encoding="utf-8")
    summary = (res.path / "summary.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in summary and "One-page summary" in summary and "Illustrative data" in summary
    assert '<html lang="en"' in text and '<html lang="en"' in index
    assert "Traffic lights" in text and "Indicators needing attention" in text
    assert "Illustrative data" in text and "2019 Q3" in text
    assert "Number of high-tech enterprises stood at 90" in text
    for zh in ("报告期", "已达标", "有风险", "目标红黄绿灯"):
        assert zh not in text


# ------------------------------------------------------------------------------------------------
# Failure: nothing is published, the earlier report stays, notebook and cell are named
# ------------------------------------------------------------------------------------------------
def test_failed_notebook_keeps_the_earlier_report(tmp_path):
    nbdir, out = tmp_path / "notebooks", tmp_path / "reports"
    write_notebook(nbdir / "10_ok.ipynb", ["print('fine')"])
    write_notebook(nbdir / "20_broken.ipynb", ["x = 1", "y = x / 0"])
    kw = dict(out_dir=out, notebooks_dir=nbdir, pdf=False)
    good = render_fixture(PERIOD, pack=["10_ok"], **kw)
    before = {p.name: p.read_bytes() for p in good.path.glob("*.html")}
    assert "10_ok.html" in before

    with pytest.raises(RenderError) as err:
        render_fixture(PERIOD, pack=["10_ok", "20_broken"], **kw)
    msg = str(err.value)
    assert "20_broken.ipynb" in msg
    assert "cell 3" in msg and "y = x / 0" in msg  # third cell of the notebook as written
    assert "ZeroDivisionError" in msg
    after = {p.name: p.read_bytes() for p in (out / PERIOD).glob("*.html")}
    assert after == before
    kept = out / "_failed" / PERIOD / "20_broken.ipynb"
    assert kept.is_file() and "ZeroDivisionError" in kept.read_text(encoding="utf-8")
    assert [p.name for p in out.iterdir() if ".tmp-" in p.name] == []


def test_validation_error_names_notebook_and_parameter(tmp_path):
    # the brief is quarterly only: an annual period fails in its validation cell (the third cell)
    with pytest.raises(RenderError) as err:
        render_fixture(
            "2019",
            out_dir=tmp_path,
            pack=["30_quarterly_brief"],
        )
    msg = str(err.value)
    assert "30_quarterly_brief.ipynb" in msg and "cell 3" in msg
    assert "ReportParameterError" in msg and "period" in msg
    assert not (tmp_path / "2019").exists()


def test_annual_pack_without_its_notebook_says_so(tmp_path):
    nbdir = tmp_path / "notebooks"
    write_notebook(nbdir / "10_data_quality.ipynb", ["print(period)"])
    messages: list[str] = []
    res = render_fixture(
        "2019", out_dir=tmp_path / "reports", notebooks_dir=nbdir, say=messages.append, pdf=False
    )
    assert "40_annual_evaluation" in PACKS[parse_period("2019").freq]
    if not (nbdir / "40_annual_evaluation.ipynb").exists():
        assert res.skipped == ["40_annual_evaluation"]
        assert any("skipped 40_annual_evaluation" in m for m in messages)
    assert (res.path / "10_data_quality.html").is_file() and res.path.name == "2019"
    # print() output of a report notebook is an analyst's aside: it never reaches the page
    assert (
        ">2019<"
        not in (res.path / "10_data_quality.html").read_text(encoding="utf-8").split("</header>", 1)[1]
    )
    assert (res.path / "summary.html").is_file() and (res.path / "tables.xlsx").is_file()
    assert not (res.path / "summary.pdf").exists()  # pdf=False


@pytest.mark.parametrize(
    "period, lang, words",
    [
        # the fixture's zone data: annual 2016-2018, then quarters and months of 2019 up to 2019Q3
        ("2025Q1", "zh", ["数据不覆盖报告期 2025Q1", "2016Q4–2019Q3"]),
        ("2025Q1", "en", ["the data do not cover 2025Q1", "2016Q4–2019Q3"]),
        ("2015Q4", "zh", ["数据不覆盖报告期 2015Q4"]),
        ("2025", "zh", ["数据不覆盖报告期 2025", "2016–2019"]),
    ],
)
def test_a_period_the_data_do_not_cover_is_refused(tmp_path, period, lang, words):
    with pytest.raises(RenderError) as err:
        render_fixture(period, lang=lang, out_dir=tmp_path)
    for w in words:
        assert w in str(err.value)
    assert not any(Path(tmp_path).iterdir())


def test_cli_refuses_an_uncovered_period_with_a_non_zero_exit(tmp_path, capsys):
    from gxq_analysis.cli import main

    code = main(
        [
            "report",
            "--period",
            "2025Q1",
            "--plan",
            str(PLAN),
            "--observations",
            str(OBSERVATIONS),
            "--out",
            str(tmp_path),
            "--no-progress",
        ]
    )
    assert code == 1
    assert "数据不覆盖报告期 2025Q1" in capsys.readouterr().err


def test_missing_report_notebook_is_an_error(tmp_path):
    with pytest.raises(RenderError, match="report notebook missing"):
        render_fixture(PERIOD, out_dir=tmp_path, notebooks_dir=tmp_path)


def test_default_period_is_the_latest_quarter_of_the_zone(tmp_path):
    # 2019-10 does not close a quarter; benchmark (全国/江苏省) and bound rows do not count
    assert str(default_period(OBSERVATIONS, PLAN)) == "2019Q3"
    csv = tmp_path / "obs.csv"
    csv.write_text(
        "indicator_id,geo,period,value\nrd_gdp_share,江阴高新区,2019-12,5\n"
        "rd_gdp_share,全国,2022,2\nrd_gdp_share,江阴高新区,2021,5.8\n",
        encoding="utf-8",
    )
    # sub-annual submissions drive the quarterly default; a later annual figure alone does not
    assert str(default_period(csv, PLAN)) == "2019Q4"


def test_months_have_no_pack(tmp_path):
    with pytest.raises(RenderError, match="not months"):
        render_fixture("2019-09", out_dir=tmp_path)


def test_cli_report_exit_code_and_message(tmp_path, capsys):
    from gxq_analysis.cli import main

    code = main(
        [
            "report",
            "--period",
            "2019Q9",
            "--plan",
            str(PLAN),
            "--observations",
            str(OBSERVATIONS),
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 1
    assert "--period" in capsys.readouterr().err
    assert not any(Path(tmp_path).iterdir())


@pytest.mark.parametrize("period", ["2019Q3", 2019])  # papermill -p period 2019 passes an int
def test_exploration_notebook_runs_top_to_bottom(tmp_path, period):
    import json

    import papermill as pm

    from gxq_analysis.config import KERNEL_NAME, NOTEBOOKS_DIR

    out = tmp_path / "90.ipynb"
    pm.execute_notebook(
        NOTEBOOKS_DIR / "90_exploration.ipynb",
        out,
        kernel_name=KERNEL_NAME,
        cwd=str(tmp_path),
        progress_bar=False,  # any working directory works
        parameters={"plan_dir": str(PLAN), "observations_path": str(OBSERVATIONS), "period": period},
    )
    outputs = [o for c in json.loads(out.read_text(encoding="utf-8"))["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    stderr = "".join("".join(o["text"]) for o in outputs if o.get("name") == "stderr")
    assert "missing from font" not in stderr
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the chart shows inline


def test_committed_notebooks_are_stripped_and_use_the_gxq_kernel():
    import json

    from gxq_analysis.config import NOTEBOOKS_DIR

    for stem in (*QUARTERLY, "90_exploration"):
        nb = json.loads((NOTEBOOKS_DIR / f"{stem}.ipynb").read_text(encoding="utf-8"))
        assert nb["metadata"]["kernelspec"]["name"] == "gxq", stem
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(not c["outputs"] and c["execution_count"] is None for c in code), stem
        params = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
        assert len(params) == 1, stem
        src = "".join(params[0]["source"])
        for name in ('period = "2019Q3"', 'lang = "zh"', 'plan_dir = ""', 'observations_path = ""'):
            assert name in src, (stem, name)


def test_report_notebooks_take_one_period_parameter_as_int_or_str():
    from gxq_analysis.config import NOTEBOOKS_DIR
    from gxq_analysis.report import notebook as P
    from gxq_analysis.report.render import notebook_parameters

    for nb in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        names = notebook_parameters(nb)
        assert names.count("period") == 1 and "year" not in names, nb.name
    assert str(P.validate_params(2019, "zh", PLAN, OBSERVATIONS, kinds="A").period) == "2019"
    assert str(P.validate_params("2019Q3", "zh", PLAN, OBSERVATIONS, kinds="Q").period) == "2019Q3"


def test_english_pack_goes_beside_the_chinese_one_and_leaves_it_untouched(pack):
    before = {p.name: p.read_bytes() for p in pack.path.iterdir() if p.is_file()}
    en = render_fixture(PERIOD, lang="en", out_dir=pack.path.parent, pack=["30_quarterly_brief"], pdf=False)
    assert en.path == pack.path.parent / f"{PERIOD}-en"
    assert {p.name: p.read_bytes() for p in pack.path.iterdir() if p.is_file()} == before
    assert '<html lang="en"' in (en.path / "summary.html").read_text(encoding="utf-8")


def test_without_chromium_the_pdf_step_says_how_to_go_on(tmp_path, monkeypatch):
    import gxq_analysis.report.browser as browser
    from gxq_analysis.report.pack_outputs import PackOutputError, write_pdfs

    monkeypatch.setattr(browser, "find_chromium", lambda: None)
    (tmp_path / "summary.html").write_text("<html><body>x</body></html>", encoding="utf-8")
    with pytest.raises(PackOutputError, match=r"(?s)chromium not found.*--no-pdf"):
        write_pdfs(tmp_path, "zh", [], False, "plan")
    assert not (tmp_path / "summary.pdf").exists()


def test_the_report_exporter_makes_the_same_documents_as_nbconvert(pack):
    """The report exporter skips HTMLExporter's BeautifulSoup pass (report.export.accessible_html):
    each executed page of the pack, converted by both, parses to the same document."""
    import copy

    import nbformat
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from gxq_analysis.report.export import accessible_html, make_exporter, prepare_notebook

    ours = make_exporter("zh")
    stock = HTMLExporter(config=ours.config)
    executed = sorted((pack.path / "_executed").glob("*.ipynb"))
    assert len(executed) == 3
    for path in executed:
        nb = nbformat.read(path, as_version=4)
        prepare_notebook(nb, path.stem)
        resources = {"metadata": {"name": path.stem}}
        mine, _ = ours.from_notebook_node(copy.deepcopy(nb), resources=dict(resources))
        theirs, _ = stock.from_notebook_node(copy.deepcopy(nb), resources=dict(resources))
        assert 'tabindex="0"' in mine and mine != theirs  # not simply nbconvert's own text
        assert BeautifulSoup(mine, "html.parser") == BeautifulSoup(theirs, "html.parser"), path.name
    # the comparison sees what the pass adds: without it the documents differ
    page = '<div class="jp-Notebook"><div class="a jp-OutputArea-output"><img src="x.png"></div></div>'
    nbconvert_like = (
        '<div class="jp-Notebook"><div class="a jp-OutputArea-output" tabindex="0">'
        '<img alt="No description has been provided for this image" src="x.png"/></div></div>'
    )
    assert BeautifulSoup(page, "html.parser") != BeautifulSoup(nbconvert_like, "html.parser")
    assert BeautifulSoup(accessible_html(page), "html.parser") == BeautifulSoup(nbconvert_like, "html.parser")


def test_tables_read_in_the_publish_audit_are_those_a_fresh_read_finds(pack, pages, tmp_path):
    """A page is tokenised once: its publish audit hands the parse's events to the table reader of
    tables.xlsx. The tables so read, and the workbook made from them, equal a fresh read of the files."""
    import openpyxl

    from gxq_analysis.report.audit import audit_html
    from gxq_analysis.report.pack_outputs import write_tables
    from gxq_analysis.report.xlsx_export import TableCollector, html_tables

    read = {}
    for stem, text in pages.items():
        collector = TableCollector()
        assert audit_html(text, [collector]) == []
        assert collector.tables == html_tables(text)
        read[f"{stem}.html"] = collector.tables
    assert len(read["30_quarterly_brief.html"]) >= 3 and read["summary.html"]
    # a <br/> inside a cell is a space in both reads (HTMLParser reports it as a start-end tag)
    snippet = "<h2>表</h2><table><tr><th>a</th></tr><tr><td>x<br/>y</td></tr></table>"
    collector = TableCollector()
    audit_html(snippet, [collector])
    assert collector.tables == html_tables(snippet) and collector.tables[0].rows == [["x y"]]

    books = {}
    for name, tables in (("fresh", None), ("read", read)):
        folder = tmp_path / name
        folder.mkdir()
        for file in read:
            (folder / file).write_text(pages[file[: -len(".html")]], encoding="utf-8")
        write_tables(
            folder,
            parse_period(PERIOD),
            "zh",
            "计划",
            "2026-01-01 00:00",
            "observations.csv",
            [(stem, f"{stem}.html") for stem in QUARTERLY],
            True,
            read_tables=tables,
        )
        wb = openpyxl.load_workbook(folder / "tables.xlsx")
        books[name] = {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    assert books["read"] == books["fresh"] and len(books["fresh"]) > 4

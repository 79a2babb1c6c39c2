"""A real browser opens the rendered pack offline: Debian's headless Chromium, driven over the DevTools
protocol on a pipe (``--remote-debugging-pipe``: no port, no extra dependency; the package's own
:class:`gxq_analysis.report.browser.Browser`, which also prints the pack's PDFs), with networking disabled. The test records every request the pages make and asserts they are all local (file:/data:),
none failed, no script error or dialog happened (the ``<script>alert(1)</script>`` indicator name stays
text), and takes screenshots.

Set ``GXQ_SAVE_SCREENSHOTS=1`` to also write the screenshots to ``reports/screenshots/``.
"""

from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path

import pytest
from test_render_support import render_fixture_pack

from gxq_analysis.config import REPORTS_DIR
from gxq_analysis.report.browser import Browser, find_chromium, is_a4, pdf_pages

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("render")]

CHROMIUM = find_chromium() or "/usr/bin/chromium"


def visit(browser: Browser, url: str, screenshot: Path) -> dict:
    """Open ``url`` in a fresh tab; return what happened (requests, failures, errors, page facts)."""
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Network", "Runtime", "Log"):
        browser.send(f"{domain}.enable", session=session)
    start = len(browser.events)
    browser.send("Page.navigate", {"url": url}, session=session)
    browser.wait_for("Page.loadEventFired", session)
    browser.drain(0.5)  # late requests (lazy images, fonts) would show up here
    facts = browser.send(
        "Runtime.evaluate",
        {
            "returnByValue": True,
            "expression": """({
        lang: document.documentElement.lang,
        title: document.title,
        banner: !!document.querySelector('.gxq-banner'),
        images: document.images.length,
        brokenImages: Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length,
        scripts: document.scripts.length,
        // the inline SVG charts as laid out: their width on the page and their text's
        charts: Array.from(document.querySelectorAll('figure.gxq-figure svg[role=img]')).map(
            s => ({width: s.getBoundingClientRect().width, text: s.textContent})),
        text: document.body.innerText,
        height: document.documentElement.scrollHeight,
    })""",
        },
        session=session,
    )["result"]["value"]
    height = min(int(facts["height"]), 6000)
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1280, "height": height, "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )
    shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)
    screenshot.write_bytes(base64.b64decode(shot["data"]))
    events = [e for e in browser.events[start:] if e.get("sessionId") == session]
    browser.send("Target.closeTarget", {"targetId": target})
    return {
        "requests": [
            e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"
        ],
        "failed": [e["params"] for e in events if e["method"] == "Network.loadingFailed"],
        "exceptions": [e["params"] for e in events if e["method"] == "Runtime.exceptionThrown"],
        "dialogs": [e["params"] for e in events if e["method"] == "Page.javascriptDialogOpening"],
        "console_errors": [
            e["params"]["entry"]
            for e in events
            if e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error"
        ],
        "facts": facts,
    }


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"chromium not found at {CHROMIUM}: run `python3 tasks.py setup` (installs Debian chromium)"
        )
    b = Browser(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    return render_fixture_pack(str(tmp_path_factory.mktemp("reports")))


@pytest.mark.parametrize("page", ["index", "30_quarterly_brief"])
def test_page_loads_offline_with_no_failed_or_external_request(browser, pack, page, tmp_path):
    path = pack.path / f"{page}.html"
    shot = tmp_path / f"{page}.png"
    seen = visit(browser, path.as_uri(), shot)

    assert seen["requests"], "the page load itself was not recorded"
    assert seen["requests"][0] == path.as_uri()
    external = [u for u in seen["requests"] if not u.startswith(("file://", "data:"))]
    assert external == []
    assert seen["failed"] == []
    assert seen["exceptions"] == [] and seen["console_errors"] == []
    assert seen["dialogs"] == []  # the <script>alert(1)</script> indicator name did not run

    facts = seen["facts"]
    assert facts["lang"] == "zh"
    assert facts["banner"] is True
    assert facts["brokenImages"] == 0
    assert "2019年第三季度" in facts["text"]
    if page == "30_quarterly_brief":
        assert facts["scripts"] == 0
        (pace,) = facts["charts"]  # the pace bars, drawn at full width with their labels
        assert pace["width"] > 600 and "时间进度" in pace["text"] and "高新技术企业总数" in pace["text"]
        assert "科技型中小企业家数<script>alert(1)</script>" in facts["text"]  # shown as text
        assert "目标红黄绿灯" in facts["text"]
    else:
        assert "季度简报" in facts["text"] and "数据质量报告" in facts["text"]

    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    if os.environ.get("GXQ_SAVE_SCREENSHOTS"):
        dest = REPORTS_DIR / "screenshots"
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, dest / f"fixture_{page}.png")


def test_the_harness_sees_an_external_request_and_its_failure(browser, tmp_path):
    # the control: a page that does reach out is caught, and the network is really off
    page = tmp_path / "leaky.html"
    page.write_text(
        '<!DOCTYPE html><html lang="zh"><body><p>x</p>'
        '<img src="https://example.com/logo.png" alt="logo"></body></html>',
        encoding="utf-8",
    )
    seen = visit(browser, page.as_uri(), tmp_path / "leaky.png")
    assert "https://example.com/logo.png" in seen["requests"]
    assert [f for f in seen["failed"] if f.get("errorText")] != []


# ------------------------------------------------------------------------------------------------
# The PDFs: summary.pdf is one A4 page, report.pdf is A4 throughout, no table is clipped in print
# ------------------------------------------------------------------------------------------------
A4_CONTENT_PX = 703  # 210 mm − 2 × 12 mm page margins, at 96 px per inch


def print_layout(browser: Browser, url: str) -> dict:
    """Lay ``url`` out as Chromium prints it (print media, A4 content width) and measure its tables."""
    target, session = browser.open(url)
    try:
        browser.send("Emulation.setEmulatedMedia", {"media": "print"}, session=session)
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": A4_CONTENT_PX, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        return browser.send(
            "Runtime.evaluate",
            {
                "returnByValue": True,
                "expression": """({
            pageWidth: document.documentElement.scrollWidth,
            tables: Array.from(document.querySelectorAll('table')).map(t => ({
                right: Math.round(t.getBoundingClientRect().right),
                columns: t.rows.length ? t.rows[0].cells.length : 0,
                clipped: Array.from(t.querySelectorAll('th, td')).filter(c =>
                    c.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length,
            })),
            theadRepeats: Array.from(document.querySelectorAll('thead')).every(h =>
                getComputedStyle(h).display === 'table-header-group'),
        })""",
            },
            session=session,
        )["result"]["value"]
    finally:
        browser.close_tab(target)


def pdf_text(page) -> str:
    # PDF text extraction gives some CJK characters as their Kangxi-radical twins (⼀ for 一): NFKC folds them
    import unicodedata

    return unicodedata.normalize("NFKC", page.extract_text() or "")


def test_summary_pdf_is_exactly_one_a4_page(pack):
    pages = pdf_pages((pack.path / "summary.pdf").read_bytes())
    assert len(pages) == 1
    assert is_a4(pages[0]), pages[0]


def test_report_pdf_is_a4_and_holds_every_report(pack):
    data = (pack.path / "report.pdf").read_bytes()
    pages = pdf_pages(data)
    assert len(pages) >= 1 + len(pack.notebooks)  # the summary, then each report on its own pages
    assert all(is_a4(p) for p in pages), {p for p in pages if not is_a4(p)}
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(
        "".join(pdf_text(page).split()) for page in PdfReader(BytesIO(data)).pages
    )  # no line breaks
    # the summary's own column "较上年同期", then the three reports' titles
    for title in ("较上年同期", "数据质量报告", "指标走势与目标测算", "季度简报"):
        assert title in text, title
    assert "示例数据" in text  # the illustrative banner is printed (at the foot of every page)


def test_pdf_pages_carry_the_illustrative_banner_on_every_page(pack):
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO((pack.path / "report.pdf").read_bytes()))
    missing = [i + 1 for i, page in enumerate(reader.pages) if "示例数据" not in pdf_text(page)]
    assert missing == []


def test_qpdf_and_pypdf_merge_the_pack_into_the_same_pages(browser, pack, monkeypatch):
    """report.pdf is merged by qpdf (fast) or, without it, by pypdf: the same pages, boxes and text."""
    from io import BytesIO

    from pypdf import PdfReader

    from gxq_analysis.report import browser as browser_module

    if shutil.which("qpdf") is None:
        pytest.fail("qpdf not found: run `python3 tasks.py setup` (installs Debian qpdf)")
    names = ["summary.html", *(r.html_path.name for r in pack.notebooks)]
    tabs = [browser.start((pack.path / name).as_uri()) for name in names]
    parts = browser.print_tabs(tabs, footer="示例数据")
    by_qpdf = browser_module._merge_with_qpdf(parts)
    by_pypdf = browser_module._merge_with_pypdf(parts)
    assert by_qpdf is not None

    def pages(data: bytes) -> list[tuple]:
        return [(tuple(p.mediabox), pdf_text(p)) for p in PdfReader(BytesIO(data)).pages]

    assert pages(by_qpdf) == pages(by_pypdf)
    assert len(pages(by_qpdf)) == sum(len(pdf_pages(part)) for part in parts) >= len(names)
    assert browser_module.merge_pdfs(parts) == by_qpdf  # qpdf when installed (a deterministic id)
    monkeypatch.setattr(browser_module.shutil, "which", lambda _name: None)
    assert pages(browser_module.merge_pdfs(parts)) == pages(by_pypdf)  # pypdf without it


@pytest.mark.parametrize("page", ["summary", "10_data_quality", "20_trajectories", "30_quarterly_brief"])
def test_no_table_is_clipped_in_print(browser, pack, page):
    layout = print_layout(browser, (pack.path / f"{page}.html").as_uri())
    if page != "20_trajectories":  # the fixture's trajectories page has charts and lists only
        assert layout["tables"], "the page has tables to check"
    assert layout["pageWidth"] <= A4_CONTENT_PX + 1
    assert [t for t in layout["tables"] if t["right"] > A4_CONTENT_PX + 1 or t["clipped"]] == []
    assert layout["theadRepeats"]


def test_the_clipping_check_sees_a_table_too_wide_for_the_page(browser, tmp_path):
    # the control: a wide table with unbreakable cells does overflow the printed page
    cells = "".join(f"<td>{'X' * 40}</td>" for _ in range(6))
    page = tmp_path / "wide.html"
    page.write_text(
        f'<!DOCTYPE html><html lang="zh"><body><table><tr>{cells}</tr></table></body></html>',
        encoding="utf-8",
    )
    layout = print_layout(browser, page.as_uri())
    assert layout["tables"][0]["right"] > A4_CONTENT_PX


def test_summary_screenshot(browser, pack, tmp_path):
    shot = tmp_path / "summary.png"
    seen = visit(browser, (pack.path / "summary.html").as_uri(), shot)
    assert seen["failed"] == [] and seen["exceptions"] == []
    assert [u for u in seen["requests"] if not u.startswith(("file://", "data:"))] == []
    assert seen["facts"]["banner"] is True and "领导一页纸" in seen["facts"]["text"]
    if os.environ.get("GXQ_SAVE_SCREENSHOTS"):
        dest = REPORTS_DIR / "screenshots"
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, dest / "fixture_summary.png")

"""`gxq report`: execute the report notebooks with papermill and publish offline HTML (DESIGN §3).

How a pack is rendered:

1. The notebooks of the pack (:data:`PACKS`, by period kind) run in parallel worker processes
   (``ProcessPoolExecutor``, fork start so papermill is imported once), each with the project kernel
   ``gxq``, an explicit working directory and injected parameters. A kernel that fails to start
   (ZMQ port race, start timeout) is retried once.
2. As each notebook finishes, the parent converts it to HTML with one ``HTMLExporter`` and the
   offline ``gxq_report`` template (no input cells, no prompts, no stderr, no CDN scripts, a cover).
3. Everything is written to a temporary directory beside the target; only when every notebook
   succeeded, the HTML passed the publish checks and ``index.html`` is written, the directory is
   swapped into ``<out>/<period>`` (atomically where the OS allows). A failed notebook stops the run
   with a message naming notebook and cell, its executed notebook is kept under
   ``<out>/_failed/<period>/``, and any earlier report of that period stays untouched.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from html.parser import HTMLParser
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from . import __version__
from .config import (
    DEFAULT_OBSERVATIONS,
    DEFAULT_PLAN_DIR,
    KERNEL_NAME,
    NOTEBOOKS_DIR,
    PROJ_ROOT,
    RAW_DIR,
    REPORTS_DIR,
)
from .pack_outputs import (
    OUTPUT_TEXT,
    REPORT_PDF,
    SUMMARY_HTML,
    SUMMARY_PDF,
    TABLES_XLSX,
    PackOutputError,
    check_period_covered,
    pack_folder,
    summary_job,
    write_pdfs,
    write_tables,
)
from .periods import FREQ_ANNUAL, FREQ_QUARTER, Period, PeriodError, latest_quarter_covered, parse_period

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "gxq_report"

# The report pack per period kind, in reading order (notebook file stems under notebooks/).
PACKS: dict[str, tuple[str, ...]] = {
    FREQ_QUARTER: ("10_data_quality", "20_trajectories", "30_quarterly_brief"),
    FREQ_ANNUAL: ("10_data_quality", "40_annual_evaluation"),
}
# Notebooks another engineer is still writing: while the file is absent the pack renders without
# it and says so. Any other missing notebook is an error.
PENDING_NOTEBOOKS = frozenset({"40_annual_evaluation"})

EXECUTION_TIMEOUT = 900  # seconds per cell
START_TIMEOUT = 120  # seconds for a kernel to start
GLYPH_WARNING = re.compile(r"Glyph \d+ .*missing from font", re.I)
FAILED_DIR = "_failed"
EXECUTED_DIR = "_executed"


class RenderError(RuntimeError):
    """The pack could not be rendered; the message says what failed and where."""


@dataclass
class NotebookResult:
    stem: str
    seconds: float
    html_path: Path
    meta: dict = field(default_factory=dict)
    stderr_lines: list[str] = field(default_factory=list)


@dataclass
class RenderResult:
    period: Period
    path: Path
    notebooks: list[NotebookResult]
    skipped: list[str]
    seconds: float
    outputs: list[str] = field(default_factory=list)  # summary.html, summary.pdf, report.pdf, tables.xlsx

    @property
    def index(self) -> Path:
        return self.path / "index.html"


# ----------------------------------------------------------------------------------------------
# Periods and packs
# ----------------------------------------------------------------------------------------------
def _zone_geo(plan_dir: Path) -> str:
    meta_path = Path(plan_dir) / "plan.json"
    if meta_path.is_file():
        try:
            return str(json.loads(meta_path.read_text(encoding="utf-8")).get("zone_geo", "zone"))
        except (json.JSONDecodeError, AttributeError):
            pass
    return "zone"


def default_period(
    observations_path: Path | str = DEFAULT_OBSERVATIONS, plan_dir: Path | str = DEFAULT_PLAN_DIR
) -> Period:
    """The latest quarter the zone's data covers (what a scheduler renders when given no period).

    Read with the csv module only (no pandas in the parent process). Benchmark rows (other geos) and
    bounds (rows with a qualifier) do not count. Quarterly reporting follows the quarterly and monthly
    submissions, so when the zone has any sub-annual data only those periods count: an annual figure
    published later (a 2021 public figure, say) does not make a 2021Q4 quarterly pack due.
    """
    path = Path(observations_path)
    if not path.is_file():
        raise RenderError(
            f"observations file not found: {path} (run `gxq clean` first, or pass --observations)"
        )
    zone = _zone_geo(Path(plan_dir))
    today = dt.date.today()
    periods: list[Period] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            geo = (row.get("geo") or "").strip()
            if geo not in ("", zone) or (row.get("qualifier") or "").strip():
                continue
            try:
                per = parse_period(row.get("period", ""))
            except PeriodError:
                continue
            if per.end <= today:  # a hand-made table with 2031Q1 must not make a future pack due
                periods.append(per)
    sub_annual = [p for p in periods if p.freq != FREQ_ANNUAL]
    latest = latest_quarter_covered(sub_annual or periods)
    if latest is None:
        raise RenderError(f"{path}: no period of the zone ({zone}) found; cannot choose a default --period")
    return latest


def pack_for(period: Period) -> tuple[str, ...]:
    try:
        return PACKS[period.freq]
    except KeyError:
        raise RenderError(
            f"period {period}: reports exist for quarters (2019Q3) and years (2019), not months"
        ) from None


def pack_kind(period: Period) -> str:
    return "annual" if period.freq == FREQ_ANNUAL else "quarterly"


# ----------------------------------------------------------------------------------------------
# Notebook execution (in worker processes)
# ----------------------------------------------------------------------------------------------
def notebook_parameters(path: Path) -> list[str]:
    """Names assigned in the cell tagged ``parameters`` (error when there is none or several)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = [c for c in nb.get("cells", []) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise RenderError(f"{path.name}: needs exactly one cell tagged 'parameters' (found {len(cells)})")
    source = cells[0]["source"]
    source = "".join(source) if isinstance(source, list) else source
    return re.findall(r"^([A-Za-z_]\w*)\s*(?::[^=]+)?=", source, flags=re.M)


def _is_kernel_start_error(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    return any(
        s in text
        for s in (
            "ZMQError",
            "Address already in use",
            "didn't respond",
            "Kernel died before",
            "kernel_info",
            "TimeoutError",
            "Timeout waiting",
        )
    )


def _worker_init(parent_pid: int) -> None:
    """Report workers die with the report process, even when it is killed outright (Linux
    PR_SET_PDEATHSIG); their kernels follow, as ipykernel exits when its parent changes."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGKILL))  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the line above took effect
        os._exit(1)


_TMP_MARK = ".tmp-"


def sweep_stale_temp(out_dir: Path) -> list[Path]:
    """Remove the temporary folders of report runs that were killed (their process is gone); a
    running report's folder is left alone. Returns the folders removed."""
    removed = []
    for d in Path(out_dir).glob(f".*{_TMP_MARK}*"):
        m = re.search(re.escape(_TMP_MARK) + r"(\d+)-", d.name)
        if not d.is_dir() or m is None:
            continue
        pid = int(m.group(1))
        try:
            os.kill(pid, 0)
            continue  # still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue  # another user's live process
        shutil.rmtree(d, ignore_errors=True)
        removed.append(d)
    return removed


def _execute_job(job: dict) -> dict:
    """Run one notebook with papermill (in a worker process). Never raises: returns a result dict."""
    import logging

    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    # The kernel process inherits this worker's stderr: send its chatter (ipykernel's "running over
    # TCP without encryption" warning, crash messages) to a per-notebook log, not the console.
    log = open(job["log"], "ab")  # noqa: SIM115  (stays open as this worker's stderr)
    saved_stderr = os.dup(2)
    os.dup2(log.fileno(), 2)
    try:
        return _execute_with_retry(job, pm, PapermillExecutionError)
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        log.close()


def _log_tail(path: str, lines: int = 5) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    keep = [ln for ln in text.splitlines() if ln.strip() and "without encryption" not in ln]
    return "\n".join(keep[-lines:])


def _execute_with_retry(job: dict, pm: Any, PapermillExecutionError: type) -> dict:
    start = time.perf_counter()
    attempts = 0
    while True:
        attempts += 1
        try:
            pm.execute_notebook(
                job["input"],
                job["output"],
                parameters=job["parameters"],
                kernel_name=job["kernel"],
                cwd=job["cwd"],
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                start_timeout=START_TIMEOUT,
                execution_timeout=job.get("timeout", EXECUTION_TIMEOUT),
            )
            return {
                "stem": job["stem"],
                "ok": True,
                "seconds": time.perf_counter() - start,
                "attempts": attempts,
            }
        except PapermillExecutionError as exc:
            return {
                "stem": job["stem"],
                "ok": False,
                "kind": "cell",
                "cell_index": exc.cell_index,
                "exec_count": exc.exec_count,
                "source": exc.source,
                "ename": exc.ename,
                "evalue": exc.evalue,
                "seconds": time.perf_counter() - start,
                "attempts": attempts,
            }
        except Exception as exc:  # kernel could not start, died, timed out …
            if attempts == 1 and _is_kernel_start_error(exc):
                time.sleep(0.5)
                continue
            return {
                "stem": job["stem"],
                "ok": False,
                "kind": "kernel",
                "ename": type(exc).__name__,
                "evalue": str(exc).strip().splitlines()[0] if str(exc).strip() else "",
                "log_tail": _log_tail(job["log"]),
                "seconds": time.perf_counter() - start,
                "attempts": attempts,
            }


def _check_kernel(name: str) -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise RenderError(
            f"Jupyter kernel '{name}' is not registered. Run `python3 tasks.py setup`, or "
            f"`.venv/bin/python -m ipykernel install --sys-prefix --name {name}`"
        ) from None


# ----------------------------------------------------------------------------------------------
# HTML conversion (in the parent process)
# ----------------------------------------------------------------------------------------------
def make_exporter(lang: str):
    """One HTMLExporter configured for offline, code-free reports (reuse it for every notebook)."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.template_name = TEMPLATE_NAME
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES_DIR)]
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.HTMLExporter.embed_images = True
    c.HTMLExporter.language_code = lang
    c.HTMLExporter.require_js_url = ""
    c.HTMLExporter.mathjax_url = ""
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = ["remove_cell", "parameters", "injected-parameters"]
    c.TagRemovePreprocessor.remove_all_outputs_tags = ["remove_output"]
    return HTMLExporter(config=c)


def _cell_text(output: Any) -> str:
    text = output.get("text", "")
    return "".join(text) if isinstance(text, list) else str(text)


def prepare_notebook(nb: Any, stem: str) -> tuple[dict, list[str]]:
    """Collect the report metadata the notebook emitted, drop stderr outputs, and refuse charts that
    lost Chinese glyphs. Returns (meta, stderr lines dropped)."""
    from .presentation import REPORT_META_KEY

    meta: dict = {}
    dropped: list[str] = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                raise RenderError(
                    f"{stem}.ipynb, cell {index}: the executed notebook holds an error output "
                    f"({output.get('ename')}: {output.get('evalue')})"
                )
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                # print() output is an analyst's aside, never part of a leader's page
                dropped.extend(line for line in _cell_text(output).splitlines() if line.strip())
                continue
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                text = _cell_text(output)
                if GLYPH_WARNING.search(text):
                    first = next(line for line in text.splitlines() if GLYPH_WARNING.search(line))
                    raise RenderError(
                        f"{stem}.ipynb, cell {index}: a chart lost Chinese characters "
                        f"({first.strip()}); install fonts-noto-cjk and check charts.use_cjk_font()"
                    )
                dropped.extend(line for line in text.splitlines() if line.strip())
                continue
            md = output.get("metadata") or {}
            if REPORT_META_KEY in md:
                meta.update(md[REPORT_META_KEY])
            kept.append(output)
        cell["outputs"] = kept
    return meta, dropped


_FETCHING_ATTRS = {  # element -> attributes whose URL a browser fetches on its own
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "track": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}
_REMOTE = re.compile(r"^\s*(?:https?:)?//", re.I)
_CSS_REMOTE = [
    re.compile(r"@import\s+(?:url\()?\s*[\"']?\s*(?:https?:)?//", re.I),
    re.compile(r"url\(\s*[\"']?\s*(?:https?:)?//", re.I),
]
_JS_REMOTE = re.compile(r"\bimport\s*\(\s*[\"']\s*(?:https?:)?//", re.I)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


class _PageStructure(HTMLParser):
    """What the audit looks at: elements and attributes, and the text of <style> and <script>
    elements. Ordinary text (where data lands, escaped) is never searched."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        for name in _FETCHING_ATTRS.get(tag, ()):
            if _REMOTE.match(a.get(name, "")):
                self.problems.append(f"external resource: <{tag} {name}={a[name][:100]!r}>")
        if "style" in a:
            self._css(a["style"], f"<{tag} style>")
        if a.get("data-mime-type") == "application/vnd.jupyter.stderr":
            self.problems.append(f"error or stderr output in the page (<{tag} data-mime-type=stderr>)")
        if a.get("id") == "papermill-error-cell":
            self.problems.append("error output in the page (papermill's error cell)")
        if tag in ("style", "script"):
            self._in = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in = None

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self._css(data, "<style>")
        elif self._in == "script":
            m = _JS_REMOTE.search(data)
            if m:
                self.problems.append(f"external resource: <script> {data[m.start() : m.start() + 100]!r}")

    def _css(self, css: str, where: str) -> None:
        css = _CSS_COMMENT.sub("", css)  # a URL in a comment is never fetched
        for pattern in _CSS_REMOTE:
            m = pattern.search(css)
            if m:
                self.problems.append(f"external resource: {where} {css[m.start() : m.start() + 100]!r}")


def audit_html(text: str) -> list[str]:
    """Reasons this HTML must not be published (external resources, error output). Empty = fine.

    Structural: it inspects elements, attributes, and style and script code, never the page's text,
    so a submitted name that reads "Traceback (most recent call last)" or "url(https://…)" (shown
    escaped, as text) cannot block a report. Error outputs are also refused earlier, from the executed
    notebook itself (:func:`prepare_notebook`)."""
    parser = _PageStructure()
    parser.feed(text)
    parser.close()
    return parser.problems


# ----------------------------------------------------------------------------------------------
# Cover, index page, publishing
# ----------------------------------------------------------------------------------------------
def version_string() -> str:
    """Package version plus the git commit, when the project is a git checkout."""
    try:
        sha = subprocess.run(
            ["git", "-C", str(PROJ_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        sha = ""
    return f"{__version__} ({sha})" if sha else __version__


def _plan_title(plan_dir: Path, lang: str) -> str:
    meta_path = Path(plan_dir) / "plan.json"
    if meta_path.is_file():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            return str(meta.get(f"title_{lang}") or meta.get("title_zh") or "")
        except json.JSONDecodeError:
            pass
    return ""


def cover_meta(
    stem: str, period: Period, lang: str, plan_title: str, generated: str, version: str, nb_meta: dict
) -> dict:
    from .presentation import notebook_title, t

    return {
        "title": notebook_title(stem, lang),
        "plan_title": plan_title,
        "period_label": period.label(lang),
        "cutoff_label": nb_meta.get("cutoff_label") or t("na", lang),
        "generated": generated,
        "version": version,
        "illustrative": bool(nb_meta.get("illustrative")),
        "banner": t("banner.illustrative", lang),
        "index_href": "index.html",
        "labels": {k: t(f"cover.{k}", lang) for k in ("period", "cutoff", "generated", "version", "index")},
    }


def _css() -> str:
    return (TEMPLATES_DIR / TEMPLATE_NAME / "gxq.css").read_text(encoding="utf-8")


def index_html(
    period: Period,
    lang: str,
    plan_title: str,
    generated: str,
    version: str,
    notebooks: list[NotebookResult],
    skipped: list[str],
    outputs: Iterable[str] = (),
) -> str:
    """The pack's index page: cover facts, banner, and a link to each report. Self-contained."""
    from .presentation import esc, notebook_description, notebook_title, t

    kind = t("cover.annual_pack" if period.freq == FREQ_ANNUAL else "cover.quarterly_pack", lang)
    cutoffs = sorted({r.meta.get("cutoff", "") for r in notebooks if r.meta.get("cutoff")})
    cutoff_label = next(
        (r.meta.get("cutoff_label") for r in notebooks if cutoffs and r.meta.get("cutoff") == cutoffs[-1]),
        t("na", lang),
    )
    illustrative = any(r.meta.get("illustrative") for r in notebooks)
    outputs = list(outputs)
    downloads = ""
    if outputs:
        links = "\n".join(
            f'<li><a href="{esc(name)}">{esc(t(OUTPUT_TEXT[name][0], lang))}</a>'
            f'<div class="gxq-desc">{esc(t(OUTPUT_TEXT[name][1], lang))} ({esc(name)})</div></li>'
            for name in OUTPUT_TEXT
            if name in outputs
        )
        downloads = f'<h2>{esc(t("cover.outputs", lang))}</h2>\n<ul class="gxq-pack">\n{links}\n</ul>'
    items = "\n".join(
        f'<li><a href="{esc(r.html_path.name)}">{esc(notebook_title(r.stem, lang))}</a>'
        f'<div class="gxq-desc">{esc(notebook_description(r.stem, lang))}</div></li>'
        for r in notebooks
    )
    skipped_html = ""
    if skipped:
        skipped_html = (
            f'<p class="gxq-muted">{esc(t("cover.skipped", lang))}: '
            f"{esc(', '.join(notebook_title(s, lang) for s in skipped))}</p>"
        )
    banner = (
        f'<div class="gxq-banner" role="alert">{esc(t("banner.illustrative", lang))}</div>'
        if illustrative
        else ""
    )
    facts = "".join(
        f"<div><dt>{esc(t('cover.' + k, lang))}</dt><dd>{esc(v)}</dd></div>"
        for k, v in (
            ("period", period.label(lang)),
            ("cutoff", cutoff_label),
            ("generated", generated),
            ("version", version),
        )
    )
    title = f"{kind} · {period.label(lang)}"
    return f"""<!DOCTYPE html>
<html lang="{esc(lang)}">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{esc(title)}</title>
<style type="text/css">
{_css()}
</style>
</head>
<body>
<main class="gxq-index">
<header class="gxq-cover">
  <div class="gxq-cover-kicker">{esc(plan_title)}</div>
  <h1 class="gxq-cover-title">{esc(title)}</h1>
  <dl class="gxq-cover-facts">{facts}</dl>
  {banner}
</header>
{downloads}
<h2>{esc(t("cover.contents", lang))}</h2>
<ul class="gxq-pack">
{items}
</ul>
{skipped_html}
</main>
</body>
</html>
"""


def _rename_exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2 RENAME_EXCHANGE). False when unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    res = renameat2(AT_FDCWD, os.fsencode(str(a)), AT_FDCWD, os.fsencode(str(b)), RENAME_EXCHANGE)
    return res == 0


def publish(tmp: Path, final: Path) -> None:
    """Move the finished pack into place, replacing an earlier one (atomically where possible)."""
    import fcntl

    lock_path = final.parent / f".{final.name}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if final.exists():
            if _rename_exchange(tmp, final):
                shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the old report
                return
            old = final.parent / f".{final.name}.old-{os.getpid()}-{time.time_ns()}"
            os.rename(final, old)
            try:
                os.rename(tmp, final)
            except OSError:
                os.rename(old, final)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, final)


# ----------------------------------------------------------------------------------------------
# Progress
# ----------------------------------------------------------------------------------------------
class _Progress:
    def __init__(self, total: int, enabled: bool, stream=sys.stderr):
        self.stream = stream
        self.bar = None
        if enabled and total and hasattr(stream, "isatty") and stream.isatty():
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, desc="gxq report", unit="nb", file=stream, leave=False)

    def say(self, msg: str) -> None:
        if self.bar is not None:
            self.bar.write(msg, file=self.stream)
        else:
            print(msg, file=self.stream, flush=True)

    def step(self, label: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(label)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ----------------------------------------------------------------------------------------------
# The pack
# ----------------------------------------------------------------------------------------------
def _failure_message(res: dict, nb_path: Path, kept: Path | None, final: Path) -> str:
    stem = res["stem"]
    if res["kind"] == "cell":
        src_lines = [ln for ln in str(res.get("source", "")).splitlines() if ln.strip()]
        first = src_lines[0].strip() if src_lines else ""
        injected = 0
        if kept is not None and kept.exists():
            try:
                cells = json.loads(kept.read_text(encoding="utf-8"))["cells"]
                real = [
                    c
                    for c in cells
                    if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])
                ]
                idx = res["cell_index"]
                injected = sum(
                    1 for c in real[:idx] if "injected-parameters" in c.get("metadata", {}).get("tags", [])
                )
            except (OSError, ValueError, KeyError):
                injected = 0
        cell_no = res["cell_index"] - injected + 1
        where = f"cell {cell_no} (In [{res.get('exec_count')}]: {first[:80]})"
        what = f"{res['ename']}: {res['evalue']}"
    else:
        where = "kernel start or run (no cell error)"
        what = f"{res['ename']}: {res['evalue']}"
        if res.get("log_tail"):
            what += "\n  kernel log:\n    " + res["log_tail"].replace("\n", "\n    ")
    lines = [f"notebook {stem}.ipynb failed at {where}", f"  {what}"]
    if kept is not None:
        lines.append(f"  executed notebook kept for debugging: {kept}")
    lines.append(
        f"  nothing was published; {'the earlier report ' + str(final) + ' is unchanged' if final.exists() else 'no report existed for this period'}"
    )
    return "\n".join(lines)


def render_pack(
    period: str | Period | None = None,
    *,
    lang: str = "zh",
    out_dir: Path | str = REPORTS_DIR,
    plan_dir: Path | str | None = None,
    observations_path: Path | str | None = None,
    jobs: int | None = None,
    progress: bool = True,
    notebooks_dir: Path | str = NOTEBOOKS_DIR,
    pack: Iterable[str] | None = None,
    kernel_name: str = KERNEL_NAME,
    say: Callable[[str], None] | None = None,
    pdf: bool = True,
) -> RenderResult:
    """Render the report pack of ``period`` to ``<out_dir>/<period>/`` (``<period>-en`` in English; see
    the module docstring). ``pdf=False`` leaves out summary.pdf and report.pdf (no browser needed)."""
    t0 = time.perf_counter()
    if lang not in ("zh", "en"):
        raise RenderError(f"--lang must be zh or en, not {lang!r}")
    plan_dir = Path(plan_dir) if plan_dir else DEFAULT_PLAN_DIR
    observations_path = Path(observations_path) if observations_path else DEFAULT_OBSERVATIONS
    if not plan_dir.is_dir():
        raise RenderError(f"plan folder not found: {plan_dir}")
    if not observations_path.is_file():
        raise RenderError(f"observations file not found: {observations_path} (run `gxq clean` first)")
    if period is None or period == "":
        per = default_period(observations_path, plan_dir)
        chosen = " (the latest quarter the data covers)"
    else:
        try:
            per = parse_period(period)
        except PeriodError as exc:
            raise RenderError(f"--period: {exc}") from None
        chosen = ""
        pack_for(per)  # months have no pack: say so before anything else
        try:
            check_period_covered(per, observations_path, plan_dir, lang)
        except PackOutputError as exc:
            raise RenderError(str(exc)) from None
    notebooks_dir = Path(notebooks_dir)
    stems = list(pack) if pack is not None else list(pack_for(per))
    present, skipped = [], []
    for stem in stems:
        if (notebooks_dir / f"{stem}.ipynb").is_file():
            present.append(stem)
        elif stem in PENDING_NOTEBOOKS:
            skipped.append(stem)
        else:
            raise RenderError(f"report notebook missing: {notebooks_dir / (stem + '.ipynb')}")
    if not present:
        raise RenderError(f"no report notebook of the {pack_kind(per)} pack exists in {notebooks_dir}")
    _check_kernel(kernel_name)

    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / pack_folder(per, lang)
    n_workers = jobs if jobs and jobs > 0 else min(len(present), (os.cpu_count() or 1) + 1, 8)
    n_workers = max(1, min(n_workers, len(present)))
    prog = _Progress(len(present), progress)
    say = say or prog.say
    say(
        f"gxq report: {pack_kind(per)} pack for {per}{chosen}, lang={lang}: {', '.join(present)} "
        f"({n_workers} in parallel)"
    )
    for stem in skipped:
        say(f"  skipped {stem}.ipynb: the notebook does not exist yet")

    plan_title = _plan_title(plan_dir, lang)
    generated = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    version = version_string()
    sweep_stale_temp(out_dir)
    tmp = Path(tempfile.mkdtemp(prefix=f".{per}{_TMP_MARK}{os.getpid()}-", dir=out_dir))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; the published report is readable like any folder
    try:
        exec_dir = tmp / EXECUTED_DIR
        exec_dir.mkdir()
        jobs_list = []
        for stem in present:
            src = notebooks_dir / f"{stem}.ipynb"
            names = notebook_parameters(src)
            params = {
                "period": str(per),
                "lang": lang,
                "plan_dir": str(plan_dir.resolve()),
                "observations_path": str(observations_path.resolve()),
            }
            if "year" in names:
                params["year"] = per.year
            jobs_list.append(
                {
                    "stem": stem,
                    "input": str(src),
                    "output": str(exec_dir / f"{stem}.ipynb"),
                    "log": str(exec_dir / f"{stem}.log"),
                    "parameters": params,
                    "kernel": kernel_name,
                    "cwd": str(notebooks_dir),
                }
            )
        import papermill  # noqa: F401  (imported before forking so the workers inherit it)

        results: list[NotebookResult] = []
        outputs: list[str] = []
        failure: dict | None = None
        ctx = get_context("fork") if sys.platform.startswith("linux") else None
        with ProcessPoolExecutor(
            max_workers=n_workers, mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),)
        ) as pool:
            pending = {pool.submit(_execute_job, job): job for job in jobs_list}
            summary_spec = {
                "period": str(per),
                "lang": lang,
                "plan_dir": str(plan_dir.resolve()),
                "observations_path": str(observations_path.resolve()),
                "out": str(tmp / SUMMARY_HTML),
                "plan_title": plan_title,
                "generated": generated,
                "version": version,
                "css": _css(),
            }
            summary_future = pool.submit(summary_job, summary_spec)
            exporter = make_exporter(lang)  # built while the kernels start
            while pending and failure is None:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    job = pending.pop(fut)
                    res = fut.result()
                    if not res["ok"]:
                        failure = res
                        break
                    t1 = time.perf_counter()
                    results.append(
                        _export(exporter, job, per, lang, plan_title, generated, version, tmp, res["seconds"])
                    )
                    retry = " (kernel restarted once)" if res.get("attempts", 1) > 1 else ""
                    prog.step(job["stem"])
                    say(
                        f"  ok  {job['stem']}: executed in {res['seconds']:.1f}s, "
                        f"html in {time.perf_counter() - t1:.1f}s{retry}"
                    )
            if failure is not None:
                for fut in pending:
                    fut.cancel()
            summary_res = summary_future.result()
        prog.close()
        if failure is not None:
            failed_nb = exec_dir / f"{failure['stem']}.ipynb"
            kept = None
            if failed_nb.exists():
                keep_dir = out_dir / FAILED_DIR / pack_folder(per, lang)
                keep_dir.mkdir(parents=True, exist_ok=True)
                kept = keep_dir / failed_nb.name
                shutil.copyfile(failed_nb, kept)
            raise RenderError(_failure_message(failure, failed_nb, kept, final))
        if not summary_res["ok"]:
            raise RenderError(
                f"the summary page could not be built: {summary_res['error']}\n  nothing was published"
            )
        order = {s: i for i, s in enumerate(present)}
        results.sort(key=lambda r: order[r.stem])
        illustrative = summary_res["illustrative"] or any(r.meta.get("illustrative") for r in results)
        outputs = [SUMMARY_HTML]
        pages = [(r.stem, r.html_path.name) for r in results]
        try:
            t1 = time.perf_counter()
            outputs += write_tables(
                tmp,
                per,
                lang,
                plan_title,
                generated,
                observations_path,
                pages,
                illustrative,
                summary_values=summary_res.get("values"),
            )
            say(f"  ok  {TABLES_XLSX}: {time.perf_counter() - t1:.1f}s")
            if pdf:
                t1 = time.perf_counter()
                outputs += write_pdfs(tmp, lang, [name for _stem, name in pages], illustrative, plan_title)
                say(f"  ok  {SUMMARY_PDF}, {REPORT_PDF}: {time.perf_counter() - t1:.1f}s")
        except PackOutputError as exc:
            raise RenderError(f"{exc}\n  nothing was published") from None
        (tmp / "index.html").write_text(
            index_html(per, lang, plan_title, generated, version, results, skipped, outputs), encoding="utf-8"
        )
        publish(tmp, final)
        shutil.rmtree(out_dir / FAILED_DIR / pack_folder(per, lang), ignore_errors=True)
        for r in results:
            r.html_path = final / r.html_path.name
    finally:
        prog.close()
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return RenderResult(
        period=per,
        path=final,
        notebooks=results,
        skipped=skipped,
        seconds=time.perf_counter() - t0,
        outputs=outputs,
    )


def _export(
    exporter,
    job: dict,
    per: Period,
    lang: str,
    plan_title: str,
    generated: str,
    version: str,
    tmp: Path,
    seconds: float,
) -> NotebookResult:
    import nbformat

    stem = job["stem"]
    nb = nbformat.read(job["output"], as_version=4)
    meta, dropped = prepare_notebook(nb, stem)
    cover = cover_meta(stem, per, lang, plan_title, generated, version, meta)
    nb.metadata["gxq"] = cover
    nb.metadata["title"] = f"{cover['title']} · {cover['period_label']}"
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": cover["title"]}})
    problems = audit_html(body)
    if problems:
        raise RenderError(f"{stem}.html would not be self-contained or clean: {'; '.join(problems)}")
    html_path = tmp / f"{stem}.html"
    html_path.write_text(body, encoding="utf-8")
    return NotebookResult(stem=stem, seconds=seconds, html_path=html_path, meta=meta, stderr_lines=dropped)


def check_fresh(observations_path: Path, raw_dir: Path) -> None:
    """Refuse to report from a clean table older than the raw data (a new, changed or removed raw
    file since the last `gxq clean`), naming the files. Only for the default paths, whose raw folder
    is known; an explicit --observations file is taken as it is."""
    from .clean import stale_inputs

    changed = stale_inputs(Path(raw_dir), Path(observations_path).parent)
    if changed:
        shown = "; ".join(changed[:5]) + (f"; … {len(changed) - 5} more" if len(changed) > 5 else "")
        raise RenderError(
            f"the raw data changed since the last `gxq clean` ({shown}); run `gxq clean` first "
            f"(nothing was published)"
        )


def command_report(args: Any) -> int:
    """Entry point of `gxq report` (arguments parsed in cli.py)."""
    try:
        if Path(args.observations) == DEFAULT_OBSERVATIONS:
            check_fresh(DEFAULT_OBSERVATIONS, RAW_DIR)
        result = render_pack(
            args.period,
            lang=args.lang,
            out_dir=args.out,
            plan_dir=args.plan,
            observations_path=args.observations,
            jobs=args.jobs,
            progress=not args.no_progress,
            pdf=not getattr(args, "no_pdf", False),
        )
    except RenderError as exc:
        print(f"gxq report: {exc}", file=sys.stderr)
        return 1
    for r in result.notebooks:
        if r.stderr_lines:
            print(
                f"gxq report: note: {r.stem} wrote to stderr (left out of the HTML): {r.stderr_lines[0][:160]}",
                file=sys.stderr,
            )
    print(f"{result.index}  ({len(result.notebooks)} reports, {result.seconds:.1f}s)")
    return 0


__all__ = [
    "PACKS",
    "PENDING_NOTEBOOKS",
    "RenderError",
    "RenderResult",
    "audit_html",
    "check_fresh",
    "command_report",
    "default_period",
    "make_exporter",
    "render_pack",
]

"""Headless Chromium, offline, spoken to over the DevTools protocol on a pipe: PDF printing for the pack.

Chromium runs with ``--remote-debugging-pipe`` (commands on fd 3, replies on fd 4, NUL-separated JSON):
no port, no extra Python dependency. Networking is off (every host resolves to nothing, any proxy use
goes to a dead port), so a page can only load what sits beside it on disk. The browser tests use the
same class (tests/test_browser.py).

Chromium is a Debian package (``chromium``) that ``python3 tasks.py setup``/``report`` installs, as
it installs ``qpdf`` (the merge of report.pdf; pypdf when it is missing).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TIMEOUT = 90.0
# A4 in inches (DevTools takes inches); margins are set by the pages' @page rules (preferCSSPageSize).
A4_INCHES = (8.27, 11.69)
A4_POINTS = (595.28, 841.89)


class BrowserError(RuntimeError):
    """Chromium is missing, failed to start, or did not answer."""


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


class Browser:
    """Headless Chromium with networking disabled. Use as a context manager, or call close()."""

    def __init__(self, user_data_dir: Path | str | None = None, chromium: str | None = None):
        exe = chromium or find_chromium()
        if not exe:
            raise BrowserError(
                "chromium not found: install the Debian package `chromium` (python3 tasks.py setup does it)"
            )
        self._own_profile = user_data_dir is None
        self.profile = Path(user_data_dir or tempfile.mkdtemp(prefix="gxq-chromium-"))
        self.profile.mkdir(parents=True, exist_ok=True)
        to_chrome_r, self._to_chrome_w = os.pipe()
        self._from_chrome_r, from_chrome_w = os.pipe()
        # The child's ends move above fd 4 so that wiring them to 3 and 4 cannot clobber one of them.
        to_chrome_r = self._lift(to_chrome_r)
        from_chrome_w = self._lift(from_chrome_w)
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-default-apps",
            "--mute-audio",
            "--hide-scrollbars",
            f"--user-data-dir={self.profile}",
            "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--remote-debugging-pipe",
            "--window-size=1280,900",
            "about:blank",
        ]
        self.log_path = self.profile / "chromium.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115  (the browser's log stays open while it runs)

        def wire_fds() -> None:  # in the child, before exec
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        try:
            self.proc = subprocess.Popen(
                [exe, *flags],
                preexec_fn=wire_fds,
                close_fds=False,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=self._log,
            )
        except OSError as exc:
            self._log.close()
            raise BrowserError(f"chromium could not start: {exc}") from None
        finally:
            os.close(to_chrome_r)
            os.close(from_chrome_w)
        self._next_id = 0
        self._messages: queue.Queue = queue.Queue()
        self.events: list[dict] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @staticmethod
    def _lift(fd: int) -> int:
        high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
        os.close(fd)
        return high

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _read(self) -> None:
        buf = b""
        while True:
            try:
                chunk = os.read(self._from_chrome_r, 1 << 20)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                self._messages.put(json.loads(raw))
        self._messages.put(None)

    def send(
        self, method: str, params: dict | None = None, session: str | None = None, timeout: float = TIMEOUT
    ) -> dict:
        return self.reply(self.post(method, params, session), method, timeout)

    def post(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        """Send a command without waiting for its answer (see :meth:`reply`); returns its id."""
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome_w, json.dumps(msg).encode() + b"\0")
        return self._next_id

    def reply(self, msg_id: int, method: str, timeout: float = TIMEOUT) -> dict:
        """The result of the command ``msg_id`` (other messages meanwhile are kept in ``events``)."""
        return self._result(self._next(lambda m: m.get("id") == msg_id, method, timeout, keep=False), method)

    @staticmethod
    def _result(reply: dict, method: str) -> dict:
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_for(self, method: str, session: str, timeout: float = TIMEOUT) -> dict:
        """The event ``method`` of the tab ``session`` (kept in ``events``, like every event)."""
        return self._next(
            lambda m: m.get("method") == method and m.get("sessionId") == session, method, timeout, keep=True
        )

    def _next(self, match: Callable[[dict], bool], what: str, timeout: float, keep: bool) -> dict:
        """The first message ``match`` accepts: one already in ``events``, else the next to arrive
        (the others are kept in ``events``). ``keep=False`` takes the message out of ``events``
        (a command's answer, which may be a whole PDF)."""
        for i, ev in enumerate(self.events):
            if match(ev):
                return ev if keep else self.events.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            try:
                msg = self._messages.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise BrowserError(f"{what}: chromium did not answer within {timeout:.0f}s") from None
            if msg is None:
                raise BrowserError(f"chromium closed the pipe (log: {self.log_path})")
            if match(msg):
                if keep:
                    self.events.append(msg)
                return msg
            self.events.append(msg)

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                msg = self._messages.get(timeout=0.1)
            except queue.Empty:
                continue
            if msg is None:
                return
            self.events.append(msg)

    def start(self, url: str) -> tuple[str, str]:
        """A new tab loading ``url``, not waited for: (target id, session id). Tabs started together
        load and lay out in parallel (each has its renderer) while another tab prints."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.send("Page.enable", session=session)
        self.send("Page.navigate", {"url": url}, session=session)
        return target, session

    def open(self, url: str) -> tuple[str, str]:
        """A new tab showing ``url`` once loaded: (target id, session id)."""
        target, session = self.start(url)
        self.wait_for("Page.loadEventFired", session)
        return target, session

    def close_tab(self, target: str) -> None:
        self.send("Target.closeTarget", {"targetId": target})

    def print_pdf(self, url: str, *, footer: str = "", scale: float = 1.0) -> bytes:
        """``url`` printed to PDF on A4 (the page's @page rules win), backgrounds kept. ``footer`` (plain
        text, escaped here) is printed at the foot of every page with the page number."""
        return self.print_tabs([self.open(url)], footer=footer, scale=scale)[0]

    def print_tabs(self, tabs: list[tuple[str, str]], *, footer: str = "", scale: float = 1.0) -> list[bytes]:
        """Tabs of :meth:`start` or :meth:`open` printed as :meth:`print_pdf` does, in order, each once
        loaded; the print commands are all sent before the first answer is read, so the tabs'
        renderers print in parallel. The tabs are closed after."""
        try:
            sent = []
            for _target, session in tabs:
                self.wait_for("Page.loadEventFired", session)
                # Fonts and images must be ready before printing.
                self.send(
                    "Runtime.evaluate",
                    {
                        "expression": "document.fonts.ready.then(() => true)",
                        "awaitPromise": True,
                        "returnByValue": True,
                    },
                    session=session,
                )
                sent.append(self.post("Page.printToPDF", _print_params(footer, scale), session=session))
            return [base64.b64decode(self.reply(i, "Page.printToPDF", timeout=180)["data"]) for i in sent]
        finally:
            for target, _session in tabs:
                with contextlib.suppress(BrowserError, OSError):
                    self.close_tab(target)

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.send("Browser.close", timeout=10)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_chrome_w, self._from_chrome_r):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._log.close()
        if self._own_profile:
            shutil.rmtree(self.profile, ignore_errors=True)


def _print_params(footer: str, scale: float) -> dict[str, Any]:
    """Page.printToPDF on A4 with backgrounds; ``footer`` (plain text, escaped here) with page numbers."""
    import html

    params: dict[str, Any] = {
        "paperWidth": A4_INCHES[0],
        "paperHeight": A4_INCHES[1],
        "preferCSSPageSize": True,
        "printBackground": True,
        "scale": scale,
        "marginTop": 0.47,
        "marginBottom": 0.55,
        "marginLeft": 0.47,
        "marginRight": 0.47,
    }
    if footer:
        style = (
            "font-family:'Noto Sans CJK SC',sans-serif;font-size:7.5px;width:100%;"
            "padding:0 12mm;color:#5c4400;display:flex;justify-content:space-between;"
        )
        params.update(
            {
                "displayHeaderFooter": True,
                "headerTemplate": "<span></span>",
                "footerTemplate": f'<div style="{style}"><span>{html.escape(footer)}</span>'
                '<span><span class="pageNumber"></span>/<span class="totalPages"></span>'
                "</span></div>",
            }
        )
    return params


def pdf_pages(data: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of every page of a PDF (pypdf)."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


def is_a4(size: tuple[float, float], tol: float = 2.0) -> bool:
    return abs(size[0] - A4_POINTS[0]) <= tol and abs(size[1] - A4_POINTS[1]) <= tol


def merge_pdfs(parts: list[bytes]) -> bytes:
    """One PDF of the parts' pages, in order: with qpdf when it is installed (``python3 tasks.py``
    installs it; C++, ~0.3 s for a pack where pypdf, which parses every object of the parts' embedded
    CJK fonts, takes ~1.2 s of CPU), else, or should qpdf fail, with pypdf."""
    if shutil.which("qpdf"):
        merged = _merge_with_qpdf(parts)
        if merged is not None:
            return merged
    return _merge_with_pypdf(parts)


def _merge_with_qpdf(parts: list[bytes]) -> bytes | None:
    with tempfile.TemporaryDirectory(prefix="gxq-pdf-") as tmp:
        names = []
        for i, part in enumerate(parts):
            names.append(str(Path(tmp) / f"part{i}.pdf"))
            Path(names[-1]).write_bytes(part)
        out = Path(tmp) / "merged.pdf"
        cmd = ["qpdf", "--deterministic-id", "--empty", "--pages", *names, "--", str(out)]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=TIMEOUT)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.read_bytes()


def _merge_with_pypdf(parts: list[bytes]) -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

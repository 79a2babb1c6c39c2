"""A real browser opens the rendered pack offline: Debian's headless Chromium, driven over the DevTools
protocol on a pipe (``--remote-debugging-pipe``: no port, no extra dependency), with networking
disabled. The test records every request the pages make and asserts they are all local (file:/data:),
none failed, no script error or dialog happened (the ``<script>alert(1)</script>`` indicator name stays
text), and takes screenshots.

Set ``GXQ_SAVE_SCREENSHOTS=1`` to also write the screenshots to ``reports/screenshots/``.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from gxq_analysis.config import REPORTS_DIR
from test_render_support import render_fixture_pack

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("render")]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
TIMEOUT = 60.0


class CDPError(RuntimeError):
    pass


class Browser:
    """Headless Chromium with networking disabled, spoken to over fds 3/4 (NUL-separated JSON)."""

    def __init__(self, user_data_dir: Path):
        to_chrome_r, self._to_chrome_w = os.pipe()
        self._from_chrome_r, from_chrome_w = os.pipe()
        # Move the child's ends above fd 4, so that wiring them to 3 and 4 cannot clobber one of them.
        for name in ("to_chrome_r", "from_chrome_w"):
            fd = locals()[name]
            high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
            os.close(fd)
            if name == "to_chrome_r":
                to_chrome_r = high
            else:
                from_chrome_w = high
        flags = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
            f"--user-data-dir={user_data_dir}",
            # no network at all: every host resolves to nothing, and any proxy use goes to a dead port
            "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
            "--remote-debugging-pipe", "--window-size=1280,900", "about:blank",
        ]
        # Chromium reads commands on fd 3 and writes replies on fd 4.
        # (its output goes to a log file in the profile, for debugging)
        Path(user_data_dir).mkdir(parents=True, exist_ok=True)
        self.log_path = Path(user_data_dir) / "chromium.log"
        self._log = open(self.log_path, "wb")
        def wire_fds() -> None:  # in the child, before exec: our pipe ends become fds 3 and 4
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        # close_fds=False keeps the wired fds 3 and 4; Python's own descriptors are close-on-exec anyway.
        self.proc = subprocess.Popen([CHROMIUM, *flags], preexec_fn=wire_fds, close_fds=False,
                                     stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._next_id = 0
        self._messages: queue.Queue = queue.Queue()
        self.events: list[dict] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buf = b""
        while True:
            try:
                chunk = os.read(self._from_chrome_r, 65536)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                self._messages.put(json.loads(raw))
        self._messages.put(None)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._messages.get(timeout=max(0.1, deadline - time.monotonic()))
            if reply is None:
                raise CDPError("chromium closed the pipe")
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CDPError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str, timeout: float = TIMEOUT) -> dict:
        for ev in self.events:
            if ev.get("method") == method and ev.get("sessionId") == session:
                return ev
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                msg = self._messages.get(timeout=0.2)
            except queue.Empty:
                continue
            if msg is None:
                raise CDPError("chromium closed the pipe")
            self.events.append(msg)
            if msg.get("method") == method and msg.get("sessionId") == session:
                return msg
        raise CDPError(f"timed out waiting for {method}")

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

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (CDPError, OSError, queue.Empty):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_chrome_w, self._from_chrome_r):
            try:
                os.close(fd)
            except OSError:
                pass
        self._log.close()


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
    facts = browser.send("Runtime.evaluate", {"returnByValue": True, "expression": """({
        lang: document.documentElement.lang,
        title: document.title,
        banner: !!document.querySelector('.gxq-banner'),
        images: document.images.length,
        brokenImages: Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length,
        scripts: document.scripts.length,
        text: document.body.innerText,
        height: document.documentElement.scrollHeight,
    })"""}, session=session)["result"]["value"]
    height = min(int(facts["height"]), 6000)
    browser.send("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": height, "deviceScaleFactor": 1,
                                                         "mobile": False}, session=session)
    shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)
    screenshot.write_bytes(base64.b64decode(shot["data"]))
    events = [e for e in browser.events[start:] if e.get("sessionId") == session]
    browser.send("Target.closeTarget", {"targetId": target})
    return {
        "requests": [e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"],
        "failed": [e["params"] for e in events if e["method"] == "Network.loadingFailed"],
        "exceptions": [e["params"] for e in events if e["method"] == "Runtime.exceptionThrown"],
        "dialogs": [e["params"] for e in events if e["method"] == "Page.javascriptDialogOpening"],
        "console_errors": [e["params"]["entry"] for e in events
                           if e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error"],
        "facts": facts,
    }


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: run `python3 tasks.py setup` (installs Debian chromium)")
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
        assert facts["images"] >= 1 and facts["scripts"] == 0
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
    page.write_text('<!DOCTYPE html><html lang="zh"><body><p>x</p>'
                    '<img src="https://example.com/logo.png" alt="logo"></body></html>', encoding="utf-8")
    seen = visit(browser, page.as_uri(), tmp_path / "leaky.png")
    assert "https://example.com/logo.png" in seen["requests"]
    assert [f for f in seen["failed"] if f.get("errorText")] != []

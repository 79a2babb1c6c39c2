"""The packs' PDFs, printed in threads of the report process on kept headless Chromiums.

Printing a pack is mostly waiting for Chromium (its tabs load, lay out and print in its own processes:
~2 s a pack, of which ~0.6 s of CPU), so `gxq report` does not stop for it: once a pack's pages and
tables.xlsx are written, its PDFs are queued here and the report process goes on with the next pack;
the pack is published when they are done (or dropped, as before, when they fail). A printing thread
keeps one browser for every pack it prints (`gxq report --all`: no start per pack); a browser that
failed is closed and that thread's next pack starts a new one. `gxq report` prints on one thread: on
the 2-core machine two or three browsers printed no faster (8 packs: 16.2 s on one browser, 14.4 s on
two, 14.9 s on three, each using more CPU) while the pages render beside them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from .pack_run import PackRun, write_pack_pdfs


class PdfPrinter:
    """Prints packs' PDFs on ``threads`` threads, each with its browser started at its first pack."""

    def __init__(self, say: Callable[[str], None], threads: int = 1) -> None:
        self._say = say
        self._pool = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="gxq-pdf")
        self._local = threading.local()
        self._browsers: list[Any] = []
        self._lock = threading.Lock()

    def submit(self, run: PackRun) -> Future:
        """Queue the PDFs of ``run``; the future gives their outputs or raises RenderError."""
        return self._pool.submit(self._print, run)

    def _print(self, run: PackRun) -> list[str]:
        from .browser import Browser, BrowserError

        browser = getattr(self._local, "browser", None)
        if browser is None:
            try:
                browser = Browser()
            except BrowserError:
                browser = None  # write_pack_pdfs starts its own and reports what fails
            else:
                with self._lock:
                    self._browsers.append(browser)
            self._local.browser = browser
        try:
            return write_pack_pdfs(run, self._say, browser=browser)
        except Exception:
            self._local.browser = None  # a failure may have left the browser in any state
            if browser is not None:
                self._close(browser)
            raise

    def _close(self, browser: Any) -> None:
        with self._lock:
            if browser not in self._browsers:
                return
            self._browsers.remove(browser)
        browser.close()

    def __enter__(self) -> PdfPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Wait for the packs being printed (queued ones are cancelled), then close the browsers."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        for browser in list(self._browsers):
            self._close(browser)

"""The packs' PDFs, printed in a thread of the report process on a kept headless Chromium.

Printing a pack is mostly waiting for Chromium (its tabs load, lay out and print in its own processes:
~2 s a pack, of which ~0.6 s of CPU), so `gxq report` does not stop for it: once a pack's pages and
tables.xlsx are written, its PDFs are queued here and the report process goes on with the next pack;
the pack is published when they are done (or dropped, as before, when they fail). The printing thread
keeps one browser for every pack it prints (`gxq report --all`: no start per pack); a browser that
failed is closed and the next pack starts a new one. One thread and one browser: on the 2-core
machine two or three browsers printed no faster (8 packs: 16.2 s on one browser, 14.4 s on two,
14.9 s on three, each using more CPU) while the pages render beside them.

The browser is started by the first print, never earlier: the worker pools fork at their first job,
and a fork while this thread is inside ``subprocess.Popen`` (starting Chromium) hangs it for good
(the forked worker inherits the pipe Popen waits on to close). Started at :class:`PdfPrinter`'s
creation, a single pack with PDFs hung that way in a test run; it was no faster either (Chromium's
start then competes with the pages for the two cores).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from .pack_run import PackRun, write_pack_pdfs


class PdfPrinter:
    """Prints packs' PDFs one after another in one thread, on a browser started at the first pack."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self._say = say
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gxq-pdf")
        self._browser: Any = None  # used by the printing thread only (and by close, once it ended)

    def submit(self, run: PackRun) -> Future:
        """Queue the PDFs of ``run``; the future gives their outputs or raises RenderError."""
        return self._pool.submit(self._print, run)

    def _print(self, run: PackRun) -> list[str]:
        from .browser import Browser, BrowserError

        if self._browser is None:
            with contextlib.suppress(BrowserError):  # else write_pack_pdfs starts its own and says why not
                self._browser = Browser()
        try:
            return write_pack_pdfs(run, self._say, browser=self._browser)
        except Exception:
            self._close_browser()  # a failure may have left the browser in any state
            raise

    def _close_browser(self) -> None:
        browser, self._browser = self._browser, None
        if browser is not None:
            browser.close()

    def __enter__(self) -> PdfPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Wait for the pack being printed (queued ones are cancelled), then close the browser."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._close_browser()

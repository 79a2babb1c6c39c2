"""Reading and checking a clean's files in forked helper processes as well as in this one (issue #14).

A big batch spends most of a clean in reading, parsing and checking files one at a time, and that work
is independent from file to file: :func:`clean_files` shares it out. Helpers are forked (they inherit
the plan and the checker, nothing is set up again) and take the next file from one shared counter, as
the parent does, so a slow file or a busy core balances itself. A helper sends each file's records back
as lean tuples (:func:`encode`), which the parent turns back into the same records (:func:`decode`)
between files of its own; the parent then puts the files in their order, so the outputs are the same
bytes as a clean in one process, whoever read which file.

Nothing is lost if a helper fails: a file a helper claimed and did not deliver (an exception, a crash,
a kill) is cleaned by the parent itself at the end, so an error is raised there as it would be in
one process. Small batches stay in one process, and so does a clean on a machine with no idle core
(:func:`helper_count`): there a helper costs more than it saves. The helpers are forked before the
parent holds much (a few tens of MB), and ``benchmarks/bench_clean.py`` counts their memory with the
parent's.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import fields
from operator import attrgetter
from typing import Any

from .records import Candidate, FileReport, Observation, QuarantineEntry

# A file's outcome: its report, its candidate observations, its quarantine lines.
FileOutcome = tuple[FileReport, list[Candidate], list[QuarantineEntry]]

# Below this many bytes of input a clean stays in one process (the demo data are ~0.3 MB; the bench batch
# ~9 MB): a helper's fork, pipe and encoding cost more than it saves on a small batch.
PARALLEL_MIN_BYTES = 2_000_000
# Helpers besides the parent: one per further core, at most this many (each holds its share of the
# records until the parent has them).
MAX_HELPERS = 3

_OBSERVATION_FIELDS = attrgetter(*(f.name for f in fields(Observation)))
_QUARANTINE_FIELDS = attrgetter(*(f.name for f in fields(QuarantineEntry)))


def helper_count(sizes: Sequence[int]) -> int:
    """How many helper processes a clean of files of these sizes (bytes) should use: none for a small
    batch or a single file, else one per core that is idle now. A core another program keeps busy is no
    help (the scheduler shares it out; on a machine whose sessions are fair-shared, as with Linux's
    autogroups, our two processes would get one core between them) and would only add the helper's
    overhead, so a busy machine cleans in one process."""
    if len(sizes) < 2 or sum(sizes) < PARALLEL_MIN_BYTES:
        return 0
    return max(0, min(_idle_cores() - 1, MAX_HELPERS, len(sizes) - 1))


def _idle_cores() -> int:
    """The cores this process may use that nothing else is running on at this moment (counting this
    process's own): the number of runnable tasks in ``/proc/loadavg`` is an instant's count, unlike the
    load averages."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
    try:
        with open("/proc/loadavg", encoding="ascii") as fh:
            running = int(fh.read().split()[3].split("/")[0])  # this process included
    except (OSError, ValueError, IndexError):
        return cores
    return min(cores, max(1, cores - (running - 1)))


def encode(outcome: FileOutcome) -> bytes:
    """A file's outcome as bytes to send: records as tuples of their fields (pickling slotted dataclasses
    one by one costs several times more), shared strings, periods and precedences pickled once."""
    report, candidates, quarantine = outcome
    obs = [(_OBSERVATION_FIELDS(c.rec), c.precedence) for c in candidates]
    return pickle.dumps((report, obs, list(map(_QUARANTINE_FIELDS, quarantine))), pickle.HIGHEST_PROTOCOL)


def decode(data: bytes) -> FileOutcome:
    """:func:`encode`'s bytes as the records they were."""
    report, obs, quarantine = pickle.loads(data)
    return (
        report,
        [Candidate(Observation(*values), precedence) for values, precedence in obs],
        [QuarantineEntry(*values) for values in quarantine],
    )


def clean_files(
    count: int, clean_one: Callable[[int], FileOutcome], helpers: int, tick: Callable[[], Any]
) -> list[FileOutcome]:
    """``clean_one(i)`` for every i in ``range(count)``, in this process and ``helpers`` forked ones;
    the outcomes in the order of i. ``tick()`` is called once per file done (a progress bar). With no
    helpers (or where none can be started) the parent cleans every file itself, in order.

    A helper appends each file's encoded outcome to a spool file of its own (an unlinked temporary
    file, so it never waits for the parent) and then writes a 32-byte notice (helper, file, offset,
    length) to a pipe they all share (writes this small are atomic); the parent reads the notices
    between its own files, and the spooled outcomes with ``pread``."""
    if helpers < 1 or count < 2:
        return [_ticked(clean_one(i), tick) for i in range(count)]
    import multiprocessing

    try:
        ctx = multiprocessing.get_context("fork")
        counter = ctx.Value("q", 0)  # the next file to claim, shared by the parent and its helpers
    except (ValueError, OSError, ImportError):  # no fork (Windows) or no shared semaphores: one process
        return [_ticked(clean_one(i), tick) for i in range(count)]
    outcomes: list[FileOutcome | None] = [None] * count
    with contextlib.ExitStack() as cleanup:
        spools = [cleanup.enter_context(tempfile.TemporaryFile(prefix="gxq-clean-")) for _ in range(helpers)]
        notices_in, notices_out = os.pipe()
        cleanup.callback(os.close, notices_in)
        procs = []
        finished = False
        try:
            for helper, spool in enumerate(spools):
                args = (count, counter, clean_one, helper, spool.fileno(), notices_out)
                proc = ctx.Process(target=_help, args=args, daemon=True)
                try:
                    proc.start()
                except OSError:  # cannot fork now (memory, process limit): fewer helpers, or none
                    break
                procs.append(proc)
        finally:
            os.close(notices_out)  # the helpers hold theirs: end of file once every helper is done
        try:
            os.set_blocking(notices_in, False)
            pending = b""
            while (i := _claim(counter, count)) is not None:
                outcomes[i] = clean_one(i)
                tick()
                pending = _take(notices_in, pending, spools, outcomes, tick)
            os.set_blocking(notices_in, True)
            while more := os.read(notices_in, 1 << 16):  # the helpers' last files, until all are done
                pending = _take_notices(pending + more, spools, outcomes, tick)
            finished = True
        finally:
            for proc in procs:
                if not finished:  # an error (or an interrupt) here: the helpers' work is not wanted
                    proc.kill()
                proc.join()
    done: list[FileOutcome] = []
    for i, outcome in enumerate(outcomes):
        if outcome is None:  # claimed by a helper that did not deliver it: clean it here (and meet any error)
            outcome = clean_one(i)
            tick()
        done.append(outcome)
    return done


_NOTICE = struct.Struct("<qqqq")  # helper, file, offset, length


def _ticked(outcome: FileOutcome, tick: Callable[[], Any]) -> FileOutcome:
    tick()
    return outcome


def _claim(counter: Any, count: int) -> int | None:
    with counter.get_lock():
        i = int(counter.value)
        if i >= count:
            return None
        counter.value = i + 1
    return i


def _take(
    notices: int,
    pending: bytes,
    spools: list[Any],
    outcomes: list[FileOutcome | None],
    tick: Callable[[], Any],
) -> bytes:
    """Decode what the helpers have finished so far (between the parent's own files)."""
    try:
        more = os.read(notices, 1 << 16)
    except BlockingIOError:
        return pending
    return _take_notices(pending + more, spools, outcomes, tick)


def _take_notices(
    data: bytes, spools: list[Any], outcomes: list[FileOutcome | None], tick: Callable[[], Any]
) -> bytes:
    """Decode the files whose whole notices are in ``data``; the rest of a notice (if any) is returned."""
    whole = len(data) - len(data) % _NOTICE.size
    for helper, i, offset, length in _NOTICE.iter_unpack(data[:whole]):
        outcomes[i] = decode(os.pread(spools[helper].fileno(), length, offset))
        tick()
    return data[whole:]


def _help(
    count: int, counter: Any, clean_one: Callable[[int], FileOutcome], helper: int, spool: int, notices: int
) -> None:
    """A helper's life: claim the next file, clean it, spool it, give notice. It stops at the first
    error, its own or the spool's (a full disk): the parent cleans that file again itself, and so
    reports a file's error as a clean in one process would."""
    offset = 0
    while (i := _claim(counter, count)) is not None:
        try:
            data = encode(clean_one(i))
            written = 0
            while written < len(data):
                written += os.pwrite(spool, data[written:] if written else data, offset + written)
            os.write(notices, _NOTICE.pack(helper, i, offset, len(data)))
        except BaseException:  # the parent cleans this file again (and raises any error of the file there)
            return
        offset += len(data)

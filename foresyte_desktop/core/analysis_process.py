"""A supervised child process that runs analyses, so a native crash fails one job, not the app.

Decoding hostile files (FFmpeg) and inference (onnxruntime, torch) run native code that can
segfault or abort. Each runner keeps one long-lived child (started with `spawn`, never `fork`,
which is unsafe with threads and Qt) that loads its models once and serves job after job,
streaming results back over a pipe in small batches; only the parent writes DuckDB. If the
child dies, the job fails with "the decoder crashed on this file" and a fresh child serves the
next job; one that died while idle is replaced before the next job reaches it.
Cancelling asks the child to stop after the frame in flight, and kills it if it does not.
"""
from __future__ import annotations

import logging
import os
import signal
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

from foresyte_desktop.core.analysis import PIPE_BATCH_S, Analysis, AnalysisRequest
from foresyte_desktop.core.child_process import SupervisedChild
from foresyte_desktop.core.errors import ForesyteError

log = logging.getLogger(__name__)

STOP_GRACE_S = 0.5  # after a cancel, how long the frame in flight may take before the kill
POLL_S = 0.05
CHILD_NICENESS = 10  # added to the child's nice value: lower CPU priority than the app's


class AnalysisCrashed(ForesyteError):
    """The child process died (segfault, abort, killed) while analysing a file."""


class AnalysisProcess(SupervisedChild):
    """The parent's handle on one child. Not thread-safe: one per runner (worker thread)."""

    child_main = None  # what the child runs, if not _child_main (a test's stand-in)
    process_name = "foresyte-analysis"

    def __init__(self) -> None:
        super().__init__()
        self._stop = None
        self._request_no = 0

    def _target(self):
        return self.child_main or _child_main

    def _child_args(self, conn) -> tuple:
        self._stop = self._ctx.Event()  # set: stop after the frame in flight
        return conn, self._stop

    def run(self, request: AnalysisRequest, should_stop) -> Iterator:
        """Yield ("start", VideoInfo, planned), then FrameResults, then an AnalysisEnd.

        Raises ForesyteError for a bad file or model, AnalysisCrashed if the child died.
        `should_stop()` is polled; when true the child stops after the current frame.
        Every message carries the number of the request it answers and any other is dropped;
        a stream closed before its end (the caller failed, or stopped reading) stops the
        child's work, draining what it still sends, or kills it, so the next request starts
        on a quiet pipe.
        """
        self._ensure_started()
        self._stop.clear()  # a child started in place of this one has a fresh, clear event
        self._request_no += 1
        number = self._request_no
        name = Path(request.input_path).name
        if not self._send_to_live_child((number, request)):
            raise self._crashed(name)
        stopping_since = None
        ended = False
        try:
            while True:
                if should_stop() and stopping_since is None:
                    self._stop.set()
                    stopping_since = time.monotonic()
                if stopping_since is not None and \
                        time.monotonic() - stopping_since > STOP_GRACE_S:
                    self._kill()  # the frame in flight is taking too long: cancel must be prompt
                    ended = True
                    return
                message = self._receive(name)
                if message is None:
                    continue
                answers, kind, payload = message
                if answers != number:  # left over from an earlier request: not this job's
                    continue
                if kind == "frames":
                    for result in payload:
                        if should_stop():  # a batch's later frames: as if the child had stopped
                            break
                        yield result
                elif kind == "start":
                    yield ("start", *payload)
                elif kind == "end":
                    ended = True
                    yield payload
                    return
                elif kind == "error":
                    ended = True
                    raise ForesyteError(payload)
        except AnalysisCrashed:
            ended = True
            raise
        finally:
            if not ended:
                self._abandon(number)

    def _receive(self, name: str):
        """The next message, None if none came within POLL_S; AnalysisCrashed if the child died."""
        if not self._conn.poll(POLL_S):
            if not self._proc.is_alive():
                raise self._crashed(name)
            return None
        try:
            return self._conn.recv()
        except (EOFError, OSError):
            raise self._crashed(name) from None

    def _abandon(self, number: int) -> None:
        """Stop request `number`'s work and read what it still sends, up to its end; kill the
        child if that takes longer than a cancel may."""
        if self._proc is None:
            return
        self._stop.set()
        until = time.monotonic() + STOP_GRACE_S
        try:
            while time.monotonic() < until:
                message = self._receive("")
                if message is not None and message[0] == number and \
                        message[1] in ("end", "error"):
                    return
        except AnalysisCrashed:
            return
        self._kill()

    def _crashed(self, name: str) -> AnalysisCrashed:
        how = self._death()
        log.error("analysis process died%s on %s", how, name)
        return AnalysisCrashed(f"The decoder crashed on this file: “{name}” could not be "
                               f"analysed{how}. Other jobs are not affected.")

    def close(self) -> None:
        """Ask the child to exit, and make sure it has."""
        self._close()


def _child_main(conn, stop) -> None:
    """The child's loop: one request at a time until told to exit or the parent goes away."""
    # Ctrl+C reaches the whole process group; the parent decides what stops, and when.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Analysis is background work: the window (and the shell) must win the CPU over it.
    if hasattr(os, "nice"):
        os.nice(CHILD_NICENESS)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        number, request = message
        try:
            _serve(_Answering(conn, number), stop, request)
        except (BrokenPipeError, EOFError):
            return


class _Answering:
    """The child's end of the pipe for one request: each message carries its number."""

    def __init__(self, conn, number: int):
        self._conn = conn
        self._number = number

    def send(self, message: tuple) -> None:
        self._conn.send((self._number, *message))


def _serve(conn: _Answering, stop, request: AnalysisRequest) -> None:
    try:
        analysis = Analysis(request)
    except ForesyteError as exc:
        conn.send(("error", str(exc)))
        return
    except Exception as exc:
        conn.send(("error", _unexpected(request, exc)))
        return
    batch: list = []
    try:
        conn.send(("start", (analysis.info, analysis.planned)))
        sent = time.monotonic()
        for result in analysis.results():
            batch.append(result)
            stopping = stop.is_set()
            if stopping or len(batch) >= request.pipe_batch or \
                    time.monotonic() - sent >= PIPE_BATCH_S:
                _flush(conn, batch)
                sent = time.monotonic()
            if stopping:
                break
        _flush(conn, batch)
        conn.send(("end", analysis.end()))
    except ForesyteError as exc:
        conn.send(("error", str(exc)))
    except (BrokenPipeError, EOFError):
        raise
    except Exception as exc:
        conn.send(("error", _unexpected(request, exc)))
    finally:
        analysis.close()


def _flush(conn, batch: list) -> None:
    """Send the results gathered since the last message, if any."""
    if batch:
        conn.send(("frames", batch))
        batch.clear()


def _unexpected(request: AnalysisRequest, exc: Exception) -> str:
    logging.getLogger(__name__).error("analysis failed: %s", traceback.format_exc())
    first = str(exc).splitlines()[0] if str(exc) else ""
    return (f"Analysing “{Path(request.input_path).name}” stopped on an unexpected error: "
            f"{type(exc).__name__}{': ' + first if first else ''}")


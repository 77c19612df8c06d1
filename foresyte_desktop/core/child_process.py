"""The parent's side of a long-lived child process and its pipe: started with `spawn` when
first needed (never `fork`, which is unsafe with threads and Qt), asked to exit, killed when it
must be, and how it died, in words; a start that fails leaves no child behind, and a child
that died while idle is replaced before the next message. The analysis and decode children
build on it."""
from __future__ import annotations

import logging
import multiprocessing as mp
from collections.abc import Callable

log = logging.getLogger(__name__)


class SupervisedChild:
    """One child at a time; a dead one is replaced by a fresh one on the next start."""

    process_name = "foresyte-child"

    def __init__(self) -> None:
        self._ctx = mp.get_context("spawn")
        self._proc = None
        self._conn = None

    def _target(self) -> Callable:
        """The function the child runs."""
        raise NotImplementedError

    def _child_args(self, conn) -> tuple:
        """The child function's arguments: its end of the pipe, and what else it needs."""
        return (conn,)

    def _ensure_started(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            return
        self._discard()
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=self._target(), args=self._child_args(child),
                                 name=self.process_name, daemon=True)
        try:
            proc.start()
        except BaseException:
            # Kept, a process that never started could not be joined, and discarding it
            # later would raise; its error is the one the caller gets.
            parent.close()
            raise
        finally:
            child.close()
        self._proc, self._conn = proc, parent

    def _send_to_live_child(self, message) -> bool:
        """Send `message` to the child, started if need be. One found alive can die before
        the message reaches it (killed while idle), which is not the message's doing: a fresh
        child gets it then. False when the fresh child's pipe breaks too."""
        for attempt in range(2):
            self._ensure_started()
            try:
                self._conn.send(message)
                return True
            except OSError:
                if attempt:
                    return False
                log.warning("%s was gone before a message reached it; starting another",
                            self.process_name)
                self._kill()
        return False

    def _death(self) -> str:
        """How the child ended (" (signal 11)", " (exit code 3)", or ""), once it is gone;
        the handle is then discarded."""
        if self._proc is not None:
            self._proc.join(1.0)  # the pipe can close a moment before the exit is reaped
        code = self._proc.exitcode if self._proc is not None else None
        self._discard()
        return f" (signal {-code})" if code is not None and code < 0 else \
            f" (exit code {code})" if code else ""

    def _kill(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            self._proc.kill()
            self._proc.join(2)
        self._discard()

    def _discard(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._proc is not None:
            self._proc.join(0)
        self._proc = self._conn = None

    def _close(self) -> None:
        """Ask the child to exit, and make sure it has."""
        if self._proc is not None and self._proc.is_alive():
            try:
                self._conn.send(None)
            except OSError:
                pass
            self._proc.join(1.0)
        self._kill()

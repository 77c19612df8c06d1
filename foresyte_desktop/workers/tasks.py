"""A lane of background work: calls run one after another on one thread, results come back on
the GUI thread. The window's store writes, intake and result loading all go through lanes, so
the GUI thread never waits on DuckDB or on probing a video."""
from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal, Slot

from foresyte_desktop.core.errors import ForesyteError

log = logging.getLogger(__name__)


class TaskLane(QObject):
    """Runs submitted calls in submission order on one long-lived thread.

    Each call runs inside `session()` when one is given (a store's: the call's store work
    gets a cursor of its own, closed when it returns). `failed` carries the sentence of an
    error nobody else handled.
    """

    failed = Signal(str)
    _deliver = Signal(object)

    def __init__(self, parent: QObject | None = None, *,
                 session: Callable[[], AbstractContextManager] | None = None):
        super().__init__(parent)
        self._session = session or nullcontext
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pool.setExpiryTimeout(-1)
        self._deliver.connect(self._on_deliver, Qt.ConnectionType.QueuedConnection)

    def submit(self, fn: Callable[..., Any], *args: Any,
               on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[str], None] | None = None) -> None:
        """Run `fn(*args)` in the lane, then `on_done(result)` or `on_error(sentence)` on the
        GUI thread."""

        def call() -> None:
            try:
                with self._session():
                    outcome = (on_done, fn(*args), None)
            except ForesyteError as exc:
                outcome = (None, None, (on_error, str(exc)))
            except Exception as exc:  # a failed task must never take the app down
                log.exception("background task %s failed", getattr(fn, "__name__", fn))
                outcome = (None, None, (on_error, f"Something went wrong in the background: "
                                                  f"{type(exc).__name__}: {exc}".rstrip(": ")))
            self._deliver.emit(outcome)

        self._pool.start(call)

    @Slot(object)
    def _on_deliver(self, outcome: tuple) -> None:
        on_done, result, error = outcome
        if error is None:
            if on_done is not None:
                on_done(result)
            return
        on_error, message = error
        (on_error or self.failed.emit)(message)

    def wait(self, msecs: int = -1) -> bool:
        """Block until the lane is idle (shutdown and tests only); False on timeout."""
        return self._pool.waitForDone(msecs)

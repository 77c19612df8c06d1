"""`local`: N supervised analysis child processes on this computer (analysis_process.py),
each taking chunks of the running jobs from one queue."""
from __future__ import annotations

from foresyte_desktop.core.analysis_process import AnalysisCrashed, AnalysisProcess
from foresyte_desktop.core.engines.pool import WorkerLost, WorkerPool, frames_of


class _LocalWorker:
    def __init__(self, name: str):
        self.name = name
        self._process = AnalysisProcess()

    def run(self, task):
        try:
            yield from frames_of(self._process.run(task.request, task.stop.is_set))
        except AnalysisCrashed as exc:
            raise WorkerLost(str(exc)) from None

    def close(self) -> None:
        self._process.close()


class LocalEngine(WorkerPool):
    name = "local"

    def _new_worker(self, name: str) -> _LocalWorker:
        return _LocalWorker(name)

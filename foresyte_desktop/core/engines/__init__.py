"""The engines that analyse a job's chunks: `local` (analysis child processes on this
computer, the default) and `ray` (actors on a Ray cluster). Both sit behind the one queue,
the store's jobs table; only the process that made the engine writes the store."""
from __future__ import annotations

import os

from foresyte_desktop.core.errors import ForesyteError
from foresyte_desktop.core.pipelines.ocr import THREADS

ENGINES = ("local", "ray")
RAY_MISSING = ("The ray engine needs Ray, which is not installed: install it with "
               "pip install 'foresyte-desktop[cluster]'.")


def default_workers() -> int:
    """Analysis processes for `local`: one per THREADS cores (each runs THREADS inference
    threads), so a 2-core laptop runs one, as a single job always did."""
    return max(1, (os.cpu_count() or 1) // THREADS)


def make_engine(name: str = "local", *, workers: int | None = None,
                address: str | None = None, **options):
    """The engine `name`; raises ForesyteError with a sentence (Ray missing, no address)."""
    if name == "local":
        from foresyte_desktop.core.engines.local import LocalEngine
        return LocalEngine(workers or default_workers(), **options)
    if name == "ray":
        try:
            import ray  # noqa: F401
        except ImportError:
            raise ForesyteError(RAY_MISSING) from None
        from foresyte_desktop.core.engines.ray_engine import RayEngine
        return RayEngine(address, workers, **options)
    raise ForesyteError(f"Unknown engine “{name}”; choose one of: {', '.join(ENGINES)}.")

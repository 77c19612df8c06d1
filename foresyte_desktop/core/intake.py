"""Turning what the user dropped or typed (files, folders) into queued jobs, refusing bad files.

Each file is probed in the decode child process (decode_process.py), never in the caller's:
a file that crashes the decoder is refused with a sentence like any other bad file.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from foresyte_desktop.core.errors import ForesyteError
from foresyte_desktop.core.model import Job, JobSpec
from foresyte_desktop.core.store import JobStore
from foresyte_desktop.core.decode_process import probe_isolated
from foresyte_desktop.core.video import VIDEO_SUFFIXES, VideoRefused


@dataclass
class Refusal:
    path: str
    message: str  # a whole sentence naming the file
    reason: str  # the short phrase, for grouping ("not an MP4 file")


@dataclass
class IntakeResult:
    queued: list[Job] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    resumed: list[Job] = field(default_factory=list)  # interrupted jobs picked up again


def expand_paths(paths: list[str | os.PathLike]) -> list[Path]:
    """Files as given; folders replaced by the video files under them, recursively and sorted."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            found = sorted(f for f in p.rglob("*")
                           if f.suffix.lower() in VIDEO_SUFFIXES and f.is_file())
            out.extend(found if found else [p])  # an empty folder is refused by name
        else:
            out.append(p)
    return out


def queue_files(store: JobStore, paths: list[str | os.PathLike], spec: JobSpec, *,
                record_refused: bool = False, reuse_interrupted: bool = False) -> IntakeResult:
    """Validate each file and queue a job for each good one.

    record_refused: also store a failed job for each refused file (the CLI does, so the user
    sees it in `foresyte jobs`; the window only reports it).
    reuse_interrupted: a pending job for the same file and settings (left by a crash or Ctrl+C)
    is resumed instead of starting a new one.
    """
    result = IntakeResult()
    pending = store.list_jobs("pending") if reuse_interrupted else []
    for path in expand_paths(paths):
        job_spec = replace(spec, input_path=str(path.resolve() if path.exists() else path))
        try:
            if path.is_dir():
                raise VideoRefused(path, "no videos in folder",
                                   "is a folder with no MP4 files in it")
            probe_isolated(path)
        except VideoRefused as exc:
            result.refused.append(Refusal(str(path), str(exc), exc.reason))
            if record_refused:
                store.add_job(job_spec, status="failed", error_message=str(exc))
            continue
        except ForesyteError as exc:
            result.refused.append(Refusal(str(path), str(exc), "refused"))
            continue
        same = next((j for j in pending if same_work(j, job_spec)), None)
        if same:
            result.resumed.append(same)
        else:
            result.queued.append(store.add_job(job_spec))
    return result


def same_work(job: Job, spec: JobSpec) -> bool:
    """Whether `job` is for the same file, with the same settings, as `spec`."""
    return (job.input_path, job.pipeline_id, job.frame_stride, job.max_frames, job.model_path,
            job.roi) == (spec.input_path, spec.pipeline_id, spec.frame_stride, spec.max_frames,
                         spec.model_path, spec.roi)

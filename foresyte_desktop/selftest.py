"""`foresyte --self-test`: proves an installation works end to end, headless, in a throwaway folder.

It loads the text models (and names the runtime that runs them: OpenVINO, or onnxruntime where
OpenVINO cannot), opens a store in a temporary data folder, queues the bundled sample video,
runs `ocr_only` on it through the window's worker pool, checks the text the sample is known to
show, renders one annotated frame with the viewer's overlay renderer and exports the results as
JSON. Each step prints one line; the first failure names the step and why, and the command
exits 1.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from foresyte_desktop import __version__

# The sample shows these two captions one after the other.
SAMPLE_TEXTS = ("FORESYTE SAMPLE", "READ THE VIDEO")
SAMPLE_STRIDE = 3  # 10 of the sample's 30 frames: enough to see both captions, and quick
JOB_TIMEOUT_S = 300


class StepFailed(Exception):
    """A self-test step did not do what it should; the message says what happened."""


def main() -> int:
    # Headless whatever the desktop says: the test must run over SSH and in CI.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    where = f"bundle in {Path(sys.executable).parent}" if getattr(sys, "frozen", False) \
        else "source"
    print(f"ForeSyte {__version__} self-test ({where})")
    work = Path(tempfile.mkdtemp(prefix="foresyte-self-test-"))
    test = SelfTest(work / "data")
    ok = test.run()
    if ok:
        shutil.rmtree(work, ignore_errors=True)
        print("Self-test passed.")
        return 0
    if (work / "data").exists():
        print(f"Self-test FAILED. Its data folder was kept for inspection: {work / 'data'}")
    else:
        shutil.rmtree(work, ignore_errors=True)
        print("Self-test FAILED.")
    return 1


def _letters(text: str) -> str:
    """Upper-case letters and digits only: OCR may drop or add spaces between words."""
    return re.sub(r"[^A-Z0-9]", "", text.upper())


class SelfTest:
    """The steps, run in order; each one uses what the previous ones made."""

    def __init__(self, data_dir: Path):
        self.requested_dir = data_dir
        self.steps: list[tuple[str, Callable[[], str]]] = [
            ("read the default settings", self.read_settings),
            ("load the text models", self.load_text_models),
            ("open the store in a temporary data folder", self.open_store),
            ("queue the bundled sample video", self.queue_sample),
            ("run ocr_only through the worker pool", self.run_job),
            ("read the sample's known text", self.check_text),
            ("render one annotated frame", self.render_frame),
            ("export JSON", self.export_json),
        ]
        self.app = None
        self.store = None
        self.queue = None
        self.job = None
        self.doc: dict | None = None

    def run(self) -> bool:
        try:
            for name, step in self.steps:
                try:
                    detail = step()
                except StepFailed as exc:
                    print(f"✗ {name}: {exc}")
                    return False
                except Exception as exc:  # report it as the step's failure, not as a traceback
                    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                    print(f"✗ {name}: {type(exc).__name__}: {first}".rstrip(": "))
                    return False
                print(f"✓ {name}" + (f": {detail}" if detail else ""))
            return True
        finally:
            self.close()

    # -- steps ------------------------------------------------------------------------------

    def read_settings(self) -> str:
        from foresyte_desktop.ui.resources import default_settings, resource_path
        path = resource_path("default_settings.json")
        self.settings = default_settings()
        job = self.settings.get("job")
        if not isinstance(job, dict):
            raise StepFailed(f"{path} is missing, unreadable or has no \"job\" settings.")
        return f"{path.name}, pipeline {job.get('pipeline_id')}"

    def load_text_models(self) -> str:
        from foresyte_desktop.core.pipelines.ocr import TextEngine
        engine = TextEngine()
        return {"openvino": "OpenVINO", "onnxruntime": "onnxruntime"}[engine.inference] \
            + f", {engine.threads} threads per model"

    def open_store(self) -> str:
        from foresyte_desktop.core.data_folder import open_data_folder
        self.data_dir, self.store = open_data_folder(self.requested_dir)
        return str(self.data_dir)

    def queue_sample(self) -> str:
        from PySide6.QtWidgets import QApplication

        from foresyte_desktop.core.model import JobSpec
        from foresyte_desktop.ui.resources import SAMPLE_VIDEO, resource_path
        from foresyte_desktop.workers.job_queue import JobQueue
        self.sample = resource_path(SAMPLE_VIDEO)
        if not self.sample.is_file():
            raise StepFailed(f"the sample video {self.sample} is missing.")
        self.app = QApplication.instance() or QApplication(sys.argv[:1])
        self.queue = JobQueue(self.store, self.data_dir)
        settings = dict(self.settings["job"], pipeline_id="ocr_only", frame_stride=SAMPLE_STRIDE)
        self.queue.add_paths([str(self.sample)], JobSpec(input_path="", **settings))
        intake = self._wait_for(self.queue.intake_done, 60)
        if intake is None:
            raise StepFailed(f"checking {self.sample.name} took over a minute.")
        if intake.refused:
            raise StepFailed(intake.refused[0].message)
        if len(intake.queued) != 1:
            raise StepFailed(f"expected one queued job, got {len(intake.queued)}.")
        return f"{self.sample.name}, job {intake.queued[0].job_id[:8]}"

    def run_job(self) -> str:
        self.queue.start()
        job = self._wait_for(self.queue.job_ended, JOB_TIMEOUT_S, fail_on=self.queue.error)
        if job is None:
            raise StepFailed(f"the job did not end within {JOB_TIMEOUT_S} s.")
        if job.status != "completed":
            raise StepFailed(f"the job ended {job.status}: "
                             f"{job.error_message or 'no reason given'}")
        self.job = job
        return f"{job.frames_done} frames analysed"

    def check_text(self) -> str:
        from foresyte_desktop.core.results import build_results
        self.doc = build_results(self.store, self.job)
        seen = [seg["text"] for seg in self.doc["text_segments"]]
        found = " ".join(_letters(t) for t in seen)
        missing = [t for t in SAMPLE_TEXTS if _letters(t) not in found]
        if missing:
            raise StepFailed(f"did not read {', '.join(repr(t) for t in missing)}; "
                             f"read {seen or 'nothing'}.")
        return ", ".join(repr(t) for t in SAMPLE_TEXTS)

    def render_frame(self) -> str:
        import numpy as np

        from foresyte_desktop.core.annotate import grab_frame
        from foresyte_desktop.core.model import FrameResult
        from foresyte_desktop.ui.frame_view import FrameView
        frames = list(self.store.frame_results(self.job.job_id))
        best: FrameResult = max(frames, key=lambda f: len(f.ocr))
        view = FrameView()
        view.resize(640, 360)
        view.set_image(grab_frame(self.sample, best.frame_index))
        plain = view.render_frame()
        view.set_results(best)
        annotated = view.render_frame()
        if annotated.isNull() or annotated.size() != plain.size():
            raise StepFailed("the viewer rendered no image.")
        changed = int(np.count_nonzero(_pixels(annotated) != _pixels(plain)))
        if changed < 100:
            raise StepFailed(f"the overlays of frame {best.frame_index} changed only "
                             f"{changed} pixels.")
        out = self.data_dir / "annotated-frame.png"
        if not annotated.save(str(out)):
            raise StepFailed(f"could not save {out}.")
        return (f"frame {best.frame_index}, {len(best.ocr)} text boxes, "
                f"{annotated.width()}×{annotated.height()}")

    def export_json(self) -> str:
        from foresyte_desktop.core.exporters import export_name, render
        path = self.data_dir / export_name(self.job.input_path, "json")
        path.write_text(render(self.doc, "json"), encoding="utf-8")
        back = json.loads(path.read_text(encoding="utf-8"))
        if back["job"]["job_id"] != self.job.job_id or not back["results"]:
            raise StepFailed(f"{path} does not hold the job's results.")
        return f"{path.name}, {path.stat().st_size} bytes"

    # -- plumbing ---------------------------------------------------------------------------

    def _wait_for(self, signal, timeout_s: float, fail_on=None):
        """Run the event loop until `signal` fires (its value) or `fail_on` does (raises)."""
        from PySide6.QtCore import QEventLoop, QTimer
        loop = QEventLoop()
        timer = QTimer(loop)
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        got: list = []
        errors: list[str] = []

        def on_value(value) -> None:
            got.append(value)
            loop.quit()

        def on_error(message: str) -> None:
            errors.append(message)
            loop.quit()
        signal.connect(on_value)
        if fail_on is not None:
            fail_on.connect(on_error)
        timer.start(int(timeout_s * 1000))
        try:
            loop.exec()
        finally:
            timer.stop()
            signal.disconnect(on_value)
            if fail_on is not None:
                fail_on.disconnect(on_error)
        if errors:
            raise StepFailed(errors[0])
        return got[0] if got else None

    def close(self) -> None:
        if self.queue is not None:
            self.queue.shutdown("cancel")
            self.queue.wait(10_000)
        if self.store is not None:
            self.store.close()


def _pixels(image):
    """The image's pixels as an array (a copy), to compare two renders."""
    import numpy as np
    image = image.convertToFormat(image.Format.Format_RGB32)
    return np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes()).copy()

"""The window's annotated MP4 export: written in the background, with progress, cancel and
sentences for what cannot be written; and the status bar widget that shows it."""
import os
import re
import threading
from types import SimpleNamespace

import cv2
import pytest

from foresyte_desktop.core.model import JobSpec
from foresyte_desktop.ui import video_export_bar
from foresyte_desktop.ui.video_export_bar import VideoExportBar
from foresyte_desktop.workers import video_export
from foresyte_desktop.workers.video_export import VideoExporter
from tests.test_annotate import results
from tests.videos import make_text_video

TIMEOUT_MS = 60_000


@pytest.fixture
def export(qtbot, store):
    """An exporter over the test store and the status bar widget showing it."""
    exporter = VideoExporter(store)
    bar = VideoExportBar(exporter)
    qtbot.addWidget(bar)
    yield exporter, bar
    assert exporter.shutdown(TIMEOUT_MS)  # before the store closes under the lane


def add_job(store, video, indices, stride):
    job = store.add_job(JobSpec(str(video), "yolo_ocr", stride))
    if indices:
        store.commit_batch(job.job_id, results(indices), frames_done=len(indices),
                           checkpoint_frame=indices[-1])
    return store.get_job(job.job_id)


def probe(path):
    cap = cv2.VideoCapture(str(path))
    try:
        return (int(cap.get(cv2.CAP_PROP_FRAME_COUNT)), int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
                int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    finally:
        cap.release()


def test_an_export_finishes_with_every_frame_and_the_bar_shows_then_hides(
        qtbot, store, export, text_video, tmp_path):
    exporter, bar = export
    job = add_job(store, text_video, [0, 10, 20], stride=10)
    target = tmp_path / "out" / "annotated.mp4"
    seen = []
    exporter.progress.connect(lambda done, total: seen.append(
        (done, total, bar.label.text(), bar.progress.value(), bar.isHidden())))
    with qtbot.waitSignal(exporter.finished, timeout=TIMEOUT_MS) as done:
        assert exporter.export(job, target)
        assert exporter.busy and not bar.isHidden()
        assert bar.label.text() == "Writing “annotated.mp4”…"
    assert done.args == [str(target)]
    assert probe(target) == (30, 640, 360)  # the analysed span: 3 frames × stride 10
    assert seen[-1] == (30, 30, "Writing “annotated.mp4”… 100%", 30, False)
    shown = [text for _, _, text, _, _ in seen]
    assert all(re.fullmatch(r"Writing “annotated\.mp4”… \d+%( · about .+ left)?", text)
               for text in shown)  # the time left once the rate says something
    assert bar.isHidden() and not exporter.busy
    assert sorted(p.name for p in target.parent.iterdir()) == ["annotated.mp4"]


def test_cancel_leaves_no_file_and_a_second_export_waits(qtbot, store, export, tmp_path,
                                                        monkeypatch):
    exporter, bar = export
    video = make_text_video(tmp_path / "long.mp4", [("LONG", 300)], fps=25, size=(320, 180))
    job = add_job(store, video, [0], stride=300)
    folder = tmp_path / "exports"
    folder.mkdir()
    # The writer holds after its first frame until Cancel was clicked, so a fast machine
    # cannot finish the video first.
    clicked = threading.Event()
    real = video_export.write_job_video

    def held(*args, progress, **kwargs):
        def step(done, total):
            progress(done, total)
            if done == 1:
                clicked.wait(TIMEOUT_MS / 1000)
        return real(*args, progress=step, **kwargs)

    monkeypatch.setattr(video_export, "write_job_video", held)
    seen = []

    def on_progress(done, total):
        seen.append((done, total))
        assert not exporter.export(job, folder / "second.mp4")  # one at a time
        bar.cancel_button.click()
        assert bar.label.text() == "Cancelling “long annotated.mp4”…"
        clicked.set()

    exporter.progress.connect(on_progress)
    with qtbot.waitSignal(exporter.cancelled, timeout=TIMEOUT_MS):
        assert exporter.export(job, folder / "long annotated.mp4")
    assert seen == [(1, 300)]
    assert list(folder.iterdir()) == []  # neither the file nor its .tmp- draft
    assert bar.isHidden() and not exporter.busy


def test_a_job_without_analysed_frames_is_refused(qtbot, store, export, text_video, tmp_path):
    exporter, bar = export
    job = add_job(store, text_video, [], stride=1)
    with qtbot.waitSignal(exporter.failed, timeout=TIMEOUT_MS) as failed:
        assert exporter.export(job, tmp_path / "x.mp4")
    assert failed.args == ["“two lines.mp4” has no analysed frames to draw yet."]
    assert list(tmp_path.glob("*.mp4")) == [] and bar.isHidden() and not exporter.busy


def test_an_unwritable_destination_fails_with_a_sentence(qtbot, store, export, text_video,
                                                          tmp_path):
    exporter, bar = export
    job = add_job(store, text_video, [0], stride=1)
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file where the folder should be")
    target = blocker / "out.mp4"
    with qtbot.waitSignal(exporter.failed, timeout=TIMEOUT_MS) as failed:
        assert exporter.export(job, target)
    assert failed.args == [f"Could not write {target}: {blocker} is a file, not a folder."]
    assert bar.isHidden() and not exporter.busy
    with qtbot.waitSignal(exporter.finished, timeout=TIMEOUT_MS):  # the exporter is still usable
        assert exporter.export(job, tmp_path / "ok.mp4")


def test_the_bar_estimates_the_time_left_from_the_rate_so_far(export, monkeypatch):
    exporter, bar = export
    clock = [100.0]
    monkeypatch.setattr(video_export_bar, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    exporter.started.emit("job", "/videos/clip.mp4")
    exporter.progress.emit(5, 120)
    assert bar.label.text() == "Writing “clip.mp4”… 4%"  # too early to tell
    clock[0] += 20
    exporter.progress.emit(30, 120)  # 1.5 frames a second: 90 frames take a minute
    assert bar.label.text() == "Writing “clip.mp4”… 25% · about 1:00 left"
    assert (bar.progress.maximum(), bar.progress.value()) == (120, 30)
    exporter.finished.emit("/videos/clip.mp4")
    assert bar.isHidden()


def test_the_window_writes_a_time_range_as_h264_with_audio_and_survives_a_decoder_crash(
        qtbot, window, store, data_dir, tmp_path, monkeypatch):
    from tests.dialogs import answering
    from tests.real_jobs import run_job, stacked_video
    from tests.stored_jobs import open_job
    from tests.test_annotate import streams
    from tests.videos import crashing_ffmpeg, with_audio
    source = with_audio(stacked_video(tmp_path / "plain.mp4"), tmp_path / "interview.mp4")
    job = run_job(store, data_dir, source, stride=5)
    open_job(qtbot, window, job)
    exports = window.frame_exports

    def one_to_three_seconds(dialog):
        dialog.part.setChecked(True)
        dialog.start.setValue(1.0)
        dialog.end.setValue(3.0)
        dialog.buttons.accepted.emit()

    folder = tmp_path / "exports"
    folder.mkdir()
    old = os.umask(0o022)
    try:
        answering(one_to_three_seconds, str(folder / "interview part"))
        with qtbot.waitSignal(exports.video_exporter.finished, timeout=TIMEOUT_MS) as done:
            exports.act_export_video.trigger()
    finally:
        os.umask(old)
    target = folder / "interview part.mp4"
    assert done.args == [str(target)]
    got = streams(target)
    assert got["video"]["codec_name"] == "h264" and got["audio"]["codec_name"] == "aac"
    assert int(got["video"]["nb_frames"]) == 20  # 1 s to 3 s at 10 frames a second
    assert float(got["audio"]["duration"]) == pytest.approx(2.0, abs=0.1)
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)
    assert target.stat().st_size < source.stat().st_size  # half of it, not 15 times it

    # A file that crashes the decoder fails this export with a sentence; the window stays.
    monkeypatch.setenv("PATH", f"{crashing_ffmpeg(tmp_path / 'bin')}:{os.environ['PATH']}")
    with qtbot.waitSignal(exports.video_exporter.failed, timeout=TIMEOUT_MS) as failed:
        exports.export_video_to(job, folder / "crash.mp4")
    assert failed.args[0].startswith("“interview.mp4” could not be decoded past frame 0: "
                                     "FFmpeg crashed on it")
    assert "could not be decoded" in window.notice.text()
    assert sorted(p.name for p in folder.iterdir()) == ["interview part.mp4"]
    assert window.isVisible() and exports.act_export_video.isEnabled()

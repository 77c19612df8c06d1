"""The window's Export… on a job read by the real runner: the format is taken from a typed
extension, the file that will be written (suffix added) is the one asked about before it is
replaced, and what is written goes through a temporary file."""
import json
from pathlib import Path

import pysubs2
import pytest
from foresyte_desktop.ui.save_dialog import resolve
from tests.dialogs import answering
from tests.real_jobs import BOTTOM, TOP, run_job, stacked_video
from tests.stored_jobs import open_job


@pytest.fixture(scope="module")
def stacked(tmp_path_factory):
    return stacked_video(tmp_path_factory.mktemp("stacked") / "dev_subs.mp4")


def test_export_asks_about_the_file_it_writes_and_takes_the_format_typed(
        qtbot, window, store, data_dir, stacked, tmp_path):
    job = run_job(store, data_dir, stacked, stride=5)
    open_job(qtbot, window, job)
    exports = window.exports
    folder = tmp_path / "exports"
    folder.mkdir()
    keep = folder / "keep.srt"
    keep.write_text("an older export the user keeps")

    # "keep" with SRT selected is keep.srt, which exists: asked about, and kept.
    asked = answering(str(folder / "keep"), False)
    exports.export("srt")
    assert asked == [f"“keep.srt” already exists in {folder}. Replace it?"]
    assert keep.read_text() == "an older export the user keeps"
    assert sorted(p.name for p in folder.iterdir()) == ["keep.srt"]

    # Asked again and replaced: the subtitles, the stacked lines in one cue.
    asked = answering(str(folder / "keep"), True)
    exports.export("srt")
    qtbot.waitUntil(lambda: keep.read_text() != "an older export the user keeps",
                    timeout=10_000)
    assert len(asked) == 1
    first = pysubs2.SSAFile.from_string(keep.read_text(encoding="utf-8"))[0]
    assert first.plaintext == f"{TOP}\n{BOTTOM}"

    # "dev_subs.json" with SRT selected is the JSON, under the name typed.
    asked = answering(str(folder / "dev_subs.json"))
    exports.export("srt")
    target = folder / "dev_subs.json"
    qtbot.waitUntil(target.exists, timeout=10_000)
    assert asked == [] and json.loads(target.read_text(encoding="utf-8"))["job"]["job_id"] \
        == job.job_id
    qtbot.waitUntil(lambda: "Exported" in window.statusBar().currentMessage(), timeout=10_000)
    assert sorted(p.name for p in folder.iterdir()) == ["dev_subs.json", "keep.srt"]
    assert exports.settings.value("export/format") == "json"


def test_every_format_is_offered_and_named_by_its_suffix():
    suffixes = {"json": ".json", "srt": ".srt", "vtt": ".vtt", "csv": ".csv",
                "detections-csv": ".detections.csv"}
    assert resolve("/a/keep", suffixes, "srt") == ("srt", Path("/a/keep.srt"))
    assert resolve("/a/x.DETECTIONS.csv", suffixes, "srt")[0] == "detections-csv"
    assert resolve("/a/x.csv", suffixes, "srt")[0] == "csv"
    assert resolve("/a/notes.txt", suffixes, "vtt")[1].name == "notes.txt.vtt"
    assert resolve("/a/.srt", suffixes, "json")[1].name == ".srt.json"

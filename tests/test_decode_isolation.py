"""The decode child: the intake probe, the viewer's frames and thumbnails are decoded there and
come back as in-process decoding gives them; a file that crashes the decoder on open is refused
with a sentence, and a fresh child serves the next file."""
import shutil

import numpy as np
import pytest

from foresyte_desktop.core import decode_process
from foresyte_desktop.core.annotate import thumbnail
from foresyte_desktop.core.decode_process import (
    DecodeCrashed, DecodeProcess, open_video, probe_isolated, viewer_frame,
)
from foresyte_desktop.core.intake import queue_files
from foresyte_desktop.core.model import JobSpec
from foresyte_desktop.core.video import VideoReader, VideoRefused, probe
from tests import crashing_decoder


@pytest.fixture
def child():
    proc = DecodeProcess()
    yield proc
    proc.close()


def test_the_child_answers_as_in_process_decoding_does(child, text_video, tmp_path):
    assert probe_isolated(text_video) == probe(text_video)
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    with pytest.raises(VideoRefused) as isolated:
        probe_isolated(bad)
    with pytest.raises(VideoRefused) as local:
        probe(bad)
    assert (str(isolated.value), isolated.value.reason) == (str(local.value), local.value.reason)
    assert child.call(open_video, str(text_video)) == probe(text_video)
    with VideoReader(text_video) as reader:
        expected = {f.index: f.image for f in reader.frames()}
    for index in (0, 1, 2, 30, 5, 39):  # forward, a seek ahead, a seek back
        assert np.array_equal(child.call(viewer_frame, str(text_video), index), expected[index])
    assert child.call(viewer_frame, str(text_video), 400) is None  # past the end
    box = [[10, 10], [100, 10], [100, 40], [10, 40]]
    assert np.array_equal(child.call(thumbnail, str(text_video), 3, box),
                          thumbnail(text_video, 3, box))


def test_a_file_that_crashes_the_decoder_is_refused_and_the_next_one_is_probed(
        store, text_video, tmp_path, monkeypatch):
    monkeypatch.setattr(DecodeProcess, "child_main", staticmethod(crashing_decoder.decode_child))
    monkeypatch.setattr(decode_process, "_shared", None)
    hostile, good = tmp_path / "hostile.mp4", tmp_path / "good.mp4"
    shutil.copy(text_video, hostile)
    shutil.copy(text_video, good)
    result = queue_files(store, [hostile, good], JobSpec(""), record_refused=True)
    [refusal] = result.refused
    assert refusal.reason == "crashed the decoder"
    assert refusal.message == ("“hostile.mp4” crashed the video decoder (signal 6): the file is "
                               "damaged, or made to break decoders.")
    assert [j.input_path for j in result.queued] == [str(good)]
    assert [j.status for j in store.list_jobs()] == ["failed", "pending"]
    with pytest.raises(DecodeCrashed, match="crashed the video decoder"):
        decode_process.shared().call(open_video, str(hostile))
    decode_process.shared().close()

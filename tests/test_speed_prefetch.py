"""Decoding on a thread of its own (video.prefetched): order, errors and stopping early."""
import threading

import pytest

from foresyte_desktop.core.video import VideoReader, prefetched


def test_frames_come_in_order_with_the_work_done_on_the_decoding_thread(text_video):
    threads = set()

    def prepare(frame):
        threads.add(threading.current_thread().name)
        return frame.index

    with VideoReader(text_video) as reader:
        assert list(prefetched(reader.frames(stride=3), prepare)) == list(range(0, 40, 3))
    assert threads == {"foresyte-decode"}


def test_a_decoding_error_is_raised_in_the_consumer():
    def frames():
        yield 1
        raise ValueError("damaged")

    got = []
    with pytest.raises(ValueError, match="damaged"):
        for item in prefetched(frames()):
            got.append(item)
    assert got == [1]


def test_closing_early_stops_the_decoding_thread(text_video):
    before = threading.active_count()
    with VideoReader(text_video) as reader:
        ahead = prefetched(reader.frames(), depth=2)
        assert next(ahead).index == 0
        ahead.close()
    assert threading.active_count() == before

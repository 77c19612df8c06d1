"""A region of interest: stored as fractions of the frame, applied to queued jobs, and the OCR
limited to it (the real RapidOCR on a real frame)."""
import cv2
import numpy as np
import pytest

from foresyte_desktop import cli
from foresyte_desktop.core.model import JobSpec
from foresyte_desktop.core.pipelines.ocr import read_text
from foresyte_desktop.core.roi import parse_roi, read_in_roi, roi_from_pixels, roi_pixels
from foresyte_desktop.core.store import JobStore

BOTTOM = (0.0, 0.7, 1.0, 1.0)


def two_text_video(path, frames=10, fps=10):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (640, 360))
    for _ in range(frames):
        writer.write(two_texts())
    writer.release()
    return path


def two_texts(size=(640, 360)):
    """A title at the top and a subtitle in the bottom band."""
    w, h = size
    image = np.full((h, w, 3), 40, np.uint8)
    for text, y in (("TOP TITLE", 70), ("SUBTITLE HERE", h - 30)):
        cv2.putText(image, text, (40, y), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (255, 255, 255), 3,
                    cv2.LINE_AA)
    return image


def test_rectangles_parse_validate_and_convert():
    assert parse_roi("0, 0.8 ,1,1") == (0.0, 0.8, 1.0, 1.0)
    for bad, why in (("0,0.8,1", "four numbers"), ("a,b,c,d", "not four numbers"),
                     ("0,0.8,1,1.5", "between 0 and 1"), ("0.5,0,0.2,1", "larger")):
        with pytest.raises(ValueError, match=why):
            parse_roi(bad)
    assert roi_from_pixels(640, 360, 0, 252, 640, 360) == (0.0, 0.7, 1.0, 1.0)  # any corner order
    assert roi_from_pixels(-20, 200, 700, 400, 640, 360) == (0.0, 200 / 360, 1.0, 1.0)
    assert roi_pixels(BOTTOM, 640, 360) == (0, 252, 640, 360)
    assert roi_pixels(BOTTOM, 1920, 1080) == (0, 756, 1920, 1080)  # one rectangle, any size


def test_ocr_reads_only_inside_the_region_with_frame_coordinates():
    image = two_texts()
    everything = " ".join(line.text for line in read_text(image))
    assert "TOP" in everything and "SUBTITLE" in everything
    lines = read_in_roi(read_text, image, BOTTOM)
    assert [line.text for line in lines] == ["SUBTITLE HERE"]
    xs = [p[0] for p in lines[0].box]
    ys = [p[1] for p in lines[0].box]
    assert 252 <= min(ys) and max(ys) <= 360  # shifted back into the frame
    assert min(xs) < 60 and max(xs) > 300
    assert read_in_roi(read_text, image, None) == read_text(image)


def test_the_same_region_goes_to_several_queued_jobs(store):
    a, b, c = (store.add_job(JobSpec(f"/v/{n}.mp4")) for n in "abc")
    store.claim_next([c.job_id])  # c has started: it keeps the region it is read with
    assert store.set_roi([a.job_id, b.job_id, c.job_id], BOTTOM) == 2
    assert [store.get_job(j.job_id).roi for j in (a, b, c)] == [BOTTOM, BOTTOM, None]
    assert store.set_roi([a.job_id], None) == 1 and store.get_job(a.job_id).roi is None
    d = store.add_job(JobSpec("/v/d.mp4", roi=(0.1, 0.2, 0.3, 0.4)))
    assert d.roi == (0.1, 0.2, 0.3, 0.4)


def test_cli_sets_and_clears_the_region_of_queued_jobs(data_dir, capsys):
    with JobStore.open(data_dir) as store:
        ids = [store.add_job(JobSpec(f"/v/{n}.mp4")).job_id for n in "ab"]
    base = ["--data-dir", str(data_dir)]
    assert cli.main(["roi", ids[0][:8], ids[1], "--set", "0,0.7,1,1", *base]) == 0
    assert "set on 2 of 2 jobs" in capsys.readouterr().err
    with JobStore.open(data_dir) as store:
        assert {store.get_job(i).roi for i in ids} == {BOTTOM}
    assert cli.main(["roi", ids[0], "--clear", *base]) == 0
    with pytest.raises(SystemExit) as usage:
        cli.main(["roi", ids[0], "--set", "0,0.7,1", *base])
    assert usage.value.code == 2 and "four numbers" in capsys.readouterr().err
    assert cli.main(["roi", "ffffffff", "--clear", *base]) == 1


def test_a_job_run_with_a_region_reads_only_inside_it(data_dir, tmp_path, capsys):
    video = two_text_video(tmp_path / "titles.mp4")
    assert cli.main(["run", str(video), "--stride", "5", "--roi", "0,0.7,1,1",
                     "--data-dir", str(data_dir)]) == 0
    with JobStore.open(data_dir) as store:
        [job] = store.list_jobs()
        frames = list(store.frame_results(job.job_id))
    assert job.roi == BOTTOM and len(frames) == 2
    for frame in frames:
        assert [line.text for line in frame.ocr] == ["SUBTITLE HERE"]
        assert min(p[1] for p in frame.ocr[0].box) >= 252

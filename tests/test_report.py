"""The case report of real reviewed jobs (RapidOCR) in a real store: what the HTML holds and
leaves out, its thumbnails read back by RapidOCR, the PDF's pages, a changed video refused, and
`verify` catching a one-byte change."""
import base64
import hashlib
import os
import re
import shutil

import cv2
import numpy as np
import pypdf
import pytest

from foresyte_desktop.core import cases, notes, review
from foresyte_desktop.core.model_trust import sha256_file
from foresyte_desktop.core.pipelines.ocr import read_text
from foresyte_desktop.core.report import ReportError, build_report, resolve, results_sha256
from foresyte_desktop.core.report_html import render_html, verify_report, write_html
from foresyte_desktop.core.results import build_results
from foresyte_desktop.core.store import JobStore
from foresyte_desktop.core.text import squeezed
from tests.real_jobs import run_job
from tests.report_jobs import LINES, copy_of, template, two_line_video


@pytest.fixture(scope="module")
def jobs_template(tmp_path_factory):
    return template(tmp_path_factory.mktemp("report"))


@pytest.fixture
def jobs(jobs_template, tmp_path):
    data, ids = jobs_template
    return copy_of(data, tmp_path / "data"), ids


def reviewed(store, job_id):
    """Segment 1 corrected and verified, segment 2 rejected, a bookmark and a note."""
    review.set_text(store, job_id, 1, "HELLO, WORLD")
    review.verify(store, job_id, 1)
    review.reject(store, job_id, 2)
    notes.add_bookmark(store, job_id, 30, "the line that was rejected")
    notes.add_note(store, job_id, "comma added by hand", segment=1)


def pictures(html: str) -> list[np.ndarray]:
    return [cv2.imdecode(np.frombuffer(base64.b64decode(data), np.uint8), cv2.IMREAD_COLOR)
            for data in re.findall(r'src="data:image/jpeg;base64,([^"]+)"', html)]


def test_a_report_holds_the_verified_text_thumbnails_and_hashes_not_the_rejected(jobs):
    data, (job_id, _) = jobs
    with JobStore.open(data) as store:
        reviewed(store, job_id)
        job = store.get_job(job_id)
        report = build_report(store, [job_id], data_dir=data)
        html = render_html(report)
        doc_sha = results_sha256(build_results(store, job))
    video = report.videos[0]
    assert video.sha256 == hashlib.sha256(open(job.input_path, "rb").read()).hexdigest()
    assert video.size == os.path.getsize(job.input_path)
    for text in (video.sha256, doc_sha, "HELLO, WORLD", "comma added by hand",
                 "the line that was rejected", "clip 1.mp4", job.input_path, "640 × 360",
                 "10 frames per second", "00:00:04.000", "ocr_only", "one frame in 2 analysed",
                 report.made_by, "Appendix: the edit log"):
        assert text in html, text
    # The machine's reading, where corrected; the rejected line nowhere.
    assert "machine read: HELLO WORLD" in html
    assert LINES[1] not in html and "REJECTED" not in html and "UNREVIEWED" not in html
    rapidocr = [m for m in video.models if "_rec_" in m[0]][0]
    assert rapidocr[1] == sha256_file(next(p for p in _rapidocr_models() if "_rec_" in p.name))
    assert rapidocr[1] in html
    assert video.reviewers == [report.made_by]
    assert video.counts["segments"]["verified"] == 1 and video.counts["segments"]["rejected"] == 1
    # Thumbnails: the line's crop reads as the line; the bookmark is the whole frame.
    line, frame = pictures(html)
    assert [squeezed(o.text) for o in read_text(line)] == [squeezed(LINES[0])]
    assert frame.shape[1] == 240 and [squeezed(o.text) for o in read_text(
        cv2.resize(frame, (640, 360)))] == [squeezed(LINES[1])]
    assert html.count('src="data:image/png;base64,') == 1  # the timeline
    assert "<script" in html and "http" not in html.replace("http://www.w3.org", "")


def _rapidocr_models():
    from importlib.util import find_spec
    from pathlib import Path
    return sorted((Path(find_spec("rapidocr_onnxruntime").origin).parent / "models")
                  .glob("*.onnx"))


def test_include_unreviewed_marks_what_was_not_verified(jobs):
    data, (job_id, other) = jobs
    with JobStore.open(data) as store:
        reviewed(store, job_id)
        html = render_html(build_report(store, [job_id, other], include_unreviewed=True))
    assert LINES[1] in html and "REJECTED" in html and "UNREVIEWED" in html
    assert html.count("<h1>Video ") == 2 and "Unreviewed and rejected items are included" in html


def test_the_pdf_has_a_page_for_the_cover_and_each_video_starts_one(jobs, tmp_path):
    from foresyte_desktop.report_pdf import write_pdf
    data, (a, b) = jobs
    with JobStore.open(data) as store:
        reviewed(store, a)
        cases.new_case(store, "Case 2291")
        cases.set_case(store, [a, b], "Case 2291")
        case, found = resolve(store, ["case 2291"])
        report = build_report(store, found, case=case)
    assert case == "Case 2291" and report.title == "Case 2291"
    pages = write_pdf(report, tmp_path / "r.pdf")
    reader = pypdf.PdfReader(tmp_path / "r.pdf")
    assert len(reader.pages) == pages >= 3
    texts = [" ".join(p.extract_text().split()) for p in reader.pages]
    assert texts[0].startswith("Case 2291")
    starts = [n for n, t in enumerate(texts) if t.startswith("Video ")]
    assert [texts[n][:23] for n in starts] == ["Video 1 of 2: clip 1.mp", "Video 2 of 2: clip 2.mp"]
    assert starts[0] == 1 and "HELLO, WORLD" in " ".join(texts[1:starts[1]])
    assert LINES[1] not in " ".join(texts[1:starts[1]])


def test_a_changed_file_is_refused(data_dir, store, tmp_path):
    video = two_line_video(tmp_path / "clip.mp4")
    job = run_job(store, data_dir, video, stride=4)
    _flip_one_byte(video)  # before any report, its size and time kept: the hash taken when
    with pytest.raises(ReportError, match="The SHA-256 of “clip.mp4” no longer matches the one "
                                          "recorded for its analysis"):  # the run completed
        build_report(store, [job.job_id])

    other = two_line_video(tmp_path / "other.mp4")
    job = run_job(store, data_dir, other, stride=4)
    build_report(store, [job.job_id])
    _flip_one_byte(other)
    with pytest.raises(ReportError, match="The SHA-256 of “other.mp4” no longer matches the one "
                                          "recorded for its analysis"):
        build_report(store, [job.job_id])
    other.unlink()
    with pytest.raises(ReportError, match="“other.mp4” cannot be read at"):
        build_report(store, [job.job_id])


def _flip_one_byte(path):
    """One byte of the middle of the file changed, its size and modification time kept."""
    st = os.stat(path)
    with open(path, "r+b") as fh:
        fh.seek(st.st_size // 2)
        byte = fh.read(1)
        fh.seek(st.st_size // 2)
        fh.write(bytes([byte[0] ^ 0x01]))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_verify_catches_a_one_byte_change_an_edited_report_and_a_later_review(data_dir, store,
                                                                               tmp_path):
    video = two_line_video(tmp_path / "clip.mp4")
    job_id = run_job(store, data_dir, video, stride=4).job_id
    review.verify(store, job_id, "all")
    saved = tmp_path / "original.mp4"
    shutil.copy2(video, saved)
    path = write_html(build_report(store, [job_id]), tmp_path / "report.html")
    assert all(c.ok for c in verify_report(store, path))

    _flip_one_byte(video)
    failed = [c.sentence for c in verify_report(store, path) if not c.ok]
    assert len(failed) == 1 and "“clip.mp4”: the SHA-256 no longer matches the report" \
        in failed[0]
    shutil.copy2(saved, video)
    assert all(c.ok for c in verify_report(store, path))

    edited = tmp_path / "edited.html"
    edited.write_text(path.read_text("utf-8").replace(LINES[0], "HELLO W0RLD"), "utf-8")
    failed = [c.sentence for c in verify_report(store, edited) if not c.ok]
    assert failed == ["“edited.html” was changed after it was written: its content does not "
                      "match the SHA-256 it carries."]

    review.reject(store, job_id, 1)
    failed = [c.sentence for c in verify_report(store, path) if not c.ok]
    assert len(failed) == 1 and "the review was edited" in failed[0]

    (tmp_path / "page.html").write_text("<html>hello</html>", "utf-8")
    with pytest.raises(ReportError, match="“page.html” is not a ForeSyte report"):
        verify_report(store, tmp_path / "page.html")


def test_a_report_of_a_job_not_completed_or_unknown_is_refused(jobs):
    data, (job_id, other) = jobs
    with JobStore.open(data) as store:
        store.retry(job_id)
        with pytest.raises(ReportError, match="“clip 1.mp4” is pending; only completed jobs"):
            build_report(store, [job_id])
        # A case's report leaves out its jobs not completed, and names them.
        cases.new_case(store, "Case 2291")
        cases.set_case(store, [job_id, other], "Case 2291")
        report = build_report(store, [], case="Case 2291")
        assert [v.job_id for v in report.videos] == [other]
        assert "Not in this report, as their analysis is not complete: “clip 1.mp4” " \
            "(pending)." in render_html(report)
        cases.set_case(store, [other], None)
        with pytest.raises(ReportError, match="the case “Case 2291” has none"):
            build_report(store, [], case="Case 2291")
        with pytest.raises(ReportError, match="“nothing” is neither a case nor a job"):
            resolve(store, ["nothing"])
        cases.new_case(store, "Empty")
        with pytest.raises(ReportError, match="The case “Empty” holds no jobs yet"):
            resolve(store, ["empty"])


def test_a_file_that_crashes_the_decoder_gives_a_report_without_pictures(data_dir, store,
                                                                         tmp_path, monkeypatch):
    from foresyte_desktop.core import decode_process
    from tests import crashing_decoder
    video = two_line_video(tmp_path / "hostile.mp4")
    job_id = run_job(store, data_dir, video, stride=4).job_id  # read here, not in the child
    review.verify(store, job_id, "all")
    notes.add_bookmark(store, job_id, 3, "a frame to show")
    monkeypatch.setattr(decode_process.DecodeProcess, "child_main",
                        staticmethod(crashing_decoder.decode_child))
    monkeypatch.setattr(decode_process, "_shared", None)  # a fresh child, the aborting one
    try:
        report = build_report(store, [job_id])
    finally:
        decode_process.shared().close()
    video_part = report.videos[0]
    assert "“hostile.mp4” crashed the video decoder" in video_part.pictures_missing
    assert all(s.picture is None for s in video_part.segments) and video_part.segments
    html = render_html(report)
    assert "No pictures:" in html and video_part.sha256 in html and LINES[0] in html

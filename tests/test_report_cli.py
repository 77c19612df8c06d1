"""`foresyte note`, `case`, `search --case/--notes`, `report` and `verify` in a subprocess, as a
user runs them, on real completed jobs (RapidOCR) in a real store."""
import json
import os

import pypdf
import pytest

from foresyte_desktop.core import notes
from foresyte_desktop.core.store import JobStore
from tests.report_jobs import LINES, copy_of, template
from tests.test_cli import foresyte


@pytest.fixture(scope="module")
def jobs_template(tmp_path_factory):
    return template(tmp_path_factory.mktemp("report-cli"))


@pytest.fixture
def jobs(jobs_template, tmp_path):
    data, ids = jobs_template
    return copy_of(data, tmp_path / "data"), ids


def ok(*args, data):
    r = foresyte(*args, "--data-dir", data)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    return r


def refused(*args, data, sentence, rc=1):
    r = foresyte(*args, "--data-dir", data)
    assert r.returncode == rc and sentence in r.stderr and "Traceback" not in r.stderr, r.stderr
    return r


def test_notes_and_cases_round_trip(jobs):
    data, (a, b) = jobs
    ok("note", a[:8], "--frame", "25", "--text", "second line comes in", data=data)
    ok("note", a, "--segment", "1", "--text", "first line", data=data)
    listed = ok("note", a, "--list", data=data).stdout.splitlines()
    assert [line.split()[:4] for line in listed] == [["2", "00:00.0", "frame", "0"],
                                                     ["1", "00:02.5", "frame", "25"]]
    assert listed[0].endswith("segment 1     first line")
    ok("note", a, "--edit", "1", "--text", "the second line comes in", data=data)
    ok("note", a, "--remove", "2", data=data)
    ok("review", a, "--undo", data=data)  # the removal, undone
    with JobStore.open(data) as store:
        assert [n["text"] for n in notes.notes(store, a)] == ["first line",
                                                              "the second line comes in"]
    refused("note", a, "--frame", "400", data=data, sentence="Frame 400 is not in the video")
    refused("note", a, "--segment", "1", data=data, sentence="The note on segment 1 is empty")
    refused("note", "ffffffff", "--list", data=data, sentence="no job matches “ffffffff”")

    ok("case", "new", "Case 2291", data=data)
    refused("case", "new", "case 2291", data=data, sentence="A case called “Case 2291” already "
                                                            "exists")
    ok("case", "new", "Harbour", data=data)
    ok("case", "add", "case 2291", a, b[:8], data=data)
    moved = ok("case", "add", "Harbour", b, data=data)
    assert f"Job {b[:8]} moved out of the case “Case 2291”." in moved.stderr
    assert ok("case", "list", data=data).stdout.split("\n")[:2] == ["    1 jobs  Case 2291",
                                                                    "    1 jobs  Harbour"]
    assert ok("case", "list", "Case 2291", data=data).stdout.split()[0] == a
    refused("case", "add", "Case 9", a, data=data, sentence="There is no case called “Case 9”")
    refused("case", "add", "Harbour", "ffffffff", data=data, sentence="no job matches")
    refused("case", "remove", "Harbour", a, data=data,
            sentence=f"job {a} is not in the case “Harbour”")
    ok("case", "remove", "Harbour", b, data=data)
    assert ok("case", "list", "Harbour", data=data).stdout == ""
    ok("case", "delete", "Harbour", data=data)
    refused("case", "list", "Harbour", data=data, sentence="There is no case called “Harbour”")

    hits = json.loads(ok("search", "second line", "--case", "Case 2291", "--json",
                         data=data).stdout)
    assert [g["job_id"] for g in hits] == [a]
    assert len(json.loads(ok("search", "second line", "--json", data=data).stdout)) == 2
    refused("search", "x", "--case", "nope", data=data, sentence="There is no case called")
    found = ok("search", "comes in", "--notes", data=data).stdout
    assert "note 1: the second line comes in" in found and "00:02.5" in found
    assert ok("search", "comes in", "--notes", "--case", "Case 2291", "--json",
              data=data).stdout.count('"job_id"') == 1


def test_report_and_verify_round_trip(jobs, tmp_path):
    data, (a, b) = jobs
    ok("review", a, "--set-text", "1", "HELLO, WORLD", data=data)
    ok("review", a, "--verify", "1", data=data)
    ok("review", a, "--reject", "2", data=data)
    ok("case", "new", "Case 2291", data=data)
    ok("case", "add", "Case 2291", a, b, data=data)
    out = tmp_path / "out" / "report.html"
    made = ok("report", "Case 2291", "-o", out, "--pdf", data=data)
    assert f"Wrote {out} (2 videos)" in made.stderr
    html = out.read_text("utf-8")
    assert "HELLO, WORLD" in html and LINES[1] not in html
    pages = len(pypdf.PdfReader(out.with_suffix(".pdf")).pages)
    assert f"({pages} pages)" in made.stderr and pages >= 3
    refused("report", "Case 2291", "-o", out, data=data, sentence="already exists; use --force")
    marked = ok("report", a, "-o", tmp_path / "all.html", "--include-unreviewed", data=data)
    assert "(1 videos)" in marked.stderr
    assert "REJECTED" in (tmp_path / "all.html").read_text("utf-8")

    checked = ok("verify", out, data=data)
    assert checked.stdout.count("ok    ") == 5 and "The report holds." in checked.stderr
    with JobStore.open(data) as store:
        video = store.get_job(b).input_path
    st = os.stat(video)
    original = open(video, "rb").read()
    try:
        with open(video, "r+b") as fh:  # one byte, same size, same modification time
            fh.seek(1000)
            fh.write(bytes([original[1000] ^ 0xFF]))
        os.utime(video, ns=(st.st_atime_ns, st.st_mtime_ns))
        failed = refused("verify", out, data=data, sentence="1 of 5 checks failed.")
        assert "FAILED  “clip 2.mp4”: the SHA-256 no longer matches the report" in failed.stdout
        refused("report", b, "-o", tmp_path / "again.html", data=data,
                sentence="The SHA-256 of “clip 2.mp4” no longer matches")
        assert not (tmp_path / "again.html").exists()
    finally:
        open(video, "wb").write(original)
        os.utime(video, ns=(st.st_atime_ns, st.st_mtime_ns))
    refused("verify", tmp_path / "nothing.html", data=data, sentence="cannot be read as a report")
    refused("report", "nothing", "-o", tmp_path / "n.html", data=data,
            sentence="“nothing” is neither a case nor a job")
    refused("report", a, "-o", tmp_path / "n.pdf", data=data, rc=2,
            sentence="-o names the HTML file")

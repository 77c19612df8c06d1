"""Watch folders on real files in temporary folders: a file copied in slowly is queued once
and complete, a restart does not queue it again, the polling fallback, a folder that goes and
comes back, and `foresyte watch` from the command line."""
import os
import shutil
import signal
import subprocess
import sys
import threading

import pytest

from foresyte_desktop import cli
from foresyte_desktop.core.intake import queue_files
from foresyte_desktop.core.model import JobSpec
from foresyte_desktop.core.store import JobStore
from foresyte_desktop.core.watch_folders import (
    FolderWatcher, WatchError, add_watch, ignored, list_watches, network_share, record,
)

SPEC = JobSpec("", frame_stride=5)


class Clock:
    """The watcher's clock, moved by the test: settling is decided without waiting."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class Intake:
    """What the window and `watch run` do with a settled file: queue it (bad files refused
    as dropped ones are) and remember it. Records each call."""

    def __init__(self, store):
        self.store = store
        self.calls = []
        self.notices = []
        self.event = threading.Event()

    def ready(self, watch, paths):
        self.calls.append([(p.name, p.stat().st_size) for p in paths])
        result = queue_files(self.store, paths, watch.spec)
        for job in result.queued:
            record(self.store, job.input_path, watch.spec, job=job)
        for refusal in result.refused:
            record(self.store, refusal.path, watch.spec, refused=refusal.reason)
        self.event.set()

    def notice(self, text):
        self.notices.append(text)


def watcher(store, intake, clock, **kw):
    return FolderWatcher(store, intake.ready, intake.notice, settle_s=5.0, events=False,
                         clock=clock, **kw)


def test_a_file_copied_in_slowly_is_queued_once_complete(store, tmp_path, text_video):
    folder = tmp_path / "inbox"
    folder.mkdir()
    add_watch(store, folder, SPEC)
    intake, clock = Intake(store), Clock()
    w = watcher(store, intake, clock)
    data = text_video.read_bytes()
    target = folder / "night" / "cam1.mp4"
    target.parent.mkdir()
    with open(target, "wb") as out:
        for n, start in enumerate(range(0, len(data), len(data) // 6 + 1)):
            out.write(data[start:start + len(data) // 6 + 1])
            out.flush()
            os.utime(target, ns=(n * 10**9, n * 10**9))  # copies keep moving the mtime on
            w.tick()
            clock.now += 4.0  # each chunk comes within the settle time of the last
    assert intake.calls == []
    w.tick()  # unchanged, but not yet for 5 s
    assert intake.calls == []
    clock.now += 1.5
    w.tick()
    assert intake.calls == [[("cam1.mp4", len(data))]]
    for _ in range(3):
        clock.now += 10
        w.tick()
    [job] = store.list_jobs()
    assert (job.input_size, job.frame_stride, job.status) == (len(data), 5, "pending")
    assert len(intake.calls) == 1


def test_a_restart_does_not_queue_a_file_again(data_dir, tmp_path, text_video):
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(text_video, folder / "a.mp4")
    (folder / "broken.mov").write_bytes(b"not a video at all")
    with JobStore.open(data_dir) as store:
        add_watch(store, folder, SPEC)
        intake, clock = Intake(store), Clock()
        w = watcher(store, intake, clock)
        w.tick()
        clock.now += 6
        w.tick()
        assert sorted(intake.calls[0]) == [("a.mp4", text_video.stat().st_size),
                                           ("broken.mov", 18)]
        assert len(store.list_jobs()) == 1
    with JobStore.open(data_dir) as store:  # the app started again
        intake, clock = Intake(store), Clock()
        w = watcher(store, intake, clock)
        for _ in range(3):
            w.tick()
            clock.now += 6
        assert intake.calls == []  # neither the video nor the refused file again
        # The same recording replaced by a new one under the same name is new work.
        shutil.copy(text_video, folder / "a.mp4")
        os.utime(folder / "a.mp4", (1_000_000, 1_000_000))
        w.tick()
        clock.now += 6
        w.tick()
        assert [c[0][0] for c in intake.calls] == ["a.mp4"]
        # Another watch with other settings over the same file queues its own job.
        other = folder / "more"
        other.mkdir()
        shutil.copy(text_video, other / "b.mp4")
        add_watch(store, other, JobSpec("", frame_stride=1))
        w.reload()
        for _ in range(3):
            w.tick()
            clock.now += 6
        assert sorted(c[0][0] for c in intake.calls) == ["a.mp4", "b.mp4", "b.mp4"]
        assert len(store.list_jobs()) == 4


def test_sub_folders_are_followed_and_hidden_temporary_and_other_files_left_alone(
        store, tmp_path, text_video):
    folder = tmp_path / "inbox"
    for sub in ("deep/er", ".hidden"):
        (folder / sub).mkdir(parents=True)
    for name in ("deep/er/ok.MOV", ".hidden/no.mp4", ".partial.mp4", "copy.mp4.part",
                 "~lock.mp4", "notes.txt", "clip.avi", "grab.mp4.crdownload"):
        shutil.copy(text_video, folder / name)
    add_watch(store, folder, SPEC)
    intake, clock = Intake(store), Clock()
    w = watcher(store, intake, clock)
    w.tick()
    clock.now += 6
    w.tick()
    assert [[name for name, _ in call] for call in intake.calls] == [["ok.MOV"]]
    assert ignored(folder / "a.mp4", folder) is False
    assert ignored(tmp_path / "elsewhere.mp4", folder) is True


def test_a_folder_that_disappears_is_reported_once_and_picked_up_when_back(store, tmp_path,
                                                                         text_video):
    folder = tmp_path / "share"
    folder.mkdir()
    add_watch(store, folder, SPEC)
    intake, clock = Intake(store), Clock()
    w = watcher(store, intake, clock)
    shutil.copy(text_video, folder / "one.mp4")
    w.tick()
    clock.now += 6
    w.tick()
    assert len(intake.calls) == 1
    folder.rename(tmp_path / "unmounted")
    for _ in range(4):
        clock.now += 6
        w.tick()
    assert len(intake.notices) == 1 and "is not available" in intake.notices[0]
    assert w.modes() == {str(folder): "missing"}
    (tmp_path / "unmounted").rename(folder)
    shutil.copy(text_video, folder / "two.mp4")
    w.tick()
    clock.now += 6
    w.tick()
    assert len(intake.notices) == 2 and "is back" in intake.notices[1]
    assert [c[0][0] for c in intake.calls] == ["one.mp4", "two.mp4"]
    assert [j.status for j in store.list_jobs()] == ["pending", "pending"]  # none lost


def test_change_events_and_the_polling_fallback(store, tmp_path, text_video, monkeypatch):
    events, polled, failing = (tmp_path / n for n in ("events", "polled", "failing"))
    for folder in (events, polled, failing):
        folder.mkdir()
    add_watch(store, events, SPEC)
    add_watch(store, polled, SPEC, poll=True)  # a network share, where no event arrives
    add_watch(store, failing, SPEC)
    from watchdog.observers import Observer
    schedule = Observer.schedule

    def refuse(self, handler, path, **kw):
        if path == str(failing):
            raise OSError(28, "inotify watch limit reached")
        return schedule(self, handler, path, **kw)
    monkeypatch.setattr(Observer, "schedule", refuse)
    intake = Intake(store)
    w = FolderWatcher(store, intake.ready, intake.notice, settle_s=0.5, poll_s=0.5)
    w.start()
    try:
        for folder in (events, polled, failing):
            shutil.copy(text_video, folder / f"{folder.name}.mp4")
        while len(store.list_jobs()) < 3:
            assert intake.event.wait(60), "the watcher queued nothing"
            intake.event.clear()
    finally:
        w.stop()
    assert w.modes() == {str(events): "events", str(polled): "polling",
                         str(failing): "polling"}
    assert sorted(os.path.basename(j.input_path) for j in store.list_jobs()) == \
        ["events.mp4", "failing.mp4", "polled.mp4"]
    assert any("Change events are not available" in n and "inotify" in n
               for n in intake.notices)


def test_network_shares_are_polled():
    mounts = ("/dev/sda1 / ext4 rw 0 0\n//nas/cams /mnt/cams cifs rw 0 0\n"
              "nas:/v /mnt/cams/nfs nfs4 rw 0 0\n")
    from pathlib import Path
    assert network_share(Path("/mnt/cams/night"), mounts)
    assert network_share(Path("/mnt/cams/nfs/a"), mounts)
    assert not network_share(Path("/home/me/videos"), mounts)
    assert not network_share(Path("/mnt/camsx"), mounts)


def test_watch_add_list_remove_from_the_cli(tmp_path, data_dir, capsys):
    folder = tmp_path / "inbox"
    folder.mkdir()
    args = ["--data-dir", str(data_dir)]
    assert cli.main(["watch", "add", str(folder), "--stride", "3", "--roi", "0,0.8,1,1",
                     *args]) == 0
    assert cli.main(["watch", "add", str(folder), *args]) == 1
    assert "is already watched" in capsys.readouterr().err
    assert cli.main(["watch", "add", str(tmp_path / "nope"), *args]) == 1
    assert "is not a folder (not found); nothing is watched." in capsys.readouterr().err
    assert cli.main(["watch", "list", *args]) == 0
    out = capsys.readouterr().out
    assert str(folder) in out and "every 3 frames, region 0,0.8,1,1" in out
    with JobStore.open(data_dir) as store:
        [watch] = list_watches(store)
        assert watch.spec.roi == (0.0, 0.8, 1.0, 1.0) and not watch.poll
        with pytest.raises(WatchError):
            add_watch(store, tmp_path / "inbox", SPEC)
    assert cli.main(["watch", "remove", str(folder), *args]) == 0
    assert cli.main(["watch", "remove", str(folder), *args]) == 1
    assert "No watched folder matches" in capsys.readouterr().err
    assert cli.main(["watch", "run", *args]) == 2


def test_watch_run_queues_runs_prints_alerts_and_stops_on_ctrl_c(tmp_path, data_dir,
                                                                 text_video):
    folder = tmp_path / "inbox"
    folder.mkdir()
    args = ["--data-dir", str(data_dir)]
    assert cli.main(["watch", "add", str(folder), "--stride", "10", *args]) == 0
    assert cli.main(["watchlist", "add", "Greetings", "hello world", *args]) == 0
    proc = subprocess.Popen([sys.executable, "-m", "foresyte_desktop", "watch", "run",
                             "--settle", "0.5", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        assert "Watching 1 folder; Ctrl+C stops." in proc.stderr.readline()
        shutil.copy(text_video, folder / "clip.mp4")
        (folder / "bad.mp4").write_text("not a video")
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert lines[0].startswith("✓ clip.mp4: 4 frames")
    assert lines[1].startswith("⚑ alert 1: “HELLO WORLD” at 0:00.0 in clip.mp4 (Greetings: "
                               "hello world, as written)")
    assert "✗ “bad.mp4” is not an MP4 file." in err and "Stopped watching." in err
    assert proc.returncode == 128 + signal.SIGINT
    with JobStore.open(data_dir) as store:  # closed cleanly: it opens, nothing is running
        assert sorted(j.status for j in store.list_jobs()) == ["completed", "failed"]

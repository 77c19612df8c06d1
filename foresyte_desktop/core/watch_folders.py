"""Watch folders: folders whose new recordings are queued with the watch's own job settings.

A file is handed to intake once it has stopped growing, when its size and mtime stayed the
same for the settle time, so a file still being copied is never queued half-written. A file
handed over once, with the same size, mtime and settings, is never handed over again, across
restarts too: the store remembers it (`watch_files`), and a job already holding it counts.
Sub-folders are followed; hidden and temporary files, and any file that is not MP4/MOV, are
left alone.

Change events come from watchdog. Where they cannot arrive (a network share, or when the
system refuses more native watches) the folder is scanned every few seconds instead. A folder
that disappears (an unmounted share) is reported once and watched again when it comes back.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from foresyte_desktop.core.errors import ForesyteError
from foresyte_desktop.core.model import Job, JobSpec
from foresyte_desktop.core.store import JobStore, utcnow
from foresyte_desktop.core.video import VIDEO_SUFFIXES

log = logging.getLogger(__name__)

SETTLE_S = 5.0  # a file's size and mtime must hold this long before it is queued
POLL_S = 3.0  # how often a folder without change events is scanned
RESCAN_S = 60.0  # a folder with events is scanned too, for any event the system dropped
TICK_S = 0.5
# Names that copy tools and editors give files still being written.
TEMP_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".!qb",
                 ".filepart", ".swp")
TEMP_PREFIXES = (".", "~", "$")
NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "9p", "afs",
                       "ceph", "glusterfs", "davfs", "fuse.rclone", "fuse.gvfsd-fuse"}


class WatchError(ForesyteError):
    """A watch folder refused, with the sentence saying why; nothing was changed."""


@dataclass(frozen=True)
class WatchFolder:
    watch_id: str
    path: str
    spec: JobSpec  # the settings of the jobs it queues; input_path is empty
    poll: bool  # scan on a timer: change events do not arrive (a network share)
    created_at: datetime


def settings_key(spec: JobSpec) -> str:
    """The job settings that make two queuings of a file the same work."""
    return json.dumps([spec.pipeline_id, spec.frame_stride, spec.max_frames, spec.model_path,
                       list(spec.roi) if spec.roi else None])


# -- watches in the store -------------------------------------------------------------------

def _watch(row: tuple) -> WatchFolder:
    watch_id, path, pipeline, stride, max_frames, model, roi, poll, created = row
    return WatchFolder(str(watch_id), path, JobSpec("", pipeline, stride, max_frames, model,
                                                    tuple(roi) if roi else None), poll, created)


def list_watches(store: JobStore) -> list[WatchFolder]:
    return [_watch(r) for r in store.query(
        "SELECT watch_id, path, pipeline_id, frame_stride, max_frames, model_path, roi, poll, "
        "created_at FROM watch_folders ORDER BY created_at")]


def add_watch(store: JobStore, path: str | os.PathLike, spec: JobSpec, *,
              poll: bool | None = None) -> WatchFolder:
    """Watch a folder with these job settings; poll None: scan on a timer only where the
    folder is on a network share."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise WatchError(f"{folder} is not a folder{'' if folder.exists() else ' (not found)'};"
                         " nothing is watched.")
    folder = folder.resolve()
    if any(Path(w.path) == folder for w in list_watches(store)):
        raise WatchError(f"{folder} is already watched (see `foresyte watch list`).")
    poll = network_share(folder) if poll is None else poll
    watch = WatchFolder(str(uuid.uuid4()), str(folder), replace(spec, input_path=""), poll,
                        utcnow())
    store.transaction(lambda cur: cur.execute(
        "INSERT INTO watch_folders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [watch.watch_id, watch.path, spec.pipeline_id, spec.frame_stride, spec.max_frames,
         spec.model_path, list(spec.roi) if spec.roi else None, poll, watch.created_at]))
    return watch


def find_watch(store: JobStore, key: str) -> WatchFolder | None:
    """A watch by its folder, or by its id or an unambiguous start of it."""
    watches = list_watches(store)
    path = Path(key).expanduser()
    by_path = [w for w in watches if Path(w.path) == (path.resolve() if path.exists() else path)]
    by_id = [w for w in watches if w.watch_id.startswith(key.lower())] if key else []
    found = by_path or by_id
    return found[0] if len(found) == 1 else None


def remove_watch(store: JobStore, key: str) -> WatchFolder:
    """Stop watching a folder; what it queued stays queued."""
    watch = find_watch(store, key)
    if watch is None:
        raise WatchError(f"No watched folder matches “{key}” (see `foresyte watch list`).")
    store.transaction(lambda cur: cur.execute("DELETE FROM watch_folders WHERE watch_id = ?",
                                              [watch.watch_id]))
    return watch


def is_known(store: JobStore, path: Path, size: int, mtime: float, spec: JobSpec) -> bool:
    """Whether this file, as it is now, was handed to intake with these settings already, or
    is held by a job with them."""
    if store.query("SELECT 1 FROM watch_files WHERE path = ? AND size = ? AND mtime = ? AND "
                   "settings = ?", [str(path), size, mtime, settings_key(spec)]):
        return True
    return any(settings_key(JobSpec("", *row[2:])) == settings_key(spec)
               for row in store.query(
                   "SELECT input_size, input_mtime, pipeline_id, frame_stride, max_frames, "
                   "model_path, roi FROM jobs WHERE input_path = ? AND input_size = ? AND "
                   "input_mtime = ?", [str(path), size, mtime]))


def record(store: JobStore, path: str, spec: JobSpec, *, job: Job | None = None,
           refused: str | None = None) -> None:
    """Remember that intake queued `path` (as `job`) or refused it (`refused`: why)."""
    try:
        st = os.stat(path)
    except OSError:
        return  # gone already: nothing to recognise it by next time
    store.transaction(lambda cur: cur.execute(
        "INSERT INTO watch_files VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [str(path), st.st_size, st.st_mtime, settings_key(spec), job.job_id if job else None,
         refused, utcnow()]))


def ignored(path: Path, root: Path) -> bool:
    """Hidden or temporary files and folders, and whatever is not an MP4/MOV file."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return True
    if any(p.startswith(TEMP_PREFIXES) for p in parts):
        return True
    name = path.name.lower()
    return name.endswith(TEMP_SUFFIXES) or path.suffix.lower() not in VIDEO_SUFFIXES


def network_share(folder: Path, mounts: str | None = None) -> bool:
    """Whether the folder is on a network file system, where change events do not arrive:
    a UNC path on Windows, a mount of a NETWORK_FILESYSTEMS type on Linux (`mounts`: the text
    of /proc/mounts)."""
    if sys.platform == "win32":
        return str(folder).startswith("\\\\")
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
    best, fstype = -1, ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        if (str(folder) == point or str(folder).startswith(point.rstrip("/") + "/")) \
                and len(point) > best:
            best, fstype = len(point), fields[2]
    return fstype in NETWORK_FILESYSTEMS


# -- watching -------------------------------------------------------------------------------

Ready = Callable[[WatchFolder, list[Path]], None]
Notice = Callable[[str], None]


class _Folder:
    def __init__(self, watch: WatchFolder):
        self.watch = watch
        self.root = Path(watch.path)
        self.present = True
        self.mode = "polling" if watch.poll else "events"
        self.observed = None  # watchdog's handle while change events arrive
        self.next_scan = 0.0


class FolderWatcher:
    """Watches the store's watch folders and hands each settled new file to `on_ready`.

    `on_ready(watch, paths)` and `on_notice(sentence)` are called from the watcher's thread
    (or from the caller of `tick`). `events=False` scans every folder on a timer.
    """

    def __init__(self, store: JobStore, on_ready: Ready, on_notice: Notice, *,
                 settle_s: float = SETTLE_S, poll_s: float = POLL_S, events: bool = True,
                 clock: Callable[[], float] = time.monotonic):
        self.store = store
        self.on_ready = on_ready
        self.on_notice = on_notice
        self.settle_s = settle_s
        self.poll_s = poll_s
        self.events = events
        self.clock = clock
        self._folders: dict[str, _Folder] = {}
        # (watch id, path) -> (size, mtime, when they were first seen so)
        self._settling: dict[tuple[str, Path], tuple[int, float, float]] = {}
        self._handed: set[tuple[str, int, float, str]] = set()  # this session's, by settings
        self._changed: queue.SimpleQueue = queue.SimpleQueue()  # (watch id, path) from events
        self._observer = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._reload = threading.Event()
        self._reload.set()  # the first round takes up the stored watches

    # -- control ----------------------------------------------------------------------------

    def start(self) -> None:
        """Watch on a thread of its own until `stop`."""
        if self.events:
            from watchdog.observers import Observer
            self._observer = Observer()
            self._observer.daemon = True
            self._observer.start()
        self._thread = threading.Thread(target=self._loop, name="folder-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching and wait for the watcher's threads to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join()
            self._observer = None

    def reload(self) -> None:
        """Take up the watches as the store holds them (one added or removed) next round."""
        self._reload.set()

    def modes(self) -> dict[str, str]:
        """Per watched folder: "events", "polling" or "missing"."""
        return {f.watch.path: f.mode if f.present else "missing"
                for f in list(self._folders.values())}

    def _loop(self) -> None:
        while not self._stop.wait(TICK_S):
            try:
                self.tick()
            except ForesyteError as exc:  # the store failed: say so, and keep watching
                self.on_notice(str(exc))
            except Exception:  # a watcher that stops silently would lose recordings
                log.exception("the folder watcher failed on one round")
        for folder in self._folders.values():
            self._unobserve(folder)

    def _sync(self) -> None:
        wanted = {w.watch_id: w for w in list_watches(self.store)}
        for watch_id in set(self._folders) - set(wanted):
            self._unobserve(self._folders.pop(watch_id))
        for watch_id, watch in wanted.items():
            if watch_id not in self._folders:
                folder = self._folders[watch_id] = _Folder(watch)
                folder.present = folder.root.is_dir()
                if folder.present:
                    self._observe(folder)
                else:
                    self.on_notice(_missing(folder.root))
        self._settling = {k: v for k, v in self._settling.items() if k[0] in self._folders}

    # -- one round --------------------------------------------------------------------------

    def tick(self) -> None:
        """One round: notice folders that went or came back, take in change events, scan
        the folders that are due, and hand over the files that settled."""
        if self._reload.is_set():
            self._reload.clear()
            self._sync()
        now = self.clock()
        self._check_presence()
        while True:
            try:
                watch_id, path = self._changed.get_nowait()
            except queue.Empty:
                break
            folder = self._folders.get(watch_id)
            if folder is not None and folder.present:
                if path.is_dir():
                    self._scan(folder, path, now)
                elif not ignored(path, folder.root):
                    self._consider(folder, path, now)
        for folder in self._folders.values():
            if folder.present and now >= folder.next_scan:
                self._scan(folder, folder.root, now)
                folder.next_scan = now + (self.poll_s if folder.mode == "polling" else RESCAN_S)
        self._settle(now)

    def _check_presence(self) -> None:
        for folder in self._folders.values():
            present = folder.root.is_dir()
            if present == folder.present:
                continue
            folder.present = present
            if present:
                self.on_notice(f"The watched folder {folder.root} is back; new recordings in "
                               "it are queued again.")
                folder.next_scan = 0.0
                self._observe(folder)
            else:
                self.on_notice(_missing(folder.root))
                self._unobserve(folder)

    def _scan(self, folder: _Folder, top: Path, now: float) -> None:
        for dirpath, dirnames, filenames in os.walk(top, onerror=lambda _e: None):
            dirnames[:] = [d for d in dirnames if not d.startswith(TEMP_PREFIXES)]
            for name in filenames:
                path = Path(dirpath) / name
                if not ignored(path, folder.root):
                    self._consider(folder, path, now)

    def _consider(self, folder: _Folder, path: Path, now: float) -> None:
        """Start (or restart) the settle time of a file not handed over as it is."""
        try:
            st = path.stat()
        except OSError:
            return
        key = (folder.watch.watch_id, path)
        held = self._settling.get(key)
        if held is not None and held[:2] == (st.st_size, st.st_mtime):
            return
        if (str(path), st.st_size, st.st_mtime, settings_key(folder.watch.spec)) in self._handed:
            return
        self._settling[key] = (st.st_size, st.st_mtime, now)

    def _settle(self, now: float) -> None:
        ready: dict[str, list[Path]] = {}
        for key, (size, mtime, since) in list(self._settling.items()):
            watch_id, path = key
            try:
                st = path.stat()
            except OSError:
                del self._settling[key]  # moved away or deleted before it settled
                continue
            if (st.st_size, st.st_mtime) != (size, mtime):
                self._settling[key] = (st.st_size, st.st_mtime, now)
                continue
            if now - since < self.settle_s:
                continue
            del self._settling[key]
            spec = self._folders[watch_id].watch.spec
            handed = (str(path), size, mtime, settings_key(spec))
            self._handed.add(handed)
            if not is_known(self.store, path, size, mtime, spec):
                ready.setdefault(watch_id, []).append(path)
        for watch_id, paths in ready.items():
            self.on_ready(self._folders[watch_id].watch, sorted(paths))

    # -- change events ----------------------------------------------------------------------

    def _observe(self, folder: _Folder) -> None:
        folder.next_scan = 0.0  # what arrived while nobody watched
        if self._observer is None or folder.watch.poll:
            folder.mode = "polling"
            return
        from watchdog.events import FileSystemEventHandler

        changed, watch_id = self._changed, folder.watch.watch_id

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:
                if event.event_type in ("created", "modified", "moved", "closed"):
                    target = getattr(event, "dest_path", "") or event.src_path
                    changed.put((watch_id, Path(os.fsdecode(target))))
        try:
            folder.observed = self._observer.schedule(Handler(), str(folder.root),
                                                      recursive=True)
            folder.mode = "events"
        except OSError as exc:  # e.g. the system's limit of inotify watches is reached
            folder.mode = "polling"
            self.on_notice(f"Change events are not available for {folder.root} "
                           f"({exc.strerror or exc}); it is scanned every "
                           f"{self.poll_s:g} s instead.")

    def _unobserve(self, folder: _Folder) -> None:
        if folder.observed is not None and self._observer is not None:
            try:
                self._observer.unschedule(folder.observed)
            except (KeyError, OSError):
                pass  # its folder went away, and the watch with it
        folder.observed = None


def _missing(folder: Path) -> str:
    return (f"The watched folder {folder} is not available (removed, renamed or unmounted); "
            "it is watched again as soon as it comes back.")

"""Alerts: the stored hits of watchlist terms in the text of jobs, each new, acknowledged or
dismissed.

A hit names the job, the stretch of its video where the term was read (first and last analysed
frame, their times), what was read, the term and the number of OCR errors between the two.
Re-checking replaces the alerts of what it checked, and an alert found again keeps its id and
state, so acknowledging one survives a list being edited.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from foresyte_desktop.core.errors import ForesyteError
from foresyte_desktop.core.formatting import plural, video_time
from foresyte_desktop.core.store import JobStore, utcnow

STATES = ("new", "acknowledged", "dismissed")
SHOWN = ("new", "acknowledged")  # dismissed alerts stay stored, so they are not raised again
_COLUMNS = ("a.alert_id, CAST(a.list_id AS VARCHAR), l.name, a.term, a.kind, "
            "CAST(a.job_id AS VARCHAR), j.input_path, "
            "a.first_frame, a.last_frame, a.start_s, a.end_s, a.text, a.distance, a.box, "
            "a.track_id, a.label, a.state, a.raised_at")
_FROM = ("FROM alerts a JOIN watchlists l USING (list_id) JOIN jobs j USING (job_id)")


@dataclass
class Alert:
    """One hit: `term` of the list `list_name` read as `text` in a job's video."""
    alert_id: int | None
    list_id: str
    list_name: str
    term: str
    kind: str  # word, phrase, regex or plate
    job_id: str
    video_path: str
    frame_index: int  # the first analysed frame showing it; `box` is where, there
    last_frame: int
    time_s: float
    end_s: float
    text: str  # the reading that matched best
    distance: int  # OCR errors between the term and the reading (0: as written)
    box: list[list[float]]
    track_id: int | None = None  # the tracked object it is written on (yolo_ocr), if any
    label: str | None = None
    state: str = "new"
    raised_at: datetime | None = None

    @property
    def key(self) -> tuple:
        """What makes two checks' hits the same alert."""
        return self.list_id, self.term, self.kind, self.job_id, self.frame_index

    def sentence(self) -> str:
        """What was read, where and why it matters: “JANE D0E” at 0:03.4 in clip.mp4 (Names:
        jane doe, 1 OCR error)."""
        errors = "as written" if not self.distance else plural(self.distance, "OCR error")
        on = f" on {self.label}" + (f" #{self.track_id}" if self.track_id is not None else "") \
            if self.label else ""
        return (f"“{self.text}” at {video_time(self.time_s)} in {Path(self.video_path).name}"
                f"{on} ({self.list_name}: {self.term}, {errors})")

    def as_dict(self) -> dict:
        out = asdict(self)
        out["raised_at"] = self.raised_at.isoformat(timespec="seconds") + "Z" \
            if self.raised_at else None
        return out


def _alert(row: tuple) -> Alert:
    (alert_id, list_id, name, term, kind, job_id, path, first, last, start, end, text,
     distance, box, track, label, state, raised) = row
    corners = [[box[i], box[i + 1]] for i in range(0, 8, 2)] if box else []
    return Alert(alert_id, list_id, name, term, kind, job_id, path, first, last, start, end,
                 text, distance, corners, track, label, state, raised)


def replace_alerts(store: JobStore, hits: list[Alert], *, list_ids: Iterable[str],
                   job_ids: Iterable[str] | None) -> list[Alert]:
    """Store `hits` as the alerts of the given lists in the given jobs (None: every job),
    in place of those stored; returns the alerts that are new, in time order."""
    lists, jobs = list(list_ids), None if job_ids is None else list(job_ids)
    if not lists or jobs == []:
        return []
    where = "list_contains(?, CAST(list_id AS VARCHAR))"
    params: list = [lists]
    if jobs is not None:
        where += " AND list_contains(?, CAST(job_id AS VARCHAR))"
        params.append(jobs)

    def work(cur) -> list[int]:
        old = {r[1:6]: (r[0], r[6], r[7]) for r in cur.execute(
            "SELECT alert_id, CAST(list_id AS VARCHAR), term, kind, CAST(job_id AS VARCHAR), "
            f"first_frame, state, raised_at FROM alerts WHERE {where}", params).fetchall()}
        cur.execute(f"DELETE FROM alerts WHERE {where}", params)
        if not hits:
            return []
        now = utcnow()
        kept = [old.get(h.key, (None, "new", now)) for h in hits]
        columns = {
            "alert_id": ([k[0] for k in kept], "BIGINT"), "list_id": ([h.list_id for h in hits],
                                                                      "UUID"),
            "term": ([h.term for h in hits], "VARCHAR"), "kind": ([h.kind for h in hits],
                                                                  "VARCHAR"),
            "job_id": ([h.job_id for h in hits], "UUID"),
            "first_frame": ([h.frame_index for h in hits], "INTEGER"),
            "last_frame": ([h.last_frame for h in hits], "INTEGER"),
            "start_s": ([h.time_s for h in hits], "DOUBLE"),
            "end_s": ([h.end_s for h in hits], "DOUBLE"),
            "text": ([h.text for h in hits], "VARCHAR"),
            "distance": ([h.distance for h in hits], "INTEGER"),
            "box": ([[float(v) for pt in h.box for v in pt] for h in hits], "DOUBLE[8]"),
            "track_id": ([h.track_id for h in hits], "INTEGER"),
            "label": ([h.label for h in hits], "VARCHAR"),
            "state": ([k[1] for k in kept], "VARCHAR"),
            "raised_at": ([k[2] for k in kept], "TIMESTAMP")}
        selects = ", ".join(f"unnest(?::{kind}[]) AS {name}"
                            for name, (_, kind) in columns.items())
        names = [n for n in columns if n != "alert_id"]
        cur.execute(
            f"INSERT INTO alerts (alert_id, {', '.join(names)}) "
            f"SELECT coalesce(alert_id, nextval('alert_seq')), {', '.join(names)} "
            f"FROM (SELECT {selects})", [values for values, _ in columns.values()])
        return [k[0] for k in kept if k[0] is not None]

    kept_ids = set(store.transaction(work))
    fresh = [a for a in list_alerts(store, states=("new",), job_ids=jobs)
             if a.alert_id not in kept_ids and a.list_id in lists]
    return sorted(fresh, key=lambda a: (a.job_id, a.time_s))


def list_alerts(store: JobStore, *, states: Iterable[str] = SHOWN,
                job_ids: Iterable[str] | None = None, after: int | None = None) -> list[Alert]:
    """Alerts in the given states, newest first; only those of `job_ids` and with an id
    above `after`, when given."""
    where, params = ["list_contains(?, a.state)"], [list(states)]
    if job_ids is not None:
        where.append("list_contains(?, CAST(a.job_id AS VARCHAR))")
        params.append(list(job_ids))
    if after is not None:
        where.append("a.alert_id > ?")
        params.append(after)
    rows = store.query(f"SELECT {_COLUMNS} {_FROM} WHERE {' AND '.join(where)} "
                       "ORDER BY a.raised_at DESC, a.alert_id DESC", params)
    return [_alert(r) for r in rows]


def set_state(store: JobStore, alert_ids: Iterable[int], state: str) -> int:
    """Acknowledge or dismiss alerts (or make them new again); returns how many exist."""
    if state not in STATES:
        raise ForesyteError(f"An alert is new, acknowledged or dismissed, not “{state}”.")
    ids = [int(i) for i in alert_ids]
    if not ids:
        return 0
    return len(store.transaction(lambda cur: cur.execute(
        "UPDATE alerts SET state = ? WHERE list_contains(?, alert_id) RETURNING alert_id",
        [state, ids]).fetchall()))


def drop_list_alerts(cur, list_id: str) -> None:
    """Inside a transaction: forget the alerts of a list that is being deleted."""
    cur.execute("DELETE FROM alerts WHERE list_id = ?", [list_id])

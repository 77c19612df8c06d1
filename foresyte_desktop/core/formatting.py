"""How times, durations and counts read in the window and on the command line."""
from __future__ import annotations

from datetime import datetime, timezone


def duration(seconds: float) -> str:
    """Elapsed or remaining time: 0:42, 12:05, 1:02:07."""
    s = int(max(0, round(seconds)))
    h, m, s = s // 3600, s // 60 % 60, s % 60
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def video_time(seconds: float) -> str:
    """A position in a video, to the tenth of a second: 0:03.4, 1:02:07.0."""
    tenths = int(round(max(0.0, seconds) * 10))
    s, t = divmod(tenths, 10)
    return f"{duration(s)}.{t}"


def local_time(ts: datetime | None, now: datetime | None = None) -> str:
    """A stored (naive UTC) timestamp in local time: the time alone if it is today."""
    if ts is None:
        return ""
    local = ts.replace(tzinfo=timezone.utc).astimezone()
    today = (now or datetime.now().astimezone()).date()
    return local.strftime("%H:%M" if local.date() == today else "%d %b %H:%M")


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"

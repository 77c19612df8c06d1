"""The dense reference comparison: ForeSyte's text on screen against a reference run's, frame by
frame, for videos with no labels.

The reference is a results document of RapidOCR on the full frame of every N-th frame (naive.py).
On each of the reference's frames, ForeSyte's text is that of its record for the same frame, or
the latest one before it (the reading it carries). Both sides are compared as order-insensitive
sets of lines, each line normalised (case folded, spaces and punctuation removed). Where one side
splits a line the other reads as one, the pieces are not a difference: a line counts as present
when it is one of the other side's lines or part of their text joined in reading order.

On each reference frame a line is
- *missing*: the reference reads it and ForeSyte does not;
- *stale*: ForeSyte reports it and the reference does not see it (wrong evidence).

`compare` reports
- `lines`: each reference line (a text, over the reference frames it is read in, with gaps of
  under `gap_s`) that ForeSyte never reads exactly on those frames: `missed`, or `read
  differently` with ForeSyte's closest reading;
- `stretches`: every run of consecutive reference frames on which the two differ lasting longer
  than `min_s` (from the first to the last differing frame's time), with the lines stale and
  missing in it, each over its own runs of consecutive frames; a stretch is `stale` when a line
  in it stays stale for longer than `min_s`, else `unsteady` when such a line is unsteady (below),
  else `missing`. `longest_stale_s` is the longest run of a stale line in the video that is not
  unsteady, `longest_unsteady_s` that of an unsteady one. A stale line the reference read until
  shortly before is text carried past its end; one it never read is more likely a misreading
  (`reference_read_until_s`: the reference's last frame before the run that read it, or None).

A stale run is `unsteady` when the reference never read the line and, in its place (the
reference's lines overlapping ForeSyte's box), the reference itself reads one text, then
another, then the first again during the run: text that flickers between readings of the same
pixels, such as a faint watermark of glyphs a few pixels wide, has no steady reading for a
carried one to be stale against. Text that changed once (the reference steady before and
after) and a line the reference read before stay stale.
"""
from __future__ import annotations

import difflib
import statistics
import unicodedata

from foresyte_desktop.core.tracks import overlap_share

MIN_S = 0.25  # stretches and stale lines shorter than this are not reported
SIMILAR = 0.5  # a ForeSyte line this similar to a missed one counts as reading it differently


def norm(text: str) -> str:
    """Case folded, with spaces and punctuation (everything but letters and digits) removed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in text if c.isalnum())


def frame_lines(record: dict) -> list[str]:
    """The normalised lines of one results record, in reading order, without empty ones."""
    lines = []
    for ocr in record.get("ocr", []):
        line = norm(ocr.get("text", ""))
        if line and line not in lines:
            lines.append(line)
    return lines


def _places(record: dict) -> list[tuple[str, tuple]]:
    """(normalised line, its box as x0, y0, x1, y1) of one record, without empty lines."""
    out = []
    for ocr in record.get("ocr", []):
        line = norm(ocr.get("text", ""))
        box = ocr.get("box") or [[0, 0]]
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        if line:
            out.append((line, (min(xs), min(ys), max(xs), max(ys))))
    return out


def _in_place(line: str, fast: dict, ref: dict) -> str | None:
    """What the reference reads where ForeSyte's `line` is on one frame (its lines overlapping
    ForeSyte's box, left to right, joined); None when ForeSyte's box is unknown there."""
    boxes = [box for text, box in _places(fast) if text == line]
    if not boxes:
        return None
    there = sorted((box[0], text) for text, box in _places(ref)
                   if overlap_share(box, boxes[0]) > 0.5)
    return "".join(text for _, text in there)


def _flickers(texts: list[str | None]) -> bool:
    """Whether a sequence of readings of one place returns to an earlier reading after another
    one (A, B, A): the reader wavering, not the text changing."""
    seen, before = set(), None
    for text in texts:
        if not text:
            continue
        if text != before and text in seen:
            return True
        seen.add(text)
        before = text
    return False


def _present(line: str, lines: list[str], joined: str) -> bool:
    return line in lines or line in joined


def frame_diff(ref: list[str], fast: list[str]) -> tuple[list[str], list[str]]:
    """(missing, stale) on one frame: reference lines ForeSyte lacks, ForeSyte lines the
    reference lacks; a line split into pieces on one side is not a difference."""
    ref_joined, fast_joined = "".join(ref), "".join(fast)
    missing = [line for line in ref if not _present(line, fast, fast_joined)]
    stale = [line for line in fast if not _present(line, ref, ref_joined)]
    return missing, stale


def _carried(fast_results: list[dict]):
    """A lookup: frame index -> ForeSyte's record on that frame (its latest at or before)."""
    records = sorted(fast_results, key=lambda r: r["frame_index"])
    pos, current = 0, {"ocr": []}

    def at(index: int) -> dict:
        nonlocal pos, current
        while pos < len(records) and records[pos]["frame_index"] <= index:
            current = records[pos]
            pos += 1
        return current
    return at


def _span(times: list[float]) -> float:
    return round(times[-1] - times[0], 3) if times else 0.0


def compare(reference: dict, fast: dict, *, min_s: float = MIN_S, gap_s: float | None = None,
            raw_text: bool = True) -> dict:
    """Compare two results documents (see the module's docstring); `reference` is the dense
    run, `fast` ForeSyte's."""
    ref_frames = sorted(reference.get("results", []), key=lambda r: r["frame_index"])
    at = _carried(fast.get("results", []))
    rows = []  # (frame_index, time_s, ref lines, fast lines, missing, stale, ref, fast record)
    for rec in ref_frames:
        fast_rec = at(rec["frame_index"])
        ref, got = frame_lines(rec), frame_lines(fast_rec)
        missing, stale = frame_diff(ref, got)
        rows.append((rec["frame_index"], float(rec["time_s"]), ref, got, missing, stale, rec,
                     fast_rec))
    times = [r[1] for r in rows]
    step = statistics.median(b - a for a, b in zip(times, times[1:])) if len(times) > 1 else 0
    gap = gap_s if gap_s is not None else max(0.5, 2.5 * step)
    originals = _original_texts(ref_frames, fast.get("results", [])) if raw_text else {}

    def shown(line: str) -> str:
        return originals.get(line, line)

    # Stretches: consecutive reference frames that differ.
    stretches, run = [], []
    for row in rows + [None]:
        if row is not None and (row[4] or row[5]):
            run.append(row)
            continue
        if run and _span([r[1] for r in run]) > min_s:
            stretches.append(_stretch(run, min_s, shown, rows))
        run = []

    # Reference lines ForeSyte never reads exactly on the frames they are read in.
    occurrences: dict[str, list[list[tuple]]] = {}
    for row in rows:
        for line in row[2]:
            spans = occurrences.setdefault(line, [])
            if spans and row[1] - spans[-1][-1][1] <= gap:
                spans[-1].append(row)
            else:
                spans.append([row])
    lines = []
    for line, spans in occurrences.items():
        for span in spans:
            if any(line not in r[4] for r in span):
                continue  # read exactly on at least one of its frames
            others = [g for r in span for g in r[5]] or [g for r in span for g in r[3]]
            best, ratio = None, 0.0
            for other in dict.fromkeys(others):
                similar = difflib.SequenceMatcher(None, line, other).ratio()
                if similar > ratio:
                    best, ratio = other, similar
            differently = best is not None and ratio >= SIMILAR
            lines.append({"text": shown(line), "start_s": span[0][1], "end_s": span[-1][1],
                          "frames": len(span),
                          "status": "read differently" if differently else "missed",
                          "foresyte_read": shown(best) if differently else None})
    lines.sort(key=lambda x: x["start_s"])

    stale_worst = max((s["stale_s"] for s in stretches), default=0.0)
    unsteady_worst = max((s["unsteady_s"] for s in stretches), default=0.0)
    differ = sum(1 for r in rows if r[4] or r[5])
    return {
        "reference_frames": len(rows),
        "frames_differing": differ,
        "frames_agreeing_share": round(1 - differ / len(rows), 3) if rows else None,
        "reference_lines": sum(len(s) for s in occurrences.values()),
        "lines_not_read": len(lines),
        "stale_stretches": sum(s["kind"] == "stale" for s in stretches),
        "unsteady_stretches": sum(s["kind"] == "unsteady" for s in stretches),
        "missing_stretches": sum(s["kind"] == "missing" for s in stretches),
        "longest_stale_s": stale_worst,
        "longest_unsteady_s": unsteady_worst,
        "longest_stretch_s": max((s["duration_s"] for s in stretches), default=0.0),
        "min_s": min_s,
        "lines": lines,
        "stretches": stretches,
    }


def _runs(run: list[tuple], column: int, shown) -> list[dict]:
    """Each line's runs of consecutive frames of `run` on which it is in `column` (4 missing,
    5 stale), in order of start."""
    out: list[dict] = []
    open_: dict[str, tuple[int, int]] = {}
    for i, row in enumerate(run + [None]):
        here = set(row[column]) if row is not None else set()
        for line in [k for k in open_ if k not in here]:
            first, last = open_.pop(line)
            out.append({"line": line, "text": shown(line), "start_s": run[first][1],
                        "end_s": run[last][1], "duration_s": _span([run[first][1], run[last][1]]),
                        "frames": last - first + 1, "rows": run[first:last + 1]})
        for line in here:
            open_[line] = (open_.get(line, (i, i))[0], i)
    return sorted(out, key=lambda x: (x["start_s"], x["text"]))


def _stretch(run: list[tuple], min_s: float, shown, rows: list[tuple]) -> dict:
    stale, missing = _runs(run, 5, shown), _runs(run, 4, shown)
    for d in stale:
        # Text carried past its end was read by the reference before; a misreading was not.
        before = [r[1] for r in rows if r[1] < d["start_s"] and
                  _present(d["line"], r[2], "".join(r[2]))]
        d["reference_read_until_s"] = before[-1] if before else None
        d["reference_unsteady"] = not before and _flickers(
            [_in_place(d["line"], r[7], r[6]) for r in d["rows"]])
    for d in stale + missing:
        del d["line"], d["rows"]
    worst_stale = max((r["duration_s"] for r in stale if not r["reference_unsteady"]),
                      default=0.0)
    worst_unsteady = max((r["duration_s"] for r in stale if r["reference_unsteady"]),
                         default=0.0)
    kind = "stale" if worst_stale > min_s else "unsteady" if worst_unsteady > min_s else \
        "missing"
    return {"start_s": run[0][1], "end_s": run[-1][1], "duration_s": _span([r[1] for r in run]),
            "first_frame": run[0][0], "last_frame": run[-1][0], "frames": len(run),
            "kind": kind, "stale_s": worst_stale, "unsteady_s": worst_unsteady,
            "stale": stale, "missing": missing}


def _original_texts(*result_lists: list[dict]) -> dict[str, str]:
    """normalised line -> the first reading it came from, so the report shows real text."""
    out: dict[str, str] = {}
    for results in result_lists:
        for rec in results:
            for ocr in rec.get("ocr", []):
                out.setdefault(norm(ocr.get("text", "")), ocr.get("text", "").strip())
    return out


def _frames(n: int) -> str:
    return f"{n} frame" + ("" if n == 1 else "s")


def fmt_report(name: str, result: dict, *, limit: int = 20) -> str:
    """A plain-text report of one video's comparison; at most `limit` lines and stretches."""
    r = result
    out = [f"{name}: {r['reference_frames']} reference frames, {r['frames_differing']} differ "
           f"({r['frames_agreeing_share']} agree); {r['lines_not_read']} of "
           f"{r['reference_lines']} reference lines not read exactly; stretches over "
           f"{r['min_s']} s: {r['stale_stretches']} stale, {r['unsteady_stretches']} where "
           f"the reference flickers, {r['missing_stretches']} missing (longest stale "
           f"{r['longest_stale_s']} s, where the reference flickers {r['longest_unsteady_s']} s)"]
    for line in r["lines"][:limit]:
        how = (f"read as “{line['foresyte_read']}”" if line["status"] == "read differently"
               else "missed")
        out.append(f"  line {line['start_s']:7.2f}–{line['end_s']:<7.2f} s "
                   f"({_frames(line['frames'])}) “{line['text']}”: {how}")
    if len(r["lines"]) > limit:
        out.append(f"  ... {len(r['lines']) - limit} more lines in the JSON")
    for s in r["stretches"][:limit]:
        out.append(f"  {s['kind']:7} {s['start_s']:7.2f}–{s['end_s']:<7.2f} s "
                   f"({s['duration_s']} s, frames {s['first_frame']}–{s['last_frame']}):")
        diffs = [("stale", d) for d in s["stale"]] + [("missing", d) for d in s["missing"]]
        diffs.sort(key=lambda x: (x[1]["start_s"], x[0]))
        for kind, d in diffs[:limit]:
            seen = ""
            if kind == "stale":
                until = d["reference_read_until_s"]
                seen = (f" (the reference read it until {until} s)" if until is not None
                        else " (the reference never read it, and flickers there)"
                        if d["reference_unsteady"] else " (the reference never read it before)")
            out.append(f"      {kind:7} {d['start_s']:7.2f}–{d['end_s']:<7.2f} s "
                       f"({d['duration_s']} s, {_frames(d['frames'])}) “{d['text']}”{seen}")
        if len(diffs) > limit:
            out.append(f"      ... {len(diffs) - limit} more in the JSON")
    if len(r["stretches"]) > limit:
        out.append(f"  ... {len(r['stretches']) - limit} more stretches in the JSON")
    return "\n".join(out)

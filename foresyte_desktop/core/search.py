"""Searching the OCR text of every job: blind to case and accents, tolerant of small OCR errors.

Every job's OCR lines are held in memory as NumPy columns, per store, and reloaded job by job
when a job's results change. The distinct readings are normalised once; rapidfuzz scores the
query against them (a partial alignment, so a word is found inside a longer line, and
"Burgundy" finds "Burgundv"). A matching line seen on neighbouring frames at the same height is
one hit while it stays on screen; two matching lines on screen together are two hits. A hit
opens on the frame where its shown reading was read, with that reading's box. DuckDB's
full-text extension is not used: it has to be downloaded, and ForeSyte works offline.
"""
from __future__ import annotations

import re
import threading
import weakref
from dataclasses import asdict, dataclass
from itertools import groupby

import numpy as np
from rapidfuzz import fuzz, process

from foresyte_desktop.core.cases import case_job_ids
from foresyte_desktop.core.review_apply import ocr_columns
from foresyte_desktop.core.store import JobStore
from foresyte_desktop.core.text import normalise
from foresyte_desktop.core.tracks import containing_detection

MIN_SCORE = 80.0  # rapidfuzz score (0-100) a reading needs to match
EXACT_BELOW = 4  # queries shorter than this (normalised) must appear as they are
SHORT_WORD = 4  # a word this short is joined to its neighbour too, as OCR may have split them
MAX_MISSED = 1  # analysed frames a text may go unseen and still be the same hit
SAME_ROW = 0.5  # share of the lower line's height two boxes must share to be one line
DEFAULT_LIMIT = 500
_WORD = re.compile(r"\w+")
CORNERS = ("x1", "y1", "x2", "y2", "x3", "y3", "x4", "y4")


@dataclass
class SearchHit:
    """A stretch of a video showing one matching line: from when until when, and the frame
    where its shown reading was read."""
    job_id: str
    video_path: str
    frame_index: int  # the analysed frame `text` was read on; `box` is where it was there
    time_s: float
    first_frame: int  # the first and last analysed frames showing the line
    start_s: float
    last_frame: int
    end_s: float
    text: str  # the best matching reading (the most confident of those)
    box: list[list[float]]
    confidence: float
    score: float  # 100 is an exact (case- and accent-blind) match
    frames: int  # analysed frames that show it
    label: str | None = None  # the object it is written on (yolo_ocr), if any
    track_id: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def words(text: str) -> list[str]:
    """The words of a text as search compares them: normalised, split at spaces and punctuation."""
    return _WORD.findall(normalise(text))


def _indexed_words(text: str) -> list[str]:
    """A text's words, plus each pair of neighbours where one is short joined into one word:
    OCR splits "ABC123" into "ABC 123" and "Burgundy" into "Burgun dy"."""
    found = words(text)
    return found + [a + b for a, b in zip(found, found[1:])
                    if len(a) <= SHORT_WORD or len(b) <= SHORT_WORD]


class _Matcher:
    """The distinct words of every reading, sorted by length, and the words of each reading.

    Matching words rather than whole lines keeps the fuzzy scoring to a vocabulary far smaller
    than the lines, and lets the words of a query appear anywhere in a line.
    """

    def __init__(self, vocabulary: list[str], word_of: np.ndarray, counts: np.ndarray):
        self.order = np.argsort([len(w) for w in vocabulary], kind="stable")
        self.by_length = [vocabulary[i] for i in self.order]
        self.lengths = np.array([len(w) for w in self.by_length])
        self.word_of = word_of  # the words of text t are word_of[starts[t]:starts[t] + counts[t]]
        self.starts = np.r_[0, np.cumsum(counts)[:-1]]
        self.has_words = counts > 0

    def _word_scores(self, word: str, min_score: float) -> np.ndarray:
        """The score of every vocabulary word against one query word (0: no match)."""
        scores = np.zeros(len(self.by_length), np.float32)
        if len(word) < EXACT_BELOW:
            scores[[i for i, w in enumerate(self.by_length) if word in w]] = 100.0
        else:
            # A shorter word must match the query word whole (a partial alignment would let
            # "win" match "wine"), so one too short to reach min_score is not scored at all.
            # A longer one may hold it ("burgundywines").
            split = int(np.searchsorted(self.lengths, len(word)))
            shortest = int(np.searchsorted(self.lengths, len(word) * min_score / (200 - min_score)))
            for part, scorer in ((slice(split, None), fuzz.partial_ratio),
                                 (slice(shortest, split), fuzz.ratio)):
                if self.by_length[part]:
                    scores[part] = process.cdist([word], self.by_length[part], scorer=scorer,
                                                 processor=None, score_cutoff=min_score,
                                                 dtype=np.float32, workers=-1)[0]
        out = np.empty_like(scores)
        out[self.order] = scores
        return out

    def text_scores(self, query_words: list[str], min_score: float) -> np.ndarray:
        """Per text id: the mean of its best score for each query word, or 0 if one is missing."""
        query_words = list(dict.fromkeys(query_words))
        total = np.zeros(len(self.starts), np.float32)
        for word in query_words:
            per_word = self._word_scores(word, min_score)[self.word_of]
            best = np.maximum.reduceat(np.r_[per_word, 0], self.starts) * self.has_words
            total = np.where(best > 0, total + best, -np.inf)
        return np.maximum(total, 0) / len(query_words)


class _Index:
    """The OCR lines of one store as columns, in job (queue), frame and line order."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._clear()

    def _clear(self) -> None:
        self.versions: dict[str, tuple] = {}  # job_id -> (updated_at, path, stride)
        self.per_job: dict[str, dict[str, np.ndarray]] = {}
        self.texts: list[str] = []  # text id -> reading
        self.vocabulary: list[str] = []  # word id -> word
        self.word_id: dict[str, int] = {}
        # The word ids of each text, in text id order: appended in chunks as texts arrive.
        self.word_chunks: list[np.ndarray] = []
        self.count_chunks: list[np.ndarray] = []
        self.text_id: dict[str, int] = {}
        self.matcher: _Matcher | None = None
        self.jobs: list[str] = []
        self.cols: dict[str, np.ndarray] = {}

    def refresh(self, store: JobStore) -> None:
        current = {job_id: (updated, path, stride)
                   for job_id, updated, path, stride in store.text_versions()}
        stale = [j for j, v in current.items() if self.versions.get(j) != v]
        if not stale and list(current) == self.jobs:
            return
        if len(self.texts) > 2 * sum(len(c["frame"]) for c in self.per_job.values()) + 10_000:
            self._clear()  # readings of removed or re-run jobs have piled up: start afresh
            stale = list(current)
        if stale:
            cols = ocr_columns(store, stale)  # as the analyst's review corrected them
            bounds = np.searchsorted(cols["job"], np.arange(len(stale) + 1))
            ids = self._ids(cols["text"])
            box = np.stack([cols[c] for c in CORNERS], axis=1).astype(np.float32)
            for n, job_id in enumerate(stale):
                part = slice(bounds[n], bounds[n + 1])
                self.per_job[job_id] = {
                    "frame": cols["frame_index"][part].astype(np.int64),
                    "time": cols["time_s"][part].astype(np.float64),
                    "conf": cols["confidence"][part].astype(np.float32),
                    "text": ids[part], "box": box[part]}
        self.versions = current
        self.per_job = {j: self.per_job[j] for j in current}
        self.jobs = list(current)
        parts = [self.per_job[j] for j in self.jobs]
        self.cols = {k: np.concatenate([p[k] for p in parts]) if parts else np.zeros(0)
                     for k in ("frame", "time", "conf", "text", "box")}
        self.cols["job"] = np.repeat(np.arange(len(parts)), [len(p["frame"]) for p in parts])
        self.cols["stride"] = np.array([current[j][2] for j in self.jobs], np.int64)

    def _ids(self, texts: np.ndarray) -> np.ndarray:
        out = np.empty(len(texts), np.int64)
        new_words: list[int] = []
        new_counts: list[int] = []
        for i, text in enumerate(texts):
            n = self.text_id.get(text)
            if n is None:
                n = self.text_id[text] = len(self.texts)
                self.texts.append(text)
                found = _indexed_words(text)
                for word in found:
                    w = self.word_id.get(word)
                    if w is None:
                        w = self.word_id[word] = len(self.vocabulary)
                        self.vocabulary.append(word)
                    new_words.append(w)
                new_counts.append(len(found))
            out[i] = n
        if new_counts:
            self.word_chunks.append(np.array(new_words, np.int64))
            self.count_chunks.append(np.array(new_counts, np.int64))
            self.matcher = None
        return out

    def ready_matcher(self) -> _Matcher | None:
        if self.matcher is None and self.texts:
            self.word_chunks = [np.concatenate(self.word_chunks)]
            self.count_chunks = [np.concatenate(self.count_chunks)]
            self.matcher = _Matcher(self.vocabulary, self.word_chunks[0], self.count_chunks[0])
        return self.matcher

    def hits(self, query: list[str], min_score: float, limit: int,
             job_ids: set[str] | None = None) -> list[SearchHit]:
        """The best `limit` hits (of the jobs `job_ids` only, when given), in no particular
        order."""
        if self.ready_matcher() is None:
            return []
        c = self.cols
        line_scores = self.matcher.text_scores(query, min_score)[c["text"]]
        if job_ids is not None:
            wanted = [n for n, job_id in enumerate(self.jobs) if job_id in job_ids]
            line_scores[~np.isin(c["job"], wanted)] = 0
        rows = np.flatnonzero(line_scores > 0)
        if not rows.size:
            return []
        gap = c["stride"][c["job"][rows]] * (MAX_MISSED + 1)
        run = _line_runs(c["job"][rows], c["frame"][rows], c["box"][rows], gap)
        order = np.lexsort((rows, run))  # each run's rows in frame order
        rows, run = rows[order], run[order]
        starts = np.flatnonzero(np.r_[True, run[1:] != run[:-1]])
        ends = np.r_[starts[1:], len(rows)] - 1
        scores = np.maximum.reduceat(line_scores[rows], starts)
        frames = np.diff(np.r_[starts, len(rows)])  # a run holds one line per frame
        # Each run's best matching reading first, the most confident of those: a ticker read
        # "SAL" as it comes in is shown as "SALE TODAY", where the whole word is.
        by_match = np.lexsort((-c["conf"][rows], -line_scores[rows], run))
        best = by_match[starts]
        out = []
        for r in np.argsort(-scores, kind="stable")[:limit]:
            first, last, top = rows[starts[r]], rows[ends[r]], rows[best[r]]
            job_id = self.jobs[c["job"][first]]
            out.append(SearchHit(
                job_id, self.versions[job_id][1], int(c["frame"][top]), float(c["time"][top]),
                int(c["frame"][first]), float(c["time"][first]),
                int(c["frame"][last]), float(c["time"][last]), self.texts[c["text"][top]],
                [[float(x), float(y)] for x, y in c["box"][top].reshape(4, 2)],
                round(float(c["conf"][top]), 4), round(float(scores[r]), 1), int(frames[r])))
        return out


def _line_runs(job: np.ndarray, frame: np.ndarray, box: np.ndarray,
               gap: np.ndarray) -> np.ndarray:
    """A run id per matching line (given in job, frame and line order): a line continues the
    run of the previous frames' line at the same height, seen at most `gap` frames before;
    a run takes one line per frame."""
    tops, bottoms = box[:, 1::2].min(axis=1).tolist(), box[:, 1::2].max(axis=1).tolist()
    jobs, frames, gaps = job.tolist(), frame.tolist(), gap.tolist()
    run = [0] * len(jobs)
    open_: list[list] = []  # [run id, last frame, top, bottom]
    for i, (f, t, b) in enumerate(zip(frames, tops, bottoms)):
        if i and jobs[i] != jobs[i - 1]:
            open_ = []
        open_ = [r for r in open_ if f - r[1] <= gaps[i]]
        best, best_share = None, SAME_ROW
        for r in open_:
            if r[1] == f:
                continue  # this run has its line on this frame already
            share = (min(b, r[3]) - max(t, r[2])) / max(min(b - t, r[3] - r[2]), 1e-6)
            if share >= best_share:
                best, best_share = r, share
        if best is None:
            best = [i, f, t, b]
            open_.append(best)
        else:
            best[1:] = f, t, b
        run[i] = best[0]
    return np.array(run, np.int64)


_indexes: "weakref.WeakKeyDictionary[JobStore, _Index]" = weakref.WeakKeyDictionary()
_indexes_lock = threading.Lock()


def _index_of(store: JobStore) -> _Index:
    with _indexes_lock:
        return _indexes.setdefault(store, _Index())


def prepare(store: JobStore) -> None:
    """Load every job's text into the search index now, so that the first search is as quick
    as the next (a window can call this from a worker thread when it opens)."""
    index = _index_of(store)
    with index.lock:
        index.refresh(store)
        index.ready_matcher()


def search(store: JobStore, query: str, *, limit: int = DEFAULT_LIMIT,
           min_score: float = MIN_SCORE, case: str | None = None) -> list[SearchHit]:
    """Hits for `query` across every job (or the jobs of the case named `case`: CaseError if
    there is none), grouped by video (best video first), in time order.

    At most `limit` hits, the best-scoring ones.
    """
    job_ids = set(case_job_ids(store, case)) if case is not None else None
    wanted = words(query)
    if not wanted:
        return []
    index = _index_of(store)
    with index.lock:
        index.refresh(store)
        hits = index.hits(wanted, min_score, limit, job_ids)
        order = {job_id: n for n, job_id in enumerate(index.jobs)}
    attach_objects(store, hits)
    best: dict[str, float] = {}
    for hit in hits:
        best[hit.job_id] = max(best.get(hit.job_id, 0.0), hit.score)
    return sorted(hits, key=lambda h: (-best[h.job_id], order[h.job_id], h.frame_index,
                                       min(y for _, y in h.box)))


def group_by_video(hits: list[SearchHit]) -> list[tuple[str, str, list[SearchHit]]]:
    """(job_id, video path, its hits) in the order `search` returned them."""
    return [(job_id, group[0].video_path, group)
            for job_id, group in ((k, list(g)) for k, g in groupby(hits, key=lambda h: h.job_id))]


def attach_objects(store: JobStore, hits: list[SearchHit]) -> None:
    """Name the object (and its track) each hit is written on, where the job detects objects."""
    found = store.detections_at({(h.job_id, h.frame_index) for h in hits})
    for hit in hits:
        detections = found.get((hit.job_id, hit.frame_index))
        owner = containing_detection(hit.box, detections) if detections else None
        if owner is not None:
            hit.label, hit.track_id = detections[owner].label, detections[owner].track_id

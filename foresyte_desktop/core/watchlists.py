"""Watchlists: named lists of terms, and checking the text read in jobs against them.

A term is a word, a phrase, a regular expression or a plate format (`AA-999-AA`: A a letter, 9
a digit). Text is compared as search compares it (`core.search.words`: blind to case and
accents), and words and plates ignore the spacing and punctuation between their words, so
"AB-123-CD" is read in "AB 123 CD" and "ab123cd". A word or phrase may allow up to N OCR
errors (Levenshtein distance, rapidfuzz), a plate format up to N characters of the wrong kind;
a regular expression matches as written (case-blind), one reading at a time. The readings of
consecutive analysed frames that match one term make one hit, stored as an alert (core.alerts).

Every job that completes is checked against every list (`check_job`, called by the runner),
and every stored job against a list that is added or changed.
"""
from __future__ import annotations

import csv
import io
import logging
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from foresyte_desktop.core.alerts import Alert, drop_list_alerts, replace_alerts
from foresyte_desktop.core.errors import ForesyteError
from foresyte_desktop.core.search import CORNERS, MAX_MISSED, attach_objects, words
from foresyte_desktop.core.store import JobStore, utcnow
from foresyte_desktop.core.text import normalise, strip_accents

log = logging.getLogger(__name__)

KINDS = ("word", "phrase", "regex", "plate")
MAX_TOLERANCE = 5
_CELLS = 4_000_000  # distance matrix cells computed at once (uint8: 4 MB)


class WatchlistError(ForesyteError):
    """A term, list or file refused, with the sentence saying why; nothing was changed."""


@dataclass(frozen=True)
class Term:
    text: str  # as the user wrote it
    kind: str  # one of KINDS
    tolerance: int = 0  # OCR errors allowed (0: exact)

    @property
    def key(self) -> str:
        """A word's or phrase's letters and digits, normalised; a plate format's A and 9."""
        if self.kind == "plate":
            return "".join(c for c in self.text.upper() if c in "A9")
        return "".join(words(self.text))

    def describe(self) -> str:
        how = "exact" if not self.tolerance else f"up to {self.tolerance} OCR error" + \
            ("s" if self.tolerance > 1 else "")
        return f"{self.kind} “{self.text}”, {how}"


@dataclass
class Watchlist:
    list_id: str
    name: str
    terms: list[Term]


def make_term(text: str, *, regex: bool = False, plate: bool = False,
              tolerance: int = 0) -> Term:
    """A checked term, or WatchlistError with the reason."""
    text = text.strip()
    if not text:
        raise WatchlistError("A term cannot be empty.")
    if not 0 <= tolerance <= MAX_TOLERANCE:
        raise WatchlistError(f"“{text}”: the OCR errors allowed must be 0 to {MAX_TOLERANCE}.")
    if regex and plate:
        raise WatchlistError(f"“{text}” cannot be both a regular expression and a plate format.")
    if regex:
        if tolerance:
            raise WatchlistError(f"“{text}”: a regular expression matches as written; OCR "
                                 "errors can be allowed for words, phrases and plate formats.")
        try:
            pattern = case_blind(text)
        except re.error as exc:
            raise WatchlistError(f"“{text}” is not a valid regular expression: {exc}.") from None
        if pattern.search(""):
            raise WatchlistError(f"The regular expression “{text}” matches empty text, so it "
                                 "would match every line.")
        return Term(text, "regex")
    if plate:
        term = Term(text.upper(), "plate", tolerance)
        if re.search(r"[^A9\W_]|_", term.text) or len(term.key) < 2:
            raise WatchlistError(f"“{text}” is not a plate format: write A for a letter and 9 "
                                 "for a digit, with any separators, like AA-999-AA.")
    else:
        term = Term(text, "phrase" if len(text.split()) > 1 else "word", tolerance)
        if not term.key:
            raise WatchlistError(f"“{text}” has no letters or digits to look for.")
    if 2 * tolerance >= len(term.key):
        raise WatchlistError(f"“{text}” is too short to allow {tolerance} OCR "
                             f"error{'s' if tolerance > 1 else ''}: it would match almost "
                             "anything.")
    return term


def case_blind(pattern: str) -> re.Pattern:
    """A regular expression for normalised text (folded case, no accents): its letters are
    folded as the text is, outside escapes (`\\D`, `\\S` keep their meaning), which lets the
    engine look for a literal start quickly, as IGNORECASE does not. ^ and $ hold per line."""
    out, escaped = [], False
    for char in strip_accents(pattern):
        out.append(char if escaped else char.casefold())
        escaped = not escaped and char == "\\"
    try:
        return re.compile("".join(out), re.MULTILINE)
    except re.error:  # a folded inline flag or group name: the pattern as written, case-blind
        return re.compile(strip_accents(pattern), re.IGNORECASE | re.MULTILINE)


# -- lists in the store ---------------------------------------------------------------------

def watchlists(store: JobStore) -> list[Watchlist]:
    """Every list with its terms, by name."""
    lists: dict[str, Watchlist] = {}
    for list_id, name, term, kind, tolerance in store.query(
            "SELECT l.list_id, l.name, t.term, t.kind, t.tolerance FROM watchlists l "
            "LEFT JOIN watchlist_terms t USING (list_id) ORDER BY lower(l.name), t.term_no"):
        entry = lists.setdefault(str(list_id), Watchlist(str(list_id), name, []))
        if term is not None:
            entry.terms.append(Term(term, kind, tolerance))
    return list(lists.values())


def find_list(store: JobStore, name: str) -> Watchlist | None:
    """The list called `name` (case-blind)."""
    wanted = normalise(name)
    return next((w for w in watchlists(store) if normalise(w.name) == wanted), None)


def add_terms(store: JobStore, name: str, terms: list[Term]) -> tuple[Watchlist, list[Alert]]:
    """Add terms to the list `name`, made if new (a term already in it takes the new
    tolerance); then check every stored job against the list. Returns the list and the new
    alerts."""
    name = " ".join(name.split())
    if not name:
        raise WatchlistError("A watchlist needs a name.")
    if not terms:
        raise WatchlistError(f"No terms were given for the watchlist “{name}”; nothing was "
                             "changed.")
    existing = find_list(store, name)

    def work(cur) -> str:
        now = utcnow()
        if existing is None:
            list_id = str(uuid.uuid4())
            cur.execute("INSERT INTO watchlists VALUES (?, ?, ?, ?)", [list_id, name, now, now])
            held: list[Term] = []
        else:
            list_id, held = existing.list_id, list(existing.terms)
            cur.execute("UPDATE watchlists SET updated_at = ? WHERE list_id = ?", [now, list_id])
        for term in terms:
            same = [i for i, t in enumerate(held) if (t.text, t.kind) == (term.text, term.kind)]
            if same:
                held[same[0]] = term
            else:
                held.append(term)
        cur.execute("DELETE FROM watchlist_terms WHERE list_id = ?", [list_id])
        cur.execute("INSERT INTO watchlist_terms SELECT ?::UUID, unnest(?::INTEGER[]), "
                    "unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::INTEGER[])",
                    [list_id, list(range(len(held))), [t.text for t in held],
                     [t.kind for t in held], [t.tolerance for t in held]])
        return list_id

    list_id = store.transaction(work)
    found = next(w for w in watchlists(store) if w.list_id == list_id)
    return found, check(store, [found])


def remove(store: JobStore, name: str, texts: list[str] | None = None) -> tuple[int, list[Alert]]:
    """Remove the list `name` with its alerts, or only the terms written `texts` (the rest are
    checked again); returns how many terms went, and new alerts (none: only fewer terms)."""
    found = find_list(store, name)
    if found is None:
        raise WatchlistError(f"There is no watchlist called “{name}” (see `foresyte watchlist "
                             "list`).")
    if texts:
        unknown = [t for t in texts if t.strip() not in {x.text for x in found.terms}
                   and t.strip().upper() not in {x.text for x in found.terms if x.kind == "plate"}]
        if unknown:
            raise WatchlistError(f"The watchlist “{found.name}” has no term “{unknown[0]}”; "
                                 "nothing was removed.")
        keep = [t for t in found.terms if t.text not in {x.strip() for x in texts}
                and not (t.kind == "plate" and t.text in {x.strip().upper() for x in texts})]
        if not keep:
            texts = None  # removing every term removes the list
        else:
            def work(cur) -> None:
                cur.execute("DELETE FROM watchlist_terms WHERE list_id = ?", [found.list_id])
                cur.execute("INSERT INTO watchlist_terms SELECT ?::UUID, unnest(?::INTEGER[]), "
                            "unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::INTEGER[])",
                            [found.list_id, list(range(len(keep))), [t.text for t in keep],
                             [t.kind for t in keep], [t.tolerance for t in keep]])
                cur.execute("UPDATE watchlists SET updated_at = ? WHERE list_id = ?",
                            [utcnow(), found.list_id])
            store.transaction(work)
            return len(found.terms) - len(keep), check(store, [Watchlist(found.list_id,
                                                                         found.name, keep)])

    def drop(cur) -> None:
        drop_list_alerts(cur, found.list_id)
        cur.execute("DELETE FROM watchlist_terms WHERE list_id = ?", [found.list_id])
        cur.execute("DELETE FROM watchlists WHERE list_id = ?", [found.list_id])
    store.transaction(drop)
    return len(found.terms), []


# -- CSV ------------------------------------------------------------------------------------

CSV_HEADER = ("term", "kind", "tolerance")


def read_csv(path: str | Path) -> list[Term]:
    """The terms of a CSV file (columns term, kind, tolerance; the last two may be left out
    or empty: a word or phrase, exact). Any bad row refuses the whole file."""
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise WatchlistError(f"{path} was not found; nothing was imported.") from None
    except UnicodeDecodeError:
        raise WatchlistError(f"{path} is not a UTF-8 text file; nothing was imported.") from None
    except OSError as exc:
        raise WatchlistError(f"{path} cannot be read ({exc.strerror}); nothing was "
                             "imported.") from None
    terms = []
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise WatchlistError(f"{path} is not a valid CSV file ({exc}); nothing was "
                             "imported.") from None
    for n, row in enumerate(rows, 1):
        cells = [c.strip() for c in row]
        if not any(cells) or (n == 1 and cells[0].lower() == "term"):
            continue
        try:
            terms.append(_csv_term(cells))
        except WatchlistError as exc:
            raise WatchlistError(f"{path.name}, row {n}: {exc} Nothing was imported.") from None
    if not terms:
        raise WatchlistError(f"{path.name} holds no terms; nothing was imported.")
    return terms


def _csv_term(cells: list[str]) -> Term:
    if len(cells) > 3:
        raise WatchlistError(f"expected term, kind, tolerance but found {len(cells)} columns.")
    term, kind, tolerance = (cells + ["", ""])[:3]
    kind = kind.lower() or "word"
    if kind not in KINDS:
        raise WatchlistError(f"“{kind}” is not a kind of term (word, phrase, regex or plate).")
    if tolerance.lower() in ("", "exact"):
        errors = 0
    elif tolerance.isdigit():
        errors = int(tolerance)
    else:
        raise WatchlistError(f"the tolerance “{tolerance}” is not “exact” or a number of OCR "
                             "errors.")
    return make_term(term, regex=kind == "regex", plate=kind == "plate", tolerance=errors)


def write_csv(watchlist: Watchlist) -> str:
    """The list as CSV, which `read_csv` reads back."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for t in watchlist.terms:
        writer.writerow([t.text, t.kind, t.tolerance or "exact"])
    return out.getvalue()


# -- checking -------------------------------------------------------------------------------

def check_job(store: JobStore, job_id: str) -> list[Alert]:
    """Check one job's text against every list; returns its new alerts. Never raises: the
    job has ended whatever happens here, and the log keeps the reason."""
    try:
        lists = watchlists(store)
        return check(store, lists, [job_id]) if any(w.terms for w in lists) else []
    except Exception:  # an alert missed is logged; the job it came from stays as it ended
        log.exception("checking job %s against the watchlists failed", job_id)
        return []


def check(store: JobStore, lists: list[Watchlist],
          job_ids: list[str] | None = None) -> list[Alert]:
    """Check the text of `job_ids` (None: every stored job) against `lists`, store the hits
    as their alerts, and return the alerts that are new."""
    versions = {job_id: (path, stride) for job_id, _, path, stride in store.text_versions()}
    jobs = list(versions) if job_ids is None else [j for j in job_ids if j in versions]
    hits: list[Alert] = []
    if jobs and any(w.terms for w in lists):
        cols = store.ocr_columns(jobs)
        if len(cols["text"]):
            hits = _find(lists, jobs, versions, cols)
            attach_objects(store, hits)
    return replace_alerts(store, hits, list_ids=[w.list_id for w in lists],
                          job_ids=None if job_ids is None else jobs)


class _Readings:
    """The distinct readings of some OCR lines, and the keys their words make: every run of
    consecutive words, joined without spaces, up to the longest length a term can match."""

    def __init__(self, texts: np.ndarray, lengths: set[int]):
        """lengths: the key lengths some term can match; keys of other lengths are skipped."""
        distinct, self.line_reading = np.unique(texts.astype(object), return_inverse=True)
        self.readings = [str(t) for t in distinct]
        # Normalised once: words() of a normalised text takes the quick ASCII path.
        self.normalised = [normalise(t) for t in self.readings]  # no line breaks left
        longest = max(lengths, default=0)
        keys: dict[str, list[int]] = defaultdict(list)
        for r, text in enumerate(self.normalised):
            found = words(text)
            for i in range(len(found)):
                key, size = "", 0
                for word in found[i:]:
                    size += len(word)
                    if size > longest:
                        break
                    key += word
                    if size in lengths:
                        keys[key].append(r)
        by_length = sorted(keys, key=len)
        self.keys = by_length
        self.key_readings = [keys[k] for k in by_length]
        self.key_lengths = np.array([len(k) for k in by_length], np.int64)
        self._normalised: str | None = None
        self._offsets: np.ndarray | None = None

    def of_length(self, low: int, high: int) -> slice:
        return slice(int(np.searchsorted(self.key_lengths, low)),
                     int(np.searchsorted(self.key_lengths, high, side="right")))

    def joined(self) -> tuple[str, np.ndarray]:
        """Every reading normalised, one a line, and where each starts, for regular
        expressions: one scan of one string instead of one search per reading."""
        if self._normalised is None:
            parts = self.normalised
            self._offsets = np.r_[0, np.cumsum([len(p) + 1 for p in parts])]
            self._normalised = "\n".join(parts)
        return self._normalised, self._offsets


def _matches(terms: list[Term], readings: _Readings) -> list[dict[int, int]]:
    """Per term: reading index -> the fewest OCR errors with which it matches."""
    found: list[dict[int, int]] = [{} for _ in terms]

    def note(t: int, key_index: int, distance: int) -> None:
        for r in readings.key_readings[key_index]:
            if distance < found[t].get(r, distance + 1):
                found[t][r] = distance

    exact = {readings.keys[i]: i for i in range(len(readings.keys))}
    fuzzy: dict[tuple[int, int], list[int]] = defaultdict(list)
    for t, term in enumerate(terms):
        if term.kind in ("word", "phrase"):
            if term.tolerance == 0:
                if term.key in exact:
                    note(t, exact[term.key], 0)
            else:
                fuzzy[(len(term.key), term.tolerance)].append(t)
        elif term.kind == "plate":
            _plate(t, term, readings, note)
        else:
            _regex(t, term, readings, found)
    for (length, tolerance), group in fuzzy.items():
        part = readings.of_length(length - tolerance, length + tolerance)
        choices = readings.keys[part]
        if not choices:
            continue
        # Terms of one length and tolerance against the keys that can be that close, in
        # blocks small enough to keep the matrix of distances small.
        step = max(1, _CELLS // len(choices))
        for lo in range(0, len(group), step):
            block = group[lo:lo + step]
            distances = process.cdist([terms[t].key for t in block], choices,
                                      scorer=Levenshtein.distance, score_cutoff=tolerance,
                                      dtype=np.uint8, workers=-1)
            for row, col in zip(*np.nonzero(distances <= tolerance)):
                note(block[row], part.start + int(col), int(distances[row, col]))
    return found


def _plate(t: int, term: Term, readings: _Readings, note) -> None:
    """A plate format against the keys of its length: each character of the wrong kind (a
    letter where a digit belongs, or the other way) is one OCR error."""
    part = readings.of_length(len(term.key), len(term.key))
    keys = readings.keys[part]
    if not keys:
        return
    codes = np.frombuffer("".join(keys).encode("utf-32-le"), np.uint32).reshape(len(keys), -1)
    digit = (codes >= ord("0")) & (codes <= ord("9"))
    letter = (codes >= ord("a")) & (codes <= ord("z"))
    wants_digit = np.array([c == "9" for c in term.key])
    wrong = np.where(wants_digit, ~digit, ~letter).sum(axis=1)
    for i in np.flatnonzero(wrong <= term.tolerance):
        note(t, part.start + int(i), int(wrong[i]))


def _regex(t: int, term: Term, readings: _Readings, found: list[dict[int, int]]) -> None:
    text, offsets = readings.joined()
    pattern = case_blind(term.text)
    for m in pattern.finditer(text):
        first = int(np.searchsorted(offsets, m.start(), side="right")) - 1
        last = int(np.searchsorted(offsets, max(m.end() - 1, m.start()), side="right")) - 1
        if first == last:
            found[t][first] = 0
            continue
        # A match that ran over the end of a reading (\s matches the line break): the
        # readings it touched are tried one by one.
        for r in range(first, last + 1):
            if pattern.search(text[offsets[r]:offsets[r + 1] - 1]):
                found[t][r] = 0


def _find(lists: list[Watchlist], jobs: list[str], versions: dict[str, tuple[str, int]],
          cols: dict) -> list[Alert]:
    terms = [(w, term) for w in lists for term in w.terms]
    lengths = {n for _, term in terms if term.kind != "regex"
               for n in range(len(term.key) - (term.kind != "plate") * term.tolerance,
                              len(term.key) + (term.kind != "plate") * term.tolerance + 1)}
    readings = _Readings(cols["text"], lengths)
    per_term = _matches([term for _, term in terms], readings)
    job_of, frame = cols["job"], cols["frame_index"]
    boxes = np.stack([cols[c] for c in CORNERS], axis=1).astype(np.float64)
    strides = np.array([versions[j][1] for j in jobs], np.int64)
    hits = []
    for (watchlist, term), found in zip(terms, per_term):
        if not found:
            continue
        distance = np.full(len(readings.readings), -1, np.int64)
        distance[list(found)] = list(found.values())
        line_distance = distance[readings.line_reading]
        rows = np.flatnonzero(line_distance >= 0)
        row_distance = line_distance[rows]
        job, fi = job_of[rows], frame[rows]
        # One hit per stretch of a video that shows the term, as search groups its hits.
        joined = np.r_[False, (job[1:] == job[:-1]) &
                       (fi[1:] - fi[:-1] <= strides[job[1:]] * (MAX_MISSED + 1))]
        starts = np.flatnonzero(~joined)
        ends = np.r_[starts[1:], len(rows)] - 1
        run = np.cumsum(~joined) - 1
        # Each run's best reading: the fewest errors, then the most confident.
        order = np.lexsort((-cols["confidence"][rows], row_distance, run))
        best = rows[order[starts]]
        for first, last, top in zip(rows[starts], rows[ends], best):
            job_id = jobs[int(job_of[first])]
            hits.append(Alert(
                None, watchlist.list_id, watchlist.name, term.text, term.kind, job_id,
                versions[job_id][0], int(frame[first]), int(frame[last]),
                float(cols["time_s"][first]), float(cols["time_s"][last]),
                str(cols["text"][top]), int(line_distance[top]),
                boxes[first].reshape(4, 2).tolist()))
    return hits

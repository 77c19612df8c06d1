"""The job database's schema, as an ordered list of migrations; the version lives in the file."""
from __future__ import annotations

from foresyte_desktop.core.errors import StoreError

# Each entry moves the schema from version N-1 to N. Never edit a released entry: add one.
MIGRATIONS: list[list[str]] = [
    # 1: jobs are the queue; per-frame results keyed by (job_id, frame_index).
    [
        "CREATE SEQUENCE job_seq START 1",
        """CREATE TABLE jobs (
            job_id UUID PRIMARY KEY,
            seq BIGINT NOT NULL DEFAULT nextval('job_seq'),
            status VARCHAR NOT NULL,
            pipeline_id VARCHAR NOT NULL,
            frame_stride INTEGER NOT NULL,
            max_frames INTEGER,
            model_path VARCHAR,
            input_path VARCHAR NOT NULL,
            input_size BIGINT,
            input_mtime DOUBLE,
            output_path VARCHAR,
            error_message VARCHAR,
            frames_done INTEGER NOT NULL DEFAULT 0,
            frames_total INTEGER,
            created_at TIMESTAMP NOT NULL,
            started_at TIMESTAMP,
            finished_at TIMESTAMP,
            updated_at TIMESTAMP NOT NULL)""",
        """CREATE TABLE videos (
            job_id UUID PRIMARY KEY, width INTEGER, height INTEGER, fps DOUBLE,
            frame_count INTEGER, duration_s DOUBLE)""",
        """CREATE TABLE frames (
            job_id UUID NOT NULL, frame_index INTEGER NOT NULL, time_s DOUBLE NOT NULL,
            PRIMARY KEY (job_id, frame_index))""",
        """CREATE TABLE ocr_lines (
            job_id UUID NOT NULL, frame_index INTEGER NOT NULL, line_no INTEGER NOT NULL,
            text VARCHAR NOT NULL, confidence DOUBLE, box DOUBLE[8])""",
        """CREATE TABLE detections (
            job_id UUID NOT NULL, frame_index INTEGER NOT NULL, det_no INTEGER NOT NULL,
            label VARCHAR, class_id INTEGER, confidence DOUBLE,
            x1 DOUBLE, y1 DOUBLE, x2 DOUBLE, y2 DOUBLE)""",
    ],
    # 2: resumable jobs: a checkpoint committed with each batch, a resume count, unreadable
    # frames, and which earlier frame's recognition an analysed frame reuses.
    [
        "ALTER TABLE jobs ADD COLUMN checkpoint_frame INTEGER",
        "ALTER TABLE jobs ADD COLUMN resume_count INTEGER DEFAULT 0",
        "ALTER TABLE jobs ADD COLUMN unreadable_frames INTEGER DEFAULT 0",
        "ALTER TABLE frames ADD COLUMN reused_from INTEGER",
    ],
    # 3: object tracks (the tracker's id per detection) and a job's OCR region of interest,
    # x1, y1, x2, y2 as fractions of the frame size.
    [
        "ALTER TABLE detections ADD COLUMN track_id INTEGER",
        "ALTER TABLE jobs ADD COLUMN roi DOUBLE[4]",
    ],
    # 4: .pt model files (pickles, which can run code) the user has confirmed, by content.
    [
        """CREATE TABLE trusted_models (
            sha256 VARCHAR PRIMARY KEY, path VARCHAR NOT NULL, trusted_at TIMESTAMP NOT NULL)""",
    ],
    # 5: how a frame's reused reading was proven on it ("glyphs" or "read").
    [
        "ALTER TABLE frames ADD COLUMN checked VARCHAR",
    ],
    # 6: the analysed frame whose detections a frame carries (yolo_ocr), and the pipeline's
    # state at the checkpoint (yolo_ocr's tracker), so a resumed job keeps its tracks.
    [
        "ALTER TABLE frames ADD COLUMN objects_from INTEGER",
        "ALTER TABLE jobs ADD COLUMN resume_state BLOB",
    ],
    # 7: watch folders with their job settings, the files they handed to intake, watchlists
    # of terms, and the alerts their hits raised.
    [
        """CREATE TABLE watch_folders (
            watch_id UUID PRIMARY KEY, path VARCHAR NOT NULL UNIQUE,
            pipeline_id VARCHAR NOT NULL, frame_stride INTEGER NOT NULL, max_frames INTEGER,
            model_path VARCHAR, roi DOUBLE[4], poll BOOLEAN NOT NULL,
            created_at TIMESTAMP NOT NULL)""",
        """CREATE TABLE watch_files (
            path VARCHAR NOT NULL, size BIGINT NOT NULL, mtime DOUBLE NOT NULL,
            settings VARCHAR NOT NULL, job_id UUID, refused VARCHAR,
            seen_at TIMESTAMP NOT NULL, PRIMARY KEY (path, size, mtime, settings))""",
        """CREATE TABLE watchlists (
            list_id UUID PRIMARY KEY, name VARCHAR NOT NULL UNIQUE,
            created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL)""",
        """CREATE TABLE watchlist_terms (
            list_id UUID NOT NULL, term_no INTEGER NOT NULL, term VARCHAR NOT NULL,
            kind VARCHAR NOT NULL, tolerance INTEGER NOT NULL,
            PRIMARY KEY (list_id, term_no))""",
        "CREATE SEQUENCE alert_seq START 1",
        """CREATE TABLE alerts (
            alert_id BIGINT PRIMARY KEY DEFAULT nextval('alert_seq'), list_id UUID NOT NULL,
            term VARCHAR NOT NULL, kind VARCHAR NOT NULL, job_id UUID NOT NULL,
            first_frame INTEGER NOT NULL, last_frame INTEGER NOT NULL,
            start_s DOUBLE NOT NULL, end_s DOUBLE NOT NULL, text VARCHAR NOT NULL,
            distance INTEGER NOT NULL, box DOUBLE[8], track_id INTEGER, label VARCHAR,
            state VARCHAR NOT NULL, raised_at TIMESTAMP NOT NULL)""",
    ],
    # 8: a chunked job's plan and per-chunk checkpoint (chunks.py): a chunk is done once all
    # its frames are stored; a resumed job runs its other chunks again.
    [
        """CREATE TABLE job_chunks (
            job_id UUID NOT NULL, chunk_index INTEGER NOT NULL, start_frame INTEGER NOT NULL,
            end_frame INTEGER, frames INTEGER NOT NULL, max_frames INTEGER,
            done BOOLEAN NOT NULL DEFAULT false, PRIMARY KEY (job_id, chunk_index))""",
    ],
    # 9: review. A completed run's text segments and tracks as the machine read them, under
    # stable ids (a run is a job's started_at: a retry starts a new one), the OCR lines each
    # segment was merged from, and the analyst's append-only edit log.
    [
        """CREATE TABLE review_runs (
            job_id UUID NOT NULL, run TIMESTAMP NOT NULL, stored_at TIMESTAMP NOT NULL,
            PRIMARY KEY (job_id, run))""",
        """CREATE TABLE review_items (
            job_id UUID NOT NULL, run TIMESTAMP NOT NULL, kind VARCHAR NOT NULL,
            item_id INTEGER NOT NULL, machine VARCHAR NOT NULL,
            PRIMARY KEY (job_id, run, kind, item_id))""",
        """CREATE TABLE review_lines (
            job_id UUID NOT NULL, run TIMESTAMP NOT NULL, segment_id INTEGER NOT NULL,
            frame_index INTEGER NOT NULL, line_no INTEGER NOT NULL)""",
        "CREATE SEQUENCE review_seq START 1",
        """CREATE TABLE review_log (
            seq BIGINT PRIMARY KEY DEFAULT nextval('review_seq'),
            job_id UUID NOT NULL, run TIMESTAMP NOT NULL, action BIGINT NOT NULL,
            op VARCHAR NOT NULL, kind VARCHAR, target INTEGER, before VARCHAR, after VARCHAR,
            undoes BIGINT, made_at TIMESTAMP NOT NULL, user_name VARCHAR NOT NULL)""",
    ],
    # 10: cases (named groups of jobs, a job in at most one), and the SHA-256 of a run's input
    # file, taken the first time a report vouches for it.
    [
        "CREATE TABLE cases (name VARCHAR PRIMARY KEY, created_at TIMESTAMP NOT NULL)",
        """CREATE TABLE case_jobs (
            job_id UUID PRIMARY KEY, case_name VARCHAR NOT NULL, added_at TIMESTAMP NOT NULL)""",
        """CREATE TABLE input_hashes (
            job_id UUID NOT NULL, run TIMESTAMP NOT NULL, size BIGINT NOT NULL,
            sha256 VARCHAR NOT NULL, hashed_at TIMESTAMP NOT NULL, PRIMARY KEY (job_id, run))""",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(cur) -> int:
    """Bring the database up to SCHEMA_VERSION in one transaction; returns the version found."""
    cur.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = cur.execute("SELECT max(version) FROM schema_version").fetchone()
    found = row[0] or 0
    if found > SCHEMA_VERSION:
        raise StoreError(f"This database was written by a newer ForeSyte (schema {found}); "
                         "update ForeSyte to open it.")
    if found < SCHEMA_VERSION:
        cur.execute("BEGIN TRANSACTION")
        try:
            for version in range(found + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version - 1]:
                    cur.execute(statement)
                cur.execute("INSERT INTO schema_version VALUES (?)", [version])
            cur.execute("COMMIT")
        except Exception:
            cur.execute("ROLLBACK")
            raise
    return found

"""A database written by an older schema version is migrated in place, keeping its jobs."""
import duckdb

from foresyte_desktop.core.migrations import MIGRATIONS, SCHEMA_VERSION
from foresyte_desktop.core.store import JobStore


def test_version_1_database_is_migrated(data_dir):
    db = data_dir / "foresyte.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for statement in MIGRATIONS[0]:
        con.execute(statement)
    con.execute("INSERT INTO schema_version VALUES (1)")
    con.execute("INSERT INTO jobs (job_id, status, pipeline_id, frame_stride, input_path, "
                "created_at, updated_at) VALUES (uuid(), 'running', 'ocr_only', 2, '/v/old.mp4', "
                "now()::TIMESTAMP, now()::TIMESTAMP)")
    con.close()
    with JobStore.open(data_dir) as store:
        [job] = store.list_jobs()
        assert job.input_path == "/v/old.mp4" and job.frame_stride == 2
        assert job.status == "pending"  # it was running when the old version stopped
        assert job.checkpoint_frame is None and job.resume_count == 1
        version = store._cursor().execute("SELECT max(version) FROM schema_version").fetchone()[0]
        assert version == SCHEMA_VERSION


def test_opening_twice_does_not_migrate_twice(data_dir):
    JobStore.open(data_dir).close()
    with JobStore.open(data_dir) as store:
        rows = store._cursor().execute("SELECT version FROM schema_version ORDER BY 1").fetchall()
        assert [r[0] for r in rows] == list(range(1, SCHEMA_VERSION + 1))

"""Cases: named groups of jobs ("Case 2291"), each job in at most one.

Names are kept as typed and compared blind to case and spacing, so "case 2291" names the same
case as "Case  2291". Deleting a case leaves its jobs in no case; removing a job removes its
membership with it. Retrying a job keeps its case.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from foresyte_desktop.core.errors import ForesyteError
from foresyte_desktop.core.model import Job
from foresyte_desktop.core.store import JobStore, utcnow

MAX_NAME = 120


class CaseError(ForesyteError):
    """A case that does not exist, a name taken or empty, a job that is not in the store."""


@dataclass
class Case:
    name: str
    created_at: datetime
    jobs: int  # how many jobs it holds


def _clean(name: str) -> str:
    return " ".join((name or "").split())


def _key(name: str) -> str:
    return _clean(name).casefold()


def list_cases(store: JobStore) -> list[Case]:
    """Every case, by name, with the number of its jobs."""
    rows = store.query("SELECT c.name, c.created_at, count(m.job_id) FROM cases c LEFT JOIN "
                       "case_jobs m ON m.case_name = c.name GROUP BY c.name, c.created_at")
    return sorted((Case(*r) for r in rows), key=lambda c: c.name.casefold())


def find_case(store: JobStore, name: str) -> Case | None:
    """The case `name` names (blind to case and spacing), or None."""
    return next((c for c in list_cases(store) if c.name.casefold() == _key(name)), None)


def get_case(store: JobStore, name: str) -> Case:
    """The case `name` names; CaseError if there is none."""
    found = find_case(store, name)
    if found is None:
        known = ", ".join(f"“{c.name}”" for c in list_cases(store))
        raise CaseError(f"There is no case called “{_clean(name)}”"
                        + (f"; the cases are {known}." if known else "; there are no cases yet."))
    return found


def new_case(store: JobStore, name: str) -> Case:
    """Make an empty case; CaseError if the name is empty, too long or taken."""
    clean = _clean(name)
    if not clean:
        raise CaseError("A case needs a name, for example “Case 2291”.")
    if len(clean) > MAX_NAME:
        raise CaseError(f"A case name can be at most {MAX_NAME} characters; this one has "
                        f"{len(clean)}.")
    now = utcnow()

    def work(cur):
        taken = [n for (n,) in cur.execute("SELECT name FROM cases").fetchall()
                 if n.casefold() == clean.casefold()]
        if taken:
            raise CaseError(f"A case called “{taken[0]}” already exists; choose another name, "
                            "or add the jobs to that one.")
        cur.execute("INSERT INTO cases VALUES (?, ?)", [clean, now])
    store.transaction(work)
    return Case(clean, now, 0)


def delete_case(store: JobStore, name: str) -> int:
    """Delete a case; its jobs stay, in no case. Returns how many jobs it held."""
    case = get_case(store, name)

    def work(cur):
        n = len(cur.execute("DELETE FROM case_jobs WHERE case_name = ? RETURNING job_id",
                            [case.name]).fetchall())
        cur.execute("DELETE FROM cases WHERE name = ?", [case.name])
        return n
    return store.transaction(work)


def _ids(jobs: list[Job | str]) -> list[str]:
    return [j if isinstance(j, str) else j.job_id for j in jobs]


def set_case(store: JobStore, jobs: list[Job | str], name: str | None) -> dict[str, str | None]:
    """Put jobs in a case (moving them out of any other), or in none (`name` None). Returns
    {job_id: the case each was in before (None: none)}; CaseError, and nothing changed, for
    an unknown case or job."""
    case = get_case(store, name) if name is not None else None
    ids = _ids(jobs)
    known = {str(r[0]) for r in store.query(
        "SELECT job_id FROM jobs WHERE list_contains(?, CAST(job_id AS VARCHAR))", [ids])}
    missing = [j for j in ids if j not in known]
    if missing:
        raise CaseError(f"There is no job {missing[0]}; nothing was changed.")
    now = utcnow()

    def work(cur):
        before = dict(cur.execute(
            "SELECT CAST(job_id AS VARCHAR), case_name FROM case_jobs WHERE "
            "list_contains(?, CAST(job_id AS VARCHAR))", [ids]).fetchall())
        cur.execute("DELETE FROM case_jobs WHERE list_contains(?, CAST(job_id AS VARCHAR))",
                    [ids])
        if case is not None and ids:
            cur.execute("INSERT INTO case_jobs SELECT unnest(?::UUID[]), ?, ?",
                        [ids, case.name, now])
        return {j: before.get(j) for j in ids}
    return store.transaction(work)


def case_of(store: JobStore, job: Job | str) -> str | None:
    """The name of the job's case, or None."""
    rows = store.query("SELECT case_name FROM case_jobs WHERE job_id = ?", _ids([job]))
    return rows[0][0] if rows else None


def job_cases(store: JobStore) -> dict[str, str]:
    """{job_id: case name} for every job in a case (for a column of the job table)."""
    return {str(j): n for j, n in store.query("SELECT job_id, case_name FROM case_jobs")}


def case_job_ids(store: JobStore, name: str) -> list[str]:
    """The ids of a case's jobs, in queue order; CaseError for an unknown case."""
    case = get_case(store, name)
    return [str(r[0]) for r in store.query(
        "SELECT m.job_id FROM case_jobs m JOIN jobs j USING (job_id) WHERE m.case_name = ? "
        "ORDER BY j.seq", [case.name])]


def case_jobs(store: JobStore, name: str) -> list[Job]:
    """A case's jobs, in queue order; CaseError for an unknown case."""
    return [store.get_job(j) for j in case_job_ids(store, name)]


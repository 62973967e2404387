"""The sorted job store answers exactly as APScheduler's own MemoryJobStore, operation for
operation, over a long random mix of adding, moving, pausing and removing jobs."""

import random
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from apscheduler.jobstores.base import ConflictingIdError, JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore

from bot.daily.jobstore import SortedMemoryJobStore

START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def job(job_id: str, minute: int | None) -> Any:
    """What a job store reads of a job: its id and its next run time (None: paused)."""
    return SimpleNamespace(
        id=job_id, next_run_time=None if minute is None else START + timedelta(minutes=minute)
    )


def apply(store: Any, operation: str, job_id: str, minute: int | None) -> Any:
    """Run one operation; what it raised, if anything."""
    try:
        if operation == "add":
            store.add_job(job(job_id, minute))
        elif operation == "update":
            store.update_job(job(job_id, minute))
        else:
            store.remove_job(job_id)
    except (ConflictingIdError, JobLookupError) as error:
        return type(error)
    return None


def ids(jobs: list[Any]) -> list[str]:
    return [j.id for j in jobs]


def test_it_answers_as_apschedulers_memory_store() -> None:
    rng = random.Random(3)
    ours, theirs = SortedMemoryJobStore(), MemoryJobStore()
    raised = set()
    for _ in range(3000):
        job_id = f"job-{rng.randrange(60):02d}"
        minute = None if rng.random() < 0.1 else rng.randrange(30)
        operation = rng.choice(["add", "update", "remove"])
        outcome = apply(ours, operation, job_id, minute)
        assert outcome == apply(theirs, operation, job_id, minute)
        raised.add(outcome)
        now = START + timedelta(minutes=rng.randrange(30))
        assert ids(ours.get_all_jobs()) == ids(theirs.get_all_jobs())
        assert ids(ours.get_due_jobs(now)) == ids(theirs.get_due_jobs(now))
        assert ours.get_next_run_time() == theirs.get_next_run_time()
        assert ours.lookup_job(job_id) is theirs.lookup_job(job_id) or (
            ours.lookup_job(job_id).next_run_time == theirs.lookup_job(job_id).next_run_time
        )
    assert raised == {None, ConflictingIdError, JobLookupError}


def test_paused_jobs_come_last_and_are_never_due() -> None:
    store = SortedMemoryJobStore()
    store.add_job(job("paused", None))
    store.add_job(job("later", 5))
    store.add_job(job("sooner", 1))
    assert ids(store.get_all_jobs()) == ["sooner", "later", "paused"]
    assert ids(store.get_due_jobs(START + timedelta(days=365))) == ["sooner", "later"]
    store.remove_all_jobs()
    assert store.get_all_jobs() == [] and store.get_next_run_time() is None
    with pytest.raises(JobLookupError):
        store.remove_job("paused")

"""A real Celery worker consumes a job from Redis (no eager mode)."""

import time

import pytest
from django.conf import settings

from liaison.celery import app as celery_app
from liaison.jobs import job_start
from liaison.models import Job
from tests.liaison.test_jobs import count_runner  # noqa: F401  (registers the test runner)

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (CI sets it)"),
]


@pytest.fixture
def live_worker():
    from celery.contrib.testing.worker import start_worker

    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
            yield
    finally:
        celery_app.conf.task_always_eager = True


def test_job_is_run_by_a_worker_through_redis(transactional_db, world, live_worker):
    job = job_start(owner=world.office, kind="test.count", title="worker", params={"n": 50})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.2)
    assert job.status == Job.Status.SUCCEEDED and job.progress_done == 50

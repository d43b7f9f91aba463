"""Redis down: caches answer a miss, background jobs wait in the database and are queued again.

The web side runs with the cache and the broker on a closed port (as when Redis is
stopped); the re-queue runs a real Celery worker against the real Redis (REDIS_URL).
"""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from liaison.celery import app as celery_app
from liaison.jobs import job_start, jobs_requeue_stale
from liaison.models import Job
from tests.liaison.test_jobs import CALLS, count_runner  # noqa: F401  (registers test.count)

WAITING = "任务队列暂时无法连接"  # the job page's words while the broker is away


def test_the_cache_answers_a_miss_at_once_when_redis_is_down(cache_down):
    started = time.monotonic()
    cache.set("k", 1)
    assert cache.get("k") is None
    assert cache.get("k", "default") == "default"
    assert cache.get_many(["k", "j"]) == {}
    assert cache.add("k", 1) is True  # "stored": callers go on as on a first hit
    with pytest.raises(ValueError):
        cache.incr("k")
    assert cache.get_or_set("k", lambda: 42) == 42
    cache.delete("k")
    elapsed = time.monotonic() - started
    assert elapsed < 1.0, f"{elapsed:.2f}s: a dead cache must not slow requests down"


def test_pages_that_read_the_cache_answer_with_redis_down(cache_down, world, ledger, client_for):
    office = client_for(world.office)
    for url in (
        reverse("reports:dashboard"),
        reverse("reports:dashboard") + "?refresh=1",
        reverse("reports:monthly"),
        reverse("reports:departments"),
        reverse("home"),
        reverse("petitions:ledger"),
    ):
        assert office.get(url).status_code == 200, url
    # Sign-in and the public pages count hits in the cache (rate limits): they fail open.
    anonymous = office.__class__()
    response = anonymous.post(reverse("login"), {"username": "office", "password": world.password})
    assert response.status_code == 302
    assert anonymous.get(reverse("public:directory")).status_code == 200


def _roster_upload(client) -> SimpleUploadedFile:
    template = client.get(reverse("stations:station_import_template"))
    assert template.status_code == 200
    content = b"".join(template.streaming_content) if template.streaming else template.content
    return SimpleUploadedFile("stations.xlsx", content)


def test_every_job_waits_in_the_database_when_the_broker_is_down(
    transactional_db, world, ledger, client_for, cache_down, broker_down, settings, monkeypatch
):
    settings.LIAISON_EXPORT_SYNC_ROWS = 0  # the ledger export runs as a job
    monkeypatch.setattr("stations.roster.views.roster.DIRECT_EXPORT_LIMIT", -1)
    monkeypatch.setattr("petitions.reports.views.EXPORT_SYNC_ITEMS", 0)
    office = client_for(world.office)
    started = time.monotonic()
    starts = {
        "roster import": lambda: office.post(reverse("stations:station_import"), {"file": _roster_upload(office)}),
        "roster export": lambda: office.get(reverse("stations:station_export")),
        "ledger export": lambda: office.get(reverse("petitions:export")),
        "dashboard Excel": lambda: office.get(reverse("reports:dashboard_export")),
        "plan generation": lambda: office.post(
            reverse("plans:plan_generate"), {"year": timezone.localdate().year + 1, "jurisdiction": world.j.K.pk}
        ),
    }
    for name, start in starts.items():
        response = start()
        assert response.status_code == 302, (name, response.status_code)
        job = Job.objects.order_by("-pk").first()
        assert response.url == reverse("job_detail", args=[job.pk]), name
        assert job.status == Job.Status.PENDING and job.queued_at is None, name
        page = office.get(response.url)
        assert page.status_code == 200 and WAITING in page.content.decode(), name
    assert Job.objects.filter(status=Job.Status.PENDING).count() == len(starts)
    # Five refused connections, each answered quickly (no minute-long hangs).
    assert time.monotonic() - started < 30


@pytest.mark.worker
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (CI sets it)")
def test_jobs_left_pending_are_queued_again_and_run_once(transactional_db, world, dead_redis_url):
    from celery.contrib.testing.worker import start_worker

    real_broker = celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    try:
        # The broker is down when the jobs are started: they wait.
        celery_app.conf.broker_url = dead_redis_url
        celery_app._after_fork()
        jobs = [job_start(owner=world.office, kind="test.count", title=f"w{i}", params={"n": 20}) for i in range(3)]
        assert all(Job.objects.get(pk=j.pk).queued_at is None for j in jobs)
        assert jobs_requeue_stale(older_than=timedelta(0)) == 0  # still down: nothing queued, nothing raised
        # The broker is back: the beat task queues them (twice here), a real worker runs each once.
        celery_app.conf.broker_url = real_broker
        celery_app._after_fork()
        CALLS.clear()
        # Queued twice before any worker runs (a beat tick racing a slow broker): six messages wait.
        assert jobs_requeue_stale(older_than=timedelta(0)) == 3
        assert jobs_requeue_stale(older_than=timedelta(0)) == 3
        with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if Job.objects.filter(pk__in=[j.pk for j in jobs], status=Job.Status.SUCCEEDED).count() == 3:
                    break
                time.sleep(0.2)
            time.sleep(1)  # the duplicate messages are consumed too
        assert Job.objects.filter(pk__in=[j.pk for j in jobs], status=Job.Status.SUCCEEDED).count() == 3
        assert sorted(CALLS) == sorted(j.pk for j in jobs)  # six messages, three runs
        # A job queued a moment ago is not queued again.
        fresh = Job.objects.create(owner=world.office, kind="test.count", title="fresh", params={"n": 1})
        Job.objects.filter(pk=fresh.pk).update(
            queued_at=timezone.now(), created_at=timezone.now() - timedelta(minutes=10)
        )
        assert jobs_requeue_stale(older_than=timedelta(minutes=2)) == 0
    finally:
        celery_app.conf.broker_url = real_broker
        celery_app.conf.task_always_eager = True
        celery_app._after_fork()

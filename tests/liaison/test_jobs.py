"""Background jobs: queued after commit, run once, progress recorded, results owner-only."""

import pytest
from django.db import transaction
from django.urls import reverse

from liaison.jobs import JobRejected, JobResult, job_run, job_start, runner, temp_path
from liaison.models import Job

pytestmark = pytest.mark.django_db

CALLS = []


@runner("test.count")
def count_runner(job, progress):
    CALLS.append(job.pk)
    progress.total(job.params["n"])
    for i in range(job.params["n"]):
        progress.advance(i + 1)
    path = temp_path(".txt")
    path.write_text("done")
    return JobResult(message="counted", path=path, name="result.txt")


@runner("test.reject")
def reject_runner(job, progress):
    raise JobRejected(
        "bad file",
        [
            {"row": 5, "column": "A", "message": "late"},
            {"row": 3, "column": "B", "message": "b"},
            {"row": 3, "column": "A", "message": "a"},
        ],
    )


@runner("test.crash")
def crash_runner(job, progress):
    raise RuntimeError("boom")


def test_job_runs_after_commit_and_only_once(world, django_capture_on_commit_callbacks):
    CALLS.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        job = job_start(owner=world.office, kind="test.count", title="t", params={"n": 1200})
        assert Job.objects.get(pk=job.pk).status == Job.Status.PENDING
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.percent == 100 and job.progress_done == 1200
    assert job.message == "counted" and job.result_file
    job_run(job.pk)  # a retried delivery does nothing
    assert [job.pk] == CALLS


def test_rejected_and_crashed_jobs_fail_with_a_message(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rejected = job_start(owner=world.office, kind="test.reject", title="t")
        crashed = job_start(owner=world.office, kind="test.crash", title="t")
    rejected.refresh_from_db()
    crashed.refresh_from_db()
    assert rejected.status == Job.Status.FAILED
    assert [(e["row"], e["column"]) for e in rejected.errors] == [
        (3, "B"),
        (3, "A"),
        (5, "A"),
    ]  # by row, file order within
    assert crashed.status == Job.Status.FAILED and "boom" not in crashed.message and crashed.message


def test_job_pages_are_owner_only(world, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(owner=world.office, kind="test.count", title="导出", params={"n": 3})
    owner = client_for(world.office)
    assert owner.get(reverse("job_detail", args=[job.pk])).status_code == 200
    assert "100%" in owner.get(reverse("job_progress", args=[job.pk])).content.decode()
    download = owner.get(reverse("job_download", args=[job.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"done"
    other = client_for(world.office_t1)
    for name in ["job_detail", "job_progress", "job_download"]:
        assert other.get(reverse(name, args=[job.pk])).status_code == 404


def test_pending_job_page_polls(world, client_for):
    job = Job.objects.create(owner=world.office, kind="test.count", title="t", progress_total=10, progress_done=4)
    html = client_for(world.office).get(reverse("job_detail", args=[job.pk])).content.decode()
    assert 'hx-get="{}"'.format(reverse("job_progress", args=[job.pk])) in html and "40%" in html


def test_purge_expired_jobs(world, settings):
    from datetime import timedelta

    from django.utils import timezone

    from liaison.tasks import purge_expired_jobs

    old = Job.objects.create(owner=world.office, kind="test.count", title="old")
    Job.objects.filter(pk=old.pk).update(created_at=timezone.now() - settings.JOB_RESULT_TTL - timedelta(hours=1))
    fresh = Job.objects.create(owner=world.office, kind="test.count", title="new")
    assert purge_expired_jobs() == 1
    assert list(Job.objects.values_list("pk", flat=True)) == [fresh.pk]

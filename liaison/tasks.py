"""Core Celery tasks."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from liaison.jobs import job_run, jobs_requeue_stale
from liaison.models import Job


@shared_task(acks_late=True)
def run_job(job_id: int) -> None:
    job_run(job_id)


@shared_task
def requeue_stale_jobs() -> int:
    """Queue again the jobs left pending (broker down when they were started, or a lost message)."""
    return jobs_requeue_stale(older_than=timedelta(seconds=settings.LIAISON_JOB_REQUEUE_SECONDS))


@shared_task
def purge_expired_jobs() -> int:
    """Delete finished jobs (and their files) older than JOB_RESULT_TTL."""
    cutoff = timezone.now() - settings.JOB_RESULT_TTL
    count = 0
    for job in Job.objects.filter(created_at__lt=cutoff).iterator():
        for f in (job.result_file, job.upload):
            if f:
                f.delete(save=False)
        job.delete()
        count += 1
    return count


@shared_task(acks_late=True)
def deliver_outbox() -> dict:
    """Send due outbox rows; queues itself again while a full batch was sent."""
    from liaison.outbox import deliver_pending

    counts = deliver_pending()
    if sum(counts.values()) >= settings.LIAISON_OUTBOX_BATCH:
        deliver_outbox.delay()
    return counts


@shared_task
def apply_retention() -> dict:
    """Anonymise or delete personal data past its retention period (liaison.retention); nightly."""
    from liaison.retention import apply_retention as run

    return run()

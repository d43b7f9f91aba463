"""Background jobs: a registry of runners, a starter, and the progress reporter.

A view calls `job_start(...)`; after the transaction commits a Celery worker
runs the job's runner, which reports progress through `JobProgress` and
returns the result file (or raises `JobRejected` with row errors).
"""

import logging
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liaison.models import Job

log = logging.getLogger(__name__)

RUNNERS: dict[str, Callable] = {}


def runner(kind: str):
    """Register `fn(job, progress) -> JobResult | None` as the runner of `kind`."""

    def register(fn):
        RUNNERS[kind] = fn
        return fn

    return register


class JobRejected(Exception):
    """The input is invalid; `errors` are shown to the user, nothing was written."""

    def __init__(self, message, errors=()):
        super().__init__(message)
        self.message = message
        self.errors = sorted(errors, key=lambda e: e.get("row") or 0)  # stable: keeps column order in a row


class JobResult:
    def __init__(self, *, message="", path: Path | None = None, name="", url=""):
        self.message, self.path, self.name, self.url = message, path, name, url


class JobProgress:
    """Writes progress to the job row at most every `step` items."""

    def __init__(self, job: Job, step: int = 500):
        self.job, self.step, self._last = job, step, 0

    def total(self, n: int):
        self.job.progress_total = n
        self.job.progress_done = 0
        self._last = 0
        Job.objects.filter(pk=self.job.pk).update(progress_total=n, progress_done=0)

    def advance(self, done: int, force=False):
        if force or done - self._last >= self.step:
            self._last = done
            Job.objects.filter(pk=self.job.pk).update(progress_done=done)


def job_start(*, owner, kind: str, title: str, params: dict | None = None, upload=None) -> Job:
    """Create the job row and queue it once the surrounding transaction commits."""

    if kind not in RUNNERS:
        raise ValueError(f"no runner registered for {kind}")
    # The worker speaks the language of the page that started the job.
    params = {**(params or {}), "language": translation.get_language() or settings.LANGUAGE_CODE}
    job = Job.objects.create(owner=owner, kind=kind, title=title, params=params)
    if upload is not None:
        job.upload.save(f"{kind}.xlsx", upload, save=True)
    transaction.on_commit(lambda: job_queue(job))
    return job


def job_queue(job: Job) -> bool:
    """Hand the job to a worker; with the broker down it waits in the database instead.

    Never raises: the job's page says it waits (`queued_at` stays empty), and the beat task
    `requeue_stale_jobs` queues it again once the broker is back (running it twice
    is harmless: `job_run` claims it once).
    """
    from liaison.tasks import run_job

    now = timezone.now()
    try:
        run_job.delay(job.pk)
    except Exception as exc:
        log.warning("job %s (%s): could not queue it now (%s); it waits for the re-queue task", job.pk, job.kind, exc)
        return False
    Job.objects.filter(pk=job.pk, status=Job.Status.PENDING).update(queued_at=now)
    return True


def jobs_requeue_stale(*, older_than: timedelta) -> int:
    """Queue again each pending job not queued (or not taken) for `older_than`; returns how many.

    For the jobs whose queueing failed (broker down) and for messages a broker lost.
    """
    cutoff = timezone.now() - older_than
    stale = Job.objects.filter(status=Job.Status.PENDING, created_at__lt=cutoff).filter(
        Q(queued_at__isnull=True) | Q(queued_at__lt=cutoff)
    )
    return sum(job_queue(job) for job in stale.only("pk", "kind").order_by("pk")[:500])


def job_run(job_id: int) -> None:
    """Run one job; safe to call twice (a finished or running job is left alone)."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.PENDING).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    job = Job.objects.get(pk=job_id)
    progress = JobProgress(job)
    try:
        with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
            result = RUNNERS[job.kind](job, progress) or JobResult()
    except JobRejected as rejected:
        job.status, job.message, job.errors = Job.Status.FAILED, rejected.message, rejected.errors
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        job.status, job.message = (
            Job.Status.FAILED,
            _("The job failed unexpectedly. Please try again or tell the administrator."),
        )
    else:
        job.status, job.message, job.result_url = Job.Status.SUCCEEDED, result.message, result.url
        if result.path:
            with open(result.path, "rb") as fh:
                job.result_file.save(result.name or "result.xlsx", File(fh), save=False)
            job.result_name = result.name
            Path(result.path).unlink(missing_ok=True)
    job.finished_at = timezone.now()
    job.progress_done = job.progress_total if job.status == Job.Status.SUCCEEDED else job.progress_done
    job.save()


def temp_path(suffix=".xlsx") -> Path:
    fh = tempfile.NamedTemporaryFile(suffix=suffix, delete=False)
    fh.close()
    return Path(fh.name)

"""Celery tasks of the ledger. Each takes ids (or nothing), calls a service, and may run twice."""

from celery import shared_task


@shared_task
def purge_staged_uploads() -> int:
    """Drop files staged by forms that were never completed (older than a day)."""
    from petitions.ledger.services import staged_purge

    return staged_purge()


@shared_task
def send_deadline_reminders() -> dict:
    """Beat, daily at 08:30: resume the suspended items whose resume date has come (their
    deadlines run again from today), store today's reminders, then send them as digests.
    Running it twice (beat firing twice, a retried task) resumes, stores and sends nothing more."""
    from petitions.handling.reminders import reminders_queue, reminders_send
    from petitions.handling.suspension import suspensions_resume_due

    resumed = suspensions_resume_due()
    queued = reminders_queue()
    sent = reminders_send()
    return {"resumed": resumed, "queued": queued["created"], "sent": sent["rows"], "messages": sent["messages"]}

"""Celery tasks of the network (beat schedule in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from stations.reception.events import notices


@shared_task(acks_late=True)
def queue_reception_notices() -> int:
    """Write the reception-day and visit notices that are due; run hourly by beat, safe to repeat."""
    return notices.queue_due_notices()

"""Celery tasks of the ledger. Each takes ids (or nothing), calls a service, and may run twice."""

from celery import shared_task


@shared_task
def purge_staged_uploads() -> int:
    """Drop files staged by forms that were never completed (older than a day)."""
    from .services import staged_purge

    return staged_purge()

"""Retention (PIPL art. 19): personal data is kept no longer than a setting per kind, then
anonymised or deleted by a nightly beat task (`liaison.tasks.apply_retention`).

| kind | setting (days) | after it |
|---|---|---|
| finished items' petitioner (name, phone, address, ID) | `LIAISON_RETENTION_CLOSED_PERSONAL_DAYS` | removed from the item and its edit history (`petitions.ledger.subjects`); the item, its status and its rating stay, so every figure is unchanged |
| outbox messages (text, number or e-mail address, error) | `LIAISON_RETENTION_OUTBOX_DAYS` | emptied; the row stays (counts of what was sent) |
| sign-in records | `LIAISON_RETENTION_LOGIN_DAYS`, never under 180 (等保 2.0) | deleted |
| inbox notifications | `LIAISON_RETENTION_NOTIFICATION_DAYS` | deleted |

Messages not yet sent are never touched. Running twice does nothing more.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from liaison.models import Notification, OutboxMessage
from liaison.outbox import RESIDENT_TOPICS

log = logging.getLogger(__name__)

# Security audit logs are kept at least six months (等保 2.0); a shorter setting is raised to this.
LOGIN_MINIMUM_DAYS = 180


def outbox_erase(queryset) -> int:
    """Empty the text, address and error of sent, failed or cancelled rows (and residents' names); returns how many."""
    done = queryset.exclude(status=OutboxMessage.Status.PENDING).exclude(body="", address="", last_error="")
    resident = done.filter(topic__in=RESIDENT_TOPICS).update(body="", address="", last_error="", recipient_name="")
    return resident + done.exclude(topic__in=RESIDENT_TOPICS).update(body="", address="", last_error="")


def _before(now, setting: str, minimum: int = 0):
    return now - timedelta(days=max(getattr(settings, setting), minimum))


def apply_retention(now=None) -> dict[str, int]:
    """Anonymise or delete what is past its retention period; returns how many rows of each kind."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from petitions.ledger.subjects import anonymise_finished

    now = now or timezone.now()
    logins = _before(now, "LIAISON_RETENTION_LOGIN_DAYS", LOGIN_MINIMUM_DAYS)
    counts = {
        "petitions": anonymise_finished(before=_before(now, "LIAISON_RETENTION_CLOSED_PERSONAL_DAYS")),
        "outbox": outbox_erase(
            OutboxMessage.objects.filter(created_at__lt=_before(now, "LIAISON_RETENTION_OUTBOX_DAYS"))
        ),
        "logins": sum(
            model.objects.filter(attempt_time__lt=logins).delete()[0]
            for model in (AccessLog, AccessFailureLog, AccessAttempt)
        ),
        "notifications": Notification.objects.filter(
            created_at__lt=_before(now, "LIAISON_RETENTION_NOTIFICATION_DAYS")
        ).delete()[0],
    }
    log.info("retention: %s", counts)
    return counts

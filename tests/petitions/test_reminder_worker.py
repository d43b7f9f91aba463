"""Deadline reminders through a real Celery worker and a real Redis (no eager mode): beat's
task, sent twice, writes and delivers each reminder once."""

import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from liaison import workdays
from liaison.celery import app as celery_app
from liaison.models import Notification, OutboxMessage
from liaison.tasks import deliver_outbox
from petitions.handling import services as handling
from petitions.models import Petition, Reminder
from petitions.tasks import send_deadline_reminders
from tests.factories import make_petition

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (CI sets it)"),
]


@contextmanager
def worker():
    """A real worker thread consuming from the Redis broker (as in tests/stations/test_notice_worker.py)."""
    from celery.contrib.testing.worker import start_worker

    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
            yield
    finally:
        celery_app.conf.task_always_eager = True


def wait_for(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OperationalError:  # SQLite's shared in-memory test database: the worker holds the table
            pass
        time.sleep(0.3)
    return predicate()


def reminder_messages():
    return OutboxMessage.objects.filter(topic="petition_reminder")


def delivered_reminders(user):
    """The inbox notifications that came from reminder messages."""
    refs = (
        reminder_messages()
        .filter(user=user, channel="inbox", status="sent")
        .values_list("provider_reference", flat=True)
    )
    return Notification.objects.filter(recipient=user, pk__in=[int(r.split(":")[1]) for r in refs])


def test_beat_task_sent_twice_through_redis_delivers_each_reminder_once(transactional_db, world):
    # An item due on the next working day (a BEFORE reminder to the department) ...
    due = workdays.add_working_days(timezone.localdate(), 1)
    item = make_petition(station=world.S1, representatives=[world.R1], actor=world.staff)
    handling.petition_assign(actor=world.office, petition=item, department=world.D, due_on=due)
    # ... and an online item registered 25 hours ago that R1 (account `rep`) has not answered.
    online = make_petition(station=world.S1, channel="qr", representatives=[world.R1])
    Petition.objects.filter(pk=online.pk).update(first_reply_due_at=timezone.now() - timedelta(hours=1))

    with worker():
        send_deadline_reminders.delay()
        send_deadline_reminders.delay()  # beat firing twice
        # The department's digest (inbox) and R1's late alert (inbox and SMS).
        assert wait_for(
            lambda: (
                reminder_messages().count() == 3
                and not reminder_messages().exclude(status="sent").exists()
                and not Reminder.objects.filter(sent_at__isnull=True).exists()
            )
        )
        send_deadline_reminders.delay()  # a retry later that day: nothing more
        deliver_outbox.delay()
        time.sleep(2)
        assert wait_for(lambda: not OutboxMessage.objects.exclude(status="sent").exists())

    assert Reminder.objects.count() == 2
    assert reminder_messages().count() == 3 and set(reminder_messages().values_list("status", flat=True)) == {"sent"}
    (digest,) = delivered_reminders(world.dept)
    assert item.tracking_number in digest.body
    (alert,) = delivered_reminders(world.rep)
    assert online.tracking_number in alert.subject
    assert reminder_messages().filter(channel="sms", address="13900000001").count() == 1

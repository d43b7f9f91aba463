"""Notices through a real Celery worker and a real Redis (no eager mode).

1. Beat's task goes through Redis to a worker, which writes the notice and
   delivers it to the representative's inbox, once.
2. With the broker stopped, the cause still commits and its outbox rows wait;
   once Redis is back, the next beat tick delivers every one of them, once.
"""

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from datetime import time as clock

import pytest
from django.conf import settings

from liaison import workdays
from liaison.celery import app as celery_app
from liaison.models import Notification, OutboxMessage
from liaison.tasks import deliver_outbox
from stations.models import ReceptionEvent, RosterEntry
from stations.reception.events import notices
from stations.tasks import queue_reception_notices

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (CI sets it)"),
]


@contextmanager
def worker(broker_url=None):
    from celery.contrib.testing.worker import start_worker

    old_url = celery_app.conf.broker_url
    if broker_url:
        _use_broker(broker_url)
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
            yield
    finally:
        celery_app.conf.task_always_eager = True
        if broker_url:
            _use_broker(old_url)


def _use_broker(url):
    """Point the app's producer at another broker (drops pooled connections)."""
    celery_app.conf.broker_url = url
    celery_app._pool = None  # kombu keeps one pool per broker address; the app looks it up again
    celery_app.amqp._producer_pool = None


def wait_for(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def due_event(world):
    """An event whose notice is due today (two working days ahead), R1 (account `rep`) and R2 rostered."""
    today = workdays.current().next_working_day(__import__("datetime").date.today())
    event = ReceptionEvent.objects.create(
        station=world.S1,
        date=workdays.add_working_days(today, 2),
        start_time=clock(9),
        end_time=clock(11),
        place="东关村村委会",
        status=ReceptionEvent.Status.SCHEDULED,
    )
    RosterEntry.objects.create(event=event, representative=world.R1)
    RosterEntry.objects.create(event=event, representative=world.R2)
    return event


def test_beat_task_through_redis_delivers_the_notice_once(transactional_db, world):
    due_event(world)
    with worker():
        queue_reception_notices.delay()
        queue_reception_notices.delay()  # beat firing twice
        assert wait_for(
            lambda: OutboxMessage.objects.count() == 3 and not OutboxMessage.objects.exclude(status="sent").exists()
        )
        deliver_outbox.delay()  # a worker retry or the 30 s tick: nothing more goes out
        time.sleep(1)
    assert Notification.objects.filter(recipient=world.rep).count() == 1
    assert OutboxMessage.objects.filter(status="sent").count() == 3  # R1 inbox + SMS, R2 SMS


@pytest.fixture
def private_redis(tmp_path):
    """A Redis of this test's own, so it can be stopped without disturbing anyone."""
    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("redis-server not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def start():
        proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(lambda: _accepts(port), 10), "redis did not start"
        return proc

    server = {"proc": start()}
    yield {
        "url": f"redis://127.0.0.1:{port}/0",
        "stop": lambda: _stop(server),
        "start": lambda: server.update(proc=start()),
    }
    _stop(server)


def _accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def _stop(server):
    proc = server.get("proc")
    if proc and proc.poll() is None:
        proc.terminate()
        proc.wait(10)


def test_nothing_is_lost_while_the_broker_is_down(transactional_db, world, private_redis):
    event = due_event(world)
    old_url = celery_app.conf.broker_url
    _use_broker(private_redis["url"])
    celery_app.conf.task_always_eager = False
    try:
        private_redis["stop"]()
        # The cause commits although Redis is down; the kick after commit fails quietly.
        written = notices.queue_due_notices()
        assert written == 3
        assert OutboxMessage.objects.filter(status="pending").count() == 3
        with pytest.raises(Exception):  # noqa: B017  whatever kombu raises for a refused connection
            deliver_outbox.delay()  # what beat would try now: the broker refuses
        assert OutboxMessage.objects.filter(status="pending").count() == 3
        assert not Notification.objects.exists()
    finally:
        celery_app.conf.task_always_eager = True
        _use_broker(old_url)

    private_redis["start"]()
    with worker(private_redis["url"]):
        deliver_outbox.delay()  # the first beat tick after Redis is back
        assert wait_for(lambda: not OutboxMessage.objects.filter(status="pending").exists())
    assert OutboxMessage.objects.filter(status="sent").count() == 3
    assert Notification.objects.filter(recipient=world.rep).count() == 1
    assert event.roster.count() == 2

"""A real Celery worker killed with SIGKILL mid-delivery, then restarted: every SMS goes out once.

The SMS gateway is a small HTTP server in the test (the provider is external to us) that
honours idempotency keys the way real providers do: a second request with a key it has
seen answers the first one's id and sends nothing. It holds the answer to the 60th
message until the test has checked that no row lock is held during the call and has
killed the worker: that message was handed to the provider but never marked sent.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from liaison.celery import app as celery_app
from liaison.models import OutboxMessage
from liaison.outbox import Recipient, outbox_rows

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (CI sets it)"),
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="needs PostgreSQL (DATABASE_URL)"
    ),
]

MESSAGES = 231
HOLD_AT = 60  # the gateway holds its answer to this message until the worker is dead
ROOT = Path(__file__).resolve().parents[2]


class Gateway:
    """Counts what a provider would really send: once per idempotency key."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent: dict[str, int] = {}  # key -> times actually sent
        self.requests = 0
        self.replays = 0  # requests answered from the key, nothing sent
        self.holding = threading.Event()
        self.release = threading.Event()
        self.held_key = ""
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers.get("Idempotency-Key", "")
                assert key and key == body["out_id"]
                hold = False
                with gateway.lock:
                    gateway.requests += 1
                    if key in gateway.sent:
                        gateway.replays += 1
                    else:
                        gateway.sent[key] = 1
                        hold = len(gateway.sent) == HOLD_AT and not gateway.holding.is_set()
                if hold:
                    gateway.held_key = key
                    gateway.holding.set()
                    gateway.release.wait(30)
                else:
                    time.sleep(0.01)  # a provider takes a moment
                answer = json.dumps({"id": f"gw-{key}"}).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:  # the worker was killed while we held the answer
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _start_worker(gateway: Gateway, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(
        DJANGO_SETTINGS_MODULE="liaison.settings.test",
        DATABASE_URL=_database_url(),
        REDIS_URL=settings.REDIS_URL,  # already this test process's own database
        LIAISON_SMS_BACKEND="liaison.sms.HttpSmsBackend",
        LIAISON_SMS_GATEWAY_URL=gateway.url,
        LIAISON_SMS_TIMEOUT_SECONDS="1",
        LIAISON_OUTBOX_LEASE_SECONDS="4",
    )
    celery = Path(sys.executable).with_name("celery")
    return subprocess.Popen(
        [
            str(celery),
            "-A",
            "liaison",
            "worker",
            "--pool=solo",
            "-l",
            "WARNING",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _kick():
    with warnings.catch_warnings():  # send_task always goes to the broker, eager or not
        warnings.simplefilter("ignore")
        celery_app.send_task("liaison.tasks.deliver_outbox")


def test_a_worker_killed_mid_delivery_sends_every_sms_once(transactional_db, world, tmp_path):
    # Stored as outbox_write stores them, without its kick (tasks run eagerly in this process).
    OutboxMessage.objects.bulk_create(
        row
        for i in range(MESSAGES)
        for row in outbox_rows(
            key=f"fault:kill:{i}",
            topic="test",
            recipient=Recipient(name=f"居民{i}", phone=f"139{i:08d}"),
            subject="通知",
            body="正文",
            sms_text=f"第{i}条",
        )
    )
    assert OutboxMessage.objects.filter(channel="sms", status="pending").count() == MESSAGES
    gateway = Gateway()
    log = tmp_path / "worker.log"
    worker = _start_worker(gateway, log)
    try:
        _kick()
        assert gateway.holding.wait(60), log.read_text()
        # The provider has the 60th message and has not answered: the worker holds no row lock.
        held = OutboxMessage.objects.get(key=gateway.held_key)
        with transaction.atomic():
            assert OutboxMessage.objects.select_for_update(nowait=True).filter(pk=held.pk).count() == 1
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
        gateway.release.set()
        held.refresh_from_db()
        assert held.status == "pending"  # sent by the provider, never marked: the dangerous case
        marked_at_kill = OutboxMessage.objects.filter(channel="sms", status="sent").count()
        assert marked_at_kill == HOLD_AT - 1

        worker = _start_worker(gateway, log)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if not OutboxMessage.objects.filter(channel="sms").exclude(status="sent").exists():
                break
            _kick()  # beat's job, every few seconds here: the dead worker's lease ends after 4 s
            time.sleep(2)
    finally:
        worker.kill()
        worker.wait(10)
        gateway.close()

    rows = OutboxMessage.objects.filter(channel="sms")
    assert rows.filter(status="sent").count() == MESSAGES, log.read_text()[-3000:]
    assert len(gateway.sent) == MESSAGES
    twice = [key for key, n in gateway.sent.items() if n > 1]
    assert twice == []
    assert gateway.replays >= 1  # the held message was asked again and answered from its key
    assert gateway.requests == MESSAGES + gateway.replays
    held.refresh_from_db()
    assert held.provider_reference == f"gw-{held.key}" and held.attempts == 2
    print(
        f"\n{MESSAGES} messages, worker killed after {marked_at_kill} marked sent; "
        f"{gateway.requests} gateway requests, {gateway.replays} repeated keys answered from the key, "
        f"{len(gateway.sent)} sent, {len(twice)} sent twice"
    )

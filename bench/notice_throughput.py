"""Notices sent per second by one Celery worker: write N notices, let one real worker deliver them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench_notices \\
    REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/notice_throughput.py --notices 5000

Each notice goes to a representative with an account and a mobile, so it is two
outbox rows (in-app inbox and SMS through the default outbox SMS backend); one
worker process (solo pool, as `./dev run` starts one per core) consumes the
`deliver_outbox` task from Redis. Prints rows per second for writing the
notices (the beat task) and for delivering them, and checks every row went out once.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=5000)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "liaison.settings.dev"
    os.environ.setdefault("DJANGO_DEBUG", "false")
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL: the point is a real worker on a real broker.")
    import django

    django.setup()
    from datetime import date
    from datetime import time as clock

    from celery.contrib.testing.worker import start_worker
    from django.core.management import call_command
    from django.db import connection

    from liaison import workdays
    from liaison.celery import app
    from liaison.models import Jurisdiction, Notification, OutboxMessage, Role, User
    from liaison.tasks import deliver_outbox
    from stations.models import ReceptionEvent, Representative, RosterEntry, Station
    from stations.reception.events import notices

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; broker: {app.conf.broker_url}")
    call_command("migrate", verbosity=0)
    OutboxMessage.objects.all().delete()
    Notification.objects.all().delete()
    ReceptionEvent.objects.filter(title="bench").delete()

    province = Jurisdiction.objects.get_or_create(
        code="990000000000", defaults={"name": "基准省", "level": "province"}
    )[0]
    county = Jurisdiction.objects.get_or_create(
        code="990100000000", defaults={"name": "基准市", "level": "city", "parent": province}
    )[0]
    station = Station.objects.get_or_create(
        code="BENCH-1",
        defaults={"name": "基准联络站", "kind": "station", "jurisdiction": county, "address": "基准路1号"},
    )[0]
    existing = Representative.objects.filter(code__startswith="BENCH-R").count()
    users = User.objects.bulk_create(
        [
            User(username=f"bench-rep-{i}", role=Role.REPRESENTATIVE, full_name=f"基准代表{i}")
            for i in range(existing, args.notices)
        ]
    )
    Representative.objects.bulk_create(
        [
            Representative(
                code=f"BENCH-R{existing + i}",
                name=u.full_name,
                level="township",
                jurisdiction=county,
                private_phone=f"139{existing + i:08d}",
                user=u,
            )
            for i, u in enumerate(users)
        ]
    )
    reps = list(Representative.objects.filter(code__startswith="BENCH-R").order_by("pk")[: args.notices])
    today = workdays.next_working_day(date.today())
    per_event = 50
    events = ReceptionEvent.objects.bulk_create(
        [
            ReceptionEvent(
                station=station,
                title="bench",
                date=workdays.add_working_days(today, 2),
                start_time=clock(9),
                end_time=clock(11),
                place="基准路1号",
                status="scheduled",
            )
            for _ in range(0, len(reps), per_event)
        ]
    )
    RosterEntry.objects.bulk_create(
        [RosterEntry(event=events[i // per_event], representative=rep) for i, rep in enumerate(reps)]
    )

    app.conf.task_always_eager = False
    started = time.perf_counter()
    written = notices.queue_due_notices()
    write_seconds = time.perf_counter() - started
    print(
        f"{written:8d} outbox rows written for {len(reps)} notices in {write_seconds:.1f} s "
        f"({written / write_seconds:,.0f} rows/s)"
    )

    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
        started = time.perf_counter()
        deliver_outbox.delay()
        while OutboxMessage.objects.filter(status="pending").exists():
            time.sleep(0.2)
        seconds = time.perf_counter() - started
    sent = OutboxMessage.objects.filter(status="sent").count()
    print(
        f"{sent:8d} rows delivered by one worker in {seconds:.1f} s ({sent / seconds:,.0f} rows/s, "
        f"{sent / 2 / seconds:,.0f} notices/s)"
    )
    inbox = Notification.objects.filter(recipient__username__startswith="bench-rep-").count()
    print(f"{inbox:8d} inbox messages (expected {len(reps)}: each exactly once)")


if __name__ == "__main__":
    main()

"""Time the deadline reminders (petitions.handling.reminders) at a million petitions on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench \\
        .venv/bin/python bench/reminders.py

Needs a database filled by bench/seed_petitions.py (its bulk items carry their lead
assignments). Prints: the petitions, the open assignments and those the selection
touches; the due-share query's time (median of 5, rows fetched as reminders_queue
fetches them) and its EXPLAIN (ANALYZE, BUFFERS) plan, the same for the online query;
`reminders_queue` run twice (the second stores nothing) and `reminders_send` once,
with the rows and messages written. Figures only, no asserts.

The run is for `--today` (default: the next working day, 08:30) so every stage
occurs. Reminders and reminder messages of earlier runs are removed first (unless
--keep), so figures are comparable run after run. Delivery is not part of the
figure: the kick after commit is switched off and the messages stay pending.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.seed_petitions import DEFAULT_URL, setup_django  # noqa: E402

RUNS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: next working day)")
    parser.add_argument("--keep", action="store_true", help="keep the reminders of earlier runs")
    args = parser.parse_args()
    setup_django(os.environ.get("DATABASE_URL", DEFAULT_URL))
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from liaison import outbox, workdays
    from liaison.models import OutboxMessage
    from petitions.handling import reminders
    from petitions.handling.models import ACTIVE_ASSIGNMENT_STATES
    from petitions.models import Assignment, Petition, Reminder

    outbox._kick = lambda: None  # messages stay pending: delivery is timed elsewhere (bench/notice_throughput.py)
    today = args.today or workdays.next_working_day(timezone.localdate())
    now = timezone.make_aware(datetime.combine(today, clock(8, 30)))
    horizon = workdays.add_working_days(today, settings.LIAISON_REMINDER_BEFORE_WORKING_DAYS)
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}; run for {today} 08:30 "
        f"({'working day' if workdays.is_working_day(today) else 'day off'}), shares due by {horizon}"
    )

    if not args.keep:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {Reminder._meta.db_table}")
        OutboxMessage.objects.filter(topic="petition_reminder").delete()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Reminder._meta.db_table}")

    open_shares = Assignment.objects.filter(state__in=ACTIVE_ASSIGNMENT_STATES)
    selection = open_shares.filter(due_on__lte=horizon).order_by().values_list("pk", "petition_id", "due_on", "role")
    online = (
        Petition.objects.awaiting_first_reply()
        .filter(first_reply_due_at__lte=now)
        .order_by()
        .values_list("pk", "first_reply_due_at")
    )
    print(f"{Petition.objects.count():>12,}  petitions")
    print(f"{Assignment.objects.count():>12,}  assignments")
    print(f"{open_shares.count():>12,}  open assignments (pending or accepted)")
    print(f"{selection.count():>12,}  open assignments the selection touches (due by {horizon})")
    print(f"{online.count():>12,}  online items past their first-reply deadline, unanswered")

    timings = []
    for _run in range(RUNS + 1):  # the first warms the cache
        started = time.perf_counter()
        rows = sum(1 for _row in selection.iterator(chunk_size=reminders.QUEUE_CHUNK))
        timings.append(time.perf_counter() - started)
    print(f"\ndue-share query: median {statistics.median(timings[1:]) * 1000:.1f} ms over {RUNS} runs, {rows:,} rows")
    explain("due-share query", selection)
    timings = []
    for _run in range(RUNS + 1):
        started = time.perf_counter()
        rows = sum(1 for _row in reminders._online_due(now))
        timings.append(time.perf_counter() - started)
    print(
        f"online query (pages of {reminders.QUEUE_CHUNK:,}): median {statistics.median(timings[1:]) * 1000:.1f} ms "
        f"over {RUNS} runs, {rows:,} rows"
    )
    first_page = online.order_by("first_reply_due_at", "pk")[: reminders.QUEUE_CHUNK]
    explain("online query, first page", first_page)

    for label in ("first", "second"):
        started = time.perf_counter()
        counts = reminders.reminders_queue(today=today, now=now)
        print(
            f"reminders_queue ({label} run): {time.perf_counter() - started:8.2f} s  "
            f"{counts['shares']:,} shares, {counts['online']:,} online items, {counts['created']:,} reminders stored"
        )
    by_stage = dict(
        Reminder.objects.filter(sent_at__isnull=True).order_by().values_list("stage").annotate(n=Count("pk"))
    )
    print("              unsent by stage: " + ", ".join(f"{stage} {n:,}" for stage, n in sorted(by_stage.items())))

    started = time.perf_counter()
    counts = reminders.reminders_send(now=now)
    seconds = time.perf_counter() - started
    print(
        f"reminders_send:               {seconds:8.2f} s  {counts['rows']:,} reminders "
        f"({counts['skipped']:,} closed meanwhile), {counts['messages']:,} messages "
        f"({counts['outbox_rows']:,} outbox rows)"
    )
    started = time.perf_counter()
    again = reminders.reminders_send(now=now)
    print(
        f"reminders_send (again):       {time.perf_counter() - started:8.2f} s  {again['rows']:,} reminders, "
        f"{again['messages']:,} messages"
    )
    digests = OutboxMessage.objects.filter(topic="petition_reminder", channel="inbox", key__startswith="reminders:")
    sizes = [len(body) for body in digests.values_list("body", flat=True)]
    if sizes:
        print(
            f"digests: {len(sizes):,} (inbox), median {statistics.median(sizes):,.0f} characters, "
            f"largest {max(sizes):,}; online alerts: "
            f"{OutboxMessage.objects.filter(key__startswith='online-late:').values('key').distinct().count():,}"
        )


def explain(title: str, queryset) -> None:
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    print(f"\nEXPLAIN (ANALYZE, BUFFERS) {title}:")
    for line in plan:
        print(f"    {line}")
    print()


if __name__ == "__main__":
    main()

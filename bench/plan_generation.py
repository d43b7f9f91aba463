"""Time the annual plan's generation (with proposed rosters) for the demo district and a large synthetic network.

    createdb -h 127.0.0.1 -U postgres liaison_bench_plan
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench_plan \\
        .venv/bin/python bench/plan_generation.py --stations 20000 --representatives 200000

Loads the data with `seed_demo` in a child process (the synthetic part takes about a minute on
PostgreSQL the first time and is kept), gives every station in service that
has no reception rule one (the 15th of the month, or the second Friday for a
third of them: twelve days a year each), deletes the plans this script made
before, then generates each plan twice: the first run creates everything, the
second shows the cost of finding that nothing is missing. Prints wall time,
SQL statements, rows written and the process's peak resident memory (which
only grows, so the demo district runs first).

Uses the development settings with SQL logging off unless DJANGO_DEBUG says
otherwise (DEBUG keeps the text of every query, which production does not pay).
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=20_000, help="synthetic stations (0: the demo district only)")
    parser.add_argument("--representatives", type=int, default=200_000)
    parser.add_argument("--year", type=int, default=date.today().year + 1)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "liaison.settings.dev"
    os.environ.setdefault("DJANGO_DEBUG", "false")
    import django

    django.setup()
    from django.db import connection

    from liaison import workdays
    from liaison.models import Jurisdiction, User
    from stations.demo import network as demo
    from stations.demo import synthetic

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    # Loading runs in child processes, so the peak memory below is the generation's.
    timed("migrate", manage, "migrate", "--verbosity", "0")
    timed("seed_demo (demo district)", manage, "seed_demo")
    if args.stations:
        timed(
            f"seed_demo --stations {args.stations} --representatives {args.representatives}",
            manage,
            "seed_demo",
            "--stations",
            str(args.stations),
            "--representatives",
            str(args.representatives),
        )
    timed("reception rules for stations without one", add_rules)
    if connection.vendor == "postgresql":
        # Freshly loaded tables have no statistics yet; autovacuum would gather
        # them within a minute or so, as it has long done on a live database.
        timed("ANALYZE", lambda: connection.cursor().execute("ANALYZE"))
    print(
        f"year {args.year}: holidays "
        f"{'known' if workdays.year_is_known(args.year) else 'not entered yet, Monday to Friday are working days'}"
    )

    runs = [(Jurisdiction.objects.get(code=demo.DISTRICT_CODE), User.objects.get(username="office"))]
    if args.stations:
        runs.append(
            (Jurisdiction.objects.get(code=synthetic.SYNTHETIC_PROVINCE[0]), User.objects.get(username="admin"))
        )
    for jurisdiction, actor in runs:
        timed(f"delete earlier {args.year} plan of {jurisdiction.name}", delete_plan, jurisdiction, args.year)
        for run in ("first run", "second run"):
            generate(jurisdiction, args.year, actor, run)


def manage(*arguments) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *arguments], check=True, stdout=subprocess.DEVNULL)


def timed(title: str, function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    print(f"{time.perf_counter() - started:8.1f} s  {title}", flush=True)
    return result


def add_rules() -> int:
    from datetime import time as clock

    from django.db.models import Exists, OuterRef

    from stations.models import ReceptionRule, Station

    missing = (
        Station.objects.filter(is_active=True)
        .exclude(Exists(ReceptionRule.objects.filter(station=OuterRef("pk"), is_active=True)))
        .values_list("pk", flat=True)
        .iterator(chunk_size=5000)
    )
    batch, created = [], 0
    for pk in missing:
        if pk % 3:
            batch.append(
                ReceptionRule(
                    station_id=pk, pattern="monthly_day", day_of_month=15, start_time=clock(9), end_time=clock(11, 30)
                )
            )
        else:
            batch.append(
                ReceptionRule(
                    station_id=pk,
                    pattern="nth_weekday",
                    week_of_month=2,
                    weekday=4,
                    start_time=clock(14),
                    end_time=clock(16, 30),
                    representatives_per_event=3,
                )
            )
        if len(batch) == 5000:
            created += len(ReceptionRule.objects.bulk_create(batch))
            batch = []
    created += len(ReceptionRule.objects.bulk_create(batch))
    print(f"          {created} rules added")
    return created


def delete_plan(jurisdiction, year) -> None:
    from django.db import transaction

    from stations.models import ReceptionEvent, ReceptionPlan, RosterEntry

    plan = ReceptionPlan.objects.filter(jurisdiction=jurisdiction, year=year).first()
    if plan is None:
        return
    with transaction.atomic():
        RosterEntry.objects.filter(event__plan=plan)._raw_delete("default")
        ReceptionEvent.objects.filter(plan=plan)._raw_delete("default")
        plan.delete()


class Progress:
    """Stands in for the job's JobProgress: counts the updates it would write."""

    def __init__(self):
        self.updates = 0

    def total(self, n):
        self.updates += 1

    def advance(self, done, force=False):
        self.updates += 1


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def generate(jurisdiction, year, actor, run) -> None:
    from django.db import connection

    from stations.reception.plans import generation

    counter, progress = QueryCounter(), Progress()
    before = peak_rss_mb()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        plan = generation.plan_generate(
            jurisdiction=jurisdiction, year=year, actor=actor, propose_rosters=True, progress=progress
        )
    seconds = time.perf_counter() - started
    r = plan.report
    print(
        f"{seconds:8.1f} s  plan {year} of {jurisdiction.name} ({run}): {r.stations} stations, {r.rules} rules, "
        f"{r.events_created} events created ({r.events_existing} there already), "
        f"{r.roster_entries_created} roster entries proposed; {counter.count} SQL statements, "
        f"{progress.updates} progress updates; peak RSS {peak_rss_mb():.0f} MB (was {before:.0f} MB)",
        flush=True,
    )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


if __name__ == "__main__":
    main()

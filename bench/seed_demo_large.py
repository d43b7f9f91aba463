"""Time `seed_demo` on the demo district and on a large synthetic network; print wall times and row counts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench \\
        .venv/bin/python bench/seed_demo_large.py --stations 20000 --representatives 200000

Uses the development settings (DATABASE_URL picks the database; SQLite in var/
without it) with SQL logging off unless DJANGO_DEBUG says otherwise: DEBUG
keeps the text of every query, which is not what production pays. Each step
runs twice; the second run shows the cost of finding that nothing is missing.
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=20_000)
    parser.add_argument("--representatives", type=int, default=200_000)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "liaison.settings.dev"
    os.environ.setdefault("DJANGO_DEBUG", "false")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    timed("migrate", call_command, "migrate", verbosity=0)
    for run in ("first run", "second run"):
        timed(f"seed_demo, demo district ({run})", call_command, "seed_demo", stdout=io.StringIO())
    large = {"stations": args.stations, "representatives": args.representatives}
    for run in ("first run", "second run"):
        timed(
            f"seed_demo --stations {args.stations} --representatives {args.representatives} ({run})",
            call_command,
            "seed_demo",
            stdout=io.StringIO(),
            **large,
        )
    print_counts()


def timed(title: str, function, *args, **kwargs) -> None:
    started = time.perf_counter()
    function(*args, **kwargs)
    print(f"{time.perf_counter() - started:8.1f} s  {title}", flush=True)


def print_counts() -> None:
    from liaison.models import Jurisdiction
    from petitions.models import Department
    from stations.models import LiaisonOfficer, Membership, Representative, Station

    for model in (Jurisdiction, Station, LiaisonOfficer, Representative, Membership, Department):
        print(f"{model.objects.count():10d}  {model._meta.verbose_name_plural}")


if __name__ == "__main__":
    main()

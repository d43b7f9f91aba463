"""Time `seed_demo --petitions N` (bulk petitions by COPY) on PostgreSQL; print seconds and rows/s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench \\
        .venv/bin/python bench/seed_petitions.py --petitions 1000000

DATABASE_URL defaults to the scratch database `liaison_bench` on 127.0.0.1
(created when missing). The demo district is loaded first (its ~600 demo
petitions included, not timed here); then N petitions are added, so running it
twice doubles the table. The other benchmarks (ledger_page.py,
petition_export.py) read the database this one fills.
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/liaison_bench"


def setup_django(url: str) -> None:
    os.environ.setdefault("DATABASE_URL", url)
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "liaison.settings.dev"
    os.environ.setdefault("DJANGO_DEBUG", "false")  # DEBUG keeps every query's text in memory
    import django

    django.setup()


def ensure_database(url: str) -> None:
    """Create the scratch database if it is missing (PostgreSQL only)."""
    if not url.startswith("postgres"):
        return
    import psycopg2

    base, name = url.rsplit("/", 1)
    conn = psycopg2.connect(f"{base}/postgres")
    conn.autocommit = True  # CREATE DATABASE cannot run in a transaction
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=1_000_000)
    parser.add_argument("--stations", type=int, default=0, help="also a synthetic province of this many stations")
    parser.add_argument("--representatives", type=int, default=0)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    from petitions.models import Petition, PetitionEvent, PetitionRepresentative

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", stdout=io.StringIO(), stations=args.stations, representatives=args.representatives)
    print(f"{time.perf_counter() - started:8.1f} s  seed_demo (demo district, its demo petitions; not the figure)")
    before = Petition.objects.count()
    started = time.perf_counter()
    out = io.StringIO()
    call_command("seed_demo", stdout=out, petitions=args.petitions)
    seconds = time.perf_counter() - started
    for line in out.getvalue().splitlines():
        if "indexes" in line or "analysed" in line:
            print(f"          {line.strip()}")
    added = Petition.objects.count() - before
    print(
        f"{seconds:8.1f} s  seed_demo --petitions {args.petitions:,}: {added:,} petitions, "
        f"{added / seconds:,.0f} rows/s"
    )
    for model in (Petition, PetitionRepresentative, PetitionEvent):
        print(f"{model.objects.count():12,d}  {model._meta.verbose_name_plural}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('petitions_petition'))")
            print(f"{cursor.fetchone()[0]:>12}  petitions table with its indexes")


if __name__ == "__main__":
    main()

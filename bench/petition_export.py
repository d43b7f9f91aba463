"""Time the ledger's Excel export through its job runner; print seconds, rows/s and peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench \\
        .venv/bin/python bench/petition_export.py --rows 100000

Needs a database filled by bench/seed_petitions.py. The export is that of the
committee office account (`office`, the whole district, names and phones
masked) filtered to the newest days that hold about --rows petitions, run as
the Celery worker runs it (`liaison.jobs.job_run`). Each size runs twice: once
for time and resident-set growth (ru_maxrss), once under tracemalloc for the
peak of Python allocations (tracemalloc slows Python down, so its time is not
the figure). A smaller size first shows that memory does not grow with rows.
"""

import argparse
import gc
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.seed_petitions import DEFAULT_URL, setup_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=20_000, help="a smaller export first, to compare memory")
    parser.add_argument("--user", default="office")
    args = parser.parse_args()
    setup_django(os.environ.get("DATABASE_URL", DEFAULT_URL))
    from django.db import connection

    from liaison.models import User

    user = User.objects.get(username=args.user)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; exporting as {user.username}")
    for rows in (args.small, args.rows):
        query = query_for_rows(user, rows)
        export(user, query, traced=False)
        export(user, query, traced=True)


def query_for_rows(user, rows: int) -> str:
    """A ledger query string (received from a date on) that selects about `rows` petitions."""
    from petitions.models import Petition

    dates = Petition.objects.visible_to(user).order_by("-received_on", "-pk").values_list("received_on", flat=True)
    start = dates[rows - 1 : rows].first()
    return f"received_from={start.isoformat()}" if start else ""


def export(user, query: str, *, traced: bool) -> None:
    from django.db import reset_queries

    from liaison.jobs import job_run
    from liaison.models import Job

    job = Job.objects.create(
        owner=user, kind="petition_export", title="bench", params={"query": query, "language": "zh-hans"}
    )
    gc.collect()
    reset_queries()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    job_run(job.pk)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    if traced:
        tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    size = job.result_file.size
    if traced:
        print(f"  tracemalloc peak {peak / 2**20:7.1f} MiB  ({job.progress_done:,} rows, {query})")
    else:
        print(
            f"{seconds:7.1f} s  {job.progress_done:,} rows  {job.progress_done / seconds:,.0f} rows/s  "
            f"file {size / 2**20:.1f} MiB  ru_maxrss +{rss_growth / 1024:.1f} MiB"
        )
    job.result_file.delete(save=False)
    job.delete()


if __name__ == "__main__":
    main()

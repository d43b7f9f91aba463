"""Time the dashboard, the monthly report and the department evaluation at a million petitions.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench \\
        .venv/bin/python bench/dashboard.py

Needs a database filled by bench/seed_petitions.py. Each page goes through the real view
(Django's test client) for the committee office of the whole district, the office of one
township and station staff, over the last twelve months and over one month. Each figure is
the median of 3 requests after one warm-up, with the number of SQL queries of one request
and the number of items the page counted. The figures' cache is off: every request counts.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.seed_petitions import DEFAULT_URL, setup_django  # noqa: E402

RUNS = 3


def main() -> None:
    os.environ["LIAISON_DASHBOARD_CACHE_SECONDS"] = "0"  # every request counts afresh
    setup_django(os.environ.get("DATABASE_URL", DEFAULT_URL))
    from datetime import timedelta

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    from liaison.models import User
    from petitions.models import Petition

    setup_test_environment()
    today = timezone.localdate()
    year_ago = (today.replace(day=1) - timedelta(days=335)).replace(day=1)
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    twelve = {"period": "custom", "start": year_ago.isoformat(), "end": today.isoformat()}
    print(f"petitions in the database: {Petition.objects.count():,}")
    print(f"{'page':<44} {'account':<11} {'median':>9} {'min':>9} {'queries':>8} {'items':>10}")
    pages = [
        ("dashboard page (before its figures)", "/reports/", twelve),
        ("dashboard figures, last 12 months", "/reports/", {**twelve, "part": "body"}),
        ("dashboard figures, last month", "/reports/", {"period": "last_month", "part": "body"}),
        ("dashboard Excel, last 12 months", "/reports/export/", twelve),
        ("monthly report (month + 12-month trend)", "/reports/monthly/", {"month": f"{month:%Y-%m}"}),
        ("department evaluation, last 12 months", "/reports/departments/", twelve),
    ]
    for username in ("office", "office_yqz", "staff"):
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        for label, path, params in pages:
            client.get(path, params)  # warm-up: plans and caches
            times = []
            for _n in range(RUNS):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(path, params)
                    times.append(time.perf_counter() - started)
                assert response.status_code == 200, (label, username, response.status_code)
            items = ""
            if response.context is not None and response.context.get("board"):
                items = f"{response.context['board'].total.received:,}"
            print(
                f"{label:<44} {username:<11} {statistics.median(times) * 1000:>7.0f} ms {min(times) * 1000:>6.0f} ms"
                f" {len(queries):>8} {items:>10}"
            )


if __name__ == "__main__":
    main()

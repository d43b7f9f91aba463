"""Time the ledger page (the real view, through the Django test client) at a million petitions.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench \\
        .venv/bin/python bench/ledger_page.py

Needs a database filled by bench/seed_petitions.py. For the demo accounts of
the committee office (the whole district), station staff, a representative and
a department: the first page, page 50 (its keyset cursor found by walking the
pages beforehand), a page filtered by category and status, and a search (停车).
Each figure is the median of 5 requests after one warm-up, with the number of
SQL queries of one request.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.seed_petitions import DEFAULT_URL, setup_django  # noqa: E402

ROLES = ("office", "staff", "rep", "dept")
RUNS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", type=int, default=50)
    parser.add_argument("--search", default="停车")
    args = parser.parse_args()
    setup_django(os.environ.get("DATABASE_URL", DEFAULT_URL))
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from liaison.models import User
    from petitions.models import Category, Petition, Status

    setup_test_environment()  # the test client's host name and response context
    url = reverse("petitions:ledger")
    total = Petition.objects.count()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; {total:,} petitions")
    category = Category.objects.get(name="城市管理", parent=None).pk
    print(f"{'role':8} {'visible':>9}  {'scenario':28} {'median':>9} {'queries':>8}")
    for username in ROLES:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        visible = Petition.objects.visible_to(user).count()
        scenarios = [
            ("first page", {}),
            (f"page {args.page} (keyset)", {"cursor": cursor_for_page(user, args.page)}),
            ("category + status", {"category": category, "status": Status.CLOSED}),
            (f"search {args.search}", {"q": args.search}),
        ]
        for title, params in scenarios:
            median, queries, rows = measure(client, url, params)
            print(f"{username:8} {visible:>9,}  {title:28} {median * 1000:7.0f} ms {queries:>8}  ({rows} rows)")


def cursor_for_page(user, page: int) -> str:
    """The cursor of page `page` in the default order, found by walking the pages as the view does."""
    from django.http import QueryDict

    from petitions.ledger import listing as ledger

    form = ledger.ledger_filter(user, QueryDict(""))
    paginator = ledger.KeysetPaginator(
        form.filter(ledger.ledger_base(user, prefetch=False)), form.ordering, form.page_size
    )
    token = ""
    for _n in range(page - 1):
        current = paginator.page(token)
        if not current.next_cursor:
            break
        token = current.next_cursor
    return token


def measure(client, url: str, params: dict) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)  # warm-up
    times = []
    for _n in range(RUNS):
        started = time.perf_counter()
        response = client.get(url, params)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    rows = len(response.context["page"].rows) if response.context else 0
    return statistics.median(times), len(queries), rows


if __name__ == "__main__":
    main()

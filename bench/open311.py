"""Requests per second of the Open311 API, served by gunicorn on 127.0.0.1 from PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench_open311 \\
        .venv/bin/python bench/open311.py

DATABASE_URL defaults to the scratch database `liaison_bench_open311` on 127.0.0.1
(created when missing, migrated). The first run files 1,200 items through the real
registration service into one district (100 under one service, the rest under
another) and makes an API client for the district; later runs reuse them (the POST
scenario adds a few hundred items each run). Then gunicorn is started from the venv
with the project's gunicorn.conf.py (WEB_CONCURRENCY workers, default 3, four threads
each; no access log), and each scenario sends a bounded number of requests from
CONCURRENCY keep-alive client threads (default 8):

    GET requests.json        100 results (service_code filter) and 1,000 results (the cap)
    GET requests/{id}.json   a different item each time
    POST requests.json       a new item each time (registration, event, token)

Prints requests per second, the median and 95th-percentile latency, and checks every
answer was 200 with the expected number of records. gunicorn is stopped at the end.
"""

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.seed_petitions import ensure_database, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/liaison_bench_open311"
ITEMS, SMALL = 1200, 100
KEY_FILE = ROOT / "var" / "bench-open311-key"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=int(os.environ.get("CONCURRENCY", "8")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    key, small_code, large_code = prepare()
    from petitions.models import Petition

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; {Petition.objects.count():,} petitions")
    connection.close()

    port = args.port or free_port()
    server = start_gunicorn(url, port, args.workers)
    try:
        wait_until_up(port)
        numbers = [r["service_request_id"] for r in get_json(port, "/open311/v2/requests.json", api_key=key)]
        print(f"gunicorn: {args.workers} workers x 4 threads on 127.0.0.1:{port}; {args.concurrency} client threads")
        print(f"{'scenario':34} {'requests':>8} {'req/s':>8} {'median':>9} {'p95':>9}")
        scenarios = [
            (
                "GET requests.json (100 results)",
                400,
                lambda i: (
                    "GET",
                    "/open311/v2/requests.json?" + urlencode({"api_key": key, "service_code": small_code}),
                    None,
                ),
                SMALL,
            ),
            (
                "GET requests.json (1000 results)",
                120,
                lambda i: ("GET", "/open311/v2/requests.json?" + urlencode({"api_key": key}), None),
                1000,
            ),
            (
                "GET requests/{id}.json",
                1500,
                lambda i: ("GET", f"/open311/v2/requests/{numbers[i % len(numbers)]}.json?api_key={key}", None),
                1,
            ),
            (
                "POST requests.json",
                300,
                lambda i: (
                    "POST",
                    "/open311/v2/requests.json",
                    urlencode(
                        {
                            "api_key": key,
                            "service_code": large_code,
                            "description": f"压测：第{i}号路灯不亮",
                            "lat": "40.465512",
                            "long": "115.985301",
                            "phone": "13512345678",
                            "first_name": "测",
                            "last_name": "试",
                        }
                    ),
                ),
                1,
            ),
        ]
        for title, count, make, expected in scenarios:
            run(port, title, count, make, expected, args.concurrency)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def prepare() -> tuple[str, str, str]:
    """The bench district, its client (key kept in var/) and ITEMS items, made once."""
    from liaison.models import Jurisdiction
    from petitions.ledger.services import PetitionDraft, petition_register
    from petitions.models import ApiClient, Category, Petition
    from stations.models import Station

    L = Jurisdiction.Level
    province, _ = Jurisdiction.objects.get_or_create(
        code="650000000000", defaults={"name": "压测省", "level": L.PROVINCE}
    )
    city, _ = Jurisdiction.objects.get_or_create(
        code="650100000000", defaults={"name": "压测市", "level": L.CITY, "parent": province}
    )
    county, _ = Jurisdiction.objects.get_or_create(
        code="650102000000", defaults={"name": "压测区", "level": L.COUNTY, "parent": city}
    )
    town, _ = Jurisdiction.objects.get_or_create(
        code="650102001000", defaults={"name": "压测街道", "level": L.TOWNSHIP, "parent": county}
    )
    village, _ = Jurisdiction.objects.get_or_create(
        code="650102001001", defaults={"name": "压测社区", "level": L.COMMUNITY, "parent": town}
    )
    station, _ = Station.objects.get_or_create(
        code="BENCH-O311", defaults={"name": "压测社区联络站", "jurisdiction": village}
    )
    small, large = Category.objects.filter(parent__isnull=False, is_active=True).order_by("pk")[:2]

    client = ApiClient.objects.filter(name="bench-open311").first()
    if client is None or not KEY_FILE.exists():
        client = client or ApiClient(name="bench-open311", jurisdiction=county, default_station=station)
        raw = client.set_new_key()
        client.save()
        KEY_FILE.parent.mkdir(exist_ok=True)
        KEY_FILE.write_text(raw)
    key = KEY_FILE.read_text().strip()

    have = Petition.objects.filter(area_code=village.code, category=small).count()
    started = time.perf_counter()
    for n in range(have, SMALL):
        petition_register(
            actor=None,
            draft=PetitionDraft(
                jurisdiction=village, station=station, category=small, content=f"路灯不亮{n}", petitioner_name="张三"
            ),
        )
    have = Petition.objects.filter(area_code=village.code, category=large).count()
    for n in range(have, ITEMS - SMALL):
        petition_register(
            actor=None,
            draft=PetitionDraft(
                jurisdiction=village, station=station, category=large, content=f"道路坑洼{n}", petitioner_name="李四"
            ),
        )
    seconds = time.perf_counter() - started
    if seconds > 1:
        print(f"seeded the bench district in {seconds:.1f} s")
    return key, str(small.pk), str(large.pk)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "liaison.settings.dev",
        "DJANGO_DEBUG": "false",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_THREADS": "4",
        "LIAISON_LOG_LEVEL": "WARNING",
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "-c",
        "gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "/dev/null",
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def wait_until_up(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            get_json(port, "/open311/v2/discovery.json")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer")


def get_json(port: int, path: str, **params):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path + ("?" + urlencode(params) if params else ""))
    response = conn.getresponse()
    data = response.read()
    conn.close()
    if response.status != 200:
        raise SystemExit(f"{path}: {response.status} {data[:200]!r}")
    return json.loads(data)


def run(port, title, count, make, expected, concurrency) -> None:
    """`count` requests from `concurrency` threads on keep-alive connections; every answer checked."""
    # One warm-up request per thread's worth, untimed.
    for i in range(concurrency):
        method, path, body = make(10_000 + i)
        if method == "GET":
            send(http.client.HTTPConnection("127.0.0.1", port, timeout=60), method, path, body, expected)
    latencies, errors, lock, counter = [], [], threading.Lock(), iter(range(count))

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            method, path, body = make(i)
            started = time.perf_counter()
            try:
                send(conn, method, path, body, expected)
            except Exception as exc:
                errors.append(repr(exc))
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            with lock:
                latencies.append(time.perf_counter() - started)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else 0
    print(
        f"{title:34} {len(latencies):>8} {len(latencies) / seconds:8.1f} {statistics.median(latencies) * 1000:7.1f}ms "
        f"{p95 * 1000:7.1f}ms" + (f"  {len(errors)} errors, e.g. {errors[0]}" if errors else "")
    )


def send(conn, method, path, body, expected) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        raise RuntimeError(f"{method} {path[:60]}: {response.status} {data[:120]!r}")
    records = json.loads(data)
    if len(records) != expected:
        raise RuntimeError(f"{method} {path[:60]}: {len(records)} records, expected {expected}")


if __name__ == "__main__":
    main()

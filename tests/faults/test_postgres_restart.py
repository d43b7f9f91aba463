"""PostgreSQL restarted under load: 503 with Retry-After and the "nothing you saved is lost"
page during the outage (never 500, never 400 SessionInterrupted), then the site recovers by itself.

The test starts a private PostgreSQL cluster (initdb/pg_ctl on a free port in a temporary
folder), migrates it, serves the site from it with gunicorn, requests pages from three
threads (a signed-in office page, a form POST, a public page) and stops and starts the
cluster meanwhile. Skipped where the PostgreSQL server binaries are absent.
"""

import glob
import http.cookiejar
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.faults.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), None)
SAVED_IS_LOST = "您已保存的内容没有丢失"
CSRF = "a" * 32  # an unmasked secret is a valid token when cookie and field agree
NORMAL = {"ledger": 200, "post": 404, "public": 200}

pytestmark = pytest.mark.skipif(not BIN or not os.path.exists(f"{BIN}/pg_ctl"), reason="needs initdb/pg_ctl")


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb refuses to run as root; CI runs as an ordinary user.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class Cluster:
    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.data = folder / "data"
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        subprocess.run(_as_postgres([f"{BIN}/initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust"]),
                       check=True, capture_output=True)  # fmt: skip

    def pg_ctl(self, *args):
        subprocess.run(
            _as_postgres(
                [f"{BIN}/pg_ctl", "-D", str(self.data), "-l", str(self.folder / "pg.log"), "-w", "-t", "60", *args,
                 "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"]
            ),
            check=True,
            capture_output=True,
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/liaison"


def _env(cluster: Cluster) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.pop("REDIS_URL", None)  # the cache and broker are not under test here
    env.update(DJANGO_SETTINGS_MODULE="liaison.settings.test", DATABASE_URL=cluster.url)
    return env


SETUP = """
from django.contrib.sessions.backends.db import SessionStore
from liaison.models import Role, User
u = User.objects.create_user("office", password="x-Very-long-1", role=Role.ADMIN, is_superuser=True, is_staff=True)
s = SessionStore()
s.update({"_auth_user_id": str(u.pk), "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
          "_auth_user_hash": u.get_session_auth_hash()})
s.create()
print(s.session_key)
"""


class Load:
    """Three clients requesting in a loop; every answer is recorded with the time it came."""

    def __init__(self, base: str, session_key: str):
        self.base, self.answers, self.stop = base, [], threading.Event()
        jar = http.cookiejar.CookieJar()
        for name, value in (("sessionid", session_key), ("csrftoken", CSRF)):
            jar.set_cookie(
                http.cookiejar.Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/", True,
                                      False, None, False, None, None, {})
            )  # fmt: skip
        self.signed_in = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        self.anonymous = urllib.request.build_opener()
        self.threads = [
            threading.Thread(target=self._loop, args=(name,), daemon=True) for name in ("ledger", "post", "public")
        ]

    def request(self, name: str):
        if name == "ledger":
            req = urllib.request.Request(f"{self.base}/petitions/")
            opener = self.signed_in
        elif name == "post":  # a form POST that passes CSRF and reads the database (no item 999: 404)
            data = f"csrfmiddlewaretoken={CSRF}&text=x".encode()
            req = urllib.request.Request(f"{self.base}/petitions/999/notes/", data=data, method="POST")
            opener = self.signed_in
        else:
            req = urllib.request.Request(f"{self.base}/directory/")
            opener = self.anonymous
        req.add_header("Accept-Language", "zh-hans")
        try:
            with opener.open(req, timeout=20) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()
        except OSError as error:
            return 0, {}, str(error)

    def _loop(self, name: str):
        while not self.stop.is_set():
            sent = time.monotonic()
            status, headers, body = self.request(name)
            # (answered at, name, status, headers, body, sent at)
            self.answers.append((time.monotonic(), name, status, headers, body, sent))
            time.sleep(0.05)

    def start(self):
        for t in self.threads:
            t.start()

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(30)


def _wait_for(load: Load, name: str, status: int, seconds: float) -> float:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if load.request(name)[0] == status:
            return time.monotonic()
        time.sleep(0.2)
    raise AssertionError(f"{name} never answered {status}")


def test_a_postgres_restart_answers_503_then_recovers_by_itself(tmp_path):
    # Not under tmp_path: as root, the cluster runs as postgres, who cannot enter pytest's folders.
    folder = Path(tempfile.mkdtemp(prefix="liaison-pg-"))
    cluster = Cluster(folder)
    cluster.pg_ctl("start")
    server = None
    try:
        subprocess.run(_as_postgres([f"{BIN}/createdb", "-h", "127.0.0.1", "-p", str(cluster.port), "liaison"]),
                       check=True, capture_output=True)  # fmt: skip
        env = _env(cluster)
        python = sys.executable
        subprocess.run([python, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
        session_key = (
            subprocess.run(
                [python, "manage.py", "shell", "-c", SETUP],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        port = free_port()
        log = (tmp_path / "gunicorn.log").open("wb")
        server = subprocess.Popen(
            [str(Path(python).with_name("gunicorn")), "liaison.wsgi:application", "-b", f"127.0.0.1:{port}",
             "-w", "1", "--threads", "4", "--timeout", "60"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        load = Load(f"http://127.0.0.1:{port}", session_key)
        _wait_for(load, "ledger", 200, 60)
        load.start()
        time.sleep(2)
        cluster.pg_ctl("stop", "-m", "fast")  # every connection is cut, new ones are refused
        stopped = time.monotonic()
        time.sleep(4)
        restarting = time.monotonic()
        cluster.pg_ctl("start")
        started = time.monotonic()
        recovered = _wait_for(load, "ledger", 200, 60)
        time.sleep(2)
        load.finish()
    finally:
        if server is not None:
            server.terminate()
            server.wait(20)
        subprocess.run(_as_postgres([f"{BIN}/pg_ctl", "-D", str(cluster.data), "stop", "-m", "immediate"]),
                       capture_output=True)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)

    statuses = {}
    for _, name, status, _, _, _ in load.answers:
        statuses.setdefault((name, status), 0)
        statuses[(name, status)] += 1
    # Sent after the stop and answered before the start began: the database was away for all of them (one in
    # flight at the stop, or answered while the server came back, may rightly be a 200).
    outage = [a for a in load.answers if stopped < a[5] and a[0] < restarting]
    assert outage, statuses
    assert not [a for a in load.answers if a[2] in (0, 400, 500)], statuses  # never a 500, a 400, a dropped line
    unavailable = [a for a in load.answers if a[2] == 503]
    assert {a[1] for a in unavailable} >= {"ledger", "public"}, statuses
    for _, _, _, headers, body, _ in unavailable:
        assert headers.get("Retry-After") == "30" and SAVED_IS_LOST in body
    assert all(a[2] == 503 for a in outage), statuses
    after = [a for a in load.answers if a[0] > recovered + 0.5]
    assert after and all(a[2] == NORMAL[a[1]] for a in after), statuses
    print(
        f"\nanswers {sum(statuses.values())}: {dict(sorted(statuses.items()))}; "
        f"outage {started - stopped:.1f} s, back to 200 {recovered - started:.1f} s after the start"
    )

"""Response headers and cookies: Permissions-Policy, Referrer-Policy, nosniff; `__Host-` cookies in
production; no product or version in the Server header (a real gunicorn with gunicorn.conf.py)."""

import importlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from liaison.headers import permissions_policy

ROOT = Path(django_settings.BASE_DIR)


def test_every_page_switches_off_the_features_it_does_not_use(client, db):
    response = client.get(reverse("login"))
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
    assert "clipboard-write=(self)" in policy  # the tracking number's "Copy" button
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_downloads_get_the_headers_too(client, db):
    response = client.get(reverse("public:directory_geojson"))
    assert response.status_code == 200
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_view_may_set_its_own_permissions_policy():
    assert permissions_policy({"camera": [], "fullscreen": ["self"]}) == "camera=(), fullscreen=(self)"
    assert permissions_policy({}) == ""


@pytest.fixture
def prod(monkeypatch):
    """The production settings module, read with a minimal environment."""
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "liaison.example.gov.cn")
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/unused.sqlite3")
    module = importlib.import_module("liaison.settings.prod")
    return importlib.reload(module)


def test_production_names_its_cookies_with_the_host_prefix(prod):
    assert prod.SESSION_COOKIE_NAME == "__Host-sessionid"
    assert prod.CSRF_COOKIE_NAME == "__Host-csrftoken"
    assert prod.SESSION_COOKIE_SECURE and prod.CSRF_COOKIE_SECURE
    assert prod.SESSION_COOKIE_PATH == prod.CSRF_COOKIE_PATH == "/"
    assert prod.SESSION_COOKIE_DOMAIN is None and prod.CSRF_COOKIE_DOMAIN is None


def test_a_sign_in_over_https_sets_host_prefixed_cookies_a_browser_accepts(client, world, settings, prod):
    """A __Host- cookie is kept by a browser only with Secure, Path=/ and no Domain."""
    for name in (
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_PATH",
        "CSRF_COOKIE_PATH",
        "SESSION_COOKIE_DOMAIN",
        "CSRF_COOKIE_DOMAIN",
    ):
        setattr(settings, name, getattr(prod, name))
    client.get(reverse("login"), secure=True)
    response = client.post(
        reverse("login"), {"username": "office", "password": world.password}, secure=True, follow=False
    )
    assert response.status_code == 302
    cookies = response.cookies  # the Set-Cookie headers, parsed
    assert "__Host-sessionid" in cookies and "__Host-csrftoken" in cookies, list(cookies)
    for name in ("__Host-sessionid", "__Host-csrftoken"):
        morsel = cookies[name]
        assert morsel["secure"] is True, name
        assert morsel["path"] == "/", name
        assert not morsel["domain"], name
    assert "sessionid" not in cookies and "csrftoken" not in cookies
    assert client.get(reverse("home"), secure=True).status_code == 200  # the session works under its new name


def test_production_settings_pass_the_deployment_checks():
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="liaison.settings.prod",
        DJANGO_SECRET_KEY="k" * 30 + "-Zq8_" + "v" * 30,
        DJANGO_ALLOWED_HOSTS="liaison.example.gov.cn",
        DATABASE_URL="sqlite:////tmp/h14-unused.sqlite3",
    )
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by Playwright for the browser tests, never in production
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_names_no_product_or_version(tmp_path):
    """gunicorn.conf.py as production runs it: the Server header says neither "gunicorn" nor a version."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        pytest.skip("gunicorn is not installed")
    port = _free_port()
    env = dict(os.environ)
    env.update(
        PORT=str(port),
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="1",
        DJANGO_SETTINGS_MODULE="liaison.settings.test",
    )
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    server = subprocess.Popen(
        [str(gunicorn), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=60)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        headers = response.headers
        assert response.status == 200
        assert headers["Server"] == "web"
        assert "gunicorn" not in str(headers).lower()
        assert "Content-Security-Policy" in headers and "Permissions-Policy" in headers
    finally:
        server.terminate()
        server.wait(timeout=30)

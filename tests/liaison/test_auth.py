"""Sign-in, lockout, idle sessions, password rules, language switch, error pages."""

import importlib
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多"


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Failed sign-ins per address are counted in the cache; every test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


WRONG = "用户名或密码错误"


def login(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_page_is_chinese_by_default(world, client):
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="zh-hans">' in html and "登录" in html


def test_sign_in_and_out(world, client):
    response = login(client, "office", world.password)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_and_unknown_user_read_the_same(world, client):
    wrong = login(client, "office", "nope-nope-nope").content.decode()
    unknown = login(client, "no-such-user", "nope-nope-nope").content.decode()
    assert WRONG in wrong and WRONG in unknown


@pytest.mark.parametrize("username", ["office", "no-such-user"])
def test_five_failures_lock_the_account_for_15_minutes(world, username):
    client = Client()
    for _ in range(4):
        assert login(client, username, "wrong-password-x").status_code == 200
    fifth = login(client, username, "wrong-password-x")
    assert fifth.status_code == 429 and LOCKED in fifth.content.decode()
    # Locked now: even the right password is refused, with the same message.
    locked = login(client, username, world.password if username == "office" else "x")
    assert locked.status_code == 429 and LOCKED in locked.content.decode()
    # The lock is the account's: from another address it stays locked (issue 14), with the same message.
    elsewhere = login(Client(), username, world.password if username == "office" else "x", ip="10.0.0.2")
    assert elsewhere.status_code == 429 and LOCKED in elsewhere.content.decode()


def test_lock_expires_after_cool_off(world, client):
    from axes.models import AccessAttempt

    for _ in range(5):
        login(client, "office", "wrong-password-x")
    assert login(client, "office", world.password).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert login(client, "office", world.password).status_code == 302


def test_lockout_settings():
    assert django_settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == django_settings.AXES_COOLOFF_TIME
    assert django_settings.AXES_LOCKOUT_PARAMETERS == ["username"]
    assert django_settings.LIAISON_SIGNIN_FAILURES_PER_ADDRESS == "10/900"


def test_session_ends_after_30_minutes_idle(world, client):
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60 and django_settings.SESSION_SAVE_EVERY_REQUEST
    login(client, "office", world.password)
    session = client.session
    assert 29 * 60 < session.get_expiry_age() <= 30 * 60
    # A request inside the window renews it; a session past its expiry is gone.
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key=session.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_argon2_first_and_validators_on():
    base = importlib.import_module("liaison.settings.base")
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert len(base.AUTH_PASSWORD_VALIDATORS) >= 4


def test_weak_password_is_refused_in_chinese(world, client_for):
    client = client_for(world.office)
    response = client.post(
        reverse("password_change"),
        {"old_password": world.password, "new_password1": "12345678", "new_password2": "12345678"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "密码只包含数字" in html and "至少要包含 10 个字符" in html


def test_password_change(world, client_for):
    client = client_for(world.office)
    new = "Quiet-River-2026"
    response = client.post(
        reverse("password_change"), {"old_password": world.password, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    world.office.refresh_from_db()
    assert world.office.check_password(new)


def test_language_switch_to_english(world, client):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html and "Sign in" in html


def test_friendly_404_without_details(world, client_for):
    response = client_for(world.office).get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404 and "页面不存在" in html and "Traceback" not in html


def test_friendly_500_without_details(rf):
    from liaison.views.errors import server_error

    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500 and "Traceback" not in html and "出错" in html


def test_403_page(world, client_for):
    response = client_for(world.dept).get(reverse("stations:station_list"))
    assert response.status_code == 403 and "无权" in response.content.decode()


@pytest.mark.parametrize("account", ["admin", "office", "office_t1", "staff", "rep", "dept", "nobody"])
def test_home_for_every_role(world, client_for, account):
    response = client_for(getattr(world, account)).get(reverse("home"))
    assert response.status_code == 200


def test_navigation_follows_permissions(world, client_for):
    office_nav = {i["key"] for i in client_for(world.office).get(reverse("home")).context["nav_items"]}
    dept_nav = {i["key"] for i in client_for(world.dept).get(reverse("home")).context["nav_items"]}
    admin_nav = {i["key"] for i in client_for(world.admin).get(reverse("home")).context["nav_items"]}
    assert {"stations", "representatives"} <= office_nav and "admin" not in office_nav
    assert not dept_nav & {"stations", "representatives", "admin"}
    assert "admin" in admin_nav

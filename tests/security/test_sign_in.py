"""Sign-in throttling per account and per address, and the absolute session lifetime."""

import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from liaison.middleware import SIGNED_IN_AT

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def login(client, username, password, ip):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_twelve_failures_across_three_accounts_lock_the_address(world):
    attacker = Client()
    statuses = [
        login(attacker, username, "wrong-password-x", "10.9.9.9").status_code
        for _ in range(4)
        for username in ("office", "staff", "rep")
    ]
    # 4 per account stays under the account's 5; the address's 10 does not.
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429], statuses
    locked = login(attacker, "office", world.password, "10.9.9.9")
    assert locked.status_code == 429 and LOCKED in locked.content.decode()  # even the right password
    # Another address is not locked, and the accounts are not either (4 failures each).
    assert login(Client(), "office", world.password, "10.9.9.10").status_code == 302


def test_a_locked_account_stays_locked_from_another_address(world):
    for i in range(5):
        login(Client(), "office", "wrong-password-x", f"10.8.0.{i}")  # one failure each from five addresses
    response = login(Client(), "office", world.password, "10.8.1.1")
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert "15" in response.content.decode()
    # Other accounts from the same addresses are untouched.
    assert login(Client(), "staff", world.password, "10.8.0.1").status_code == 302


def test_successful_sign_ins_from_one_office_address_never_lock_it(world):
    for _ in range(30):
        assert login(Client(), "staff", world.password, "10.7.0.1").status_code == 302


def test_a_session_ends_12_hours_after_sign_in_however_busy(world, settings):
    assert settings.LIAISON_SESSION_MAX_SECONDS == 12 * 60 * 60
    client = Client()
    assert login(client, "office", world.password, "10.6.0.1").status_code == 302
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    assert abs(session[SIGNED_IN_AT] - time.time()) < 60
    session[SIGNED_IN_AT] = int(time.time()) - 11 * 60 * 60  # 11 hours in: still on
    session.save()
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - 12 * 60 * 60 - 1  # 12 hours and a second: signed out
    session.save()
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "超过 12 小时" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302  # and it stays out

"""The optional second factor (liaison/twofactor.py): RFC vectors, enrolment, the sign-in's second
step, replay, recovery codes, the attempts limit and the required-roles gate."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from liaison import twofactor
from liaison.models import AuditEntry, TwoFactorDevice
from liaison.twofactor import hotp, match_step, totp
from liaison.views.twofactor import NEW_SECRET, PENDING

RFC_KEY = b"12345678901234567890"


@pytest.mark.parametrize(
    ("counter", "expected"),
    list(
        enumerate(["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"])
    ),
)
def test_hotp_rfc4226_vectors(counter, expected):
    assert hotp(RFC_KEY, counter) == expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_totp_rfc6238_sha1_vectors(at, expected):
    assert totp(RFC_KEY, at, digits=8) == expected


def test_window_is_one_step_either_side_and_never_a_used_step():
    now = 1_700_000_015.0
    step = int(now // 30)
    for delta in (-1, 0, 1):
        assert match_step(RFC_KEY, hotp(RFC_KEY, step + delta), now) == step + delta
    assert match_step(RFC_KEY, hotp(RFC_KEY, step - 2), now) is None
    assert match_step(RFC_KEY, hotp(RFC_KEY, step + 2), now) is None
    assert match_step(RFC_KEY, hotp(RFC_KEY, step), now, after=step) is None
    assert match_step(RFC_KEY, hotp(RFC_KEY, step + 1), now, after=step) == step + 1


def test_secret_is_sealed_at_rest_and_opens_with_a_fallback_key(settings):
    secret = twofactor.new_secret()
    assert len(secret) == 32
    sealed = twofactor._seal(secret)
    assert secret not in sealed
    assert twofactor._unseal(sealed) == secret
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-key-" * 5, [old]
    assert twofactor._unseal(sealed) == secret
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(ValueError):
        twofactor._unseal(sealed)


def code_for(secret, at=None):
    return totp(twofactor._key(secret), time.time() if at is None else at)


# -- the pages ---------------------------------------------------------------------------------------


def enrol(client, user):
    """Enrol `user` through the pages; returns (secret, recovery codes)."""
    page = client.get(reverse("twofactor_setup"))
    assert page.status_code == 200
    secret = client.session[NEW_SECRET]
    assert twofactor.group_secret(secret) in page.content.decode()
    assert "data:image/svg+xml" in page.content.decode()
    done = client.post(reverse("twofactor_setup"), {"code": code_for(secret)})
    assert done.status_code == 302 and done["Location"] == reverse("twofactor_codes")
    sheet = client.get(reverse("twofactor_codes"))
    codes = sheet.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "data-print" in sheet.content.decode()
    return secret, codes


def sign_in(client, user, password):
    return client.post(reverse("login"), {"username": user.username, "password": password})


def next_step(secret):
    """A code of the next time step (inside the window, never used yet)."""
    return code_for(secret, time.time() + 30)


def test_enrol_shows_the_secret_once_and_the_codes_once(world, client_for):
    client = client_for(world.office)
    wrong = client.get(reverse("twofactor_setup"))
    secret = client.session[NEW_SECRET]
    assert wrong.status_code == 200
    bad = client.post(reverse("twofactor_setup"), {"code": "000000" if code_for(secret) != "000000" else "111111"})
    assert bad.status_code == 200 and bad.context["form"].errors
    assert not TwoFactorDevice.objects.exists()

    secret, codes = enrol(client, world.office)
    device = TwoFactorDevice.objects.get(user=world.office)
    assert secret not in device.secret and all(c not in str(device.recovery_codes) for c in codes)
    page = client.get(reverse("twofactor_setup")).content.decode()
    assert twofactor.group_secret(secret) not in page and secret not in page
    assert "10" in page
    # The codes page shows them once: a second visit goes back to the settings.
    assert client.get(reverse("twofactor_codes")).status_code == 302
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TWOFACTOR_ENROL)
    assert entry.user == world.office


def test_sign_in_asks_for_the_code_before_the_session_is_signed_in(world, client):
    secret, _codes = enrol(signed_in(world.admin), world.admin)
    sign_ins = AuditEntry.objects.filter(action=AuditEntry.Action.SIGN_IN, user=world.admin)
    before = sign_ins.count()
    answer = sign_in(client, world.admin, world.password)
    assert sign_ins.count() == before
    assert answer.status_code == 302 and answer["Location"] == reverse("twofactor_verify")
    # Not signed in: a page still sends to the sign-in page.
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert client.session[PENDING]["user"] == world.admin.pk

    page = client.get(reverse("twofactor_verify"))
    assert page.status_code == 200
    done = client.post(reverse("twofactor_verify"), {"code": next_step(secret)})
    assert done.status_code == 302 and done["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(world.admin.pk)
    assert PENDING not in client.session
    assert client.get(reverse("home")).status_code == 200
    assert sign_ins.count() == before + 1


def test_without_a_device_the_password_alone_signs_in(world, client):
    answer = sign_in(client, world.office, world.password)
    assert answer.status_code == 302 and answer["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(world.office.pk)


def test_a_code_cannot_be_used_twice(world, client):
    secret, _codes = enrol(signed_in(world.office), world.office)
    code = next_step(secret)
    sign_in(client, world.office, world.password)
    assert client.post(reverse("twofactor_verify"), {"code": code}).status_code == 302
    other = Client()
    sign_in(other, world.office, world.password)
    replay = other.post(reverse("twofactor_verify"), {"code": code})
    assert replay.status_code == 200 and "验证码错误或已使用过" in replay.content.decode()
    assert "_auth_user_id" not in other.session
    # An earlier step than the one used is refused as well.
    again = other.post(reverse("twofactor_verify"), {"code": code_for(secret)})
    assert "_auth_user_id" not in other.session, again.status_code
    assert AuditEntry.objects.filter(action=AuditEntry.Action.TWOFACTOR_FAILED, user=world.office).count() == 2


def test_a_recovery_code_signs_in_once(world, client):
    _secret, codes = enrol(signed_in(world.office), world.office)
    sign_in(client, world.office, world.password)
    done = client.post(reverse("twofactor_verify"), {"code": codes[3].upper().replace("-", " ")})
    assert done.status_code == 302 and client.session["_auth_user_id"] == str(world.office.pk)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.TWOFACTOR_RECOVERY).count() == 1
    other = Client()
    sign_in(other, world.office, world.password)
    again = other.post(reverse("twofactor_verify"), {"code": codes[3]})
    assert again.status_code == 200 and "_auth_user_id" not in other.session
    assert twofactor.recovery_codes_left(TwoFactorDevice.objects.get(user=world.office)) == 9


def test_five_wrong_codes_lock_the_second_step_across_sessions(world, client):
    secret, _codes = enrol(signed_in(world.office), world.office)
    right = {code_for(secret, time.time() + d) for d in (-30, 0, 30)}
    wrong = next(c for c in ("123456", "654321", "111111", "222222") if c not in right)
    sign_in(client, world.office, world.password)
    for _ in range(4):
        assert client.post(reverse("twofactor_verify"), {"code": wrong}).status_code == 200
    locked = client.post(reverse("twofactor_verify"), {"code": wrong}, follow=True)
    assert "验证码错误次数过多，该账号的验证码登录已被锁定15分钟" in locked.content.decode()
    assert PENDING not in client.session and "_auth_user_id" not in client.session
    # The password again gives no fresh tries: even the right code is refused while locked.
    fresh = Client()
    sign_in(fresh, world.office, world.password)
    fresh.post(reverse("twofactor_verify"), {"code": next_step(secret)})
    assert "_auth_user_id" not in fresh.session
    assert AuditEntry.objects.filter(action=AuditEntry.Action.TWOFACTOR_FAILED).count() == 5


def test_the_pending_sign_in_expires_after_five_minutes(world, client, monkeypatch):
    secret, _codes = enrol(signed_in(world.office), world.office)
    sign_in(client, world.office, world.password)
    later = time.time() + 301
    monkeypatch.setattr("liaison.views.twofactor.time.time", lambda: later)
    answer = client.post(reverse("twofactor_verify"), {"code": next_step(secret)}, follow=True)
    assert answer.redirect_chain[-1][0] == reverse("login")
    assert "登录已超过5分钟未完成，请重新输入密码。" in answer.content.decode()
    assert "_auth_user_id" not in client.session


def test_verify_without_a_password_first_goes_to_sign_in(client):
    assert client.get(reverse("twofactor_verify"))["Location"] == reverse("login")
    assert client.post(reverse("twofactor_verify"), {"code": "123456"})["Location"] == reverse("login")


def test_disable_needs_the_password_and_a_code_and_keeps_the_row(world, client_for):
    client = client_for(world.office)
    secret, _codes = enrol(client, world.office)
    bad = client.post(reverse("twofactor_disable"), {"off-password": "wrong", "off-code": next_step(secret)})
    assert bad.status_code == 200 and TwoFactorDevice.objects.get(user=world.office).disabled_at is None
    ok = client.post(reverse("twofactor_disable"), {"off-password": world.password, "off-code": next_step(secret)})
    assert ok.status_code == 302
    device = TwoFactorDevice.objects.get(user=world.office)
    assert device.disabled_at is not None
    assert AuditEntry.objects.filter(action=AuditEntry.Action.TWOFACTOR_DISABLE).count() == 1
    fresh = Client()
    assert sign_in(fresh, world.office, world.password)["Location"] == reverse("home")


def test_new_recovery_codes_replace_the_old(world, client_for):
    client = client_for(world.office)
    secret, old = enrol(client, world.office)
    answer = client.post(reverse("twofactor_codes"), {"renew-code": next_step(secret)})
    assert answer["Location"] == reverse("twofactor_codes")
    new = client.get(reverse("twofactor_codes")).context["codes"]
    assert set(new).isdisjoint(old)
    other = Client()
    sign_in(other, world.office, world.password)
    other.post(reverse("twofactor_verify"), {"code": old[0]})
    assert "_auth_user_id" not in other.session
    other.post(reverse("twofactor_verify"), {"code": new[0]})
    assert other.session["_auth_user_id"] == str(world.office.pk)


def test_required_roles_reach_nothing_but_enrolment(world, client_for, settings):
    settings.LIAISON_2FA_REQUIRED_ROLES = ["committee_office", "admin"]
    office = client_for(world.office)
    for name in ("home", "audit_log", "notices:inbox", "petitions:ledger"):
        answer = office.get(reverse(name))
        assert answer.status_code == 302 and answer["Location"] == reverse("twofactor_setup"), name
    assert client_for(world.admin).get("/admin/")["Location"] == reverse("twofactor_setup")
    assert client_for(world.staff).get(reverse("home")).status_code == 200  # not a required role
    page = office.get(reverse("twofactor_setup"))
    assert page.status_code == 200 and 'data-testid="twofactor-required"' in page.content.decode()
    enrol(office, world.office)
    assert office.get(reverse("home")).status_code == 200


def test_an_unknown_user_or_a_wrong_password_never_reaches_the_second_step(world, client):
    enrol(signed_in(world.office), world.office)
    answer = client.post(reverse("login"), {"username": "office", "password": "nope-nope-1"})
    assert answer.status_code == 200 and PENDING not in client.session


def signed_in(user):
    """A signed-in client beside the test's own (which signs in through the pages)."""
    c = Client()
    c.force_login(user)
    return c


def test_the_administrator_switches_a_lost_second_factor_off_in_the_admin(world, client_for):
    enrol(signed_in(world.office), world.office)
    device = TwoFactorDevice.objects.get(user=world.office)
    admin = client_for(world.admin)
    page = admin.get(reverse("admin:liaison_twofactordevice_change", args=[device.pk]))
    assert page.status_code == 200 and device.secret not in page.content.decode()
    answer = admin.post(
        reverse("admin:liaison_twofactordevice_changelist"),
        {"action": "switch_off", "_selected_action": [device.pk]},
    )
    assert answer.status_code == 302
    device.refresh_from_db()
    assert device.disabled_at is not None
    line = AuditEntry.objects.get(action=AuditEntry.Action.TWOFACTOR_DISABLE)
    assert line.user == world.admin and line.object_pk == str(world.office.pk)
    assert sign_in(Client(), world.office, world.password)["Location"] == reverse("home")


def test_a_misspelt_required_role_fails_the_system_check(settings):
    settings.LIAISON_2FA_REQUIRED_ROLES = ["committee_office", "admins"]
    errors = twofactor.check_required_roles()
    assert [e.id for e in errors] == ["liaison.E140"] and "admins" in errors[0].msg
    settings.LIAISON_2FA_REQUIRED_ROLES = ["committee_office", "admin"]
    assert twofactor.check_required_roles() == []

"""The optional second factor (liaison/twofactor.py): RFC vectors, enrolment, the sign-in's second
step, replay, recovery codes, the attempts limit and the required-roles gate."""

import time

import pytest

from liaison import twofactor
from liaison.twofactor import hotp, match_step, totp

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

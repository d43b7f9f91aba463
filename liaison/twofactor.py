"""The optional second factor: time-based one-time passwords (RFC 6238) and recovery codes.

- The algorithm (`hotp`, `totp`, `match_step`): HMAC-SHA-1, 6 digits, 30-second steps, and one
  step either side of now accepted (a phone clock a little off). A code is accepted only for a
  step later than the last one used (`TwoFactorDevice.last_step`), so a code seen over a
  shoulder or replayed from a log is refused.
- The secret is shown once, at enrolment (QR code and groups of letters); at rest it is sealed
  with a key derived from `SECRET_KEY` (`_seal`), so a database dump alone does not give it.
- Ten recovery codes, each good once, stored as hashes; shown once after enrolment or renewal.
- The services below are the only writers of `TwoFactorDevice`; each records its audit line
  (`liaison.audit`). Disabling keeps the row (`disabled_at`): nothing a user did is deleted.
- Five wrong codes in a row lock the second step of the account for 15 minutes, whatever the
  session or address (a password cannot be re-entered to get fresh tries).
- `LIAISON_2FA_REQUIRED_ROLES` names the roles that must enrol: `TwoFactorRequiredMiddleware`
  sends such a user without a device to the enrolment page, and nowhere else.

The sign-in's second step (the pending user in the session) is `liaison.views.twofactor`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from datetime import timedelta
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.core import checks
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from liaison import audit
from liaison.models import AuditEntry, Role, TwoFactorDevice

__all__ = [
    "InvalidCode",
    "Locked",
    "TwoFactorRequiredMiddleware",
    "device_for",
    "group_secret",
    "hotp",
    "is_required",
    "match_step",
    "new_secret",
    "provisioning_uri",
    "qr_data_uri",
    "recovery_codes_left",
    "totp",
    "twofactor_disable",
    "twofactor_enrol",
    "twofactor_regenerate_codes",
    "twofactor_reset",
    "twofactor_verify",
]

DIGITS = 6
STEP_SECONDS = 30
WINDOW = 1  # steps accepted either side of now
SECRET_BYTES = 20  # 160 bits, the HMAC-SHA-1 key length RFC 4226 recommends
RECOVERY_CODES = 10
MAX_FAILURES = 5
LOCK_TIME = timedelta(minutes=15)
ISSUER = "人大代表联络站"


class InvalidCode(Exception):
    """The code (or recovery code) is wrong, already used, or the password is wrong."""


class Locked(Exception):
    """Too many wrong codes in a row: the second step is locked until `until`."""

    def __init__(self, until):
        super().__init__(until)
        self.until = until


# -- RFC 4226 / RFC 6238 ---------------------------------------------------------------------------


def hotp(key: bytes, counter: int, digits: int = DIGITS) -> str:
    """The HOTP value of `counter` under `key` (RFC 4226, HMAC-SHA-1, dynamic truncation)."""
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(at: float) -> int:
    """The time step (RFC 6238's T) of the Unix time `at`."""
    return int(at // STEP_SECONDS)


def totp(key: bytes, at: float, digits: int = DIGITS) -> str:
    """The TOTP value at Unix time `at` (RFC 6238, T0 = 0, X = 30 s)."""
    return hotp(key, step_at(at), digits)


def match_step(key: bytes, code: str, at: float, *, after: int = 0) -> int | None:
    """The step within ±WINDOW of `at` whose code is `code` and which is later than `after`
    (the last step used), else None. Every candidate is compared, in constant time."""
    found = None
    now = step_at(at)
    for step in range(now - WINDOW, now + WINDOW + 1):
        if constant_time_compare(hotp(key, step), code) and step > after and found is None:
            found = step
    return found


# -- the secret -------------------------------------------------------------------------------------


def new_secret() -> str:
    """A fresh secret as authenticator apps take it: base32, without padding (32 letters)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def group_secret(secret: str) -> str:
    """The secret in groups of four for typing by hand: "ABCD EFGH ..."."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(user, secret: str) -> str:
    """The otpauth:// address the QR code holds (Google Authenticator's key URI format)."""
    label = quote(f"{ISSUER}:{user.username}")
    query = urlencode({"secret": secret, "issuer": ISSUER, "algorithm": "SHA1", "digits": DIGITS, "period": 30})
    return f"otpauth://totp/{label}?{query}"


def qr_data_uri(uri: str) -> str:
    """The QR code of `uri` as an SVG data URI (drawn here: no CDN, no image service)."""
    return segno.make_qr(uri, error="m", boost_error=False).svg_data_uri(scale=5, border=4, dark="#000", light="#fff")


def _stream(key: bytes, nonce: bytes, length: int) -> bytes:
    out, block = b"", 0
    while len(out) < length:
        out += hmac.new(key, nonce + struct.pack(">I", block), hashlib.sha256).digest()
        block += 1
    return out[:length]


def _keys(secret_key: str) -> tuple[bytes, bytes]:
    base = salted_hmac("liaison.twofactor.seal", "key", secret=secret_key, algorithm="sha256").digest()
    return hashlib.sha256(base + b"enc").digest(), hashlib.sha256(base + b"mac").digest()


def _seal(secret: str) -> str:
    """The secret encrypted for storage: nonce, HMAC-SHA-256 stream XOR, and a tag (base64)."""
    enc, mac = _keys(settings.SECRET_KEY)
    plain = secret.encode()
    nonce = secrets.token_bytes(16)
    body = bytes(a ^ b for a, b in zip(plain, _stream(enc, nonce, len(plain)), strict=True))
    tag = hmac.new(mac, nonce + body, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(nonce + body + tag).decode()


def _unseal(sealed: str) -> str:
    """The secret from `_seal`, under `SECRET_KEY` or one of `SECRET_KEY_FALLBACKS`."""
    raw = base64.urlsafe_b64decode(sealed.encode())
    nonce, body, tag = raw[:16], raw[16:-16], raw[-16:]
    for secret_key in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        enc, mac = _keys(secret_key)
        if hmac.compare_digest(hmac.new(mac, nonce + body, hashlib.sha256).digest()[:16], tag):
            return bytes(a ^ b for a, b in zip(body, _stream(enc, nonce, len(body)), strict=True)).decode()
    raise ValueError("the second-factor secret cannot be read with this SECRET_KEY")


# -- recovery codes ---------------------------------------------------------------------------------

_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: read off paper


def new_recovery_codes() -> list[str]:
    """Ten codes such as "k7m2-9xqp" (40 bits each)."""
    return ["-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(2)) for _ in range(10)]


def normalise(code: str) -> str:
    """The code as typed, without spaces or hyphens, lower case."""
    return "".join(ch for ch in (code or "") if ch.isalnum()).lower()


def _hash(code: str) -> str:
    return hashlib.sha256(("liaison-recovery:" + normalise(code)).encode()).hexdigest()


def _stored_codes(codes: list[str]) -> list[dict]:
    return [{"hash": _hash(code), "used_at": None} for code in codes]


# -- reads ------------------------------------------------------------------------------------------


def device_for(user, *, for_update: bool = False) -> TwoFactorDevice | None:
    """The user's active device (enrolled and not disabled), or None."""
    if user is None or getattr(user, "pk", None) is None:
        return None
    rows = TwoFactorDevice.objects.filter(user_id=user.pk, disabled_at__isnull=True)
    if for_update:
        rows = rows.select_for_update()
    return rows.first()


def is_required(user) -> bool:
    """Whether `LIAISON_2FA_REQUIRED_ROLES` names the user's role ("admin" includes superusers)."""
    roles = set(getattr(settings, "LIAISON_2FA_REQUIRED_ROLES", []))
    return bool(roles) and (user.role in roles or (Role.ADMIN in roles and user.is_superuser))


def recovery_codes_left(device: TwoFactorDevice) -> int:
    return sum(1 for c in device.recovery_codes if not c.get("used_at"))


# -- writes -----------------------------------------------------------------------------------------


def _check_totp(device: TwoFactorDevice, code: str) -> int | None:
    code = normalise(code)
    if len(code) != DIGITS or not code.isdigit():
        return None
    return match_step(_key(_unseal(device.secret)), code, time.time(), after=device.last_step)


def _fail(device: TwoFactorDevice, *, actor, where: str) -> Exception:
    """Count a wrong code (locking after MAX_FAILURES in a row) and record it; returns the
    InvalidCode or Locked to raise once the transaction holding the count has committed."""
    device.failures += 1
    fields = ["failures"]
    if device.failures >= MAX_FAILURES:
        device.locked_until, device.failures = timezone.now() + LOCK_TIME, 0
        fields.append("locked_until")
    device.save(update_fields=fields)
    audit.record(
        AuditEntry.Action.TWOFACTOR_FAILED,
        actor=actor,
        obj=actor,
        result=AuditEntry.Result.FAILURE,
        detail={"where": where, "locked": device.locked_until is not None and "locked_until" in fields},
    )
    return Locked(device.locked_until) if "locked_until" in fields else InvalidCode()


def _locked(device: TwoFactorDevice) -> None:
    if device.locked_until and device.locked_until > timezone.now():
        raise Locked(device.locked_until)


def twofactor_enrol(*, user, secret: str, code: str) -> list[str]:
    """Enrol `user` with `secret` (shown to them) once `code` proves their app holds it.

    Returns the ten recovery codes, in clear for the one page that shows them. Raises
    InvalidCode for a wrong code (nothing is stored). Records TWOFACTOR_ENROL.
    """
    normal = normalise(code)
    step = match_step(_key(secret), normal, time.time()) if len(normal) == DIGITS and normal.isdigit() else None
    if step is None:
        raise InvalidCode
    codes = new_recovery_codes()
    with transaction.atomic():
        if device_for(user, for_update=True) is not None:
            raise InvalidCode  # enrolled meanwhile (another tab): one device per user
        device = TwoFactorDevice.objects.create(
            user=user, secret=_seal(secret), last_step=step, recovery_codes=_stored_codes(codes)
        )
        audit.record(AuditEntry.Action.TWOFACTOR_ENROL, actor=user, obj=user, detail={"device": device.pk})
    return codes


def _device_to_prove(user) -> TwoFactorDevice:
    """The user's active device, locked for the transaction; InvalidCode without one, Locked while locked."""
    device = device_for(user, for_update=True)
    if device is None:
        raise InvalidCode
    _locked(device)
    return device


def _unused_recovery_code(device: TwoFactorDevice, code: str) -> dict | None:
    """The device's stored recovery code matching `code` and not used yet, else None."""
    wanted = _hash(code)
    return next(
        (e for e in device.recovery_codes if not e.get("used_at") and constant_time_compare(e["hash"], wanted)), None
    )


def twofactor_verify(*, user, code: str) -> str:
    """The sign-in's second step: `code` from the app, or an unused recovery code.

    Returns "totp" or "recovery". A used code's step (or the recovery code) cannot serve again.
    Raises Locked while the account is locked, InvalidCode (recorded) for a wrong code.
    """
    with transaction.atomic():
        device = _device_to_prove(user)
        step = _check_totp(device, code)
        if step is not None:
            device.last_step, device.failures = step, 0
            device.save(update_fields=["last_step", "failures"])
            return "totp"
        entry = _unused_recovery_code(device, code)
        if entry is not None:
            entry["used_at"] = timezone.now().isoformat()
            device.failures = 0
            device.save(update_fields=["recovery_codes", "failures"])
            audit.record(
                AuditEntry.Action.TWOFACTOR_RECOVERY, actor=user, obj=user, detail={"left": recovery_codes_left(device)}
            )
            return "recovery"
        error = _fail(device, actor=user, where="sign_in")
    raise error


def twofactor_disable(*, user, password: str, code: str) -> None:
    """Switch the second factor off: the password and a current code (or a recovery code) both.

    The device row stays, marked disabled. Records TWOFACTOR_DISABLE; raises InvalidCode or
    Locked (a wrong password or code counts as a failure).
    """
    with transaction.atomic():
        device = _device_to_prove(user)
        proven = _check_totp(device, code) is not None or _unused_recovery_code(device, code) is not None
        if user.check_password(password) and proven:
            device.disabled_at = timezone.now()
            device.save(update_fields=["disabled_at"])
            audit.record(AuditEntry.Action.TWOFACTOR_DISABLE, actor=user, obj=user, detail={"device": device.pk})
            return
        error = _fail(device, actor=user, where="disable")
    raise error


def twofactor_regenerate_codes(*, user, code: str) -> list[str]:
    """Ten new recovery codes for `user` (the old ones stop working), proven by a current code.

    Returns the codes in clear for the one page that shows them; records TWOFACTOR_CODES.
    """
    with transaction.atomic():
        device = _device_to_prove(user)
        step = _check_totp(device, code)
        if step is not None:
            codes = new_recovery_codes()
            device.last_step, device.failures, device.recovery_codes = step, 0, _stored_codes(codes)
            device.save(update_fields=["last_step", "failures", "recovery_codes"])
            audit.record(AuditEntry.Action.TWOFACTOR_CODES, actor=user, obj=user, detail={"device": device.pk})
            return codes
        error = _fail(device, actor=user, where="recovery_codes")
    raise error


def twofactor_reset(*, device: TwoFactorDevice, actor) -> None:
    """An administrator switches a user's second factor off (phone and recovery codes lost); the
    user signs in with the password alone, or must enrol again if their role requires it.
    Records TWOFACTOR_DISABLE with the administrator as actor."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().get(pk=device.pk)
        if device.disabled_at is not None:
            return
        device.disabled_at = timezone.now()
        device.save(update_fields=["disabled_at"])
        audit.record(
            AuditEntry.Action.TWOFACTOR_DISABLE,
            actor=actor,
            obj=device.user,
            detail={"device": device.pk, "by": "administrator"},
        )


@checks.register(checks.Tags.security)
def check_required_roles(app_configs=None, **kwargs):
    """A misspelt role in `LIAISON_2FA_REQUIRED_ROLES` would silently require nothing: refuse it."""
    unknown = sorted(set(getattr(settings, "LIAISON_2FA_REQUIRED_ROLES", [])) - set(Role.values))
    if unknown:
        return [
            checks.Error(
                f"LIAISON_2FA_REQUIRED_ROLES names unknown roles: {', '.join(unknown)} (known: {', '.join(Role.values)}).",
                id="liaison.E140",
            )
        ]
    return []


# -- the gate ---------------------------------------------------------------------------------------

# The pages a user who must enrol may still open (by URL name).
OPEN_WHILE_ENROLLING = {"twofactor_setup", "twofactor_codes", "logout", "set_language", "login", "twofactor_verify"}


class TwoFactorRequiredMiddleware:
    """Sends a signed-in user whose role must enrol (`is_required`) and who has no device to the
    enrolment page from every page but those in `OPEN_WHILE_ENROLLING`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not is_required(user):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_WHILE_ENROLLING and not match.namespace:
            return None
        if device_for(user) is not None:
            return None
        return redirect("twofactor_setup")

"""The outbox: every notice is a row written in the same transaction as its cause,
then sent by `deliver_pending()` (a Celery task kicked after commit and run by
beat every 30 seconds).

Guarantees:
- Once: `(key, channel)` is unique, so writing the same notice again (beat
  firing twice, a task retried) stores nothing new. A row is claimed with a
  lease and committed before it is sent, then marked on its own; a worker killed
  mid-send leaves it to be claimed again after the lease, and the provider gets
  the outbox key as its idempotency key, so it still goes out once
  (`deliver_batch`; proven with a kill -9 in tests/faults/test_outbox_kill.py).
- Nothing lost: if the broker is down the rows simply wait; the next beat tick
  or kick after it is back sends them.
- Failures retry with exponential backoff and end as `failed`, visible to staff
  on the outbox page, where they can be retried.
- Signed: every text message is stored signed with the signature of the office of the
  place it is about (`outbox_rows`), so what the outbox page shows is what the phone shows.
"""

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from liaison import office_settings
from liaison.models import Channel, Notification, OutboxMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    name: str
    user: object | None = None  # liaison.User: gets the inbox channel
    email: str = ""
    phone: str = ""

    @classmethod
    def for_user(cls, user) -> "Recipient":
        return cls(name=user.display_name, user=user, email=user.email or "", phone=getattr(user, "phone", "") or "")

    @classmethod
    def for_representative(cls, rep) -> "Recipient":
        """A representative: inbox and email through their account if they have one; SMS to
        their private mobile (or the account's phone)."""
        user = rep.user if rep.user_id and rep.user.is_active else None
        phone = rep.private_phone or (user.phone if user else "") or ""
        return cls(name=rep.name, user=user, email=(user.email if user else "") or "", phone=phone)

    def channels(self) -> list[str]:
        found = []
        if self.user is not None:
            found.append(Channel.INBOX)
        if self.email:
            found.append(Channel.EMAIL)
        if self.phone and self.phone.isdigit() and len(self.phone) == 11:
            found.append(Channel.SMS)
        return found


def outbox_rows(
    *,
    key: str,
    topic: str,
    recipient: Recipient,
    subject: str,
    body: str,
    url: str = "",
    station=None,
    sms_text: str = "",
    place: str = "",
    book=None,
) -> list[OutboxMessage]:
    """Unsaved rows, one per channel the recipient can be reached on (see `outbox_store`).

    A text message is `sms_text` (else `body`) signed as the phone shows it: 【signature】 of the
    place the message is about (`place`, a 12-digit code, else the station's), the nearest office
    at or above it that sets one, else `LIAISON_SMS_SIGN_NAME` (`liaison.office_settings`; a
    caller writing many messages passes one loaded `book`)."""
    channels = recipient.channels()
    sms = ""
    if Channel.SMS in channels:
        place = place or (station.jurisdiction.code if station is not None else "")
        sms = (book or office_settings.Book.load([place])).signed(sms_text or body, place)
    rows = []
    for channel in channels:
        address = {Channel.EMAIL: recipient.email, Channel.SMS: recipient.phone}.get(channel, "")
        rows.append(
            OutboxMessage(
                key=key,
                channel=channel,
                topic=topic,
                user=recipient.user,
                recipient_name=recipient.name,
                address=address,
                subject=subject[:200],
                body=sms if channel == Channel.SMS else body,
                url=url,
                station=station,
            )
        )
    return rows


def outbox_store(rows: list[OutboxMessage]) -> int:
    """Store rows whose (key, channel) is not stored yet, in one INSERT; returns how many were new.

    Call inside the transaction of the cause. Rows already stored are left as
    they are: that is what makes a notice go out once.
    """
    if not rows:
        return 0
    stored = set(OutboxMessage.objects.filter(key__in={r.key for r in rows}).values_list("key", "channel"))
    new = [r for r in rows if (r.key, r.channel) not in stored]
    if new:
        # ignore_conflicts: a concurrent writer of the same key wins quietly.
        OutboxMessage.objects.bulk_create(new, ignore_conflicts=True)
        kick_after_commit()
    return len(new)


def outbox_write(**message) -> int:
    """Store one message (keyword arguments of `outbox_rows`) on every channel that reaches the recipient."""
    return outbox_store(outbox_rows(**message))


def outbox_cancel(*, key_prefix: str) -> int:
    """Cancel messages not yet sent whose key starts with `key_prefix`."""
    return OutboxMessage.objects.filter(key__startswith=key_prefix, status=OutboxMessage.Status.PENDING).update(
        status=OutboxMessage.Status.CANCELLED
    )


def outbox_retry(*, message: OutboxMessage, actor) -> None:
    """Put a failed message back in the queue (a staff action on the outbox page)."""
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if locked.status != OutboxMessage.Status.FAILED:
            return
        locked.status, locked.attempts, locked.next_attempt_at = OutboxMessage.Status.PENDING, 0, timezone.now()
        locked.last_error = f"{locked.last_error}\n[{timezone.localtime():%Y-%m-%d %H:%M}] retried by {actor}".strip()
        locked.save(update_fields=["status", "attempts", "next_attempt_at", "last_error"])
        kick_after_commit()


def _kick():
    from liaison.tasks import deliver_outbox

    try:
        deliver_outbox.delay()
    except Exception as exc:  # broker down: beat sends the rows once it is back
        log.warning("outbox: could not queue delivery now (%s); rows wait for the next beat tick", exc)


def kick_after_commit() -> None:
    """Ask a worker to deliver once the transaction commits (once per transaction)."""
    if connection.in_atomic_block and any(func is _kick for _, func, _ in connection.run_on_commit):
        return
    transaction.on_commit(_kick)


# Delivery -----------------------------------------------------------------


class DeliveryError(Exception):
    """A send failed in a way worth retrying."""


def _send_inbox(msg: OutboxMessage) -> str:
    if msg.user_id is None:
        raise DeliveryError("no account to deliver to")
    note = Notification.objects.create(recipient_id=msg.user_id, subject=msg.subject, body=msg.body, url=msg.url)
    return f"notification:{note.pk}"


def _absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


def message_id(msg: OutboxMessage) -> str:
    """The e-mail's Message-ID, the same for every attempt: mail relays and mail boxes drop a
    message whose id they have seen, so a re-send after a killed worker is not shown twice."""
    digest = hashlib.sha256(f"{msg.key}:{msg.channel}".encode()).hexdigest()[:32]
    domain = (settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost").strip(">")
    return f"<outbox.{digest}@{domain}>"


def _send_email(msg: OutboxMessage) -> str:
    body = msg.body + (f"\n\n{_absolute(msg.url)}" if msg.url else "")
    email = EmailMessage(
        msg.subject, body, settings.DEFAULT_FROM_EMAIL, [msg.address], headers={"Message-ID": message_id(msg)}
    )
    email.send()
    return message_id(msg)


def sms_backend():
    return import_string(settings.LIAISON_SMS_BACKEND)()


def _send_sms(msg: OutboxMessage) -> str:
    # The key makes a re-send after a lost answer (or a killed worker) a no-op at the provider.
    return sms_backend().send(phone=msg.address, text=msg.body, key=msg.key) or ""


SENDERS = {Channel.INBOX: _send_inbox, Channel.EMAIL: _send_email, Channel.SMS: _send_sms}


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the n-th failed attempt: base, 2×base, 4×base, ... capped at 6 hours."""
    return timedelta(seconds=min(settings.LIAISON_OUTBOX_RETRY_BASE_SECONDS * 2 ** (attempts - 1), 6 * 3600))


_FIELDS = ["attempts", "status", "sent_at", "next_attempt_at", "last_error", "provider_reference"]
# Rows claimed per round: big enough to save round trips, small enough that a slow
# gateway gets through them well within the lease.
LOCK_BATCH = 50


def _due(qs):
    return qs.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now())


def _lease() -> timedelta:
    return timedelta(seconds=settings.LIAISON_OUTBOX_LEASE_SECONDS)


def deliver_batch(limit: int = LOCK_BATCH, *, pks=None) -> dict[str, int]:
    """Claim up to `limit` due rows, send them, record each outcome; returns rows by final status.

    Exactly once, even when a worker is killed mid-batch:
    1. Claim (one short transaction): lock due rows nobody holds, deliver the inbox rows
       there and then (a database insert commits with its "sent"), and lease the others by
       moving their `next_attempt_at` to the end of the lease. Committed before any send,
       so no row lock is held while a gateway answers.
    2. Send each leased row, with its outbox key as the provider's idempotency key.
    3. Mark each row at once, only if it still carries this lease (`_settle`).
    A worker that dies between 2 and 3 leaves its rows pending; another worker claims
    them when the lease ends and sends them again with the same key, which the provider
    answers without sending twice. Rows not reached before the lease ends are handed back.
    """
    lease_until, rows = _claim(limit, pks)
    counts: dict[str, int] = {}
    for row in rows:
        if row.status == OutboxMessage.Status.PENDING:
            if timezone.now() >= lease_until - timedelta(seconds=settings.LIAISON_SMS_TIMEOUT_SECONDS):
                _release(row, lease_until)  # not sent: due again at once, for this or another worker
                continue
            _send(row)
            if not _settle(row, lease_until):
                continue  # the lease ended meanwhile and another worker owns the row now
        counts[row.status] = counts.get(row.status, 0) + 1
    return counts


def _claim(limit: int, pks) -> tuple:
    with transaction.atomic():
        qs = _due(OutboxMessage.objects.all())
        if pks is not None:
            qs = qs.filter(pk__in=pks)
        rows = list(
            qs.select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked).order_by(
                "next_attempt_at", "pk"
            )[:limit]
        )
        now = timezone.now()
        lease_until = now + _lease()
        inbox = [r for r in rows if r.channel == Channel.INBOX and r.user_id]
        if inbox:  # one INSERT for the batch; committed together with "sent"
            notes = Notification.objects.bulk_create(
                [Notification(recipient_id=r.user_id, subject=r.subject, body=r.body, url=r.url) for r in inbox]
            )
            for row, note in zip(inbox, notes, strict=True):
                row.status, row.sent_at, row.provider_reference = (
                    OutboxMessage.Status.SENT,
                    now,
                    f"notification:{note.pk or ''}",
                )
        for row in rows:
            row.attempts += 1
            if row.status == OutboxMessage.Status.PENDING:
                row.next_attempt_at = lease_until
        OutboxMessage.objects.bulk_update(rows, _FIELDS)
    return lease_until, rows


def _send(row: OutboxMessage) -> None:
    try:
        reference = SENDERS[row.channel](row)
    except Exception as exc:  # any provider failure is retried, then shown as failed
        _failed(row, exc)
    else:
        row.status, row.sent_at, row.provider_reference = (
            OutboxMessage.Status.SENT,
            timezone.now(),
            (reference or "")[:100],
        )


def _settle(row: OutboxMessage, lease_until) -> bool:
    """Write the outcome of one send if the row still carries our lease."""
    fields = {f: getattr(row, f) for f in _FIELDS if f != "attempts"}
    return bool(
        OutboxMessage.objects.filter(
            pk=row.pk, status=OutboxMessage.Status.PENDING, next_attempt_at=lease_until
        ).update(**fields)
    )


def _release(row: OutboxMessage, lease_until) -> None:
    OutboxMessage.objects.filter(pk=row.pk, status=OutboxMessage.Status.PENDING, next_attempt_at=lease_until).update(
        next_attempt_at=timezone.now(), attempts=row.attempts - 1
    )


def _failed(row: OutboxMessage, exc: Exception) -> None:
    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if row.attempts >= settings.LIAISON_OUTBOX_MAX_ATTEMPTS:
        row.status = OutboxMessage.Status.FAILED
        log.error("outbox %s (%s to %s) failed for good: %s", row.pk, row.channel, row.recipient_name, exc)
    else:
        row.next_attempt_at = timezone.now() + retry_delay(row.attempts)
        log.warning("outbox %s attempt %s failed: %s", row.pk, row.attempts, exc)


def deliver_pending(limit: int | None = None) -> dict[str, int]:
    """Send up to `limit` due rows, oldest first; safe to run in several workers at once."""
    limit = limit or settings.LIAISON_OUTBOX_BATCH
    counts: dict[str, int] = {}
    done = 0
    while done < limit:
        batch = deliver_batch(min(LOCK_BATCH, limit - done))
        if not batch:
            break
        for status, n in batch.items():
            counts[status] = counts.get(status, 0) + n
        done += sum(batch.values())
    return counts


# Display ------------------------------------------------------------------
# The outbox page shows what was sent; what it shows of a person is decided here.

# Messages addressed to a resident (not to an account or a representative).
RESIDENT_TOPICS = frozenset({"petition_rating_code"})
# Secrets a resident proves themselves with, per topic: never shown on any page, to anyone.
# The rating code is six digits on its own; tracking numbers (YYMM-8 characters),
# addresses and phone numbers never hold six digits between non-alphanumerics.
_SECRETS = {"petition_rating_code": re.compile(r"(?<![0-9A-Za-z])\d{6}(?![0-9A-Za-z])")}
_MOBILE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
SECRET_MASK = "******"


def mask_outbox_address(address: str) -> str:
    """138****5678 for a mobile number, z***@example.cn for an email address."""
    from petitions.ledger.privacy import mask_phone

    address = (address or "").strip()
    if "@" in address:
        local, _at, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    return mask_phone(address)


def _mask_mobiles(text: str) -> str:
    from petitions.ledger.privacy import mask_phone

    return _MOBILE.sub(lambda m: mask_phone(m.group()), text or "")


def outbox_for_display(rows, *, viewer) -> list[OutboxMessage]:
    """`rows` with `shown_name`, `shown_address`, `shown_body`, `shown_error` set for `viewer`.

    Rating codes are replaced for everyone (whoever reads one could rate as the
    resident); addresses, mobile numbers in texts and residents' names are masked
    for everyone but the system administrator. The rows are not saved.
    """
    from petitions.ledger.privacy import mask_name

    full = bool(getattr(viewer, "is_system_admin", False))
    rows = list(rows)
    for row in rows:
        body = row.body or ""
        secret = _SECRETS.get(row.topic)
        if secret is not None:
            body = secret.sub(SECRET_MASK, body)
        resident = row.topic in RESIDENT_TOPICS
        row.shown_name = row.recipient_name if full or not resident else mask_name(row.recipient_name)
        row.shown_address = row.address if full else mask_outbox_address(row.address)
        row.shown_body = body if full else _mask_mobiles(body)
        row.shown_error = row.last_error if full else _mask_mobiles(row.last_error)
    return rows

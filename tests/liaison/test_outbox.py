"""The outbox: once per key and channel, retries with backoff, failed rows staff can see and resend."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from liaison.models import Notification, OutboxMessage
from liaison.outbox import Recipient, deliver_pending, outbox_retry, outbox_write, retry_delay

pytestmark = pytest.mark.django_db


class FailingSms:
    calls = 0

    def send(self, *, phone, text, key=""):
        FailingSms.calls += 1
        raise ConnectionError("gateway unreachable")


class RecordingSms:
    sent = []

    def send(self, *, phone, text, key=""):
        RecordingSms.sent.append((phone, text))
        return f"id-{len(RecordingSms.sent)}"


def write(world, key="test:1", station=None, **recipient):
    recipient = Recipient(
        **{"name": "张建国", "user": world.rep, "email": "rep@example.cn", "phone": "13900000001", **recipient}
    )
    with transaction.atomic():
        return outbox_write(
            key=key,
            topic="test",
            recipient=recipient,
            subject="主题",
            body="正文",
            url="/inbox/",
            station=station or world.S1,
            sms_text="短信",
        )


def test_one_row_per_channel_and_never_twice(world):
    assert write(world) == 3
    assert write(world) == 0
    assert sorted(OutboxMessage.objects.values_list("channel", flat=True)) == ["email", "inbox", "sms"]
    assert OutboxMessage.objects.get(channel="sms").body == "【人大代表联络站】短信"  # signed: the default


def test_a_recipient_without_account_or_mobile_gets_only_what_reaches_them(world):
    assert write(world, key="k2", user=None, email="", phone="010-69101234") == 0
    assert write(world, key="k3", user=None, email="") == 1


def test_delivery_sends_email_inbox_and_sms(world, settings):
    settings.LIAISON_SMS_BACKEND = "tests.liaison.test_outbox.RecordingSms"
    RecordingSms.sent = []
    write(world)
    assert deliver_pending() == {"sent": 3}
    assert Notification.objects.get(recipient=world.rep).url == "/inbox/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["rep@example.cn"]
    assert RecordingSms.sent == [("13900000001", "【人大代表联络站】短信")]
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.provider_reference == "id-1" and sms.sent_at is not None


def test_failures_back_off_then_fail_and_can_be_resent(world, settings):
    settings.LIAISON_SMS_BACKEND = "tests.liaison.test_outbox.FailingSms"
    settings.LIAISON_OUTBOX_MAX_ATTEMPTS = 3
    FailingSms.calls = 0
    write(world, user=None, email="")
    row = OutboxMessage.objects.get()

    assert deliver_pending() == {"pending": 1}
    row.refresh_from_db()
    assert row.attempts == 1 and "gateway unreachable" in row.last_error
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert deliver_pending() == {}  # not due yet: no new attempt
    assert FailingSms.calls == 1

    for _ in range(2):
        OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        deliver_pending()
    row.refresh_from_db()
    assert row.status == "failed" and row.attempts == 3 and FailingSms.calls == 3

    settings.LIAISON_SMS_BACKEND = "liaison.sms.OutboxSmsBackend"
    outbox_retry(message=row, actor=world.office)
    row.refresh_from_db()
    assert row.status == "pending" and row.attempts == 0
    assert deliver_pending() == {"sent": 1}


def test_backoff_grows_and_is_capped(settings):
    settings.LIAISON_OUTBOX_RETRY_BASE_SECONDS = 60
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert retry_delay(30) == timedelta(hours=6)


def test_writes_roll_back_with_their_cause(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_write(key="rolled", topic="t", recipient=Recipient(name="x", user=world.rep), subject="s", body="b")
        raise RuntimeError
    assert not OutboxMessage.objects.filter(key="rolled").exists()


def test_the_kick_after_commit_delivers(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        write(world)
        write(world, key="test:2")
    assert len(callbacks) == 1  # one kick per transaction, however many rows
    assert not OutboxMessage.objects.filter(status="pending").exists()


# Pages -----------------------------------------------------------------


def test_outbox_page_is_scoped(world, client_for):
    write(world, key="k-s1", station=world.S1)
    write(world, key="k-s3", station=world.S3, user=None, email="")
    url = reverse("notices:outbox")

    def subjects(user):
        response = client_for(user).get(url)
        return response.status_code, {m.key for m in response.context["rows"]} if response.status_code == 200 else None

    assert subjects(world.admin) == (200, {"k-s1", "k-s3"})
    assert subjects(world.office) == (200, {"k-s1"})
    assert subjects(world.office_k2) == (200, {"k-s3"})
    assert subjects(world.staff) == (200, {"k-s1"})
    assert subjects(world.rep)[0] == 403
    assert subjects(world.dept)[0] == 403


def test_failed_rows_can_be_resent_from_the_page_only_in_scope(world, client_for):
    write(world, key="k-s3", station=world.S3, user=None, email="")
    row = OutboxMessage.objects.get()
    row.status = "failed"
    row.save()
    url = reverse("notices:outbox_retry", args=[row.pk])
    assert client_for(world.office).post(url).status_code == 404
    assert client_for(world.rep).post(url).status_code == 403
    response = client_for(world.office_k2).post(url, {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("notices:outbox")
    row.refresh_from_db()
    assert row.status in ("pending", "sent")


def test_inbox_shows_only_ones_own_and_opening_marks_read(world, client_for):
    mine = Notification.objects.create(recipient=world.rep, subject="接待日通知", body="请参加", url="/inbox/")
    Notification.objects.create(recipient=world.office, subject="别人的", body="x")
    client = client_for(world.rep)
    page = client.get(reverse("notices:inbox"))
    assert [n.subject for n in page.context["notifications"]] == ["接待日通知"]
    assert page.context["inbox_unread"] == 1
    assert client.post(reverse("notices:notification_open", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None
    other = Notification.objects.get(recipient=world.office)
    assert client.post(reverse("notices:notification_open", args=[other.pk])).status_code == 404


def test_inbox_link_never_leaves_the_site(world, client_for):
    note = Notification.objects.create(recipient=world.rep, subject="s", body="b", url="https://evil.example/")
    response = client_for(world.rep).post(reverse("notices:notification_open", args=[note.pk]))
    assert response["Location"] == reverse("notices:inbox")


def test_home_shows_a_representatives_coming_days_and_unread_notices(world, client_for):
    from datetime import time as clock

    from stations.models import ReceptionEvent, RosterEntry

    today = timezone.localdate()
    mine = ReceptionEvent.objects.create(
        station=world.S1,
        date=today + timedelta(days=3),
        start_time=clock(9),
        end_time=clock(11),
        place="东关村",
        status="scheduled",
    )
    RosterEntry.objects.create(event=mine, representative=world.R1)
    ReceptionEvent.objects.create(
        station=world.S1,
        date=today + timedelta(days=4),
        start_time=clock(9),
        end_time=clock(11),
        place="东关村",
        status="scheduled",
    )  # not on their roster
    Notification.objects.create(recipient=world.rep, subject="接待日通知：东关村联络站", body="请参加")
    summary = client_for(world.rep).get(reverse("home")).context["summary"]
    assert summary["coming_events"] == [mine]
    assert [n.subject for n in summary["unread_notifications"]] == ["接待日通知：东关村联络站"]
    office = client_for(world.office).get(reverse("home")).context["summary"]
    assert len(office["coming_events"]) == 2

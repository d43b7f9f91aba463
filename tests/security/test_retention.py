"""Retention (a setting per kind of data, a nightly beat task) and data-subject requests (the office
finds, exports, corrects or removes one resident's data in its jurisdiction, recorded)."""

import io
from datetime import timedelta

import openpyxl
import pytest
from axes.models import AccessLog
from django.conf import settings as django_settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from liaison.models import Notification, OutboxMessage
from liaison.retention import apply_retention
from liaison.tasks import apply_retention as apply_retention_task
from petitions.handling.notifications import send_rating_code
from petitions.ledger.events import PetitionEventKind
from petitions.ledger.services import PetitionDraft, petition_update
from petitions.models import Petition, PetitionEvent
from tests.factories import make_petition

PHONE = "13812345678"
DAY = timedelta(days=1)


def figures():
    """What the reports count: items by station, status, category and rating."""
    return sorted(
        Petition.objects.values("station", "status", "category", "satisfaction", "channel")
        .annotate(n=Count("pk"))
        .values_list("station", "status", "category", "satisfaction", "channel", "n")
    )


def close(petition, days_ago, satisfaction="satisfied"):
    # Test set-up: the item as the closing service leaves it, long ago.
    Petition.objects.filter(pk=petition.pk).update(
        status="closed", satisfaction=satisfaction, closed_at=timezone.now() - days_ago * DAY
    )
    petition.refresh_from_db()


@pytest.fixture
def aged(world, ledger, settings):
    settings.LIAISON_RETENTION_CLOSED_PERSONAL_DAYS = 730
    settings.LIAISON_RETENTION_OUTBOX_DAYS = 180
    settings.LIAISON_RETENTION_NOTIFICATION_DAYS = 365
    settings.LIAISON_RETENTION_LOGIN_DAYS = 365
    # Item a: edited once (history holds masked phones), rating code sent, closed 800 days ago.
    petition_update(
        actor=world.staff,
        petition=ledger.a,
        draft=PetitionDraft(
            jurisdiction=ledger.a.jurisdiction,
            station=ledger.a.station,
            content=ledger.a.content,
            petitioner_name="张三",
            petitioner_phone="13812349999",
            petitioner_address="东关村三巷5号",
        ),
    )
    ledger.a.refresh_from_db()
    ledger.a.rating_code = "482913"
    send_rating_code(ledger.a)
    close(ledger.a, 800)
    close(ledger.d, 100, satisfaction="basically")  # closed recently: kept
    old = timezone.now() - 200 * DAY
    OutboxMessage.objects.filter(topic="petition_rating_code").update(status="sent", created_at=old)
    pending = OutboxMessage.objects.create(
        key="k:pending",
        channel="sms",
        topic="t",
        recipient_name="x",
        address="13900000009",
        subject="s",
        body="b",
    )
    sent = OutboxMessage.objects.create(
        key="k:sent",
        channel="sms",
        topic="t",
        recipient_name="刘",
        address="13900000008",
        subject="s",
        body="b",
        status="sent",
    )
    OutboxMessage.objects.filter(pk__in=[pending.pk, sent.pk]).update(created_at=old)
    for days in (400, 10):
        note = Notification.objects.create(recipient=world.rep, subject=f"n{days}", body="b")
        Notification.objects.filter(pk=note.pk).update(created_at=timezone.now() - days * DAY)
        log = AccessLog.objects.create(username="office", ip_address="10.0.0.1", user_agent="x")
        AccessLog.objects.filter(pk=log.pk).update(attempt_time=timezone.now() - days * DAY)
    return ledger


def test_retention_anonymises_old_personal_data_and_keeps_the_figures(world, aged):
    before = figures()
    counts = apply_retention()
    assert counts == {"petitions": 1, "outbox": 1, "logins": 1, "notifications": 1}
    assert figures() == before  # counts by station, status, category, channel and satisfaction unchanged

    a = Petition.objects.get(pk=aged.a.pk)
    assert (a.petitioner_name, a.petitioner_phone, a.petitioner_address, a.id_number_masked) == ("", "", "", "")
    assert a.status == "closed" and a.satisfaction == "satisfied" and a.content  # the item itself stays
    history = str(list(PetitionEvent.objects.filter(petition=a).values_list("data", flat=True)))
    assert "****" not in history and "138" not in history  # the masked phones of the edit are gone too
    event = PetitionEvent.objects.get(petition=a, kind=PetitionEventKind.PERSONAL_DATA)
    assert event.data == {"action": "anonymised", "reason": "retention"} and event.actor is None

    d = Petition.objects.get(pk=aged.d.pk)
    assert d.petitioner_phone == "13811112222"  # closed 100 days ago: kept
    assert Petition.objects.get(pk=aged.b.pk).petitioner_phone == "13812340000"  # still open: kept

    sms = OutboxMessage.objects.get(topic="petition_rating_code")
    assert (sms.body, sms.address, sms.recipient_name, sms.status) == ("", "", "", "sent")
    # (the rating code went with the item's identity; this one by its age)
    assert OutboxMessage.objects.filter(key="k:sent", body="", address="", recipient_name="刘").exists()
    assert OutboxMessage.objects.get(key="k:pending").body == "b"  # not sent yet: never touched
    assert list(Notification.objects.values_list("subject", flat=True)) == ["n10"]
    assert AccessLog.objects.count() == 1

    assert apply_retention() == {"petitions": 0, "outbox": 0, "logins": 0, "notifications": 0}  # twice: no more


def test_sign_in_records_are_kept_at_least_180_days(world, aged, settings):
    settings.LIAISON_RETENTION_LOGIN_DAYS = 30
    apply_retention()
    assert AccessLog.objects.count() == 1  # the 10-day-old one; with 30 days a 100-day-old one would stay too
    log = AccessLog.objects.create(username="office", ip_address="10.0.0.1", user_agent="x")
    AccessLog.objects.filter(pk=log.pk).update(attempt_time=timezone.now() - 100 * DAY)
    assert apply_retention()["logins"] == 0


def test_the_nightly_beat_task_runs_it(world, aged):
    entry = [e for e in django_settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "liaison.tasks.apply_retention"]
    assert len(entry) == 1
    assert apply_retention_task.delay().get()["petitions"] == 1


# -- data-subject requests ---------------------------------------------------------------------

URL = reverse("petitions:personal_data")


@pytest.fixture
def subject(world, ledger):
    """Item a (张三, 13812345678, in K) and another of the same resident in the other district (K2)."""
    ledger.elsewhere = make_petition(
        station=world.S3, content="朝阳区的反映", petitioner_name="张三", petitioner_phone=PHONE
    )
    return ledger


def post(client, action="find", items=(), **data):
    return client.post(URL, {"phone": PHONE, "action": action, "items": [p.pk for p in items], **data})


@pytest.mark.parametrize(
    "account, status", [("office", 200), ("admin", 200), ("staff", 403), ("rep", 403), ("dept", 403)]
)
def test_only_the_office_handles_requests(world, client_for, account, status):
    assert client_for(getattr(world, account)).get(URL).status_code == status


def test_the_office_finds_what_is_held_within_its_jurisdiction(world, subject, client_for):
    response = post(client_for(world.office))
    assert response.status_code == 200
    assert [p.pk for p in response.context["records"].petitions] == [subject.a.pk]  # not the K2 item
    assert PHONE in response.content.decode()
    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"
    both = post(client_for(world.admin))
    assert {p.pk for p in both.context["records"].petitions} == {subject.a.pk, subject.elsewhere.pk}
    assert post(client_for(world.office), phone="123").status_code == 400  # not a mobile number


def test_export_gives_everything_and_is_recorded(world, subject, client_for):
    response = post(client_for(world.office), "export", [subject.a])
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [str(c) for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
    assert PHONE in cells and "张三" in cells and subject.a.tracking_number in cells
    event = PetitionEvent.objects.get(petition=subject.a, kind=PetitionEventKind.PERSONAL_DATA)
    assert event.actor == world.office and event.data == {"action": "exported", "reason": "request"}


def test_correct_is_recorded_with_masked_values(world, subject, client_for):
    response = post(client_for(world.office), "correct", [subject.a], petitioner_phone="13900001111")
    assert response.status_code == 200
    subject.a.refresh_from_db()
    assert subject.a.petitioner_phone == "13900001111"
    event = PetitionEvent.objects.filter(petition=subject.a, kind=PetitionEventKind.EDITED).latest("pk")
    assert event.actor == world.office
    assert event.data == {"changes": {"petitioner_phone": ["138****5678", "139****1111"]}}


def test_anonymise_needs_a_confirmation_and_is_recorded(world, subject, client_for):
    office = client_for(world.office)
    post(office, "anonymise", [subject.a])
    subject.a.refresh_from_db()
    assert subject.a.petitioner_phone == PHONE  # not confirmed
    post(office, "anonymise", [subject.a], confirm="1")
    subject.a.refresh_from_db()
    assert (subject.a.petitioner_name, subject.a.petitioner_phone) == ("", "")
    event = PetitionEvent.objects.get(petition=subject.a, kind=PetitionEventKind.PERSONAL_DATA)
    assert event.actor == world.office and event.data == {"action": "anonymised", "reason": "request"}
    subject.elsewhere.refresh_from_db()
    assert subject.elsewhere.petitioner_phone == PHONE  # outside the office's jurisdiction: untouched
    assert post(office).context["records"].petitions == []


def test_the_ledger_links_the_page_for_the_office_only(world, client_for):
    ledger_url = reverse("petitions:ledger")
    assert URL in client_for(world.office).get(ledger_url).content.decode()
    assert URL not in client_for(world.staff).get(ledger_url).content.decode()

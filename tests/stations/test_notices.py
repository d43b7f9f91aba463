"""Reception-day notices: when they are due, to whom, once, and corrections after a change."""

from datetime import date, time

import pytest

from liaison import workdays
from liaison.models import Notification, OutboxMessage
from liaison.outbox import deliver_pending
from stations.models import EventKind, Membership, ReceptionEvent, RosterEntry
from stations.reception.events import notices

pytestmark = pytest.mark.django_db


def make_event(station, day, kind=EventKind.RECEPTION, status=ReceptionEvent.Status.SCHEDULED, **extra):
    return ReceptionEvent.objects.create(
        station=station,
        kind=kind,
        date=day,
        start_time=time(9),
        end_time=time(11, 30),
        place=station.address,
        status=status,
        **extra,
    )


def keys(**filters):
    return sorted(OutboxMessage.objects.filter(**filters).values_list("key", "channel"))


def test_notice_date_counts_working_days_across_national_day():
    # 2026-10-12 (Mon): five working days back are 10-10 (make-up Saturday), 10-09, 10-08, 09-30, 09-29.
    event = ReceptionEvent(date=date(2026, 10, 12), kind=EventKind.RECEPTION)
    assert notices.notice_date(event) == date(2026, 9, 29)


def test_visit_notice_is_ten_days_ahead_moved_back_to_a_working_day():
    # 2026-10-15 minus 10 days is 10-05, inside the National Day holiday: back to 09-30.
    event = ReceptionEvent(date=date(2026, 10, 15), kind=EventKind.DEPARTMENT_VISIT)
    assert notices.notice_date(event) == date(2026, 9, 30)
    event.date = date(2026, 12, 18)  # 12-08 is a Tuesday
    assert notices.notice_date(event) == date(2026, 12, 8)


def test_rostered_representatives_are_told_once_on_the_due_day(world):
    world.rep.email = "rep@example.cn"
    world.rep.save()
    event = make_event(world.S1, date(2026, 10, 12))
    RosterEntry.objects.create(event=event, representative=world.R1)
    RosterEntry.objects.create(event=event, representative=world.R2)

    assert notices.queue_due_notices(today=date(2026, 9, 28)) == 0
    written = notices.queue_due_notices(today=date(2026, 9, 29))
    # R1 has an account with email and a mobile: inbox, email, SMS; R2 has no account: SMS only.
    assert written == 4
    assert keys() == [
        (f"reception:{event.pk}:rep:{world.R1.pk}:notice", "email"),
        (f"reception:{event.pk}:rep:{world.R1.pk}:notice", "inbox"),
        (f"reception:{event.pk}:rep:{world.R1.pk}:notice", "sms"),
        (f"reception:{event.pk}:rep:{world.R2.pk}:notice", "sms"),
    ]
    # Beat firing again the same day, or the next day, writes nothing more.
    assert notices.queue_due_notices(today=date(2026, 9, 29)) == 0
    assert notices.queue_due_notices(today=date(2026, 9, 30)) == 0
    sms = OutboxMessage.objects.get(channel="sms", user=world.rep)
    assert sms.address == "13900000001" and sms.body.startswith("【")
    assert world.S1.name in sms.body and "09:00" in sms.body


def test_drafts_cancelled_and_past_events_send_nothing(world):
    for status in (ReceptionEvent.Status.DRAFT, ReceptionEvent.Status.CANCELLED):
        e = make_event(world.S1, date(2026, 10, 12), status=status)
        RosterEntry.objects.create(event=e, representative=world.R1)
    past = make_event(world.S1, date(2026, 9, 20))
    RosterEntry.objects.create(event=past, representative=world.R1)
    assert notices.queue_due_notices(today=date(2026, 9, 29)) == 0


def test_department_visit_tells_every_member_of_the_station(world):
    Membership.objects.create(representative=world.R4, station=world.S1)
    make_event(
        world.S1,
        date(2026, 12, 18),
        kind=EventKind.DEPARTMENT_VISIT,
        department=world.D,
        department_head="王局长",
        department_duties="住房保障、老旧小区改造",
        topics="加装电梯",
    )
    assert notices.queue_due_notices(today=date(2026, 12, 7)) == 0
    notices.queue_due_notices(today=date(2026, 12, 8))
    told = set(OutboxMessage.objects.values_list("recipient_name", flat=True))
    assert told == {world.R1.name, world.R4.name}
    body = OutboxMessage.objects.get(user=world.rep, channel="inbox").body
    assert world.D.name in body and "老旧小区改造" in body and "加装电梯" in body
    assert OutboxMessage.objects.filter(topic=notices.TOPIC_VISIT).count() == OutboxMessage.objects.count()


def test_a_representative_added_after_the_notice_date_is_told_at_once(world):
    today = workdays.current().next_working_day(date.today())
    soon = workdays.add_working_days(today, 2)
    event = make_event(world.S1, soon)
    entry = RosterEntry.objects.create(event=event, representative=world.R1)
    assert notices.notice_roster_added(entry=entry) > 0
    assert OutboxMessage.objects.filter(key__endswith=":notice", user=world.rep).exists()

    later = make_event(world.S1, workdays.add_working_days(today, 20))
    entry = RosterEntry.objects.create(event=later, representative=world.R1)
    assert notices.notice_roster_added(entry=entry) == 0


def sent_notice(world, day=date(2026, 10, 12), today=date(2026, 9, 29)):
    event = make_event(world.S1, day)
    RosterEntry.objects.create(event=event, representative=world.R1)
    notices.queue_due_notices(today=today)
    return event


def test_a_change_after_sending_writes_one_correction_per_change(world):
    event = sent_notice(world)
    deliver_pending()
    assert not OutboxMessage.objects.filter(status="pending").exists()

    before = {
        "date": event.date,
        "start_time": event.start_time,
        "end_time": event.end_time,
        "place": event.place,
        "status": event.status,
    }
    event.start_time, event.end_time, event.place = time(14), time(16), "村委会二楼会议室"
    event.save()
    notices.notice_event_changed(event=event, before=before)
    corrections = OutboxMessage.objects.filter(topic=notices.TOPIC_CHANGE)
    assert set(corrections.values_list("key", flat=True)) == {f"reception:{event.pk}:rep:{world.R1.pk}:change:1"}
    inbox = corrections.get(channel="inbox")
    assert "14:00" in inbox.body and "09:00" in inbox.body and "村委会二楼会议室" in inbox.body

    # Saving again without a change writes nothing; a second change writes a second correction.
    same = {**before, "start_time": time(14), "end_time": time(16), "place": "村委会二楼会议室"}
    assert notices.notice_event_changed(event=event, before=same) == 0
    event.date = date(2026, 10, 13)
    event.save()
    notices.notice_event_changed(event=event, before={**same, "date": date(2026, 10, 12)})
    assert corrections.filter(key__endswith=":change:2").count() == 2  # inbox and SMS


def test_a_change_before_sending_rewrites_the_waiting_notice(world):
    event = sent_notice(world)  # written, not delivered
    before = {
        "date": event.date,
        "start_time": event.start_time,
        "end_time": event.end_time,
        "place": event.place,
        "status": event.status,
    }
    event.place = "新地址"
    event.save()
    assert notices.notice_event_changed(event=event, before=before) == 0
    assert not OutboxMessage.objects.filter(topic=notices.TOPIC_CHANGE).exists()
    assert all("新地址" in m.body for m in OutboxMessage.objects.filter(key__endswith=":notice"))


def test_cancelling_tells_those_notified_and_stops_the_rest(world):
    event = sent_notice(world)
    deliver_pending()
    RosterEntry.objects.create(event=event, representative=world.R2)
    notices.queue_due_notices(today=date(2026, 9, 30))  # R2's notice waits unsent
    before = {
        "date": event.date,
        "start_time": event.start_time,
        "end_time": event.end_time,
        "place": event.place,
        "status": event.status,
    }
    event.status = ReceptionEvent.Status.CANCELLED
    event.save()
    notices.notice_event_changed(event=event, before=before)
    assert OutboxMessage.objects.get(key=f"reception:{event.pk}:rep:{world.R2.pk}:notice").status == "cancelled"
    cancel = OutboxMessage.objects.filter(topic=notices.TOPIC_CANCEL)
    assert set(cancel.values_list("recipient_name", flat=True)) == {world.R1.name}


def test_removing_from_the_roster_cancels_or_tells(world):
    event = sent_notice(world)
    entry = RosterEntry.objects.get(event=event, representative=world.R1)
    deliver_pending()
    assert notices.notice_roster_removed(entry=entry) > 0
    assert OutboxMessage.objects.filter(topic=notices.TOPIC_REMOVED, user=world.rep, channel="inbox").exists()

    other = RosterEntry.objects.create(event=event, representative=world.R2)
    notices.queue_due_notices(today=date(2026, 9, 30))
    assert notices.notice_roster_removed(entry=other) == 0
    assert OutboxMessage.objects.get(key=f"reception:{event.pk}:rep:{world.R2.pk}:notice").status == "cancelled"


def test_delivery_puts_the_notice_in_the_inbox_once(world):
    sent_notice(world)
    first = deliver_pending()
    second = deliver_pending()
    assert first == {"sent": 2} and second == {}
    assert Notification.objects.filter(recipient=world.rep).count() == 1


def test_the_notice_is_counted_in_working_days_at_the_events_station(world):
    # 延庆镇 (S1's township) takes Wednesday 2026-12-16 off; 康庄镇 (S2's) works it.
    from liaison import calendar_services

    calendar_services.calendar_day_set(
        actor=world.office_t1, date=date(2026, 12, 16), is_working_day=False, name="镇庆"
    )
    friday = date(2026, 12, 18)
    inside, outside = make_event(world.S1, friday), make_event(world.S2, friday)
    assert notices.notice_date(outside) == date(2026, 12, 11)  # 17, 16, 15, 14, 11
    assert notices.notice_date(inside) == date(2026, 12, 10)  # 17, 15, 14, 11, 10
    RosterEntry.objects.create(event=inside, representative=world.R1)
    RosterEntry.objects.create(event=outside, representative=world.R2)
    notices.queue_due_notices(today=date(2026, 12, 10))
    assert {key.split(":rep:")[0] for key, _channel in keys()} == {f"reception:{inside.pk}"}
    notices.queue_due_notices(today=date(2026, 12, 11))
    assert {key.split(":rep:")[0] for key, _channel in keys()} == {f"reception:{inside.pk}", f"reception:{outside.pk}"}

"""Deadline reminders (petitions.handling.reminders): the stages on the right working days, one digest per
user per run, the office alert and the online-24h alert once each, nothing for closed shares,
bounded queries. Runs on SQLite and on PostgreSQL (DATABASE_URL)."""

import io
import threading
from datetime import date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from liaison import workdays
from liaison.models import Notification, OutboxMessage, Role
from liaison.tasks import deliver_outbox
from petitions.handling import reminders
from petitions.handling import services as handling
from petitions.ledger.services import petition_reply_online
from petitions.models import Assignment, Outcome, Petition, Reminder, Status
from petitions.tasks import send_deadline_reminders
from tests.factories import DepartmentFactory, UserFactory, make_petition

pytestmark = pytest.mark.django_db

# The National Day week of 2026 and its make-up working day (checked against the calendar below).
HOLIDAY_DUE = date(2026, 10, 9)  # a Friday, the second working day after the holiday
WEEK_DUE = date(2026, 11, 16)  # a Monday of an ordinary week


@pytest.fixture
def other(world):
    """A second department of the district (the office assigns only within its jurisdiction)."""
    return DepartmentFactory(name="区城市管理委员会", jurisdiction=world.j.K)


def at(day: date, hour: int = 8, minute: int = 30) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def in_hand(world, *, due_on: date, co=(), station=None, department=None, **fields) -> Petition:
    """An item registered at the station and assigned by the office through the real services.

    The services refuse a deadline in the past, and these tests replay dates that may be past
    when they run: the deadline is then set as it stood on those dates.
    """
    petition = make_petition(
        station=station or world.S1,
        representatives=[world.R1],
        actor=world.staff,
        petitioner_name="张三",
        petitioner_phone="13812345678",
        **fields,
    )
    today = timezone.localdate()
    handling.petition_assign(
        actor=world.office,
        petition=petition,
        department=department or world.D,
        co_departments=co,
        due_on=due_on if due_on >= today else None,
    )
    if due_on < today or Assignment.objects.filter(petition=petition).exclude(due_on=due_on).exists():
        Assignment.objects.filter(petition=petition).update(due_on=due_on)
        Petition.objects.filter(pk=petition.pk).update(due_on=due_on)
    petition.refresh_from_db()
    return petition


def queue(day: date) -> set:
    """Run the selection on `day` at 08:30 (beat's time); the (share, stage, day) rows it added."""
    before = set(Reminder.objects.values_list("pk", flat=True))
    reminders.reminders_queue(today=day, now=at(day))
    return {(r.assignment_id, r.stage, r.day) for r in Reminder.objects.exclude(pk__in=before)}


def digests(user):
    return OutboxMessage.objects.filter(user=user, topic="petition_reminder", channel="inbox")


def test_the_calendar_these_tests_rely_on():
    working = workdays.is_working_day
    assert working(date(2026, 9, 29)) and working(date(2026, 9, 30))
    assert not any(working(date(2026, 10, d)) for d in range(1, 8))  # National Day
    assert working(date(2026, 10, 8)) and working(HOLIDAY_DUE)
    assert working(date(2026, 10, 10))  # a Saturday worked in exchange (调休)
    assert not working(date(2026, 10, 11))
    assert [working(date(2026, 11, d)) for d in range(14, 17)] == [False, False, True]


def test_each_stage_on_its_working_day_around_the_national_day_holiday(world, other):
    p = in_hand(world, due_on=HOLIDAY_DUE, co=[other])
    lead = p.assignments.get(role=Assignment.Role.LEAD)
    co = p.assignments.get(role=Assignment.Role.CO)
    both = lambda stage, day: {(lead.pk, stage, day), (co.pk, stage, day)}
    S = Reminder.Stage

    assert queue(date(2026, 9, 28)) == set()  # 4 working days before: nothing yet
    # Beat missed 29 September (3 working days before); the run in the holiday catches it up,
    # dated the day it was due, so no later run adds it again.
    assert queue(date(2026, 10, 3)) == both(S.BEFORE, date(2026, 9, 29))
    assert queue(date(2026, 10, 5)) == set()
    assert queue(date(2026, 10, 8)) == set()
    assert queue(HOLIDAY_DUE) == both(S.DUE, HOLIDAY_DUE)
    assert queue(HOLIDAY_DUE) == set()  # the same day again: nothing
    assert queue(date(2026, 10, 10)) == both(S.OVERDUE, date(2026, 10, 10))  # the make-up Saturday is worked
    assert queue(date(2026, 10, 11)) == set()  # Sunday
    assert queue(date(2026, 10, 12)) == both(S.OVERDUE, date(2026, 10, 12))
    # Third working day overdue (10th, 12th, 13th): the office is alerted, for the lead share only.
    assert queue(date(2026, 10, 13)) == both(S.OVERDUE, date(2026, 10, 13)) | {(lead.pk, S.OFFICE, date(2026, 10, 13))}
    assert queue(date(2026, 10, 14)) == both(S.OVERDUE, date(2026, 10, 14))
    assert Reminder.objects.filter(stage=S.OFFICE).count() == 1
    assert set(Reminder.objects.values_list("petition_id", flat=True)) == {p.pk}


def test_each_stage_on_its_working_day_around_a_weekend(world):
    p = in_hand(world, due_on=WEEK_DUE)
    share = p.assignments.get()
    S = Reminder.Stage
    days = {
        date(2026, 11, 10): set(),
        date(2026, 11, 11): {(share.pk, S.BEFORE, date(2026, 11, 11))},  # Wed: Thu, Fri, Mon to go
        date(2026, 11, 13): set(),
        date(2026, 11, 14): set(),
        WEEK_DUE: {(share.pk, S.DUE, WEEK_DUE)},
        date(2026, 11, 17): {(share.pk, S.OVERDUE, date(2026, 11, 17))},
        date(2026, 11, 18): {(share.pk, S.OVERDUE, date(2026, 11, 18))},
        date(2026, 11, 19): {(share.pk, S.OVERDUE, date(2026, 11, 19)), (share.pk, S.OFFICE, date(2026, 11, 19))},
        date(2026, 11, 21): set(),  # Saturday: no overdue reminder
        date(2026, 11, 23): {(share.pk, S.OVERDUE, date(2026, 11, 23))},
    }
    for day, expected in days.items():
        assert queue(day) == expected, day


def test_an_extended_deadline_starts_its_reminders_again(world):
    p = in_hand(world, due_on=WEEK_DUE)
    share = p.assignments.get()
    assert queue(date(2026, 11, 11)) == {(share.pk, Reminder.Stage.BEFORE, date(2026, 11, 11))}
    Assignment.objects.filter(pk=share.pk).update(due_on=date(2026, 11, 27))  # as an approved extension leaves it
    assert queue(date(2026, 11, 16)) == set()
    assert queue(date(2026, 11, 24)) == {(share.pk, Reminder.Stage.BEFORE, date(2026, 11, 24))}


def test_no_reminder_for_replied_returned_or_closed_shares(world):
    replied = in_hand(world, due_on=WEEK_DUE)
    handling.petition_accept(actor=world.dept, petition=replied)
    handling.petition_reply(actor=world.dept, petition=replied, outcome=Outcome.SOLVED, text="已修复。")
    returned = in_hand(world, due_on=WEEK_DUE)
    handling.petition_return(actor=world.dept, petition=returned, reason="不属于本单位职责。")
    open_ = in_hand(world, due_on=WEEK_DUE)

    assert {a for a, _s, _d in queue(date(2026, 11, 18))} == {open_.assignments.get().pk}
    assert set(Reminder.objects.values_list("petition_id", flat=True)) == {open_.pk}


def test_a_share_closed_after_queueing_is_marked_sent_without_a_message(world):
    p = in_hand(world, due_on=WEEK_DUE)
    other = in_hand(world, due_on=WEEK_DUE)
    queue(WEEK_DUE)
    assert Reminder.objects.filter(sent_at__isnull=True).count() == 2
    handling.petition_accept(actor=world.dept, petition=p)
    handling.petition_reply(actor=world.dept, petition=p, outcome=Outcome.SOLVED, text="已处理。")

    counts = reminders.reminders_send(now=at(WEEK_DUE))
    assert counts["rows"] == 2 and counts["skipped"] == 1 and counts["messages"] == 1
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
    (message,) = digests(world.dept)
    assert other.tracking_number in message.body and p.tracking_number not in message.body


def test_queue_and_send_twice_write_each_message_once(world):
    p = in_hand(world, due_on=WEEK_DUE)
    deliver_outbox.delay()  # the assignment notices
    assigned = Notification.objects.filter(recipient=world.dept).count()
    for _run in range(2):
        reminders.reminders_queue(today=WEEK_DUE, now=at(WEEK_DUE))
        reminders.reminders_send(now=at(WEEK_DUE))
        deliver_outbox.delay()  # what the kick after commit runs
    assert Reminder.objects.count() == 1 and Reminder.objects.get().sent_at == at(WEEK_DUE)
    assert digests(world.dept).count() == 1
    delivered = Notification.objects.filter(recipient=world.dept).order_by("pk")
    assert delivered.count() == assigned + 1  # the digest, delivered once
    assert p.tracking_number in delivered.last().body

    # The next working day brings the next stage: one more message, again once.
    day = date(2026, 11, 17)
    for _run in range(2):
        reminders.reminders_queue(today=day, now=at(day))
        reminders.reminders_send(now=at(day))
        deliver_outbox.delay()
    assert digests(world.dept).count() == 2
    assert delivered.count() == assigned + 2


def test_one_digest_per_user_lists_every_item_without_content_or_petitioner(world, other):
    colleague = UserFactory(username="dept2", role=Role.DEPARTMENT, phone="13700001111")
    world.D.members.add(colleague)
    gone = UserFactory(username="dept_gone", role=Role.DEPARTMENT, is_active=False)
    world.D.members.add(gone)
    other_dept = UserFactory(username="dept_city", role=Role.DEPARTMENT)
    other.members.add(other_dept)
    day = date(2026, 11, 17)
    soon = in_hand(world, due_on=date(2026, 11, 20), content="东关村路灯损坏")  # 3 working days ahead
    today_ = in_hand(world, due_on=day, content="垃圾清运不及时")
    late = in_hand(world, due_on=date(2026, 11, 12), content="小区停车位不足")
    elsewhere = in_hand(world, due_on=day, department=other, station=world.S1, content="加装电梯进度慢")
    reminders.reminders_queue(today=day, now=at(day))
    counts = reminders.reminders_send(now=at(day))

    assert counts["rows"] == 5  # BEFORE, DUE, OVERDUE and OFFICE for D; DUE for the other department
    for user in (world.dept, colleague):
        (message,) = digests(user)
        assert message.url == reverse("petitions:department")
        for item in (soon, today_, late):
            assert item.tracking_number in message.body
        assert elsewhere.tracking_number not in message.body
        assert world.D.name in message.body and "2026-11-20" in message.body
        for private in ("路灯", "垃圾", "停车", "张三", "13812345678"):
            assert private not in message.body and private not in message.subject
        # The most pressing first: overdue, then due today, then due soon.
        body = message.body
        assert body.index(late.tracking_number) < body.index(today_.tracking_number) < body.index(soon.tracking_number)
    assert OutboxMessage.objects.filter(user=colleague, channel="sms", topic="petition_reminder").count() == 1
    assert not OutboxMessage.objects.filter(user=gone).exists()
    (message,) = digests(other_dept)
    assert elsewhere.tracking_number in message.body and soon.tracking_number not in message.body
    assert counts["messages"] == 4  # dept, colleague, dept_city and the office (the late item's alert)


def test_the_office_is_alerted_once_after_three_working_days_overdue(world):
    p = in_hand(world, due_on=HOLIDAY_DUE)
    for day in (date(2026, 10, 10), date(2026, 10, 12)):
        reminders.reminders_queue(today=day, now=at(day))
        reminders.reminders_send(now=at(day))
    assert not digests(world.office).exists()
    for day in (date(2026, 10, 13), date(2026, 10, 14), date(2026, 10, 15)):
        reminders.reminders_queue(today=day, now=at(day))
        reminders.reminders_send(now=at(day))
    (alert,) = digests(world.office)
    assert p.tracking_number in alert.body and alert.url == reverse("petitions:supervision")
    assert "张三" not in alert.body and "停车" not in alert.body
    # Only the office that assigned it; the department got its daily overdue reminders meanwhile.
    assert not OutboxMessage.objects.filter(user__in=[world.office_t1, world.office_k2]).exists()
    assert digests(world.dept).count() == 5


def test_an_online_item_unanswered_for_24_hours_alerts_its_representative_once(world):
    waiting = make_petition(station=world.S1, channel="qr", representatives=[world.R1], content="噪声扰民")
    answered = make_petition(station=world.S1, channel="qr", representatives=[world.R1])
    petition_reply_online(actor=world.rep, petition=answered, text="已收到，正在了解情况。")
    no_rep = make_petition(station=world.P1, channel="qr")  # a contact point without representatives
    other = make_petition(station=world.S2, channel="qr", representatives=[world.R2])
    Petition.objects.filter(pk=other.pk).update(first_reply_due_at=timezone.now() + timedelta(days=30))

    early = timezone.now() + timedelta(hours=23)
    assert reminders.reminders_queue(now=early)["created"] == 0
    late = timezone.now() + timedelta(hours=25)
    assert reminders.reminders_queue(now=late)["created"] == 2
    assert set(Reminder.objects.values_list("key", flat=True)) == {f"online:p{waiting.pk}", f"online:p{no_rep.pk}"}
    reminders.reminders_send(now=late)
    reminders.reminders_queue(now=late + timedelta(days=1))
    reminders.reminders_send(now=late + timedelta(days=1))

    to_rep = OutboxMessage.objects.filter(key=f"online-late:p{waiting.pk}:rep{world.R1.pk}")
    assert {(m.channel, m.user_id, m.address) for m in to_rep} == {
        ("inbox", world.rep.pk, ""),
        ("sms", world.rep.pk, "13900000001"),
    }
    assert all(m.url == reverse("petitions:detail", args=[waiting.pk]) and "噪声" not in m.body for m in to_rep)
    # The item without representatives reaches the staff of the stations above it.
    assert (
        OutboxMessage.objects.filter(key=f"online-late:p{no_rep.pk}:user{world.staff.pk}", channel="inbox").count() == 1
    )
    late_keys = OutboxMessage.objects.filter(key__startswith="online-late:").values_list("key", flat=True)
    assert len(late_keys) == 3 and len(set(late_keys)) == 2  # once each (R1 by inbox and SMS), the next day included
    assert not OutboxMessage.objects.filter(key__startswith=f"online-late:p{answered.pk}").exists()
    assert not OutboxMessage.objects.filter(key__startswith=f"online-late:p{other.pk}").exists()


def test_online_items_are_read_page_by_page_none_lost_none_twice(world, monkeypatch):
    monkeypatch.setattr(reminders, "QUEUE_CHUNK", 2)
    items = [make_petition(station=world.S1, channel="qr", representatives=[world.R1]) for _n in range(5)]
    same = timezone.now() - timedelta(hours=1)  # three deadlines alike, across a page boundary
    Petition.objects.filter(pk__in=[p.pk for p in items[1:4]]).update(first_reply_due_at=same)
    counts = reminders.reminders_queue(now=timezone.now() + timedelta(hours=25))
    assert counts["online"] == counts["created"] == 5
    assert set(Reminder.objects.values_list("petition_id", flat=True)) == {p.pk for p in items}


def test_an_online_item_answered_or_settled_meanwhile_sends_nothing(world):
    answered = make_petition(station=world.S1, channel="qr", representatives=[world.R1])
    settled = make_petition(station=world.S1, channel="qr", representatives=[world.R1])
    handling.petition_handle_on_the_spot(actor=world.office, petition=settled, text="已转街道当场处理。")
    late = timezone.now() + timedelta(hours=25)
    assert reminders.reminders_queue(now=late)["online"] == 2
    petition_reply_online(actor=world.rep, petition=answered, text="已收到。")
    counts = reminders.reminders_send(now=late)
    assert counts == {"rows": 2, "skipped": 2, "messages": 0, "outbox_rows": 0}
    assert not OutboxMessage.objects.filter(key__startswith="online-late:").exists()
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()


def test_queue_and_send_need_the_same_few_queries_for_one_share_or_many(world, other, django_assert_max_num_queries):
    day = date(2026, 11, 19)

    def run():
        Reminder.objects.all().delete()
        # The calendar, the two selections, a key check and one INSERT.
        with django_assert_max_num_queries(5) as queued:
            created = reminders.reminders_queue(today=day, now=at(day))
        # Per batch a lock and an UPDATE; per department, office and message chunk a query or two; none per item.
        with django_assert_max_num_queries(15) as sent:  # and the offices' settings (the SMS signature)
            counts = reminders.reminders_send(now=at(day))
        return created, counts, len(queued), len(sent)

    in_hand(world, due_on=WEEK_DUE, co=[other])
    small, small_sent, small_queue_sql, small_send_sql = run()
    for n in range(25):
        in_hand(world, due_on=WEEK_DUE - timedelta(days=n % 5), co=[other] if n % 2 else ())
    big, big_sent, big_queue_sql, big_send_sql = run()

    assert small["shares"] == 2 and big["shares"] == 2 + 25 + 12
    assert small["created"] == 3 and big["created"] > 60  # OVERDUE for both shares, OFFICE for the lead
    assert big_queue_sql == small_queue_sql
    assert big_sent["rows"] == big["created"] and big_sent["messages"] == small_sent["messages"] == 2  # dept, office
    assert big_send_sql == small_send_sql


def test_the_beat_task_queues_and_sends_and_may_run_twice(world):
    today = timezone.localdate()
    due = workdays.next_working_day(today)
    in_hand(world, due_on=due)
    first = send_deadline_reminders.delay().get()
    again = send_deadline_reminders.delay().get()
    assert first["queued"] == 1 and first["messages"] == 1  # due within 3 working days: BEFORE
    assert again == {"resumed": 0, "queued": 0, "sent": 0, "messages": 0}
    assert digests(world.dept).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_at_once_send_each_reminder_once(world):
    for due in (WEEK_DUE, date(2026, 11, 12), date(2026, 11, 20)):
        in_hand(world, due_on=due)
    day = date(2026, 11, 17)
    reminders.reminders_queue(today=day, now=at(day))
    barrier, results, errors = threading.Barrier(2), [], []

    def send():
        try:
            barrier.wait(5)
            results.append(reminders.reminders_send(now=at(day)))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert sum(r["rows"] for r in results) == Reminder.objects.count() == 4
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
    assert digests(world.dept).count() == 1 and digests(world.office).count() == 1


def test_bulk_demo_items_carry_their_lead_share_for_the_selection(db):
    call_command("seed_demo", stdout=io.StringIO())
    before = set(Petition.objects.values_list("pk", flat=True))
    call_command("seed_demo", stdout=io.StringIO(), petitions=1500)
    added = Petition.objects.exclude(pk__in=before)
    with_share = added.filter(lead_department__isnull=False, due_on__isnull=False)
    shares = Assignment.objects.filter(petition__in=added)
    assert shares.count() == with_share.count() > 100
    assert not shares.exclude(role=Assignment.Role.LEAD).exists() and not shares.exclude(round=1).exists()
    assert not shares.exclude(department=F("petition__lead_department"), due_on=F("petition__due_on")).exists()
    for status, state in shares.values_list("petition__status", "state").distinct():
        expected = {Status.ASSIGNED: "pending", Status.ACCEPTED: "accepted", Status.IN_PROGRESS: "accepted"}.get(
            status, "done"
        )
        assert state == expected, status
    # On a working day every open share due within 3 working days (or overdue) gets a reminder.
    day = workdays.next_working_day(timezone.localdate())
    open_due = shares.filter(state__in=["pending", "accepted"], due_on__lte=workdays.add_working_days(day, 3))
    counts = reminders.reminders_queue(today=day, now=at(day))
    assert counts["shares"] >= open_due.count() > 0
    assert Reminder.objects.filter(assignment__in=open_due).values("assignment").distinct().count() == open_due.count()

"""Deadlines counted at the item's place (issue 15): a township office's local holiday moves the
deadlines of the items in its township (东关村 under 延庆镇, station S1) and not those of the next
township's (榆林堡村 under 康庄镇, station S2): triage and assignment deadlines, the days a
suspension stops the clock, the reminders' "working days before" and a supervision notice's
answer-by date. Runs on SQLite and on PostgreSQL (DATABASE_URL)."""

from datetime import date, datetime, time

import pytest
from django.conf import settings
from django.utils import timezone

from liaison import calendar_services, workdays
from petitions.handling import deadlines
from petitions.handling import services as handling
from petitions.handling.forms import AssignForm
from petitions.handling.suspension import petition_resume, petition_suspend, suspended_working_days
from petitions.ledger.services import PetitionError
from petitions.models import Reminder
from petitions.supervision.services import supervision_notice_issue
from tests.factories import make_petition
from tests.petitions.test_reminders import in_hand, queue

pytestmark = pytest.mark.django_db


def local_holiday(world, day: date) -> date:
    """The township office of 延庆镇 declares `day` a local holiday (through its service)."""
    entry = calendar_services.calendar_day_set(actor=world.office_t1, date=day, is_working_day=False, name="镇庆")
    assert entry.office == world.OT1
    return day


@pytest.fixture
def soon(world):
    """A local holiday of 延庆镇 on the second working day from today."""
    return local_holiday(world, workdays.add_working_days(timezone.localdate(), 2))


def test_triage_and_assignment_deadlines_move_in_the_township_only(world, soon):
    today = timezone.localdate()
    inside = make_petition(station=world.S1, actor=world.staff)
    outside = make_petition(station=world.S2, actor=world.staff)
    assert inside.area_code == world.j.C1.code and outside.area_code == world.j.C2.code
    assert inside.received_on == outside.received_on == today
    # Two working days to route them: the local holiday is the second next door, not in 东关村.
    assert settings.LIAISON_TRIAGE_WORKING_DAYS == 2
    assert deadlines.triage_due(outside) == soon
    assert deadlines.triage_due(inside) == workdays.add_working_days(soon, 1)

    for p in (inside, outside):
        handling.petition_assign(actor=world.office, petition=p, department=world.D)
        p.refresh_from_db()
    assert outside.due_on == workdays.add_working_days(today, 15)
    assert inside.due_on == workdays.add_working_days(outside.due_on, 1)
    assert inside.assignments.get().due_on == inside.due_on
    # The assign form says the same.
    form = AssignForm(user=world.office, petition=make_petition(station=world.S1, actor=world.staff))
    assert form.default_due == inside.due_on


def test_a_suspension_stops_the_clock_by_the_working_days_lost_at_the_place(world, soon):
    today = timezone.localdate()
    items = {}
    for name, station in (("inside", world.S1), ("outside", world.S2)):
        p = in_hand(world, due_on=workdays.add_working_days(today, 10), station=station)
        petition_suspend(actor=world.office, petition=p, reason="等待规划批复", until=soon)
        items[name] = (p.due_on, petition_resume(actor=None, petition=p.pk, today=soon))
    due, resumed = items["outside"]
    assert resumed.due_on == workdays.add_working_days(due, 2)  # the two working days up to the holiday
    due, resumed = items["inside"]
    assert resumed.due_on == workdays.current(world.j.C1.code).add(due, 1)  # the holiday was no working day
    assert suspended_working_days(today, soon, area_code=world.j.C1.code) == 1
    assert suspended_working_days(today, soon, area_code=world.j.C2.code) == suspended_working_days(today, soon) == 2


def test_reminders_count_working_days_at_the_items_place(world):
    local_holiday(world, date(2026, 11, 12))  # a Thursday
    monday, wednesday = date(2026, 11, 16), date(2026, 11, 11)
    inside = in_hand(world, due_on=monday, station=world.S1).assignments.get()
    outside = in_hand(world, due_on=monday, station=world.S2).assignments.get()
    # "3 working days before" Monday: Tuesday in 东关村 (Thursday is off), Wednesday next door.
    assert queue(date(2026, 11, 10)) == {(inside.pk, Reminder.Stage.BEFORE, date(2026, 11, 10))}
    assert queue(wednesday) == {(outside.pk, Reminder.Stage.BEFORE, wednesday)}
    # On the local holiday nobody in 东关村 is told "overdue"; next door it is a working day.
    late_inside = in_hand(world, due_on=wednesday, station=world.S1).assignments.get()
    late_outside = in_hand(world, due_on=wednesday, station=world.S2).assignments.get()
    found = queue(date(2026, 11, 12))
    assert (late_outside.pk, Reminder.Stage.OVERDUE, date(2026, 11, 12)) in found
    assert not {row for row in found if row[0] == late_inside.pk}


def test_a_notice_answer_by_date_must_be_a_working_day_at_the_items_place(world, soon):
    due = workdays.add_working_days(timezone.localdate(), 10)
    inside = in_hand(world, due_on=due, station=world.S1)
    outside = in_hand(world, due_on=due, station=world.S2)
    press = {
        "actor": world.office,
        "department": world.D,
        "subject": "督办",
        "requirement": "请按期办结",
        "due_on": soon,
    }
    with pytest.raises(PetitionError):
        supervision_notice_issue(petition=inside, **press)
    assert supervision_notice_issue(petition=outside, **press).due_on == soon
    # A notice on a matter counts at the department's place (the district: no local holiday there).
    assert supervision_notice_issue(**press).due_on == soon


def test_the_working_days_to_reply_are_counted_at_the_items_place(world, soon):
    assigned, replied = timezone.now(), timezone.make_aware(datetime.combine(soon, time(10)))
    assert deadlines.reply_working_days(assigned, replied) == 2  # no place: the deployment's calendar
    assert deadlines.reply_working_days(assigned, replied, area_code=world.j.C2.code) == 2
    assert deadlines.reply_working_days(assigned, replied, area_code=world.j.C1.code) == 1

"""Suspending an item in hand (petitions.handling.suspension): the clock stops, resumes on working
days, the item is never overdue meanwhile, the daily task resumes it once, and the history, the
public timeline, the department desk and the move's page show it.

The table's cases (who, from where, to where) are in test_workflow.py with every other move.
"""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from liaison.models import OutboxMessage
from liaison.selectors import home_summary
from petitions.handling import reminders, workflow
from petitions.handling import services as handling
from petitions.handling.suspension import (
    petition_resume,
    petition_suspend,
    suspended_working_days,
    suspensions_resume_due,
)
from petitions.handling.workflow import InvalidTransition
from petitions.intake.tracking import public_timeline
from petitions.ledger.events import PetitionEventKind
from petitions.ledger.selectors import timeline
from petitions.ledger.services import PetitionError
from petitions.models import Assignment, ExtensionRequest, Petition, Status
from petitions.reports.dashboard import measure_q
from tests.petitions.test_ledger import numbers
from tests.petitions.test_reminders import digests, in_hand, other  # noqa: F401 (fixture)
from tests.petitions.test_workflow import PATHS, make_cast, reach

pytestmark = pytest.mark.django_db

# The National Day week of 2026: 10-01..10-07 off, Saturday 10-10 worked (tests/liaison/test_workdays.py).
SUSPENDED_ON = date(2026, 9, 30)  # a Wednesday, the last working day before the holiday
RESUMED_ON = date(2026, 10, 12)  # a Monday: 10-08, 10-09, 10-10 and 10-12 were working days in between


@pytest.fixture
def cast(world):
    return make_cast(world)


def later(days: int = 20) -> date:
    return timezone.localdate() + timedelta(days=days)


def suspend(cast, p, **kw):
    kw.setdefault("reason", "等待法院对土地权属的判决。")
    kw.setdefault("until", later())
    return petition_suspend(actor=cast.office, petition=p, **kw)


def fresh(p) -> Petition:
    return Petition.objects.get(pk=p.pk)


def told(topic: str) -> set:
    return set(OutboxMessage.objects.filter(topic=topic, channel="inbox").values_list("user__username", flat=True))


# -- the services ----------------------------------------------------------------------------------------


def test_the_working_days_lost_skip_the_holiday_week():
    assert suspended_working_days(SUSPENDED_ON, RESUMED_ON) == 4
    assert suspended_working_days(SUSPENDED_ON, SUSPENDED_ON) == 0
    assert suspended_working_days(date(2026, 10, 2), date(2026, 10, 7)) == 0  # inside the holiday
    assert suspended_working_days(RESUMED_ON, SUSPENDED_ON) == 0  # never backwards


def test_suspend_keeps_the_shares_open_and_stops_the_clock(cast):
    p = reach(cast, Status.ACCEPTED)
    until = later(15)
    suspend(cast, p, until=until)
    p = fresh(p)
    assert (p.status, p.suspended_until, p.suspend_reason) == (Status.SUSPENDED, until, "等待法院对土地权属的判决。")
    assert p.suspended_at is not None and p.version == len(PATHS[Status.ACCEPTED]) + 1
    assert set(p.assignments.values_list("state", flat=True)) == {Assignment.State.ACCEPTED, Assignment.State.PENDING}
    event = p.events.get(kind=PetitionEventKind.SUSPENDED)
    assert (event.from_status, event.to_status, event.actor) == (Status.ACCEPTED, Status.SUSPENDED, cast.office)
    assert event.data["until"] == str(until) and event.is_public
    # Both departments with an open share are told: the lead (world.dept) and the co-handler.
    assert told("petition_suspended") == {"dept", "dept_co"}


def test_suspend_needs_a_reason_and_a_resume_date_after_today(cast):
    p = reach(cast, Status.ASSIGNED)
    for kw in ({"reason": "  "}, {"until": timezone.localdate()}, {"until": timezone.localdate() - timedelta(days=1)}):
        with pytest.raises(PetitionError):
            suspend(cast, p, **kw)
    assert fresh(p).status == Status.ASSIGNED and not p.events.filter(kind=PetitionEventKind.SUSPENDED).exists()


def test_resume_moves_every_open_deadline_by_the_working_days_lost_over_a_holiday(cast):
    p = reach(cast, Status.IN_PROGRESS)
    handling.petition_request_extension(
        actor=cast.dept, petition=p, requested_due_on=later(60), reason="需协调供电公司，时间不够。"
    )
    suspend(cast, p)
    # Replay the dates of the National Day week: suspended on 09-30 with the lead due 10-09 (a Friday)
    # and the co-handler due 10-08.
    Petition.objects.filter(pk=p.pk).update(
        suspended_at=timezone.make_aware(datetime.combine(SUSPENDED_ON, time(10))), due_on=date(2026, 10, 9)
    )
    Assignment.objects.filter(petition=p, role=Assignment.Role.LEAD).update(due_on=date(2026, 10, 9))
    Assignment.objects.filter(petition=p, role=Assignment.Role.CO).update(due_on=date(2026, 10, 8))
    ExtensionRequest.objects.filter(petition=p).update(current_due_on=date(2026, 10, 9))

    petition_resume(actor=cast.office, petition=p, today=RESUMED_ON, note="判决已出。")

    p = fresh(p)
    assert p.status == Status.IN_PROGRESS  # where it was suspended from
    assert (p.suspended_at, p.suspended_until, p.suspend_reason) == (None, None, "")
    # Four working days (10-08, 10-09, the make-up Saturday 10-10, 10-12) counted on from each deadline:
    # from Friday 10-09 that is 10-10, 10-12, 10-13, 10-14 (Sunday 10-11 is off).
    assert p.due_on == date(2026, 10, 14)
    shares = {a.role: a.due_on for a in p.assignments.all()}
    assert shares == {Assignment.Role.LEAD: date(2026, 10, 14), Assignment.Role.CO: date(2026, 10, 13)}
    assert ExtensionRequest.objects.get(petition=p).current_due_on == date(2026, 10, 14)
    event = p.events.get(kind=PetitionEventKind.RESUMED)
    assert (event.from_status, event.to_status, event.actor) == (Status.SUSPENDED, Status.IN_PROGRESS, cast.office)
    assert event.data == {
        "days": 4,
        "automatic": False,
        "note": "判决已出。",
        "from": "2026-10-09",
        "to": "2026-10-14",
    }
    assert told("petition_resumed") == {"dept", "dept_co"}


@pytest.mark.parametrize("status", [Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS])
def test_resume_returns_to_the_status_it_was_suspended_from(cast, status):
    p = reach(cast, status)
    suspend(cast, p)
    petition_resume(actor=cast.office, petition=p)
    p = fresh(p)
    assert p.status == status and p.version == len(PATHS[status]) + 2


def test_a_suspended_item_refuses_the_moves_of_an_item_in_hand(cast):
    p = reach(cast, Status.ACCEPTED)
    suspend(cast, p)
    with pytest.raises(InvalidTransition):
        handling.petition_reply(actor=cast.dept, petition=p, outcome="A", text="已修复")
    with pytest.raises(InvalidTransition):
        suspend(cast, p)
    assert fresh(p).status == Status.SUSPENDED


# -- the daily task -----------------------------------------------------------------------------------------


def test_the_daily_task_resumes_on_the_resume_date_once(cast):
    p = reach(cast, Status.ASSIGNED)
    until = later(10)
    suspend(cast, p, until=until)
    assert suspensions_resume_due(today=until - timedelta(days=1)) == 0
    assert fresh(p).status == Status.SUSPENDED

    assert suspensions_resume_due(today=until) == 1
    assert suspensions_resume_due(today=until) == 0  # beat firing twice: nothing more
    p = fresh(p)
    assert p.status == Status.ASSIGNED
    (event,) = p.events.filter(kind=PetitionEventKind.RESUMED)
    assert event.actor is None and event.data["automatic"] is True
    assert told("petition_resumed") == {"dept", "dept_co"}  # once each, however often the task ran
    assert OutboxMessage.objects.filter(topic="petition_resumed", channel="inbox").count() == 2


def test_the_beat_task_resumes_before_it_queues_the_reminders(cast, monkeypatch):
    from petitions.tasks import send_deadline_reminders

    p = reach(cast, Status.ASSIGNED)
    suspend(cast, p, until=later(1))
    Petition.objects.filter(pk=p.pk).update(suspended_until=timezone.localdate())
    result = send_deadline_reminders.delay().get()
    assert result["resumed"] == 1 and fresh(p).status == Status.ASSIGNED


# -- never overdue while suspended ---------------------------------------------------------------------------


@pytest.fixture
def overdue_then_suspended(world, cast):
    """An item two days past its deadline, then suspended."""
    p = in_hand(world, due_on=timezone.localdate() - timedelta(days=2))
    assert Petition.objects.overdue(timezone.localdate()).filter(pk=p.pk).exists()
    suspend(cast, p)
    return fresh(p)


def test_a_suspended_item_is_not_overdue_anywhere(world, overdue_then_suspended):
    p, today = overdue_then_suspended, timezone.localdate()
    assert not Petition.objects.overdue(today).filter(pk=p.pk).exists()
    assert not p.is_overdue(today)
    assert not Petition.objects.filter(measure_q("overdue", today), pk=p.pk).exists()  # the dashboard
    assert not Petition.objects.filter(measure_q("late", today), pk=p.pk).exists()
    assert not Assignment.objects.overdue(today).filter(petition=p).exists()  # the department desk
    assert home_summary(world.office)["petitions"]["overdue"] == 0  # the start page
    assert home_summary(world.dept)["petitions"]["desk"]["overdue"] == 0
    # Still an open item: the resident waits for its answer.
    assert Petition.objects.open().filter(pk=p.pk).exists()


def test_reminders_skip_a_suspended_item(world, overdue_then_suspended):
    today = timezone.localdate()
    reminders.reminders_queue(today=today)
    sent = reminders.reminders_send()
    assert sent["messages"] == 0 and sent["skipped"] == sent["rows"]
    assert not digests(world.dept).exists()


# -- what people see -----------------------------------------------------------------------------------------


def test_the_history_and_the_public_timeline_show_both_moves(world, cast):
    p = reach(cast, Status.ASSIGNED)
    until = later(12)
    suspend(cast, p, until=until, reason="等待规划项目批复。")
    petition_resume(actor=cast.office, petition=p, note="项目已批复。")

    public = [e.text for e in public_timeline(p.pk)]
    assert any("等待规划项目批复。" in text and until.strftime("%Y-%m-%d") in text for text in public)
    assert any(fresh(p).due_on.strftime("%Y-%m-%d") in text for text in public[-1:])

    entries = {e.kind: e for e in timeline(fresh(p), user=world.office)}
    suspended, resumed = entries[PetitionEventKind.SUSPENDED], entries[PetitionEventKind.RESUMED]
    assert str(suspended.label) == "暂停办理" and str(resumed.label) == "恢复办理"
    assert suspended.to_status == str(Status.SUSPENDED.label)
    assert any(until.strftime("%Y-%m-%d") in line for line in suspended.details)
    assert "等待规划项目批复。" in suspended.details and "项目已批复。" in resumed.details


def act_url(p, move):
    return reverse("petitions:act", args=[p.pk, move])


@pytest.mark.parametrize("move", ["suspend", "resume"])
def test_the_moves_page_is_the_offices(world, cast, client_for, move):
    p = reach(cast, Status.ACCEPTED)
    if move == "resume":
        suspend(cast, p)
    assert client_for(world.office).get(act_url(p, move)).status_code == 200
    assert client_for(world.dept).get(act_url(p, move)).status_code == 403  # in scope, not the office's move
    assert client_for(world.office_k2).get(act_url(p, move)).status_code == 404  # another district


def test_suspend_and_resume_through_the_pages(world, cast, client_for):
    p = reach(cast, Status.ACCEPTED)
    client = client_for(world.office)
    detail = client.get(reverse("petitions:detail", args=[p.pk])).content.decode()
    assert 'data-move="suspend"' in detail and 'data-move="resume"' not in detail
    until = later(9)
    response = client.post(
        act_url(p, "suspend"), {"version": fresh(p).version, "reason": "等待法院判决。", "until": until.isoformat()}
    )
    assert response.status_code == 302 and fresh(p).status == Status.SUSPENDED
    detail = client.get(reverse("petitions:detail", args=[p.pk])).content.decode()
    assert 'data-move="resume"' in detail and 'data-move="suspend"' not in detail
    response = client.post(act_url(p, "resume"), {"version": fresh(p).version, "note": ""})
    assert response.status_code == 302 and fresh(p).status == Status.ACCEPTED


def test_a_resume_date_in_the_past_is_refused_on_the_form(world, cast, client_for):
    p = reach(cast, Status.ACCEPTED)
    response = client_for(world.office).post(
        act_url(p, "suspend"), {"version": fresh(p).version, "reason": "等待。", "until": "2020-01-01"}
    )
    assert response.status_code == 400 and fresh(p).status == Status.ACCEPTED


def test_the_department_desk_and_the_ledger_show_it_suspended(world, overdue_then_suspended, client_for):
    p = overdue_then_suspended
    desk = client_for(world.dept).get(reverse("petitions:department") + "?tab=new")
    html = desk.content.decode()
    assert p.tracking_number in html and "data-suspended" in html
    assert 'data-light="red"' not in html
    assert desk.context["counts"]["red"] == 0
    ledger = client_for(world.office).get(reverse("petitions:ledger")).content.decode()
    assert p.tracking_number in numbers(ledger) and 'class="badge petition-status status-suspended"' in ledger
    overdue = client_for(world.office).get(reverse("petitions:ledger") + "?overdue=on").content.decode()
    assert p.tracking_number not in numbers(overdue)


def test_the_workflow_names_the_suspended_status_once():
    assert Status.SUSPENDED in workflow.OPEN and Status.SUSPENDED not in workflow.AWAITING_REPLY
    assert Status.SUSPENDED not in workflow.IN_HAND and Status.SUSPENDED not in workflow.OPEN311_CLOSED

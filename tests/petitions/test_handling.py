"""What each handling service does beside moving the status: deadlines in working days,
shares of lead and co-handlers, notices, scope, stale versions, returns, extensions, replies
with files, contributions, feedback, ratings and the second round, close-out, the public
tracking page and representative suggestions.

Runs on SQLite and on PostgreSQL:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_wft ./dev test tests/petitions/test_handling.py
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from liaison import workdays
from liaison.models import Notification, OutboxMessage, Role
from liaison.outbox import deliver_pending
from petitions.handling import services as handling
from petitions.handling.deadlines import deadline_for
from petitions.handling.services import (
    Conflict,
    PetitionError,
    petition_accept,
    petition_assign,
    petition_close,
    petition_consult,
    petition_contribute,
    petition_decide_extension,
    petition_feed_back,
    petition_progress,
    petition_rate,
    petition_reply,
    petition_request_extension,
    petition_return,
    petition_suggestion_replied,
    petition_to_suggestion,
    petition_triage,
)
from petitions.handling.suspension import petition_resume
from petitions.intake.tracking import ACTOR_LABELS, RESIDENT_LABEL, public_item
from petitions.ledger.events import PetitionEventKind
from petitions.ledger.services import RESIDENT, petition_add_representative, staged_upload_store
from petitions.models import (
    Assignment,
    DeadlineRule,
    DepartmentReply,
    ExtensionRequest,
    FeedbackMethod,
    Outcome,
    Petition,
    PetitionAttachment,
    Rating,
    Route,
    Satisfaction,
    StagedUpload,
    Status,
    Suggestion,
    Urgency,
)
from tests.factories import UserFactory
from tests.petitions.test_workflow import make_cast, new_suggestion, reach

pytestmark = pytest.mark.django_db

NATIONAL_DAY_EVE = date(2026, 9, 30)  # a Wednesday; 1–7 October 2026 are the holiday, Saturday 10 October is worked


def code_of(p):
    """The rating code the resident received with the answer."""
    return Petition.objects.get(pk=p.pk if hasattr(p, "pk") else p).rating_code


@pytest.fixture
def cast(world):
    return make_cast(world)


def snapshot(p):
    """What a refused call must leave as it was."""
    p = Petition.objects.get(pk=p.pk)
    return (
        p.status,
        p.version,
        p.round,
        p.lead_department_id,
        p.due_on,
        p.events.count(),
        p.assignments.count(),
        p.department_replies.count(),
        p.ratings.count(),
        p.extension_requests.count(),
        OutboxMessage.objects.count(),
    )


def share(p, department, *, round=1):
    return Assignment.objects.filter(petition=p, department=department, round=round).order_by("-pk").first()


def told(key_prefix, user=None):
    """Outbox rows whose key starts with `key_prefix` (for `user` when given)."""
    qs = OutboxMessage.objects.filter(key__startswith=key_prefix)
    return qs.filter(user=user) if user is not None else qs


def freeze_today(monkeypatch, day):
    """The services read today from django.utils.timezone; everything else stays real."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


# -- deadlines ---------------------------------------------------------------------------------------------


def test_the_office_rules_are_seeded_in_working_days():
    rules = {(r.route, r.urgency): (r.working_days, r.co_working_days) for r in DeadlineRule.objects.all()}
    assert rules[(Route.DIRECT, Urgency.URGENT)] == (3, 2)
    assert rules[(Route.DIRECT, Urgency.NORMAL)] == (15, 10)


def test_deadlines_count_working_days_across_the_2026_national_day():
    # The calendar itself: the week-long holiday and the Saturday worked after it.
    assert not any(workdays.is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert workdays.is_working_day(date(2026, 10, 10))
    # Urgent: 3 working days from 30 September are 8, 9 and (Saturday) 10 October; co-handlers 2.
    assert deadline_for(route=Route.DIRECT, urgency=Urgency.URGENT, start=NATIONAL_DAY_EVE) == (
        date(2026, 10, 10),
        date(2026, 10, 9),
    )
    # Normal: 15 working days end on Tuesday 27 October, co-handlers' 10 on Tuesday 20 October.
    assert deadline_for(route=Route.DIRECT, urgency=Urgency.NORMAL, start=NATIONAL_DAY_EVE) == (
        date(2026, 10, 27),
        date(2026, 10, 20),
    )
    assert workdays.working_days_between(NATIONAL_DAY_EVE, date(2026, 10, 27)) == 15


def test_deadlines_follow_the_office_table_and_fall_back_to_3_and_15():
    start = date(2026, 11, 2)
    DeadlineRule.objects.filter(route=Route.DIRECT, urgency=Urgency.NORMAL).update(working_days=20, co_working_days=5)
    assert deadline_for(route=Route.DIRECT, urgency=Urgency.NORMAL, start=start) == (
        workdays.add_working_days(start, 20),
        workdays.add_working_days(start, 5),
    )
    DeadlineRule.objects.all().delete()
    assert deadline_for(route=Route.DIRECT, urgency=Urgency.URGENT, start=start)[0] == workdays.add_working_days(
        start, 3
    )
    assert deadline_for(route=Route.DIRECT, urgency=Urgency.NORMAL, start=start)[0] == workdays.add_working_days(
        start, 15
    )


@pytest.mark.parametrize(("urgency", "lead_days", "co_days"), [(Urgency.NORMAL, 15, 10), (Urgency.URGENT, 3, 2)])
def test_assignment_deadlines_by_urgency_and_the_co_handlers_shorter_one(cast, urgency, lead_days, co_days):
    p = reach(cast, Status.TRIAGED, urgency=urgency)
    today = timezone.localdate()
    petition_assign(
        actor=cast.office, petition=p, department=cast.D, co_departments=[cast.D3], responsible_leader="王副区长"
    )
    p.refresh_from_db()
    lead, co = share(p, cast.D), share(p, cast.D3)
    assert p.due_on == lead.due_on == workdays.add_working_days(today, lead_days)
    assert co.due_on == workdays.add_working_days(today, co_days) < lead.due_on
    assert (lead.role, co.role, lead.state, co.state) == ("lead", "co", "pending", "pending")
    assert (lead.assigned_by, p.lead_department, p.route, p.responsible_leader) == (
        cast.office,
        cast.D,
        Route.DIRECT,
        "王副区长",
    )
    event = p.events.get(kind=PetitionEventKind.ASSIGNED)
    assert event.data["due_on"] == str(lead.due_on) and event.data["co_due_on"] == str(co.due_on)
    assert event.data["co_departments"] == [cast.D3.name]


def test_assignment_on_the_eve_of_national_day(cast, monkeypatch):
    p = reach(cast, Status.REGISTERED, urgency=Urgency.URGENT)
    freeze_today(monkeypatch, NATIONAL_DAY_EVE)
    petition_assign(actor=cast.office, petition=p, department=cast.D, co_departments=[cast.D3])
    p.refresh_from_db()
    assert p.due_on == share(p, cast.D).due_on == date(2026, 10, 10)
    assert share(p, cast.D3).due_on == date(2026, 10, 9)
    assert "2026-10-10" in p.events.get(kind=PetitionEventKind.ASSIGNED).public_text


def test_co_handlers_are_never_due_after_the_lead(cast):
    p = reach(cast, Status.TRIAGED)
    lead_due = workdays.add_working_days(timezone.localdate(), 5)
    petition_assign(
        actor=cast.office,
        petition=p,
        department=cast.D,
        co_departments=[cast.D3, cast.D],
        due_on=lead_due,
        co_due_on=lead_due + timedelta(days=30),
    )
    assert share(p, cast.D3).due_on == lead_due
    # The lead listed again as a co-handler is the lead only.
    assert set(Assignment.objects.filter(petition=p).values_list("department", "role")) == {
        (cast.D.pk, "lead"),
        (cast.D3.pk, "co"),
    }


def test_a_deadline_in_the_past_is_refused(cast):
    p = reach(cast, Status.TRIAGED)
    before = snapshot(p)
    with pytest.raises(PetitionError):
        petition_assign(
            actor=cast.office, petition=p, department=cast.D, due_on=timezone.localdate() - timedelta(days=1)
        )
    assert snapshot(p) == before


def test_a_co_handlers_deadline_in_the_past_is_refused(cast):
    p = reach(cast, Status.TRIAGED)
    before = snapshot(p)
    with pytest.raises(PetitionError):
        petition_assign(
            actor=cast.office,
            petition=p,
            department=cast.D,
            co_departments=[cast.D3],
            co_due_on=timezone.localdate() - timedelta(days=3),
        )
    assert snapshot(p) == before


# -- assignment: shares, notices, who sees the item ----------------------------------------------------------


def test_assignment_tells_every_active_member_of_each_department(cast, django_capture_on_commit_callbacks):
    colleague = UserFactory(username="dept_b", role=Role.DEPARTMENT)
    retired = UserFactory(username="dept_gone", role=Role.DEPARTMENT, is_active=False)
    cast.D.members.add(colleague, retired)
    p = reach(cast, Status.TRIAGED)
    with django_capture_on_commit_callbacks(execute=True):
        petition_assign(actor=cast.office, petition=p, department=cast.D, co_departments=[cast.D3])
    lead, co = share(p, cast.D), share(p, cast.D3)
    for user in (cast.dept, colleague):
        (row,) = told(f"assignment:{lead.pk}:new:user:{user.pk}")
        assert row.topic == "petition_assigned" and row.channel == "inbox"
        assert p.tracking_number in row.subject and cast.D.name in row.body
        assert row.url == reverse("petitions:detail", args=[p.pk])
    assert not told(f"assignment:{lead.pk}:new", retired).exists()
    (co_row,) = told(f"assignment:{co.pk}:new:user:{cast.co.pk}")
    assert cast.D3.name in co_row.body
    assert told("assignment:").count() == 3
    # Delivered after commit: each member finds it in the inbox.
    assert Notification.objects.filter(recipient=cast.dept, subject__contains=p.tracking_number).count() == 1
    assert Notification.objects.filter(recipient=cast.co, subject__contains=p.tracking_number).count() == 1
    assert told("assignment:").exclude(status=OutboxMessage.Status.SENT).count() == 0


def test_a_co_handling_department_sees_the_item(cast):
    outsider = UserFactory(username="dept_k2", role=Role.DEPARTMENT)
    cast.w.D2.members.add(outsider)
    p = reach(cast, Status.TRIAGED)
    assert not Petition.objects.visible_to(cast.co).filter(pk=p.pk).exists()
    petition_assign(actor=cast.office, petition=p, department=cast.D, co_departments=[cast.D3])
    assert Petition.objects.visible_to(cast.co).filter(pk=p.pk).exists()
    assert Petition.objects.visible_to(cast.dept).filter(pk=p.pk).exists()
    assert not Petition.objects.visible_to(outsider).filter(pk=p.pk).exists()
    # Once co-handled, always visible to the co-handler: the lead replies, the co share lapses.
    petition_accept(actor=cast.dept, petition=p)
    petition_reply(actor=cast.dept, petition=p, outcome=Outcome.SOLVED, text="已修复")
    assert share(p, cast.D3).state == Assignment.State.LAPSED
    assert Petition.objects.visible_to(cast.co).filter(pk=p.pk).exists()


def test_the_other_districts_office_cannot_touch_an_item(world, ledger):
    a = ledger.a
    assert not Petition.objects.visible_to(world.office_k2).filter(pk=a.pk).exists()
    before = snapshot(a)
    for call in (
        lambda: petition_triage(actor=world.office_k2, petition=a),
        lambda: petition_assign(actor=world.office_k2, petition=a, department=world.D2),
        lambda: petition_consult(actor=world.office_k2, petition=a, text="答复"),
        lambda: petition_close(actor=world.office_k2, petition=a),
    ):
        with pytest.raises(Http404):  # not found, as for a missing item: no hint that it exists
            call()
    assert snapshot(a) == before
    # Nor does 延庆区's office touch 朝阳区's item. The township office reads a (S1 lies in 延庆镇) but
    # the district office owns it (it runs S1): the township is refused, the district triages.
    with pytest.raises(Http404):
        petition_triage(actor=world.office, petition=ledger.e)
    with pytest.raises(PermissionDenied):
        petition_triage(actor=world.office_t1, petition=a)
    assert snapshot(a) == before
    petition_triage(actor=world.office, petition=a)
    assert Petition.objects.get(pk=a.pk).status == Status.TRIAGED


def test_a_missing_item_and_another_districts_item_look_alike_to_the_services(world, ledger):
    """The services fetch the item as the pages do (`access_petition`): Http404 for an item that
    does not exist and for one outside the actor's scope, so neither tells an outsider more. The
    resident's rating and the daily task have no scope: a missing item is a PetitionError there."""
    missing = Petition.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    for pk in (missing, ledger.e.pk):
        with pytest.raises(Http404):
            petition_triage(actor=world.office, petition=pk)
        with pytest.raises(Http404):
            petition_close(actor=world.office, petition=pk)
    assert petition_triage(actor=world.office_k2, petition=ledger.e.pk).status == Status.TRIAGED
    with pytest.raises(PetitionError):
        petition_rate(actor=None, petition=missing, code="000000", satisfaction=Satisfaction.SATISFIED)
    with pytest.raises(PetitionError):
        petition_resume(actor=None, petition=missing)


def test_an_office_cannot_assign_to_another_districts_department(cast):
    p = reach(cast, Status.TRIAGED)
    before = snapshot(p)
    with pytest.raises((PermissionDenied, PetitionError)):
        petition_assign(actor=cast.office, petition=p, department=cast.w.D2)
    assert snapshot(p) == before


def test_triage_classifies_and_records_what_changed(cast):
    p = reach(cast, Status.REGISTERED)
    petition_triage(
        actor=cast.office,
        petition=p,
        version=0,
        urgency=Urgency.URGENT,
        is_hard_problem=True,
        responsible_leader="李主任",
        note="同类问题较多",
    )
    p.refresh_from_db()
    assert (p.status, p.route, p.urgency, p.is_hard_problem, p.responsible_leader) == (
        Status.TRIAGED,
        Route.DIRECT,
        Urgency.URGENT,
        True,
        "李主任",
    )
    event = p.events.get(kind=PetitionEventKind.TRIAGED)
    assert event.data["changes"] == {"urgency": [Urgency.NORMAL, Urgency.URGENT], "is_hard_problem": [False, True]}
    assert event.data["note"] == "同类问题较多" and event.is_public


# -- versions ----------------------------------------------------------------------------------------------


def test_a_stale_version_is_a_conflict_and_changes_nothing(cast):
    p = reach(cast, Status.REGISTERED)
    page_version = p.version  # the office and the administrator opened the item
    petition_triage(actor=cast.office, petition=p, version=page_version)
    before = snapshot(p)
    with pytest.raises(Conflict) as caught:
        petition_assign(actor=cast.w.admin, petition=p, version=page_version, department=cast.D)
    assert snapshot(p) == before
    assert isinstance(caught.value, PetitionError)  # the views' form-error path catches it
    message = str(caught.value)
    assert cast.office.display_name in message and str(Status.TRIAGED.label) in message
    # With the version now on the item (as a form posts it, a string) the same call goes through.
    petition_assign(actor=cast.w.admin, petition=p, version=str(before[1]), department=cast.D)
    assert Petition.objects.get(pk=p.pk).status == Status.ASSIGNED


# -- the department ------------------------------------------------------------------------------------------


def test_the_lead_accepts_and_posts_progress_public_or_internal(cast):
    p = reach(cast, Status.ASSIGNED)
    with pytest.raises(PermissionDenied):  # a co-handler does not accept the item
        petition_accept(actor=cast.co, petition=p)
    petition_accept(actor=cast.dept, petition=p)
    lead = share(p, cast.D)
    assert lead.state == Assignment.State.ACCEPTED and lead.accepted_at is not None
    petition_progress(actor=cast.dept, petition=p, text="已联系供电公司", public=True)
    petition_progress(actor=cast.dept, petition=p, text="预算尚未批复", public=False)
    public, internal = p.events.filter(kind=PetitionEventKind.PROGRESS).order_by("pk")
    assert public.is_public and "已联系供电公司" in public.public_text
    assert not internal.is_public and internal.public_text == "" and internal.data["text"] == "预算尚未批复"
    with pytest.raises(PetitionError):
        petition_progress(actor=cast.dept, petition=p, text="   ")


def test_a_return_sends_the_item_back_to_triage(cast):
    p = reach(cast, Status.ACCEPTED)
    request = petition_request_extension(
        actor=cast.dept, petition=p, requested_due_on=p.due_on + timedelta(days=20), reason="需跨部门协调"
    )
    before = snapshot(p)
    with pytest.raises(PetitionError):
        petition_return(actor=cast.dept, petition=p, reason="  ")
    with pytest.raises(PermissionDenied):  # only the lead returns
        petition_return(actor=cast.co, petition=p, reason="不归我们管")
    assert snapshot(p) == before

    petition_return(actor=cast.dept, petition=p, reason="路灯属供电公司产权，不属本委职责")
    p.refresh_from_db()
    assert (p.status, p.lead_department, p.due_on, p.assigned_at) == (Status.TRIAGED, None, None, None)
    lead, co = share(p, cast.D), share(p, cast.D3)
    assert (lead.state, lead.note) == (Assignment.State.RETURNED, "路灯属供电公司产权，不属本委职责")
    assert co.state == Assignment.State.LAPSED
    request.refresh_from_db()
    assert request.state == ExtensionRequest.State.REFUSED
    event = p.events.get(kind=PetitionEventKind.RETURNED)
    assert (event.from_status, event.to_status, event.data["reason"]) == (Status.ACCEPTED, Status.TRIAGED, lead.note)
    # The office that assigned it is told, with the reason; the other district's office is not.
    (row,) = told(f"assignment:{lead.pk}:returned", cast.office)
    assert lead.note in row.body
    assert not told(f"assignment:{lead.pk}:returned", cast.w.office_k2).exists()
    # (The test's one transaction already holds the outbox's after-commit kick of the assignment,
    # so the rows are delivered the way beat delivers them.)
    deliver_pending()
    assert Notification.objects.filter(recipient=cast.office, subject__contains=p.tracking_number).exists()

    # Back in the triage list: the office assigns it afresh (the returned share stays on record).
    petition_assign(actor=cast.office, petition=p, department=cast.D3)
    assert Assignment.objects.filter(petition=p, round=1, role="lead").count() == 2
    assert share(p, cast.D3).role == "lead" and share(p, cast.D3).state == Assignment.State.PENDING


def test_extension_request_and_approval_move_both_deadlines(cast):
    p = reach(cast, Status.ACCEPTED)
    lead = share(p, cast.D)
    old_due = lead.due_on
    with pytest.raises(PetitionError):
        petition_request_extension(actor=cast.dept, petition=p, requested_due_on=old_due + timedelta(days=5), reason="")
    with pytest.raises(PetitionError):
        petition_request_extension(actor=cast.dept, petition=p, requested_due_on=old_due, reason="时间不够")
    with pytest.raises(PermissionDenied):  # a co-handler's own deadline is not extended this way
        petition_request_extension(actor=cast.co, petition=p, requested_due_on=old_due + timedelta(days=5), reason="忙")

    request = petition_request_extension(
        actor=cast.dept, petition=p, requested_due_on=old_due + timedelta(days=14), reason="需要采购灯具"
    )
    assert (request.state, request.current_due_on, request.assignment) == (
        ExtensionRequest.State.PENDING,
        old_due,
        lead,
    )
    assert told(f"extension:{request.pk}:requested", cast.office).exists()
    with pytest.raises(PetitionError):  # one request at a time
        petition_request_extension(
            actor=cast.dept, petition=p, requested_due_on=old_due + timedelta(days=30), reason="再延"
        )
    p.refresh_from_db()
    assert p.status == Status.ACCEPTED and p.due_on == old_due  # asking changes nothing yet

    new_due = old_due + timedelta(days=10)  # the office grants less than asked
    petition_decide_extension(actor=cast.office, petition=p, request=request, approve=True, due_on=new_due)
    p.refresh_from_db()
    lead.refresh_from_db()
    request.refresh_from_db()
    assert p.due_on == lead.due_on == new_due
    assert (request.state, request.decided_by) == (ExtensionRequest.State.APPROVED, cast.office)
    event = p.events.get(kind=PetitionEventKind.EXTENSION_APPROVED)
    assert event.data["to"] == str(new_due) and str(new_due) in event.public_text
    assert str(new_due) in told(f"extension:{request.pk}:decided", cast.dept).get().subject
    with pytest.raises(PetitionError):  # decided once
        petition_decide_extension(actor=cast.office, petition=p, request=request, approve=False, note="不同意")


def test_an_extension_refusal_needs_a_reason_and_keeps_the_deadline(cast):
    p = reach(cast, Status.IN_PROGRESS)
    old_due = p.due_on
    request = petition_request_extension(
        actor=cast.dept, petition=p, requested_due_on=old_due + timedelta(days=7), reason="施工队排期"
    )
    before = snapshot(p)
    with pytest.raises(PetitionError):
        petition_decide_extension(actor=cast.office, petition=p, request=request, approve=False, note=" ")
    with pytest.raises(PermissionDenied):  # the department does not decide its own request
        petition_decide_extension(actor=cast.dept, petition=p, request=request, approve=True)
    assert snapshot(p) == before
    petition_decide_extension(actor=cast.office, petition=p, request=request, approve=False, note="可先临时照明")
    p.refresh_from_db()
    request.refresh_from_db()
    assert p.due_on == share(p, cast.D).due_on == old_due
    assert (request.state, request.decision_note) == (ExtensionRequest.State.REFUSED, "可先临时照明")
    event = p.events.get(kind=PetitionEventKind.EXTENSION_REFUSED)
    assert not event.is_public and event.data["note"] == "可先临时照明"
    assert told(f"extension:{request.pk}:decided", cast.dept).get().body == "可先临时照明"
    # Refused, the department may ask again.
    petition_request_extension(
        actor=cast.dept, petition=p, requested_due_on=old_due + timedelta(days=3), reason="只需三天"
    )


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_a_reply_settles_a_pending_extension_request(cast):
    p = reach(cast, Status.ACCEPTED)
    request = petition_request_extension(
        actor=cast.dept, petition=p, requested_due_on=p.due_on + timedelta(days=10), reason="需要更多时间"
    )
    petition_reply(actor=cast.dept, petition=p, outcome=Outcome.SOLVED, text="提前修好了")
    request.refresh_from_db()
    assert request.state != ExtensionRequest.State.PENDING
    assert handling.pending_extension(Petition.objects.get(pk=p.pk)) is None


def test_a_reply_with_its_outcome_and_a_staged_file(cast, django_capture_on_commit_callbacks):
    p = reach(cast, Status.IN_PROGRESS)
    staged = staged_upload_store(
        owner_key="dept-session", upload=SimpleUploadedFile("答复函.pdf", PDF, "application/pdf")
    )
    staged_name, storage = staged.file.name, staged.file.storage
    before = snapshot(p)
    for bad in ({"outcome": "E", "text": "已修复"}, {"outcome": Outcome.SOLVED, "text": ""}):
        with pytest.raises(PetitionError):
            petition_reply(actor=cast.dept, petition=p, staged=[staged], **bad)
    with pytest.raises(PermissionDenied):  # the co-handler gives its part, it does not reply
        petition_reply(actor=cast.co, petition=p, outcome=Outcome.SOLVED, text="已修复")
    assert snapshot(p) == before and StagedUpload.objects.filter(pk=staged.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        petition_reply(
            actor=cast.dept,
            petition=p,
            outcome=Outcome.PLANNED,
            text="已列入年度计划，预计12月底前完成。",
            staged=[staged],
        )
    p.refresh_from_db()
    assert (p.status, p.outcome, p.handling_summary) == (
        Status.REPLIED,
        Outcome.PLANNED,
        "已列入年度计划，预计12月底前完成。",
    )
    assert p.replied_at is not None
    reply = DepartmentReply.objects.get(petition=p)
    assert (reply.department, reply.author, reply.outcome, reply.round, reply.assignment) == (
        cast.D,
        cast.dept,
        Outcome.PLANNED,
        1,
        share(p, cast.D),
    )
    (attachment,) = PetitionAttachment.objects.filter(petition=p)
    assert (attachment.reply, attachment.original_name, attachment.content_type) == (
        reply,
        "答复函.pdf",
        "application/pdf",
    )
    with attachment.file.open("rb") as handle:
        assert handle.read() == PDF
    assert not StagedUpload.objects.filter(pk=staged.pk).exists() and not storage.exists(staged_name)
    assert share(p, cast.D).state == Assignment.State.DONE
    assert share(p, cast.D3).state == Assignment.State.LAPSED  # no longer asked for its part
    event = p.events.get(kind=PetitionEventKind.DEPARTMENT_REPLIED)
    assert event.data["on_time"] is True and event.data["reply"] == reply.pk
    assert str(Outcome.PLANNED.label) in event.public_text
    # Whoever feeds it back is told: the representative on the item and the station's staff.
    for user in (cast.rep, cast.staff):
        assert told(f"petition:{p.pk}:replied:1", user).exists()
    assert not told(f"petition:{p.pk}:replied:1", cast.office).exists()


def test_a_reply_after_the_deadline_in_beijing_is_late(cast, monkeypatch):
    """On time is judged by Beijing's date, not UTC's (which lags 8 hours behind)."""
    p = reach(cast, Status.ACCEPTED)
    # 07:30 on 22 November in Beijing (23:30 UTC on the 21st); the deadline was the 21st.
    late = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)
    assert timezone.localtime(late).date() == date(2026, 11, 22)
    Assignment.objects.filter(pk=share(p, cast.D).pk).update(due_on=date(2026, 11, 21))
    monkeypatch.setattr(timezone, "now", lambda: late)
    petition_reply(actor=cast.dept, petition=p, outcome=Outcome.SOLVED, text="已修复")
    assert p.events.get(kind=PetitionEventKind.DEPARTMENT_REPLIED).data["on_time"] is False


def test_a_co_handler_gives_its_part_to_the_lead(cast):
    p = reach(cast, Status.ASSIGNED)
    with pytest.raises(PermissionDenied):  # the lead is no co-handler
        petition_contribute(actor=cast.dept, petition=p, text="主办意见")
    with pytest.raises(PetitionError):
        petition_contribute(actor=cast.co, petition=p, text="")
    version = Petition.objects.get(pk=p.pk).version
    petition_contribute(actor=cast.co, petition=p, text="交通局意见：该路段夜间限速，已同步设置警示标志。")
    p.refresh_from_db()
    co = share(p, cast.D3)
    assert (co.state, co.note) == (Assignment.State.DONE, "交通局意见：该路段夜间限速，已同步设置警示标志。")
    assert co.done_at is not None and co.accepted_at is not None
    assert (p.status, p.version) == (Status.ASSIGNED, version + 1)
    event = p.events.get(kind=PetitionEventKind.CONTRIBUTED)
    assert (event.actor, event.data["department"], event.is_public) == (cast.co, cast.D3.name, False)
    (row,) = told(f"assignment:{co.pk}:contributed", cast.dept)
    assert "警示标志" in row.body
    with pytest.raises(PermissionDenied):  # given once
        petition_contribute(actor=cast.co, petition=p, text="补充")
    # The lead's share is untouched and the lead goes on.
    assert share(p, cast.D).state == Assignment.State.PENDING
    petition_accept(actor=cast.dept, petition=p)


# -- feedback, ratings, the second round, close-out ---------------------------------------------------------


def test_feedback_records_how_the_resident_was_told(cast):
    p = reach(cast, Status.REPLIED)
    before = snapshot(p)
    for bad in ({"method": "pigeon", "text": "已告知"}, {"method": FeedbackMethod.PHONE, "text": " "}):
        with pytest.raises(PetitionError):
            petition_feed_back(actor=cast.rep, petition=p, **bad)
    assert snapshot(p) == before
    petition_feed_back(actor=cast.rep, petition=p, method=FeedbackMethod.IN_PERSON, text="上门告知，群众认可")
    p.refresh_from_db()
    assert (p.status, p.feedback_method, p.feedback_summary) == (
        Status.FED_BACK,
        FeedbackMethod.IN_PERSON,
        "上门告知，群众认可",
    )
    assert p.fed_back_at is not None
    event = p.events.get(kind=PetitionEventKind.FED_BACK)
    assert event.actor == cast.rep and str(FeedbackMethod.IN_PERSON.label) in event.public_text


def test_an_answer_without_a_department_is_fed_back_too(cast):
    p = reach(cast, Status.CONSULTED)
    assert p.route == Route.CONSULTATION and p.handling_summary
    petition_feed_back(actor=cast.staff, petition=p, method=FeedbackMethod.SMS, text="已短信告知咨询结果")
    assert Petition.objects.get(pk=p.pk).status == Status.FED_BACK


def test_ratings_by_representative_staff_for_the_resident_and_their_overall(cast):
    p = reach(cast, Status.FED_BACK)
    r4 = cast.w.R4
    r4.user = UserFactory(username="rep4", role=Role.REPRESENTATIVE)
    r4.save()
    petition_add_representative(actor=cast.staff, petition=p, representative=r4)
    r2 = cast.w.R2
    r2.user = UserFactory(username="rep2", role=Role.REPRESENTATIVE)
    r2.save()

    mine = petition_rate(actor=cast.rep, petition=p, satisfaction=Satisfaction.SATISFIED, comment="处理及时")
    assert (mine.rater, mine.representative, mine.recorded_by, mine.round) == (
        Rating.Rater.REPRESENTATIVE,
        cast.w.R1,
        cast.rep,
        1,
    )
    assert Petition.objects.get(pk=p.pk).status == Status.RATED
    petition_rate(actor=r4.user, petition=p, satisfaction=Satisfaction.BASICALLY)
    assert Petition.objects.get(pk=p.pk).satisfaction == Satisfaction.BASICALLY  # the lowest representative rating

    with pytest.raises(PetitionError):  # once per representative and round
        petition_rate(actor=cast.rep, petition=p, satisfaction=Satisfaction.BASICALLY)
    with pytest.raises(Http404):  # a representative not on the item: out of scope
        petition_rate(actor=r2.user, petition=p, satisfaction=Satisfaction.SATISFIED)
    with pytest.raises(PetitionError):  # the office records the resident's rating, not its own
        petition_rate(actor=cast.office, petition=p, satisfaction=Satisfaction.SATISFIED)

    theirs = petition_rate(actor=cast.staff, petition=p, satisfaction=Satisfaction.SATISFIED, for_resident=True)
    assert (theirs.rater, theirs.representative, theirs.recorded_by) == (Rating.Rater.RESIDENT, None, cast.staff)
    assert Petition.objects.get(pk=p.pk).satisfaction == Satisfaction.SATISFIED  # the resident's word wins
    with pytest.raises(PetitionError):  # the resident answers once a round, whoever writes it down
        petition_rate(actor=None, petition=p, code=code_of(p), satisfaction=Satisfaction.BASICALLY)
    assert p.ratings.count() == 3
    assert p.events.filter(kind=PetitionEventKind.RATED).count() == 3


def test_a_resident_rates_online_without_an_account(cast):
    p = reach(cast, Status.FED_BACK)
    rating = petition_rate(
        actor=None, petition=p, code=code_of(p), satisfaction=Satisfaction.BASICALLY, comment="还可以"
    )
    assert (rating.rater, rating.recorded_by, rating.representative) == (Rating.Rater.RESIDENT, None, None)
    p.refresh_from_db()
    assert (p.status, p.satisfaction) == (Status.RATED, Satisfaction.BASICALLY)
    event = p.events.get(kind=PetitionEventKind.RATED)
    assert event.actor is None and event.actor_label == RESIDENT and event.is_public
    entry = public_item(p.tracking_number).timeline[-1]
    assert entry.text == event.public_text and entry.who == str(RESIDENT_LABEL)


def test_a_residents_rating_stays_the_residents_once_translated(cast, monkeypatch):
    """The stored label is the marker the tracking page matches, never a translated word."""
    p = reach(cast, Status.FED_BACK)
    # What the catalogue will do once the lead translates the message "resident".
    from petitions.handling.services import closing

    monkeypatch.setattr(closing, "_", lambda text: {"resident": "居民"}.get(text, text))
    petition_rate(actor=None, petition=p, code=code_of(p), satisfaction=Satisfaction.SATISFIED)
    assert p.events.get(kind=PetitionEventKind.RATED).actor_label == RESIDENT
    assert public_item(p.tracking_number).timeline[-1].who == str(RESIDENT_LABEL)


def test_dissatisfied_in_round_one_reopens_once(cast, django_capture_on_commit_callbacks):
    p = reach(cast, Status.FED_BACK)
    first_lead = share(p, cast.D)
    with django_capture_on_commit_callbacks(execute=True):
        petition_rate(actor=cast.rep, petition=p, satisfaction=Satisfaction.DISSATISFIED, comment="灯还是不亮")
    p.refresh_from_db()
    assert (p.status, p.round, p.lead_department) == (Status.ASSIGNED, 2, cast.D)
    assert (p.replied_at, p.fed_back_at, p.outcome) == (None, None, "")
    second = share(p, cast.D, round=2)
    assert second.pk != first_lead.pk and second.state == Assignment.State.PENDING and second.role == "lead"
    assert p.due_on == second.due_on == workdays.add_working_days(timezone.localdate(), 15)
    assert Rating.objects.get(petition=p).round == 1
    event = p.events.get(kind=PetitionEventKind.REOPENED)
    assert (event.from_status, event.to_status, event.actor) == (Status.FED_BACK, Status.ASSIGNED, cast.rep)
    assert event.data["new_round"] == 2 and event.data["satisfaction"] == Satisfaction.DISSATISFIED
    assert not p.events.filter(kind=PetitionEventKind.RATED).exists()  # one event for the one change
    assert told(f"assignment:{second.pk}:new", cast.dept).exists()
    (office_row,) = told(f"petition:{p.pk}:reopened:2", cast.office)
    assert (
        "灯还是不亮" not in office_row.body and p.tracking_number in office_row.body
    )  # the comment stays on the item page

    # Round two: handled again, and "dissatisfied" this time stays a rating.
    petition_accept(actor=cast.dept, petition=p)
    petition_reply(actor=cast.dept, petition=p, outcome=Outcome.NOT_NOW, text="需整体改造，暂不具备条件")
    petition_feed_back(actor=cast.staff, petition=p, method=FeedbackMethod.PHONE, text="已电话说明")
    assert DepartmentReply.objects.get(petition=p, round=2).outcome == Outcome.NOT_NOW
    petition_rate(actor=cast.rep, petition=p, satisfaction=Satisfaction.DISSATISFIED)  # a new round, a new rating
    p.refresh_from_db()
    assert (p.status, p.round, p.satisfaction) == (Status.RATED, 2, Satisfaction.DISSATISFIED)
    assert Assignment.objects.filter(petition=p, role="lead").count() == 2
    assert p.events.filter(kind=PetitionEventKind.REOPENED).count() == 1
    petition_close(actor=cast.office, petition=p)
    assert Petition.objects.get(pk=p.pk).status == Status.CLOSED


def test_a_residents_dissatisfaction_reopens_from_rated_too(cast):
    p = reach(cast, Status.RATED)  # the representative was satisfied
    petition_rate(actor=cast.staff, petition=p, satisfaction=Satisfaction.DISSATISFIED, for_resident=True)
    p.refresh_from_db()
    assert (p.status, p.round) == (Status.ASSIGNED, 2)
    assert share(p, cast.D, round=2).state == Assignment.State.PENDING


def test_dissatisfied_with_an_answer_without_department_goes_back_to_the_office(cast):
    p = reach(cast, Status.CONSULTED)
    petition_feed_back(actor=cast.staff, petition=p, method=FeedbackMethod.PHONE, text="已告知")
    petition_rate(actor=None, petition=p, code=code_of(p), satisfaction=Satisfaction.DISSATISFIED)
    p.refresh_from_db()
    assert (p.status, p.round) == (Status.TRIAGED, 2)
    assert not p.assignments.exists()
    event = p.events.get(kind=PetitionEventKind.REOPENED)
    assert (event.from_status, event.to_status) == (Status.FED_BACK, Status.TRIAGED)
    petition_assign(actor=cast.office, petition=p, department=cast.D)
    assert share(p, cast.D, round=2).state == Assignment.State.PENDING


def test_only_the_office_closes(cast):
    p = reach(cast, Status.RATED)
    before = snapshot(p)
    for user in (cast.staff, cast.rep, cast.dept):
        with pytest.raises(PermissionDenied):
            petition_close(actor=user, petition=p)
    assert snapshot(p) == before
    petition_close(actor=cast.office, petition=p, note="群众满意", public_result="东关村路灯已全部修复。")
    p.refresh_from_db()
    assert (p.status, p.public_result) == (Status.CLOSED, "东关村路灯已全部修复。")
    assert p.closed_at is not None
    event = p.events.get(kind=PetitionEventKind.CLOSED)
    assert (event.actor, event.data) == (cast.office, {"note": "群众满意", "public": True})


# -- the tracking page ----------------------------------------------------------------------------------------


def test_the_tracking_page_shows_the_public_events_only(cast):
    p = reach(cast, Status.ASSIGNED)
    petition_contribute(actor=cast.co, petition=p, text="交通局内部意见")
    petition_accept(actor=cast.dept, petition=p)
    petition_progress(actor=cast.dept, petition=p, text="内部：预算尚未批复", public=False)
    petition_progress(actor=cast.dept, petition=p, text="灯具已到货", public=True)
    petition_reply(actor=cast.dept, petition=p, outcome=Outcome.SOLVED, text="路灯已修复")
    petition_feed_back(actor=cast.staff, petition=p, method=FeedbackMethod.PHONE, text="已电话告知张三")
    petition_rate(actor=cast.rep, petition=p, satisfaction=Satisfaction.SATISFIED)
    petition_close(actor=cast.office, petition=p)

    item = public_item(p.tracking_number)
    assert item.status == Status.CLOSED
    texts = [entry.text for entry in item.timeline]
    joined = "\n".join(texts)
    assert len(texts) == p.events.filter(is_public=True).count()
    for shown in (cast.D.name, "灯具已到货", "路灯已修复", str(Outcome.SOLVED.label)):
        assert shown in joined
    for hidden in ("交通局内部意见", "预算尚未批复", "张三", cast.D3.name):
        assert hidden not in joined
    # Who acted, by role and never by name.
    whos = {entry.who for entry in item.timeline}
    assert str(ACTOR_LABELS[Role.COMMITTEE_OFFICE]) in whos and str(ACTOR_LABELS[Role.DEPARTMENT]) in whos
    assert not any(user.display_name in whos for user in (cast.office, cast.dept, cast.rep, cast.staff))
    assigned = p.events.get(kind=PetitionEventKind.ASSIGNED)
    assert str(p.due_on) in assigned.public_text and assigned.public_text in texts


# -- representative suggestions ------------------------------------------------------------------------------


def test_a_suggestions_reply_answers_the_items_it_came_from(cast):
    p = reach(cast, Status.REGISTERED)
    suggestion, other = new_suggestion(cast), new_suggestion(cast)
    petition_to_suggestion(actor=cast.office, petition=p, suggestion=suggestion)
    p.refresh_from_db()
    assert (p.status, p.route, p.suggestion) == (Status.SUGGESTION, Route.SUGGESTION, suggestion)
    for s in (suggestion, other):
        Suggestion.objects.filter(pk=s.pk).update(
            outcome=Outcome.PLANNED, reply_text="明年纳入老旧小区改造", department=cast.D3
        )
        s.refresh_from_db()

    before = snapshot(p)
    petition_suggestion_replied(actor=cast.co, petition=p, suggestion=other)  # not this item's suggestion
    assert snapshot(p) == before

    petition_suggestion_replied(actor=cast.co, petition=p, suggestion=suggestion)
    p.refresh_from_db()
    assert (p.status, p.outcome, p.handling_summary, p.lead_department) == (
        Status.REPLIED,
        Outcome.PLANNED,
        "明年纳入老旧小区改造",
        cast.D3,
    )
    assert "明年纳入老旧小区改造" in public_item(p.tracking_number).timeline[-1].text
    after = snapshot(p)
    petition_suggestion_replied(actor=cast.co, petition=p, suggestion=suggestion)  # run again: nothing more
    assert snapshot(p) == after
    # From here it is fed back like any answered item.
    petition_feed_back(actor=cast.rep, petition=p, method=FeedbackMethod.LETTER, text="书面答复已寄送")
    assert Petition.objects.get(pk=p.pk).status == Status.FED_BACK

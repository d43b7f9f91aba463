"""Committee working bodies (委室, issue 15): what their staff see and may do, and the office's page.

The world (tests/conftest.py): 延庆区's office OK has the working body B (城建环保委) coordinating
department D, with the account `body`. Here a second body B2 of OK coordinates D3 (区交通局), with
the account `body2`; D2 is 朝阳区's.
"""

from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from liaison import workdays
from liaison.access import scope_for
from liaison.bodies import services as bodies
from liaison.models import AuditEntry, Role, WorkingBody
from petitions.handling import policy as handling_policy
from petitions.handling import services as handling
from petitions.handling.workflow import PAGE_MOVES, Move
from petitions.ledger.events import PetitionEventKind
from petitions.ledger.services import PetitionError
from petitions.models import Petition, Status, SupervisionNotice
from petitions.reports.evaluation import evaluate
from petitions.reports.measures import Period
from petitions.suggestions import services as suggestions
from petitions.supervision import services as supervision
from stations.models import EventKind, ReceptionEvent
from stations.reception.events import services as events
from tests.factories import DepartmentFactory, UserFactory, make_petition
from tests.petitions.test_workflow import make_cast, reach

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(world):
    """make_cast's world (D3 with its member `dept_co`) plus OK's second body B2 coordinating D3."""
    c = make_cast(world)
    c.body2 = UserFactory(username="body2", role=Role.WORKING_BODY, jurisdiction=world.j.K)
    c.B2 = WorkingBody.objects.create(office=world.OK, name="交通委")
    c.B2.departments.add(c.D3)
    c.B2.members.add(c.body2)
    return c


def led_by(c, department, co=()):
    """A new item at S1, triaged and assigned by the office to `department` (co-handlers `co`)."""
    p = make_petition(station=c.w.S1, representatives=[c.w.R1], actor=c.staff, content="道路破损，影响通行")
    handling.petition_triage(actor=c.office, petition=p)
    handling.petition_assign(actor=c.office, petition=p, department=department, co_departments=list(co))
    return Petition.objects.get(pk=p.pk)


def visible(user) -> set[int]:
    return set(Petition.objects.visible_to(user).values_list("pk", flat=True))


# -- scope --------------------------------------------------------------------------------------------


def test_the_body_sees_the_items_of_its_departments_and_nothing_else(world, ledger, cast):
    theirs = led_by(cast, cast.D3)
    shared = led_by(cast, cast.D3, co=[world.D])
    assert visible(world.body) == {ledger.a.pk, ledger.b.pk, shared.pk}
    assert visible(cast.body2) == {theirs.pk, shared.pk}
    assert scope_for(world.body).department_ids == {world.D.pk}


def test_outside_its_departments_every_item_page_is_not_found(world, ledger, cast, client_for):
    theirs = led_by(cast, cast.D3)
    client = client_for(world.body)
    assert client.get(reverse("petitions:detail", args=[ledger.a.pk])).status_code == 200
    for p in (theirs, ledger.c, ledger.d, ledger.e):
        assert client.get(reverse("petitions:detail", args=[p.pk])).status_code == 404
        assert client.get(reverse("petitions:act", args=[p.pk, "urge"])).status_code == 404
    ledger_page = client.get(reverse("petitions:ledger")).content.decode()
    assert ledger.a.tracking_number in ledger_page and theirs.tracking_number not in ledger_page


def test_a_confidential_petitioner_stays_hidden_and_nobody_is_revealed(world, ledger, client_for):
    page = client_for(world.body).get(reverse("petitions:detail", args=[ledger.b.pk])).content.decode()
    assert "李四" not in page and "13812340000" not in page
    response = client_for(world.body).post(
        reverse("petitions:reveal", args=[ledger.a.pk]), {"field": "petitioner_phone"}
    )
    assert response.status_code == 403


def test_a_deactivated_body_or_an_account_of_another_district_sees_nothing(world, ledger):
    stray = UserFactory(username="body_k2", role=Role.WORKING_BODY, jurisdiction=world.j.K2)
    world.B.members.add(stray)
    assert visible(stray) == set()  # B is 延庆区's: an account of 朝阳区 gets nothing through it
    bodies.working_body_set_active(actor=world.office, body=world.B, active=False)
    world.body.refresh_from_db()
    assert visible(world.body) == set()


def test_its_network_is_the_offices_for_visits_but_not_the_events_there(world, client_for):
    client = client_for(world.body)
    assert client.get(reverse("stations:station_detail", args=[world.S2.pk])).status_code == 200
    assert client.get(reverse("stations:station_detail", args=[world.S3.pk])).status_code == 404
    assert client.get(reverse("stations:station_update", args=[world.S2.pk])).status_code == 403


# -- capabilities on items ------------------------------------------------------------------------------


def test_it_never_triages_assigns_or_edits(world, ledger, client_for):
    client = client_for(world.body)
    assert client.get(reverse("petitions:triage")).status_code == 403
    for move in ("triage", "assign", "consult", "close"):
        assert client.get(reverse("petitions:act", args=[ledger.a.pk, move])).status_code == 403
    response = client.post(reverse("petitions:act", args=[ledger.a.pk, "assign"]), {"department": world.D.pk})
    assert response.status_code == 403
    assert client.get(reverse("petitions:update", args=[ledger.a.pk])).status_code == 403
    assert Petition.objects.get(pk=ledger.a.pk).status == Status.REGISTERED


def test_of_the_item_moves_it_only_supervises_and_presses_its_own_lead(world, cast):
    own = reach(cast, Status.ACCEPTED)  # lead D, co-handler D3
    theirs = led_by(cast, cast.D3, co=[world.D])
    assert handling_policy.moves_for(world.body, own) == [Move.SUPERVISE, Move.URGE]
    assert handling_policy.moves_for(world.body, theirs) == [Move.SUPERVISE]  # D3 leads: B2 presses it
    replied = reach(cast, Status.REPLIED)
    assert not any(handling_policy.can(world.body, move, replied) for move in PAGE_MOVES)


def test_it_presses_its_department_for_progress(world, cast, client_for):
    p = reach(cast, Status.ASSIGNED)
    client = client_for(world.body)
    response = client.post(
        reverse("petitions:act", args=[p.pk, "urge"]), {"version": p.version, "text": "请加快办理。"}
    )
    assert response.status_code == 302
    urged = p.events.get(kind=PetitionEventKind.URGED)
    assert urged.actor == world.body


def test_it_cannot_record_the_feedback(world, cast, client_for):
    p = reach(cast, Status.REPLIED)
    client = client_for(world.body)
    assert client.get(reverse("petitions:act", args=[p.pk, "feed_back"])).status_code == 403
    response = client.post(
        reverse("petitions:act", args=[p.pk, "feed_back"]), {"version": p.version, "method": "phone", "text": "已告知"}
    )
    assert response.status_code == 403
    assert Petition.objects.get(pk=p.pk).status == Status.REPLIED


def test_it_issues_supervision_notices_to_its_departments_only(world, cast, client_for):
    p = reach(cast, Status.ACCEPTED)  # lead D (B's), co-handler D3 (B2's)
    due = workdays.add_working_days(timezone.localdate(), 5)
    client = client_for(world.body)
    page = client.get(reverse("petitions:notice_create") + f"?petition={p.pk}").content.decode()
    assert world.D.name in page and cast.D3.name not in page
    data = {"petition": p.pk, "subject": "路灯维修", "requirement": "请书面报告", "due_on": due.isoformat()}
    response = client.post(reverse("petitions:notice_create"), {**data, "department": world.D.pk})
    assert response.status_code == 302
    assert SupervisionNotice.objects.get(department=world.D).issued_by == world.body
    response = client.post(reverse("petitions:notice_create"), {**data, "department": cast.D3.pk})
    assert response.status_code == 200 and not SupervisionNotice.objects.filter(department=cast.D3).exists()
    with pytest.raises(PetitionError):
        supervision.supervision_notice_issue(
            actor=world.body, department=cast.D3, subject="x", requirement="y", due_on=due, petition=p
        )
    with pytest.raises(PetitionError):
        supervision.supervision_notice_issue(
            actor=world.body, department=world.D2, subject="x", requirement="y", due_on=due
        )


def test_it_records_and_follows_up_its_departments_commitments(world, cast):
    held = timezone.localdate() - timedelta(days=1)
    due = timezone.localdate() + timedelta(days=30)
    made = supervision.commitment_record(
        actor=world.body, source="visit", held_on=held, department=world.D, head_name="刘局长", station=world.S2,
        text="年底前完成", due_on=due,
    )  # fmt: skip
    assert made.jurisdiction == world.j.K  # filed under its office: the office sees it too
    with pytest.raises(PetitionError):
        supervision.commitment_record(
            actor=world.body, source="visit", held_on=held, department=cast.D3, head_name="王局长", text="x", due_on=due
        )


def test_it_records_the_pre_handling_meeting_of_its_departments_suggestions(world, cast, client_for):
    drafted = suggestions.suggestion_draft(
        actor=world.office, title="关于路灯的建议", content="案由", lead_representative=world.R1
    )
    own = suggestions.suggestion_assign(actor=world.office, suggestion=drafted, department=world.D)
    drafted = suggestions.suggestion_draft(
        actor=world.office, title="关于公交的建议", content="案由", lead_representative=world.R1
    )
    theirs = suggestions.suggestion_assign(actor=world.office, suggestion=drafted, department=cast.D3)
    today = timezone.localdate()
    client = client_for(world.body)
    detail = client.get(reverse("petitions:suggestion_detail", args=[own.pk])).content.decode()
    assert reverse("petitions:suggestion_act", args=[own.pk, "pre_meeting"]) in detail
    assert reverse("petitions:suggestion_act", args=[own.pk, "reply"]) not in detail
    response = client.post(
        reverse("petitions:suggestion_act", args=[own.pk, "pre_meeting"]),
        {
            "pre_meeting-version": own.version,
            "pre_meeting-held_on": today.isoformat(),
            "pre_meeting-note": "商定分两期改造",
        },
    )
    assert response.status_code == 302
    done = type(own).objects.get(pk=own.pk)
    assert done.pre_meeting_note == "商定分两期改造" and done.events.get(kind="pre_meeting").actor == world.body
    with pytest.raises(PermissionDenied):
        suggestions.suggestion_reply(actor=world.body, suggestion=own, outcome="A", text="已解决")
    with pytest.raises(Http404):  # B2's department's suggestion: not in B's scope at all
        suggestions.suggestion_pre_meeting(actor=world.body, suggestion=theirs, held_on=today, note="x")


def test_the_department_evaluation_shows_its_departments_only(world, cast, client_for):
    led_by(cast, world.D)
    led_by(cast, cast.D3, co=[world.D])  # seen by B through D's share, led by B2's D3
    today = timezone.localdate()
    rows = evaluate(world.body, Period(today.replace(day=1), today)).rows
    assert [r.department for r in rows] == [world.D]
    office_rows = evaluate(world.office, Period(today.replace(day=1), today)).rows
    assert {r.department for r in office_rows} == {world.D, cast.D3}
    page = client_for(world.body).get(reverse("reports:departments")).content.decode()
    assert world.D.name in page and cast.D3.name not in page and world.B.name in page


# -- department-head visits -------------------------------------------------------------------------------


def _visit_data(world, department, kind=EventKind.DEPARTMENT_VISIT) -> dict:
    day = timezone.localdate() + timedelta(days=20)
    return {
        "station": world.S2.pk,
        "kind": kind,
        "title": "住建委主任进站",
        "date": day.isoformat(),
        "start_time": "09:00",
        "end_time": "11:00",
        "open_slots": 3,
        "place": "康庄镇代表之家会议室",
        "department": department.pk,
        "department_head": "刘主任",
        "department_duties": "城市建设、住房保障",
        "topics": "老旧小区改造",
    }


def test_it_organises_its_departments_head_visits(world, cast, client_for):
    client = client_for(world.body)
    response = client.post(reverse("reception:event_create"), _visit_data(world, world.D))
    assert response.status_code == 302
    visit = ReceptionEvent.objects.get(department=world.D)
    assert visit.created_by == world.body and visit.station == world.S2
    assert client.get(reverse("reception:event_detail", args=[visit.pk])).status_code == 200
    response = client.post(reverse("reception:roster_add", args=[visit.pk]), {"representative": world.R2.pk})
    assert response.status_code == 302 and visit.roster.filter(representative=world.R2).exists()
    # Another kind of event, or another body's department: refused on the form, nothing stored.
    for data in (_visit_data(world, world.D, kind=EventKind.RECEPTION), _visit_data(world, cast.D3)):
        response = client.post(reverse("reception:event_create"), data)
        assert response.status_code == 200
    assert ReceptionEvent.objects.count() == 1
    # B2 neither sees B's visit nor may turn it into something else.
    assert client_for(cast.body2).get(reverse("reception:event_detail", args=[visit.pk])).status_code == 404


def test_the_services_refuse_it_any_other_event(world, cast):
    day = timezone.localdate() + timedelta(days=20)
    data = {"kind": EventKind.RECEPTION, "date": day, "start_time": time(9), "end_time": time(11), "place": "会议室"}
    with pytest.raises(PermissionDenied):
        events.event_create(actor=world.body, station=world.S2, data=data)
    visit = events.event_create(
        actor=world.body, station=world.S2, data={**data, "kind": EventKind.DEPARTMENT_VISIT, "department": world.D}
    )
    with pytest.raises(PermissionDenied):
        events.event_update(actor=world.body, event=visit, data={"kind": EventKind.RECEPTION, "department": None})
    with pytest.raises(PermissionDenied):
        events.event_update(actor=world.body, event=visit, data={"department": cast.D3})
    reception = events.event_create(actor=world.office, station=world.S2, data=data)
    assert set(ReceptionEvent.objects.visible_to(world.body)) == {visit}
    with pytest.raises(PermissionDenied):
        events.event_cancel(actor=world.body, event=reception, reason="x")


# -- navigation ---------------------------------------------------------------------------------------------


def test_its_navigation(world, client_for):
    nav = client_for(world.body).get(reverse("home")).context["nav_items"]
    keys = {item["key"] for item in nav} | {c["key"] for item in nav for c in item.get("children", [])}
    assert {"ledger", "supervision", "suggestions", "dashboard", "departments_report", "events"} <= keys
    assert not keys & {"register", "triage", "department", "rules", "working_bodies", "plans", "audit"}
    office_nav = client_for(world.office).get(reverse("home")).context["nav_items"]
    assert "working_bodies" in {c["key"] for item in office_nav for c in item.get("children", [])}


def test_its_start_page_names_its_body_and_departments(world, client_for):
    page = client_for(world.body).get(reverse("home")).content.decode()
    assert world.B.name in page and world.D.name in page


# -- the office's page -------------------------------------------------------------------------------------


def test_the_office_sets_up_a_body_with_departments_and_staff(world, client_for):
    staff = UserFactory(username="body_new", full_name="陈明", role=Role.WORKING_BODY, jurisdiction=world.j.K)
    D4 = DepartmentFactory(name="区卫生健康委", jurisdiction=world.j.K)
    client = client_for(world.office)
    page = client.get(reverse("bodies:create")).content.decode()
    assert "陈明" in page and D4.name in page and world.D2.name not in page
    response = client.post(
        reverse("bodies:create"), {"name": "社会建设委", "departments": [D4.pk], "members": [staff.pk]}
    )
    assert response.status_code == 302
    made = WorkingBody.objects.get(office=world.OK, name="社会建设委")
    assert list(made.departments.all()) == [D4] and list(made.members.all()) == [staff]
    line = AuditEntry.objects.get(object_type="liaison.workingbody", object_pk=str(made.pk))
    assert line.user == world.office and line.detail["change"] == "working_body_created"
    assert line.area_code == world.j.K.code and line.detail["after"]["departments"] == [D4.name]
    assert scope_for(staff).department_ids == {D4.pk}


def test_bad_input_keeps_what_was_typed(world, client_for):
    client = client_for(world.office)
    outsider = UserFactory(username="body_k2", role=Role.WORKING_BODY, jurisdiction=world.j.K2)
    response = client.post(
        reverse("bodies:create"), {"name": "城建环保委", "departments": [world.D2.pk], "members": [outsider.pk]}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "城建环保委" in page  # the name typed, kept
    form = response.context["form"]
    assert set(form.errors) == {"departments", "members"}
    response = client.post(reverse("bodies:create"), {"name": "城建环保委"})
    assert response.status_code == 400 and "已有同名" in response.content.decode()
    assert WorkingBody.objects.filter(office=world.OK).count() == 1


def test_the_office_edits_and_deactivates_a_body_each_recorded(world, cast, client_for):
    client = client_for(world.office)
    url = reverse("bodies:update", args=[world.B.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "城建环保工委", "departments": [world.D.pk, cast.D3.pk], "members": []})
    assert response.status_code == 302
    world.B.refresh_from_db()
    assert world.B.name == "城建环保工委" and set(world.B.departments.all()) == {world.D, cast.D3}
    assert not world.B.members.exists()
    changed = AuditEntry.objects.get(detail__change="working_body_changed")
    assert changed.detail["before"]["members"] == ["body"] and changed.detail["after"]["members"] == []
    assert client.post(reverse("bodies:deactivate", args=[world.B.pk])).status_code == 302
    world.B.refresh_from_db()
    assert not world.B.is_active and WorkingBody.objects.filter(pk=world.B.pk).exists()
    assert AuditEntry.objects.filter(detail__change="working_body_deactivated").count() == 1
    assert client.post(reverse("bodies:reactivate", args=[world.B.pk])).status_code == 302
    world.B.refresh_from_db()
    assert world.B.is_active


def test_only_its_office_and_the_administrator_keep_a_body(world, client_for):
    url = reverse("bodies:update", args=[world.B.pk])
    assert client_for(world.admin).get(url).status_code == 200
    assert client_for(world.office_t1).get(url).status_code == 404  # the township office below
    assert client_for(world.office_k2).get(url).status_code == 404
    assert client_for(world.body).get(url).status_code == 403  # its own staff see it, do not keep it
    assert client_for(world.body).get(reverse("bodies:list")).status_code == 403
    assert client_for(world.dept).get(reverse("bodies:list")).status_code == 403
    with pytest.raises(Http404):
        bodies.working_body_set_active(actor=world.office_t1, body=world.B, active=False)
    with pytest.raises(PermissionDenied):
        bodies.working_body_set_active(actor=world.body, body=world.B, active=False)
    world.B.refresh_from_db()
    assert world.B.is_active
    listing = client_for(world.office_k2).get(reverse("bodies:list")).content.decode()
    assert world.B.name not in listing


def test_the_administrator_chooses_the_office(world, client_for):
    client = client_for(world.admin)
    assert client.get(reverse("bodies:create")).status_code == 302
    response = client.post(
        reverse("bodies:create") + f"?office={world.OK2.pk}", {"name": "城建环保委", "departments": [world.D2.pk]}
    )
    assert response.status_code == 302
    assert WorkingBody.objects.get(office=world.OK2).departments.get() == world.D2
    assert client.get(reverse("bodies:create") + "?office=x").status_code == 404

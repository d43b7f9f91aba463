"""Offices at several levels: who owns an item, who routes it, escalation that arrives at the
office above, comes back down or is taken over, and what the dashboard counts of it.

The world of `tests/conftest.py` plus the office of 北京市 (`city`, above 延庆区) and a station of
延庆镇 that keeps the default owner (the nearest office above it: 延庆镇's, `office_t1`). Items of
that station are the township's: it triages them; the district office reads them.
"""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from liaison.jurisdictions import departments_for_assignment
from liaison.models import Jurisdiction, Office, OutboxMessage, Role
from liaison.offices import nearest_office, offices_above, station_owner
from petitions.handling import policy
from petitions.handling import services as handling
from petitions.handling.workflow import Move
from petitions.ledger.events import PetitionEventKind
from petitions.ledger.services import PetitionError
from petitions.models import FeedbackMethod, Outcome, Petition, Satisfaction, Status
from petitions.reports.dashboard import escalation_rows
from petitions.reports.measures import ESCALATION_OUTCOMES, ESCALATIONS, escalation_q
from tests.factories import DepartmentFactory, JurisdictionFactory, StationFactory, UserFactory, make_petition

L = Jurisdiction.Level


@pytest.fixture
def tree(world):
    w = world
    t = SimpleNamespace(w=w)
    t.city = UserFactory(username="office_city", role=Role.COMMITTEE_OFFICE, jurisdiction=w.j.P)
    t.OP = Office.objects.get(jurisdiction=w.j.P)
    # 延庆镇's own station: no office set, so the nearest office above it owns its items.
    t.C1b = JurisdictionFactory(code="110119100202", name="西关村", level=L.COMMUNITY, parent=w.j.T1)
    t.ST = StationFactory(code="S-T1", name="西关村联络站", kind="station", jurisdiction=t.C1b, parent=w.H1)
    t.staff_t = UserFactory(username="staff_t1", role=Role.STATION_STAFF)
    t.ST.staff.add(t.staff_t)
    # Departments at each level: a township office of 延庆镇 (the township and the district assign
    # to it), a city bureau (the city's), a village committee (no office assigns to it).
    t.D_T1 = DepartmentFactory(name="延庆镇人民政府", jurisdiction=w.j.T1)
    t.D_P = DepartmentFactory(name="北京市住房和城乡建设委员会", jurisdiction=w.j.P)
    t.D_C1 = DepartmentFactory(name="西关村村委会", jurisdiction=t.C1b)
    t.dept_city = UserFactory(username="dept_city", role=Role.DEPARTMENT)
    t.D_P.members.add(t.dept_city)
    return t


def township_item(t, **fields):
    fields.setdefault("content", "西关村村口排水沟堵塞，雨天积水")
    return make_petition(station=t.ST, actor=t.staff_t, **fields)


def fresh(p):
    return Petition.objects.select_related("owner_office", "handling_office").get(pk=p.pk)


# -- ownership ------------------------------------------------------------------------------------


def test_owner_is_the_station_office_else_the_nearest_office_above(tree):
    w, t = tree.w, tree
    assert station_owner(w.S1) == w.OK  # set on the station by the office above
    assert station_owner(t.ST) == w.OT1  # nearest above: the township's office
    assert station_owner(w.S2) == w.OK  # 康庄镇 has no office: the district's
    assert station_owner(w.S3) == w.OK2
    assert nearest_office("110119101201") == w.OK and nearest_office("110000000000") == t.OP
    assert offices_above(w.OT1) == [w.OK, t.OP]
    p = township_item(t)
    assert (p.owner_office, p.handling_office) == (w.OT1, w.OT1)


def test_only_the_owning_office_triages_offices_above_read(tree, client_for):
    w, t = tree.w, tree
    p = township_item(t)
    # The township's triage list holds it; the district's and the city's do not.
    assert p in Petition.objects.handled_by(w.office_t1)
    assert p not in Petition.objects.handled_by(w.office)
    assert p not in Petition.objects.handled_by(t.city)
    page = client_for(w.office).get(reverse("petitions:triage")).content.decode()
    assert p.tracking_number not in page
    assert p.tracking_number in client_for(w.office_t1).get(reverse("petitions:triage")).content.decode()
    # The district office reads the item but may not route it: no buttons, 403 on the move page.
    detail = client_for(w.office).get(reverse("petitions:detail", args=[p.pk]))
    assert detail.status_code == 200
    assert reverse("petitions:act", args=[p.pk, "assign"]) not in detail.content.decode()
    assert client_for(w.office).get(reverse("petitions:act", args=[p.pk, "assign"])).status_code == 403
    assert client_for(w.office).get(reverse("petitions:update", args=[p.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        handling.petition_triage(actor=w.office, petition=p)
    assert fresh(p).status == Status.REGISTERED
    # ...but supervises it (a supervision notice, pressing for progress) once it is in hand.
    assert policy.office_may(w.office, Move.SUPERVISE, p) and policy.office_may(w.office, Move.URGE, p)
    # The sibling district's office does not see it at all.
    assert client_for(w.office_k2).get(reverse("petitions:detail", args=[p.pk])).status_code == 404
    # The township office routes it.
    handling.petition_triage(actor=w.office_t1, petition=p)
    assert fresh(p).status == Status.TRIAGED


def test_an_office_assigns_to_its_own_level_and_the_township_offices_below(tree):
    w, t = tree.w, tree
    district = set(departments_for_assignment(w.office))
    assert {w.D, t.D_T1} <= district  # the district's bureau, the township's office
    assert not {t.D_P, t.D_C1, w.D2} & district  # a city bureau, a village committee, another district
    assert set(departments_for_assignment(w.office_t1)) == {t.D_T1}
    city = set(departments_for_assignment(t.city))
    assert t.D_P in city and t.D_T1 in city and w.D not in city  # a district bureau is the district's to assign
    p = township_item(t)
    with pytest.raises(PetitionError):
        handling.petition_assign(actor=w.office_t1, petition=p, department=w.D)
    assert fresh(p).status == Status.REGISTERED


# -- escalation -------------------------------------------------------------------------------------


def test_escalation_reaches_the_office_above_and_the_answer_comes_back(tree, client_for):
    """The issue's walk, through the services: township → district → district bureau → back to
    the township's side for feedback, rating and close-out."""
    w, t = tree.w, tree
    p = township_item(t)
    handling.petition_escalate(
        actor=w.office_t1, petition=p, office=w.OK, reason="涉及区级排水管网改造", note="镇里已现场查看。"
    )
    p = fresh(p)
    assert (p.owner_office, p.handling_office, p.escalated_to) == (w.OT1, w.OK, w.OK)
    assert p.status == Status.TRIAGED and p.escalated_at is not None
    # In the district's triage list, marked; gone from the township's.
    page = client_for(w.office).get(reverse("petitions:triage"), {"escalated": "on"})
    assert p.tracking_number in page.content.decode() and "延庆镇人大主席团" in page.content.decode()
    assert p not in Petition.objects.handled_by(w.office_t1)
    # The district's accounts are told.
    assert OutboxMessage.objects.filter(topic="petition_escalate", user=w.office, channel="inbox").exists()
    # The public timeline shows the hand-over.
    event = p.events.get(kind=PetitionEventKind.ESCALATED)
    assert event.is_public and "延庆区人大常委会" in event.public_text
    assert event.data["reason"] == "涉及区级排水管网改造" and event.data["from_office"] == "延庆镇人大主席团"
    # The township can no longer route it; the district can.
    with pytest.raises(PermissionDenied):
        handling.petition_assign(actor=w.office_t1, petition=p, department=t.D_T1)
    handling.petition_assign(actor=w.office, petition=p, department=w.D)
    handling.petition_accept(actor=w.dept, petition=p)
    before = set(OutboxMessage.objects.filter(topic="petition_replied").values_list("user_id", flat=True))
    handling.petition_reply(actor=w.dept, petition=p, outcome=Outcome.SOLVED, text="已疏通排水沟并纳入管网改造。")
    told = set(OutboxMessage.objects.filter(topic="petition_replied").values_list("user_id", flat=True)) - before
    # The answer flows back: the township office (owner) and its station's staff are told.
    assert {w.office_t1.pk, t.staff_t.pk} <= told
    p = fresh(p)
    # The district (handling) may not feed back or close; the owner's side does.
    with pytest.raises(PermissionDenied):
        handling.petition_feed_back(actor=w.office, petition=p, method=FeedbackMethod.PHONE, text="已告知。")
    handling.petition_feed_back(actor=t.staff_t, petition=p, method=FeedbackMethod.PHONE, text="已电话告知居民。")
    handling.petition_rate(actor=t.staff_t, petition=p, satisfaction=Satisfaction.SATISFIED, for_resident=True)
    with pytest.raises(PermissionDenied):
        handling.petition_close(actor=w.office, petition=p)
    handling.petition_close(actor=w.office_t1, petition=p)
    assert fresh(p).status == Status.CLOSED


def test_escalation_only_to_an_office_above(tree):
    w, t = tree.w, tree
    p = township_item(t)
    for wrong in (w.OT1, w.OK2):
        with pytest.raises(PetitionError):
            handling.petition_escalate(actor=w.office_t1, petition=p, office=wrong, reason="理由")
    with pytest.raises(PetitionError):
        handling.petition_escalate(actor=w.office_t1, petition=p, office=w.OK, reason="  ")
    assert fresh(p).handling_office == w.OT1 and not p.events.filter(kind=PetitionEventKind.ESCALATED).exists()
    # Straight to the city is allowed too (an ancestor the owning office picks).
    handling.petition_escalate(actor=w.office_t1, petition=p, office=t.OP, reason="涉及市级事权")
    assert fresh(p).handling_office == t.OP
    # The city office has no office above: it cannot escalate further.
    assert not policy.can(t.city, Move.ESCALATE, fresh(p))


def test_sent_back_down_to_the_office_that_handed_it_up(tree, client_for):
    w, t = tree.w, tree
    p = township_item(t)
    handling.petition_escalate(actor=w.office_t1, petition=p, office=w.OK, reason="需区级协调")
    handling.petition_escalate(actor=w.office, petition=p, office=t.OP, reason="涉及市级事权")
    assert fresh(p).handling_office == t.OP
    # Neither office below may send it down or take it over: it is the city's now.
    for office in (w.office, w.office_t1):
        with pytest.raises(PermissionDenied):
            handling.petition_send_down(actor=office, petition=p, explanation="退回")
    handling.petition_send_down(actor=t.city, petition=p, explanation="属区级事权，请区里协调解决。")
    p = fresh(p)
    assert p.handling_office == w.OK and p.escalated_to == t.OP  # back to who handed it up; the record stays
    handling.petition_send_down(actor=w.office, petition=p, explanation="请镇里先行处置。")
    p = fresh(p)
    assert p.handling_office == w.OT1 and p.status == Status.TRIAGED
    kinds = list(p.events.filter(is_public=True).values_list("kind", flat=True))
    assert kinds.count(PetitionEventKind.ESCALATED) == 2 and kinds.count(PetitionEventKind.SENT_DOWN) == 2
    # Not escalated any more: nobody can send it down or take it over.
    assert not policy.can(w.office_t1, Move.SEND_DOWN, p) and not policy.can(w.office_t1, Move.TAKE_OVER, p)
    tracking = client_for(w.office_t1).get(reverse("petitions:detail", args=[p.pk])).content.decode()
    assert "属区级事权，请区里协调解决。" in tracking


def test_taken_over_the_office_above_closes_it(tree):
    w, t = tree.w, tree
    p = township_item(t)
    handling.petition_escalate(actor=w.office_t1, petition=p, office=w.OK, reason="需区级统筹")
    handling.petition_take_over(actor=w.office, petition=p, note="由区里直接办理到底。")
    p = fresh(p)
    assert p.owner_office == p.handling_office == w.OK
    assert OutboxMessage.objects.filter(topic="petition_take_over", user=w.office_t1).exists()
    handling.petition_consult(actor=w.office, petition=p, text="经与区水务局会商，答复如下。")
    handling.petition_feed_back(actor=w.office, petition=p, method=FeedbackMethod.PHONE, text="已电话告知。")
    handling.petition_rate(actor=w.office, petition=p, satisfaction=Satisfaction.SATISFIED, for_resident=True)
    with pytest.raises(PermissionDenied):
        handling.petition_close(actor=w.office_t1, petition=p)
    handling.petition_close(actor=w.office, petition=p)
    assert fresh(p).status == Status.CLOSED
    # The township still reads it.
    assert Petition.objects.visible_to(w.office_t1).filter(pk=p.pk).exists()


def test_outsiders_get_not_found_for_the_moves_of_an_escalated_item(tree):
    w, t = tree.w, tree
    p = township_item(t)
    with pytest.raises(Http404):
        handling.petition_escalate(actor=w.office_k2, petition=p, office=w.OK, reason="越权")


# -- the dashboard ------------------------------------------------------------------------------------


def test_the_dashboard_counts_escalations_per_level_and_their_outcomes(tree):
    w, t = tree.w, tree
    waiting, in_hand, answered, sent_down, taken = (township_item(t, content=f"事项{n}") for n in range(5))
    for p in (waiting, in_hand, answered, sent_down, taken):
        handling.petition_escalate(actor=w.office_t1, petition=p, office=w.OK, reason="需区级协调")
    handling.petition_assign(actor=w.office, petition=in_hand, department=w.D)
    handling.petition_consult(actor=w.office, petition=answered, text="答复如下。")
    handling.petition_send_down(actor=w.office, petition=sent_down, explanation="请镇里办理。")
    handling.petition_take_over(actor=w.office, petition=taken)
    city_item = township_item(t, content="事项市级")
    handling.petition_escalate(actor=w.office_t1, petition=city_item, office=t.OP, reason="市级事权")

    items = Petition.objects.visible_to(t.city).order_by()
    rows = {row.level: row.counts for row in escalation_rows(items, {})}
    assert rows[L.COUNTY] == {
        "escalated": 5,
        "waiting": 2,  # `waiting` and `taken` (taken over, not routed yet)
        "in_hand": 1,
        "answered": 1,
        "sent_down": 1,
        "taken_over": 1,
    }
    assert rows[L.PROVINCE]["escalated"] == rows[L.PROVINCE]["waiting"] == 1
    assert rows[""]["escalated"] == 6  # the total row
    # The outcomes partition the escalated items; each figure is the ledger's filter.
    escalated = Petition.objects.filter(escalation_q("escalated"))
    assert sum(escalated.filter(escalation_q(k)).count() for k in ESCALATION_OUTCOMES) == escalated.count() == 6
    assert set(ESCALATIONS) >= set(ESCALATION_OUTCOMES)


def test_the_office_above_sets_which_office_owns_a_station(tree):
    from stations.network.forms import StationForm

    w, t = tree.w, tree

    def form(user, office):
        data = {
            "code": t.ST.code,
            "name": t.ST.name,
            "kind": t.ST.kind,
            "parent": t.ST.parent_id,
            "jurisdiction": t.ST.jurisdiction_id,
            "address": "西关村委会",
            "opening_hours": "周一至周五",
            "is_active": "on",
            "office": office.pk if office else "",
        }
        return StationForm(data, instance=t.ST, user=user)

    # The township office is offered only itself; the district office itself and the offices below it.
    assert list(form(w.office_t1, None).fields["office"].queryset) == [w.OT1]
    assert set(form(w.office, None).fields["office"].queryset) == {w.OK, w.OT1}
    assert "office" not in form(w.staff, None).fields
    # An office whose jurisdiction does not contain the station is refused with a message.
    k2 = form(t.city, w.OK2)
    assert not k2.is_valid() and "office" in k2.errors
    before = township_item(t, content="改派前登记")
    chosen = form(w.office, w.OK)
    assert chosen.is_valid(), chosen.errors
    chosen.save()
    # From now on its items are the district's; what was registered before stays the township's.
    t.ST.refresh_from_db()
    after = township_item(t, content="改派后登记")
    assert fresh(before).owner_office == w.OT1
    assert after.owner_office == w.OK and after.handling_office == w.OK


def test_which_office_makes_which_move():
    """Written out from the issue, not read back from the table."""
    assert {
        Move.TRIAGE,
        Move.ASSIGN,
        Move.CONSULT,
        Move.ON_THE_SPOT,
        Move.TO_SUGGESTION,
        Move.ESCALATE,
        Move.SEND_DOWN,
        Move.TAKE_OVER,
        Move.CANNOT_HANDLE,
        Move.LINK,
        Move.DECIDE_EXTENSION,
        Move.SUSPEND,
        Move.RESUME,
    } == policy.HANDLING_OFFICE_MOVES
    assert {Move.FEED_BACK, Move.RATE, Move.CLOSE} == policy.OWNING_OFFICE_MOVES
    assert not policy.HANDLING_OFFICE_MOVES & policy.OWNING_OFFICE_MOVES
    assert Move.SUPERVISE not in policy.HANDLING_OFFICE_MOVES | policy.OWNING_OFFICE_MOVES

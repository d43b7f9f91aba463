"""Representative suggestions (代表建议): services, scope, pages, the Excel list.

The world (tests/conftest.py): the office of 延庆区 K; R1 (account `rep`) and R4 elected in K,
R2 in 康庄镇 T2 (inside K), R3 in 朝阳区 K2 (another district, office_k2's); department D in K
(member `dept`), D2 in K2. The ledger's items a–d lie in K, e in K2; all are registered.
"""

import io
import re
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from liaison.models import Notification, OutboxMessage, Role
from liaison.outbox import deliver_pending
from petitions.handling.models import Suggestion, SuggestionEvent
from petitions.handling.services import Conflict
from petitions.intake import tracking
from petitions.intake.tracking import normalise_tracking_number
from petitions.ledger.events import PetitionEventKind
from petitions.ledger.services import PetitionError
from petitions.models import Outcome, Petition, Satisfaction, Status
from petitions.suggestions import policy as suggestion_policy
from petitions.suggestions import services as sg
from tests.factories import UserFactory

S = Suggestion.Status
NUMBER_RE = re.compile(r"^建议〔(\d{4})〕(\d{3,})号$")


# -- helpers -------------------------------------------------------------------------------------------------


@pytest.fixture
def rep2(world):
    """An account for R2 (a township representative inside K), so R2 can co-sign and sign in."""
    user = UserFactory(username="rep2", role=Role.REPRESENTATIVE)
    world.R2.user = user
    world.R2.save()
    return user


@pytest.fixture
def rep3(world):
    user = UserFactory(username="rep3", role=Role.REPRESENTATIVE)
    world.R3.user = user
    world.R3.save()
    return user


def draft(w, petitions=(), *, actor=None, title="关于加快老旧小区改造的建议", lead=None, co=None):
    return sg.suggestion_draft(
        actor=actor or w.office,
        title=title,
        content="案由……理由……建议……",
        lead_representative=lead or w.R1,
        co_signers=[w.R2, w.R4] if co is None else co,
        petitions=petitions,
    )


def assigned(w, petitions=(), **kwargs):
    s = draft(w, petitions, **kwargs)
    return sg.suggestion_assign(actor=w.office, suggestion=s, department=w.D)


def replied(w, petitions=(), **kwargs):
    s = assigned(w, petitions, **kwargs)
    return sg.suggestion_reply(actor=w.dept, suggestion=s, outcome=Outcome.SOLVED, text="已列入年度改造计划。")


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


def events(s, kind=None):
    qs = SuggestionEvent.objects.filter(suggestion=s)
    return qs.filter(kind=kind) if kind else qs


def outbox_keys(prefix):
    return set(OutboxMessage.objects.filter(key__startswith=prefix).values_list("key", flat=True))


# -- drafting ----------------------------------------------------------------------------------------------------


def test_draft_numbers_links_petitions_and_writes_history(world, ledger):
    s = draft(world, [ledger.a, ledger.c])
    year = timezone.localdate().year
    assert NUMBER_RE.match(s.number).groups() == (str(year), "001")
    assert s.status == S.DRAFT and s.jurisdiction == world.j.K and s.created_by == world.office
    assert set(s.co_signers.all()) == {world.R2, world.R4}
    for p in (ledger.a, ledger.c):
        p = reload(p)
        assert p.status == Status.SUGGESTION and p.suggestion_id == s.pk and p.route == "suggestion"
        event = p.events.get(kind=PetitionEventKind.TO_SUGGESTION)
        assert event.actor == world.office and event.to_status == Status.SUGGESTION and event.is_public
    (event,) = events(s)
    assert event.kind == "drafted" and event.actor == world.office
    assert event.data["petitions"] == [ledger.a.tracking_number, ledger.c.tracking_number]
    assert reload(ledger.b).status == Status.REGISTERED
    assert draft(world).number == f"建议〔{year}〕002号"


def test_draft_drops_the_lead_from_co_signers(world):
    s = draft(world, co=[world.R1, world.R2, world.R2])
    assert list(s.co_signers.all()) == [world.R2]


def test_number_sequence_is_per_year_and_passes_999(world):
    year = timezone.localdate().year
    first = draft(world)
    Suggestion.objects.filter(pk=first.pk).update(number=f"建议〔{year - 1}〕057号")
    assert draft(world).number == f"建议〔{year}〕001号"
    second = draft(world)
    Suggestion.objects.filter(pk=second.pk).update(number=f"建议〔{year}〕999号")
    assert draft(world).number == f"建议〔{year}〕1000号"
    assert draft(world).number == f"建议〔{year}〕1001号"


@pytest.mark.parametrize("who", ["staff", "rep", "dept", "nobody"])
def test_only_the_office_drafts(world, ledger, who):
    with pytest.raises(PermissionDenied):
        draft(world, [ledger.a], actor=getattr(world, who))
    assert not Suggestion.objects.exists()
    assert reload(ledger.a).status == Status.REGISTERED


def test_draft_refuses_items_outside_the_scope_or_already_routed_naming_them_all(world, ledger):
    sg.suggestion_draft(actor=world.office, title="t", content="c", lead_representative=world.R1, petitions=[ledger.c])
    with pytest.raises(PetitionError) as error:
        draft(world, [ledger.a, ledger.c, ledger.e])
    message = str(error.value)
    assert ledger.c.tracking_number in message and ledger.e.tracking_number in message
    assert ledger.a.tracking_number not in message
    # Nothing of the refused request stays: no second suggestion, item a untouched.
    assert Suggestion.objects.count() == 1
    a = reload(ledger.a)
    assert a.status == Status.REGISTERED and a.suggestion_id is None
    assert not a.events.filter(kind=PetitionEventKind.TO_SUGGESTION).exists()


def test_draft_refuses_representatives_of_another_jurisdiction(world):
    with pytest.raises(PetitionError, match=world.R3.name):
        draft(world, lead=world.R3)
    with pytest.raises(PetitionError, match=world.R3.name):
        draft(world, co=[world.R3])
    # A township office names only its township's representatives: R2 sits in T2, not T1.
    with pytest.raises(PetitionError, match=world.R2.name):
        draft(world, actor=world.office_t1, lead=world.R2, co=[])
    assert not Suggestion.objects.exists()


def test_draft_requires_title_and_content(world):
    with pytest.raises(PetitionError):
        sg.suggestion_draft(actor=world.office, title="  ", content="c", lead_representative=world.R1)
    with pytest.raises(PetitionError):
        sg.suggestion_draft(actor=world.office, title="t", content="", lead_representative=world.R1)


def test_admin_drafts_in_the_lead_representatives_jurisdiction(world):
    s = draft(world, actor=world.admin, lead=world.R3, co=[])
    assert s.jurisdiction == world.j.K2


# -- editing -------------------------------------------------------------------------------------------------------


def test_update_records_what_changed(world):
    s = draft(world)
    s = sg.suggestion_update(
        actor=world.office,
        suggestion=s,
        title="新标题",
        content=s.content,
        lead_representative=world.R4,
        co_signers=[world.R2],
        version=s.version,
    )
    s = reload(s)
    assert (s.title, s.lead_representative, list(s.co_signers.all()), s.version) == ("新标题", world.R4, [world.R2], 1)
    (event,) = events(s, "updated")
    assert set(event.data["changes"]) == {"title", "lead", "co_signers"}
    # Nothing changed: no event, no new version.
    sg.suggestion_update(
        actor=world.office,
        suggestion=s,
        title="新标题",
        content=s.content,
        lead_representative=world.R4,
        co_signers=[world.R2],
    )
    assert events(s, "updated").count() == 1 and reload(s).version == 1


def test_update_refusals(world):
    s = draft(world)
    args = {"title": "x", "content": "y", "lead_representative": world.R1}
    with pytest.raises(Conflict):
        sg.suggestion_update(actor=world.office, suggestion=s, version=s.version + 1, **args)
    with pytest.raises(Http404):  # out of scope: not found, as for a missing suggestion
        sg.suggestion_update(actor=world.office_k2, suggestion=s, **args)
    with pytest.raises(PermissionDenied):  # in scope (leads it), not allowed to edit
        sg.suggestion_update(actor=world.rep, suggestion=s, **args)
    sg.suggestion_assign(actor=world.office, suggestion=s, department=world.D)
    with pytest.raises(sg.InvalidSuggestionMove):
        sg.suggestion_update(actor=world.office, suggestion=s, **args)
    with pytest.raises(PermissionDenied):  # the department sees it now, still may not edit
        sg.suggestion_update(actor=world.dept, suggestion=s, **args)
    assert reload(s).title != "x"


def test_add_petitions_to_a_draft_and_to_an_assigned_suggestion(world, ledger):
    s = draft(world, [ledger.a])
    sg.suggestion_add_petitions(actor=world.office, suggestion=s, petitions=[ledger.b])
    sg.suggestion_assign(actor=world.office, suggestion=s, department=world.D)
    sg.suggestion_add_petitions(actor=world.office, suggestion=s, petitions=[ledger.c], version=reload(s).version)
    assert set(reload(s).petitions.values_list("pk", flat=True)) == {ledger.a.pk, ledger.b.pk, ledger.c.pk}
    assert [e.data["petitions"] for e in events(s, "petitions_added")] == [
        [ledger.b.tracking_number],
        [ledger.c.tracking_number],
    ]
    with pytest.raises(PetitionError, match=ledger.a.tracking_number):  # already in it
        sg.suggestion_add_petitions(actor=world.office, suggestion=s, petitions=[ledger.a])
    sg.suggestion_reply(actor=world.dept, suggestion=s, outcome="A", text="答复")
    with pytest.raises(sg.InvalidSuggestionMove):
        sg.suggestion_add_petitions(actor=world.office, suggestion=s, petitions=[ledger.d])
    assert reload(ledger.d).status == Status.REGISTERED


# -- assignment and the pre-handling meeting -----------------------------------------------------------------------


def test_assign_sets_three_months_and_tells_the_department(world):
    s = draft(world)
    today = timezone.localdate()
    s = sg.suggestion_assign(actor=world.office, suggestion=s, department=world.D, version=s.version)
    s = reload(s)
    assert (s.status, s.department, s.due_on, s.is_complex, s.complex_approved_by) == (
        S.ASSIGNED,
        world.D,
        today + relativedelta(months=3),
        False,
        None,
    )
    (event,) = events(s, "assigned")
    assert event.data["from_status"] == S.DRAFT and event.data["to_status"] == S.ASSIGNED
    assert outbox_keys(f"suggestion:{s.pk}:assigned") == {f"suggestion:{s.pk}:assigned:user:{world.dept.pk}"}


def test_assign_complex_gives_six_months_approved_by_the_office(world):
    s = sg.suggestion_assign(actor=world.office, suggestion=draft(world), department=world.D, is_complex=True)
    s = reload(s)
    assert s.due_on == timezone.localdate() + relativedelta(months=6)
    assert s.is_complex and s.complex_approved_by == world.office


def test_assign_notice_reaches_the_inbox_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        s = sg.suggestion_assign(actor=world.office, suggestion=draft(world), department=world.D)
    notice = Notification.objects.get(recipient=world.dept)
    assert s.number in notice.subject and notice.url == reverse("petitions:suggestion_detail", args=[s.pk])


def test_assign_refusals(world):
    s = draft(world)
    with pytest.raises(PetitionError):  # another district's department
        sg.suggestion_assign(actor=world.office, suggestion=s, department=world.D2)
    with pytest.raises(Conflict):
        sg.suggestion_assign(actor=world.office, suggestion=s, department=world.D, version=7)
    with pytest.raises(PermissionDenied):  # the lead representative sees it, may not assign
        sg.suggestion_assign(actor=world.rep, suggestion=s, department=world.D)
    with pytest.raises(Http404):  # the department does not see a draft at all
        sg.suggestion_assign(actor=world.dept, suggestion=s, department=world.D)
    with pytest.raises(Http404):
        sg.suggestion_assign(actor=world.office_k2, suggestion=s, department=world.D2)
    assert reload(s).status == S.DRAFT and not OutboxMessage.objects.exists()
    sg.suggestion_assign(actor=world.office, suggestion=s, department=world.D)
    with pytest.raises(sg.InvalidSuggestionMove):
        sg.suggestion_assign(actor=world.office, suggestion=s, department=world.D)


def test_pre_meeting_by_the_department_or_the_office(world):
    s = assigned(world)
    today = timezone.localdate()
    sg.suggestion_pre_meeting(actor=world.dept, suggestion=s, held_on=today, note="商定分两期实施")
    s = reload(s)
    assert (s.pre_meeting_on, s.pre_meeting_note, s.status) == (today, "商定分两期实施", S.ASSIGNED)
    sg.suggestion_pre_meeting(actor=world.office, suggestion=s, held_on=today, note="补充")
    assert events(s, "pre_meeting").count() == 2


def test_pre_meeting_refusals(world):
    s = draft(world)
    today = timezone.localdate()
    with pytest.raises(sg.InvalidSuggestionMove):
        sg.suggestion_pre_meeting(actor=world.office, suggestion=s, held_on=today, note="x")
    sg.suggestion_assign(actor=world.office, suggestion=s, department=world.D)
    with pytest.raises(PetitionError):
        sg.suggestion_pre_meeting(actor=world.dept, suggestion=s, held_on=today + timedelta(days=1), note="x")
    with pytest.raises(PetitionError):
        sg.suggestion_pre_meeting(actor=world.dept, suggestion=s, held_on=today, note="  ")
    with pytest.raises(PermissionDenied):
        sg.suggestion_pre_meeting(actor=world.rep, suggestion=s, held_on=today, note="x")
    other = UserFactory(username="dept2", role=Role.DEPARTMENT)
    world.D2.members.add(other)
    with pytest.raises(Http404):  # another district's department: out of scope
        sg.suggestion_pre_meeting(actor=other, suggestion=s, held_on=today, note="x")
    assert reload(s).pre_meeting_on is None and not events(s, "pre_meeting").exists()


# -- the reply reaches every petitioner -----------------------------------------------------------------------------


def test_reply_moves_every_source_item_to_replied_with_a_public_event(world, ledger, rep2):
    s = assigned(world, [ledger.a, ledger.c, ledger.d])
    s = sg.suggestion_reply(
        actor=world.dept,
        suggestion=s,
        outcome=Outcome.PLANNED,
        text="列入明年计划，分两期实施。",
        version=reload(s).version,
    )
    # The delivery kick is queued once per transaction, and the ledger fixture's registrations queued it
    # already: deliver as the worker would after commit.
    deliver_pending()
    s = reload(s)
    assert (s.status, s.outcome, s.reply_text) == (S.REPLIED, Outcome.PLANNED, "列入明年计划，分两期实施。")
    assert s.replied_at is not None
    for p in (ledger.a, ledger.c, ledger.d):
        p = reload(p)
        assert (p.status, p.outcome, p.lead_department, p.handling_summary) == (
            Status.REPLIED,
            Outcome.PLANNED,
            world.D,
            "列入明年计划，分两期实施。",
        )
        event = p.events.get(kind=PetitionEventKind.DEPARTMENT_REPLIED)
        assert event.is_public and "列入明年计划" in event.public_text
        assert (event.from_status, event.to_status, event.actor) == (Status.SUGGESTION, Status.REPLIED, world.dept)
    (event,) = events(s, "replied")
    assert event.data["petitions"] == [ledger.a.tracking_number, ledger.c.tracking_number, ledger.d.tracking_number]
    # The signers are told; R2 and R4 have no account but a mobile, R2 now has an account as well.
    keys = outbox_keys(f"suggestion:{s.pk}:replied")
    assert {f"suggestion:{s.pk}:replied:rep:{r.pk}" for r in (world.R1, world.R2, world.R4)} == keys
    assert OutboxMessage.objects.filter(key=f"suggestion:{s.pk}:replied:rep:{world.R4.pk}", channel="sms").exists()
    assert Notification.objects.filter(recipient=world.rep, subject__contains=s.number).exists()
    assert Notification.objects.filter(recipient=rep2, subject__contains=s.number).exists()
    # Whoever feeds item a back (its representative R1 and S1's staff) is told to do so.
    assert OutboxMessage.objects.filter(
        key__startswith=f"petition:{ledger.a.pk}:suggestion_replied:", user=world.staff
    ).exists()


def test_reply_appears_on_the_public_tracking_page(world, ledger):
    s = assigned(world, [ledger.a])
    sg.suggestion_reply(actor=world.dept, suggestion=s, outcome=Outcome.SOLVED, text="路灯已全部修复。")
    item = tracking.public_item(ledger.a.tracking_number)
    assert item.status == Status.REPLIED
    assert any("路灯已全部修复" in entry.text for entry in item.timeline)


def test_reply_leaves_items_that_left_the_suggestion_alone(world, ledger):
    s = assigned(world, [ledger.a, ledger.c])
    # Item c was answered on its own meanwhile (an office correction): it is not "suggestion" any more.
    Petition.objects.filter(pk=ledger.c.pk).update(status=Status.CLOSED)
    sg.suggestion_reply(actor=world.office, suggestion=s, outcome="A", text="答复")
    assert reload(ledger.a).status == Status.REPLIED and reload(ledger.c).status == Status.CLOSED
    assert not reload(ledger.c).events.filter(kind=PetitionEventKind.DEPARTMENT_REPLIED).exists()


def test_reply_refusals(world, ledger):
    s = draft(world, [ledger.a])
    with pytest.raises(sg.InvalidSuggestionMove):
        sg.suggestion_reply(actor=world.office, suggestion=s, outcome="A", text="x")
    sg.suggestion_assign(actor=world.office, suggestion=s, department=world.D)
    with pytest.raises(PermissionDenied):
        sg.suggestion_reply(actor=world.rep, suggestion=s, outcome="A", text="x")
    with pytest.raises(Http404):  # another district's office: out of scope
        sg.suggestion_reply(actor=world.office_k2, suggestion=s, outcome="A", text="x")
    with pytest.raises(PetitionError):
        sg.suggestion_reply(actor=world.dept, suggestion=s, outcome="Z", text="x")
    with pytest.raises(PetitionError):
        sg.suggestion_reply(actor=world.dept, suggestion=s, outcome="A", text=" ")
    with pytest.raises(Conflict):
        sg.suggestion_reply(actor=world.dept, suggestion=s, outcome="A", text="x", version=0)
    assert reload(s).status == S.ASSIGNED and reload(ledger.a).status == Status.SUGGESTION
    sg.suggestion_reply(actor=world.dept, suggestion=s, outcome="A", text="x")
    with pytest.raises(sg.InvalidSuggestionMove):
        sg.suggestion_reply(actor=world.dept, suggestion=s, outcome="A", text="again")


# -- the satisfaction form and close-out -----------------------------------------------------------------------------


def test_only_the_lead_representative_rates(world, rep2):
    s = replied(world)
    for who in (world.office, world.dept, rep2):  # rep2 co-signs: sees it, may not rate
        with pytest.raises(PermissionDenied):
            sg.suggestion_rate(
                actor=who, suggestion=s, satisfaction=Satisfaction.SATISFIED, contacted_before_reply=True
            )
    sg.suggestion_rate(
        actor=world.rep,
        suggestion=s,
        satisfaction=Satisfaction.BASICALLY,
        contacted_before_reply=False,
        comment="进度偏慢",
        version=reload(s).version,
    )
    s = reload(s)
    assert (s.status, s.satisfaction, s.contacted_before_reply, s.satisfaction_comment) == (
        S.RATED,
        Satisfaction.BASICALLY,
        False,
        "进度偏慢",
    )
    assert outbox_keys(f"suggestion:{s.pk}:rated") == {f"suggestion:{s.pk}:rated:user:{world.office.pk}"}
    with pytest.raises(sg.InvalidSuggestionMove):
        sg.suggestion_rate(
            actor=world.rep, suggestion=s, satisfaction=Satisfaction.SATISFIED, contacted_before_reply=True
        )


def test_rate_refusals(world, rep3):
    s = assigned(world)
    with pytest.raises(sg.InvalidSuggestionMove):
        sg.suggestion_rate(actor=world.rep, suggestion=s, satisfaction="satisfied", contacted_before_reply=True)
    sg.suggestion_reply(actor=world.dept, suggestion=s, outcome="A", text="x")
    with pytest.raises(Http404):  # another district's representative: out of scope
        sg.suggestion_rate(actor=rep3, suggestion=s, satisfaction="satisfied", contacted_before_reply=True)
    with pytest.raises(PetitionError):
        sg.suggestion_rate(actor=world.rep, suggestion=s, satisfaction="happy", contacted_before_reply=True)
    with pytest.raises(PetitionError):
        sg.suggestion_rate(actor=world.rep, suggestion=s, satisfaction="satisfied", contacted_before_reply=None)
    with pytest.raises(Conflict):
        sg.suggestion_rate(
            actor=world.rep, suggestion=s, satisfaction="satisfied", contacted_before_reply=True, version=0
        )
    assert reload(s).status == S.REPLIED


def test_close_after_the_rating(world):
    s = replied(world)
    sg.suggestion_rate(actor=world.rep, suggestion=s, satisfaction="satisfied", contacted_before_reply=True)
    for who in (world.rep, world.dept):
        with pytest.raises(PermissionDenied):
            sg.suggestion_close(actor=who, suggestion=s)
    sg.suggestion_close(actor=world.office, suggestion=s, note="办结")
    s = reload(s)
    assert s.status == S.CLOSED and s.closed_at is not None
    (event,) = events(s, "closed")
    assert event.data == {"note": "办结", "unrated": False, "from_status": S.RATED, "to_status": S.CLOSED}
    with pytest.raises(sg.InvalidSuggestionMove):
        sg.suggestion_close(actor=world.office, suggestion=s)


def test_close_unrated_only_after_thirty_days(world):
    s = replied(world)
    with pytest.raises(PetitionError):
        sg.suggestion_close(actor=world.office, suggestion=s)
    assert suggestion_policy.moves_for(world.office, reload(s)) == []
    Suggestion.objects.filter(pk=s.pk).update(
        replied_at=timezone.now() - timedelta(days=suggestion_policy.RATING_WAIT_DAYS)
    )
    assert suggestion_policy.moves_for(world.office, reload(s)) == ["close"]
    sg.suggestion_close(actor=world.office, suggestion=s)
    assert reload(s).status == S.CLOSED and events(s, "closed").get().data["unrated"] is True


def test_close_refuses_a_draft(world):
    s = draft(world)
    with pytest.raises(sg.InvalidSuggestionMove):
        sg.suggestion_close(actor=world.office, suggestion=s)


def test_each_change_bumps_the_version_and_writes_one_event(world, ledger):
    s = draft(world, [ledger.a])
    sg.suggestion_assign(actor=world.office, suggestion=s, department=world.D)
    sg.suggestion_pre_meeting(actor=world.dept, suggestion=s, held_on=timezone.localdate(), note="n")
    sg.suggestion_reply(actor=world.dept, suggestion=s, outcome="A", text="x")
    sg.suggestion_rate(actor=world.rep, suggestion=s, satisfaction="satisfied", contacted_before_reply=True)
    sg.suggestion_close(actor=world.office, suggestion=s)
    assert reload(s).version == 5
    assert list(events(s).values_list("kind", flat=True)) == [
        "drafted",
        "assigned",
        "pre_meeting",
        "replied",
        "rated",
        "closed",
    ]


# -- who sees what -----------------------------------------------------------------------------------------------------


def test_visibility_by_role(world, rep2, rep3):
    k = draft(world, co=[world.R2])
    k2 = draft(world, actor=world.office_k2, lead=world.R3, co=[])
    visible = lambda user: set(Suggestion.objects.visible_to(user).values_list("pk", flat=True))
    assert visible(world.office) == {k.pk}
    assert visible(world.office_k2) == {k2.pk}
    assert visible(world.office_t1) == set()  # a township office does not see the district's suggestions
    assert visible(world.admin) == {k.pk, k2.pk}
    assert visible(world.rep) == {k.pk}  # leads it
    assert visible(rep2) == {k.pk}  # co-signs it
    assert visible(rep3) == {k2.pk}
    assert visible(world.staff) == set() and visible(world.nobody) == set()
    assert visible(world.dept) == set()
    sg.suggestion_assign(actor=world.office, suggestion=k, department=world.D)
    assert visible(world.dept) == {k.pk}


def test_another_district_finds_no_suggestion_by_page_or_by_service(world, ledger, client_for):
    """`access_suggestion`: to another district's office a suggestion of K does not exist, for the
    pages and the services alike, the same 404 as for a number never issued; nothing is written."""
    s = draft(world, [ledger.a])
    missing = s.pk + 1000
    outsider = client_for(world.office_k2)
    for pk in (s.pk, missing):
        for name in ("suggestion_detail", "suggestion_edit", "suggestion_print"):
            assert outsider.get(reverse(f"petitions:{name}", args=[pk])).status_code == 404, name
        act = reverse("petitions:suggestion_act", args=[pk, "assign"])
        assert outsider.post(act, {"assign-department": world.D2.pk}).status_code == 404
        for service, arguments in (
            (sg.suggestion_update, {"title": "x", "content": "y", "lead_representative": world.R3}),
            (sg.suggestion_add_petitions, {"petitions": [ledger.e]}),
            (sg.suggestion_assign, {"department": world.D2}),
            (sg.suggestion_close, {}),
        ):
            with pytest.raises(Http404):
                service(actor=world.office_k2, suggestion=pk, **arguments)
    assert (reload(s).status, reload(s).version, events(s).count()) == (S.DRAFT, 0, 1)
    assert reload(ledger.e).suggestion_id is None


# -- pages ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, expected", [("office", 200), ("rep", 200), ("dept", 200), ("admin", 200), ("staff", 403), ("nobody", 403)]
)
def test_list_page_by_role(world, client_for, who, expected):
    assert client_for(getattr(world, who)).get(reverse("petitions:suggestion_list")).status_code == expected


def test_list_requires_sign_in(world, client):
    response = client.get(reverse("petitions:suggestion_list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_list_shows_the_scope_and_filters(world, client_for, django_assert_max_num_queries):
    a = draft(world, title="关于停车难问题的建议")
    b = sg.suggestion_assign(
        actor=world.office, suggestion=draft(world, title="关于加装电梯的建议", lead=world.R4), department=world.D
    )
    for _ in range(5):
        draft(world, title="其他建议")
    other = draft(world, actor=world.office_k2, lead=world.R3, co=[], title="朝阳区的建议")
    client = client_for(world.office)
    url = reverse("petitions:suggestion_list")
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    rows = {s.pk for s in response.context["suggestions"]}
    assert a.pk in rows and b.pk in rows and other.pk not in rows
    assert other.number not in response.content.decode()
    pks = lambda r: {s.pk for s in r.context["suggestions"]}
    assert pks(client.get(url, {"status": "assigned"})) == {b.pk}
    assert pks(client.get(url, {"q": "停车"})) == {a.pk}
    assert pks(client.get(url, {"department": world.D.pk})) == {b.pk}
    assert pks(client.get(url, {"representative": world.R4.pk})) >= {a.pk, b.pk}  # R4 co-signs a, leads b
    assert pks(client.get(url, {"year": timezone.localdate().year - 1})) == set()
    # A forged department (another district's) is an invalid choice: no rows, not a wider list.
    assert pks(client.get(url, {"department": world.D2.pk})) == set()


def test_detail_page_by_role(world, ledger, client_for, rep2):
    s = draft(world, [ledger.a, ledger.d])
    url = reverse("petitions:suggestion_detail", args=[s.pk])
    for user, code in [
        (world.office, 200),
        (world.admin, 200),
        (world.rep, 200),
        (rep2, 200),
        (world.office_k2, 404),
        (world.office_t1, 404),
        (world.staff, 404),
        (world.dept, 404),
    ]:
        assert client_for(user).get(url).status_code == code, user.username
    sg.suggestion_assign(actor=world.office, suggestion=s, department=world.D)
    response = client_for(world.dept).get(url)
    assert response.status_code == 200
    assert set(response.context["forms"]) == {"pre_meeting", "reply"}


def test_detail_lists_source_items_linking_only_those_the_user_sees(world, ledger, client_for):
    s = draft(world, [ledger.a, ledger.d])
    page = client_for(world.rep).get(reverse("petitions:suggestion_detail", args=[s.pk])).content.decode()
    assert ledger.a.tracking_number in page and ledger.d.tracking_number in page
    assert reverse("petitions:detail", args=[ledger.a.pk]) in page
    assert reverse("petitions:detail", args=[ledger.d.pk]) not in page  # d is R2's item at S2
    assert ledger.d.content not in page
    office_page = client_for(world.office).get(reverse("petitions:suggestion_detail", args=[s.pk])).content.decode()
    assert reverse("petitions:detail", args=[ledger.d.pk]) in office_page


def test_detail_offers_the_forms_the_user_may_use(world, client_for):
    s = draft(world)
    url = reverse("petitions:suggestion_detail", args=[s.pk])
    assert set(client_for(world.office).get(url).context["forms"]) == {"assign"}
    assert client_for(world.office).get(url).context["can_edit"] is True
    rep_page = client_for(world.rep).get(url)
    assert rep_page.context["forms"] == {} and rep_page.context["can_edit"] is False
    s = replied(world)
    url = reverse("petitions:suggestion_detail", args=[s.pk])
    assert set(client_for(world.rep).get(url).context["forms"]) == {"rate"}
    assert set(client_for(world.office).get(url).context["forms"]) == set()


def test_create_page_prefills_visible_items_from_the_query(world, ledger, client_for):
    url = reverse("petitions:suggestion_create") + f"?petitions={ledger.a.pk},{ledger.e.pk},x"
    response = client_for(world.office).get(url)
    assert response.status_code == 200
    assert response.context["form"].initial["petition_numbers"] == ledger.a.tracking_number  # e is another district's


@pytest.mark.parametrize(
    "who, expected", [("rep", 403), ("dept", 403), ("staff", 403), ("office", 200), ("admin", 200)]
)
def test_create_page_by_role(world, client_for, who, expected):
    assert client_for(getattr(world, who)).get(reverse("petitions:suggestion_create")).status_code == expected


def _form_data(world, numbers="", **extra):
    return {
        "title": "关于路灯维修的建议",
        "content": "理由与建议",
        "lead_representative": world.R1.pk,
        "co_signers": [world.R2.pk],
        "petition_numbers": numbers,
        **extra,
    }


def test_create_with_unknown_numbers_keeps_the_input_and_names_them(world, ledger, client_for):
    typed = f"{ledger.a.tracking_number.lower()}，2601-ZZZZZZZZ\n{ledger.e.tracking_number}"
    response = client_for(world.office).post(reverse("petitions:suggestion_create"), _form_data(world, typed))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["petition_numbers"])
    assert "2601-ZZZZZZZZ" in errors and ledger.e.tracking_number in errors
    assert ledger.a.tracking_number.lower() not in errors
    page = response.content.decode()
    assert typed in page
    assert 'value="关于路灯维修的建议"' in page
    assert not Suggestion.objects.exists() and reload(ledger.a).status == Status.REGISTERED


def test_create_refuses_items_already_routed_with_their_status(world, ledger, client_for):
    Petition.objects.filter(pk=ledger.a.pk).update(status=Status.ASSIGNED)
    response = client_for(world.office).post(
        reverse("petitions:suggestion_create"), _form_data(world, ledger.a.tracking_number)
    )
    assert response.status_code == 200
    assert ledger.a.tracking_number in " ".join(response.context["form"].errors["petition_numbers"])
    assert not Suggestion.objects.exists()


def test_create_drafts_and_redirects(world, ledger, client_for):
    typed = f"{ledger.a.tracking_number} {ledger.c.tracking_number},{ledger.a.tracking_number}"
    response = client_for(world.office).post(reverse("petitions:suggestion_create"), _form_data(world, typed))
    s = Suggestion.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("petitions:suggestion_detail", args=[s.pk])
    assert set(s.petitions.values_list("pk", flat=True)) == {ledger.a.pk, ledger.c.pk}
    assert list(s.co_signers.all()) == [world.R2]


def test_create_refuses_a_lead_from_outside_the_jurisdiction(world, client_for):
    response = client_for(world.office).post(
        reverse("petitions:suggestion_create"), _form_data(world, lead_representative=world.R3.pk)
    )
    assert response.status_code == 200 and "lead_representative" in response.context["form"].errors
    assert not Suggestion.objects.exists()


def test_edit_a_draft_and_add_items(world, ledger, client_for):
    s = draft(world, [ledger.a])
    url = reverse("petitions:suggestion_edit", args=[s.pk])
    client = client_for(world.office)
    assert client.get(url).status_code == 200
    response = client.post(url, _form_data(world, ledger.c.tracking_number, title="改过的标题", version=s.version))
    assert response.status_code == 302
    s = reload(s)
    assert s.title == "改过的标题" and set(s.petitions.values_list("pk", flat=True)) == {ledger.a.pk, ledger.c.pk}
    assert [e.kind for e in events(s)] == ["drafted", "updated", "petitions_added"]


def test_edit_with_a_stale_version_keeps_the_input(world, client_for):
    s = draft(world)
    sg.suggestion_update(actor=world.office, suggestion=s, title="别人改的", content="c", lead_representative=world.R1)
    response = client_for(world.office).post(
        reverse("petitions:suggestion_edit", args=[s.pk]), _form_data(world, title="我改的", version=0)
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert 'value="我改的"' in response.content.decode()
    assert reload(s).title == "别人改的"


def test_edit_refused_items_save_nothing(world, ledger, client_for):
    s = draft(world)
    Petition.objects.filter(pk=ledger.b.pk).update(status=Status.SUGGESTION)
    response = client_for(world.office).post(
        reverse("petitions:suggestion_edit", args=[s.pk]), _form_data(world, ledger.b.tracking_number, title="不该保存")
    )
    assert response.status_code == 200 and ledger.b.tracking_number in str(response.context["form"].errors)
    assert reload(s).title != "不该保存" and not events(s, "updated").exists()


def test_edit_an_assigned_suggestion_only_adds_items(world, ledger, client_for):
    s = assigned(world, [ledger.a])
    client = client_for(world.office)
    response = client.post(
        reverse("petitions:suggestion_edit", args=[s.pk]), _form_data(world, ledger.c.tracking_number, title="不应改变")
    )
    assert response.status_code == 302
    s = reload(s)
    assert s.title != "不应改变" and s.petitions.count() == 2
    response = client.post(reverse("petitions:suggestion_edit", args=[s.pk]), _form_data(world, ""))
    assert response.status_code == 200 and "petition_numbers" in response.context["form"].errors


def test_edit_page_by_role_and_status(world, client_for, rep2):
    s = assigned(world)
    url = reverse("petitions:suggestion_edit", args=[s.pk])
    assert client_for(world.dept).get(url).status_code == 403
    assert client_for(world.rep).get(url).status_code == 403
    assert client_for(world.office_k2).get(url).status_code == 404
    sg.suggestion_reply(actor=world.dept, suggestion=s, outcome="A", text="x")
    response = client_for(world.office).get(url)
    assert response.status_code == 302 and response["Location"] == reverse("petitions:suggestion_detail", args=[s.pk])


def _act(client, s, action, **fields):
    return client.post(
        reverse("petitions:suggestion_act", args=[s.pk, action]), {f"{action}-{k}": v for k, v in fields.items()}
    )


def test_the_whole_journey_through_the_pages(world, ledger, client_for):
    office, dept, rep = client_for(world.office), client_for(world.dept), client_for(world.rep)
    s = draft(world, [ledger.a, ledger.c])
    assert _act(office, s, "assign", department=world.D.pk, is_complex="on", version=0).status_code == 302
    assert reload(s).status == S.ASSIGNED and reload(s).is_complex
    today = timezone.localdate().isoformat()
    assert _act(dept, s, "pre_meeting", held_on=today, note="当面沟通", version=1).status_code == 302
    assert _act(dept, s, "reply", outcome="A", text="已解决", version=2).status_code == 302
    assert {reload(ledger.a).status, reload(ledger.c).status} == {Status.REPLIED}
    assert (
        _act(rep, s, "rate", satisfaction="satisfied", contacted_before_reply="yes", comment="", version=3).status_code
        == 302
    )
    assert reload(s).contacted_before_reply is True
    assert _act(office, s, "close", note="", version=4).status_code == 302
    assert reload(s).status == S.CLOSED


def test_actions_refused_by_role_scope_and_name(world, client_for):
    s = draft(world)
    assert _act(client_for(world.rep), s, "assign", department=world.D.pk).status_code == 403
    assert _act(client_for(world.office_k2), s, "assign", department=world.D.pk).status_code == 404
    assert _act(client_for(world.office), s, "explode").status_code == 404
    assert reload(s).status == S.DRAFT
    s = assigned(world)
    assert _act(client_for(world.rep), s, "reply", outcome="A", text="x").status_code == 403
    assert _act(client_for(world.dept), s, "close").status_code == 403
    assert (
        _act(client_for(world.dept), s, "rate", satisfaction="satisfied", contacted_before_reply="yes").status_code
        == 403
    )


def test_action_errors_keep_what_was_typed(world, client_for):
    s = assigned(world)
    client = client_for(world.dept)
    response = _act(client, s, "reply", outcome="", text="写了一半的答复")
    assert response.status_code == 200 and "outcome" in response.context["forms"]["reply"].errors
    assert "写了一半的答复" in response.content.decode()
    # A stale version: someone acted meanwhile; the typed reply stays on the page with the message.
    sg.suggestion_pre_meeting(actor=world.office, suggestion=s, held_on=timezone.localdate(), note="n")
    response = _act(client, s, "reply", outcome="B", text="完整的答复", version=1)
    assert response.status_code == 200 and response.context["forms"]["reply"].non_field_errors()
    assert "完整的答复" in response.content.decode()
    assert reload(s).status == S.ASSIGNED


def test_action_in_the_wrong_status_is_a_form_error(world, client_for):
    s = replied(world)
    response = _act(client_for(world.office), s, "close", note="")
    assert response.status_code == 200 and response.context["forms"]["close"].non_field_errors()
    assert reload(s).status == S.REPLIED


def test_get_on_an_action_goes_back_to_the_page(world, client_for):
    s = draft(world)
    response = client_for(world.office).get(reverse("petitions:suggestion_act", args=[s.pk, "assign"]))
    assert response.status_code == 302 and response["Location"].endswith("#assign")


def test_print_page(world, ledger, client_for):
    s = draft(world, [ledger.a])
    url = reverse("petitions:suggestion_print", args=[s.pk])
    response = client_for(world.office).get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert s.number in page and s.title in page and world.R1.name in page and world.R2.name in page
    assert ledger.a.tracking_number in page and "@page" in page
    assert client_for(world.rep).get(url).status_code == 200
    assert client_for(world.office_k2).get(url).status_code == 404
    assert client_for(world.staff).get(url).status_code == 404


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [list(row) for row in ws.iter_rows(min_row=4, values_only=True)]


def test_export_reads_back_filtered_and_scoped(world, ledger, client_for):
    a = draft(world, [ledger.a, ledger.c], title="关于停车难问题的建议")
    b = sg.suggestion_assign(
        actor=world.office, suggestion=draft(world, title="关于加装电梯的建议"), department=world.D
    )
    draft(world, actor=world.office_k2, lead=world.R3, co=[], title="朝阳区的建议")
    client = client_for(world.office)
    rows = _sheet(client.get(reverse("petitions:suggestion_export")))
    by_number = {row[1]: row for row in rows}
    assert set(by_number) == {a.number, b.number}
    row = by_number[a.number]
    assert row[0] in (1, 2) and row[2] == "关于停车难问题的建议" and row[3] == world.R1.name
    assert row[4] == "、".join(r.name for r in sorted([world.R2, world.R4], key=lambda r: r.pk))
    assert row[12] == "、".join(
        p.tracking_number for p in sorted([ledger.a, ledger.c], key=lambda p: (p.received_on, p.pk))
    )
    assert by_number[b.number][5] == world.D.name and by_number[b.number][8] is not None
    rows = _sheet(client.get(reverse("petitions:suggestion_export"), {"status": "assigned"}))
    assert [r[1] for r in rows] == [b.number]
    # The representative's export holds only what they lead or co-sign.
    assert {r[1] for r in _sheet(client_for(world.rep).get(reverse("petitions:suggestion_export")))} == {
        a.number,
        b.number,
    }
    assert client_for(world.staff).get(reverse("petitions:suggestion_export")).status_code == 403


def test_tracking_number_typing_is_forgiving(world, ledger):
    from petitions.suggestions.forms import petitions_by_number

    number = ledger.a.tracking_number
    typed = f" {number.lower().replace('-', '')} ；{ledger.c.tracking_number}、{number}"
    assert normalise_tracking_number(number.lower()) == number
    assert [p.pk for p in petitions_by_number(world.office, typed)] == [ledger.a.pk, ledger.c.pk]


# -- two offices drafting at the same moment (PostgreSQL: real row locks and a real unique index) --------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_drafts_get_distinct_numbers(world):
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers")
    second_office = UserFactory(username="office_b", role=Role.COMMITTEE_OFFICE, jurisdiction=world.j.K)
    barrier, numbers, errors = threading.Barrier(4), [], []

    def run(actor):
        try:
            barrier.wait(timeout=10)
            numbers.append(draft(world, actor=actor, co=[]).number)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(who,)) for who in (world.office, second_office) * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    year = timezone.localdate().year
    assert sorted(numbers) == [f"建议〔{year}〕{n:03d}号" for n in range(1, 5)]

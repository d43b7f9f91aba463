"""The move table of a petition's handling: every allowed and every forbidden move.

Two layers:
- the table itself (`petitions.handling.workflow.check`): every move × every status × every role;
- the services (`petitions.handling.services`): a real item is driven into each status through the
  real services (`reach`), then each move's service is called on it. An allowed source gives
  the rule's target and exactly one event; a forbidden one raises InvalidTransition and
  writes nothing.

`make_cast` and `reach` are shared with test_handling.py and test_concurrency.py.

Runs on SQLite and on PostgreSQL:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_wft ./dev test tests/petitions/test_workflow.py
"""

import itertools
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from liaison.auth import ROLE_PERMISSIONS
from liaison.models import Office, Role, User
from petitions.handling import services as handling
from petitions.handling import suspension as handling_suspension
from petitions.handling import workflow
from petitions.handling.workflow import TABLE, InvalidTransition, Move
from petitions.ledger.events import PetitionEventKind
from petitions.ledger.services import PetitionError, petition_link
from petitions.models import (
    Assignment,
    ExtensionRequest,
    FeedbackMethod,
    Outcome,
    Petition,
    Satisfaction,
    Status,
    Suggestion,
)
from tests.factories import DepartmentFactory, UserFactory, make_petition

ALL_STATUSES = list(Status)
ALL_MOVES = list(Move)
IN_HAND = {Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS}
ANSWERED = {Status.REPLIED, Status.CONSULTED, Status.ON_THE_SPOT, Status.ESCALATED, Status.CANNOT_HANDLE}


# -- the cast and the driver (shared with the other handling tests) -------------------------------------


def make_cast(world) -> SimpleNamespace:
    """The fixture world plus what handling needs: the office of 北京市 above 延庆区 with its account
    `city`, a co-handling department D3 of 延庆区 with its own member `co`, and `world.dept` also working for D3, so one department account is in scope
    of the item in every status (it sees the item through the lead department D)."""
    c = SimpleNamespace(w=world, office=world.office, staff=world.staff, rep=world.rep, dept=world.dept, D=world.D)
    # The office above 延庆区: 北京市's, where 延庆区 escalates (its account brings the office).
    c.city = UserFactory(username="office_city", role=Role.COMMITTEE_OFFICE, jurisdiction=world.j.P)
    c.city_office = Office.objects.get(jurisdiction=world.j.P)
    c.D3 = DepartmentFactory(name="区交通局", jurisdiction=world.j.K)
    c.co = UserFactory(username="dept_co", role=Role.DEPARTMENT)
    c.D3.members.add(c.co)
    return c


_numbers = itertools.count(1)


def new_suggestion(c, **fields) -> Suggestion:
    values = {
        "number": f"建〔2026〕{next(_numbers)}号",
        "title": "关于东关村路灯整体改造的建议",
        "content": "多名群众反映路灯损坏，建议整体改造。",
        "jurisdiction": c.w.j.K,
        "lead_representative": c.w.R1,
        "created_by": c.office,
    }
    values.update(fields)
    return Suggestion.objects.create(**values)


def _triage(p, c):
    handling.petition_triage(actor=c.office, petition=p)


def _assign(p, c):
    handling.petition_assign(actor=c.office, petition=p, department=c.D, co_departments=[c.D3])


def _accept(p, c):
    handling.petition_accept(actor=c.dept, petition=p)


def _progress(p, c):
    handling.petition_progress(actor=c.dept, petition=p, text="已到现场勘查，正在采购灯具。")


def _reply(p, c):
    handling.petition_reply(actor=c.dept, petition=p, outcome=Outcome.SOLVED, text="路灯已于本周修复。")


def _feed_back(p, c):
    handling.petition_feed_back(
        actor=c.staff, petition=p, method=FeedbackMethod.PHONE, text="已电话告知，群众表示认可。"
    )


def _rate(p, c):
    handling.petition_rate(actor=c.rep, petition=p, satisfaction=Satisfaction.SATISFIED)


def _close(p, c):
    handling.petition_close(actor=c.office, petition=p)


def _answer(service):
    def step(p, c):
        service(actor=c.office, petition=p, text="已向有关部门了解，答复如下。")

    return step


def _to_suggestion(p, c):
    handling.petition_to_suggestion(actor=c.office, petition=p, suggestion=new_suggestion(c))


def _suspend(p, c):
    handling_suspension.petition_suspend(
        actor=c.office, petition=p, reason="等待法院判决。", until=timezone.localdate() + timedelta(days=30)
    )


def _referred_up_before_escalation(p, c):
    """`ESCALATED` is the status of items referred up (as an answer) before escalation reached the
    office above; no move leads there any more, so the item is put there as migrated data is."""
    Petition.objects.filter(pk=p.pk).update(status=Status.ESCALATED, route="escalate")


def _link(p, c):
    primary = make_petition(
        station=c.w.S1, representatives=[c.w.R1], department=c.D, actor=c.staff, content="东关村二巷路灯也不亮"
    )
    petition_link(actor=c.staff, petition=p, target=primary)


_MAIN_LINE = [_triage, _assign, _accept, _progress, _reply, _feed_back, _rate, _close]
PATHS = {
    Status.REGISTERED: [],
    Status.TRIAGED: _MAIN_LINE[:1],
    Status.ASSIGNED: _MAIN_LINE[:2],
    Status.ACCEPTED: _MAIN_LINE[:3],
    Status.IN_PROGRESS: _MAIN_LINE[:4],
    Status.REPLIED: _MAIN_LINE[:5],
    Status.FED_BACK: _MAIN_LINE[:6],
    Status.RATED: _MAIN_LINE[:7],
    Status.CLOSED: _MAIN_LINE[:8],
    Status.CONSULTED: [_answer(handling.petition_consult)],
    Status.ON_THE_SPOT: [_answer(handling.petition_handle_on_the_spot)],
    Status.ESCALATED: [_referred_up_before_escalation],
    Status.CANNOT_HANDLE: [_answer(handling.petition_cannot_handle)],
    Status.SUGGESTION: [_to_suggestion],
    Status.LINKED: [_link],
    Status.SUSPENDED: [*_MAIN_LINE[:2], _suspend],
}


def reach(c, status, **fields) -> Petition:
    """A new item at S1 (received by R1, lead department D preset) driven into `status`
    through the real services; returns it freshly loaded."""
    fields.setdefault("content", "东关村路灯损坏，夜间出行不便")
    p = make_petition(station=c.w.S1, representatives=[c.w.R1], department=c.D, actor=c.staff, **fields)
    for step in PATHS[status]:
        step(p, c)
    p.refresh_from_db()
    assert p.status == status
    return p


def test_the_driver_reaches_every_status():
    assert set(PATHS) == set(Status)


@pytest.mark.parametrize("status", [Status.CLOSED, Status.LINKED, Status.SUGGESTION])
def test_the_driver_goes_through_the_services(world, status):
    """Each step is a real service: one event per step, the version counts the moves."""
    p = reach(make_cast(world), status)
    steps = len(PATHS[status])
    assert p.events.exclude(kind=PetitionEventKind.REGISTERED).count() == steps
    assert p.version == (steps if status != Status.LINKED else 1)  # linking bumps the version too: a stale page is told


# -- the table ------------------------------------------------------------------------------------------


def _admin():
    """A system administrator (superuser: every permission); unsaved, the table needs no row."""
    return User(username="root", role=Role.ADMIN, is_superuser=True, is_active=True)


@pytest.mark.parametrize("move", ALL_MOVES)
def test_every_move_has_a_rule_with_known_states(move):
    rule = TABLE[move]
    assert rule.sources and rule.sources <= set(Status.values)
    assert rule.target is None or rule.target in Status.values
    assert rule.permission is None or any(rule.permission in perms for perms in ROLE_PERMISSIONS.values())


@pytest.mark.parametrize(("move", "status"), list(itertools.product(ALL_MOVES, ALL_STATUSES)))
def test_check_refuses_exactly_the_states_outside_the_sources(move, status):
    admin = _admin()  # every permission: only the state decides
    if status in TABLE[move].sources:
        assert workflow.check(move, status, admin) is TABLE[move]
        assert workflow.can(move, status, admin) is (TABLE[move].permission is not None)
    else:
        with pytest.raises(InvalidTransition) as caught:
            workflow.check(move, status, admin)
        assert caught.value.move == move and caught.value.status == status
        assert str(Status(status).label) in str(caught.value)
        assert not workflow.can(move, status, admin)


# -- the named sets of statuses ---------------------------------------------------------------------------

NAMED_SETS = (
    "AWAITING_TRIAGE",
    "IN_HAND",
    "WITH_SUGGESTION",
    "ANSWERED",
    "FED_BACK",
    "SUSPENDED",
    "FINISHED",
    "ANSWERED_AT_TRIAGE",
    "OPEN",
    "AWAITING_REPLY",
    "LETTER",
    "RATEABLE",
    "OPEN311_CLOSED",
)


def test_the_stages_partition_the_statuses():
    """Every status is in exactly one stage."""
    listed = [status for stage in workflow.STAGES for status in stage]
    assert sorted(listed) == sorted(Status.values)


def test_the_named_sets_are_what_their_documentation_says():
    S = Status
    assert {S.REGISTERED, S.TRIAGED} == workflow.AWAITING_TRIAGE
    assert workflow.IN_HAND == IN_HAND
    assert workflow.ANSWERED == ANSWERED
    assert workflow.FED_BACK == workflow.RATEABLE == {S.FED_BACK, S.RATED}
    assert {S.CLOSED, S.LINKED} == workflow.FINISHED
    assert {S.CONSULTED, S.ON_THE_SPOT, S.ESCALATED, S.CANNOT_HANDLE} == workflow.ANSWERED_AT_TRIAGE
    assert {S.SUSPENDED} == workflow.SUSPENDED
    assert {S.REGISTERED, S.TRIAGED, S.ASSIGNED, S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED, S.REPLIED} == workflow.OPEN
    # Overdue-able: the open items but the replied ones (a reply stops the clock) and the suspended ones.
    assert workflow.OPEN - {S.REPLIED, S.SUSPENDED} == workflow.AWAITING_REPLY
    assert set(S) - workflow.AWAITING_TRIAGE - IN_HAND - {S.SUGGESTION, S.LINKED, S.SUSPENDED} == workflow.LETTER
    assert workflow.OPEN311_CLOSED == workflow.FINISHED | workflow.ANSWERED_AT_TRIAGE
    for name in NAMED_SETS:
        named = getattr(workflow, name)
        assert named <= set(S.values) and named.__doc__ and named.__doc__ != frozenset.__doc__, name


def test_the_overdue_condition_is_past_the_deadline_and_awaiting_a_reply(world):
    today = timezone.localdate()
    rows = {status: make_petition(station=world.S1, actor=world.staff, content=f"{status}") for status in Status.values}
    Petition.objects.filter(pk__in=[p.pk for p in rows.values()]).update(due_on=today - timedelta(days=1))
    for status, p in rows.items():
        Petition.objects.filter(pk=p.pk).update(status=status)
    overdue = set(
        Petition.objects.overdue(today).filter(pk__in=[p.pk for p in rows.values()]).values_list("status", flat=True)
    )
    assert overdue == workflow.AWAITING_REPLY
    assert not Petition.objects.overdue(today - timedelta(days=1)).filter(pk__in=[p.pk for p in rows.values()]).exists()
    assert all(p.is_overdue(today) is (status in workflow.AWAITING_REPLY) for status, p in _fresh(rows).items())


def _fresh(rows: dict) -> dict:
    return {status: Petition.objects.get(pk=p.pk) for status, p in rows.items()}


# Who holds each move, written out from the domain (not read back from liaison.auth).
OFFICE, STAFF, REP, DEPT = "office", "staff", "rep", "dept"
CITY = "city"  # the office above, for the moves of an escalated item (a committee office by role)
HOLDERS = {
    Move.TRIAGE: {OFFICE},
    Move.ASSIGN: {OFFICE},
    Move.CONSULT: {OFFICE},
    Move.ON_THE_SPOT: {OFFICE},
    Move.TO_SUGGESTION: {OFFICE},
    Move.ESCALATE: {OFFICE},
    Move.SEND_DOWN: {OFFICE},
    Move.TAKE_OVER: {OFFICE},
    Move.CANNOT_HANDLE: {OFFICE},
    Move.LINK: {OFFICE, STAFF},
    Move.ACCEPT: {DEPT},
    Move.PROGRESS: {DEPT},
    Move.CONTRIBUTE: {DEPT},
    Move.REPLY: {DEPT},
    Move.REQUEST_EXTENSION: {DEPT},
    Move.RETURN: {DEPT},
    Move.DECIDE_EXTENSION: {OFFICE},
    Move.SUPERVISE: {OFFICE},
    Move.URGE: {OFFICE, STAFF, REP},
    Move.SUSPEND: {OFFICE},
    Move.RESUME: {OFFICE},
    Move.FEED_BACK: {OFFICE, STAFF, REP},
    Move.RATE: {OFFICE, STAFF, REP},
    Move.REOPEN: {OFFICE, STAFF, REP},
    Move.CLOSE: {OFFICE},
}
ROLE_OF = {OFFICE: Role.COMMITTEE_OFFICE, STAFF: Role.STATION_STAFF, REP: Role.REPRESENTATIVE, DEPT: Role.DEPARTMENT}


def test_holders_cover_every_move_but_the_suggestion_reply():
    assert set(HOLDERS) == set(Move) - {Move.SUGGESTION_REPLIED}
    assert TABLE[Move.SUGGESTION_REPLIED].permission is None


@pytest.mark.parametrize("move", list(HOLDERS))
def test_each_role_may_start_exactly_its_moves(world, move):
    rule = TABLE[move]
    for role, user in {OFFICE: world.office, STAFF: world.staff, REP: world.rep, DEPT: world.dept}.items():
        assert user.role == ROLE_OF[role]
        for status in ALL_STATUSES:
            if role in HOLDERS[move]:
                if status in rule.sources:
                    assert workflow.check(move, status, user) is rule, (role, status)
                    assert workflow.can(move, status, user), (role, status)
                else:
                    with pytest.raises(InvalidTransition):
                        workflow.check(move, status, user)
            else:
                # The permission is checked before the state: a role without it is refused everywhere.
                with pytest.raises(PermissionDenied):
                    workflow.check(move, status, user)
                assert not workflow.can(move, status, user), (role, status)


@pytest.mark.parametrize("move", list(HOLDERS))
def test_nobody_and_inactive_accounts_may_start_nothing(world, move):
    world.office.is_active = False
    for user in (None, AnonymousUser(), world.office):
        for status in TABLE[move].sources:
            with pytest.raises(PermissionDenied):
                workflow.check(move, status, user)


def test_the_suggestion_reply_is_no_ones_button(world):
    for user in (world.office, world.staff, world.rep, world.dept, _admin()):
        assert not workflow.can(Move.SUGGESTION_REPLIED, Status.SUGGESTION, user)
        assert Move.SUGGESTION_REPLIED not in workflow.allowed_moves(Status.SUGGESTION, user)
    assert Move.SUGGESTION_REPLIED not in workflow.PAGE_MOVES


def test_representatives_never_close(world):
    """代表法 art. 31: representatives rate and follow, the office closes."""
    assert "petitions.close_petition" not in ROLE_PERMISSIONS[Role.REPRESENTATIVE]
    assert not world.rep.has_perm("petitions.close_petition")
    for status in ALL_STATUSES:
        with pytest.raises(PermissionDenied):
            workflow.check(Move.CLOSE, status, world.rep)
        assert Move.CLOSE not in workflow.allowed_moves(status, world.rep)


def test_departments_never_triage_assign_or_close(world):
    for status in ALL_STATUSES:
        for move in (Move.TRIAGE, Move.ASSIGN, Move.CLOSE):
            with pytest.raises(PermissionDenied):
                workflow.check(move, status, world.dept)
        assert not {Move.TRIAGE, Move.ASSIGN, Move.CLOSE} & set(workflow.allowed_moves(status, world.dept))


def test_staff_never_assign_or_close(world):
    for status in ALL_STATUSES:
        for move in (Move.ASSIGN, Move.CLOSE):
            with pytest.raises(PermissionDenied):
                workflow.check(move, status, world.staff)
        assert not {Move.ASSIGN, Move.CLOSE} & set(workflow.allowed_moves(status, world.staff))


@pytest.mark.parametrize(("move", "status"), list(itertools.product(ALL_MOVES, ALL_STATUSES)))
def test_a_resident_may_only_rate(move, status):
    rated = move in (Move.RATE, Move.REOPEN)
    if not rated:
        with pytest.raises(PermissionDenied):
            workflow.check(move, status, None, resident=True)
    elif status in TABLE[move].sources:
        assert workflow.check(move, status, None, resident=True) is TABLE[move]
    else:
        with pytest.raises(InvalidTransition):
            workflow.check(move, status, None, resident=True)


def test_allowed_moves_are_the_page_buttons_of_each_role(world):
    office, dept, staff, rep = world.office, world.dept, world.staff, world.rep
    assert workflow.allowed_moves(Status.REGISTERED, office) == [
        Move.TRIAGE,
        Move.ASSIGN,
        Move.CONSULT,
        Move.ON_THE_SPOT,
        Move.TO_SUGGESTION,
        Move.ESCALATE,
        Move.SEND_DOWN,  # by role; the policy offers them only on an item escalated to the office
        Move.TAKE_OVER,
        Move.CANNOT_HANDLE,
    ]
    assert Move.TRIAGE not in workflow.allowed_moves(Status.TRIAGED, office)
    assert workflow.allowed_moves(Status.ASSIGNED, dept) == [
        Move.ACCEPT,
        Move.CONTRIBUTE,
        Move.REQUEST_EXTENSION,
        Move.RETURN,
    ]
    assert workflow.allowed_moves(Status.ACCEPTED, dept) == [
        Move.PROGRESS,
        Move.CONTRIBUTE,
        Move.REPLY,
        Move.REQUEST_EXTENSION,
        Move.RETURN,
    ]
    assert workflow.allowed_moves(Status.IN_PROGRESS, office) == [
        Move.TAKE_OVER,  # by role; the policy offers it only on an item escalated to the office
        Move.DECIDE_EXTENSION,
        Move.SUPERVISE,
        Move.URGE,
        Move.SUSPEND,
    ]
    assert workflow.allowed_moves(Status.SUSPENDED, office) == [Move.TAKE_OVER, Move.RESUME]
    for user in (dept, staff, rep):
        assert workflow.allowed_moves(Status.SUSPENDED, user) == []
    assert workflow.allowed_moves(Status.REPLIED, staff) == [Move.FEED_BACK]
    assert workflow.allowed_moves(Status.FED_BACK, rep) == [Move.RATE]
    assert workflow.allowed_moves(Status.RATED, office) == [Move.TAKE_OVER, Move.RATE, Move.CLOSE]
    for status in (Status.CLOSED, Status.LINKED, Status.SUGGESTION):
        for user in (office, dept, staff, rep):
            assert workflow.allowed_moves(status, user) == []


# -- the services ---------------------------------------------------------------------------------------

# Move → (who acts, the call, the event kind it writes). Each call works from every source of its move.


def _decide(p, actor, c):
    request = p.extension_requests.filter(state=ExtensionRequest.State.PENDING).first() or ExtensionRequest()
    return handling.petition_decide_extension(actor=actor, petition=p, request=request, approve=True)


def _before_decide(p, c):
    """An extension request waiting for the office (only possible while the item is in hand)."""
    if p.status in IN_HAND:
        handling.petition_request_extension(
            actor=c.dept,
            petition=p,
            requested_due_on=p.due_on + timedelta(days=10),
            reason="需协调供电公司，时间不够。",
        )


def _suggestion_of(p, c):
    s = p.suggestion or new_suggestion(c)
    Suggestion.objects.filter(pk=s.pk).update(
        status=Suggestion.Status.REPLIED,
        outcome=Outcome.PLANNED,
        reply_text="已列入明年改造计划。",
        department=c.D,
    )
    s.refresh_from_db()
    return s


SERVICES = {
    Move.TRIAGE: (OFFICE, lambda p, a, c: handling.petition_triage(actor=a, petition=p), PetitionEventKind.TRIAGED),
    Move.ASSIGN: (
        OFFICE,
        lambda p, a, c: handling.petition_assign(actor=a, petition=p, department=c.D, co_departments=[c.D3]),
        PetitionEventKind.ASSIGNED,
    ),
    Move.CONSULT: (
        OFFICE,
        lambda p, a, c: handling.petition_consult(actor=a, petition=p, text="咨询答复"),
        PetitionEventKind.CONSULTED,
    ),
    Move.ON_THE_SPOT: (
        OFFICE,
        lambda p, a, c: handling.petition_handle_on_the_spot(actor=a, petition=p, text="当场交办"),
        PetitionEventKind.ON_THE_SPOT,
    ),
    Move.ESCALATE: (
        OFFICE,
        lambda p, a, c: handling.petition_escalate(actor=a, petition=p, office=c.city_office, reason="涉及市级事权"),
        PetitionEventKind.ESCALATED,
    ),
    Move.SEND_DOWN: (
        CITY,
        lambda p, a, c: handling.petition_send_down(actor=a, petition=p, explanation="属区级事权，请区里办理。"),
        PetitionEventKind.SENT_DOWN,
    ),
    Move.TAKE_OVER: (
        CITY,
        lambda p, a, c: handling.petition_take_over(actor=a, petition=p),
        PetitionEventKind.TAKEN_OVER,
    ),
    Move.CANNOT_HANDLE: (
        OFFICE,
        lambda p, a, c: handling.petition_cannot_handle(actor=a, petition=p, text="书面说明"),
        PetitionEventKind.CANNOT_HANDLE,
    ),
    Move.TO_SUGGESTION: (
        OFFICE,
        lambda p, a, c: handling.petition_to_suggestion(actor=a, petition=p, suggestion=new_suggestion(c)),
        PetitionEventKind.TO_SUGGESTION,
    ),
    Move.ACCEPT: (DEPT, lambda p, a, c: handling.petition_accept(actor=a, petition=p), PetitionEventKind.ACCEPTED),
    Move.PROGRESS: (
        DEPT,
        lambda p, a, c: handling.petition_progress(actor=a, petition=p, text="已开工"),
        PetitionEventKind.PROGRESS,
    ),
    Move.CONTRIBUTE: (
        DEPT,
        lambda p, a, c: handling.petition_contribute(actor=a, petition=p, text="交通局意见"),
        PetitionEventKind.CONTRIBUTED,
    ),
    Move.REPLY: (
        DEPT,
        lambda p, a, c: handling.petition_reply(actor=a, petition=p, outcome=Outcome.SOLVED, text="已修复"),
        PetitionEventKind.DEPARTMENT_REPLIED,
    ),
    Move.REQUEST_EXTENSION: (
        DEPT,
        lambda p, a, c: handling.petition_request_extension(
            actor=a,
            petition=p,
            requested_due_on=(p.due_on or timezone.localdate()) + timedelta(days=10),
            reason="需要更多时间",
        ),
        PetitionEventKind.EXTENSION_REQUESTED,
    ),
    Move.DECIDE_EXTENSION: (OFFICE, _decide, PetitionEventKind.EXTENSION_APPROVED),
    Move.RETURN: (
        DEPT,
        lambda p, a, c: handling.petition_return(actor=a, petition=p, reason="不属于本单位职责"),
        PetitionEventKind.RETURNED,
    ),
    Move.FEED_BACK: (
        STAFF,
        lambda p, a, c: handling.petition_feed_back(actor=a, petition=p, method=FeedbackMethod.SMS, text="已短信告知"),
        PetitionEventKind.FED_BACK,
    ),
    # Staff write down the resident's answer: a rating the rep of the main line has not given yet.
    Move.RATE: (
        STAFF,
        lambda p, a, c: handling.petition_rate(
            actor=a, petition=p, satisfaction=Satisfaction.SATISFIED, for_resident=True
        ),
        PetitionEventKind.RATED,
    ),
    Move.REOPEN: (
        STAFF,
        lambda p, a, c: handling.petition_rate(
            actor=a, petition=p, satisfaction=Satisfaction.DISSATISFIED, for_resident=True
        ),
        PetitionEventKind.REOPENED,
    ),
    Move.CLOSE: (OFFICE, lambda p, a, c: handling.petition_close(actor=a, petition=p), PetitionEventKind.CLOSED),
    Move.URGE: (
        REP,
        lambda p, a, c: handling.petition_urge(actor=a, petition=p, text="群众还在等，请加快。"),
        PetitionEventKind.URGED,
    ),
    Move.SUSPEND: (
        OFFICE,
        lambda p, a, c: handling_suspension.petition_suspend(
            actor=a, petition=p, reason="等待规划项目落地。", until=timezone.localdate() + timedelta(days=20)
        ),
        PetitionEventKind.SUSPENDED,
    ),
    Move.RESUME: (
        OFFICE,
        lambda p, a, c: handling_suspension.petition_resume(actor=a, petition=p),
        PetitionEventKind.RESUMED,
    ),
}


def _handed_up(p, c):
    """The item waits with the office above (as after an escalation, whatever its status)."""
    Petition.objects.filter(pk=p.pk).update(handling_office=c.city_office, escalated_to=c.city_office)


PREPARE = {Move.DECIDE_EXTENSION: _before_decide, Move.SEND_DOWN: _handed_up, Move.TAKE_OVER: _handed_up}


def test_every_move_but_supervision_has_a_service():
    # A supervision notice is petitions.supervision.services's and moves no status; the suggestion's reply
    # and the link (the desk's, refused with a message of its own) are tested below.
    assert set(SERVICES) | {Move.SUPERVISE, Move.SUGGESTION_REPLIED, Move.LINK} == set(Move)


def _actor(c, who):
    return {OFFICE: c.office, STAFF: c.staff, REP: c.rep, DEPT: c.dept, CITY: c.city}[who]


def _state(p):
    p = Petition.objects.get(pk=p.pk)
    return p.status, p.version, p.events.count(), p.assignments.count(), p.department_replies.count(), p.ratings.count()


@pytest.fixture
def cast(world):
    cast = make_cast(world)
    cast.D3.members.add(world.dept)  # world.dept also answers for the co-handler: in scope in every status
    return cast


# Moves whose table names several targets, and the one the driver's item (with a lead department) lands on.
SEVERAL_TARGETS = {Move.REOPEN: Status.ASSIGNED, Move.RESUME: Status.ASSIGNED}
# Moves that change nothing on the item keep its version, so nobody's open form goes stale.
KEEP_VERSION = {Move.URGE}


def test_the_moves_with_several_targets_name_them_all():
    assert {move for move, rule in TABLE.items() if len(rule.targets) > 1} == set(SEVERAL_TARGETS)
    assert TABLE[Move.REOPEN].targets == (Status.ASSIGNED, Status.TRIAGED)
    assert set(TABLE[Move.RESUME].targets) == IN_HAND
    assert all(target in TABLE[move].targets for move, target in SEVERAL_TARGETS.items())


ALLOWED = [(move, status) for move in SERVICES for status in ALL_STATUSES if status in TABLE[move].sources]


@pytest.mark.parametrize(("move", "status"), ALLOWED, ids=[f"{m}-from-{s}" for m, s in ALLOWED])
def test_an_allowed_move_reaches_the_target_with_one_event(cast, move, status):
    who, call, kind = SERVICES[move]
    actor, rule = _actor(cast, who), TABLE[move]
    p = reach(cast, status)
    PREPARE.get(move, lambda p, c: None)(p, cast)
    p.refresh_from_db()
    version = p.version
    last_event = p.events.order_by("-pk").values_list("pk", flat=True).first()

    call(p, actor, cast)

    p.refresh_from_db()
    target = SEVERAL_TARGETS.get(move) or rule.target or status
    assert p.status == target
    assert p.version == version + (move not in KEEP_VERSION)
    new = list(p.events.filter(pk__gt=last_event))
    assert len(new) == 1, [e.kind for e in new]
    event = new[0]
    assert event.kind == kind
    assert event.actor == actor
    if target == status:
        assert (event.from_status, event.to_status) == ("", "")
    else:
        assert (event.from_status, event.to_status) == (status, target)


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_every_forbidden_move_raises_and_writes_nothing(cast, status):
    """One item in `status`; every move that may not start there is tried on it in turn
    (a refused move writes nothing, so each try sees the same item)."""
    p = reach(cast, status)
    before = _state(p)
    forbidden = [move for move in SERVICES if status not in TABLE[move].sources]
    assert forbidden
    for move in forbidden:
        who, call, _kind = SERVICES[move]
        with pytest.raises(InvalidTransition) as caught:
            call(p, _actor(cast, who), cast)
        # A "dissatisfied" rating is a rating first: it is refused as one.
        assert (caught.value.move, caught.value.status) == (Move.RATE if move == Move.REOPEN else move, status)
        assert _state(p) == before, f"{move} from {status} wrote something"
    if status != Status.SUGGESTION:
        # The suggestion's reply reaches only items waiting for it; elsewhere it does nothing, silently.
        handling.petition_suggestion_replied(actor=cast.dept, petition=p, suggestion=_suggestion_of(p, cast))
        assert _state(p) == before, f"the suggestion reply from {status} wrote something"


def test_every_pair_of_move_and_status_is_tried():
    tried = set(ALLOWED) | {(m, s) for s in ALL_STATUSES for m in SERVICES if s not in TABLE[m].sources}
    assert tried == set(itertools.product(SERVICES, ALL_STATUSES))


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_the_link_starts_only_from_the_triage_states(cast, status):
    """Linking is a move of the table (to LINKED, from REGISTERED or TRIAGED); from any other
    status the desk's service refuses with its own message and writes nothing."""
    p = reach(cast, status)
    primary = make_petition(station=cast.w.S1, representatives=[cast.w.R1], actor=cast.staff, content="同一路段路灯")
    before = _state(p)
    if status in TABLE[Move.LINK].sources:
        petition_link(actor=cast.staff, petition=p, target=primary)
        p.refresh_from_db()
        assert (p.status, p.linked_to, p.version) == (Status.LINKED, primary, before[1] + 1)
        event = p.events.filter(kind=PetitionEventKind.LINKED).get()
        assert (event.from_status, event.to_status) == (status, Status.LINKED)
    else:
        with pytest.raises(PetitionError) as caught:
            petition_link(actor=cast.staff, petition=p, target=primary)
        assert not isinstance(caught.value, InvalidTransition)  # the desk's own message, shown under its field
        assert str(Status(status).label) in str(caught.value)
        assert _state(p) == before


def test_the_suggestion_reply_moves_an_item_waiting_for_it(cast):
    """Run by the suggestion service for each item it came from (no permission of its own)."""
    p = reach(cast, Status.SUGGESTION)
    suggestion = _suggestion_of(p, cast)
    before = _state(p)
    result = handling.petition_suggestion_replied(actor=cast.dept, petition=p, suggestion=suggestion)
    p.refresh_from_db()
    assert p.status == Status.REPLIED == result.status
    assert p.version == before[1] + 1
    (event,) = p.events.filter(kind=PetitionEventKind.DEPARTMENT_REPLIED)
    assert (event.from_status, event.to_status, event.actor) == (Status.SUGGESTION, Status.REPLIED, cast.dept)
    assert (p.outcome, p.handling_summary, p.lead_department) == (Outcome.PLANNED, "已列入明年改造计划。", cast.D)


# A sample source of each move, to try who may run it.
_A_SOURCE = {
    Move.TRIAGE: Status.REGISTERED,
    Move.ASSIGN: Status.TRIAGED,
    Move.CONSULT: Status.REGISTERED,
    Move.ON_THE_SPOT: Status.REGISTERED,
    Move.ESCALATE: Status.TRIAGED,
    Move.SEND_DOWN: Status.TRIAGED,
    Move.TAKE_OVER: Status.ACCEPTED,
    Move.CANNOT_HANDLE: Status.TRIAGED,
    Move.TO_SUGGESTION: Status.REGISTERED,
    Move.ACCEPT: Status.ASSIGNED,
    Move.PROGRESS: Status.ACCEPTED,
    Move.CONTRIBUTE: Status.ASSIGNED,
    Move.REPLY: Status.IN_PROGRESS,
    Move.REQUEST_EXTENSION: Status.ACCEPTED,
    Move.DECIDE_EXTENSION: Status.ASSIGNED,
    Move.RETURN: Status.ASSIGNED,
    Move.FEED_BACK: Status.REPLIED,
    Move.RATE: Status.FED_BACK,
    Move.REOPEN: Status.FED_BACK,
    Move.CLOSE: Status.RATED,
    Move.SUSPEND: Status.ACCEPTED,
    Move.RESUME: Status.SUSPENDED,
    Move.URGE: Status.ACCEPTED,
}


def test_every_service_move_has_a_sample_source():
    assert set(_A_SOURCE) == set(SERVICES)
    assert all(status in TABLE[move].sources for move, status in _A_SOURCE.items())


@pytest.mark.parametrize("move", list(SERVICES))
def test_services_refuse_roles_without_the_permission_and_outsiders(cast, move):
    """From an allowed source: every in-scope role without the move's permission, then the other
    district's office, a staff account of no station and the other district's department, are
    refused by the service itself and nothing is written (the role without the permission with
    PermissionDenied, the outsiders with Http404: to them the item does not exist); then the
    right role succeeds."""
    who, call, _kind = SERVICES[move]
    p = reach(cast, _A_SOURCE[move])
    PREPARE.get(move, lambda p, c: None)(p, cast)
    before = _state(p)

    lacking = [role for role in (OFFICE, STAFF, REP, DEPT) if role not in HOLDERS[move]]
    assert lacking
    for role in lacking:
        actor = _actor(cast, role)
        assert Petition.objects.visible_to(actor).filter(pk=p.pk).exists()  # in scope: refused for the capability
        with pytest.raises(PermissionDenied):
            call(p, actor, cast)
        assert _state(p) == before, role

    dept_k2 = UserFactory(username="dept_k2", role=Role.DEPARTMENT)
    cast.w.D2.members.add(dept_k2)
    for outsider in (cast.w.office_k2, cast.w.nobody, dept_k2):
        assert not Petition.objects.visible_to(outsider).filter(pk=p.pk).exists()
        with pytest.raises(Http404):
            call(p, outsider, cast)
        assert _state(p) == before, outsider.username

    call(p, _actor(cast, who), cast)
    assert _state(p)[1] == before[1] + (move not in KEEP_VERSION)
    assert _state(p)[2] == before[2] + 1  # its one event


def test_assignment_rows_follow_the_main_line(cast):
    """The driver's main line leaves the shares where the table says: lead done, co-handler lapsed."""
    p = reach(cast, Status.CLOSED)
    shares = {a.role: a.state for a in Assignment.objects.filter(petition=p)}
    assert shares == {Assignment.Role.LEAD: Assignment.State.DONE, Assignment.Role.CO: Assignment.State.LAPSED}
    kinds = list(p.events.exclude(kind=PetitionEventKind.REGISTERED).values_list("kind", flat=True))
    assert kinds == ["triaged", "assigned", "accepted", "progress", "department_replied", "fed_back", "rated", "closed"]
    assert p.version == 8


def test_every_button_has_its_page_and_every_page_its_service():
    """A move on the item's page is served by its `Page` beside its form: a form and a service
    exported by the services' entry point, or the address of the page that does it."""
    from petitions.handling.forms import PAGES, MoveForm

    assert set(PAGES) == set(workflow.PAGE_MOVES)
    for move, page in PAGES.items():
        if page.url is not None:
            assert page.form is None and page.service is None, move
            continue
        assert issubclass(page.form, MoveForm), move
        assert page.service in vars(handling).values(), move  # exported by the entry point
        assert page.title and page.button, move

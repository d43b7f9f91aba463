"""No lost update: people acting on one item at the same moment, on PostgreSQL.

Each race runs real threads, each with its own database connection. The test holds the item's
row lock while the threads start, checks that every one of them is waiting for that lock
inside its service, then lets go: they all go at once, the row lock orders them, and the
version each one's page was built from (or the state it finds) decides. Exactly one wins;
the others get a clear Conflict or InvalidTransition; the row holds the winner's fields, the
version went up once per success, and there is one event per success.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_wft ./dev test tests/petitions/test_concurrency.py

SQLite has no row locks (one writer at a time): these tests skip there.
"""

import threading
import time
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, connections, transaction

from liaison.models import Role
from petitions.handling.services import (
    Conflict,
    PetitionError,
    petition_accept,
    petition_assign,
    petition_decide_extension,
    petition_rate,
    petition_reply,
    petition_request_extension,
    petition_return,
)
from petitions.handling.workflow import InvalidTransition
from petitions.ledger.events import PetitionEventKind
from petitions.ledger.services import petition_add_representative
from petitions.models import (
    Assignment,
    DepartmentReply,
    ExtensionRequest,
    Outcome,
    Petition,
    Rating,
    Satisfaction,
    Status,
)
from tests.factories import UserFactory
from tests.petitions.test_workflow import make_cast, reach

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRESQL, reason="row locks and concurrent transactions need PostgreSQL (DATABASE_URL=postgres://...)"
    ),
    # serialized_rollback: the flush after each test would otherwise take the migrations' seed
    # rows (deadline rules, categories) from the transactional tests that run after these.
    pytest.mark.django_db(transaction=True, serialized_rollback=ON_POSTGRESQL),
]


def code_of(p):
    """The rating code the resident received with the answer."""
    return Petition.objects.get(pk=p.pk if hasattr(p, "pk") else p).rating_code


@dataclass
class Result:
    name: str
    value: object = None
    error: BaseException | None = None

    @property
    def won(self) -> bool:
        return self.error is None


def _waiting_on_locks() -> int:
    """Sessions of the test database waiting for a lock (a fresh look: inside a transaction
    PostgreSQL otherwise keeps showing its first snapshot of pg_stat_activity)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def race(item: Petition, **calls) -> dict[str, Result]:
    """Run each call in its own thread and connection, all released at the same instant.

    The item's row is locked here until every thread waits for it, so none can finish before
    the others have started; then the lock goes and the threads compete for it.
    """
    results = {name: Result(name) for name in calls}
    ready = threading.Barrier(len(calls) + 1)

    def run(name, call):
        try:
            ready.wait(timeout=30)
            results[name].value = call()
        except BaseException as exc:
            results[name].error = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item_, daemon=True) for item_ in calls.items()]
    with transaction.atomic():
        Petition.objects.select_for_update().get(pk=item.pk)
        for thread in threads:
            thread.start()
        ready.wait(timeout=30)
        deadline = time.monotonic() + 20
        while _waiting_on_locks() < len(calls) and time.monotonic() < deadline:
            time.sleep(0.02)
        waiting = _waiting_on_locks()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread never finished"
    assert waiting == len(calls), f"only {waiting} of {len(calls)} threads waited on the item's row lock"
    return results


def one_winner(results, *, loser_errors=(Conflict,)) -> tuple[Result, list[Result]]:
    won = [r for r in results.values() if r.won]
    lost = [r for r in results.values() if not r.won]
    assert len(won) == 1, {r.name: repr(r.error) for r in results.values()}
    for r in lost:
        assert isinstance(r.error, loser_errors), f"{r.name}: {r.error!r}"
        assert str(r.error).strip(), "the loser is told why"
    return won[0], lost


def loaded(p):
    """What a page showed: the item as it stands, its version and its event count."""
    p = Petition.objects.get(pk=p.pk)
    return p, p.version, p.events.count()


@pytest.fixture
def cast(world):
    c = make_cast(world)
    c.dept_b = UserFactory(username="dept_b", role=Role.DEPARTMENT)
    c.D.members.add(c.dept_b)
    return c


def test_two_department_members_accept_at_once(cast):
    p, version, events = loaded(reach(cast, Status.ASSIGNED))
    results = race(
        p,
        a=lambda: petition_accept(actor=cast.dept, petition=p.pk, version=version),
        b=lambda: petition_accept(actor=cast.dept_b, petition=p.pk, version=version),
    )
    winner, (loser,) = one_winner(results)
    p.refresh_from_db()
    who = {"a": cast.dept, "b": cast.dept_b}[winner.name]
    assert (p.status, p.version, p.events.count()) == (Status.ACCEPTED, version + 1, events + 1)
    (event,) = p.events.filter(kind=PetitionEventKind.ACCEPTED)
    assert event.actor == who
    assert who.display_name in str(loser.error)  # "someone else acted: <who> at hh:mm"


def test_two_department_members_reply_at_once(cast):
    p, version, events = loaded(reach(cast, Status.IN_PROGRESS))
    texts = {"a": "甲：路灯已修复", "b": "乙：已列入计划"}
    results = race(
        p,
        a=lambda: petition_reply(
            actor=cast.dept, petition=p.pk, version=version, outcome=Outcome.SOLVED, text=texts["a"]
        ),
        b=lambda: petition_reply(
            actor=cast.dept_b, petition=p.pk, version=version, outcome=Outcome.PLANNED, text=texts["b"]
        ),
    )
    winner, _lost = one_winner(results)
    p.refresh_from_db()
    outcome = {"a": Outcome.SOLVED, "b": Outcome.PLANNED}[winner.name]
    assert (p.status, p.outcome, p.handling_summary) == (Status.REPLIED, outcome, texts[winner.name])
    assert (p.version, p.events.count()) == (version + 1, events + 1)
    (reply,) = DepartmentReply.objects.filter(petition=p)
    assert (reply.text, reply.author) == (texts[winner.name], {"a": cast.dept, "b": cast.dept_b}[winner.name])


def test_two_replies_without_versions_leave_one_reply(cast):
    """No version on either form (an API call, a double click): the row lock and the state still
    let only one through; the second finds the item replied."""
    p, version, events = loaded(reach(cast, Status.ACCEPTED))
    results = race(
        p,
        a=lambda: petition_reply(actor=cast.dept, petition=p.pk, outcome=Outcome.SOLVED, text="甲"),
        b=lambda: petition_reply(actor=cast.dept_b, petition=p.pk, outcome=Outcome.SOLVED, text="乙"),
    )
    winner, _lost = one_winner(results, loser_errors=(InvalidTransition,))
    p.refresh_from_db()
    assert DepartmentReply.objects.filter(petition=p).count() == 1
    assert p.handling_summary == {"a": "甲", "b": "乙"}[winner.name]
    assert (p.status, p.version, p.events.count()) == (Status.REPLIED, version + 1, events + 1)
    assert Assignment.objects.get(petition=p, role="lead").state == Assignment.State.DONE


def test_the_office_decides_an_extension_while_the_department_returns(cast):
    p = reach(cast, Status.ACCEPTED)
    request = petition_request_extension(
        actor=cast.dept, petition=p, requested_due_on=p.due_on + timedelta(days=10), reason="需协调供电公司"
    )
    p, version, events = loaded(p)
    old_due = p.due_on
    results = race(
        p,
        office=lambda: petition_decide_extension(
            actor=cast.office, petition=p.pk, version=version, request=request, approve=True
        ),
        department=lambda: petition_return(actor=cast.dept, petition=p.pk, version=version, reason="不属本委职责"),
    )
    winner, _lost = one_winner(results)
    p.refresh_from_db()
    request.refresh_from_db()
    assert (p.version, p.events.count()) == (version + 1, events + 1)
    if winner.name == "office":
        assert (p.status, p.due_on, request.state) == (
            Status.ACCEPTED,
            request.requested_due_on,
            ExtensionRequest.State.APPROVED,
        )
        assert not p.events.filter(kind=PetitionEventKind.RETURNED).exists()
    else:
        assert (p.status, p.lead_department, request.state) == (Status.TRIAGED, None, ExtensionRequest.State.REFUSED)
        assert not p.events.filter(kind=PetitionEventKind.EXTENSION_APPROVED).exists()
        assert Assignment.objects.get(petition=p, role="lead").due_on == old_due  # the approval never landed


@pytest.mark.parametrize("with_versions", [True, False], ids=["versions", "no-versions"])
def test_two_offices_assign_at_once(cast, with_versions):
    """Two accounts of the office that handles the item (only it may assign) assign it at once,
    each to another of its bureaus: one wins, the other is told."""
    colleague = UserFactory(username="office_2", role=Role.COMMITTEE_OFFICE, jurisdiction=cast.w.j.K)
    p, version, events = loaded(reach(cast, Status.TRIAGED))
    v = version if with_versions else None
    results = race(
        p,
        first=lambda: petition_assign(actor=cast.office, petition=p.pk, version=v, department=cast.D),
        second=lambda: petition_assign(actor=colleague, petition=p.pk, version=v, department=cast.D3),
    )
    winner, _lost = one_winner(results, loser_errors=(Conflict,) if with_versions else (InvalidTransition,))
    p.refresh_from_db()
    department = {"first": cast.D, "second": cast.D3}[winner.name]
    assert (p.status, p.lead_department, p.version, p.events.count()) == (
        Status.ASSIGNED,
        department,
        version + 1,
        events + 1,
    )
    (lead,) = Assignment.objects.filter(petition=p)
    assert lead.department == department


@pytest.fixture
def two_reps(cast):
    """R4 (an account of its own) also on the item beside R1."""
    r4 = cast.w.R4
    r4.user = UserFactory(username="rep4", role=Role.REPRESENTATIVE)
    r4.save()
    return r4


def test_two_representatives_rate_the_same_round_at_once(cast, two_reps):
    p = reach(cast, Status.FED_BACK)
    petition_add_representative(actor=cast.staff, petition=p, representative=two_reps)
    p, version, events = loaded(p)
    results = race(
        p,
        r1=lambda: petition_rate(actor=cast.rep, petition=p.pk, version=version, satisfaction=Satisfaction.SATISFIED),
        r4=lambda: petition_rate(
            actor=two_reps.user, petition=p.pk, version=version, satisfaction=Satisfaction.BASICALLY
        ),
    )
    winner, _lost = one_winner(results)
    p.refresh_from_db()
    satisfaction = {"r1": Satisfaction.SATISFIED, "r4": Satisfaction.BASICALLY}[winner.name]
    assert (p.status, p.satisfaction, p.version, p.events.count()) == (
        Status.RATED,
        satisfaction,
        version + 1,
        events + 1,
    )
    (rating,) = Rating.objects.filter(petition=p)
    assert rating.representative == {"r1": cast.w.R1, "r4": two_reps}[winner.name]


def test_two_dissatisfied_ratings_without_versions_reopen_once(cast, two_reps):
    """Both representatives are dissatisfied in round one: the item gets one more round, not two."""
    p = reach(cast, Status.FED_BACK)
    petition_add_representative(actor=cast.staff, petition=p, representative=two_reps)
    p, version, events = loaded(p)
    results = race(
        p,
        r1=lambda: petition_rate(actor=cast.rep, petition=p.pk, satisfaction=Satisfaction.DISSATISFIED),
        r4=lambda: petition_rate(actor=two_reps.user, petition=p.pk, satisfaction=Satisfaction.DISSATISFIED),
    )
    _winner, _lost = one_winner(results, loser_errors=(InvalidTransition,))
    p.refresh_from_db()
    assert (p.status, p.round, p.version, p.events.count()) == (Status.ASSIGNED, 2, version + 1, events + 1)
    assert Assignment.objects.filter(petition=p, round=2).count() == 1
    assert Rating.objects.filter(petition=p).count() == 1


def test_the_resident_and_the_staff_record_the_residents_rating_at_once(cast):
    """Online and at the desk at the same moment, no versions: one resident rating per round."""
    p, version, events = loaded(reach(cast, Status.FED_BACK))
    results = race(
        p,
        online=lambda: petition_rate(actor=None, petition=p.pk, code=code_of(p), satisfaction=Satisfaction.SATISFIED),
        desk=lambda: petition_rate(
            actor=cast.staff, petition=p.pk, satisfaction=Satisfaction.BASICALLY, for_resident=True
        ),
    )
    winner, _lost = one_winner(results, loser_errors=(PetitionError,))
    p.refresh_from_db()
    (rating,) = Rating.objects.filter(petition=p, rater=Rating.Rater.RESIDENT)
    assert rating.recorded_by == {"online": None, "desk": cast.staff}[winner.name]
    assert (p.status, p.version, p.events.count()) == (Status.RATED, version + 1, events + 1)

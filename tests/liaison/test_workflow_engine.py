"""The workflow engine (liaison.workflow) on a table of its own: checks, targets, bulk moves.

The real tables (petitions, suggestions, reception events) are tested with their services;
this file pins what every one of them relies on.
"""

from enum import StrEnum
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from liaison.workflow import InvalidTransition, Rule, Transition, Workflow


class Move(StrEnum):
    OPEN = "open"
    NOTE = "note"
    PAUSE = "pause"
    RESUME = "resume"
    SHUT = "shut"
    NUDGE = "nudge"


STATUSES = ("new", "open", "paused", "shut")


class Refused(InvalidTransition):
    def __init__(self, move, status):
        super().__init__(move, status, f"cannot {move} a {status} thing")


TABLE = {
    Move.OPEN: Rule({"new"}, "open", "app.open_thing"),
    Move.NOTE: Rule({"open", "paused"}, (), "app.note_thing"),
    Move.PAUSE: Rule({"open"}, ("paused",), "app.open_thing"),
    # The service chooses: back to "open", or straight to "shut".
    Move.RESUME: Rule({"paused"}, ("open", "shut")),
    Move.SHUT: Rule({"open", "paused"}, "shut", "app.shut_thing"),
    Move.NUDGE: Rule({"open"}, "open"),
}
FLOW = Workflow(name="things", statuses=STATUSES, rules=TABLE, initial={"new"}, error=Refused)


class User:
    def __init__(self, *perms, active=True):
        self.perms, self.is_active = set(perms), active

    def has_perm(self, perm):
        return self.is_active and perm in self.perms


def thing(status):
    return SimpleNamespace(status=status)


# -- the table -----------------------------------------------------------------------------------------


def test_a_rule_stores_immutable_sources_and_targets():
    rule = Rule(["a", "b"], "c")
    assert rule.sources == frozenset({"a", "b"}) and rule.targets == ("c",) and rule.target == "c"
    assert Rule({"a"}).targets == () and Rule({"a"}).target is None
    assert Rule({"a"}, ("b", "c")).target is None  # several: the service says which


def test_a_table_with_an_unknown_status_is_refused_at_import():
    with pytest.raises(ValueError, match="unknown statuses"):
        Workflow(name="bad", statuses=STATUSES, rules={Move.OPEN: Rule({"new"}, "opened")})
    with pytest.raises(ValueError, match="unknown statuses"):
        Workflow(name="bad", statuses=STATUSES, rules={Move.OPEN: Rule({"nu"}, "open")})
    with pytest.raises(ValueError, match="unknown statuses"):
        Workflow(name="bad", statuses=STATUSES, rules={}, initial={"draft"})
    with pytest.raises(ValueError, match="starts from no status"):
        Workflow(name="bad", statuses=STATUSES, rules={Move.OPEN: Rule((), "open")})


def test_moves_from_follow_the_table_order():
    assert FLOW.moves_from("open") == [Move.NOTE, Move.PAUSE, Move.SHUT, Move.NUDGE]
    assert FLOW.moves_from("shut") == []
    assert Move.OPEN in FLOW and FLOW[Move.OPEN] is TABLE[Move.OPEN]


# -- check and can -------------------------------------------------------------------------------------


@pytest.mark.parametrize("move", list(Move))
@pytest.mark.parametrize("status", STATUSES)
def test_check_allows_exactly_the_sources_for_a_holder(move, status):
    holder = User("app.open_thing", "app.note_thing", "app.shut_thing")
    if status in TABLE[move].sources:
        assert FLOW.check(move, status, holder) is TABLE[move]
        assert FLOW.can(move, status, holder)
    else:
        with pytest.raises(Refused) as caught:
            FLOW.check(move, status, holder)
        assert (caught.value.move, caught.value.status) == (move, status)
        assert str(caught.value) == f"cannot {move} a {status} thing"
        assert not FLOW.can(move, status, holder)


@pytest.mark.parametrize("user", [None, AnonymousUser(), User("app.note_thing"), User("app.open_thing", active=False)])
def test_the_permission_is_asked_before_the_state(user):
    for status in STATUSES:  # a source or not: refused for the permission alone
        with pytest.raises(PermissionDenied):
            FLOW.check(Move.OPEN, status, user)
        assert not FLOW.can(Move.OPEN, status, user)


def test_a_rule_without_permission_leaves_who_to_the_policy():
    assert FLOW.check(Move.RESUME, "paused", None) is TABLE[Move.RESUME]
    assert FLOW.can(Move.RESUME, "paused", AnonymousUser())
    with pytest.raises(Refused):
        FLOW.check(Move.RESUME, "open", None)


def test_permission_false_checks_the_state_alone():
    assert FLOW.check(Move.SHUT, "open", None, permission=False) is TABLE[Move.SHUT]
    with pytest.raises(Refused):
        FLOW.check(Move.SHUT, "new", None, permission=False)


def test_the_default_error_is_the_generic_one():
    flow = Workflow(name="plain", statuses=STATUSES, rules=TABLE)
    with pytest.raises(InvalidTransition) as caught:
        flow.check(Move.OPEN, "shut", User("app.open_thing"))
    assert type(caught.value) is InvalidTransition and "shut" in str(caught.value)


# -- apply ------------------------------------------------------------------------------------------------


def test_apply_lands_on_the_one_target_and_says_what_it_did():
    t = thing("new")
    actor = object()
    transition = FLOW.apply(t, Move.OPEN, actor=actor)
    assert t.status == "open"
    assert transition == Transition(Move.OPEN, "new", "open", actor) and transition.changed


def test_apply_keeps_the_status_of_a_move_without_target():
    t = thing("paused")
    transition = FLOW.apply(t, Move.NOTE)
    assert t.status == "paused" and not transition.changed
    assert FLOW.apply(t, Move.NOTE, to="paused").to_status == "paused"  # naming the same status is harmless
    with pytest.raises(ValueError, match="keeps the status"):
        FLOW.apply(t, Move.NOTE, to="open")
    assert t.status == "paused"


def test_a_move_onto_its_own_source_is_no_change():
    t = thing("open")
    assert not FLOW.apply(t, Move.NUDGE).changed


def test_apply_with_several_targets_needs_one_the_table_names():
    t = thing("paused")
    with pytest.raises(ValueError, match="say which"):
        FLOW.apply(t, Move.RESUME)
    with pytest.raises(ValueError, match="not 'new'"):
        FLOW.apply(t, Move.RESUME, to="new")
    assert t.status == "paused"
    assert FLOW.apply(t, Move.RESUME, to="shut").to_status == "shut"
    assert t.status == "shut"


def test_apply_refuses_a_target_outside_a_single_target_rule():
    t = thing("open")
    with pytest.raises(ValueError, match="not 'shut'"):
        FLOW.apply(t, Move.PAUSE, to="shut")
    assert t.status == "open"


def test_apply_checks_the_state_again():
    t = thing("shut")
    with pytest.raises(Refused):
        FLOW.apply(t, Move.SHUT)
    assert t.status == "shut"


def test_apply_works_on_another_field():
    flow = Workflow(name="state", statuses=STATUSES, rules=TABLE, field="state")
    row = SimpleNamespace(state="new")
    flow.apply(row, Move.OPEN)
    assert row.state == "open"


# -- apply_many ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_apply_many_moves_only_the_rows_in_a_source_status():
    from liaison.models import Job
    from tests.factories import UserFactory

    statuses, owner = Job.Status, UserFactory()
    flow = Workflow(
        name="jobs",
        statuses=statuses,
        rules={"claim": Rule({statuses.PENDING}, statuses.RUNNING), "either": Rule({statuses.RUNNING}, ())},
    )
    pending = [Job.objects.create(owner=owner, kind="x", title="a", status=statuses.PENDING) for _ in range(2)]
    done = Job.objects.create(owner=owner, kind="x", title="b", status=statuses.SUCCEEDED)
    assert flow.apply_many(Job.objects.all(), "claim", message="claimed") == 2
    assert {j.status for j in Job.objects.filter(pk__in=[j.pk for j in pending])} == {statuses.RUNNING}
    done.refresh_from_db()
    assert done.status == statuses.SUCCEEDED and done.message == ""
    with pytest.raises(ValueError, match="no single target"):
        flow.apply_many(Job.objects.all(), "either")

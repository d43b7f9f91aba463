"""The reception events' named status sets (`stations/reception/workflow.py`) are what their
documentation says, and the queries that ask for a group get exactly its events."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from stations.models import ReceptionEvent, RosterEntry
from stations.public.selectors import public_events
from stations.reception import workflow
from stations.reception.events import selectors as event_selectors
from stations.reception.workflow import EventStatus as S
from tests.factories import MembershipFactory

NAMED_SETS = ("COMING", "PUBLIC", "UPCOMING", "COUNTED", "OCCUPYING", "ON_PUBLIC_PAGES")


def test_the_named_sets_are_what_their_documentation_says():
    assert {S.DRAFT, S.SCHEDULED} == workflow.COMING
    assert {S.SCHEDULED, S.HELD} == workflow.PUBLIC
    assert {S.SCHEDULED} == workflow.UPCOMING
    # Counted: scheduled or held; drafts and cancelled events do not count.
    assert set(S) - {S.DRAFT, S.CANCELLED} == workflow.COUNTED == workflow.PUBLIC
    # Occupying: every event but a cancelled one, a draft plan's too.
    assert set(S) - {S.CANCELLED} == workflow.OCCUPYING
    # On the public pages: every event but a draft; a cancelled one keeps its page.
    assert set(S) - {S.DRAFT} == workflow.ON_PUBLIC_PAGES
    # The table's moves start from the named sets.
    assert workflow.EVENT_TABLE[workflow.EventMove.CANCEL].sources == workflow.COMING
    assert workflow.EVENT_TABLE[workflow.EventMove.RECORD].sources == workflow.PUBLIC
    for name in NAMED_SETS:
        named = getattr(workflow, name)
        assert isinstance(named, workflow.StatusSet), name
        assert named <= set(S.values) and named.__doc__ and named.__doc__ != frozenset.__doc__, name


@pytest.fixture
def one_of_each(world):
    """One event of the station S1 in each status, a week ahead, with R1 on every roster."""
    day = timezone.localdate() + timedelta(days=7)
    events = {}
    for status in S.values:
        events[status] = ReceptionEvent.objects.create(
            station=world.S1, date=day, start_time=time(9), end_time=time(11), place="会议室", status=status
        )
        RosterEntry.objects.create(event=events[status], representative=world.R1)
    return events


def _statuses(queryset) -> set:
    return set(queryset.values_list("status", flat=True))


def test_the_queries_ask_for_the_named_sets(world, one_of_each):
    today = timezone.localdate()
    events = ReceptionEvent.objects.filter(station=world.S1)
    assert _statuses(events.upcoming(today)) == workflow.UPCOMING
    assert _statuses(events.countable()) == workflow.COUNTED
    assert _statuses(public_events().filter(station=world.S1)) == workflow.ON_PUBLIC_PAGES
    # A representative's coming days and the places to volunteer for (R4 is on no roster).
    assert {e.event.status for e in event_selectors.my_days(world.R1, today).coming} == workflow.UPCOMING
    MembershipFactory(representative=world.R4, station=world.S1)
    assert _statuses(event_selectors.open_slot_events(world.R4, today)) == workflow.UPCOMING
    # A clash: R1 is on every roster of that day; a cancelled event occupies nobody.
    other = ReceptionEvent.objects.create(
        station=world.S2, date=one_of_each[S.HELD].date, start_time=time(14), end_time=time(16), place="会议室"
    )
    clashes = event_selectors.clashes_for(other, [world.R1.pk])[world.R1.pk]
    assert {c.event.status for c in clashes} == workflow.OCCUPYING

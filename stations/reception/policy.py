"""Who may do what to which reception event: one answer for the event's page and its services.

Scope first (`ReceptionEvent.objects.visible_to`: outside it, "not found"), then the capability
and the event's status here. A draft plan's events are the committee office's until the plan is
published. Who is told of a change is `stations.reception.events.notices` (the roster's
notices: a correction to those already notified, the unsent ones rewritten or cancelled).
"""

from datetime import date

from django.utils import timezone

from stations.models import ReceptionEvent
from stations.reception.workflow import COMING, EVENTS, PUBLIC, EventMove

Status = ReceptionEvent.Status
PLAN_PERMISSION = "stations.change_receptionplan"


def may_change_event(actor, event: ReceptionEvent) -> bool:
    """May the actor change this event (details or roster)? Drafts belong to the office."""
    if not actor.has_perm("stations.change_receptionevent"):
        return False
    return not (event.status == Status.DRAFT and not actor.has_perm(PLAN_PERMISSION))


def may_change_roster(actor, event: ReceptionEvent) -> bool:
    if not actor.has_perm("stations.change_rosterentry"):
        return False
    if event.status == Status.DRAFT and not actor.has_perm(PLAN_PERMISSION):
        return False
    return event.status in COMING


def may_record(actor, event: ReceptionEvent, today: date | None = None) -> bool:
    """The day's record (and its photos): a scheduled or held event, on or after its date."""
    today = today or timezone.localdate()
    return EVENTS.can(EventMove.RECORD, event.status, actor) and event.date <= today


def can(user, move: EventMove, event: ReceptionEvent, today: date | None = None) -> bool:
    """May `user` (whose scope holds the event) start `move` on it now?"""
    if move == EventMove.CANCEL:
        return may_change_event(user, event) and EVENTS.can(move, event.status, user)
    if move == EventMove.RECORD:
        return may_record(user, event, today)
    # Publishing is the plan's move (`plans.services.plan_publish`), not one event's button.
    return False


def moves_for(user, event: ReceptionEvent, today: date | None = None) -> list[EventMove]:
    """The moves the event's page offers `user`."""
    return [move for move in (EventMove.CANCEL, EventMove.RECORD) if can(user, move, event, today)]


def is_public(event: ReceptionEvent) -> bool:
    """Announced on the public pages (`workflow.PUBLIC`)."""
    return event.status in PUBLIC

"""Who may do what to which reception event: one answer for the event's page and its services.

Scope first (`ReceptionEvent.objects.visible_to`: outside it, "not found"), then the capability
and the event's status here. A draft plan's events are the committee office's until the plan is
published. Working-body staff organise their departments' head visits only (`may_organise`).
Who is told of a change is `stations.reception.events.notices` (the roster's
notices: a correction to those already notified, the unsent ones rewritten or cancelled).
"""

from datetime import date

from django.utils import timezone

from liaison.access import scope_for
from liaison.models import Role
from stations.models import EventKind, ReceptionEvent
from stations.reception.workflow import COMING, EVENTS, PUBLIC, EventMove

Status = ReceptionEvent.Status
PLAN_PERMISSION = "stations.change_receptionplan"


def organises_visits_only(actor) -> bool:
    """Working-body staff organise the head visits of the departments their bodies coordinate
    (seed 004: the 委室 settle the 局长进站's time, place and participants), and no other event."""
    return getattr(actor, "role", None) == Role.WORKING_BODY and not actor.is_superuser


def may_organise(actor, *, kind: str, department_id: int | None) -> bool:
    """May the actor hold an event of this kind with this visiting department? Everyone who may
    create or change events; working-body staff only a department-head visit of one of their
    departments (`scope.department_ids`)."""
    if not organises_visits_only(actor):
        return True
    return kind == EventKind.DEPARTMENT_VISIT and department_id in scope_for(actor).department_ids


def may_change_event(actor, event: ReceptionEvent) -> bool:
    """May the actor change this event (details or roster)? Drafts belong to the office; a working
    body changes only its departments' visits."""
    if not actor.has_perm("stations.change_receptionevent"):
        return False
    if not may_organise(actor, kind=event.kind, department_id=event.department_id):
        return False
    return not (event.status == Status.DRAFT and not actor.has_perm(PLAN_PERMISSION))


def may_change_roster(actor, event: ReceptionEvent) -> bool:
    if not actor.has_perm("stations.change_rosterentry"):
        return False
    if not may_organise(actor, kind=event.kind, department_id=event.department_id):
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

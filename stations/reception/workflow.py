"""The tables of the reception moves (liaison.workflow): a reception event's and a year plan's.

An event is created scheduled (by hand) or in a draft plan (generated); publishing the plan
schedules its draft events; a coming event can be cancelled; on or after its day it is
recorded as held (and may be recorded again to correct the record). A plan is published once.
The services of `stations.reception.events` and `stations.reception.plans` change a status
only through `EVENTS` and `PLANS`; who may act on which event is `stations.reception.policy`.
Events keep no history of their own: the notices to the roster (`events.notices`) are their
record of a change, and the engine writes nothing more.
"""

from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison import workflow as engine
from liaison.workflow import Rule, StatusSet
from stations.models import ReceptionEvent, ReceptionPlan

EventStatus = ReceptionEvent.Status
PlanStatus = ReceptionPlan.Status


class EventMove(StrEnum):
    PUBLISH = "publish"
    CANCEL = "cancel"
    RECORD = "record"


COMING = StatusSet(
    {EventStatus.DRAFT, EventStatus.SCHEDULED},
    "Not held and not cancelled: its roster can still change, and it can be cancelled.",
)
PUBLIC = StatusSet(
    {EventStatus.SCHEDULED, EventStatus.HELD},
    "Announced to the public (a draft plan's events are not yet): its day can be recorded once it has come, "
    "and the petitions received that day registered on it.",
)

# Unions and single groups the pages and queries ask for, each named once.
UPCOMING = StatusSet(
    {EventStatus.SCHEDULED},
    "Announced and not held yet: with a date from today on, what is coming (the upcoming lists, a station's "
    "public page, a representative's coming days and the places they may volunteer for); the 'upcoming' "
    "of attendance and of the performance record.",
)
COUNTED = StatusSet(
    PUBLIC,
    "Counts towards the totals: a campaign's events, a representative's rostered days (attendance and the "
    "performance record); drafts and cancelled events do not count.",
)
OCCUPYING = StatusSet(
    COMING | PUBLIC,
    "Not cancelled, a draft plan's events too: it occupies the representatives on its roster (same-day "
    "clashes, double bookings, a plan's quotas) and counts in a plan's review.",
)
ON_PUBLIC_PAGES = StatusSet(
    PUBLIC | {EventStatus.CANCELLED},
    "Shown on the public pages once announced (its plan, if any, published): a cancelled event keeps its page "
    "with a banner, so a printed notice's QR code or link does not lead nowhere; drafts are not shown.",
)

EVENT_TABLE: dict[EventMove, Rule] = {
    # The whole draft plan at once (`plans.services.plan_publish`), by the office.
    EventMove.PUBLISH: Rule(
        {EventStatus.DRAFT}, EventStatus.SCHEDULED, "stations.change_receptionplan", gettext_lazy("Publish the plan")
    ),
    EventMove.CANCEL: Rule(COMING, EventStatus.CANCELLED, "stations.change_receptionevent", gettext_lazy("Cancel")),
    # Held stays held: the record can be corrected later.
    EventMove.RECORD: Rule(PUBLIC, EventStatus.HELD, "stations.record_receptionevent", gettext_lazy("Record")),
}

# Why a move is refused from a status, as the pages say it.
_EVENT_REFUSALS = {
    (EventMove.CANCEL, EventStatus.HELD): lambda: _("This event has been held and cannot be cancelled."),
    (EventMove.CANCEL, EventStatus.CANCELLED): lambda: _("This event is already cancelled."),
    (EventMove.RECORD, EventStatus.DRAFT): lambda: _("Only a scheduled or held event can be recorded."),
    (EventMove.RECORD, EventStatus.CANCELLED): lambda: _("Only a scheduled or held event can be recorded."),
}


class InvalidEventMove(engine.InvalidTransition, ValidationError):
    """The event is not in a status the move starts from; a ValidationError, so the pages show the
    message under the form as they do the services' other refusals."""

    def __init__(self, move: EventMove, status: str):
        refusal = _EVENT_REFUSALS.get((move, status))
        message = (
            refusal()
            if refusal
            else _("This cannot be done now: the event is “%(status)s”.") % {"status": EventStatus(status).label}
        )
        super().__init__(move, status, message)


EVENTS = engine.Workflow(
    name="reception event",
    statuses=EventStatus,
    rules=EVENT_TABLE,
    initial={EventStatus.DRAFT, EventStatus.SCHEDULED},
    error=InvalidEventMove,
)


class PlanMove(StrEnum):
    PUBLISH = "publish"


PLAN_TABLE: dict[PlanMove, Rule] = {
    PlanMove.PUBLISH: Rule(
        {PlanStatus.DRAFT}, PlanStatus.PUBLISHED, "stations.change_receptionplan", gettext_lazy("Publish the plan")
    ),
}


class InvalidPlanMove(engine.InvalidTransition, ValidationError):
    """A plan is published once."""

    def __init__(self, move: PlanMove, status: str):
        super().__init__(move, status, _("This plan is published already."))


PLANS = engine.Workflow(
    name="reception plan", statuses=PlanStatus, rules=PLAN_TABLE, initial={PlanStatus.DRAFT}, error=InvalidPlanMove
)

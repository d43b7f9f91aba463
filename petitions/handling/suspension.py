"""Suspending an item in hand and resuming it: the deadline clock stops in between.

The office suspends an item a department is handling when the answer waits for something
outside it (a court ruling, a planned project), with a reason and a resume date. While
suspended the item is not overdue (`workflow.AWAITING_REPLY` leaves it out: the dashboard,
the ledger's filter, the start page, the department desk and the reminders), and its
departments' shares stay open. On resuming, by hand or by the daily task on the resume date,
the item goes back to the status it was suspended from and every open deadline of the round
(the lead's, the co-handlers', a pending extension's current one) moves forward by the
working days it was suspended (`suspended_working_days`, on the calendar at the item's place).

Both moves follow the services' pattern (`services.base._begin` / `_finish`): one event each,
public (the resident reads the reason and the new deadline), and the departments are told
through the outbox under a key of their own, so a task run twice tells nobody twice.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from liaison import workdays
from liaison.models import User
from petitions.handling import notifications
from petitions.handling.models import ACTIVE_ASSIGNMENT_STATES, Assignment, ExtensionRequest
from petitions.handling.services.base import PetitionError, _begin, _finish
from petitions.handling.workflow import InvalidTransition, Move
from petitions.ledger import events
from petitions.ledger.events import PetitionEventKind
from petitions.ledger.services import required_text
from petitions.models import Petition, PetitionEvent, Status

__all__ = ["petition_resume", "petition_suspend", "suspended_working_days", "suspensions_resume_due"]

# The fields a suspension fills and resuming clears.
_FIELDS = ["suspended_at", "suspended_until", "suspend_reason"]


def suspended_working_days(suspended_on: date, resumed_on: date, *, area_code: str = "") -> int:
    """The working days the clock stood still: those after the day of the suspension up to and
    including the day it resumed (0 when resumed the same day), by the calendar at the item's
    place (`area_code`)."""
    return max(workdays.working_days_between(suspended_on, resumed_on, place=area_code), 0)


@transaction.atomic
def petition_suspend(
    *, actor: User | None, petition: Petition | int, version: int | None = None, reason: str, until: date
) -> Petition:
    """The office suspends an item in hand until `until` (a day after today), saying why.

    Raises PetitionError for a missing reason or a resume date not after today. Writes the
    `suspended` event (public: the resident reads the reason and the date) and tells the
    departments with an open share.
    """
    petition = _begin(actor=actor, petition=petition, move=Move.SUSPEND, version=version)
    reason_ = required_text(reason, _("Say why the item is suspended."), 1000)
    if until is None or until <= timezone.localdate():
        raise PetitionError(_("The resume date must be after today."))
    petition.suspended_at, petition.suspended_until, petition.suspend_reason = timezone.now(), until, reason_
    fact = events.suspended(
        reason=reason_,
        until=until,
        due_on=petition.due_on,
        public_text=_("Handling is suspended until %(until)s: %(reason)s. The deadline is paused meanwhile.")
        % {"until": date_format(until, "Y-m-d"), "reason": reason_},
    )
    event = _finish(
        petition,
        move=Move.SUSPEND,
        actor=actor,
        fact=fact,
        fields=_FIELDS,
    )
    notifications.notify_suspended(petition, event)
    return petition


@transaction.atomic
def petition_resume(
    *,
    actor: User | None,
    petition: Petition | int,
    version: int | None = None,
    note: str = "",
    today: date | None = None,
) -> Petition:
    """Resume a suspended item: back to the status it was suspended from, each open deadline of the
    round moved forward by the working days it stood still.

    `actor` None is the daily task on the resume date (`suspensions_resume_due`). Writes the
    `resumed` event (public, with the new deadline) and tells the departments with an open share.
    """
    petition = _begin(actor=actor, petition=petition, move=Move.RESUME, version=version, system=actor is None)
    today, calendar = today or timezone.localdate(), workdays.current(petition.area_code)
    suspended = petition.events.filter(kind=PetitionEventKind.SUSPENDED).order_by("-at", "-pk").first()
    suspended_on = timezone.localdate(petition.suspended_at) if petition.suspended_at else today
    days = suspended_working_days(suspended_on, today, area_code=petition.area_code)
    shares = list(
        Assignment.objects.select_for_update().filter(
            petition=petition, round=petition.round, state__in=ACTIVE_ASSIGNMENT_STATES
        )
    )
    if days:
        for share in shares:
            share.due_on = calendar.add(share.due_on, days)
            share.save(update_fields=["due_on"])
        for request in ExtensionRequest.objects.select_for_update().filter(
            assignment__in=shares, state=ExtensionRequest.State.PENDING
        ):
            request.current_due_on = calendar.add(request.current_due_on, days)
            request.save(update_fields=["current_due_on"])
    old_due = petition.due_on
    if old_due and days:
        petition.due_on = calendar.add(old_due, days)
    petition.suspended_at, petition.suspended_until, petition.suspend_reason = None, None, ""
    fact = events.resumed(
        days=days,
        automatic=actor is None,
        note=(note or "").strip()[:2000],
        due_on=old_due,
        new_due_on=petition.due_on,
        public_text=(
            _("Handling has resumed; the deadline is now %(due)s.") % {"due": date_format(petition.due_on, "Y-m-d")}
            if petition.due_on
            else _("Handling has resumed.")
        ),
    )
    event = _finish(
        petition,
        move=Move.RESUME,
        actor=actor,
        fact=fact,
        fields=[*_FIELDS, "due_on"],
        to_status=_status_before(petition, suspended, shares),
    )
    notifications.notify_resumed(petition, event, days)
    return petition


def _status_before(petition: Petition, suspended: PetitionEvent | None, shares: list[Assignment]) -> str:
    """The status the item was suspended from (its `suspended` event says), else what its lead share says."""
    if suspended is not None and suspended.from_status:
        return suspended.from_status
    lead = next((s for s in shares if s.role == Assignment.Role.LEAD), None)
    return Status.ACCEPTED if lead is not None and lead.state == Assignment.State.ACCEPTED else Status.ASSIGNED


def suspensions_resume_due(*, today: date | None = None) -> int:
    """Resume every suspended item whose resume date has come (the daily beat task); returns how many.

    Each item in its own transaction; one resumed meanwhile by hand is skipped, so running the
    task twice resumes nothing twice (the outbox keys make its notices once-only too).
    """
    today = today or timezone.localdate()
    due = Petition.objects.filter(status=Status.SUSPENDED, suspended_until__lte=today).order_by("suspended_until", "pk")
    resumed = 0
    for pk in due.values_list("pk", flat=True):
        try:
            petition_resume(actor=None, petition=pk, today=today)
        except InvalidTransition:
            continue  # resumed by hand since the list was read
        resumed += 1
    return resumed
